# Raw IP protocol servers of the lab (sourced by scripts/lab.sh).
#
# IP protocol 253 (RFC 3692, for experiments) is answered on every address of the target
# namespace, IPv4 and IPv6, by a raw-socket responder: each packet of protocol 253 gets one
# packet of protocol 253 back, from the address it was sent to. The kernel keeps answering
# every other protocol it lacks with protocol unreachable (ICMPv6: unrecognized next header),
# and ICMP echo for protocol 1 (58 over IPv6); the raw IP scan tests read both.

# start_rawip_servers NS DIR
start_rawip_servers() {
  local ns=$1 dir=$2
  cat > "$dir/rawip253.py" <<'EOF'
import select, socket, struct
PROTO = 253
IP_PKTINFO = getattr(socket, "IP_PKTINFO", 8)
v4 = socket.socket(socket.AF_INET, socket.SOCK_RAW, PROTO)
v4.setsockopt(socket.IPPROTO_IP, IP_PKTINFO, 1)
v6 = socket.socket(socket.AF_INET6, socket.SOCK_RAW, PROTO)
v6.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_RECVPKTINFO, 1)
ANSWER = b"masscan-rs lab raw IP 253"
while True:
    for s in select.select([v4, v6], [], [])[0]:
        data, anc, _, peer = s.recvmsg(2048, 256)
        for level, kind, value in anc:
            if s is v4 and kind == IP_PKTINFO:
                # struct in_pktinfo: ifindex, spec_dst, addr; answer from the address probed.
                ifindex, _, addr = struct.unpack("i4s4s", value[:12])
                info = struct.pack("i4s4s", 0, addr, b"\0" * 4)
                s.sendmsg([ANSWER], [(socket.IPPROTO_IP, IP_PKTINFO, info)], 0, (peer[0], 0))
            elif s is v6 and kind == socket.IPV6_PKTINFO:
                # struct in6_pktinfo: addr, ifindex.
                addr, _ = struct.unpack("16si", value[:20])
                info = struct.pack("16si", addr, 0)
                s.sendmsg([ANSWER], [(socket.IPPROTO_IPV6, socket.IPV6_PKTINFO, info)], 0,
                          (peer[0], 0))
EOF
  ip netns exec "$ns" python3 "$dir/rawip253.py" </dev/null >"$dir/rawip253.log" 2>&1 &
}
