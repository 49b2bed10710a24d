#!/usr/bin/env bash
# Installs what masscan-rs needs to build and test, with apt-get, only when it is missing.
# Safe to run again. Needs root for apt-get (CI and the dev machines run as root).
set -euo pipefail

# Build and test tools (clang and libbpf-dev compile the XDP program in ebpf/), then the lab's
# servers (scripts/lab.sh runs them inside network namespaces only: nginx with HTTPS, OpenSSH,
# vsftpd, memcached, aiosmtpd, dovecot, inetutils telnetd under socat, Samba, xrdp, TigerVNC;
# openssl makes their certificate), tcpdump (the tests read --pcap files with it), and nmap
# with libxml2-utils (xmllint checks -oX and nmapxml files against Nmap's DTD); nftables drops
# the transmit benchmark's frames as they reach the target's link (bench/live.sh).
packages=(build-essential pkg-config procps iproute2 python3 jq bc netbase util-linux
          clang libbpf-dev
          nginx-light openssh-server openssh-client vsftpd memcached tcpdump openssl
          python3-aiosmtpd dovecot-imapd dovecot-pop3d telnetd socat samba xrdp
          tigervnc-standalone-server nmap libxml2-utils nftables)

missing=()
for p in "${packages[@]}"; do
  dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p")
done
if [ "${#missing[@]}" -gt 0 ]; then
  echo "setup: installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  # The servers must not start on the host: only the lab starts them, in its namespaces.
  # policy-rc.d tells Debian's maintainer scripts not to start services (kept if already there).
  made_policy=""
  if [ ! -e /usr/sbin/policy-rc.d ]; then
    printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d
    chmod +x /usr/sbin/policy-rc.d
    made_policy=1
  fi
  trap '[ -n "$made_policy" ] && rm -f /usr/sbin/policy-rc.d' EXIT
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

if ! command -v cargo >/dev/null 2>&1; then
  for d in "$HOME/.cargo/bin" /usr/local/cargo/bin; do
    [ -x "$d/cargo" ] && export PATH="$d:$PATH"
  done
fi
if ! command -v cargo >/dev/null 2>&1; then
  echo "setup: cargo not found. Install Rust 1.95 (rustup) and run again." >&2
  exit 1
fi
for c in rustfmt clippy; do
  if ! cargo "${c/rustfmt/fmt}" --version >/dev/null 2>&1; then
    rustup component add "$c" >/dev/null 2>&1 || echo "setup: warning: cargo $c is not available" >&2
  fi
done
