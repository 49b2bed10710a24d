#!/usr/bin/env bash
# Runs every test of masscan-rs: formatting, lints, unit, property and integration tests, the
# binary's own --regress checks, and a short run of each benchmark script (to keep them working).
# Installs what is missing first. Live scans run only inside the lab's network namespaces
# (scripts/lab.sh, brought up and taken down by each test); everything else is --offline or runs
# in an empty network namespace.
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/setup.sh
[ -d "$HOME/.cargo/bin" ] && export PATH="$HOME/.cargo/bin:$PATH"

echo "== cargo fmt --check"
cargo fmt --all -- --check
echo "== cargo clippy"
cargo clippy --release --all-targets -- -D warnings
# The build without the DPDK backend (what a machine without DPDK compiles) stays clean too.
cargo clippy -p masscan -p masscan-drivers --no-default-features --all-targets -- -D warnings
echo "== cargo test"
if [ "$(id -u)" = 0 ]; then
  # Every lab a test makes is owned by this run: removed when it ends, however it ends (a test
  # process killed before its own clean-up included); labs of runs that died are removed first.
  ./scripts/lab.sh down --orphans
  export LAB_OWNER=$$
  trap './scripts/lab.sh down --owner $$' EXIT
  trap 'exit 130' INT
  trap 'exit 143' TERM
fi
# Tests that need root and the lab are #[ignore]d, so that without root they are reported as
# ignored, never as passed; as root (CI, the dev machines) they run too.
if [ "$(id -u)" = 0 ]; then
  cargo test --release --workspace -- --include-ignored
else
  echo "test.sh: not root: the lab tests are reported ignored (run as root to include them)"
  cargo test --release --workspace
fi
echo "== masscan --regress"
./target/release/masscan --regress
# The DPDK backend is built when DPDK is found; setup.sh installs it, so here it must be in
# (else its lab tests would have been ignored, not run).
if pkg-config --exists 'libdpdk >= 22.11' && ! ./target/release/masscan -V | grep -q '^Drivers:.* dpdk (DPDK'; then
  echo "test.sh: DPDK is installed but the binary was built without its backend:" >&2
  ./target/release/masscan -V >&2
  exit 1
fi
echo "== the .deb (cargo-deb): built, installed with dpkg -i, checked, purged"
if [ "$(id -u)" = 0 ]; then
  ./scripts/deb.sh --check
else
  echo "test.sh: .deb check SKIPPED: not root (dpkg -i needs it)"
fi
echo "== bench scripts (short)"
./bench/offline.sh --quick
./bench/throttle.sh --quick
./bench/live.sh --quick
./bench/coverage.sh --quick
./bench/backoff.sh --quick
./bench/xdp_ceiling.sh --quick
./bench/tcp.sh --quick
./bench/receive.sh --quick
./bench/backends.sh --quick
./bench/plots.sh --quick   # into a temporary directory: docs/plots stays as committed
echo "== fuzz smoke (AFL, 10 s per harness)"
if cargo afl --version >/dev/null 2>&1 || cargo install cargo-afl --locked >/dev/null 2>&1; then
  FUZZ_OUT=target/fuzz-smoke ./scripts/fuzz.sh --seconds 10
else
  echo "test.sh: fuzz smoke SKIPPED: cargo-afl could not be installed (the corpora still ran in cargo test)"
fi
echo "test.sh: all passed"
