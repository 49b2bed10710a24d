#!/usr/bin/env bash
# Regenerates cli/tests/fixtures/blackrock/: the original masscan's `-sL` output (Debian's
# masscan 1.3.2, unpacked into a temporary directory, never installed) for the cases listed in
# cases.txt, which cli/tests/cli/list_scan.rs compares `--permutation blackrock` against.
# -sL sends nothing. Run as root on Debian: ./scripts/blackrock_fixtures.sh
set -euo pipefail
cd "$(dirname "$0")/.."
dir=cli/tests/fixtures/blackrock
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
command -v apt-get >/dev/null || { echo "needs apt-get (Debian)" >&2; exit 1; }
apt-get update -qq
(cd "$tmp" && apt-get download -qq masscan 2>/dev/null && dpkg-deb -x masscan_*.deb root)
orig="$tmp/root/usr/bin/masscan"
"$orig" -V 2>&1 | grep -m1 "Masscan version" || true
n=0
while IFS= read -r line; do
    [[ -z "$line" || "$line" == \#* ]] && continue
    n=$((n + 1))
    # Large listings are kept as a line count and a SHA-256, small ones whole.
    # shellcheck disable=SC2086
    "$orig" -sL $line 2>/dev/null > "$tmp/out"
    lines=$(wc -l < "$tmp/out")
    rm -f "$dir/case$n.txt" "$dir/case$n.sha256"
    if [ "$lines" -gt 10000 ]; then
        echo "$lines $(sha256sum < "$tmp/out" | cut -d' ' -f1)" > "$dir/case$n.sha256"
    else
        cp "$tmp/out" "$dir/case$n.txt"
    fi
    echo "case$n: $line ($lines lines)"
done < "$dir/cases.txt"
# The original's own paused.conf, listed from where it stopped. The original cannot read that
# file back itself (its saved adapter-port range is not a power of two), so its settings are
# given on the command line.
"$orig" -sL 198.18.0.0/25 -p1-1000 --seed 777 --rate 500 --resume-index 1361 2>/dev/null \
    > "$tmp/out"
echo "$(wc -l < "$tmp/out") $(sha256sum < "$tmp/out" | cut -d' ' -f1)" > "$dir/paused.sha256"
echo "paused.conf: $(cat "$dir/paused.sha256")"
