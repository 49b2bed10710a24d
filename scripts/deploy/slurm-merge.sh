#!/usr/bin/env bash
# Merges the shards of a scan that slurm-scan.sh ran (a Slurm job of its own, after the array;
# it also runs by hand): checks that RESULTS holds one --metadata document per shard 1..N,
# all of the same scan (fingerprint), each completed with no index left, then merges the
# shards' -oB files with `masscan --readscan` into RESULTS/merged.bin, merged.xml and
# merged.txt. Exits 1, naming the shards to run again, when the scan is not complete.
#
#   scripts/deploy/slurm-merge.sh RESULTS N
#SBATCH --job-name=masscan-merge
#SBATCH --ntasks=1
set -euo pipefail
[ $# -eq 2 ] || { echo "slurm-merge: usage: slurm-merge.sh RESULTS N" >&2; exit 2; }
results=$1 n=$2
command -v jq >/dev/null || { echo "slurm-merge: jq not found (Debian: apt-get install jq)" >&2; exit 1; }
masscan=${MASSCAN:-masscan}
fingerprint="" bad=() files=() sent=0 open=0
for i in $(seq 1 "$n"); do
  doc=$results/shard-$i.json
  if [ ! -s "$doc" ]; then
    echo "slurm-merge: shard $i: no metadata ($doc): the task never started or its node died"
    bad+=("$i"); continue
  fi
  read -r fp idx count exit left probes found < <(jq -r \
    '[.scan.fingerprint, .shard.index, .shard.count, .exit, .probes.indices_left, .probes.sent, .found.open] | map(tostring) | join(" ")' "$doc")
  fingerprint=${fingerprint:-$fp}
  if [ "$fp" != "$fingerprint" ]; then
    echo "slurm-merge: shard $i: another scan (fingerprint $fp, not $fingerprint)"; bad+=("$i")
  elif [ "$idx/$count" != "$i/$n" ]; then
    echo "slurm-merge: shard $i: the document says shard $idx/$count"; bad+=("$i")
  elif [ "$exit" != completed ] || [ "$left" != 0 ]; then
    echo "slurm-merge: shard $i: $exit with $left indices left"; bad+=("$i")
  else
    sent=$((sent + probes)) open=$((open + found))
    files+=("$results/shard-$i.bin")
  fi
done
if [ ${#bad[@]} -gt 0 ]; then
  list=$(IFS=,; echo "${bad[*]}")
  echo "slurm-merge: incomplete: ${#bad[@]} of $n shards; run them again with: slurm-scan.sh --tasks $list CONF $results $n" >&2
  exit 1
fi
# shellcheck disable=SC2086 # MASSCAN may be a command with arguments
$masscan --readscan "${files[@]}" -oB "$results/merged.bin" -oX "$results/merged.xml" \
  -oL "$results/merged.txt"
echo "slurm-merge: $n shards of scan $fingerprint complete: $sent probes, $open open; merged into $results/merged.{bin,xml,txt}"
