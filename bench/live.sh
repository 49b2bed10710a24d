#!/usr/bin/env bash
# Live transmit and receive benchmark through AF_PACKET into the lab (scripts/lab.sh): SYN scans
# of the lab's 65,536-address block (every address answers: port 8080 open, the others closed),
# unthrottled, with 1 and then 2 transmit threads (each with its own receive thread). Prints
# packets per second per transmit core, replies received and open ports found, and the ratio
# between the runs (measured in this one run; the machine is shared and noisy). Every packet
# stays inside the lab's namespaces; the lab is taken down at the end, also on failure.
# Needs root. Usage: bench/live.sh [--quick]
set -euo pipefail
cd "$(dirname "$0")/.."
[ -d "$HOME/.cargo/bin" ] && export PATH="$HOME/.cargo/bin:$PATH"
ports=22,80,443,8080,25,21,110,143,993,995
[ "${1:-}" = "--quick" ] && ports=22,80,8080
nports=$(echo "$ports" | tr ',' '\n' | wc -l)
cargo build --release -q -p masscan
M=$PWD/target/release/masscan
tmp=$(mktemp -d)
LAB=""
trap '[ -n "$LAB" ] && ./scripts/lab.sh down "$LAB"; rm -rf "$tmp"' EXIT
./scripts/lab.sh up > "$tmp/env"
. "$tmp/env"
export MASSCAN_DEFAULT_CONF=""

probes=$((65536 * nports))
printf 'AF_PACKET SYN scan into the lab: 198.19.0.0/16 x %s ports = %s probes per run, unthrottled (%s cores)\n' \
  "$nports" "$probes" "$(nproc)"
printf '%-8s %-5s %-9s %10s %9s %10s %10s %8s\n' threads core cpu probes seconds kpps/core replies found
declare -A total
for t in 1 2; do
  (cd "$tmp" && ip netns exec "$LAB_SCAN_NS" "$M" 198.19.0.0/16 -p"$ports" --rate 1e9 \
     --tx-threads "$t" --wait 2 --seed 1 --nostatus -oL "found$t.txt" 2>"err$t")
  replies=$(awk '/^rx-core/ {s += $3} END {print s + 0}' "$tmp/err$t")
  found=$(grep -c '^open' "$tmp/found$t.txt" || true)
  while read -r _ core cpu cpuid n _ _ secs _ _ pps _; do
    printf '%-8s %-5s %-9s %10s %9s %10.1f %10s %8s\n' "$t" "${core}" "${cpu#(}${cpuid%):}" "$n" "$secs" \
      "$(echo "$pps / 1000" | bc -l)" "$replies" "$found"
  done < <(grep '^tx-core' "$tmp/err$t")
  # Sum of the per-core rates (each over its own sending time).
  total[$t]=$(awk '/^tx-core/ {for (i = 1; i <= NF; i++) if ($i == "=") s += $(i + 1)} END {print s}' "$tmp/err$t")
  printf '%-8s total %.1f kpps sent; %s of %s probes answered; %s of 65536 open ports found\n' \
    "$t" "$(echo "${total[$t]} / 1000" | bc -l)" "$replies" "$probes" "$found"
done
printf 'ratio, 2 threads / 1 thread (sum of per-core rates): %.2f\n' "$(echo "${total[2]} / ${total[1]}" | bc -l)"
