#!/usr/bin/env python3
"""Stand-in servers for the industrial banners (Debian packages no EtherNet/IP, Niagara or S7
server: no snap7, no cpppo). They are NOT real devices: each answers the requests a banner scan
sends with replies laid out as the specifications say, nothing more.

  EtherNet/IP (ODVA, vol. 2 ch. 2): ListIdentity (0x63) gets one CIP Identity item; any other
    encapsulation command gets status 1 (invalid or unsupported command).
  Niagara Fox: a `fox a ... fox hello` message gets a station's hello block.
  S7comm over ISO-on-TCP (RFC 1006 TPKT, ISO 8073 COTP class 0): a connection request to TSAP
    0x0102 is refused with a DR and the connection closed, as an S7-200 or LOGO! does; 0x0200
    is accepted. Setup Communication is acknowledged (PDU 240); SZL reads of 0x0011 and 0x001C
    are answered with module and component identification records; other SZL ids get return
    code 0x0a (object does not exist).

    industrial-standins.py ENIP_ADDRESS FOX_ADDRESS S7_ADDRESS   (ports 44818, 1911, 102)
"""
import socket, struct, sys

from standin_server import recv_exact, serve_all

ENIP_ADDR, FOX_ADDR, S7_ADDR = sys.argv[1:4]


def enip_identity():
    name = b'masscan-rs ENIP stand-in'
    item = struct.pack('<H', 1)                                        # protocol version
    item += struct.pack('>HH4s8x', 2, 44818, socket.inet_aton(ENIP_ADDR))  # sockaddr, big-endian
    item += struct.pack('<HHHBBHI', 1, 14, 54, 20, 11, 0x0060, 0x00c0ffee)  # Rockwell, PLC
    item += bytes([len(name)]) + name + b'\x03'                        # name, state operational
    return struct.pack('<HHH', 1, 0x0c, len(item)) + item


def enip(c):
    while True:
        head = recv_exact(c, 24)
        if len(head) < 24:
            return
        command, length, session, _, context, options = struct.unpack('<HHII8sI', head)
        recv_exact(c, length)
        if command == 0x63:
            data, status = enip_identity(), 0
        else:
            data, status = b'', 1
        c.sendall(struct.pack('<HHII8sI', command, len(data), session, status, context, options) + data)


FOX_HELLO = (b'fox a 0 -1 fox hello\n{\nfox.version=s:1.0.1\nid=i:4242\nhostName=s:standin-jace\n'
             b'hostAddress=s:' + FOX_ADDR.encode() + b'\napp.name=s:Station\napp.version=s:4.10.0.154\n'
             b'vm.name=s:Stand-in VM\nvm.version=s:1.8.0_stand-in\nos.name=s:Linux\nos.version=s:6.1\n'
             b'station.name=s:Standin_Station\nlang=s:en\ntimeZone=s:UTC;0;0;null;null\n'
             b'hostId=s:Linux-STAND-IN0-0000-0001\nvmUuid=s:00000000-0000-4000-8000-000000000001\n'
             b'brandId=s:standin\n};;\n')


def fox(c):
    data = b''
    c.settimeout(5)
    while b'};;' not in data and len(data) < 8192:
        try:
            b = c.recv(4096)
        except OSError:
            return
        if not b:
            return
        data += b
    if data.startswith(b'fox a ') and b'fox hello' in data.split(b'\n', 1)[0]:
        c.sendall(FOX_HELLO)
        recv_exact(c, 1)  # until the client goes


def tpkt(payload):
    return struct.pack('>BBH', 3, 0, len(payload) + 4) + payload


def dt(s7):
    return tpkt(b'\x02\xf0\x80' + s7)


def szl_answer(ref, szl_id):
    if szl_id == 0x0011:
        records = [struct.pack('>H20sHHH', 1, b'6ES7 214-1AG40-0XB0 ', 0xc000, 0x2000, 0),
                   struct.pack('>H20sHHH', 6, b'6ES7 214-1AG40-0XB0 ', 0xc000, 0x0001, 0),
                   struct.pack('>H20sHHH', 7, b' ' * 20, 0xc000, 0x5604, 0x0400)]
    elif szl_id == 0x001c:
        names = [(1, b'Stand-in S7'), (2, b'CPU stand-in'), (3, b'Lab plant'),
                 (4, b'Stand-in, not Siemens'), (5, b'S STAND-IN-0001'), (7, b'CPU 1214C stand-in')]
        records = [struct.pack('>H32s', i, n) for i, n in names]
    else:
        records = None
    if records is None:
        data, error = b'\x0a\x00\x00\x00', 0xd401
    else:
        lst = struct.pack('>HHHH', szl_id, 1, len(records[0]), len(records)) + b''.join(records)
        data, error = b'\xff\x09' + struct.pack('>H', len(lst)) + lst, 0
    params = b'\x00\x01\x12\x08\x12\x84\x01\x01\x00\x00' + struct.pack('>H', error)
    return dt(struct.pack('>BBHHHH', 0x32, 7, 0, ref, len(params), len(data)) + params + data)


def s7(c):
    while True:
        head = recv_exact(c, 4)
        if len(head) < 4 or head[0] != 3:
            return
        body = recv_exact(c, struct.unpack('>H', head[2:])[0] - 4)
        if len(body) < 2:
            return
        kind = body[1] & 0xf0
        if kind == 0xe0:  # connection request: find the called TSAP (parameter 0xc2)
            params, at, called = body[7:], 0, None
            while at + 2 <= len(params):
                code, n = params[at], params[at + 1]
                if code == 0xc2 and n == 2:
                    called = struct.unpack('>H', params[at + 2:at + 4])[0]
                at += 2 + n
            src_ref = body[4:6]
            if called != 0x0200:
                c.sendall(tpkt(b'\x06\x80' + src_ref + b'\x00\x44\x80'))  # DR, then release
                return
            c.sendall(tpkt(b'\x11\xd0' + src_ref + b'\x00\x44\x00\xc0\x01\x0a\xc1\x02\x01\x00'
                           b'\xc2\x02\x02\x00'))
        elif kind == 0xf0:
            s7pdu = body[1 + body[0]:]
            if len(s7pdu) < 10 or s7pdu[0] != 0x32:
                return
            rosctr, ref = s7pdu[1], struct.unpack('>H', s7pdu[4:6])[0]
            plen = struct.unpack('>H', s7pdu[6:8])[0]
            params, data = s7pdu[10:10 + plen], s7pdu[10 + plen:]
            if rosctr == 1 and params[:1] == b'\xf0':
                c.sendall(dt(struct.pack('>BBHHHHBB', 0x32, 3, 0, ref, 8, 0, 0, 0)
                             + b'\xf0\x00\x00\x01\x00\x01\x00\xf0'))
            elif rosctr == 7 and len(data) >= 8 and data[:1] == b'\xff':
                c.sendall(szl_answer(ref, struct.unpack('>H', data[4:6])[0]))
            else:
                return
        else:
            return


serve_all([(ENIP_ADDR, 44818, enip), (FOX_ADDR, 1911, fox), (S7_ADDR, 102, s7)])
