#!/usr/bin/env python3
"""Writes the seed corpora of the fuzzing harnesses (fuzz/corpus/TARGET/...): real greetings and
replies, operation sequences that reach the TCP stack's and receive path's states, the original
masscan's -oB files and config files (from ../shared/fixtures/masscan when present), and specs.
Run from the repository root; the corpora are committed, this script documents their making."""
import os, struct, subprocess, tempfile

BASE = 'fuzz/corpus'
FIX = '../shared/fixtures/masscan'
PORTS = [21, 22, 23, 25, 80, 110, 143, 443, 445, 3389, 5900, 11211, 8080, 7777, 8531, 993,
         6000, 1099, 88, 27017, 104, 389, 5060, 554, 111,
         53, 139, 548, 1352, 1433, 2375, 6379, 25565,
         5432, 1883, 5672, 502, 20000,
         44818, 1911, 102]
# The banner harness's port pick for the rustls handshake (second TLS connection).
RUSTLS = 0x7f
# Its picks of --identify's tries on an unexpected port: memcached, PostgreSQL, AMQP, TLS, redis,
# MQTT.
TRY_MEMCACHED, TRY_POSTGRES, TRY_AMQP, TRY_TLS, TRY_REDIS, TRY_MQTT = range(0x79, 0x7f)


def w(target, name, data):
    os.makedirs(f'{BASE}/{target}', exist_ok=True)
    with open(f'{BASE}/{target}/{name}', 'wb') as f:
        f.write(data)


GREETINGS = {
    'ssh': (22, b"SSH-2.0-OpenSSH_9.2p1 Debian-2+deb12u3\r\n"),
    'ftp': (21, b"220 (vsFTPd 3.0.3)\r\n234 Proceed with negotiation.\r\n"),
    'smtp': (25, b"220 lab ESMTP\r\n250-lab\r\n250-STARTTLS\r\n250 HELP\r\n220 Ready to start TLS\r\n"),
    'pop3': (110, b"+OK Dovecot ready.\r\n+OK\r\nCAPA\r\nSTLS\r\n.\r\n+OK Begin TLS\r\n"),
    'imap': (143, b"* OK [CAPABILITY IMAP4rev1 STARTTLS] Dovecot ready.\r\n* CAPABILITY IMAP4rev1 STARTTLS\r\na001 OK\r\na002 OK Begin TLS\r\n"),
    'http': (80, b"HTTP/1.1 200 OK\r\nServer: nginx/1.22.1\r\nContent-Type: text/html\r\n\r\n<html><title>lab</title></html>"),
    'vnc': (5900, b"RFB 003.008\n\x02\x02\x12"),
    'vnc-cut': (7777, b"RFB 003.008"),
    'telnet': (23, b"\xff\xfd\x18\xff\xfd\x20\xff\xfb\x01login: "),
    'rdp': (3389, b"\x03\x00\x00\x13\x0e\xd0\x00\x00\x12\x34\x00\x02\x1f\x08\x00\x01\x00\x00\x00"),
    'memcached': (11211, b"STAT pid 1\r\nSTAT uptime 100\r\nSTAT time 1700000000\r\nSTAT version 1.6.18\r\nEND\r\n"),
    'tls-alert': (443, b"\x15\x03\x03\x00\x02\x02\x28"),
    'smb': (445, b"\x00\x00\x00\x50\xfeSMB@\x00" + b"\x00" * 70),
    'heur': (8080, b"\x00\x01binary"),
}
for name, (port, data) in GREETINGS.items():
    for chunk in (1, 7, 255):
        w('banner', f'{name}-{chunk}', bytes([PORTS.index(port), chunk]) + data)

# Replies to the original's hellos, part A (engine/src/banner/hello/), shaped as the lab's
# servers send them (Xvfb, rpcbind, MIT's KDC, slapd, kamailio, pynetdicom) or, where the lab
# has no server (MongoDB, Java RMI), as their specifications lay them out.
def ber(tag, v):
    n = len(v)
    if n < 0x80:
        return bytes([tag, n]) + v
    b = n.to_bytes(4, 'big').lstrip(b'\0')
    return bytes([tag, 0x80 | len(b)]) + b + v


def bson(fields):
    body = b''
    for name, v in fields:
        if isinstance(v, str):
            e = v.encode() + b'\0'
            body += b'\x02' + name.encode() + b'\0' + struct.pack('<I', len(e)) + e
        elif isinstance(v, float):
            body += b'\x01' + name.encode() + b'\0' + struct.pack('<d', v)
        else:
            body += b'\x10' + name.encode() + b'\0' + struct.pack('<i', v)
    return struct.pack('<I', len(body) + 5) + body + b'\0'


def x11_accepted():
    vendor = b'The X.Org Foundation'
    body = struct.pack('<IIIIHHBBBBBBBB4x', 12101007, 0x200000, 0x1fffff, 256, len(vendor), 0xffff,
                       1, 1, 0, 0, 32, 32, 8, 255) + vendor
    body += b'\0' * (-len(body) % 4) + bytes([24, 32, 32, 0, 0, 0, 0, 0])
    body += b'\0' * 20 + struct.pack('<HH', 1024, 768) + b'\0' * 16
    return struct.pack('<BBHHH', 1, 0, 11, 0, len(body) // 4) + body


def x11_refused():
    r = b'Authorization required, but no authorization protocol specified\n'
    pad = r + b'\0' * (-len(r) % 4)
    return struct.pack('<BBHHH', 0, len(r), 11, 0, len(pad) // 4) + pad


def krb_error():
    c = lambda n, v: ber(0xa0 | n, v)
    i = lambda n: ber(2, n.to_bytes(4, 'big').lstrip(b'\0') or b'\0')
    f = (c(0, i(5)) + c(1, i(30)) + c(4, ber(0x18, b'20261207054000Z')) + c(5, i(1234)) +
         c(6, i(6)) + c(9, ber(0x1b, b'LAB.TEST')) +
         c(10, ber(0x30, c(0, i(2)) + c(1, ber(0x30, ber(0x1b, b'krbtgt') + ber(0x1b, b'NM'))))) +
         c(11, ber(0x1b, b'NULL_CLIENT')))
    m = ber(0x7e, ber(0x30, f))
    return struct.pack('>I', len(m)) + m


def mongo(opcode, doc):
    body = (struct.pack('<IqII', 8, 0, 0, 1) if opcode == 1 else b'\0\0\0\0\0') + doc
    return struct.pack('<IIII', 16 + len(body), 9, 1, opcode) + body


def dicom_ac():
    item = lambda t, v: struct.pack('>BBH', t, 0, len(v)) + v
    body = (b'\0\x01\0\0' + b'ANY-SCP         ECHOSCU         ' + b'\0' * 32 +
            item(0x10, b'1.2.840.10008.3.1.1.1') +
            item(0x21, b'\x01\0\0\0' + item(0x40, b'1.2.840.10008.1.2')) +
            item(0x50, item(0x51, struct.pack('>I', 16382)) +
                 item(0x52, b'1.2.826.0.1.3680043.9.3811.3.0.4') + item(0x55, b'PYNETDICOM_304')))
    return b'\x02\0' + struct.pack('>I', len(body)) + body


def ldap_root_dse():
    attr = lambda n, vs: ber(0x30, ber(4, n) + ber(0x31, b''.join(ber(4, v) for v in vs)))
    msg = lambda op: ber(0x30, ber(2, b'\x07') + op)
    entry = ber(0x64, ber(4, b'') + ber(0x30, attr(b'namingContexts', [b'dc=lab,dc=test']) +
                                       attr(b'supportedLDAPVersion', [b'3']) +
                                       attr(b'supportedSASLMechanisms', [b'SCRAM-SHA-1', b'NTLM'])))
    return msg(entry) + msg(ber(0x65, ber(0x0a, b'\0') + ber(4, b'') + ber(4, b'')))


def rpc(xid, state, words):
    w = [xid, 1, 0, 0, 0, state] + words
    return struct.pack('>I', 0x80000000 | 4 * len(w)) + struct.pack(f'>{len(w)}I', *w)


HELLO_REPLIES = {
    'x11': (6000, x11_accepted()),
    'x11-refused': (6000, x11_refused()),
    'javarmi': (1099, b'\x4e\x00\x0a198.18.0.2' + struct.pack('>I', 40000)),
    'kerberos': (88, krb_error()),
    'mongodb': (27017, mongo(1, bson([('ok', 0.0), ('errmsg', 'command serverStatus requires authentication'),
                                      ('code', 13), ('codeName', 'Unauthorized')])) +
                mongo(2013, bson([('version', '7.0.14'), ('ok', 1.0)]))),
    'dicom': (104, dicom_ac()),
    'dicom-rj': (104, b'\x03\0\0\0\0\x04\0\x01\x01\x07'),
    'ldap': (389, ldap_root_dse()),
    'sip': (5060, b'SIP/2.0 200 OK\r\nVia: SIP/2.0/TCP nm;branch=z9hG4bK-masscan\r\nCSeq: 42 OPTIONS\r\n'
                  b'Allow: INVITE, ACK, CANCEL, OPTIONS, BYE\r\nServer: kamailio (5.6.3 (x86_64/linux))\r\n'
                  b'Content-Length: 0\r\n\r\n'),
    'rtsp': (554, b'RTSP/1.0 200 OK\r\nPublic: OPTIONS, DESCRIBE, TEARDOWN, SETUP, PLAY, STOP\r\n'
                  b'CSeq: 1\r\nSession: 1\r\n\r\n'),
    'rpc': (111, rpc(0x72fe1d13, 2, [2, 4]) +
            rpc(0x72fe1d14, 0, [1, 100000, 4, 6, 111, 1, 100000, 2, 17, 111, 1, 100024, 1, 17, 45000, 0])),
}
for name, (port, data) in HELLO_REPLIES.items():
    for chunk in (1, 7, 255):
        w('banner', f'{name}-{chunk}', bytes([PORTS.index(port), chunk]) + data)


CHAIN = 'fuzz/tls-chain'


def tls_chain():
    """A lab CA and a leaf it signed (RSA), as DER: the pair kept in fuzz/tls-chain, made by
    openssl here the first time (fresh keys would change every TLS seed on each run)."""
    leaf, ca = f'{CHAIN}/leaf.der', f'{CHAIN}/ca.der'
    if os.path.exists(leaf) and os.path.exists(ca):
        return open(leaf, 'rb').read(), open(ca, 'rb').read()
    made = make_tls_chain()
    os.makedirs(CHAIN, exist_ok=True)
    for path, der in zip((leaf, ca), made):
        with open(path, 'wb') as f:
            f.write(der)
    return made


def make_tls_chain():
    with tempfile.TemporaryDirectory() as d:
        def run(*a):
            subprocess.run(a, cwd=d, check=True, capture_output=True)
        run('openssl', 'req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '30', '-keyout', 'ca.key',
            '-out', 'ca.pem', '-subj', '/O=masscan-rs lab/CN=masscan-rs lab CA')
        run('openssl', 'req', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'leaf.key', '-out', 'leaf.csr',
            '-subj', '/O=masscan-rs lab/CN=tls.lab.masscan-rs.test')
        with open(f'{d}/ext.cnf', 'w') as f:
            f.write('subjectAltName=DNS:tls.lab.masscan-rs.test,DNS:legacy.lab.masscan-rs.test\n')
        run('openssl', 'x509', '-req', '-in', 'leaf.csr', '-CA', 'ca.pem', '-CAkey', 'ca.key',
            '-CAcreateserial', '-days', '30', '-extfile', 'ext.cnf', '-out', 'leaf.pem')
        run('openssl', 'x509', '-in', 'leaf.pem', '-outform', 'DER', '-out', 'leaf.der')
        run('openssl', 'x509', '-in', 'ca.pem', '-outform', 'DER', '-out', 'ca.der')
        return open(f'{d}/leaf.der', 'rb').read(), open(f'{d}/ca.der', 'rb').read()


def tls_record(kind, version, data):
    return struct.pack('>BHH', kind, version, len(data)) + data


def tls_handshake(kind, body):
    return bytes([kind]) + struct.pack('>I', len(body))[1:] + body


def tls_flight(version, cipher, chain):
    """An old server's first flight: ServerHello, Certificate (split over two records), ServerHelloDone."""
    hello = struct.pack('>H', version) + bytes(range(32)) + b'\x00' + struct.pack('>HB', cipher, 0)
    certs = b''.join(struct.pack('>I', len(c))[1:] + c for c in chain)
    hs = (tls_handshake(2, hello) + tls_handshake(11, struct.pack('>I', len(certs))[1:] + certs)
          + tls_handshake(14, b''))
    half = len(hs) // 2
    return tls_record(22, version, hs[:half]) + tls_record(22, version, hs[half:])


LEAF, CA = tls_chain()
TLS = {
    'tls10-chain': (PORTS.index(443), tls_flight(0x0301, 0x002f, [LEAF, CA])),
    'sslv3-chain': (PORTS.index(8531), tls_flight(0x0300, 0x000a, [LEAF])),
    'tls12-chain': (PORTS.index(993), tls_flight(0x0303, 0xc02f, [LEAF, CA])),
    'tls13-refusal': (PORTS.index(443), tls_record(21, 0x0303, b'\x02\x46')),
    'rustls-alert': (RUSTLS, tls_record(21, 0x0303, b'\x02\x46')),
    'rustls-garbage': (RUSTLS, tls_record(22, 0x0303, b'\x02\x00\x00\x26\x03\x03' + bytes(32))),
}
# --heartbleed (top bit of the port byte): a stand-in flawed server's flight, then its heartbeat
# response with the 16 KiB it was asked for; on 443 and on 22 (every port gets the TLS hello).
LEAK = bytes(i % 251 for i in range(0x4000))
BLEED = tls_flight(0x0302, 0xc014, [LEAF]) + tls_record(24, 0x0302, b'\x02\x40\x00' + LEAK + bytes(16))
TLS['heartbleed-443'] = (0x80 | PORTS.index(443), BLEED)
TLS['heartbleed-22'] = (0x80 | PORTS.index(22), BLEED)
for name, (pick, data) in TLS.items():
    for chunk in (7, 255):
        w('banner', f'{name}-{chunk}', bytes([pick, chunk]) + data)

# Replies to the original's hellos (part B): DNS version.bind over TCP, SMBv1 on 139 after a
# positive NetBIOS session response, AFP DSIGetStatus, Notes RPC, MS-SQL PRELOGIN, Docker
# /version, Redis INFO and -NOAUTH, Minecraft status (shaped as the unit tests' replies).
HELLOS_B = {
    'dns-tcp': (53, b'\x009ms\x85\x80\x00\x01\x00\x01\x00\x00\x00\x00\x07version\x04bind\x00\x00\x10\x00\x03\xc0\x0c\x00\x10\x00\x03\x00\x00\x00\x00\x00\x0f\x0eunbound 1.17.1'),
    'smb139': (139, b'\x82\x00\x00\x00\x00\x00\x00s\xffSMBr\x00\x00\x00\x00\x98\x01\xc8\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\xff\xff\xff\xfe\x00\x00\x00\x00\x11\x00\x00\x032\x00\x01\x00\x04A\x00\x00\x00\x00\x01\x00\x00\x00\x00\x00\xfd\xf3\x00\x00\x00\x80 \x9b\xcb\x82\xd8\x01\x00\x00\x08.\x00\xaa\xaa\xaa\xaa\xaa\xaa\xaa\xaaW\x00O\x00R\x00K\x00G\x00R\x00O\x00U\x00P\x00\x00\x00L\x00A\x00B\x00-\x00S\x00M\x00B\x001\x00\x00\x00'),
    'afp': (548, b'\x01\x03\x00\x01\x00\x00\x00\x00\x00\x00\x00.\x00\x00\x00\x00\x00\x18\x00 \x00(\x00\x00\x8fy\x04lab1\x00\x00\x00\x00\x00\x00\x00\x00\x00\x07Netatlk\x01\x06AFP3.4\x01\x04DHX2'),
    'notes': (1352, b'B\x00\x00\x00/\x00\x00\x00\x03\x00\x00@\x02\x0f\x00\x05\x009\x05\x00\x00\x00\x00\x00\x00\x00\x00\x00\x03\x00\x00\x00\x00\x02\x00/\x00\x12\x00\x00\x00\x00\x00\x00\x00CN=mail01/O=Example\x00\x00'),
    'mssql': (1433, b'\x04\x01\x00%\x00\x00\x01\x00\x00\x00\x15\x00\x06\x01\x00\x1b\x00\x01\x02\x00\x1c\x00\x01\x03\x00\x1d\x00\x00\xff\x0f\x00\x07\xd0\x00\x00\x00\x00'),
    'docker': (2375, b'HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 101\r\n\r\n{"Version": "24.0.5", "ApiVersion": "1.43", "Os": "linux", "Arch": "amd64", "KernelVersion": "6.1.0"}'),
    'redis': (6379, b'$78\r\n# Server\r\nredis_version:7.0.15\r\nredis_mode:standalone\r\nos:Linux 6.1.0 x86_64\r\n\r\n'),
    'redis-noauth': (6379, b'-NOAUTH Authentication required.\r\n'),
    'minecraft': (25565, b'\x87\x01\x00\x84\x01{"version": {"name": "1.20.4", "protocol": 765}, "players": {"max": 20, "online": 3}, "description": {"text": "A Minecraft Server"}}'),
}
for name, (port, data) in HELLOS_B.items():
    for chunk in (1, 7, 255):
        w('banner', f'{name}-{chunk}', bytes([PORTS.index(port), chunk]) + data)

# ZGrab2's depth (engine/src/banner/{mysql,postgres,mqtt}.rs): MariaDB 10.11's greeting (MySQL
# speaks first: any port) and error packet, PostgreSQL 15's answers to the SSLRequest and to a
# StartupMessage for protocol 255.255, mosquitto's CONNACKs and an MQTT 5 CONNACK with
# properties, RabbitMQ 3.10's Connection.Start and an AMQP 1.0 broker's protocol header, a
# Modbus device's identification (basic objects) and an illegal-function exception.
def dnp3_crc(b):
    """CRC-16/DNP: polynomial 0x3d65 reflected (0xa6bc), initial 0, inverted; low byte first."""
    crc = 0
    for x in b:
        crc ^= x
        for _ in range(8):
            crc = (crc >> 1) ^ 0xa6bc if crc & 1 else crc >> 1
    return struct.pack('<H', crc ^ 0xffff)


def dnp3_header(length, control, dst, src):
    h = b'\x05\x64' + bytes([length, control]) + struct.pack('<HH', dst, src)
    return h + dnp3_crc(h)


def dnp3_frame(control, dst, src, data):
    f = dnp3_header(5 + len(data), control, dst, src)
    for i in range(0, len(data), 16):
        f += data[i:i + 16] + dnp3_crc(data[i:i + 16])
    return f


def mysql_packet(seq, p):
    return struct.pack('<I', len(p))[:3] + bytes([seq]) + p


def mysql_greeting(caps):
    p = b'\x0a5.5.5-10.11.14-MariaDB-0+deb12u2\0' + struct.pack('<I', 31) + b'3;)Wd"n!\0'
    p += struct.pack('<HBHH', caps & 0xffff, 45, 2, caps >> 16) + b'\x15' + bytes(10)
    return mysql_packet(0, p + b'Z7a=q>n~b4Sk\0mysql_native_password\0')


def pg_error(fields):
    body = b''.join(bytes([f]) + v + b'\0' for f, v in fields) + b'\0'
    return b'E' + struct.pack('>I', len(body) + 4) + body


def mqtt_connack5():
    props = b'\x21\x00\x14\x24\x01\x25\x00\x27\x00\x10\x00\x00\x12\x00\x06auto-1\x1f\x00\x05hello'
    body = b'\x00\x00' + bytes([len(props)]) + props
    return b'\x20' + bytes([len(body)]) + body


def amqp_table(entries):
    t = b''.join(bytes([len(k)]) + k + kind + v for k, kind, v in entries)
    return struct.pack('>I', len(t)) + t


def amqp_str(v):
    return struct.pack('>I', len(v)) + v


def amqp_start():
    caps = amqp_table([(b'publisher_confirms', b't', b'\x01')])
    props = amqp_table([(b'capabilities', b'F', caps), (b'cluster_name', b'S', amqp_str(b'rabbit@lab')),
                        (b'platform', b'S', amqp_str(b'Erlang/OTP 25.2.3')),
                        (b'product', b'S', amqp_str(b'RabbitMQ')), (b'version', b'S', amqp_str(b'3.10.8'))])
    p = b'\x00\x0a\x00\x0a\x00\x09' + props + amqp_str(b'PLAIN AMQPLAIN') + amqp_str(b'en_US')
    return b'\x01\x00\x00' + struct.pack('>I', len(p)) + p + b'\xce'


DEPTH = {
    'mysql': (7777, mysql_greeting(0x81fff7fe)),
    'mysql-tls': (7777, mysql_greeting(0x81fffffe) + b'\x15\x03\x03\x00\x02\x02\x28'),
    'mysql-error': (7777, mysql_packet(0, b'\xff\x6a\x04Host is not allowed to connect')),
    'postgres': (5432, b'N' + pg_error([(b'S'[0], b'FATAL'), (b'V'[0], b'FATAL'), (b'C'[0], b'0A000'),
        (b'M'[0], b'unsupported frontend protocol 255.255: server supports 3.0 to 3.0'),
        (b'F'[0], b'postmaster.c'), (b'L'[0], b'2136'), (b'R'[0], b'ProcessStartupPacket')])),
    'postgres-tls': (5432, b'S\x15\x03\x03\x00\x02\x02\x28'),
    'mqtt-open': (1883, b'\x20\x02\x00\x00'),
    'mqtt-auth': (1883, b'\x20\x02\x00\x05'),
    'mqtt5': (1883, mqtt_connack5()),
    'amqp': (5672, amqp_start()),
    'amqp-header': (5672, b'AMQP\x00\x01\x00\x00'),
    'modbus': (502, b'\x00\x01\x00\x00\x00\x30\x00\x2b\x0e\x01\x81\x00\x00\x03'
               b'\x00\x12Schneider Electric\x01\x0cBMX P34 2020\x02\x04v2.7'),
    'modbus-exception': (502, b'\x00\x01\x00\x00\x00\x03\x00\xab\x01'),
    # DNP3 (engine/src/banner/dnp3.rs, IEEE 1815-2012 clause 9.2): an outstation's LINK_STATUS,
    # two of them, an unsolicited response in two CRC'd blocks, and a header with a bad CRC.
    'dnp3': (20000, dnp3_header(5, 0x0b, 0, 10)),
    'dnp3-two': (20000, dnp3_header(5, 0x0b, 0, 10) + dnp3_header(5, 0x0b, 0, 11)),
    'dnp3-data': (20000, dnp3_frame(0x44, 0, 10, b'\xc0\xd0\x82\x90\x00\x3c\x02\x06\x3c\x03\x06'
                                    b'\x3c\x04\x06\x00\x00\x00\x00')),
    'dnp3-badcrc': (20000, dnp3_header(5, 0x0b, 0, 10)[:8] + b'\x00\x00'),
    # An HTTP redirect (engine/src/banner/http.rs reports its Location): nginx's own for a
    # directory asked without its slash.
    'http-redirect': (80, b'HTTP/1.1 301 Moved Permanently\r\nServer: nginx/1.22.1\r\n'
                      b'Content-Type: text/html\r\nContent-Length: 0\r\n'
                      b'Location: http://198.18.1.1/moved/\r\nConnection: keep-alive\r\n\r\n'),
}
for name, (port, data) in DEPTH.items():
    for chunk in (1, 7, 255):
        w('banner', f'{name}-{chunk}', bytes([PORTS.index(port), chunk]) + data)

# Industrial protocols (engine/src/banner/{enip,fox,s7}.rs), laid out as their specifications
# and the unit tests give them: an EtherNet/IP ListIdentity reply (ODVA vol. 2: encapsulation
# header, one CIP Identity item) and a refusal (status 1), a Niagara station's fox hello, and a
# whole S7comm conversation (TPKT + COTP CC, Setup Communication's Ack_Data, SZL 0x0011 and
# 0x001C userdata answers), also after a COTP DR for the first TSAP.
def enip_reply(status, data):
    return struct.pack('<HHII', 0x63, len(data), 0, status) + b'masscan\0' + bytes(4) + data


def enip_identity():
    name = b'1756-EN2T/D'
    i = struct.pack('<H', 1) + struct.pack('>HH', 2, 44818) + bytes([192, 168, 1, 10]) + bytes(8)
    i += struct.pack('<HHHBBHI', 1, 12, 166, 5, 28, 0x30, 0xc0ffee) + bytes([len(name)]) + name + b'\x03'
    return struct.pack('<HHH', 1, 0x0c, len(i)) + i


def tpkt(p):
    return struct.pack('>BBH', 3, 0, len(p) + 4) + p


def s7_szl(szl_id, records):
    lst = struct.pack('>HHHH', szl_id, 1, len(records[0]), len(records)) + b''.join(records)
    data = b'\xff\x09' + struct.pack('>H', len(lst)) + lst
    s7 = b'\x32\x07\x00\x00\x00\x02' + struct.pack('>HH', 12, len(data))
    return tpkt(b'\x02\xf0\x80' + s7 + b'\x00\x01\x12\x08\x12\x84\x01\x01\x00\x00\x00\x00' + data)


def s7_conversation():
    cc = tpkt(bytes([17, 0xd0, 0, 1, 0, 0x44, 0, 0xc0, 1, 0x0a, 0xc1, 2, 1, 0, 0xc2, 2, 1, 2]))
    setup = tpkt(b'\x02\xf0\x80\x32\x03\x00\x00\x00\x01\x00\x08\x00\x00\x00\x00\xf0\x00\x00\x01\x00\x01\x00\xf0')
    mlfb = b'6ES7 315-2EH14-0AB0 '
    module = s7_szl(0x11, [struct.pack('>H', 1) + mlfb + struct.pack('>HHH', 0xc000, 0x2000, 0),
                           struct.pack('>H', 7) + b' ' * 20 + struct.pack('>HHH', 0xc000, 0x5603, 0x0206)])
    names = [(1, b'SIMATIC 300(Line 4)'), (2, b'CPU 315-2 PN/DP'), (4, b'Original Siemens Equipment'),
             (5, b'S C-X4U421302009'), (7, b'CPU 315-2 PN/DP')]
    component = s7_szl(0x1c, [struct.pack('>H', i) + n.ljust(32, b'\0') for i, n in names])
    return cc + setup + module + component


INDUSTRIAL = {
    'enip': (44818, enip_reply(0, enip_identity())),
    'enip-refused': (44818, enip_reply(1, b'')),
    'fox': (1911, b'fox a 0 -1 fox hello\n{\nfox.version=s:1.0.1\nid=i:255178\nhostName=s:jace-01\n'
            b'hostAddress=s:192.168.1.20\napp.name=s:Station\napp.version=s:3.8.311\nos.name=s:QNX\n'
            b'station.name=s:Plant_JACE\ntimeZone=s:America/Chicago;-21600000;3600000\nbrandId=s:vykon\n};;\n'),
    's7': (102, s7_conversation()),
    's7-dr': (102, tpkt(bytes([6, 0x80, 0, 1, 0, 0x44, 0x80])) + s7_conversation()),
}
for name, (port, data) in INDUSTRIAL.items():
    for chunk in (1, 7, 255):
        w('banner', f'{name}-{chunk}', bytes([PORTS.index(port), chunk]) + data)

M = 0xffffffff
OUR_ISN = 0xfffffff0


def op_open(p):
    return bytes([p << 4]) + struct.pack('>II', 1000, OUR_ISN) + bytes([182])


def op_seg(p, flags, seq, ack, payload):
    return bytes([(p << 4) | 1, flags]) + struct.pack('>II', seq & M, ack & M) + bytes([len(payload)]) + payload


def op_clock(n):
    return bytes([3, n])


w('tcp', 'ssh', op_open(1) + op_seg(1, 0x18, 1001, OUR_ISN, b"SSH-2.0-x\r\n"))
w('tcp', 'http-quiet', op_open(4) + op_clock(30) + op_seg(4, 0x10, 1001, OUR_ISN + 18, b"") + op_clock(200))
w('tcp', 'fin', op_open(0) + op_seg(0, 0x19, 1001, OUR_ISN, b"220 hi\r\n"))
w('tcp', 'vnc-cut-fin', op_open(13) + op_seg(13, 0x19, 1001, OUR_ISN, b"RFB 003.008"))
w('tcp', 'full-table', b''.join(op_open(i) for i in range(6)) + op_clock(255) + op_clock(255))


def rop(kind, port_index, clock, body):
    op = (kind | (port_index << 2)) & 0x1f | (clock << 5)
    words = (len(body) + 3) // 4
    return bytes([op, words]) + body + b'\0' * (words * 4 - len(body))


w('receive', 'syn-ack-then-ssh', rop(3, 1, 0, b'') + rop(1, 1, 1, b'SSH-2.0-OpenSSH_9.2\r\n'))
w('receive', 'syn-ack-http-quiet', rop(3, 4, 7, b'') + rop(0, 0, 7, b'') + rop(0, 0, 7, b''))
w('receive', 'garbage', rop(0, 0, 0, bytes(range(64))))
arp = bytes.fromhex('ffffffffffff0200000000010806000108000604000102000000000100c6120001000000000000c6120002')
w('receive', 'arp-request', bytes([0, (len(arp) + 3) // 4]) + arp + b'\0' * (((len(arp) + 3) // 4) * 4 - len(arp)))
w('receive', 'vnc-cut', rop(3, 13, 0, b'') + rop(1, 13, 0, b'RFB 003.008'))

for f in ('scan-banners.bin', 'scan-nobanners.bin'):
    if os.path.exists(f'{FIX}/{f}'):
        w('binary', f, open(f'{FIX}/{f}', 'rb').read())
if os.path.exists(f'{FIX}/scan-nobanners.bin'):
    w('binary', 'truncated', open(f'{FIX}/scan-nobanners.bin', 'rb').read()[:200])
for f in ('echo.conf', 'paused.conf'):
    if os.path.exists(f'{FIX}/{f}'):
        w('config', f, open(f'{FIX}/{f}', 'rb').read())
w('config', 'odd', b"rate = 100\nports = 80\n# c\nhello-string[80] = QQ==\n junk\nverbose = 100000000000000\n")
SPECS = [b"10.0.0.0/8", b"10.0.0.1-10.0.0.9,192.168.0.0/16", b"2001:db8::/64", b"80,443,U:53,S:1-10,I:0",
         b"-", b"1/3", b"40000-40015", b"00:11:22:33:44:55", b"hourly", b"10M", b"0-3,5", b"::ffff:1.2.3.4/120"]
for i, s in enumerate(SPECS):
    w('specs', f'spec{i}', s)

# UDP replies, byte 0 choosing the port (index into UDP_PORTS of fuzz/src/lib.rs).
UDP = [53, 123, 137, 161, 500, 1900, 5683, 11211, 7, 9999, 47808]


def udp_seed(name, port, payload):
    w('udp', name, bytes([UDP.index(port)]) + payload)


def dns_name(n):
    return b''.join(bytes([len(p)]) + p for p in n.split(b'.')) + b'\0'


ver = b'masscan-rs lab unbound'
dns = (struct.pack('>HHHHHH', 0x1234, 0x8180, 1, 1, 0, 0) + dns_name(b'version.bind') + b'\x00\x10\x00\x03'
       + b'\xc0\x0c\x00\x10\x00\x03\x00\x00\x00\x00' + struct.pack('>H', len(ver) + 1) + bytes([len(ver)]) + ver)
udp_seed('dns-version', 53, dns)
udp_seed('dns-loop', 53, struct.pack('>HHHHHH', 1, 0x8180, 0, 1, 0, 0) + b'\xc0\x0c\x00\x10\x00\x03\x00\x00\x00\x00\x00\x02\x01x')
udp_seed('ntp', 123, bytes([0x24, 2, 6, 0xe9]) + bytes(8) + bytes([198, 18, 0, 1]) + bytes(32))
# --vuln ntp-monlist's replies (mode 7, version 2, XNTPD, MON_GETLIST_1): 6 entries of 72 bytes
# with more to come, and an error.
udp_seed('ntp-monlist', 123, bytes([0xd7, 0, 3, 42, 0, 6, 0, 72]) + bytes(range(72)) * 6)
udp_seed('ntp-monlist-error', 123, bytes([0x97, 0, 3, 42, 0x40, 0, 0, 0]))
nb = (struct.pack('>HHHHHH', 9, 0x8400, 0, 1, 0, 0) + b'\x20' + b'A' * 32 + b'\0' + b'\x00\x21\x00\x01' + bytes(4)
      + struct.pack('>H', 1 + 36 + 46) + b'\x02' + b'LABHOST        \x00\x04\x00' + b'WORKGROUP      \x1e\x84\x00' + bytes(range(6)) + bytes(40))
udp_seed('nbstat', 137, nb)


def tlv(tag, body):
    return bytes([tag, len(body)]) + body


binds = tlv(0x30, tlv(0x30, tlv(6, bytes([0x2b, 6, 1, 2, 1, 1, 1, 0])) + tlv(4, b'Linux lab')) +
            tlv(0x30, tlv(6, bytes([0x2b, 6, 1, 2, 1, 1, 3, 0])) + tlv(0x43, b'\x01\x00')))
pdu = tlv(2, b'\x41\x02\x03\x04') + tlv(2, b'\0') + tlv(2, b'\0') + binds
udp_seed('snmp', 161, tlv(0x30, tlv(2, b'\x01') + tlv(4, b'public') + tlv(0xa2, pdu)))
udp_seed('isakmp', 500, bytes(8) + bytes(range(1, 9)) + b'\x0d\x10\x02\x00' + bytes(4) + struct.pack('>I', 28 + 20 + 12)
         + b'\x0b\x00\x00\x14' + b'\xaa' * 16 + b'\x00\x00\x00\x0c\x00\x00\x00\x01\x01\x00\x00\x0e')
udp_seed('ssdp', 1900, b'HTTP/1.1 200 OK\r\nST: upnp:rootdevice\r\nLOCATION: http://198.18.0.9/d.xml\r\nSERVER: Linux UPnP/1.0\r\n\r\n')
udp_seed('coap', 5683, b'\x60\x45\x00\x07\xc1\x28\xff</sensors/temp>;rt="t",</light>')
udp_seed('memcached', 11211, b'\x12\x34\x00\x00\x00\x01\x00\x00STAT pid 7\r\nSTAT uptime 42\r\nSTAT version 1.6.18\r\nEND\r\n')
udp_seed('raw', 9999, b'hello')


# BACnet/IP (engine/src/udp/bacnet.rs, ASHRAE 135 Annex J, clauses 6.2, 20 and 21): a
# ReadPropertyMultiple-ACK of device 389001 (two values, one property error), a routed
# ReadProperty-ACK, a Reject and an I-Am.
def bvll(npdu):
    return b'\x81\x0a' + struct.pack('>H', len(npdu) + 4) + npdu


udp_seed('bacnet-rpm', 47808, bvll(b'\x01\x00\x30\x07\x0e\x0c\x02\x05\xef\x89\x1e'
                                   b'\x29\x4b\x4e\xc4\x02\x05\xef\x89\x4f\x29\x79\x4e\x75\x05\x00Acme\x4f'
                                   b'\x29\x3a\x5e\x91\x02\x91\x20\x5f\x1f'))
udp_seed('bacnet-rp-routed', 47808, bvll(b'\x01\x08\x00\x05\x01\x0a\x30\x07\x0c\x0c\x02\x00\x00\x2a'
                                         b'\x19\x79\x3e\x75\x05\x00Acme\x3f'))
udp_seed('bacnet-reject', 47808, bvll(b'\x01\x00\x60\x07\x09'))
udp_seed('bacnet-iam', 47808, bvll(b'\x01\x00\x10\x00\xc4\x02\x05\xef\x89\x22\x05\xc4\x91\x00\x21\x05'))


# Raw frames for the receive path: a DNS reply to our port, and an ICMP port unreachable
# quoting one of our SNMP probes (checksums are not checked on receive).
def ipv4(src, dst, proto, payload):
    return struct.pack('>BBHHHBBH4s4s', 0x45, 0, 20 + len(payload), 0, 0, 64, proto, 0, bytes(src), bytes(dst)) + payload


def eth(payload):
    return bytes.fromhex('020000000002' '020000000001' '0800') + payload


def raw_op(frame):
    words = (len(frame) + 3) // 4
    return bytes([0, words]) + frame + b'\0' * (words * 4 - len(frame))


THEM4, ME4 = [198, 18, 1, 1], [198, 18, 0, 2]
dns_reply = ipv4(THEM4, ME4, 17, struct.pack('>HHHH', 53, 40000, 8 + len(dns), 0) + dns)
w('receive', 'udp-dns-reply', raw_op(eth(dns_reply)))
probe = ipv4(ME4, THEM4, 17, struct.pack('>HHHH', 40000, 161, 8 + 20, 0) + bytes(20))
unreach = ipv4(THEM4, ME4, 1, bytes([3, 3, 0, 0, 0, 0, 0, 0]) + probe)
w('receive', 'icmp-port-unreachable', raw_op(eth(unreach)))


# Neighbor Solicitations (the receive harness answers them for its IPv6 address 2001:2::2):
# from the router with its link-layer address, for duplicate address detection (from ::), and
# for another address. ICMPv6 checksums are checked, so these carry real ones.
def icmp6_checksum(src, dst, msg):
    data = src + dst + struct.pack('>I3xB', len(msg), 58) + msg
    data += b'\0' * (len(data) % 2)
    s = sum(struct.unpack(f'>{len(data) // 2}H', data))
    while s >> 16:
        s = (s & 0xffff) + (s >> 16)
    return ~s & 0xffff


def solicitation(src, dst, target, opts):
    msg = bytes([135, 0, 0, 0, 0, 0, 0, 0]) + target + opts
    msg = msg[:2] + struct.pack('>H', icmp6_checksum(src, dst, msg)) + msg[4:]
    ip6 = struct.pack('>IHBB', 6 << 28, len(msg), 58, 255) + src + dst
    group_mac = bytes([0x33, 0x33]) + dst[12:]
    return group_mac + bytes.fromhex('020000000001' '86dd') + ip6 + msg


def v6(*groups):
    return struct.pack('>8H', *groups)


ME6, ROUTER6, ANY6 = v6(0x2001, 2, 0, 0, 0, 0, 0, 2), v6(0x2001, 2, 0, 0, 0, 0, 0, 1), bytes(16)
def group(a):
    return v6(0xff02, 0, 0, 0, 0, 1, 0xff00 | a[13], a[14] << 8 | a[15])


SLLA = bytes([1, 1]) + bytes.fromhex('020000000001')
w('receive', 'nd-solicitation', raw_op(solicitation(ROUTER6, group(ME6), ME6, SLLA)))
w('receive', 'nd-solicitation-dad', raw_op(solicitation(ANY6, group(ME6), ME6, b'')))
OTHER6 = v6(0x2001, 2, 0, 0, 0, 0, 0, 3)
w('receive', 'nd-solicitation-other', raw_op(solicitation(ROUTER6, group(OTHER6), OTHER6, SLLA)))
# An SCTP INIT ACK and an ABORT to our port (tags need not match: the paths still run).
sctp_ack = struct.pack('>HHII', 9, 40000, 1, 0) + bytes([2, 0, 0, 20]) + bytes(range(16))
w('receive', 'sctp-init-ack', raw_op(eth(ipv4(THEM4, ME4, 132, sctp_ack))))
w('receive', 'sctp-abort', raw_op(eth(ipv4(THEM4, ME4, 132, struct.pack('>HHII', 9, 40000, 1, 0) + bytes([6, 0, 0, 4])))))
# Raw IP (the harness probes every protocol): a GRE packet to us, a protocol unreachable
# quoting a GRE probe, and an echo reply (the cookie need not match: paths run).
w('receive', 'rawip-gre', raw_op(eth(ipv4(THEM4, ME4, 47, bytes([0, 0, 8, 0])))))
gre_probe = ipv4(ME4, THEM4, 47, bytes(4))
w('receive', 'rawip-protocol-unreachable', raw_op(eth(ipv4(THEM4, ME4, 1, bytes([3, 2, 0, 0, 0, 0, 0, 0]) + gre_probe))))
w('receive', 'rawip-echo-reply', raw_op(eth(ipv4(THEM4, ME4, 1, bytes([0, 0, 0, 0, 1, 2, 3, 4])))))

# UDP payload files: byte 0 even is nmap-payloads text, odd a pcap file.
w('payload_files', 'nmap', b'\0' + b'# c\nudp 7 "\\x0D\\x0A"\nudp 53,5353,40000-40002\n  "\\x77\\x77\\x01\\x00" # x\n  "\\x07version\\x04bind\\x00"\n  source 5678\n')
frame = eth(ipv4(THEM4, ME4, 17, struct.pack('>HHHH', 5555, 53, 8 + 3, 0) + b'dns'))
pcap = struct.pack('<IHHiIII', 0xa1b2c3d4, 2, 4, 0, 0, 65535, 1) + struct.pack('<IIII', 0, 0, len(frame), len(frame)) + frame
w('payload_files', 'pcap', b'\1' + pcap)

# --identify's tries (engine/src/banner/identify.rs) on an unexpected port: redis 7.0's answers
# to INFO (a bulk string; protected mode) and to a CONNECT-shaped line, mosquitto 2.0's
# CONNACKs, an MQTT 5 DISCONNECT, an HTTP server answering either, and a TLS alert to the TLS
# try, as the lab's servers answered them.
IDENTIFY = {
    'try-redis-info': (TRY_REDIS, b'$78\r\n# Server\r\nredis_version:7.0.15\r\nredis_mode:standalone\r\nos:Linux 6.1.0 x86_64\r\n\r\n'),
    'try-redis-denied': (TRY_REDIS, b'-DENIED Redis is running in protected mode\r\n'),
    'try-redis-http': (TRY_REDIS, b'HTTP/1.1 400 Bad Request\r\nServer: nginx\r\n\r\n'),
    'try-mqtt-open': (TRY_MQTT, b'\x20\x02\x00\x00'),
    'try-mqtt-auth': (TRY_MQTT, b'\x20\x02\x00\x05'),
    'try-mqtt-disconnect': (TRY_MQTT, b'\xe0\x01\x8c'),
    'try-mqtt-redis': (TRY_MQTT, b"-ERR unknown command '\x10\x16', with args beginning with: \r\n"),
    'try-tls-alert': (TRY_TLS, b'\x15\x03\x01\x00\x02\x02\x28'),
    # memcached 1.6.18's answers (to stats; ERROR lines to any other hello), PostgreSQL 15's to
    # the SSLRequest (N then the ErrorResponse to StartupMessage 255.255; S), and an AMQP
    # broker's protocol header to a foreign hello and its Connection.Start to the AMQP try.
    'try-memcached-stats': (TRY_MEMCACHED, b'STAT pid 7075\r\nSTAT uptime 28\r\nSTAT time 1765150000\r\nSTAT version 1.6.18\r\nSTAT libevent 2.1.12-stable\r\nEND\r\n'),
    'try-memcached-error': (TRY_TLS, b'ERROR\r\nERROR\r\n'),
    'try-postgres-n': (TRY_POSTGRES, b'NE\x00\x00\x00\x87SFATAL\x00VFATAL\x00C0A000\x00Munsupported frontend protocol 255.255: server supports 3.0 to 3.0\x00Fpostmaster.c\x00L2185\x00RProcessStartupPacket\x00\x00'),
    'try-postgres-s': (TRY_POSTGRES, b'S\x15\x03\x03\x00\x02\x02\x28'),
    'try-amqp-header': (TRY_TLS, b'AMQP\x00\x00\x09\x01'),
    'try-amqp-start': (TRY_AMQP, amqp_start()),
}
for name, (pick, data) in IDENTIFY.items():
    for chunk in (1, 7, 255):
        w('banner', f'{name}-{chunk}', bytes([pick, chunk]) + data)
