#!/usr/bin/env bash
# How often the coverage estimate's 95% interval holds the truth, in the lab (scripts/lab.sh).
# bench/reflector.c, attached at the target's end of the lab's veth, answers every SYN to
# 198.18.128.0/17, so a scan of 198.18.128.0/18 x ports 80,443 has exactly 32,768 open ports.
# `--inject-faults drop=P,seed=K` loses a share P of the probes and of the replies, each frame on
# its own; for each number of retries and each share, several scans with different seeds print
# the ports found, the estimate, its interval, and whether the interval held the truth; then how
# often it held over all runs, and the estimate's mean error. Fails when the interval held in
# fewer than 80% of the runs or the mean estimate is more than 2% off (a 95% interval holds in
# about 95% of runs when the estimator is right).
# Every packet stays inside the lab's namespaces; the lab is taken down at the end, also on failure.
# Needs root and clang. Usage: bench/coverage.sh [--quick] [--runs N]
set -euo pipefail
cd "$(dirname "$0")/.."
[ -d "$HOME/.cargo/bin" ] && export PATH="$HOME/.cargo/bin:$PATH"
runs=10
shares="0.1 0.3 0.5"
retries_list="1 2"
while [ $# -gt 0 ]; do
  case "$1" in
    --quick) runs=3; shares="0.2 0.4"; retries_list="1 2" ;;
    --runs) runs="$2"; shift ;;
    *) echo "usage: bench/coverage.sh [--quick] [--runs N]" >&2; exit 2 ;;
  esac
  shift
done
. bench/lab-env.sh
clang -O2 -g -Wall -target bpf -I/usr/include/x86_64-linux-gnu -c bench/reflector.c -o "$tmp/reflector.o"
ip -n "$LAB_TARGET_NS" link set dev "$LAB_PEER_IF" xdpdrv obj "$tmp/reflector.o" sec xdp
truth=32768
printf 'coverage estimate: 198.18.128.0/18 x 2 ports = %s open ports (XDP reflector), %s runs per case\n' "$truth" "$runs"
printf '%-8s %-6s %-5s %8s %10s %22s %6s\n' retries drop seed found estimate "95% interval" held
: > "$tmp/results"
for r in $retries_list; do
  for p in $shares; do
    for k in $(seq 1 "$runs"); do
      seed=$((k * 101 + r * 7))
      (cd "$tmp" && ip netns exec "$LAB_SCAN_NS" "$M" 198.18.128.0/18 -p80,443 --coverage --retries "$r" \
         --rate 100000 --driver afxdp --wait 1 --seed "$seed" --inject-faults "drop=$p,seed=$seed" \
         --nostatus --stats-json stats.json -oL /dev/null 2>err) || { cat "$tmp/err" >&2; exit 1; }
      tail -n 1 "$tmp/stats.json" | python3 -c '
import json, sys
c = json.load(sys.stdin)["coverage"]
truth, r, p, seed = int(sys.argv[1]), sys.argv[2], sys.argv[3], sys.argv[4]
if not c.get("estimated"):
    sys.exit("no estimate: %s" % c)
held = c["open_low"] <= truth <= c["open_high"]
print("%-8s %-6s %-5s %8d %10.0f %10.0f - %-9.0f %6s" % (r, p, seed, c["found"], c["open"], c["open_low"], c["open_high"], "yes" if held else "NO"))
with open(sys.argv[5], "a") as f:
    f.write("%d %f\n" % (held, c["open"]))
' "$truth" "$r" "$p" "$seed" "$tmp/results"
    done
  done
done
python3 - "$tmp/results" "$truth" <<'PY'
import sys
rows = [l.split() for l in open(sys.argv[1])]
truth = int(sys.argv[2])
held = sum(int(h) for h, _ in rows)
mean = sum(float(e) for _, e in rows) / len(rows)
err = mean / truth - 1
print("the 95%% interval held the truth in %d of %d runs (%.0f%%); mean estimate %.0f (%+.2f%% off)"
      % (held, len(rows), 100.0 * held / len(rows), mean, 100 * err))
if held < 0.8 * len(rows) or abs(err) > 0.02:
    sys.exit("the estimate is off: see above")
PY
