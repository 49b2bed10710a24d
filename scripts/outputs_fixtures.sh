#!/usr/bin/env bash
# Regenerates cli/tests/fixtures/outputs/: records written by the original masscan (Debian's
# 1.3.2, unpacked by scripts/setup.sh into /var/lib/masscan-lab/reference) scanning a lab of
# its own, and the original's own conversions of them, which cli/tests/cli/outputs.rs compares
# our `--readscan` against, format by format:
#   scan-mixed.bin   TCP open ports with banners, UDP (DNS, SNMP, memcached), ICMP echo, and
#                every port of a host with no servers (closed TCP, UDP closed by ICMP)
#   scan-closed.bin  closed TCP and UDP ports and one ICMP echo of that host
#   {default,closed}.{list,json,ndjson,xml,grep,unicorn,hostonly,bin,console}
#                `--readscan scan-mixed.bin scan-closed.bin` in every format, without and with
#                `--show closed`
#   arp.{list,json,ndjson,xml,grep,unicorn,console}
#                a live `--arp` scan in every format (the original cannot read back the ARP
#                records of its own -oB files, so these come from the scan itself)
# The original runs only inside the lab's scanner namespace, also for --readscan.
# Run as root: ./scripts/outputs_fixtures.sh
set -euo pipefail
cd "$(dirname "$0")/.."
orig=/var/lib/masscan-lab/reference/usr/bin/masscan
[ -x "$orig" ] || { echo "needs the reference: run scripts/setup.sh" >&2; exit 1; }
dir=cli/tests/fixtures/outputs
mkdir -p "$dir"
tmp=$(mktemp -d)
lab=""
cleanup() {
  [ -n "$lab" ] && scripts/lab.sh down "$lab" >/dev/null 2>&1 || true
  rm -rf "$tmp"
}
trap cleanup EXIT
eval "$(scripts/lab.sh up)"
lab=$LAB
ref() { ip netns exec "$LAB_SCAN_NS" timeout 120 "$orig" "$@"; }
# The original answers ARP for its own source address, so the kernel's stack of the scanner
# namespace (198.18.0.2) never sees the replies and sends no RSTs.
src=(--source-ip 198.18.0.50)

ref 198.18.1.1-198.18.1.15 198.18.0.3-198.18.0.4 \
  -p21,22,23,25,80,110,143,443,445,3389,5900,8080,11211,U:53,U:161,U:123,U:11211,U:7,S:9,S:10 \
  --ping --banners --show closed "${src[@]}" --rate 500 --wait 5 -oB "$tmp/scan-mixed.bin" \
  >/dev/null 2>&1
ref "$LAB_CLOSED_HOST" -p21,22,80,U:7,U:53 --ping --show closed "${src[@]}" --rate 100 \
  --wait 2 -oB "$tmp/scan-closed.bin" >/dev/null 2>&1
cp "$tmp/scan-mixed.bin" "$tmp/scan-closed.bin" "$dir/"
echo "scan-mixed.bin: $(wc -c < "$dir/scan-mixed.bin") bytes, scan-closed.bin: $(wc -c < "$dir/scan-closed.bin") bytes"

for v in default closed; do
  extra=()
  [ "$v" = closed ] && extra=(--show closed)
  for f in L:list J:json D:ndjson X:xml G:grep U:unicorn H:hostonly B:bin; do
    ref --readscan "$dir/scan-mixed.bin" "$dir/scan-closed.bin" "${extra[@]}" "-o${f%%:*}" \
      "$tmp/out" >/dev/null 2>&1
    cp "$tmp/out" "$dir/$v.${f#*:}"
  done
  ref --readscan "$dir/scan-mixed.bin" "$dir/scan-closed.bin" "${extra[@]}" > "$dir/$v.console" 2>/dev/null
done

# ARP: the lab's router, neighbour and SCTP host answer; a run that catches none is repeated.
for f in L:list J:json D:ndjson X:xml G:grep U:unicorn console:console; do
  for _ in 1 2 3; do
    rm -f "$tmp/out"
    if [ "$f" = console:console ]; then
      ref --arp 198.18.0.1-198.18.0.4 "${src[@]}" --rate 50 --wait 2 > "$tmp/out" 2>/dev/null
    else
      ref --arp 198.18.0.1-198.18.0.4 "${src[@]}" --rate 50 --wait 2 "-o${f%%:*}" \
        "$tmp/out" >/dev/null 2>&1
    fi
    [ "$(grep -c 198.18.0 "$tmp/out" 2>/dev/null)" = 3 ] && break
  done
  cp "$tmp/out" "$dir/arp.${f#*:}"
done
ls -l "$dir"
