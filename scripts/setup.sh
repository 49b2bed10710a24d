#!/usr/bin/env bash
# Installs what masscan-rs needs to build and test, with apt-get, only when it is missing.
# Safe to run again. Needs root for apt-get (CI and the dev machines run as root).
set -euo pipefail

# Build and test tools (clang and libbpf-dev compile the XDP program in ebpf/), then the lab's
# servers (scripts/lab.sh runs them inside network namespaces only: nginx with HTTPS, OpenSSH,
# vsftpd, memcached, aiosmtpd, dovecot, inetutils telnetd under socat, Samba, xrdp, TigerVNC;
# openssl makes their certificate), tcpdump (the tests read --pcap files with it), and nmap
# with libxml2-utils (xmllint checks -oX and nmapxml files against Nmap's DTD); nftables drops
# the transmit benchmark's frames as they reach the target's link (bench/live.sh). UDP and
# SCTP lab servers: unbound, snmpd, usrsctp's example servers (SCTP over raw IP), redis-server
# (the redis output's test runs one on the scanner namespace's loopback), and
# chronyd's libraries (its package is unpacked, not installed: installing it would remove the
# host's own time daemon, systemd-timesyncd). Slurm's controller, node daemon and munge for the job-array
# test (scripts/deploy/; the test starts them itself, inside a lab namespace); gnuplot draws
# bench/plots.sh's figures. The servers of the original's hellos (scripts/lab-servers/hellos-a.sh):
# Xvfb with xauth (X11), slapd (LDAP), rpcbind (ONC RPC), MIT's KDC (Kerberos), kamailio (SIP),
# rtsp-server-perl (RTSP). mosquitto and mariadb-server, the MQTT broker and the MySQL server of
# the depth banners' lab (scripts/lab-servers/depth.sh).
packages=(build-essential pkg-config procps iproute2 python3 python3-venv jq bc netbase util-linux
          man-db
          clang libbpf-dev
          nginx-light openssh-server openssh-client vsftpd memcached tcpdump openssl
          python3-aiosmtpd dovecot-imapd dovecot-pop3d telnetd socat samba xrdp
          tigervnc-standalone-server nmap libxml2-utils nftables
          unbound snmpd libcap2 libedit2 libgnutls30 libnettle8 libseccomp2
          libusrsctp-examples redis-server
          slurmctld slurmd munge gnuplot-nox libdpdk-dev
          xvfb
          xauth
          slapd
          rpcbind
          krb5-kdc
          kamailio
          rtsp-server-perl
          mosquitto
          mariadb-server)

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
  # Installing a server enables it at the host's next boot: the lab runs them itself, in its
  # namespaces, so disable the units of every package installed here (never one the host had).
  if command -v systemctl >/dev/null 2>&1; then
    for p in "${missing[@]}"; do
      for unit in $(dpkg -L "$p" 2>/dev/null | grep -E '^/(usr/)?lib/systemd/system/[^/@]+\.(service|socket)$' || true); do
        systemctl disable "$(basename "$unit")" >/dev/null 2>&1 || true
      done
    done
  fi
fi

# chronyd for the lab's NTP server, unpacked from Debian's package into a private directory.
CHRONY_ROOT=/var/lib/masscan-lab/chrony
if [ ! -x "$CHRONY_ROOT/usr/sbin/chronyd" ]; then
  echo "setup: unpacking chronyd into $CHRONY_ROOT (not installed: the host's time daemon stays)"
  tmp=$(mktemp -d)
  (cd "$tmp" && apt-get download chrony >/dev/null 2>&1) || { apt-get update -qq && (cd "$tmp" && apt-get download chrony >/dev/null 2>&1); } \
    || { echo "setup: could not download Debian's chrony package" >&2; exit 1; }
  mkdir -p "$CHRONY_ROOT"
  dpkg-deb -x "$tmp"/chrony_*.deb "$CHRONY_ROOT"
  rm -rf "$tmp"
fi

# The original masscan (Debian's 1.3.2), the reference the output tests compare against
# (cli/tests/lab/reference.rs, scripts/outputs_fixtures.sh): unpacked, not installed (Debian's
# package owns /usr/bin/masscan, which our own package installs). It runs only inside a lab
# namespace.
REFERENCE_ROOT=/var/lib/masscan-lab/reference
if [ ! -x "$REFERENCE_ROOT/usr/bin/masscan" ]; then
  echo "setup: unpacking Debian's masscan into $REFERENCE_ROOT (the reference; not installed)"
  tmp=$(mktemp -d)
  (cd "$tmp" && apt-get download masscan >/dev/null 2>&1) || { apt-get update -qq && (cd "$tmp" && apt-get download masscan >/dev/null 2>&1); } \
    || { echo "setup: could not download Debian's masscan package" >&2; exit 1; }
  mkdir -p "$REFERENCE_ROOT"
  dpkg-deb -x "$tmp"/masscan_*.deb "$REFERENCE_ROOT"
  rm -rf "$tmp"
fi

# pynetdicom, the lab's DICOM server (scripts/lab-servers/hellos-a.sh; Debian packages none),
# from PyPI in a private venv.
DICOM_VENV=/var/lib/masscan-lab/dicom
if ! "$DICOM_VENV/bin/python" -c 'import pynetdicom' >/dev/null 2>&1; then
  echo "setup: installing pynetdicom into $DICOM_VENV"
  rm -rf "$DICOM_VENV"
  python3 -m venv "$DICOM_VENV"
  "$DICOM_VENV/bin/pip" install -q --disable-pip-version-check pynetdicom==3.0.4 pydicom==3.0.2
fi

# The client libraries masscan's users drive it with, from PyPI, in a private venv: the tests
# run them against this masscan (cli/tests/lab/clients.rs); Prometheus's own Python client,
# whose parser checks the --metrics text (cli/tests/lab/metrics.rs); and kubernetes-validate,
# which checks scripts/deploy/'s Job against Kubernetes' schemas, bundled (cli/tests/deploy.rs).
CLIENTS_VENV=/var/lib/masscan-lab/pyclients
if ! "$CLIENTS_VENV/bin/python" -c 'import masscan, libnmap, prometheus_client, kubernetes_validate' >/dev/null 2>&1; then
  echo "setup: installing python-masscan, python-libnmap, prometheus-client, kubernetes-validate into $CLIENTS_VENV"
  rm -rf "$CLIENTS_VENV"
  python3 -m venv "$CLIENTS_VENV"
  "$CLIENTS_VENV/bin/pip" install -q --disable-pip-version-check \
    python-masscan==1.0.0 python-libnmap==0.7.3 prometheus-client==0.21.1 kubernetes-validate==1.37.0
fi

if ! command -v cargo >/dev/null 2>&1; then
  for d in "$HOME/.cargo/bin" /usr/local/cargo/bin; do
    [ -x "$d/cargo" ] && export PATH="$d:$PATH"
  done
fi
if ! command -v cargo >/dev/null 2>&1; then
  echo "setup: cargo not found. Install Rust 1.95 with rustup (curl https://sh.rustup.rs | sh -s -- -y --default-toolchain 1.95) and run again." >&2
  exit 1
fi
for c in rustfmt clippy; do
  if ! cargo "${c/rustfmt/fmt}" --version >/dev/null 2>&1; then
    rustup component add "$c" >/dev/null 2>&1 || echo "setup: warning: cargo $c is not available" >&2
  fi
done
