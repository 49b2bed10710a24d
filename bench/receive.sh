#!/usr/bin/env bash
# The receive path on one core, no network: SYN-ACKs through the engine's receive loop on the
# offline driver, each answered with a RST written in place; compared in the same run with the
# loop's earlier copying shape, and checked for allocations per answer frame (fails if any).
#   bench/receive.sh [--quick]     (--quick: 2,000,000 frames instead of 20,000,000)
set -euo pipefail
cd "$(dirname "$0")/.."
[ -d "$HOME/.cargo/bin" ] && export PATH="$HOME/.cargo/bin:$PATH"
n=20000000
[ "${1:-}" = "--quick" ] && n=2000000
cargo build --release -q -p masscan-bench --bin receive-path
./target/release/receive-path "$n"
