#!/usr/bin/env bash
# A first look at masscan-rs: installs what is missing, builds, runs its self checks, then brings
# up the lab (network namespaces on this machine only, see scripts/lab.sh), scans its servers
# with banner grabbing and its 65,536-address block (AF_XDP where the kernel allows, else
# AF_PACKET), prints the results, and takes the lab down again (also on failure or ctrl-c);
# last, installs masscan in /usr/local (scripts/install.sh) with its man page and completions.
# Every packet stays inside the lab's namespaces.
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/setup.sh
[ -d "$HOME/.cargo/bin" ] && export PATH="$HOME/.cargo/bin:$PATH"
cargo build --release -q
M=$PWD/target/release/masscan
export MASSCAN_DEFAULT_CONF=""

echo "== masscan --regress"
$M --regress | tail -1

echo
echo "== the lab: scripts/lab.sh up"
env_file=$(mktemp)
work=$(mktemp -d)
cleanup() {
  [ -n "${LAB:-}" ] && ./scripts/lab.sh down "$LAB"
  rm -rf "$env_file" "$work"
}
trap cleanup EXIT
./scripts/lab.sh up > "$env_file"
# shellcheck disable=SC1090
. "$env_file"
cat "$env_file"
in_lab() { (cd "$work" && ip netns exec "$LAB_SCAN_NS" "$M" "$@"); }

echo
echo "== masscan --iflist   (inside the scanner namespace)"
in_lab --iflist

echo
ports=21,22,23,25,80,110,143,443,445,3389,5900,11211
echo "== masscan 198.18.1.1-198.18.1.11 -p$ports --banners --rate 1000 --wait 3 -v"
echo "   (nginx .1:80/443, OpenSSH .2, vsftpd .3, memcached .4, SMTP .6, dovecot .7, telnetd .8,"
echo "    Samba .9, xrdp .10, VNC .11; the scan comes from the scanner's own address: the XDP"
echo "    program keeps the replies from the kernel, so it never resets our connections)"
in_lab 198.18.1.1-198.18.1.11 -p$ports --banners --capture cert --rate 1000 --wait 3 -v

echo
echo "== masscan 198.19.0.0/16 -p22,80,8080 --rate 150000 --wait 2 -oL block.txt"
in_lab 198.19.0.0/16 -p22,80,8080 --rate 150000 --wait 2 -oL block.txt --nostatus
echo "block.txt: $(grep -c '^open' "$work/block.txt") open ports (8080 on each of 65,536 addresses); first lines:"
head -4 "$work/block.txt"

echo
echo "== masscan 198.18.1.4,198.18.1.13-198.18.1.15 2001:2:0:1::6-2001:2:0:1::8 -pU:53,U:123,U:161,U:11211 (UDP, with banners)"
in_lab 198.18.1.4,198.18.1.13-198.18.1.15 2001:2:0:1::6-2001:2:0:1::8 -pU:53,U:123,U:161,U:11211 \
  --rate 1000 --wait 2 --nostatus

echo
echo "== masscan 198.18.0.0/24 2001:2::/120 --arp --ping -pS:9   (ARP/NDP sweep, ping, SCTP)"
in_lab 198.18.0.0/24 2001:2::/120 --arp --ping -pS:9 --rate 2000 --wait 1 --nostatus

echo
echo "== offline: the whole IPv4 Internet, port 80, first 100 million probes, unthrottled"
$M 0.0.0.0/0 --exclude 255.255.255.255 -p80 --offline --rate 100000000 --tx-threads 1 \
   --resume-count 100000000 --seed 1

echo
echo "== scripts/install.sh: masscan on the PATH, with its manual page and completions"
./scripts/install.sh
echo "$(command -v masscan): $(masscan -V | sed -n 2p)"
echo "man masscan: $(man -w masscan 2>/dev/null || echo 'man is not installed')"

echo
echo "demo: done (raw IP protocol probes are not built yet; real PF_RING and DPDK on a real NIC are untested; see the README's feature table)"
