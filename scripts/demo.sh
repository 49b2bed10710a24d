#!/usr/bin/env bash
# A first look at masscan-rs: builds it, runs its self checks, lists a scan order, shows a
# config round trip, and runs an offline scan of the whole IPv4 Internet for a few seconds.
# Sends no packet: live scanning (and the lab it runs in) is not built yet.
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/setup.sh
[ -d "$HOME/.cargo/bin" ] && export PATH="$HOME/.cargo/bin:$PATH"
cargo build --release -q
M=./target/release/masscan
export MASSCAN_DEFAULT_CONF=""

echo "== masscan --regress"
$M --regress

echo
echo "== masscan 10.0.0.0/8 -p80,443 -sL --seed 1 | head -5   (scan order, nothing sent)"
$M 10.0.0.0/8 -p80,443 -sL --seed 1 | head -5

echo
echo "== the same scan as a config file (--echo)"
$M 10.0.0.0/8 --exclude 10.5.0.0/16 -p80,443 --seed 1 --rate 100000 --echo

echo
echo "== offline scan of 0.0.0.0/0 port 80, first 100 million probes, unthrottled, 1 transmit thread"
$M 0.0.0.0/0 --exclude 255.255.255.255 -p80 --offline --rate 100000000 --tx-threads 1 \
   --resume-count 100000000 --seed 1

echo
echo "demo: done (live scanning in a lab of network namespaces is not built yet; see README)"
