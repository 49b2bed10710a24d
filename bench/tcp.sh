#!/usr/bin/env bash
# The banner TCP stack's capacity: connections one shard (one receive core) holds and the
# memory each costs, for connections in four states. No network: synthetic SYN-ACKs.
#   bench/tcp.sh [--quick]     (--quick: 100,000 connections instead of 1,000,000)
set -euo pipefail
cd "$(dirname "$0")/.."
[ -d "$HOME/.cargo/bin" ] && export PATH="$HOME/.cargo/bin:$PATH"
n=1000000
[ "${1:-}" = "--quick" ] && n=100000
cargo build --release -q -p masscan-bench --bin tcp-capacity
for case in ssh http ftp; do
  ./target/release/tcp-capacity "$n" "$case"
done
# A TLS connection holds a rustls client state: a tenth as many keep the run short.
./target/release/tcp-capacity $((n / 10)) tls
