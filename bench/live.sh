#!/usr/bin/env bash
# Live transmit and receive benchmark into the lab (scripts/lab.sh): SYN scans of the lab's
# 65,536-address block (every address answers: port 8080 open, the others closed), unthrottled:
# AF_XDP and AF_PACKET with one transmit thread (the lab's veth has one queue), then AF_PACKET with
# 2 transmit threads (each with its own receive thread). Prints packets per second per transmit
# core, replies received and open ports found, and the ratios between the runs (measured in this
# one run; the machine is shared and noisy). Every packet
# stays inside the lab's namespaces; the lab is taken down at the end, also on failure.
# Needs root. Usage: bench/live.sh [--quick] [--against OTHER_MASSCAN]
#   --against: also runs the reflector receive scan with another build (e.g. the previous
#   commit's), three alternating rounds each, and prints the median ratio of the rates.
set -euo pipefail
cd "$(dirname "$0")/.."
[ -d "$HOME/.cargo/bin" ] && export PATH="$HOME/.cargo/bin:$PATH"
ports=22,80,443,8080,25,21,110,143,993,995
against=""
while [ $# -gt 0 ]; do
  case "$1" in
    --quick) ports=22,80,8080 ;;
    --against) against="$2"; shift ;;
    *) echo "usage: bench/live.sh [--quick] [--against OTHER_MASSCAN]" >&2; exit 2 ;;
  esac
  shift
done
nports=$(echo "$ports" | tr ',' '\n' | wc -l)
. bench/lab-env.sh

probes=$((65536 * nports))
# Frames the receive cores took, from a scan's summary ("rx-core K (cpu N): F frames, ...").
replies_in() { awk '/^rx-core/ {for (i = 1; i < NF; i++) if ($(i + 1) == "frames,") s += $i} END {print s + 0}' "$1"; }
printf 'SYN scan into the lab: 198.19.0.0/16 x %s ports = %s probes per run, unthrottled (%s cores)\n' \
  "$nports" "$probes" "$(nproc)"
printf '%-14s %-5s %-9s %10s %9s %10s %10s %8s\n' run core cpu probes seconds kpps/core replies found
declare -A total tx
for run in afxdp-1 afpacket-1 afpacket-2; do
  driver=${run%-*}; t=${run#*-}
  (cd "$tmp" && ip netns exec "$LAB_SCAN_NS" "$M" 198.19.0.0/16 -p"$ports" --rate 1e9 \
     --driver "$driver" --tx-threads "$t" --wait 2 --seed 1 --nostatus -oL "found$run.txt" 2>"err$run")
  replies=$(replies_in "$tmp/err$run")
  found=$(grep -c '^open' "$tmp/found$run.txt" || true)
  while read -r _ core cpu cpuid n _ _ secs _ _ pps _; do
    printf '%-14s %-5s %-9s %10s %9s %10.1f %10s %8s\n' "$run" "${core}" "${cpu#(}${cpuid%):}" "$n" "$secs" \
      "$(echo "$pps / 1000" | bc -l)" "$replies" "$found"
  done < <(grep '^tx-core' "$tmp/err$run")
  grep '^xdp' "$tmp/err$run" | sed 's/^/               /' || true
  # Sum of the per-core rates (each over its own sending time).
  total[$run]=$(awk '/^tx-core/ {for (i = 1; i <= NF; i++) if ($i == "=") s += $(i + 1)} END {print s}' "$tmp/err$run")
  printf '%-14s total %.1f kpps sent; %s of %s probes answered; %s of 65536 open ports found\n' \
    "$run" "$(echo "${total[$run]} / 1000" | bc -l)" "$replies" "$probes" "$found"
done
# Transmit alone: 198.18.128.0/17 is routed to the target namespace, which does not forward it.
# First the target's bridge and IP stack drop it (work done on the sending core too, since a veth
# delivers in the sender's softirq); then an nftables netdev-ingress rule drops it the moment it
# reaches the target's end of the link, so only the sending path is measured (as on a NIC, whose
# wire costs the host nothing). The rule counts the frames: each run's count must equal its
# probes, so every probe counted as sent crossed the link.
counted() {
  ip netns exec "$LAB_TARGET_NS" nft list table netdev masscan_bench |
    sed -n 's/.*counter packets \([0-9]*\).*/\1/p'
}
tx_only() { # $1: what drops the frames; $2: set when the nftables rule counts them
  # Three rounds, each AF_XDP then AF_PACKET back to back; the median round's ratio is reported.
  local ratios=()
  for round in 1 2 3; do
    for run in afxdp afpacket; do
      [ -n "${2:-}" ] && before=$(counted)
      (cd "$tmp" && ip netns exec "$LAB_SCAN_NS" "$M" 198.18.128.0/17 -p1-20 --rate 1e9 --driver "$run" \
         --tx-threads 1 --wait 0 --seed 2 --nostatus 2>"tx$run")
      tx[$run]=$(awk '/^tx-core 0/ {for (i = 1; i <= NF; i++) if ($i == "=") print $(i + 1)}' "$tmp/tx$run")
      line=$(printf 'round %s  %-9s %10.1f kpps/core' "$round" "$run" "$(echo "${tx[$run]} / 1000" | bc -l)")
      if [ -n "${2:-}" ]; then
        seen=$(($(counted) - before))
        [ "$seen" = 655360 ] || { echo "bench: $seen of 655360 frames reached the target's link ($run)" >&2; exit 1; }
        line="$line   ($seen frames counted at the target's link)"
      fi
      echo "$line"
    done
    ratios+=("$(echo "${tx[afxdp]} / ${tx[afpacket]}" | bc -l)")
  done
  printf 'ratio, AF_XDP / AF_PACKET, transmit only (%s), one core: median %.2f (rounds: %s)\n' "$1" \
    "$(printf '%s\n' "${ratios[@]}" | sort -g | sed -n 2p)" \
    "$(printf '%.2f ' "${ratios[@]}" | sed 's/ $//')"
}
printf "\ntransmit only (unanswered 198.18.128.0/17 x 20 ports = 655,360 probes), dropped by the target's IP stack:\n"
tx_only "dropped by the target's IP stack"
ip netns exec "$LAB_TARGET_NS" nft -f - <<EOF
table netdev masscan_bench {
  chain unanswered {
    type filter hook ingress device "$LAB_PEER_IF" priority -500; policy accept;
    ip daddr 198.18.128.0/17 counter drop
  }
}
EOF
printf "\ntransmit only, dropped as the frames reach the target's end of the link (nftables netdev ingress):\n"
tx_only "dropped at the target's link" counted
printf 'ratio, AF_XDP / AF_PACKET, one transmit core, whole scan: %.2f\n' "$(echo "${total[afxdp-1]} / ${total[afpacket-1]}" | bc -l)"
printf 'ratio, AF_PACKET 2 threads / 1 thread (sum of per-core rates): %.2f\n' "$(echo "${total[afpacket-2]} / ${total[afpacket-1]}" | bc -l)"

# Receive at the sender's full rate: an XDP program at the target's end of the link
# (bench/reflector.c) answers every SYN to 198.18.128.0/17 with a SYN-ACK, as a host with every
# port open would, faster than any TCP stack here. Every probe must come back as an open port.
# AF_XDP only: XDP_TX into a veth needs NAPI on the receiving end, which the scanner's veth has
# only while an XDP program is attached (AF_PACKET scans get no replies this way).
clang -O2 -g -Wall -target bpf -I/usr/include/x86_64-linux-gnu -c bench/reflector.c -o "$tmp/reflector.o"
ip -n "$LAB_TARGET_NS" link set dev "$LAB_PEER_IF" xdpdrv obj "$tmp/reflector.o" sec xdp
rprobes=$((32768 * nports))
printf "\nreceive: 198.18.128.0/17 x %s ports = %s probes, each answered by the XDP reflector at the target's link:\n" \
  "$nports" "$rprobes"
# One reflector scan with binary $1, writing $tmp/rxerr and $tmp/reflected.txt.
reflect() {
  (cd "$tmp" && ip netns exec "$LAB_SCAN_NS" "$1" 198.18.128.0/17 -p"$ports" --rate 1e9 --driver afxdp \
     --tx-threads 1 --wait 1 --seed 3 --nostatus -oL reflected.txt 2>rxerr)
  rx_rate=$(awk '/^tx-core 0/ {for (i = 1; i <= NF; i++) if ($i == "=") print $(i + 1)}' "$tmp/rxerr")
  rx_found=$(grep -c '^open' "$tmp/reflected.txt" || true)
}
reflect "$M"
rx_frames=$(replies_in "$tmp/rxerr")
printf 'afxdp          %10.1f kpps/core sent; %s replies received; %s of %s open ports found\n' \
  "$(echo "$rx_rate / 1000" | bc -l)" "$rx_frames" "$rx_found" "$rprobes"
grep -E '^(tx-core|rx-core|xdp \()' "$tmp/rxerr" | sed 's/^/               /'
# On 2 shared cores (sender, receiver, the reflector and the steering program all on them) the
# fill ring can run empty and the kernel drop replies: the scanner counts those (kernel drops).
# The bench fails only on a loss the counters do not account for.
rx_drops=$(awk '/^rx-core/ {for (i = 1; i <= NF; i++) if ($i == "kernel" && $(i + 1) == "drops,") s += $(i - 1)} END {print s + 0}' "$tmp/rxerr")
if [ "$rx_found" != "$rprobes" ]; then
  echo "bench: $((rprobes - rx_found)) of $rprobes replies lost; the scanner counted $rx_drops kernel drops (fill ring empty)"
  [ $((rx_found + rx_drops)) -ge "$rprobes" ] || { echo "bench: the receive side lost replies it did not count: $rx_found found + $rx_drops counted drops < $rprobes" >&2; exit 1; }
fi

if [ -n "$against" ]; then
  printf '\nreceive at the reflector, this build vs %s, alternating rounds:\n' "$against"
  ratios=()
  for r in 1 2 3; do
    reflect "$M"; a=$rx_rate; fa=$rx_found
    reflect "$against"; b=$rx_rate; fb=$rx_found
    ratio=$(echo "$a / $b" | bc -l)
    ratios+=("$ratio")
    printf 'round %s  this %.1f kpps (%s found)  other %.1f kpps (%s found)  ratio %.3f\n' "$r" \
      "$(echo "$a / 1000" | bc -l)" "$fa" "$(echo "$b / 1000" | bc -l)" "$fb" "$ratio"
  done
  median=$(printf '%s\n' "${ratios[@]}" | sort -g | sed -n 2p)
  printf 'ratio, this build / other, reflector receive: median %.3f\n' "$median"
fi
