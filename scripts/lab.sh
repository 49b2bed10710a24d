#!/usr/bin/env bash
# The lab: an isolated network of namespaces on this machine, the only place masscan-rs transmits.
#
#   scripts/lab.sh up [NAME]     build a lab (NAME: default a fresh unique one); prints KEY=VALUE
#                                lines to eval: LAB, LAB_SCAN_NS, LAB_TARGET_NS, LAB_IF, ...
#                                (LAB_QUEUES=N in the environment: N queues on the scanner's link;
#                                LAB_LINKS=2: a second link, see below; LAB_DEPTH=1: the depth
#                                servers of 198.18.1.40-45 too, which cost every lab 1.4 s;
#                                LAB_BACNET=1: the BACnet and DNP3 stand-ins of 198.18.1.65-67,
#                                LAB_INDUSTRIAL=1: the industrial stand-ins of 198.18.1.60-62)
#   scripts/lab.sh down NAME     remove that lab: its servers, namespaces, state; safe to repeat
#   scripts/lab.sh down --all    remove every lab on this machine (after crashed runs)
#   scripts/lab.sh down --owner PID   remove the labs made with LAB_OWNER=PID (test.sh's exit)
#   scripts/lab.sh down --orphans     remove the labs whose LAB_OWNER process is gone
#   scripts/lab.sh status [NAME] show labs, their addresses and listening servers
#
# Layout (all addresses from 198.18.0.0/15, RFC 2544; nothing routes to the host's interfaces):
#
#   NAME-scan namespace                      NAME-tgt namespace
#   ms<id>s 198.18.0.2/24  <--- veth --->   ms<id>t -+
#   default via 198.18.0.1                            br0 198.18.0.1/24 (the scanner's router)
#                                            ms<id>n -+   <--- veth --->  NAME-nbr namespace
#                                                                         ms<id>m 198.18.0.3/24,
#                                                                         port 8080 open (a host
#                                                                         on the scanner's subnet)
#                                            ms<id>x -+   <--- veth --->  NAME-sctp namespace
#                                                                         ms<id>y 198.18.0.4/24,
#                                                                         2001:2::4: usrsctp
#                                                                         discard server, SCTP :9
#                                            lo: 198.18.1.1 nginx :80 and HTTPS :443,
#                                                198.18.1.2 OpenSSH :22, 198.18.1.3 vsftpd :21,
#                                                198.18.1.4 memcached :11211,
#                                                198.18.1.5 no servers (every port closed),
#                                                198.18.1.6 aiosmtpd :25 (STARTTLS),
#                                                198.18.1.7 dovecot POP3 :110, IMAP4 :143,
#                                                198.18.1.8 telnetd :23 (inetutils, via socat),
#                                                198.18.1.9 Samba :445, 198.18.1.10 xrdp :3389,
#                                                198.18.1.11 TigerVNC (Xvnc) :5900,
#                                                198.18.1.12 hostile servers: :9000 sends bytes
#                                                without end, :9001 one byte a second,
#                                                UDP: 198.18.1.4 memcached :11211,
#                                                198.18.1.13 unbound :53, 198.18.1.14 snmpd :161,
#                                                198.18.1.15 chronyd :123 (198.18.1.5 answers
#                                                every UDP port with ICMP port unreachable),
#                                                TLS (lab-servers/tls.sh): 198.18.1.16 openssl
#                                                TLS 1.0 only (AES128-SHA) :443, :8531,
#                                                198.18.1.17 openssl TLS 1.3 only :443, :8531 (both also :9999)
#                                                198.18.1.20-25 the original's hellos, part A:
#                                                Xvfb :6000/:6001, slapd :389, rpcbind :111,
#                                                krb5kdc :88, kamailio :5060, RTSP :554,
#                                                198.18.1.26 pynetdicom :104, :11112
#                                                (scripts/lab-servers/hellos-a.sh)
#                                                198.18.1.30-33: hellos part B (redis, SMBv1
#                                                Samba, stand-ins; scripts/lab-servers/hellos-b.sh)
#                                                198.18.1.40-45 (LAB_DEPTH=1 only): depth banners (mosquitto :1883
#                                                open on .40, with a password on .42; PostgreSQL
#                                                :5432 ssl off on .41, on on .43; stand-ins
#                                                AMQP :5672, Modbus :502 on .44;
#                                                lab-servers/depth.sh)
#                                                198.18.1.65-67 (LAB_BACNET=1 only): BACnet/IP
#                                                :47808/udp on .65 and .67, DNP3 :20000 on .66
#                                                (stand-ins; lab-servers/bacnet.sh)
#                                                198.18.1.60-62 (LAB_INDUSTRIAL=1 only): stand-ins for
#                                                EtherNet/IP :44818, Niagara Fox :1911, S7comm :102
#                                                (lab-servers/industrial.sh)
#                                            every address: IP protocol 253 answered in kind (a
#                                                raw-socket responder, lab-servers/rawip.sh)
#                                            One self-signed certificate (CN lab.masscan-rs.test)
#                                            serves HTTPS, SMTP, POP3, IMAP4 and RDP.
#                                            lo: local route 198.19.0.0/16 (65,536 addresses the
#                                                kernel answers; port 8080 open on all of them)
#
# LAB_LINKS=2 adds a second link from the scanner to the target namespace, its own subnet and
# router (for scans through several interfaces): ms<id>u 198.18.2.2/24 <--- veth --->
# ms<id>v 198.18.2.1/24 (no default route through it; the targets answer through it whatever
# arrives from 198.18.2.0/24).
#
# IPv6 mirrors it from 2001:2::/48 (RFC 5180, the IPv6 benchmarking range): scanner 2001:2::2,
# router 2001:2::1, neighbour 2001:2::3, service hosts 2001:2:0:1::1-8 (nginx :80 on ::1, OpenSSH
# :22 on ::2, UDP: unbound :53 on ::6, snmpd :161 on ::7, chronyd :123 on ::8; 8080 open on all), and a block of 65,536 addresses, 2001:2:1::/112, 8080 open.
#
# No namespace has any other interface, so no packet can leave them. Servers come from
# Debian's packages (installed by scripts/setup.sh) and run inside the target namespace only.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lab-servers/hellos-a.sh"

STATE_ROOT=/run/masscan-lab
# shellcheck source=lab-servers/tls.sh
source "$(dirname "${BASH_SOURCE[0]}")/lab-servers/tls.sh"
# shellcheck source=lab-servers/rawip.sh
source "$(dirname "${BASH_SOURCE[0]}")/lab-servers/rawip.sh"
UDP_SERVICES="198.18.1.4:11211 198.18.1.13:53 198.18.1.14:161 198.18.1.15:123 [2001:2:0:1::6]:53 [2001:2:0:1::7]:161 [2001:2:0:1::8]:123"
SERVICES="198.18.1.1:80 198.18.1.2:22 198.18.1.3:21 198.18.1.4:11211"
BANNER_SERVICES="198.18.1.1:443 198.18.1.6:25 198.18.1.7:110 198.18.1.7:143 198.18.1.8:23 198.18.1.9:445 198.18.1.10:3389 198.18.1.11:5900 198.18.1.12:9000 198.18.1.12:9001 198.18.1.16:443 198.18.1.16:8531 198.18.1.17:443 198.18.1.17:8531"

die() { echo "lab: $*" >&2; exit 1; }
source "$(dirname "${BASH_SOURCE[0]}")/lab-servers/hellos-b.sh"
# shellcheck source=lab-servers/depth.sh
source "$(dirname "${BASH_SOURCE[0]}")/lab-servers/depth.sh"
# shellcheck source=lab-servers/bacnet.sh
source "$(dirname "${BASH_SOURCE[0]}")/lab-servers/bacnet.sh"
# shellcheck source=lab-servers/industrial.sh
source "$(dirname "${BASH_SOURCE[0]}")/lab-servers/industrial.sh"
need_root() { [ "$(id -u)" = 0 ] || die "needs root (network namespaces need CAP_NET_ADMIN and CAP_SYS_ADMIN)"; }

ns_of() { echo "$1-scan $1-tgt $1-nbr $1-sctp"; }

kill_ns() {
  local ns=$1 pids
  ip netns list 2>/dev/null | awk '{print $1}' | grep -qx "$ns" || return 0
  pids=$(ip netns pids "$ns" 2>/dev/null || true)
  [ -n "$pids" ] && kill $pids 2>/dev/null || true
  for _ in $(seq 50); do
    pids=$(ip netns pids "$ns" 2>/dev/null || true)
    [ -z "$pids" ] && break
    sleep 0.1
  done
  [ -n "$pids" ] && kill -9 $pids 2>/dev/null || true
  ip netns del "$ns" 2>/dev/null || true
}

down() {
  local name=$1
  for ns in $(ns_of "$name"); do kill_ns "$ns"; done
  rm -rf "${STATE_ROOT:?}/$name"
}

down_all() {
  local n
  for n in $(ip netns list 2>/dev/null | awk '{print $1}' | sed -n 's/^\(msr-[0-9a-f]*\)-\(scan\|tgt\|nbr\|sctp\)$/\1/p' | sort -u); do
    down "$n"
  done
  for d in "$STATE_ROOT"/msr-*; do [ -d "$d" ] && rm -rf "$d"; done
  return 0
}

# Removes the labs whose owner is $1 (`--owner PID`), or whose owner process is gone (no $1).
down_owned() {
  local d n owner
  for d in "$STATE_ROOT"/msr-*; do
    [ -f "$d/owner" ] || continue
    n=$(basename "$d"); owner=$(cat "$d/owner")
    if [ -n "${1:-}" ]; then
      [ "$owner" = "$1" ] && down "$n"
    elif ! kill -0 "$owner" 2>/dev/null; then
      echo "lab: removing $n, left by process $owner (gone)" >&2
      down "$n"
    fi
  done
  return 0
}

wait_listening() {
  local ns=$1
  for svc in $2; do
    for i in $(seq 100); do
      ip netns exec "$ns" ss -Hltn | awk '{print $4}' | grep -qxF "$svc" && break
      [ "$i" = 100 ] && die "server on $svc did not start (see $STATE_ROOT/$LAB)"
      sleep 0.1
    done
  done
}

# A fresh bridge drops frames for a moment after its ports come up: wait until the scanner
# reaches a service host, the neighbour and the IPv6 side, so the first scan sees a ready lab.
wait_forwarding() {
  ip netns exec "$1" python3 - <<'PY' || die "the lab does not forward traffic (see $STATE_ROOT/$LAB)"
import socket, sys, time
deadline = time.time() + 10
for addr in (("198.18.1.1", 80), ("198.18.0.3", 8080), ("2001:2:0:1::1", 80)):
    while True:
        try:
            socket.create_connection(addr, 0.2).close()
            break
        except OSError:
            if time.time() > deadline:
                sys.exit(1)
            time.sleep(0.05)
PY
}

start_servers() {
  local ns=$1 dir=$2
  mkdir -p "$dir/www" && chmod 755 "$dir" "$dir/www"
  openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 30 \
    -keyout "$dir/key.pem" -out "$dir/cert.pem" -subj "/O=masscan-rs lab/CN=lab.masscan-rs.test" \
    -addext "subjectAltName=DNS:lab.masscan-rs.test,DNS:www.lab.masscan-rs.test,IP:198.18.1.1" \
    2>/dev/null || die "openssl could not make the lab certificate"
  chmod 600 "$dir/key.pem"
  printf '<html><head><title>masscan-rs lab</title></head><body>lab web server</body></html>\n' > "$dir/www/index.html"
  cat > "$dir/nginx.conf" <<EOF
daemon on;
pid $dir/nginx.pid;
error_log $dir/nginx.error.log;
worker_processes 1;
events { worker_connections 1024; }
http {
  access_log off;
  server { listen 198.18.1.1:80; listen [2001:2:0:1::1]:80; root $dir/www; server_tokens on; }
  server { listen 198.18.1.1:443 ssl; root $dir/www; server_tokens on;
           ssl_certificate $dir/cert.pem; ssl_certificate_key $dir/key.pem; }
}
EOF
  ip netns exec "$ns" nginx -c "$dir/nginx.conf" -g "error_log $dir/nginx.error.log;" 2>>"$dir/nginx.error.log" \
    || die "nginx failed to start: $(tail -1 "$dir/nginx.error.log")"

  ssh-keygen -q -t ed25519 -N '' -f "$dir/ssh_host_ed25519_key" </dev/null
  mkdir -p /run/sshd && chmod 755 /run/sshd
  cat > "$dir/sshd_config" <<EOF
ListenAddress 198.18.1.2
ListenAddress 2001:2:0:1::2
HostKey $dir/ssh_host_ed25519_key
PidFile $dir/sshd.pid
UsePAM no
PasswordAuthentication no
KbdInteractiveAuthentication no
EOF
  ip netns exec "$ns" /usr/sbin/sshd -f "$dir/sshd_config" -E "$dir/sshd.log" || die "sshd failed to start"

  mkdir -p /var/run/vsftpd/empty "$dir/ftp"
  cat > "$dir/vsftpd.conf" <<EOF
listen=YES
listen_ipv6=NO
listen_address=198.18.1.3
background=YES
anonymous_enable=YES
no_anon_password=YES
anon_root=$dir/ftp
local_enable=NO
ftpd_banner=masscan-rs lab FTP server
secure_chroot_dir=/var/run/vsftpd/empty
EOF
  ip netns exec "$ns" /usr/sbin/vsftpd "$dir/vsftpd.conf" || die "vsftpd failed to start"

  ip netns exec "$ns" memcached -u nobody -l 198.18.1.4 -p 11211 -U 11211 -d -P "$dir/memcached.pid" \
    || die "memcached failed to start"

  start_banner_servers "$ns" "$dir"
  start_hellos_a_servers "$ns" "$dir"
  start_tls_servers "$ns" "$dir"
  start_udp_servers "$ns" "$dir"
  start_hellos_b_servers "$ns" "$dir"
  if [ "${LAB_DEPTH:-0}" = 1 ]; then start_depth_servers "$ns" "$dir"; fi
  if [ "${LAB_BACNET:-0}" = 1 ]; then start_bacnet_servers "$ns" "$dir"; fi
  if [ "${LAB_INDUSTRIAL:-0}" = 1 ]; then start_industrial_servers "$ns" "$dir"; fi
  start_rawip_servers "$ns" "$dir"

  # Port 8080 open on every address of the block (and of the service hosts): the kernel completes
  # the handshakes; this listener only accepts and closes.
  cat > "$dir/listener.py" <<'EOF'
import select, socket
socks = []
for family, addr in ((socket.AF_INET, "0.0.0.0"), (socket.AF_INET6, "::")):
    s = socket.socket(family)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    if family == socket.AF_INET6:
        s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 1)
    s.bind((addr, 8080))
    s.listen(4096)
    socks.append(s)
while True:
    for s in select.select(socks, [], [])[0]:
        c, _ = s.accept()
        c.close()
EOF
  ip netns exec "$ns" python3 "$dir/listener.py" </dev/null >/dev/null 2>&1 &
  # The neighbour on the scanner's own subnet answers on 8080 too.
  ip netns exec "$nbr" python3 "$dir/listener.py" </dev/null >/dev/null 2>&1 &
}

# The servers the banner tests talk to, each on its own address.
start_banner_servers() {
  local ns=$1 dir=$2
  # aiosmtpd (Debian's python3-aiosmtpd; Debian's own python3, which has the package), with
  # STARTTLS. It keeps no state outside the lab, so labs can run side by side.
  ip netns exec "$ns" /usr/bin/python3 -m aiosmtpd -n -l 198.18.1.6:25 \
    --tlscert "$dir/cert.pem" --tlskey "$dir/key.pem" --no-requiretls \
    </dev/null >"$dir/smtpd.log" 2>&1 &

  mkdir -p "$dir/dovecot" "$dir/dovecot-state"
  cat > "$dir/dovecot.conf" <<EOF
protocols = imap pop3
listen = 198.18.1.7
base_dir = $dir/dovecot
state_dir = $dir/dovecot-state
log_path = $dir/dovecot.log
login_greeting = masscan-rs lab mail ready.
ssl = yes
ssl_cert = <$dir/cert.pem
ssl_key = <$dir/key.pem
default_login_user = dovenull
default_internal_user = dovecot
passdb {
  driver = static
  args = password=not-used
}
userdb {
  driver = static
  args = uid=nobody gid=nogroup home=/nonexistent
}
mail_location = mbox:/nonexistent
EOF
  ip netns exec "$ns" dovecot -c "$dir/dovecot.conf" </dev/null >>"$dir/dovecot.log" 2>&1 \
    || die "dovecot failed to start: $(tail -1 "$dir/dovecot.log")"

  # inetutils telnetd runs per connection on the accepted socket, as inetd would start it.
  ip netns exec "$ns" socat TCP4-LISTEN:23,bind=198.18.1.8,reuseaddr,fork \
    EXEC:/usr/sbin/telnetd,nofork </dev/null >"$dir/telnetd.log" 2>&1 &

  mkdir -p "$dir/samba/run" "$dir/samba/lock" "$dir/samba/state" "$dir/samba/cache" \
    "$dir/samba/private" "$dir/samba/ncalrpc"
  cat > "$dir/smb.conf" <<EOF
[global]
  workgroup = MASSCANLAB
  netbios name = LABSMB
  server string = masscan-rs lab
  server role = standalone server
  interfaces = 198.18.1.9/32
  bind interfaces only = yes
  smb ports = 445
  disable netbios = yes
  pid directory = $dir/samba/run
  lock directory = $dir/samba/lock
  state directory = $dir/samba/state
  cache directory = $dir/samba/cache
  private dir = $dir/samba/private
  ncalrpc dir = $dir/samba/ncalrpc
  log file = $dir/samba/log.%m
  passdb backend = tdbsam:$dir/samba/private/passdb.tdb
  load printers = no
  printcap name = /dev/null
  disable spoolss = yes
EOF
  ip netns exec "$ns" smbd -D -s "$dir/smb.conf" </dev/null >"$dir/smbd.log" 2>&1 \
    || die "smbd failed to start: $(tail -1 "$dir/smbd.log")"

  cat > "$dir/xrdp.ini" <<EOF
[Globals]
ini_version=1
fork=true
port=tcp://198.18.1.10:3389
security_layer=negotiate
crypt_level=high
certificate=$dir/cert.pem
key_file=$dir/key.pem
ssl_protocols=TLSv1.2, TLSv1.3
[Logging]
LogFile=$dir/xrdp.log
LogLevel=INFO
EnableSyslog=false
[Xorg]
name=Xorg
lib=libxup.so
username=ask
password=ask
ip=127.0.0.1
port=-1
code=20
EOF
  ip netns exec "$ns" xrdp --nodaemon --config "$dir/xrdp.ini" </dev/null >>"$dir/xrdp.log" 2>&1 &

  # Two hostile servers for the banner stack's limits: one floods, one trickles.
  cat > "$dir/hostile.py" <<'EOF'
import socket, threading, time
def serve(port, talk):
    s = socket.socket()
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind(("198.18.1.12", port))
    s.listen(64)
    while True:
        c, _ = s.accept()
        threading.Thread(target=talk, args=(c,), daemon=True).start()
def flood(c):
    chunk = b"x" * 65536
    try:
        while True:
            c.sendall(chunk)
    except OSError:
        c.close()
def trickle(c):
    try:
        for _ in range(600):
            c.sendall(b"t")
            time.sleep(1)
    except OSError:
        pass
    c.close()
threading.Thread(target=serve, args=(9000, flood), daemon=True).start()
serve(9001, trickle)
EOF
  ip netns exec "$ns" python3 "$dir/hostile.py" </dev/null >/dev/null 2>&1 &

  # TigerVNC's X server, headless; its display number is the lab's own (X locks are host-wide).
  local display=$(( 0x${LAB#msr-} % 5000 + 100 ))
  echo "$display" > "$dir/vnc.display"
  ip netns exec "$ns" Xvnc ":$display" -rfbport 5900 -interface 198.18.1.11 -localhost no \
    -SecurityTypes None -nolisten unix -desktop masscan-rs-lab </dev/null >"$dir/xvnc.log" 2>&1 &
}

# UDP services, each bound to its own addresses so it answers from the address probed:
# unbound (version.bind), snmpd (community public), chronyd (-x: never touches the clock; the
# binary is unpacked by scripts/setup.sh without installing the package, which would replace
# the host's time daemon). memcached answers UDP too (started above).
CHRONYD=/var/lib/masscan-lab/chrony/usr/sbin/chronyd
start_udp_servers() {
  local ns=$1 dir=$2
  cat > "$dir/unbound.conf" <<EOF
server:
  interface: 198.18.1.13
  interface: 2001:2:0:1::6
  port: 53
  do-daemonize: no
  chroot: ""
  username: ""
  directory: "$dir"
  pidfile: "$dir/unbound.pid"
  logfile: "$dir/unbound.log"
  use-syslog: no
  access-control: 0.0.0.0/0 allow
  access-control: ::/0 allow
  hide-version: no
  version: "masscan-rs lab unbound"
  module-config: "iterator"
remote-control:
  control-enable: no
EOF
  ip netns exec "$ns" unbound -d -c "$dir/unbound.conf" </dev/null >>"$dir/unbound.log" 2>&1 &

  cat > "$dir/snmpd.conf" <<EOF
rocommunity public default
rocommunity6 public default
sysName snmp.lab.masscan-rs.test
sysDescr masscan-rs lab snmpd
sysLocation lab
sysContact lab@masscan-rs.test
EOF
  MIBS= ip netns exec "$ns" snmpd -f -Lf "$dir/snmpd.log" -C -c "$dir/snmpd.conf" -p "$dir/snmpd.pid" \
    udp:198.18.1.14:161 udp6:[2001:2:0:1::7]:161 </dev/null >/dev/null 2>&1 &

  [ -x "$CHRONYD" ] || die "no chronyd at $CHRONYD: run scripts/setup.sh"
  cat > "$dir/chrony.conf" <<EOF
local stratum 8
allow all
bindaddress 198.18.1.15
bindaddress 2001:2:0:1::8
port 123
cmdport 0
pidfile $dir/chronyd.pid
EOF
  ip netns exec "$ns" "$CHRONYD" -x -d -u root -f "$dir/chrony.conf" </dev/null >>"$dir/chronyd.log" 2>&1 &
}

wait_udp() {
  local ns=$1
  for svc in $2; do
    for i in $(seq 100); do
      ip netns exec "$ns" ss -Hlun | awk '{print $4}' | grep -qxF "$svc" && break
      [ "$i" = 100 ] && die "UDP server on $svc did not start (see $STATE_ROOT/$LAB)"
      sleep 0.1
    done
  done
}

up() {
  local name=$1 id scan tgt ifs ift ifn ifm dir
  id=${name#msr-}
  scan="$name-scan"; tgt="$name-tgt"; nbr="$name-nbr"
  ifs="ms${id}s"; ift="ms${id}t"; ifn="ms${id}n"; ifm="ms${id}m"
  dir="$STATE_ROOT/$name"
  ip netns list | awk '{print $1}' | grep -qx "$scan" && die "lab $name already exists"
  mkdir -p "$dir"
  # LAB_OWNER=PID: the process that owns the lab (scripts/test.sh), for `down --owner`/`--orphans`.
  [ -n "${LAB_OWNER:-}" ] && echo "$LAB_OWNER" >"$dir/owner"
  # Whatever fails below (a failed command, or die), leave nothing behind.
  trap 'down "$name"' EXIT
  ip netns add "$scan"
  ip netns add "$tgt"
  ip netns add "$nbr"
  ip netns add "$name-sctp"
  # LAB_QUEUES=N: the scanner's link gets N transmit and receive queues (multi-queue AF_XDP).
  local q=${LAB_QUEUES:-1}
  [[ "$q" =~ ^[1-8]$ ]] || die "LAB_QUEUES must be 1 to 8 (got '$q')"
  ip link add "$ifs" netns "$scan" numtxqueues "$q" numrxqueues "$q" type veth \
    peer name "$ift" netns "$tgt" numtxqueues "$q" numrxqueues "$q"
  ip link add "$ifm" netns "$nbr" type veth peer name "$ifn" netns "$tgt"
  ip link add "ms${id}y" netns "$name-sctp" type veth peer name "ms${id}x" netns "$tgt"
  for ns in "$scan" "$tgt" "$nbr" "$name-sctp"; do
    ip -n "$ns" link set lo up
    ip netns exec "$ns" sysctl -qw net.ipv4.conf.all.rp_filter=0 net.ipv4.conf.default.rp_filter=0
    ip netns exec "$ns" sysctl -qw net.ipv6.conf.all.disable_ipv6=0 net.ipv6.conf.default.disable_ipv6=0
  done
  ip -n "$scan" addr add 198.18.0.2/24 dev "$ifs"
  # The target namespace is the segment's switch (a bridge) and its router (br0's address).
  ip -n "$tgt" link add br0 type bridge
  ip -n "$tgt" link set "$ift" master br0
  ip -n "$tgt" link set "$ifn" master br0
  ip -n "$tgt" link set "ms${id}x" master br0
  ip -n "$tgt" addr add 198.18.0.1/24 dev br0
  ip -n "$nbr" addr add 198.18.0.3/24 dev "$ifm"
  ip -n "$scan" link set "$ifs" up
  ip -n "$tgt" link set "$ift" up
  ip -n "$tgt" link set "$ifn" up
  # One segment per frame towards the scanner, as a NIC's wire carries them: veth would pass
  # 64 KiB GSO frames, which an XDP program without multi-buffer support must drop.
  ip -n "$tgt" link set dev br0 gso_max_segs 1
  ip -n "$tgt" link set br0 up
  ip -n "$nbr" link set "$ifm" up
  # The SCTP host: one address per family (usrsctp answers from the address it is bound to).
  ip -n "$tgt" link set "ms${id}x" up
  ip -n "$name-sctp" addr add 198.18.0.4/24 dev "ms${id}y"
  ip -n "$name-sctp" addr add 2001:2::4/64 dev "ms${id}y" nodad
  ip -n "$name-sctp" link set "ms${id}y" up
  ip -n "$name-sctp" route add default via 198.18.0.1 dev "ms${id}y"
  ip -n "$name-sctp" -6 route add default via 2001:2::1 dev "ms${id}y"
  # LAB_LINKS=2: the second link.
  local links=${LAB_LINKS:-1}
  [[ "$links" =~ ^[12]$ ]] || die "LAB_LINKS must be 1 or 2 (got '$links')"
  if [ "$links" = 2 ]; then
    ip link add "ms${id}u" netns "$scan" numtxqueues "$q" numrxqueues "$q" type veth \
      peer name "ms${id}v" netns "$tgt" numtxqueues "$q" numrxqueues "$q"
    ip -n "$scan" addr add 198.18.2.2/24 dev "ms${id}u"
    ip -n "$tgt" addr add 198.18.2.1/24 dev "ms${id}v"
    ip -n "$tgt" link set dev "ms${id}v" gso_max_segs 1
    ip -n "$scan" link set "ms${id}u" up
    ip -n "$tgt" link set "ms${id}v" up
  fi
  ip -n "$scan" route add default via 198.18.0.1 dev "$ifs"
  ip -n "$nbr" route add default via 198.18.0.1 dev "$ifm"
  ip -n "$scan" addr add 2001:2::2/64 dev "$ifs" nodad
  ip -n "$tgt" addr add 2001:2::1/64 dev br0 nodad
  ip -n "$nbr" addr add 2001:2::3/64 dev "$ifm" nodad
  ip -n "$scan" -6 route add default via 2001:2::1 dev "$ifs"
  ip -n "$nbr" -6 route add default via 2001:2::1 dev "$ifm"
  for i in $(seq 1 8); do ip -n "$tgt" addr add "2001:2:0:1::$i/128" dev lo nodad; done
  ip -n "$tgt" -6 route add local 2001:2:1::/112 dev lo
  for i in $(seq 1 17); do ip -n "$tgt" addr add "198.18.1.$i/32" dev lo; done
  for i in $(seq 20 26); do ip -n "$tgt" addr add "198.18.1.$i/32" dev lo; done
  for i in 30 31 32 33; do ip -n "$tgt" addr add "198.18.1.$i/32" dev lo; done
  for i in $DEPTH_ADDRESSES; do ip -n "$tgt" addr add "198.18.1.$i/32" dev lo; done
  for i in $BACNET_ADDRESSES; do ip -n "$tgt" addr add "198.18.1.$i/32" dev lo; done
  for i in $INDUSTRIAL_ADDRESSES; do ip -n "$tgt" addr add "198.18.1.$i/32" dev lo; done
  ip -n "$tgt" route add local 198.19.0.0/16 dev lo
  # The block answers SYNs at the scan's rate: room for many half-open connections.
  ip netns exec "$tgt" sysctl -qw net.ipv4.tcp_max_syn_backlog=65536 net.core.somaxconn=65535 \
    net.ipv4.icmp_ratelimit=0 net.ipv4.icmp_msgs_per_sec=1000000 net.ipv4.icmp_msgs_burst=1000000 \
    net.ipv6.icmp.ratelimit=0
  start_servers "$tgt" "$dir"
  # usrsctp's discard server (port 9) over raw IP: this kernel has no SCTP of its own.
  ip netns exec "$name-sctp" /usr/lib/usrsctp/discard_server 0 </dev/null >"$dir/sctp.log" 2>&1 &
  for i in $(seq 100); do
    grep -q "Bind called port: 9" "$dir/sctp.log" 2>/dev/null && break
    [ "$i" = 100 ] && die "usrsctp's discard server did not start (see $dir/sctp.log)"
    sleep 0.1
  done
  wait_listening "$tgt" "$SERVICES $BANNER_SERVICES 0.0.0.0:8080 [::]:8080 [2001:2:0:1::1]:80 [2001:2:0:1::2]:22"
  wait_listening "$nbr" "0.0.0.0:8080"
  wait_udp "$tgt" "$UDP_SERVICES"
  wait_forwarding "$scan"
  trap - EXIT
  if [ "$links" = 2 ]; then
    printf 'LAB_IF2=%s\nLAB_SCANNER_IP2=198.18.2.2\nLAB_ROUTER_IP2=198.18.2.1\n' "ms${id}u"
  fi
  cat <<EOF
LAB=$name
LAB_SCAN_NS=$scan
LAB_TARGET_NS=$tgt
LAB_IF=$ifs
LAB_TARGET_IF=br0
LAB_PEER_IF=$ift
LAB_NEIGHBOUR_NS=$nbr
LAB_NEIGHBOUR=198.18.0.3
LAB_SCTP_NS=$name-sctp
LAB_SCTP_HOST=198.18.0.4
LAB_SCANNER_IP=198.18.0.2
LAB_ROUTER_IP=198.18.0.1
LAB_SERVICES="$SERVICES"
LAB_BANNER_SERVICES="$BANNER_SERVICES"
LAB_CLOSED_HOST=198.18.1.5
LAB_UDP_SERVICES="$UDP_SERVICES"
LAB_BLOCK=198.19.0.0/16
LAB_BLOCK_OPEN_PORT=8080
LAB_SCANNER_IP6=2001:2::2
LAB_ROUTER_IP6=2001:2::1
LAB_SERVICES6="[2001:2:0:1::1]:80 [2001:2:0:1::2]:22"
LAB_BLOCK6=2001:2:1::/112
EOF
}

status() {
  local name=${1:-}
  local labs
  labs=$(ip netns list 2>/dev/null | awk '{print $1}' | sed -n 's/^\(msr-[0-9a-f]*\)-scan$/\1/p')
  [ -n "$name" ] && labs=$name
  [ -z "$labs" ] && { echo "no lab is up"; return 0; }
  for n in $labs; do
    echo "== lab $n"
    ip -n "$n-scan" -br addr 2>/dev/null || echo "  (scanner namespace missing)"
    ip -n "$n-tgt" -br addr 2>/dev/null || echo "  (target namespace missing)"
    ip netns exec "$n-tgt" ss -Hltn 2>/dev/null | awk '{print "  listening " $4}'
  done
}

cmd=${1:-}
case "$cmd" in
  up)
    need_root
    name=${2:-msr-$(od -An -N3 -tx1 /dev/urandom | tr -d ' \n')}
    [[ "$name" =~ ^msr-[0-9a-f]{1,8}$ ]] || die "lab names look like msr-<up to 8 hex digits> (got '$name')"
    LAB=$name
    up "$name"
    ;;
  down)
    need_root
    [ -n "${2:-}" ] || die "usage: lab.sh down NAME|--all|--owner PID|--orphans"
    case "$2" in
      --all) down_all ;;
      --owner) [ -n "${3:-}" ] || die "usage: lab.sh down --owner PID"; down_owned "$3" ;;
      --orphans) down_owned ;;
      *) down "$2" ;;
    esac
    ;;
  status) status "${2:-}" ;;
  *) die "usage: lab.sh up [NAME] | down NAME|--all|--owner PID|--orphans | status [NAME]" ;;
esac
