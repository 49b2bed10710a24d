#!/usr/bin/env bash
# Installs masscan on this machine: the binary, its manual page masscan(8) and completions for
# bash, zsh and fish, under PREFIX (default /usr/local; root for that):
#   PREFIX/bin/masscan
#   PREFIX/share/man/man8/masscan.8.gz
#   PREFIX/share/bash-completion/completions/masscan, .../zsh/site-functions/_masscan,
#   .../fish/vendor_completions.d/masscan.fish
# Builds the release binary first, unless MASSCAN_BIN names one. The page and the completions
# are made by the binary itself from its option definitions, so they always match it.
# Remove with: scripts/install.sh --uninstall (same PREFIX).
set -euo pipefail
cd "$(dirname "$0")/.."
PREFIX=${PREFIX:-/usr/local}
files=(bin/masscan share/man/man8/masscan.8.gz share/bash-completion/completions/masscan
       share/zsh/site-functions/_masscan share/fish/vendor_completions.d/masscan.fish)
if [ "${1:-}" = --uninstall ]; then
  for f in "${files[@]}"; do rm -f "$PREFIX/$f"; done
  echo "install: removed masscan from $PREFIX"
  exit 0
fi
[ $# -eq 0 ] || { echo "usage: scripts/install.sh [--uninstall]   (PREFIX=DIR, MASSCAN_BIN=FILE)" >&2; exit 1; }
bin=${MASSCAN_BIN:-}
if [ -z "$bin" ]; then
  [ -d "$HOME/.cargo/bin" ] && export PATH="$HOME/.cargo/bin:$PATH"
  cargo build --release -q -p masscan
  bin=target/release/masscan
fi
# No default config while generating: a broken /etc/masscan/masscan.conf must not stop it.
gen() { MASSCAN_DEFAULT_CONF="" "$bin" "$@"; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
gen --man-page | gzip -9n > "$tmp/masscan.8.gz"
gen --completions bash > "$tmp/bash"
gen --completions zsh > "$tmp/zsh"
gen --completions fish > "$tmp/fish"
install -D -m 0755 "$bin" "$PREFIX/bin/masscan"
install -D -m 0644 "$tmp/masscan.8.gz" "$PREFIX/share/man/man8/masscan.8.gz"
install -D -m 0644 "$tmp/bash" "$PREFIX/share/bash-completion/completions/masscan"
install -D -m 0644 "$tmp/zsh" "$PREFIX/share/zsh/site-functions/_masscan"
install -D -m 0644 "$tmp/fish" "$PREFIX/share/fish/vendor_completions.d/masscan.fish"
echo "install: masscan $("$PREFIX/bin/masscan" -V | sed -n 's/^Compiled as: masscan-rs \([^ ]*\).*/\1/p') in $PREFIX/bin, masscan(8), completions for bash, zsh and fish"
