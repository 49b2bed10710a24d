# Lab servers of BACnet/IP and DNP3 (ZGrab2's bacnet and dnp3 modules; sourced by scripts/lab.sh;
# runs in the target namespace, only in labs made with LAB_BACNET=1). No Debian package serves
# either protocol, so these are stand-ins (test-support/bacnet-dnp3-standins.py, built from the
# specifications, not real devices):
#   198.18.1.65 BACnet device 389001 :47808/udp (ReadProperty and ReadPropertyMultiple; no
#               Description property)
#   198.18.1.66 DNP3 outstation, link address 10, :20000/tcp (answers Request Link Status)
#   198.18.1.67 BACnet device 7 :47808/udp that executes ReadProperty only (rejects
#               ReadPropertyMultiple)
# and, for the HTTP redirect check, a directory `moved` in the lab nginx's root on 198.18.1.1:
# nginx itself answers `GET /moved` with 301 and a Location header (nothing configured).
BACNET_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
BACNET_ADDRESSES="65 66 67"

start_bacnet_servers() {
  local ns=$1 dir=$2
  mkdir -p "$dir/www/moved"
  chmod 755 "$dir/www/moved"
  ip netns exec "$ns" python3 "$BACNET_DIR/../../test-support/bacnet-dnp3-standins.py" \
    198.18.1.65 198.18.1.66 198.18.1.67 </dev/null >"$dir/bacnet-standins.log" 2>&1 &
  wait_listening "$ns" "198.18.1.66:20000"
  wait_udp "$ns" "198.18.1.65:47808 198.18.1.67:47808"
}
