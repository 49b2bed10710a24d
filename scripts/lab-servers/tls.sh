# TLS servers of the lab (sourced by scripts/lab.sh): openssl s_server, one version each, with a
# certificate chain of its own (a lab CA and a leaf it signed), on 198.18.1.16 (TLS 1.0 only,
# RSA key exchange with AES128-SHA: the legacy server rustls cannot talk to) and 198.18.1.17
# (TLS 1.3 only: it refuses the plaintext hello, and its certificate comes from a second
# connection through rustls), each on 443, 8531 and 9999 (a port no one assigns TLS: `--identify` finds them there). They run in the target namespace only.

# start_tls_servers NS DIR
start_tls_servers() {
  local ns=$1 dir=$2/tls
  mkdir -p "$dir" && chmod 700 "$dir"
  openssl req -x509 -newkey rsa:2048 -nodes -days 30 -keyout "$dir/ca.key" -out "$dir/ca.pem" \
    -subj "/O=masscan-rs lab/CN=masscan-rs lab CA" 2>/dev/null \
    || die "openssl could not make the TLS lab CA"
  openssl req -newkey rsa:2048 -nodes -keyout "$dir/leaf.key" -out "$dir/leaf.csr" \
    -subj "/O=masscan-rs lab/CN=tls.lab.masscan-rs.test" 2>/dev/null \
    || die "openssl could not make the TLS lab key"
  printf 'subjectAltName=DNS:tls.lab.masscan-rs.test,DNS:legacy.lab.masscan-rs.test\n' > "$dir/ext.cnf"
  openssl x509 -req -in "$dir/leaf.csr" -CA "$dir/ca.pem" -CAkey "$dir/ca.key" -CAcreateserial \
    -days 30 -extfile "$dir/ext.cnf" -out "$dir/leaf.pem" 2>/dev/null \
    || die "openssl could not sign the TLS lab certificate"
  local ip port
  for port in 443 8531 9999; do
    ip netns exec "$ns" openssl s_server -quiet -www -accept "198.18.1.16:$port" -tls1 \
      -cipher 'AES128-SHA:@SECLEVEL=0' -cert "$dir/leaf.pem" -key "$dir/leaf.key" \
      -cert_chain "$dir/ca.pem" </dev/null >>"$dir/legacy.log" 2>&1 &
    ip netns exec "$ns" openssl s_server -quiet -www -accept "198.18.1.17:$port" -tls1_3 \
      -cert "$dir/leaf.pem" -key "$dir/leaf.key" -cert_chain "$dir/ca.pem" \
      </dev/null >>"$dir/tls13.log" 2>&1 &
  done
}
