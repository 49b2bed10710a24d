#!/usr/bin/env bash
# Transmit rate per core of every backend, one transmit thread each, measured in this one run
# (rounds alternate the backends; the machine is shared and noisy, so compare the ratios):
#   offline             builds every frame, sends nothing
#   dpdk net_null       DPDK's null device (frames freed by the driver): DPDK's own cost
#   afxdp, afpacket     into the lab: unanswered addresses (198.18.128.0/17), which the
#   dpdk net_af_packet  target's IP stack drops
# Prints Mpps per core for each backend and round, and the median ratio to offline. Every
# live packet stays inside the lab's namespaces; the lab is taken down at the end, also on
# failure. Needs root; the DPDK rows need a build with the DPDK backend (masscan -V).
#   bench/backends.sh [--quick]
set -euo pipefail
cd "$(dirname "$0")/.."
[ -d "$HOME/.cargo/bin" ] && export PATH="$HOME/.cargo/bin:$PATH"
rounds=3 ports=1-20 offline_count=20000000
[ "${1:-}" = "--quick" ] && rounds=1 ports=1-4 offline_count=2000000
. bench/lab-env.sh
backends="offline afxdp afpacket"
if "$M" -V | grep -q '^Drivers:.* dpdk (DPDK'; then
  backends="offline dpdk-null afxdp afpacket dpdk-af_packet"
else
  echo "bench: this masscan was built without DPDK: no DPDK rows"
fi
eal="--no-huge -m 256 --no-pci"
# Same source and router for every backend (DPDK ports have no kernel interface to ask).
addr=(--adapter-ip 198.18.0.50 --router-mac "$(ip -n "$LAB_SCAN_NS" neigh show 198.18.0.1 | awk '{print $5}')")
if [ -z "${addr[3]}" ]; then
  ip netns exec "$LAB_SCAN_NS" ping -c1 -W1 198.18.0.1 >/dev/null
  addr[3]=$(ip -n "$LAB_SCAN_NS" neigh show 198.18.0.1 | awk '{print $5}')
fi
# Mpps of one transmit thread of backend $1.
one() {
  local live=(198.18.128.0/17 -p"$ports" --rate 1e9 --tx-threads 1 --wait 0 --seed 2 --nostatus "${addr[@]}")
  case "$1" in
    offline) "$M" 0.0.0.0/0 --exclude 255.255.255.255 -p80 --offline --rate 1e9 --tx-threads 1 \
               --resume-count "$offline_count" --seed 1 --nostatus 2>"$tmp/err" ;;
    dpdk-null) ip netns exec "$LAB_SCAN_NS" "$M" "${live[@]}" --driver dpdk -e net_null0 \
               --dpdk-args "$eal --vdev=net_null0,no-rx=1" --adapter-mac 02:00:00:00:00:50 2>"$tmp/err" ;;
    dpdk-af_packet) ip netns exec "$LAB_SCAN_NS" "$M" "${live[@]}" --driver dpdk -e net_af_packet0 \
               --dpdk-args "$eal --vdev=net_af_packet0,iface=$LAB_IF" 2>"$tmp/err" ;;
    *) ip netns exec "$LAB_SCAN_NS" "$M" "${live[@]}" --driver "$1" 2>"$tmp/err" ;;
  esac >/dev/null
  grep -q "\[${1%%-*}\]" "$tmp/err" || { echo "bench: the $1 run did not run on its backend:" >&2; cat "$tmp/err" >&2; exit 1; }
  awk '/^tx-core 0/ {for (i = 1; i <= NF; i++) if ($i == "=") printf "%.3f\n", $(i + 1) / 1e6}' "$tmp/err"
}
printf 'transmit rate per core, one transmit thread, %s round(s) (%s cores)\n' "$rounds" "$(nproc)"
printf '%-6s' round; for b in $backends; do printf ' %15s' "$b"; done; echo
declare -A ratios
for r in $(seq 1 "$rounds"); do
  printf '%-6s' "$r"
  base=""
  for b in $backends; do
    mpps=$(one "$b")
    base=${base:-$mpps}
    ratios[$b]="${ratios[$b]:-} $(echo "$mpps / $base" | bc -l)"
    printf ' %10s Mpps' "$mpps"
  done
  echo
done
printf '%-6s' ratio
for b in $backends; do
  median=$(printf '%s\n' ${ratios[$b]} | sort -g | awk '{v[NR] = $1} END {print v[int((NR + 1) / 2)]}')
  printf ' %15.3f' "$median"
done
printf '   (median over the rounds, each backend / offline)\n'
