# The lab's servers for the original's protocol hellos, part A (sourced by scripts/lab.sh):
#   198.18.1.20 Xvfb :6000 (accepts anyone) and :6001 (wants a cookie, so refuses us); Xvfb
#               cannot bind one address, so each listens on its own Unix socket and socat
#               carries the address's port to it
#   198.18.1.21 slapd :389 (suffix dc=lab,dc=test, anonymous reads of the root DSE)
#   198.18.1.22 rpcbind :111 (UDP on this address only, but TCP on every address of the target
#               namespace: rpcbind cannot bind TCP to one; it runs in a private mount namespace
#               so its lock and socket in /run stay the lab's)
#   198.18.1.23 MIT krb5kdc :88 (realm LAB.TEST, a fresh database per lab)
#   198.18.1.24 kamailio :5060 (TCP only; answers OPTIONS 200 with an Allow header)
#   198.18.1.25 rtsp-server-perl :554
#   198.18.1.26 pynetdicom (PyPI, in its own venv made by scripts/setup.sh) Verification SCPs:
#               :104 accepts any called AE title, :11112 only its own (so rejects ours)
# All run inside the target namespace NS only, with their state in DIR.
HELLOS_A_SERVICES="198.18.1.20:6000 198.18.1.20:6001 198.18.1.21:389 0.0.0.0:111 198.18.1.23:88 198.18.1.24:5060 198.18.1.25:554 198.18.1.26:104 198.18.1.26:11112"

DICOM_VENV=/var/lib/masscan-lab/dicom

start_hellos_a_servers() {
  local ns=$1 dir=$2

  # X displays are host-wide names (lock files, sockets in /tmp/.X11-unix): offset from the
  # lab's own Xvnc display so labs side by side never share one.
  local base=$(( $(cat "$dir/vnc.display") + 5000 ))
  ip netns exec "$ns" Xvfb ":$base" -ac -nolisten tcp -listen unix -screen 0 1024x768x24 \
    </dev/null >"$dir/xvfb-open.log" 2>&1 &
  xauth -q -f "$dir/xauthority" add ":$(( base + 5000 ))" . "$(od -An -N16 -tx1 /dev/urandom | tr -d ' \n')" \
    2>>"$dir/xauth.log"
  ip netns exec "$ns" Xvfb ":$(( base + 5000 ))" -auth "$dir/xauthority" -nolisten tcp \
    -listen unix </dev/null >"$dir/xvfb-auth.log" 2>&1 &
  ip netns exec "$ns" socat TCP4-LISTEN:6000,bind=198.18.1.20,reuseaddr,fork \
    "UNIX-CONNECT:/tmp/.X11-unix/X$base" </dev/null >"$dir/x11-open.log" 2>&1 &
  ip netns exec "$ns" socat TCP4-LISTEN:6001,bind=198.18.1.20,reuseaddr,fork \
    "UNIX-CONNECT:/tmp/.X11-unix/X$(( base + 5000 ))" </dev/null >"$dir/x11-auth.log" 2>&1 &

  mkdir -p "$dir/slapd-db"
  cat > "$dir/slapd.conf" <<CONF
include /etc/ldap/schema/core.schema
pidfile $dir/slapd.pid
argsfile $dir/slapd.args
modulepath /usr/lib/ldap
moduleload back_mdb
database mdb
maxsize 10485760
suffix "dc=lab,dc=test"
rootdn "cn=admin,dc=lab,dc=test"
directory $dir/slapd-db
CONF
  ip netns exec "$ns" slapd -f "$dir/slapd.conf" -h "ldap://198.18.1.21:389/" \
    </dev/null >"$dir/slapd.log" 2>&1 || die "slapd failed to start: $(tail -1 "$dir/slapd.log")"

  mkdir -p "$dir/rpcbind-run"
  ip netns exec "$ns" unshare -m --propagation private \
    sh -c "mount --bind '$dir/rpcbind-run' /run && exec rpcbind -f -h 198.18.1.22" \
    </dev/null >"$dir/rpcbind.log" 2>&1 &

  mkdir -p "$dir/krb5"
  cat > "$dir/krb5/krb5.conf" <<CONF
[libdefaults]
  default_realm = LAB.TEST
[realms]
  LAB.TEST = {
    kdc = 198.18.1.23
  }
CONF
  cat > "$dir/krb5/kdc.conf" <<CONF
[kdcdefaults]
  kdc_listen = 198.18.1.23:88
  kdc_tcp_listen = 198.18.1.23:88
[realms]
  LAB.TEST = {
    database_name = $dir/krb5/principal
    key_stash_file = $dir/krb5/stash
  }
[logging]
  kdc = FILE:$dir/krb5/kdc.log
CONF
  KRB5_CONFIG="$dir/krb5/krb5.conf" KRB5_KDC_PROFILE="$dir/krb5/kdc.conf" \
    kdb5_util create -s -r LAB.TEST -P masscan-lab-not-a-secret >"$dir/krb5/create.log" 2>&1 \
    || die "kdb5_util could not make the lab's Kerberos database: $(tail -1 "$dir/krb5/create.log")"
  ip netns exec "$ns" env KRB5_CONFIG="$dir/krb5/krb5.conf" KRB5_KDC_PROFILE="$dir/krb5/kdc.conf" \
    krb5kdc -P "$dir/krb5/kdc.pid" -r LAB.TEST </dev/null >"$dir/krb5/kdc.out" 2>&1 \
    || die "krb5kdc failed to start (see $dir/krb5)"

  mkdir -p "$dir/kamailio-run"
  cat > "$dir/kamailio.cfg" <<'CONF'
#!KAMAILIO
debug=1
log_stderror=yes
children=1
tcp_children=1
listen=tcp:198.18.1.24:5060
mpath="/usr/lib/x86_64-linux-gnu/kamailio/modules/"
loadmodule "sl.so"
loadmodule "textops.so"
request_route {
  if (method == "OPTIONS") {
    append_to_reply("Allow: INVITE, ACK, CANCEL, OPTIONS, BYE\r\n");
    sl_send_reply("200", "OK");
    exit;
  }
  sl_send_reply("501", "Not Implemented");
}
CONF
  ip netns exec "$ns" kamailio -f "$dir/kamailio.cfg" -P "$dir/kamailio.pid" \
    -Y "$dir/kamailio-run" -w "$dir" -m 16 -M 4 -u nobody -g nogroup \
    </dev/null >"$dir/kamailio.log" 2>&1 || die "kamailio failed to start: $(tail -1 "$dir/kamailio.log")"

  ip netns exec "$ns" rtsp-server-perl --client_listen_address 198.18.1.25 --clientport 554 \
    --source_listen_address 127.0.0.1 --serverport 5545 --loglevel 1 \
    </dev/null >"$dir/rtsp.log" 2>&1 &

  cat > "$dir/dicom.py" <<'PY'
from pynetdicom import AE
from pynetdicom.sop_class import Verification
def scp(strict):
    ae = AE(ae_title="LAB-SCP")
    ae.add_supported_context(Verification)
    ae.require_called_aet = strict
    return ae
scp(False).start_server(("198.18.1.26", 104), block=False)
scp(True).start_server(("198.18.1.26", 11112), block=True)
PY
  ip netns exec "$ns" "$DICOM_VENV/bin/python" "$dir/dicom.py" </dev/null >"$dir/dicom.log" 2>&1 &

  wait_listening "$ns" "$HELLOS_A_SERVICES"
}
