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
