#!/usr/bin/env python3
"""A STAND-IN for a TLS server with the Heartbleed flaw (CVE-2014-0160), written from the flaw's
published description for masscan-rs's lab tests: no vulnerable server is packaged here. It is
not OpenSSL and has no key exchange: it answers a ClientHello with a TLS 1.1 ServerHello (the
heartbeat extension, TLS_RSA_WITH_AES_128_CBC_SHA), the given certificate and ServerHelloDone,
then reads records. With --vulnerable, a heartbeat request is answered as the flawed OpenSSL
did: a response whose payload has the length the request *claimed*, filled past the bytes the
request carried with stand-in "memory". Without it, the request is dropped, as a fixed server
does.
  heartbleed-standin.py ADDRESS PORT CERT.der [--vulnerable]"""
import socket, struct, sys

MEMORY = b"stand-in server memory: not a real leak. "


def read_record(c):
    head = b""
    while len(head) < 5:
        more = c.recv(5 - len(head))
        if not more:
            return None
        head += more
    kind, _, length = struct.unpack(">BHH", head)
    body = b""
    while len(body) < length:
        more = c.recv(length - len(body))
        if not more:
            return None
        body += more
    return kind, body


def record(kind, body):
    return struct.pack(">BHH", kind, 0x0302, len(body)) + body


def handshake(kind, body):
    return bytes([kind]) + struct.pack(">I", len(body))[1:] + body


def flight(cert):
    ext = struct.pack(">HHB", 0x000F, 1, 1)  # heartbeat, peer allowed to send
    hello = struct.pack(">H", 0x0302) + bytes(32) + b"\x00" + struct.pack(">HB", 0x002F, 0)
    hello += struct.pack(">H", len(ext)) + ext
    certs = struct.pack(">I", len(cert))[1:] + cert
    body = handshake(2, hello) + handshake(11, struct.pack(">I", len(certs))[1:] + certs)
    return record(22, body + handshake(14, b""))


def serve(c, cert, vulnerable):
    first = read_record(c)
    if not first or first[0] != 22:
        return
    c.sendall(flight(cert))
    while True:
        r = read_record(c)
        if r is None:
            return
        kind, body = r
        if kind == 24 and body[:1] == b"\x01" and len(body) >= 3 and vulnerable:
            claimed = struct.unpack(">H", body[1:3])[0]
            carried = body[3:]
            leak = (carried + MEMORY * (claimed // len(MEMORY) + 1))[:claimed]
            c.sendall(record(24, b"\x02" + struct.pack(">H", claimed) + leak + bytes(16)))


def main():
    addr, port, cert_path = sys.argv[1], int(sys.argv[2]), sys.argv[3]
    vulnerable = "--vulnerable" in sys.argv[4:]
    cert = open(cert_path, "rb").read()
    s = socket.socket()
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind((addr, port))
    s.listen(64)
    while True:
        c, _ = s.accept()
        c.settimeout(10)
        try:
            serve(c, cert, vulnerable)
        except OSError:
            pass
        finally:
            c.close()


if __name__ == "__main__":
    main()
