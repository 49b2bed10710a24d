# Lab servers of the industrial banners (sourced by scripts/lab.sh; runs in the target
# namespace; only in labs made with LAB_INDUSTRIAL=1). Debian packages no EtherNet/IP, Niagara
# or S7 server, so all three are stand-ins (test-support/industrial-standins.py, built from the
# specifications, not real devices), each on its protocol's port so the port's hello goes to it:
#   198.18.1.60 EtherNet/IP :44818 (ListIdentity)
#   198.18.1.61 Niagara Fox :1911 (fox hello)
#   198.18.1.62 S7comm :102 (refuses TSAP 0x0102 with a COTP DR and hangs up; accepts 0x0200,
#               Setup Communication, SZL 0x0011 and 0x001C)
INDUSTRIAL_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
INDUSTRIAL_SERVICES="198.18.1.60:44818 198.18.1.61:1911 198.18.1.62:102"
INDUSTRIAL_ADDRESSES="60 61 62"

start_industrial_servers() {
  local ns=$1 dir=$2
  ip netns exec "$ns" python3 "$INDUSTRIAL_DIR/../../test-support/industrial-standins.py" \
    198.18.1.60 198.18.1.61 198.18.1.62 </dev/null >"$dir/industrial-standins.log" 2>&1 &
  wait_listening "$ns" "$INDUSTRIAL_SERVICES"
}
