#!/usr/bin/env python3
"""Stand-in servers for the depth banners whose real servers the lab does not run (RabbitMQ is
too heavy for it; no Modbus device is packaged). They are NOT the real servers: each answers the
one request a banner scan sends with a reply laid out as the specification says (AMQP 0-9-1's
Connection.Start with RabbitMQ-like server properties; Modbus Application Protocol v1.1b3's
Read Device Identification, basic objects). A wrong AMQP protocol header gets the header the
stand-in speaks, as the spec requires; any other Modbus request gets exception 1.

    depth-standins.py ADDRESS    (listens on ADDRESS: 502, 5672)
"""
import struct, sys

from standin_server import recv_exact, serve_all

ADDR = sys.argv[1]
AMQP_091 = b'AMQP\x00\x00\x09\x01'


def longstr(v):
    return struct.pack('>I', len(v)) + v


def table(entries):
    t = b''.join(bytes([len(k)]) + k + kind + v for k, kind, v in entries)
    return longstr(t)


def connection_start():
    caps = table([(b'publisher_confirms', b't', b'\x01'), (b'basic.nack', b't', b'\x01')])
    props = table([(b'capabilities', b'F', caps), (b'cluster_name', b'S', longstr(b'standin@lab')),
                   (b'platform', b'S', longstr(b'Python stand-in')),
                   (b'product', b'S', longstr(b'AMQP stand-in')),
                   (b'version', b'S', longstr(b'0.9.1-standin'))])
    p = b'\x00\x0a\x00\x0a\x00\x09' + props + longstr(b'PLAIN AMQPLAIN') + longstr(b'en_US')
    return b'\x01\x00\x00' + struct.pack('>I', len(p)) + p + b'\xce'


def amqp(c):
    if recv_exact(c, 8) == AMQP_091:
        c.sendall(connection_start())
        recv_exact(c, 1)  # until the client goes
    else:
        c.sendall(AMQP_091)


def modbus(c):
    head = recv_exact(c, 7)
    if len(head) < 7:
        return
    tid, proto, length, unit = struct.unpack('>HHHB', head)
    pdu = recv_exact(c, length - 1)
    if proto != 0:
        return
    if pdu[:3] == b'\x2b\x0e\x01':
        objs = [(0, b'Stand-in Automation'), (1, b'SIM-502'), (2, b'v1.1b3')]
        body = b'\x2b\x0e\x01\x81\x00\x00' + bytes([len(objs)])
        body += b''.join(bytes([i, len(v)]) + v for i, v in objs)
    else:
        body = bytes([pdu[0] | 0x80 if pdu else 0x80, 0x01])
    c.sendall(struct.pack('>HHHB', tid, 0, len(body) + 1, unit) + body)
    recv_exact(c, 1)


serve_all([(ADDR, 5672, amqp), (ADDR, 502, modbus)])
