#!/usr/bin/env python3
"""Stand-in servers for BACnet/IP and DNP3, which no Debian package provides. They are NOT real
devices: each reads the requests a scan sends and answers as the specifications lay replies out
(ASHRAE 135: BVLC Annex J, NPDU clause 6.2, APDU clause 20.1, tags clause 20.2, ReadProperty and
ReadPropertyMultiple clauses 15.5 and 15.7; IEEE 1815-2012 clause 9.2 for DNP3's FT3 frames and
CRC-16/DNP, computed here bit by bit from the polynomial, not from masscan-rs's code).

    bacnet-dnp3-standins.py DEVICE OUTSTATION MINIMAL
      DEVICE      UDP 47808: BACnet device 389001 (vendor 260), answers ReadProperty and
                  ReadPropertyMultiple of its device object (by instance or the wildcard
                  4194303); it has no Description property (unknown-property)
      OUTSTATION  TCP 20000: DNP3 outstation at link address 10, answers Request Link Status
                  frames sent to address 10 (and only those) with LINK_STATUS
      MINIMAL     UDP 47808: BACnet device 7 that executes ReadProperty only: a
                  ReadPropertyMultiple gets Reject unrecognized-service
"""
import socket, struct, sys, threading

DEVICE, OUTSTATION, MINIMAL = sys.argv[1:4]

# ---- BACnet ----------------------------------------------------------------------------------

DEVICE_TYPE = 8
WILDCARD = 4194303


def char_string(s):
    b = b'\x00' + s.encode()
    if len(b) <= 4:
        return bytes([0x70 | len(b)]) + b
    return bytes([0x75, len(b)]) + b


def object_id(kind, instance):
    return struct.pack('>I', kind << 22 | instance)


def unsigned(v):
    b = v.to_bytes(max(1, (v.bit_length() + 7) // 8), 'big')
    return bytes([0x20 | len(b)]) + b


def device_properties(instance, vendor, name, model):
    return {
        75: b'\xc4' + object_id(DEVICE_TYPE, instance),
        120: unsigned(vendor),
        121: char_string('masscan-rs lab stand-in'),
        44: char_string('1.2.3'),
        12: char_string('standin-app 4.5'),
        77: char_string(name),
        70: char_string(model),
        58: char_string('lab rack 2'),
    }


def bvll(npdu):
    return b'\x81\x0a' + struct.pack('>H', len(npdu) + 4) + npdu


def tag(data, at):
    """One tag at data[at]: (number, is_context, lvt, value bytes, next offset)."""
    first = data[at]
    at += 1
    number = first >> 4
    if number == 15:
        number = data[at]
        at += 1
    context = bool(first & 8)
    lvt = first & 7
    if context and lvt in (6, 7):
        return number, context, lvt, b'', at
    length = lvt
    if lvt == 5:
        length = data[at]
        at += 1
    return number, context, lvt, data[at:at + length], at + length


def decode_oid(b):
    v = int.from_bytes(b, 'big')
    return v >> 22, v & 0x3fffff


def error_pdu(invoke, service, klass, code):
    return bytes([0x50, invoke, service, 0x91, klass, 0x91, code])


def bacnet_answer(req, props, instance, rpm):
    """The APDU answering the request's APDU, or None to stay silent."""
    if len(req) < 4 or req[0] >> 4 != 0:
        return None
    invoke, service, body = req[2], req[3], req[4:]
    if service == 14 and not rpm:
        return bytes([0x60, invoke, 9])  # Reject: unrecognized-service
    try:
        n, ctx, _, oid, at = tag(body, 0)
        kind, inst = decode_oid(oid)
    except (IndexError, ValueError):
        return bytes([0x60, invoke, 4])  # Reject: invalid-tag
    if (kind, inst) not in ((DEVICE_TYPE, WILDCARD), (DEVICE_TYPE, instance)):
        return error_pdu(invoke, service, 1, 31)  # object / unknown-object
    if service == 12:
        _, _, _, pid, _ = tag(body, at)
        pid = int.from_bytes(pid, 'big')
        if pid not in props:
            return error_pdu(invoke, 12, 2, 32)  # property / unknown-property
        return (bytes([0x30, invoke, 12, 0x0c]) + object_id(DEVICE_TYPE, instance)
                + bytes([0x19, pid, 0x3e]) + props[pid] + b'\x3f')
    if service == 14:
        out = bytes([0x30, invoke, 14, 0x0c]) + object_id(DEVICE_TYPE, instance) + b'\x1e'
        n, ctx, lvt, _, at = tag(body, at)
        if (n, ctx, lvt) != (1, True, 6):
            return bytes([0x60, invoke, 4])
        while True:
            n, ctx, lvt, pid, at = tag(body, at)
            if (n, lvt) == (1, 7):
                break
            pid = int.from_bytes(pid, 'big')
            if pid in props:
                out += bytes([0x29, pid, 0x4e]) + props[pid] + b'\x4f'
            else:
                out += bytes([0x29, pid, 0x5e, 0x91, 2, 0x91, 32, 0x5f])
        return out + b'\x1f'
    return bytes([0x60, invoke, 9])


def bacnet_server(addr, props, instance, rpm):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind((addr, 47808))
    while True:
        msg, peer = s.recvfrom(1500)
        # BVLC Original-Unicast-NPDU, NPDU version 1 without addresses.
        if len(msg) < 6 or msg[0] != 0x81 or msg[1] != 0x0a or msg[4] != 1 or msg[5] & 0xa8:
            continue
        try:
            apdu = bacnet_answer(msg[6:], props, instance, rpm)
        except (IndexError, ValueError):
            apdu = None
        if apdu is not None:
            s.sendto(bvll(b'\x01\x00' + apdu), peer)


# ---- DNP3 ------------------------------------------------------------------------------------

OUR_ADDRESS = 10


def crc_dnp(b):
    """CRC-16/DNP: polynomial 0x3d65, reflected (0xa6bc), initial 0, inverted at the end."""
    crc = 0
    for x in b:
        crc ^= x
        for _ in range(8):
            crc = (crc >> 1) ^ 0xa6bc if crc & 1 else crc >> 1
    return (crc ^ 0xffff) & 0xffff


def link_header(length, control, dst, src):
    h = b'\x05\x64' + bytes([length, control]) + struct.pack('<HH', dst, src)
    return h + struct.pack('<H', crc_dnp(h))


def recv_exact(c, n):
    data = b''
    while len(data) < n:
        b = c.recv(n - len(data))
        if not b:
            return None
        data += b
    return data


def dnp3_session(c):
    c.settimeout(10)
    try:
        while True:
            h = recv_exact(c, 10)
            if h is None or h[:2] != b'\x05\x64':
                return
            if struct.unpack('<H', h[8:])[0] != crc_dnp(h[:8]):
                continue  # a frame with a bad header CRC is discarded
            data = h[2] - 5
            if data > 0 and recv_exact(c, data + 2 * ((data + 15) // 16)) is None:
                return
            control, dst, src = h[3], *struct.unpack('<HH', h[4:8])
            # Primary (PRM) Request Link Status (function 9) to us: LINK_STATUS (secondary,
            # DIR 0 as an outstation sends, DFC 0) back to its source.
            if control & 0x40 and control & 0x0f == 9 and dst == OUR_ADDRESS:
                c.sendall(link_header(5, 0x0b, src, OUR_ADDRESS))
    except OSError:
        pass
    finally:
        c.close()


def dnp3_server(addr):
    s = socket.socket()
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind((addr, 20000))
    s.listen(64)
    while True:
        c, _ = s.accept()
        threading.Thread(target=dnp3_session, args=(c,), daemon=True).start()


threads = [
    threading.Thread(target=bacnet_server, daemon=True, args=(
        DEVICE, device_properties(389001, 260, 'AHU-3 controller', 'LAB-BAC-100'), 389001, True)),
    threading.Thread(target=bacnet_server, daemon=True, args=(
        MINIMAL, device_properties(7, 260, 'sensor 7', 'LAB-BAC-S'), 7, False)),
    threading.Thread(target=dnp3_server, daemon=True, args=(OUTSTATION,)),
]
for t in threads:
    t.start()
for t in threads:
    t.join()
