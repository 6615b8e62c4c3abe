# Shared by scripts/*.sh: start the system services vouch's tests and demo
# use, and stop exactly the ones this script started, by pid.
# shellcheck shell=bash

VOUCH_STARTED_PIDS=()
VOUCH_STARTED_NAMES=()  # daemons this script started, by name

vouch_wait_for() {  # vouch_wait_for SECONDS CMD... — poll until CMD succeeds
  local deadline=$((SECONDS + $1)); shift
  until "$@" >/dev/null 2>&1; do
    ((SECONDS < deadline)) || return 1
    sleep 0.2
  done
}

# A free loopback TCP port P whose neighbour P+1 was free too (swtpm's
# server and control ports, etcd's client and peer ports).
vouch_free_port_pair() {
  python3 - <<'PY'
import socket
for _ in range(200):
    a = socket.socket(); a.bind(("127.0.0.1", 0)); p = a.getsockname()[1]
    b = socket.socket()
    try:
        b.bind(("127.0.0.1", p + 1)); print(p); break
    except OSError:
        pass
    finally:
        a.close(); b.close()
PY
}

# True if a live (not zombie) process has this exact name. Stopped daemons
# can linger as <defunct> where nothing reaps them.
vouch_running() {
  ps -C "$1" -o stat= 2>/dev/null | grep -qv '^Z'
}

vouch_live_pid() {
  ps -C "$1" -o pid=,stat= 2>/dev/null | awk '$2 !~ /^Z/ {print $1; exit}'
}

vouch_start_libvirt() {
  mkdir -p /run/libvirt /var/run/libvirt
  if ! vouch_running virtlogd; then
    virtlogd -d
    vouch_wait_for 10 vouch_running virtlogd || { echo "vouch: virtlogd did not start" >&2; return 1; }
    VOUCH_STARTED_PIDS+=("$(vouch_live_pid virtlogd)")
    VOUCH_STARTED_NAMES+=(virtlogd)
  fi
  if ! vouch_running libvirtd; then
    libvirtd -d
    vouch_wait_for 30 virsh -c qemu:///system version ||
      { echo "vouch: libvirtd did not answer within 30 s" >&2; return 1; }
    VOUCH_STARTED_PIDS+=("$(vouch_live_pid libvirtd)")
    VOUCH_STARTED_NAMES+=(libvirtd)
  fi
}

vouch_stop_started() {
  local pid name
  # A test may have restarted a daemon we started (to load a libvirt hook):
  # stop the live one of that name too, found by its pid now.
  for name in "${VOUCH_STARTED_NAMES[@]+"${VOUCH_STARTED_NAMES[@]}"}"; do
    pid=$(vouch_live_pid "$name" || true)
    [[ -n $pid ]] && VOUCH_STARTED_PIDS+=("$pid")
  done
  VOUCH_STARTED_NAMES=()
  for pid in "${VOUCH_STARTED_PIDS[@]+"${VOUCH_STARTED_PIDS[@]}"}"; do
    kill "$pid" 2>/dev/null || true
  done
  for pid in "${VOUCH_STARTED_PIDS[@]+"${VOUCH_STARTED_PIDS[@]}"}"; do
    for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -9 "$pid" 2>/dev/null || true
  done
  VOUCH_STARTED_PIDS=()
}

# vouch_start_etcd_cluster DIR PREFIX "WRITER…" "READER…": a 3-member etcd
# cluster on loopback set up as DESIGN §6 "Access" says a deployment is:
# TLS for clients and peers with client certificates required
# (--client-cert-auth), and etcd authentication with the roles vouch-writer
# (validators, governance) and vouch-reader (hosts, owners) on the ledger's
# keys under PREFIX (scripts/etcd-auth-setup.sh). Makes in DIR a CA (ca.pem),
# member and client certificates (client.pem/client.key, without a Common
# Name, which etcd 3.4's gateway refuses) and a 0600 password file NAME.password
# per user. Sets VOUCH_ETCD_ENDPOINTS (HOST:PORT,…) and VOUCH_ETCD_PIDS.
vouch_start_etcd_cluster() {
  local dir=$1 prefix=$2 writers=$3 readers=$4 m name cluster='' args=()
  mkdir -p "$dir"
  (
    set -e
    cd "$dir"
    umask 077
    key() { openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$1.key" 2>/dev/null; }
    sign() {  # sign NAME SUBJECT EXTENSIONS
      key "$1"
      openssl req -new -key "$1.key" -subj "$2" -out "$1.csr"
      printf '%b' "$3" >"$1.ext"
      openssl x509 -req -in "$1.csr" -CA ca.pem -CAkey ca.key -CAcreateserial -days 2 -extfile "$1.ext" \
        -out "$1.pem" 2>/dev/null
    }
    key ca && openssl req -x509 -new -key ca.key -out ca.pem -days 2 -subj /CN=vouch-e2e-etcd-ca
    sign member /CN=etcd-member 'subjectAltName=IP:127.0.0.1\nextendedKeyUsage=serverAuth,clientAuth\n'
    sign client /O=vouch-e2e-client 'extendedKeyUsage=clientAuth\n'
    for name in root $writers $readers; do openssl rand -base64 18 >"$name.password"; done
  ) || { echo "vouch: cannot make the etcd CA and certificates in $dir" >&2; return 1; }
  local -a client peer
  for m in 1 2 3; do client[m]=$(vouch_free_port_pair); peer[m]=$((client[m] + 1)); done
  for m in 1 2 3; do cluster+="${cluster:+,}m$m=https://127.0.0.1:${peer[m]}"; done
  VOUCH_ETCD_ENDPOINTS='' VOUCH_ETCD_PIDS=()
  for m in 1 2 3; do
    etcd --name "m$m" --data-dir "$dir/m$m" \
      --listen-client-urls "https://127.0.0.1:${client[m]}" --advertise-client-urls "https://127.0.0.1:${client[m]}" \
      --listen-peer-urls "https://127.0.0.1:${peer[m]}" --initial-advertise-peer-urls "https://127.0.0.1:${peer[m]}" \
      --initial-cluster "$cluster" --initial-cluster-token "vouch-e2e-$$" --initial-cluster-state new \
      --cert-file "$dir/member.pem" --key-file "$dir/member.key" --trusted-ca-file "$dir/ca.pem" --client-cert-auth \
      --peer-cert-file "$dir/member.pem" --peer-key-file "$dir/member.key" --peer-trusted-ca-file "$dir/ca.pem" \
      --peer-client-cert-auth >"$dir/m$m.log" 2>&1 &
    VOUCH_ETCD_PIDS+=($!)
    VOUCH_ETCD_ENDPOINTS+="${VOUCH_ETCD_ENDPOINTS:+,}127.0.0.1:${client[m]}"
  done
  local urls="https://${VOUCH_ETCD_ENDPOINTS//,/,https://}"
  vouch_wait_for 30 etcdctl --endpoints "$urls" --cacert "$dir/ca.pem" --cert "$dir/client.pem" \
    --key "$dir/client.key" endpoint health ||
    { echo "vouch: the etcd cluster did not become healthy" >&2; tail -3 "$dir"/m*.log >&2; return 1; }
  for name in $writers; do args+=(--writer "$name=$dir/$name.password"); done
  for name in $readers; do args+=(--reader "$name=$dir/$name.password"); done
  bash "$(dirname "${BASH_SOURCE[0]}")/../etcd-auth-setup.sh" setup --endpoints "$urls" --cacert "$dir/ca.pem" \
    --cert "$dir/client.pem" --key "$dir/client.key" --root-password-file "$dir/root.password" \
    ${prefix:+--prefix "$prefix"} "${args[@]}" >"$dir/auth-setup.log" 2>&1 ||
    { echo "vouch: etcd auth set-up failed: $(cat "$dir/auth-setup.log")" >&2; return 1; }
}

# vouch_etcd_access DIR NAME: the --ledger-* flags of user NAME, one per line
# (mapfile -t ARRAY < <(vouch_etcd_access …)).
vouch_etcd_access() {
  printf '%s\n' --ledger-ca "$1/ca.pem" --ledger-cert "$1/client.pem" --ledger-key "$1/client.key" \
    --ledger-user "$2" --ledger-password-file "$1/$2.password"
}
