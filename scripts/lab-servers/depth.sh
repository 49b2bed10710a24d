# Lab servers of the depth banners (ZGrab2's databases and brokers; sourced by scripts/lab.sh;
# runs in the target namespace):
# Each on its protocol's port, so the port's hello goes to it:
#   198.18.1.40 mosquitto (Debian's) :1883, anonymous clients allowed (open)
#   198.18.1.42 the same mosquitto :1883, allow_anonymous false with a password file
#               (authentication required)
#   198.18.1.41 PostgreSQL 15 (Debian's) :5432, ssl off (answers the SSLRequest with N)
#   198.18.1.43 PostgreSQL 15 :5432, ssl on with the lab's certificate (answers S)
#   198.18.1.45 MariaDB 10.11 (Debian's) :3306 with the lab's certificate (its greeting offers
#               TLS; no grant tables: nothing is logged into)
#   198.18.1.44 stand-ins (test-support/depth-standins.py, built from the specifications, not
#               the real servers): AMQP 0-9-1 :5672, Modbus/TCP :502
DEPTH_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
DEPTH_SERVICES="198.18.1.40:1883 198.18.1.42:1883 198.18.1.41:5432 198.18.1.43:5432 198.18.1.44:5672 198.18.1.44:502 198.18.1.45:3306"
DEPTH_ADDRESSES="40 41 42 43 44 45"
PG_BIN=/usr/lib/postgresql/15/bin

start_depth_servers() {
  local ns=$1 dir=$2
  local m=$dir/mosquitto
  mkdir -p "$m"
  mosquitto_passwd -c -b "$m/passwd" lab lab-secret >/dev/null 2>&1 \
    || die "mosquitto_passwd failed"
  cat > "$m/mosquitto.conf" <<CONF
per_listener_settings true
persistence false
pid_file $m/mosquitto.pid
log_dest file $m/mosquitto.log
user root
listener 1883 198.18.1.40
allow_anonymous true
listener 1883 198.18.1.42
allow_anonymous false
password_file $m/passwd
CONF
  ip netns exec "$ns" mosquitto -c "$m/mosquitto.conf" -d </dev/null >"$m/start.log" 2>&1 \
    || die "mosquitto failed to start: $(tail -1 "$m/start.log")"

  # PostgreSQL refuses to run as root: its data directories belong to the postgres user.
  local pg=$dir/pg
  mkdir -p "$pg"
  chown postgres:postgres "$pg"
  chmod 755 "$dir"
  runuser -u postgres -- "$PG_BIN/initdb" -D "$pg/plain" -A trust -U postgres --no-sync \
    >"$pg/initdb.log" 2>&1 || die "initdb failed: $(tail -1 "$pg/initdb.log")"
  runuser -u postgres -- cp -a "$pg/plain" "$pg/tls"
  install -o postgres -g postgres -m 600 "$dir/key.pem" "$pg/key.pem"
  install -o postgres -g postgres -m 644 "$dir/cert.pem" "$pg/cert.pem"
  local ip data ssl
  for ip in 198.18.1.41 198.18.1.43; do
    if [ "$ip" = 198.18.1.41 ]; then data=$pg/plain ssl=off; else data=$pg/tls ssl=on; fi
    ip netns exec "$ns" runuser -u postgres -- "$PG_BIN/pg_ctl" -D "$data" -l "$data.log" -s \
      -o "-h $ip -p 5432 -k $data -c ssl=$ssl -c ssl_cert_file=$pg/cert.pem -c ssl_key_file=$pg/key.pem -c fsync=off" \
      start >/dev/null 2>&1 || die "postgres on $ip failed to start: $(tail -1 "$data.log")"
  done
  local my=$dir/mariadb
  mkdir -p "$my/data"
  install -o mysql -g mysql -m 600 "$dir/key.pem" "$my/key.pem"
  install -o mysql -g mysql -m 644 "$dir/cert.pem" "$my/cert.pem"
  chown -R mysql:mysql "$my"
  ip netns exec "$ns" mariadbd --no-defaults --user=mysql --datadir="$my/data" \
    --bind-address=198.18.1.45 --port=3306 --socket="$my/sock" --pid-file="$my/pid" \
    --skip-grant-tables --ssl-cert="$my/cert.pem" --ssl-key="$my/key.pem" \
    --log-error="$my/error.log" </dev/null >/dev/null 2>&1 &
  ip netns exec "$ns" python3 "$DEPTH_DIR/../../test-support/depth-standins.py" 198.18.1.44 \
    </dev/null >"$dir/depth-standins.log" 2>&1 &
  wait_listening "$ns" "$DEPTH_SERVICES"
}
