#!/usr/bin/env bash
# The live AF_XDP transmit ceiling, and how close a scan gets to it, in the lab (scripts/lab.sh):
#   ceiling  bench/xdp_ceiling.rs (`xdp-ceiling`): the project's AF_XDP driver (same UMEM, rings,
#            batch size and steering program as a scan) sending one fixed SYN, built once, as fast
#            as it can: no permutation, target pick, cookie, checksums or throttle
#   scan     target/release/masscan: an unthrottled AF_XDP SYN scan of as many probes in the
#            default (BlackRock) order
# Both send to 198.18.128.0/17, which an nftables netdev-ingress rule drops and counts the moment
# a frame reaches the target's end of the link: every run's count must equal its probes (every
# probe crossed), and the target's stack costs the sending core nothing (a veth delivers in the
# sender's softirq). Rounds alternate the two (which goes first alternates too); each round's
# ratio is measured within that round, and the median is reported.
# Two labs are up side by side, so every round has all four runs:
#   one    the lab's one-queue veth, one transmit thread: scan / ceiling, per core
#   two    a second lab whose veth has two queues (LAB_QUEUES=2; AF_XDP then needs one transmit
#          thread per queue): the scan with --tx-threads 2 / the scan on the one-queue link, the
#          ceiling with 2 threads / 1, each from the total probes over the slowest thread's time
# Every packet stays inside the labs' namespaces; the labs are taken down at the end, also on
# failure. Needs root. Usage: bench/xdp_ceiling.sh [--quick] [--against OTHER_MASSCAN]
#   --against: also runs OTHER_MASSCAN's one-thread scan in every round (e.g. the previous
#   commit's build) and prints its ratio to the ceiling and to this build.
set -euo pipefail
cd "$(dirname "$0")/.."
[ -d "$HOME/.cargo/bin" ] && export PATH="$HOME/.cargo/bin:$PATH"
rounds=5 ports=1-20 nports=20
against=""
while [ $# -gt 0 ]; do
  case "$1" in
    --quick) rounds=3 ports=1-4 nports=4 ;;
    --against) against="$2"; shift ;;
    *) echo "usage: bench/xdp_ceiling.sh [--quick] [--against OTHER_MASSCAN]" >&2; exit 2 ;;
  esac
  shift
done
cargo build --release -q -p masscan-bench --bin xdp-ceiling
X=$PWD/target/release/xdp-ceiling
. bench/lab-env.sh
cp "$tmp/env" "$tmp/env-one"
LAB_QUEUES=2 ./scripts/lab.sh up >"$tmp/env-two"
lab_one=$LAB lab_two=$(sed -n 's/^LAB=//p' "$tmp/env-two")
trap './scripts/lab.sh down "$lab_one"; [ -n "$lab_two" ] && ./scripts/lab.sh down "$lab_two"; rm -rf "$tmp"' EXIT
probes=$((32768 * nports))
# The lab a run goes into: one (one queue) or two (two queues).
use_lab() { . "$tmp/env-$1"; }

# The nftables rule at the target's end of the current lab's link, and its count.
count_at_target() {
  ip netns exec "$LAB_TARGET_NS" nft -f - <<EOF
table netdev masscan_ceiling {
  chain unanswered {
    type filter hook ingress device "$LAB_PEER_IF" priority -500; policy accept;
    ip daddr 198.18.128.0/17 counter drop
  }
}
EOF
}
counted() {
  ip netns exec "$LAB_TARGET_NS" nft list table netdev masscan_ceiling |
    sed -n 's/.*counter packets \([0-9]*\).*/\1/p'
}
# Probes per second of all threads together: the probes over the slowest thread's time, from
# lines "... N <word> in S s = R pps" (each thread's time taken as N / R, R being exact).
aggregate() {
  awk '/ in .* s = .* pps/ { for (i = 1; i <= NF; i++) if ($i == "in") n = $(i - 2); else if ($i == "pps,"|| $i == "pps") r = $(i - 1)
                             sum += n; t = n / r; if (t > max) max = t }
       END { if (max > 0) printf "%.0f\n", sum / max; else print 0 }'
}
# One run: $1 = ceiling|scan|other, $2 = threads (1: the one-queue lab, 2: the two-queue lab).
# Sets $pps (all threads) and checks the count at the target.
one() {
  local before seen out="$tmp/$1-$2"
  if [ "$2" = 1 ]; then use_lab one; else use_lab two; fi
  before=$(counted)
  if [ "$1" = ceiling ]; then
    # The router is the target namespace's bridge: its MAC, read there (no ARP needed).
    router_mac=$(ip netns exec "$LAB_TARGET_NS" cat "/sys/class/net/$LAB_TARGET_IF/address")
    ip netns exec "$LAB_SCAN_NS" "$X" "$LAB_IF" --router-mac "$router_mac" --src "$LAB_SCANNER_IP" \
      --dst 198.18.128.1 --count "$probes" --threads "$2" >"$out"
    pps=$(grep '^thread' "$out" | aggregate)
  else
    local bin=$M
    [ "$1" = other ] && bin=$against
    (cd "$tmp" && ip netns exec "$LAB_SCAN_NS" "$bin" 198.18.128.0/17 -p"$ports" --rate 1e9 \
       --driver afxdp --tx-threads "$2" --wait 0 --seed 2 --nostatus >/dev/null 2>"$out")
    grep -q '\[afxdp\]' "$out" || { echo "bench: the scan did not run on AF_XDP:" >&2; cat "$out" >&2; exit 1; }
    pps=$(grep '^tx-core' "$out" | aggregate)
  fi
  seen=$(($(counted) - before))
  [ "$seen" = "$probes" ] || { echo "bench: $seen of $probes frames reached the target's link ($1, $2 thread(s))" >&2; exit 1; }
}
median() { sort -g | awk '{v[NR] = $1} END {print v[int((NR + 1) / 2)]}'; }
ratio() { echo "$1 / $2" | bc -l; }
kpps() { printf '%9.1f' "$(echo "$1 / 1000" | bc -l)"; }

for lab in one two; do use_lab "$lab"; count_at_target; done
printf 'AF_XDP transmit into the lab: 198.18.128.0/17 x %s ports = %s probes per run, unthrottled, every one dropped and counted at the target end of the link (%s cores)\n' \
  "$nports" "$probes" "$(nproc)"
printf 'kpps of all transmit threads together; -1: one thread, one-queue link; -2: two threads, two-queue link\n'
printf '%-6s %9s %9s %9s %9s %9s %9s %9s' round ceiling-1 scan-1 scan/ceil ceiling-2 scan-2 scan-2/1 ceil-2/1
[ -n "$against" ] && printf ' %9s %10s %10s' other-1 other/ceil this/other
echo
declare -a r1 r2s r2c r2x ro rt
for r in $(seq 1 "$rounds"); do
  runs="ceiling-1 scan-1 ceiling-2 scan-2"
  [ -n "$against" ] && runs="$runs other-1"
  # Every other round in the opposite order, so a drift of the machine's load favours neither.
  [ $((r % 2)) = 0 ] && runs=$(echo "$runs" | tr ' ' '\n' | tac | tr '\n' ' ')
  declare -A got=()
  for run in $runs; do one "${run%-*}" "${run#*-}"; got[$run]=$pps; done
  r1+=("$(ratio "${got[scan-1]}" "${got[ceiling-1]}")")
  r2s+=("$(ratio "${got[scan-2]}" "${got[scan-1]}")")
  r2c+=("$(ratio "${got[ceiling-2]}" "${got[ceiling-1]}")")
  r2x+=("$(ratio "${got[scan-2]}" "${got[ceiling-2]}")")
  printf '%-6s %s %s %9.3f %s %s %9.3f %9.3f' "$r" "$(kpps "${got[ceiling-1]}")" "$(kpps "${got[scan-1]}")" "${r1[-1]}" \
    "$(kpps "${got[ceiling-2]}")" "$(kpps "${got[scan-2]}")" "${r2s[-1]}" "${r2c[-1]}"
  if [ -n "$against" ]; then
    ro+=("$(ratio "${got[other-1]}" "${got[ceiling-1]}")")
    rt+=("$(ratio "${got[scan-1]}" "${got[other-1]}")")
    printf ' %s %10.3f %10.3f' "$(kpps "${got[other-1]}")" "${ro[-1]}" "${rt[-1]}"
  fi
  echo
done
m() { printf '%s\n' "$@" | median; }
printf 'every run: %s of %s probes counted at the target end of the link\n' "$probes" "$probes"
printf 'ratio, scan / ceiling, one transmit core: median %.3f over %s rounds\n' "$(m "${r1[@]}")" "$rounds"
printf 'ratio, scan 2 transmit threads (two-queue link) / 1 (one-queue link): median %.3f\n' "$(m "${r2s[@]}")"
printf 'ratio, ceiling 2 threads / 1: median %.3f; scan / ceiling with 2 threads: median %.3f\n' \
  "$(m "${r2c[@]}")" "$(m "${r2x[@]}")"
if [ -n "$against" ]; then
  printf 'ratio, other / ceiling: median %.3f; this build / other: median %.3f\n' "$(m "${ro[@]}")" "$(m "${rt[@]}")"
fi
if [ "$(nproc)" -le 2 ]; then
  printf 'note: %s cores: each transmit thread does its frames'"'"' softirq work on its own core (a veth delivers in the sender'"'"'s softirq), so two threads need both cores whole, shared with the receive threads and with whatever else runs on the machine, while one thread leaves the second core to those: 2x is not reachable here\n' "$(nproc)"
fi
