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
bin=${CARGO_TARGET_DIR:-target}/release/tcp-capacity
for case in ssh http ftp; do
  "$bin" "$n" "$case"
done
# TLS: the plaintext hello (the first connection to every TLS port), and the rustls one (the
# second connection to a TLS 1.3-only server), which holds a rustls client state and makes a
# key share: a tenth as many keep the run short. Same run, so the rates compare.
"$bin" $((n / 10)) tls
"$bin" $((n / 10)) tls-rustls
# A silent open port through --identify's series (HTTP hello, then TLS, redis, memcached, MQTT
# and PostgreSQL tries, one connection each), against the same port without it: connections,
# frames and bytes per port, and the stack's CPU per port. A hundredth as many ports: every one is driven through
# all its timers.
"$bin" $((n / 100)) silent
