#!/usr/bin/env python3
"""Stand-in servers for the protocols of masscan-rs's hellos (part B) that Debian packages no
server for. They are NOT the real servers: each answers the one request a banner scan sends with
a reply built from the protocol's specification (Docker Engine API GET /version, Minecraft Java
status, AFP DSIGetStatus, MS-TDS PRELOGIN, Lotus Notes RPC as nmap's match lines describe it),
and an HTTP server that echoes the request it got (to check the --http-* options on the wire).
Each checks the request it gets and closes the connection on anything else.

    hellos-b-standins.py ADDRESS    (listens on ADDRESS: 80, 548, 1352, 1433, 2375, 8530, 25565)
"""
import json, struct, sys

from standin_server import serve_all

ADDR = sys.argv[1]


def recv_some(c, want, limit=4096):
    data = b''
    c.settimeout(5)
    while len(data) < limit and not want(data):
        try:
            b = c.recv(4096)
        except OSError:
            break
        if not b:
            break
        data += b
    return data


def varint(v):
    out = b''
    while True:
        if v < 0x80:
            return out + bytes([v])
        out += bytes([(v & 0x7f) | 0x80])
        v >>= 7


def http_echo(c):
    req = recv_some(c, lambda d: b'\r\n\r\n' in d)
    head, _, body = req.partition(b'\r\n\r\n')
    lines = head.decode('latin-1').split('\r\n')
    n = 0
    for l in lines[1:]:
        if l.lower().startswith('content-length:'):
            n = int(l.split(':', 1)[1])
    while len(body) < n:
        b = c.recv(4096)
        if not b:
            break
        body += b
    title = ' | '.join(lines + ['body=' + body.decode('latin-1')])
    page = f'<html><head><title>{title}</title></head></html>'.encode()
    c.sendall(b'HTTP/1.1 200 OK\r\nServer: hellos-b-echo\r\nContent-Length: %d\r\n\r\n' % len(page) + page)


def docker(c):
    req = recv_some(c, lambda d: b'\r\n\r\n' in d)
    if not req.startswith(b'GET /version HTTP/1.1\r\n') or b'\r\nHost: ' not in req:
        c.sendall(b'HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n')
        return
    body = json.dumps({"Platform": {"Name": "stand-in"}, "Version": "24.0.5", "ApiVersion": "1.43",
                       "MinAPIVersion": "1.12", "Os": "linux", "Arch": "amd64",
                       "KernelVersion": "6.1.0-standin"}).encode() + b'\n'
    c.sendall(b'HTTP/1.1 200 OK\r\nApi-Version: 1.43\r\nContent-Type: application/json\r\n'
              b'Server: Docker/24.0.5 (linux)\r\nContent-Length: %d\r\n\r\n' % len(body) + body)


def minecraft(c):
    req = recv_some(c, lambda d: len(d) >= 2 and d.endswith(b'\x01\x00'))
    # Handshake (id 0, next state 1) then the status request (length 1, id 0).
    if len(req) < 4 or req[1] != 0 or not req.endswith(b'\x01\x01\x00'):
        return
    status = json.dumps({"version": {"name": "1.20.4", "protocol": 765},
                         "players": {"max": 20, "online": 3},
                         "description": {"text": "§aStand-in", "extra": [{"text": " Server"}]}})
    p = b'\x00' + varint(len(status.encode())) + status.encode()
    c.sendall(varint(len(p)) + p)


def afp(c):
    req = recv_some(c, lambda d: len(d) >= 16)
    if req[:2] != b'\x00\x03':
        return
    d = bytearray(10) + bytes([8]) + b'standin1' + b''
    if len(d) % 2:
        d += b'\0'
    fixed = len(d)
    d += bytes(8)
    offsets = {}
    offsets[0] = len(d); d += bytes([7]) + b'Netatlk'
    offsets[2] = len(d); d += bytes([2, 6]) + b'AFP3.4' + bytes([6]) + b'AFP3.3'
    offsets[4] = len(d); d += bytes([2, 4]) + b'DHX2' + bytes([15]) + b'No User Authent'
    offsets[fixed + 6] = len(d); d += struct.pack('>H', 11) + b'afp-standin'
    for at, v in offsets.items():
        d[at:at + 2] = struct.pack('>H', v)
    d[8:10] = struct.pack('>H', 0x8f79)
    c.sendall(bytes([1, 3]) + req[2:4] + bytes(4) + struct.pack('>I', len(d)) + bytes(4) + bytes(d))


def mssql(c):
    req = recv_some(c, lambda d: len(d) >= 8 and len(d) >= struct.unpack('>H', d[2:4])[0])
    if req[:1] != b'\x12':
        return
    opts = [(0, b'\x10\x00\x0f\xa0\x00\x00'), (1, b'\x00'), (2, b'\x00'), (3, b''), (4, b'\x00')]
    at = len(opts) * 5 + 1
    head = b''
    data = b''
    for kind, v in opts:
        head += struct.pack('>BHH', kind, at + len(data), len(v))
        data += v
    payload = head + b'\xff' + data
    c.sendall(struct.pack('>BBHHBB', 4, 1, len(payload) + 8, 0, 1, 0) + payload)


def notes(c):
    req = recv_some(c, lambda d: len(d) >= 60)
    if req[:1] != b'\x3a':
        return
    r = bytearray(b'\x00\x00\x00\x00\x2f\x00\x00\x00\x03\x00\x00\x40\x02\x0f\x00\x05\x00\x39\x05')
    r += bytes(9) + b'\x03\x00\x00\x00\x00\x02\x00\x2f\x00\x12' + bytes(7)
    r += b'CN=standin/O=masscan-rs lab\x00\x00'
    r[0:4] = struct.pack('<I', len(r))
    c.sendall(bytes(r))


SERVERS = {80: http_echo, 8530: http_echo, 2375: docker, 25565: minecraft, 548: afp,
           1433: mssql, 1352: notes}


serve_all([(ADDR, port, handler) for port, handler in SERVERS.items()])
