#!/usr/bin/env bash
# Runs the benchmarks behind docs/benchmarks.md and draws their plots (gnuplot, PNG):
#   tx-vs-threads.png   transmit rate per core against transmit threads (1..cores), for the
#                       offline backend and, into the lab, AF_XDP and AF_PACKET (frames to
#                       unanswered addresses, dropped by the target's IP stack)
#   hit-rate.png        open ports found against the rate asked for: AF_XDP scans (a transmit
#                       and a receive thread per core) of the lab's 65,536-address block
#                       where every address has 8080 open
#   per-core.png        per-core transmit and receive rates over time from --stats-json, one
#                       throttled AF_XDP scan with a transmit and a receive thread per queue
# with each plot's numbers beside it (NAME.dat). Every packet stays inside the lab's
# namespaces; the lab is taken down at the end, also on failure. Needs root and gnuplot
# (scripts/setup.sh installs gnuplot-nox).
#   bench/plots.sh [--quick] [--out DIR]   (default DIR: docs/plots; --quick: small runs into a
#                                           temporary directory unless --out is given)
#   bench/plots.sh --replot [--out DIR]    draw the plots again from DIR's .dat files
set -euo pipefail
cd "$(dirname "$0")/.."
[ -d "$HOME/.cargo/bin" ] && export PATH="$HOME/.cargo/bin:$PATH"
quick=0 out="" replot=0
while [ $# -gt 0 ]; do
  case "$1" in
    --quick) quick=1 ;;
    --out) out="$2"; shift ;;
    --replot) replot=1 ;;
    *) echo "usage: bench/plots.sh [--quick] [--out DIR]" >&2; exit 2 ;;
  esac
  shift
done
command -v gnuplot >/dev/null || { echo "plots: gnuplot missing (scripts/setup.sh installs gnuplot-nox)" >&2; exit 1; }
command -v jq >/dev/null || { echo "plots: jq missing (scripts/setup.sh installs it)" >&2; exit 1; }
measure() {
cargo build --release -q -p masscan
M=$PWD/target/release/masscan
cores=$(nproc)
# AF_XDP takes one transmit and one receive thread per queue of the link: a lab per thread count.
lab_up() {
  [ -n "$LAB" ] && ./scripts/lab.sh down "$LAB"
  LAB=""
  LAB_QUEUES=$1 ./scripts/lab.sh up > "$tmp/env"
  . "$tmp/env"
}
export MASSCAN_DEFAULT_CONF=""
if [ "$quick" = 1 ]; then
  offline_count=2000000 tx_ports=1-4 rates="50000 400000" hit_ports=8080 over_ports=1-8 over_rate=100000
else
  offline_count=50000000 tx_ports=1-40 rates="25000 50000 100000 200000 400000 800000 1600000 3200000"
  hit_ports=8080 over_ports=1-100 over_rate=300000
fi
# The sum of the per-core rates in a scan's summary ("tx-core K (cpu N): S probes in T s = P pps").
tx_sum() { awk '/^tx-core/ {for (i = 1; i <= NF; i++) if ($i == "=") s += $(i + 1)} END {print s + 0}' "$1"; }
live() { (cd "$tmp" && ip netns exec "$LAB_SCAN_NS" "$M" "$@" --nostatus >/dev/null); }

# 1. Transmit rate per core against transmit threads.
echo "# threads offline_Mpps_per_core afxdp_Mpps_per_core afpacket_Mpps_per_core" > "$out/tx-vs-threads.dat"
for t in $(seq 1 "$cores"); do
  lab_up "$t"
  "$M" 0.0.0.0/0 --exclude 255.255.255.255 -p80 --offline --rate 1e9 --tx-threads "$t" \
    --resume-count "$offline_count" --seed 1 --nostatus 2>"$tmp/off"
  row="$t $(printf %.3f "$(echo "$(tx_sum "$tmp/off") / $t / 1000000" | bc -l)")"
  for driver in afxdp afpacket; do
    live 198.18.128.0/17 -p"$tx_ports" --rate 1e9 --driver "$driver" --tx-threads "$t" --wait 0 \
      --seed 2 2>"$tmp/live"
    row="$row $(printf %.3f "$(echo "$(tx_sum "$tmp/live") / $t / 1000000" | bc -l)")"
  done
  echo "$row" >> "$out/tx-vs-threads.dat"
done

# 2. Open ports found against the rate asked for.
echo "# rate_pps found_percent sent_kpps" > "$out/hit-rate.dat"
for r in $rates; do
  live 198.19.0.0/16 -p"$hit_ports" --rate "$r" --driver afxdp --tx-threads "$cores" --wait 2 --seed 3 -oL hit.txt 2>"$tmp/hit"
  found=$(grep -c '^open' "$tmp/hit.txt" || true)
  printf '%s %.2f %.1f\n' "$r" "$(echo "$found * 100 / 65536" | bc -l)" "$(echo "$(tx_sum "$tmp/hit") / 1000" | bc -l)" >> "$out/hit-rate.dat"
done

# 3. Per-core rates over time (--stats-json: one object a second).
live 198.19.0.0/16 -p"$over_ports" --rate "$over_rate" --driver afxdp --tx-threads "$cores" \
  --wait 1 --seed 4 --stats-json stats.json 2>"$tmp/over"
{
  echo "# elapsed_s then per transmit core kpps, then per receive core kframes/s"
  # Receive rates are the change in each core's frame count between two objects.
  jq -s -r '[.[] | select(.final | not)] as $a | range(0; $a | length) as $i | $a[$i] as $o
    | (if $i == 0 then {elapsed: 0, rx: [$o.rx[] | {frames: 0}]} else $a[$i - 1] end) as $p
    | [$o.elapsed] + [$o.tx[].pps / 1000]
      + [range(0; $o.rx | length) as $k | ($o.rx[$k].frames - $p.rx[$k].frames) / ($o.elapsed - $p.elapsed) / 1000]
    | map(. * 1000 | round / 1000 | tostring) | join(" ")' "$tmp/stats.json"
} > "$out/per-core.dat"
{
  echo "# ntx=$(jq -s '.[0].tx | length' "$tmp/stats.json") nrx=$(jq -s '.[0].rx | length' "$tmp/stats.json") rate=$over_rate"
  echo "# host=$(nproc) cores, $(uname -r), $(date -u +%Y-%m-%d)"
  cat "$out/per-core.dat"
} > "$tmp/pc" && mv "$tmp/pc" "$out/per-core.dat"
}

# The plots, from the .dat files (the run's facts are in per-core.dat's first lines).
draw() {
meta() { sed -n "s/^# .*$1=\([^ ]*\).*/\1/p" "$out/per-core.dat" | head -n1; }
ntx=$(meta ntx) nrx=$(meta nrx) over_rate=$(meta rate)
host=$(sed -n 's/^# host=//p' "$out/per-core.dat")
gnuplot <<GP
set terminal pngcairo size 800,500 font "sans,10" noenhanced
set grid
set key top right
set output "$out/tx-vs-threads.png"
set title "Transmit rate per core against transmit threads ($host)"
set xlabel "transmit threads"
set ylabel "Mpps per core (log scale)"
set xtics 1
set logscale y
set yrange [0.1:100]
plot "$out/tx-vs-threads.dat" using 1:2 with linespoints lw 2 title "offline (nothing sent)", \
     "" using 1:3 with linespoints lw 2 title "AF_XDP into the lab", \
     "" using 1:4 with linespoints lw 2 title "AF_PACKET into the lab"
unset logscale y
set key bottom right
set output "$out/hit-rate.png"
set title "Open ports found against the rate asked for (AF_XDP, $ntx queues, lab, 65,536 open)"
set xlabel "--rate (probes/s)"
set ylabel "open ports found (%)"
set logscale x
set xtics auto
set yrange [0:105]
set y2label "probes/s sent (k)"
set y2tics
set y2range [0:*]
plot "$out/hit-rate.dat" using 1:2 with linespoints lw 2 title "found (%)", \
     "" using 1:3 axes x1y2 with linespoints lw 1 dt 2 title "sent (kpps, right axis)"
unset logscale x
unset y2label
unset y2tics
set key top right
set output "$out/per-core.png"
set title "Per-core rates over time, --stats-json (AF_XDP, --rate $over_rate, $ntx transmit threads)"
set xlabel "seconds since start"
set ylabel "k per second"
set yrange [0:*]
set xtics auto
plot for [i=1:$ntx] "$out/per-core.dat" using 1:(column(1+i)) with linespoints lw 2 title sprintf("tx-core %d probes", i-1), \
     for [i=1:$nrx] "" using 1:(column(1+$ntx+i)) with linespoints lw 1 dt 2 title sprintf("rx-core %d frames", i-1)
GP
}

tmp=$(mktemp -d)
LAB=""
trap '[ -n "$LAB" ] && ./scripts/lab.sh down "$LAB"; rm -rf "$tmp"' EXIT
if [ "$replot" = 1 ]; then
  out=${out:-docs/plots}
else
  if [ -z "$out" ]; then
    if [ "$quick" = 1 ]; then out=$tmp/plots; else out=docs/plots; fi
  fi
  mkdir -p "$out"
  measure
fi
draw
for f in tx-vs-threads hit-rate per-core; do
  head -c 8 "$out/$f.png" | od -An -c | grep -q 'P   N   G' || { echo "plots: $out/$f.png is not a PNG" >&2; exit 1; }
  echo "== $f ($out/$f.png)"
  cat "$out/$f.dat"
done
