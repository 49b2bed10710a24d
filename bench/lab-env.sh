# Sourced by the live benchmarks (bench/live.sh, bench/backends.sh) from the repository's top:
# builds the release binary as $M, makes a scratch directory $tmp, brings up a lab
# (scripts/lab.sh; its names in $LAB, $LAB_SCAN_NS, ...) and removes both on exit.
cargo build --release -q -p masscan
M=$PWD/target/release/masscan
tmp=$(mktemp -d)
LAB=""
trap '[ -n "$LAB" ] && ./scripts/lab.sh down "$LAB"; rm -rf "$tmp"' EXIT
./scripts/lab.sh up > "$tmp/env"
. "$tmp/env"
export MASSCAN_DEFAULT_CONF=""
