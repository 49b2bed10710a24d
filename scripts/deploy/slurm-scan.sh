#!/usr/bin/env bash
# One scan spread over a Slurm cluster as a job array: task i scans shard i of N (every task
# has the same config, so the same seed and order, and takes its own part), then a merge job
# (slurm-merge.sh, run once every task has ended) checks each shard's --metadata and merges
# the shards' -oB files with `masscan --readscan`. See docs/distributed.md.
#
#   scripts/deploy/slurm-scan.sh [--wait] [--tasks LIST] [--sbatch "ARGS"] CONF RESULTS N
#
#   CONF     the scan config (targets, ports, rate, seed, ...; masscan -c format); copied to
#            RESULTS/scan.conf, which every task reads, so later edits change nothing
#   RESULTS  a directory every node of the cluster sees (shared filesystem)
#   N        the number of shards (array tasks 1..N), one node each
#   --wait   block until the merge job ends; exit with its status
#   --tasks LIST  submit only these tasks again (e.g. 3,7: after a node failed), then merge
#   --sbatch "ARGS"  more sbatch options for the tasks (partition, time limit, account, ...)
#
# Environment: MASSCAN names the binary on the nodes (default masscan on the PATH; a command
# with arguments is allowed), MASSCAN_ARGS adds arguments to every task's masscan.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
wait=""
tasks=""
extra=""
while [ $# -gt 0 ]; do
  case "$1" in
    --wait) wait=1 ;;
    --tasks) tasks="$2"; shift ;;
    --sbatch) extra="$2"; shift ;;
    -h|--help) sed -n '2,18p' "$0"; exit 0 ;;
    -*) echo "slurm-scan: unknown option $1 (see --help)" >&2; exit 2 ;;
    *) break ;;
  esac
  shift
done
[ $# -eq 3 ] || { echo "slurm-scan: usage: slurm-scan.sh [--wait] [--tasks LIST] [--sbatch ARGS] CONF RESULTS N" >&2; exit 2; }
conf=$1 results=$2 n=$3
command -v sbatch >/dev/null || { echo "slurm-scan: sbatch not found: run this on a Slurm submit host (Debian: apt-get install slurm-client)" >&2; exit 1; }
[ -r "$conf" ] || { echo "slurm-scan: cannot read the scan config $conf" >&2; exit 1; }
case "$n" in ''|*[!0-9]*|0) echo "slurm-scan: N must be a shard count of 1 or more, not '$n'" >&2; exit 2 ;; esac
mkdir -p "$results"
results=$(cd "$results" && pwd)
if [ -z "$tasks" ]; then
  cp "$conf" "$results/scan.conf"
  rm -f "$results"/shard-*.bin "$results"/shard-*.json "$results"/merged.*
  tasks="1-$n"
elif [ ! -e "$results/scan.conf" ]; then
  echo "slurm-scan: --tasks re-runs part of a scan, but $results/scan.conf is not there" >&2
  exit 1
fi
export MASSCAN_SHARDS=$n MASSCAN_CONF=$results/scan.conf MASSCAN_RESULTS=$results
# shellcheck disable=SC2086 # $extra is a list of sbatch options
array=$(sbatch --parsable --array="$tasks" --output="$results/shard-%a.log" \
  --export=ALL $extra "$here/masscan-shard.sbatch")
array=${array%%;*}
echo "slurm-scan: job array $array: tasks $tasks of $n shards, results in $results"
merge=$(sbatch --parsable --job-name=masscan-merge --dependency="afterany:$array" \
  --kill-on-invalid-dep=yes --output="$results/merge.log" --export=ALL \
  ${wait:+--wait} "$here/slurm-merge.sh" "$results" "$n") || status=$?
merge=${merge%%;*}
echo "slurm-scan: merge job $merge writes $results/merged.bin, merged.xml and merged.txt (log: merge.log)"
if [ -n "$wait" ]; then
  cat "$results/merge.log" 2>/dev/null || true
  exit "${status:-0}"
fi
