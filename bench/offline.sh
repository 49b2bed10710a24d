#!/usr/bin/env bash
# Offline transmit benchmark: the full per-probe path (permutation, target pick, cookie,
# template fill, checksums, hand-off to the offline driver's frames) for 0.0.0.0/0 port 80,
# unthrottled, with 1 and then 2 transmit threads. Prints packets per second per core and the
# ratio between the runs (both measured in this one run; the machine is shared and noisy).
# Then one thread per probe kind beside SYN: UDP with an empty datagram, DNS (cookie in the
# transaction id), SNMP (59-byte BER request) and ISAKMP (the largest payload), SCTP INIT (a
# CRC32c per probe) and ICMP echo. Then the two scan orders, one thread each: the original's
# BlackRock (the default) and ours (--permutation feistel).
# Sends nothing. Usage: bench/offline.sh [--quick] [--against OTHER_MASSCAN]
#   --against: also compares one thread of this build with another build (e.g. the previous
#   commit's), three alternating rounds each, in this one run, and prints the median ratio.
set -euo pipefail
cd "$(dirname "$0")/.."
[ -d "$HOME/.cargo/bin" ] && export PATH="$HOME/.cargo/bin:$PATH"
count=200000000
against=""
while [ $# -gt 0 ]; do
  case "$1" in
    --quick) count=5000000 ;;
    --against) against="$2"; shift ;;
    *) echo "usage: bench/offline.sh [--quick] [--against OTHER_MASSCAN]" >&2; exit 2 ;;
  esac
  shift
done
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

# One transmit thread per probe kind, in this one run; ratios against SYN.
printf '\nprobe kinds, one thread, %s probes each\n' "$count"
printf '%-22s %10s %12s\n' kind Mpps/core "vs SYN"
syn=""
for kind in "SYN -p80" "UDP-empty -pU:9999" "UDP-DNS -pU:53" "UDP-SNMP -pU:161" "UDP-ISAKMP -pU:500" "SCTP-INIT -pS:9" "ICMP-echo --ping" "raw-IP-GRE -pO:47"; do
  name=${kind%% *}; arg=${kind#* }
  $M 0.0.0.0/0 --exclude 255.255.255.255 $arg --offline --rate 1e9 --tx-threads 1 \
     --resume-count "$count" --seed 1 --nostatus 2>"$tmp/kind"
  pps=$(sed -n 's/^total: .* = \([0-9]*\) pps.*/\1/p' "$tmp/kind")
  [ -z "$syn" ] && syn=$pps
  printf '%-22s %10.2f %12.2f\n' "$name ($arg)" "$(echo "$pps / 1000000" | bc -l)" "$(echo "$pps / $syn" | bc -l)"
done

# The scan orders, one thread each, SYN -p80, alternating; ratios against Feistel.
printf '\nscan orders, one thread, SYN -p80, %s probes each\n' "$count"
printf '%-22s %10s %12s\n' order Mpps/core "vs feistel"
feistel=""
for order in feistel blackrock feistel blackrock; do
  $M 0.0.0.0/0 --exclude 255.255.255.255 -p80 --offline --rate 1e9 --tx-threads 1 \
     --resume-count "$count" --seed 1 --nostatus --permutation "$order" 2>"$tmp/order"
  pps=$(sed -n 's/^total: .* = \([0-9]*\) pps.*/\1/p' "$tmp/order")
  [ "$order" = feistel ] && feistel=$pps
  printf '%-22s %10.2f %12.2f\n' "$order" "$(echo "$pps / 1000000" | bc -l)" "$(echo "$pps / $feistel" | bc -l)"
done

if [ -n "$against" ]; then
  # pps of one transmit thread of binary $1
  one() {
    "$1" 0.0.0.0/0 --exclude 255.255.255.255 -p80 --offline --rate 1e9 --tx-threads 1 \
       --resume-count "$count" --seed 1 --nostatus 2>"$tmp/one"
    sed -n 's/^total: .* = \([0-9]*\) pps.*/\1/p' "$tmp/one"
  }
  printf '\none thread, this build vs %s, alternating rounds:\n' "$against"
  ratios=()
  for r in 1 2 3; do
    a=$(one "$M"); b=$(one "$against")
    ratio=$(echo "$a / $b" | bc -l)
    ratios+=("$ratio")
    printf 'round %s  this %.2f Mpps  other %.2f Mpps  ratio %.3f\n' "$r" \
      "$(echo "$a / 1000000" | bc -l)" "$(echo "$b / 1000000" | bc -l)" "$ratio"
  done
  median=$(printf '%s\n' "${ratios[@]}" | sort -g | sed -n 2p)
  printf 'ratio, this build / other, one thread: median %.3f\n' "$median"
fi
