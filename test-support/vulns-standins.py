#!/usr/bin/env python3
"""STAND-INS for the servers masscan-rs's vulnerability checks look for, written for its lab
tests from the flaws' published descriptions: no such server is packaged here (Debian's OpenSSL
has SSLv3 compiled out, no F5 stack is available, Debian's NTP servers refuse monlist). They
are NOT the real servers and do no key exchange: each answers the first flight of a handshake
as the described server would, then reads until the client leaves.

  vulns-standins.py CERT.der MODE@ADDRESS:PORT...

TCP modes (TLS):
  ticketbleed        the F5 flaw (CVE-2016-9244): to a ClientHello with a session ticket and a
                     session id shorter than 32 bytes it "resumes" the session and echoes a
                     32-byte session id, the client's followed by bytes of its memory, then
                     ChangeCipherSpec and an (opaque) Finished
  ticketbleed-fixed  the same resumption, echoing the client's session id as sent
  sslv3              a server that speaks SSLv3 only: any hello gets an SSLv3 ServerHello, the
                     certificate and ServerHelloDone
  fallback-scsv      a server of SSLv3 to TLS 1.2 that honours TLS_FALLBACK_SCSV (RFC 7507): a
                     hello below TLS 1.2 offering the SCSV gets the inappropriate_fallback alert
A hello without a ticket (the ticketbleed modes) gets the full handshake's first flight:
ServerHello (no session id), the certificate, ServerHelloDone.
UDP mode:
  ntp-monlist        an ntpd that answers NTP mode 7 MON_GETLIST_1 (monlist, CVE-2013-5211)
                     with its list of 8 recent clients: 2 datagrams, 6 and 2 entries of 72 bytes
"""
import socket, struct, sys, threading

MEMORY = b"stand-in F5 memory, not a leak.."
TLS_FALLBACK_SCSV = 0x5600


def read_exact(c, n):
    data = b""
    while len(data) < n:
        more = c.recv(n - len(data))
        if not more:
            return None
        data += more
    return data


def read_record(c):
    head = read_exact(c, 5)
    if head is None:
        return None
    kind, version, length = struct.unpack(">BHH", head)
    body = read_exact(c, length)
    return None if body is None else (kind, version, body)


def record(kind, version, body):
    return struct.pack(">BHH", kind, version, len(body)) + body


def handshake(kind, body):
    return bytes([kind]) + struct.pack(">I", len(body))[1:] + body


def client_hello(body):
    """(version, session id, suites, extensions {type: data}) of a ClientHello message."""
    if len(body) < 4 or body[0] != 1:
        return None
    m = body[4:]
    version = struct.unpack(">H", m[:2])[0]
    at = 34
    sid = m[at + 1:at + 1 + m[at]]
    at += 1 + m[at]
    n = struct.unpack(">H", m[at:at + 2])[0]
    suites = [struct.unpack(">H", m[at + 2 + i:at + 4 + i])[0] for i in range(0, n, 2)]
    at += 2 + n
    at += 1 + m[at]  # compression methods
    ext = {}
    if at + 2 <= len(m):
        end = at + 2 + struct.unpack(">H", m[at:at + 2])[0]
        at += 2
        while at + 4 <= end:
            kind, length = struct.unpack(">HH", m[at:at + 4])
            ext[kind] = m[at + 4:at + 4 + length]
            at += 4 + length
    return version, sid, suites, ext


def server_hello(version, sid, suite, ext=b""):
    body = struct.pack(">H", version) + bytes(range(32)) + bytes([len(sid)]) + sid
    body += struct.pack(">HB", suite, 0)
    if version > 0x0300:
        body += struct.pack(">H", len(ext)) + ext
    return handshake(2, body)


def full_flight(version, suite, cert):
    certs = struct.pack(">I", len(cert))[1:] + cert
    body = server_hello(version, b"", suite)
    body += handshake(11, struct.pack(">I", len(certs))[1:] + certs)
    return record(22, version, body + handshake(14, b""))


def pick(suites, prefer):
    for s in prefer:
        if s in suites:
            return s
    return prefer[0]


def tls_answer(mode, cert, hello):
    parsed = client_hello(hello)
    if parsed is None:
        return None
    version, sid, suites, ext = parsed
    if mode == "sslv3":
        return full_flight(0x0300, pick(suites, [0x000A, 0x002F, 0x0005]), cert)
    if mode == "fallback-scsv":
        if TLS_FALLBACK_SCSV in suites and version < 0x0303:
            return record(21, max(version, 0x0300), b"\x02\x56")
        return full_flight(min(version, 0x0303), pick(suites, [0x002F, 0x000A]), cert)
    # The ticketbleed modes: TLS 1.2.
    suite = pick(suites, [0x002F, 0xC013, 0x0035])
    if 0x0023 in ext and ext[0x0023] and 0 < len(sid) < 32:
        echoed = sid + MEMORY[: 32 - len(sid)] if mode == "ticketbleed" else sid
        flight = record(22, 0x0303, server_hello(0x0303, echoed, suite, b"\x00\x23\x00\x00"))
        flight += record(20, 0x0303, b"\x01")
        return flight + record(22, 0x0303, bytes(40))
    return full_flight(0x0303, suite, cert)


def serve_tls(c, mode, cert):
    first = read_record(c)
    if not first or first[0] != 22:
        return
    answer = tls_answer(mode, cert, first[2])
    if answer is None:
        return
    c.sendall(answer)
    while read_record(c) is not None:
        pass


def tls_server(mode, addr, port, cert):
    s = socket.socket()
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind((addr, port))
    s.listen(64)
    while True:
        c, _ = s.accept()
        c.settimeout(10)

        def one(c=c):
            try:
                serve_tls(c, mode, cert)
            except (OSError, IndexError, struct.error):
                pass
            finally:
                c.close()

        threading.Thread(target=one, daemon=True).start()


def monlist_entry(i):
    # struct info_monitor_1 (72 bytes): counters, address, port, mode, version, IPv6 fields.
    return struct.pack(">IIIIII", 10 + i, 3, 1, 0, 0, 0) + socket.inet_aton(f"198.51.100.{i + 1}") + bytes(44)


def ntp_server(addr, port):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind((addr, port))
    entries = [monlist_entry(i) for i in range(8)]
    while True:
        data, peer = s.recvfrom(2048)
        # Version 2, mode 7, a request (response bit clear), XNTPD, MON_GETLIST_1.
        if len(data) < 8 or data[0] & 0x87 != 0x07 or (data[0] >> 3) & 7 != 2:
            continue
        if data[2] != 3 or data[3] & 0x7F != 42:
            continue
        chunks = [entries[:6], entries[6:]]
        for seq, chunk in enumerate(chunks):
            more = 0x40 if seq < len(chunks) - 1 else 0
            head = bytes([0x80 | more | (2 << 3) | 7, seq, 3, 42])
            head += struct.pack(">HH", len(chunk), 72)
            s.sendto(head + b"".join(chunk), peer)


def main():
    cert = open(sys.argv[1], "rb").read()
    threads = []
    for spec in sys.argv[2:]:
        mode, _, where = spec.partition("@")
        addr, _, port = where.rpartition(":")
        if mode == "ntp-monlist":
            t = threading.Thread(target=ntp_server, args=(addr, int(port)), daemon=True)
        elif mode in ("ticketbleed", "ticketbleed-fixed", "sslv3", "fallback-scsv"):
            t = threading.Thread(target=tls_server, args=(mode, addr, int(port), cert), daemon=True)
        else:
            sys.exit(f"vulns-standins: unknown mode {mode!r}")
        t.start()
        threads.append(t)
    for t in threads:
        t.join()


if __name__ == "__main__":
    main()
