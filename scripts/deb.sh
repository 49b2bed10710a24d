#!/usr/bin/env bash
# Builds the Debian package of masscan-rs with cargo-deb (installed from crates.io on first use):
# target/debian/masscan-rs_VERSION_ARCH.deb with /usr/bin/masscan, masscan(8), bash, zsh and fish
# completions, and a commented-out example /etc/masscan/masscan.conf (a conffile). The package
# conflicts with Debian's own masscan (same /usr/bin/masscan).
#   scripts/deb.sh            build it (the release binary too, unless it is up to date)
#   scripts/deb.sh --check    build it, install it with dpkg -i, run masscan --regress and
#                             man -w masscan from it, then purge it (root; refuses when Debian's
#                             masscan is installed, rather than replace it)
set -euo pipefail
cd "$(dirname "$0")/.."
[ -d "$HOME/.cargo/bin" ] && export PATH="$HOME/.cargo/bin:$PATH"
if ! cargo deb --version >/dev/null 2>&1; then
  echo "deb: installing cargo-deb from crates.io"
  cargo install cargo-deb --locked --quiet
fi
cargo build --release -q -p masscan
assets=target/deb-assets
mkdir -p "$assets"
gen() { MASSCAN_DEFAULT_CONF="" target/release/masscan "$@"; }
gen --man-page | gzip -9n > "$assets/masscan.8.gz"
gen --completions bash > "$assets/masscan.bash"
gen --completions zsh > "$assets/_masscan"
gen --completions fish > "$assets/masscan.fish"
deb=$(cargo deb -p masscan --no-build --quiet 2>&1 | tail -1)
[ -f "$deb" ] || { echo "deb: cargo deb did not say where the package is: $deb" >&2; exit 1; }
echo "deb: $deb"
[ "${1:-}" = --check ] || exit 0

[ "$(id -u)" = 0 ] || { echo "deb: --check installs the package: run as root" >&2; exit 1; }
if dpkg -s masscan >/dev/null 2>&1; then
  echo "deb: --check SKIPPED: Debian's masscan is installed here and the package would replace it"
  exit 0
fi
trap 'dpkg --purge masscan-rs >/dev/null 2>&1 || true' EXIT
dpkg -i "$deb" >/dev/null
/usr/bin/masscan --regress | tail -1
# (-M: a page installed by scripts/install.sh in /usr/local would come first.)
if grep -rqs 'path-exclude.*/usr/share/man' /etc/dpkg/dpkg.cfg.d/; then
  echo "deb: man page check SKIPPED: this system's dpkg leaves out /usr/share/man"
else
  man -M /usr/share/man -w masscan | grep -q '^/usr/share/man/man8/masscan.8.gz$' \
    || { echo "deb: man masscan does not find the packaged page" >&2; exit 1; }
fi
[ -f /etc/masscan/masscan.conf ] || { echo "deb: no /etc/masscan/masscan.conf" >&2; exit 1; }
# The example configuration changes nothing: every line is a comment.
MASSCAN_DEFAULT_CONF=/etc/masscan/masscan.conf /usr/bin/masscan 10.0.0.0/30 -p80 -sL --seed 1 | sort > /tmp/deb-check.$$
MASSCAN_DEFAULT_CONF="" /usr/bin/masscan 10.0.0.0/30 -p80 -sL --seed 1 | sort | cmp -s - /tmp/deb-check.$$ \
  || { rm -f /tmp/deb-check.$$; echo "deb: the example configuration changes a scan" >&2; exit 1; }
rm -f /tmp/deb-check.$$
dpkg --purge masscan-rs >/dev/null
[ ! -e /usr/bin/masscan ] || { echo "deb: /usr/bin/masscan left after purge" >&2; exit 1; }
echo "deb: installed, --regress passed, man page found, purged"
