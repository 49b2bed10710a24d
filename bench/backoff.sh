#!/usr/bin/env bash
# --backoff in the lab: replies the scan itself loses, with and without the rate controller, in
# this one run. The XDP reflector (bench/reflector.c) at the target's end of the link answers
# every SYN to 198.18.128.0/17, so every probe should come back as an open port; the scan's own
# receive core is made the bottleneck by a busy loop pinned to its CPU (the receive thread is
# pinned there with --rx-cores, the transmit thread to the other CPU), so it reads its queue at
# about half speed and the fill ring runs empty. Rounds alternate without and with --backoff;
# each prints probes, replies lost (probes - open ports found), the scan's own counted drops,
# the transmit time, and the backoff line of the summary; then the medians.
# Then the cost with no loss: offline SYN scans, one transmit thread, unthrottled, without and
# with --backoff alternating (bench/offline.sh style), and the median ratio of their rates.
# Every packet stays inside the lab's namespaces; the lab is taken down at the end.
# Needs root and 2 CPUs. Usage: bench/backoff.sh [--quick]   (--quick: 2 rounds, smaller scans)
set -euo pipefail
cd "$(dirname "$0")/.."
[ -d "$HOME/.cargo/bin" ] && export PATH="$HOME/.cargo/bin:$PATH"
rounds=3
ports=1-20
count=100000000
[ "${1:-}" = "--quick" ] && rounds=2 && ports=1-8 && count=5000000
[ "$(nproc)" -ge 2 ] || { echo "bench/backoff.sh: needs 2 CPUs" >&2; exit 1; }
. bench/lab-env.sh
hog=""
trap '[ -n "$hog" ] && kill "$hog" 2>/dev/null; [ -n "$LAB" ] && ./scripts/lab.sh down "$LAB"; rm -rf "$tmp"' EXIT

clang -O2 -g -Wall -target bpf -I/usr/include/x86_64-linux-gnu -c bench/reflector.c -o "$tmp/reflector.o"
ip -n "$LAB_TARGET_NS" link set dev "$LAB_PEER_IF" xdpdrv obj "$tmp/reflector.o" sec xdp
nports=$(( ${ports#*-} - ${ports%-*} + 1 ))
probes=$((32768 * nports))
# The receive core's CPU, kept half busy by a loop of our own (the transmit core is the other).
taskset -c 0 sh -c 'while :; do :; done' &
hog=$!

# One scan: $1 the extra option (or nothing); sets lost, drops, secs, line.
scan() {
  (cd "$tmp" && ip netns exec "$LAB_SCAN_NS" "$M" 198.18.128.0/17 -p"$ports" --rate 1e9 \
     --driver afxdp --tx-cores 1 --rx-cores 0 --wait 2 --seed 3 --nostatus -oL found.txt $1 2>err)
  local found
  found=$(grep -c '^open' "$tmp/found.txt" || true)
  lost=$((probes - found))
  drops=$(awk '/^rx-core [0-9]+ \(/ {for (i = 1; i < NF; i++) if ($i == "kernel" && $(i + 1) == "drops,") s += $(i - 1)} END {print s + 0}' "$tmp/err")
  secs=$(sed -n 's/^tx-core 0 .* in \([0-9.]*\) s .*/\1/p' "$tmp/err")
  line=$(grep '^backoff:' "$tmp/err" || true)
}
med() { printf '%s\n' "$@" | sort -g | awk '{a[NR] = $1} END {print (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2}'; }

printf 'reflector scan, 198.18.128.0/17 x %s ports = %s probes, unthrottled, receive core slowed (%s rounds)\n' \
  "$nports" "$probes" "$rounds"
printf '%-6s %-10s %10s %12s %9s  %s\n' round loop lost "own drops" seconds "backoff line"
off_lost=(); on_lost=(); off_secs=(); on_secs=()
for r in $(seq "$rounds"); do
  scan ""
  off_lost+=("$lost"); off_secs+=("$secs")
  printf '%-6s %-10s %10s %12s %9s\n' "$r" off "$lost" "$drops" "$secs"
  scan --backoff
  on_lost+=("$lost"); on_secs+=("$secs")
  printf '%-6s %-10s %10s %12s %9s  %s\n' "$r" --backoff "$lost" "$drops" "$secs" "${line#backoff: }"
done
printf 'median replies lost: without %s, with --backoff %s (of %s); median seconds: %s and %s\n' \
  "$(med "${off_lost[@]}")" "$(med "${on_lost[@]}")" "$probes" "$(med "${off_secs[@]}")" "$(med "${on_secs[@]}")"
kill "$hog" 2>/dev/null || true
hog=""

# No loss: offline, one thread, unthrottled; the same scan without and with the controller.
printf '\nno loss: offline SYN, one transmit thread, unthrottled, %s probes per run\n' "$count"
one() {
  "$M" 0.0.0.0/0 --exclude 255.255.255.255 -p80 --offline --rate 1e9 --tx-threads 1 \
     --resume-count "$count" --seed 1 --nostatus $1 2>"$tmp/one"
  sed -n 's/^total: .* = \([0-9]*\) pps.*/\1/p' "$tmp/one"
}
ratios=()
for r in 1 2 3; do
  a=$(one ""); b=$(one --backoff)
  ratio=$(echo "$b / $a" | bc -l)
  ratios+=("$ratio")
  printf 'round %s  without %.2f Mpps  with --backoff %.2f Mpps  ratio %.3f\n' "$r" \
    "$(echo "$a / 1000000" | bc -l)" "$(echo "$b / 1000000" | bc -l)" "$ratio"
done
printf 'ratio, with / without --backoff, offline, no loss: median %.3f\n' "$(med "${ratios[@]}")"
