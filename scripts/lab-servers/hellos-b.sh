# Lab servers of the hellos, part B (sourced by scripts/lab.sh; runs in the target namespace):
#   198.18.1.30 redis-server :6379 (open: INFO answers); 198.18.1.33 redis :6379 (requirepass)
#   198.18.1.31 Samba speaking SMBv1 only (server min/max protocol = NT1) on :139 and :445
#   198.18.1.32 stand-ins (test-support/hellos-b-standins.py, built from the specifications,
#               not the real servers): HTTP echo :80 and :8530, Docker :2375, Minecraft :25565,
#               AFP :548, MS-SQL :1433, Notes RPC :1352
# DNS over TCP needs no server of its own: the lab's unbound (198.18.1.13) answers TCP too.
HELLOS_B_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
HELLOS_B_SERVICES="198.18.1.30:6379 198.18.1.33:6379 198.18.1.31:139 198.18.1.31:445 198.18.1.32:80 198.18.1.32:8530 198.18.1.32:2375 198.18.1.32:25565 198.18.1.32:548 198.18.1.32:1433 198.18.1.32:1352"

start_hellos_b_servers() {
  local ns=$1 dir=$2
  ip netns exec "$ns" redis-server --bind 198.18.1.30 --port 6379 --protected-mode no \
    --save '' --appendonly no --dir "$dir" --daemonize yes --pidfile "$dir/redis-6379.pid" \
    --logfile "$dir/redis-6379.log" >/dev/null || die "redis-server :6379 failed to start"
  ip netns exec "$ns" redis-server --bind 198.18.1.33 --port 6379 --requirepass lab-secret \
    --save '' --appendonly no --dir "$dir" --daemonize yes --pidfile "$dir/redis-auth.pid" \
    --logfile "$dir/redis-auth.log" >/dev/null || die "redis-server (auth) failed to start"

  local s=$dir/samba1
  mkdir -p "$s/run" "$s/lock" "$s/state" "$s/cache" "$s/private" "$s/ncalrpc"
  cat > "$dir/smb1.conf" <<CONF
[global]
  workgroup = MASSCANLAB
  netbios name = LABSMB1
  server string = masscan-rs lab SMBv1
  server role = standalone server
  interfaces = 198.18.1.31/32
  bind interfaces only = yes
  smb ports = 139 445
  server min protocol = NT1
  server max protocol = NT1
  disable netbios = yes
  pid directory = $s/run
  lock directory = $s/lock
  state directory = $s/state
  cache directory = $s/cache
  private dir = $s/private
  ncalrpc dir = $s/ncalrpc
  log file = $s/log.%m
  passdb backend = tdbsam:$s/private/passdb.tdb
  load printers = no
  printcap name = /dev/null
  disable spoolss = yes
CONF
  ip netns exec "$ns" smbd -D -s "$dir/smb1.conf" </dev/null >"$dir/smbd1.log" 2>&1 \
    || die "smbd (SMBv1) failed to start: $(tail -1 "$dir/smbd1.log")"

  ip netns exec "$ns" python3 "$HELLOS_B_DIR/../../test-support/hellos-b-standins.py" \
    198.18.1.32 </dev/null >"$dir/hellos-b-standins.log" 2>&1 &
  wait_listening "$ns" "$HELLOS_B_SERVICES"
}
