#!/usr/bin/env bash
# Offline transmit benchmark: the full per-probe path (permutation, target pick, cookie,
# template fill, checksums, hand-off to the offline driver's frames) for 0.0.0.0/0 port 80,
# unthrottled, with 1 and then 2 transmit threads. Prints packets per second per core and the
# ratio between the runs (both measured in this one run; the machine is shared and noisy).
# Then one thread per probe kind beside SYN: UDP with an empty datagram, DNS (cookie in the
# transaction id), SNMP (59-byte BER request) and ISAKMP (the largest payload), SCTP INIT (a
# CRC32c per probe) and ICMP echo. Then the two scan orders, one thread each: the original's
# BlackRock (the default) and ours (--permutation feistel).
# Sends nothing. Usage: bench/offline.sh [--quick] [--against OTHER_MASSCAN] [--zmap ZMAP]
#   --against: also compares one thread of this build with another build (e.g. the previous
#   commit's), three alternating rounds each, in this one run, and prints the median ratio.
#   --zmap: also compares with ZMap's --fast-dryrun (ZMap 4.x: Debian 12 packages 2.1.1, which
#   has none; build it from its public source with cmake -DWITH_AES_HW=ON): both whole
#   processes pinned to one CPU, one send thread, the same probe count, three alternating
#   rounds; the figure is probes per CPU-second (user + system time of the whole process, so
#   other load on the machine does not count), and the ratio ours / ZMap's for both our orders.
#   ZMap runs in a namespace of its own (a veth pair with 198.18.0.2 and no route anywhere;
#   --fast-dryrun sends nothing, but it opens an interface), removed at the end.
set -euo pipefail
cd "$(dirname "$0")/.."
[ -d "$HOME/.cargo/bin" ] && export PATH="$HOME/.cargo/bin:$PATH"
count=200000000
against=""
zmap=""
while [ $# -gt 0 ]; do
  case "$1" in
    --quick) count=5000000 ;;
    --against) against="$2"; shift ;;
    --zmap) zmap=$(realpath "$2"); shift ;;
    *) echo "usage: bench/offline.sh [--quick] [--against OTHER_MASSCAN] [--zmap ZMAP]" >&2; exit 2 ;;
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

if [ -n "$zmap" ]; then
  [ "$(id -u)" = 0 ] || { echo "bench/offline.sh: --zmap needs root (a namespace for ZMap)" >&2; exit 1; }
  ns=msbench-zmap-$$
  trap 'ip netns del "$ns" 2>/dev/null || true; rm -rf "$tmp"' EXIT
  ip netns add "$ns"
  ip -n "$ns" link add zm0 type veth peer name zm1
  ip -n "$ns" addr add 198.18.0.2/24 dev zm0
  ip -n "$ns" link set zm0 up
  ip -n "$ns" link set zm1 up
  : > "$tmp/blocklist"
  cpu=$(( $(nproc) - 1 ))
  # CPU seconds (user + system) of one whole process pinned to $cpu.
  cpu_secs() {
    /usr/bin/time -f '%U %S' -o "$tmp/time" taskset -c "$cpu" "$@" >/dev/null 2>"$tmp/cmd-err" \
      || { cat "$tmp/cmd-err" >&2; return 1; }
    awk '{print $1 + $2}' "$tmp/time"
  }
  zmap_run() {
    cpu_secs ip netns exec "$ns" "$zmap" -p 80 -n "$count" -r 0 -T 1 -c 0 --fast-dryrun \
      -i zm0 -S 198.18.0.2 -G 02:00:00:00:00:01 --seed 1 -q -b "$tmp/blocklist" 0.0.0.0/0
  }
  ours_run() {
    cpu_secs "$M" 0.0.0.0/0 --exclude 255.255.255.255 -p80 --offline --rate 1e9 --tx-threads 1 \
      --resume-count "$count" --seed 1 --nostatus --permutation "$1"
  }
  printf '\nagainst %s --fast-dryrun, one CPU each (cpu %s), %s probes, CPU seconds per run:\n' \
    "$("$zmap" --version 2>/dev/null | head -1)" "$cpu" "$count"
  printf '%-6s %10s %10s %10s %12s %12s\n' round zmap blackrock feistel "br / zmap" "fe / zmap"
  br_ratios=(); fe_ratios=()
  for r in 1 2 3; do
    z=$(zmap_run); b=$(ours_run blackrock); f=$(ours_run feistel)
    rb=$(echo "$z / $b" | bc -l); rf=$(echo "$z / $f" | bc -l)
    br_ratios+=("$rb"); fe_ratios+=("$rf")
    printf '%-6s %10.2f %10.2f %10.2f %12.2f %12.2f\n' "$r" "$z" "$b" "$f" "$rb" "$rf"
  done
  med() { printf '%s\n' "$@" | sort -g | sed -n 2p; }
  printf 'probes per CPU-second, ours / ZMap, median of 3: BlackRock (the default) %.2fx, Feistel %.2fx\n' \
    "$(med "${br_ratios[@]}")" "$(med "${fe_ratios[@]}")"
fi
