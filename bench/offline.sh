#!/usr/bin/env bash
# Offline transmit benchmark: the full per-probe path (permutation, target pick, cookie,
# template fill, checksums, hand-off to the offline driver's frames) for 0.0.0.0/0 port 80,
# unthrottled, with 1 and then 2 transmit threads. Prints packets per second per core and the
# ratio between the runs (both measured in this one run; the machine is shared and noisy).
# Sends nothing. Usage: bench/offline.sh [--quick]
set -euo pipefail
cd "$(dirname "$0")/.."
[ -d "$HOME/.cargo/bin" ] && export PATH="$HOME/.cargo/bin:$PATH"
count=200000000
[ "${1:-}" = "--quick" ] && count=5000000
cargo build --release -q -p masscan
M=./target/release/masscan
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
export MASSCAN_DEFAULT_CONF=""

printf 'offline SYN transmit, 0.0.0.0/0 -p80, %s probes per run, unthrottled (%s cores)\n' "$count" "$(nproc)"
printf '%-8s %-5s %-9s %12s %9s %11s\n' threads core cpu probes seconds Mpps/core
declare -A total
for t in 1 2; do
  $M 0.0.0.0/0 --exclude 255.255.255.255 -p80 --offline --rate 1e9 --tx-threads "$t" \
     --resume-count "$count" --seed 1 --nostatus 2>"$tmp/err$t"
  # tx-core K (cpu N): S probes in T s = P pps, ...
  while read -r _ core cpu cpuid probes _ _ secs _ _ pps _; do
    printf '%-8s %-5s %-9s %12s %9s %11.2f\n' "$t" "${core}" "${cpu#(}${cpuid%):}" "$probes" "$secs" \
      "$(echo "$pps / 1000000" | bc -l)"
  done < <(grep '^tx-core' "$tmp/err$t")
  total[$t]=$(sed -n 's/^total: .* = \([0-9]*\) pps.*/\1/p' "$tmp/err$t")
  printf '%-8s total %.2f Mpps\n' "$t" "$(echo "${total[$t]} / 1000000" | bc -l)"
done
printf 'ratio, 2 threads / 1 thread (total): %.2f\n' "$(echo "${total[2]} / ${total[1]}" | bc -l)"
