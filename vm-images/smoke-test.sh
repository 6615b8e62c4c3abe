#!/usr/bin/env bash
# smoke-test.sh — end-to-end proof that the vouch test guest works (run as root).
#
# 1. Starts virtlogd and libvirtd if they are not running (and stops, at the
#    end, only the daemons it started itself).
# 2. Builds the guest (build-guest.sh) and a LUKS disk (make-disk.sh) holding a
#    random marker, encrypted with a random passphrase, in a temporary dir.
# 3. Defines the domain (render-domain.sh) and an ephemeral private libvirt
#    secret holding the passphrase, starts the domain and waits for
#    "VOUCH-MARKER: <marker>" on the serial log.
# 4. Negative cases: with a wrong secret value QEMU cannot unlock the disk, and
#    with the secret undefined libvirt refuses to start; either way `virsh start`
#    fails, the guest never runs and the domain stays defined.
# 5. The protected variant (render-domain.sh --protected): the same guest
#    boots through OVMF with a vTPM and the vouch channel; it reads its disk
#    and sends its firmware event log over the channel, and the log shows
#    that OVMF measured the initrd and the kernel command line into PCR 9
#    (parsed by `vouch tpm eventlog`, $VOUCH_CLI, default build/cli/vouch).
# Everything it created is removed on every exit path. Prints timings and a
# final "N passed, M failed" line; exits 0 only if all checks pass, 77 (skip)
# if not root or a required tool is missing.
#
# Environment: VOUCH_SMOKE_TIMEOUT  seconds to wait for the marker (default 90).
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd -P)"
readonly HERE
readonly URI="qemu:///system"
readonly MARKER_TIMEOUT_S="${VOUCH_SMOKE_TIMEOUT:-90}"
readonly POWEROFF_TIMEOUT_S=30
readonly DAEMON_TIMEOUT_S=30
readonly EXPECTED_CHECKS=9
readonly VOUCH_CLI="${VOUCH_CLI:-$HERE/../build/cli/vouch}"

PASSED=0
FAILED=0
SUMMARY_PRINTED=0
STARTED_PIDS=()       # daemons this script started, in start order
WORK=""
PASSFILE=""
NAME="vouch-smoke-$$"
DOMAIN_DEFINED=0
PNAME="vouch-smoke-p$$"   # the protected variant
PDOMAIN_DEFINED=0
SECRET_UUID=""
SECRET_DEFINED=0

log() { echo "smoke-test: $*"; }
pass() { echo "PASS: $*"; PASSED=$((PASSED + 1)); }
fail() { echo "FAIL: $*"; FAILED=$((FAILED + 1)); }
skip() { echo "SKIP: $*"; SUMMARY_PRINTED=1; exit 77; }
virsh_() { virsh -q -c "$URI" "$@"; }
now_ms() { echo $(( $(date +%s%N) / 1000000 )); }
fmt_ms() { printf '%d.%01ds' $(( $1 / 1000 )) $(( ($1 % 1000) / 100 )); }
new_uuid() { cat /proc/sys/kernel/random/uuid; }
random_hex() { od -An -tx1 -N"$1" /dev/urandom | tr -d ' \n'; }

# True if PID is a live (not zombie) process.
alive() {
  local stat
  stat="$(cat "/proc/$1/stat" 2>/dev/null)" || return 1
  stat="${stat##*) }"
  [[ "${stat%% *}" != Z ]]
}

# True if a live process named NAME exists.
running() {
  local pid
  for pid in $(pgrep -x "$1"); do
    alive "$pid" && return 0
  done
  return 1
}

# pid from a daemon's pid file, if it names a live process with that name.
daemon_pid() {
  local name="$1" pidfile="$2" pid
  [[ -r "$pidfile" ]] || return 1
  pid="$(tr -dc 0-9 < "$pidfile")"
  [[ -n "$pid" && "$(cat "/proc/$pid/comm" 2>/dev/null)" == "$name" ]] && alive "$pid" || return 1
  echo "$pid"
}

# Starts daemon NAME (as "NAME -d") and records its pid.
start_daemon() {
  local name="$1" pidfile="$2" pid="" i
  log "starting $name"
  "$name" -d
  for ((i = 0; i < DAEMON_TIMEOUT_S * 10; i++)); do
    pid="$(daemon_pid "$name" "$pidfile")" && break
    sleep 0.1
  done
  [[ -n "$pid" ]] || { echo "smoke-test: $name -d: no live pid in $pidfile" >&2; return 1; }
  STARTED_PIDS+=("$pid")
}

stop_started_daemons() {
  local i pid j
  for ((i = ${#STARTED_PIDS[@]} - 1; i >= 0; i--)); do
    pid="${STARTED_PIDS[i]}"
    log "stopping $(cat "/proc/$pid/comm" 2>/dev/null || echo daemon) (pid $pid) started by this test"
    kill -TERM "$pid" 2>/dev/null || continue
    for ((j = 0; j < 150; j++)); do
      alive "$pid" || break
      sleep 0.1
    done
    if alive "$pid"; then
      log "pid $pid ignored SIGTERM for 15 s, sending SIGKILL"
      kill -KILL "$pid" 2>/dev/null || true
    fi
  done
  STARTED_PIDS=()
}

ensure_daemons() {
  if ! running virtlogd; then
    start_daemon virtlogd /run/virtlogd.pid
  fi
  if ! virsh -c "$URI" version >/dev/null 2>&1 && ! running libvirtd; then
    start_daemon libvirtd /run/libvirtd.pid
  fi
  local i
  for ((i = 0; i < DAEMON_TIMEOUT_S * 5; i++)); do
    virsh -c "$URI" version >/dev/null 2>&1 && return 0
    sleep 0.2
  done
  echo "smoke-test: libvirtd at $URI did not answer within ${DAEMON_TIMEOUT_S} s" >&2
  return 1
}

domstate() { virsh_ domstate "$NAME" 2>/dev/null | head -n1; }

cleanup() {
  local rc=$?
  set +e
  if (( DOMAIN_DEFINED )); then
    [[ "$(domstate)" == "shut off" ]] || virsh_ destroy "$NAME" >/dev/null 2>&1
    virsh_ undefine "$NAME" >/dev/null 2>&1 || log "warning: could not undefine $NAME"
  fi
  if (( PDOMAIN_DEFINED )); then
    virsh_ destroy "$PNAME" >/dev/null 2>&1
    virsh_ undefine --nvram --tpm "$PNAME" >/dev/null 2>&1 || log "warning: could not undefine $PNAME"
  fi
  if (( SECRET_DEFINED )); then
    virsh_ secret-undefine "$SECRET_UUID" >/dev/null 2>&1
  fi
  [[ -n "$PASSFILE" ]] && rm -f -- "$PASSFILE"
  [[ -n "$WORK" ]] && rm -rf -- "$WORK"
  stop_started_daemons
  if (( ! SUMMARY_PRINTED )); then
    echo "FAIL: aborted before all checks ran (exit status $rc)"
    echo "$PASSED passed, $((FAILED + 1)) failed"
    (( rc != 0 )) || rc=1
  fi
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# Writes a new random passphrase (hex, no newline) to a fresh 0600 file on
# tmpfs and prints its path. The value never appears in a command line.
new_passfile() {
  local dir=/dev/shm f
  [[ -d "$dir" && -w "$dir" ]] || dir="$WORK"
  f="$(mktemp "$dir/vouch-smoke-pass.XXXXXX")"
  chmod 0600 "$f"
  random_hex 32 > "$f"
  echo "$f"
}

# Sets the libvirt secret's value from a new random passphrase file, removing
# the file afterwards; with "keep" leaves it in PASSFILE (for make-disk.sh).
set_secret_value_random() {
  PASSFILE="$(new_passfile)"
  virsh_ secret-set-value "$SECRET_UUID" --file "$PASSFILE" --plain >/dev/null
  if [[ "${1:-}" != keep ]]; then rm -f -- "$PASSFILE"; PASSFILE=""; fi
}

# --- preconditions -----------------------------------------------------------
[[ "$(id -u)" -eq 0 ]] || skip "must run as root (starts libvirtd, defines system domains)"
for tool in virsh virtlogd libvirtd qemu-system-x86_64 qemu-img mke2fs cpio modprobe gzip; do
  command -v "$tool" >/dev/null || skip "missing '$tool' (see vm-images/README.md for the packages)"
done
[[ -x /bin/busybox ]] || skip "missing /bin/busybox (install busybox-static)"
[[ -r /usr/share/OVMF/OVMF_CODE_4M.fd ]] || skip "missing /usr/share/OVMF/OVMF_CODE_4M.fd (install ovmf)"
command -v swtpm >/dev/null || skip "missing 'swtpm' (install swtpm swtpm-tools)"
[[ -x "$VOUCH_CLI" ]] || skip "missing $VOUCH_CLI (build vouch, or set VOUCH_CLI)"
[[ "$MARKER_TIMEOUT_S" =~ ^[1-9][0-9]*$ ]] || { echo "VOUCH_SMOKE_TIMEOUT: expected seconds, got '$MARKER_TIMEOUT_S'" >&2; exit 2; }

t0="$(now_ms)"
ensure_daemons
t_daemons=$(( $(now_ms) - t0 ))

WORK="$(mktemp -d /tmp/vouch-smoke.XXXXXX)"
chmod 0711 "$WORK"   # QEMU runs as libvirt-qemu; libvirt chowns the files, not the dir

t0="$(now_ms)"
"$HERE/build-guest.sh" "$WORK"
t_build=$(( $(now_ms) - t0 ))

MARKER="smoke-$(random_hex 8)"
SECRET_UUID="$(new_uuid)"
cat > "$WORK/secret.xml" <<EOF
<secret ephemeral='yes' private='yes'>
  <uuid>$SECRET_UUID</uuid>
  <description>vouch smoke test $NAME</description>
</secret>
EOF
virsh_ secret-define "$WORK/secret.xml" >/dev/null
SECRET_DEFINED=1
set_secret_value_random keep

t0="$(now_ms)"
"$HERE/make-disk.sh" "$WORK" "$PASSFILE" "$MARKER"
t_disk=$(( $(now_ms) - t0 ))
rm -f -- "$PASSFILE"
PASSFILE=""

"$HERE/render-domain.sh" "$NAME" "$(new_uuid)" "$WORK" "$SECRET_UUID" > "$WORK/domain.xml"
virsh_ define "$WORK/domain.xml" >/dev/null
DOMAIN_DEFINED=1
SERIAL_LOG="$WORK/$NAME.serial.log"

# --- positive: the right secret lets the guest read its disk -----------------
log "starting $NAME (marker $MARKER)"
t0="$(now_ms)"
virsh_ start "$NAME" >/dev/null
t_start=$(( $(now_ms) - t0 ))
t_init=-1; t_marker=-1; t_off=-1
deadline=$(( t0 + MARKER_TIMEOUT_S * 1000 ))
serial=""
while :; do
  [[ -r "$SERIAL_LOG" ]] && serial="$(tr -d '\r' < "$SERIAL_LOG")"
  if (( t_init < 0 )) && grep -q '^VOUCH-INIT: started' <<<"$serial"; then
    t_init=$(( $(now_ms) - t0 ))
  fi
  if grep -q -e '^VOUCH-MARKER: ' -e '^VOUCH-NO-DISK' <<<"$serial"; then
    t_marker=$(( $(now_ms) - t0 ))
    break
  fi
  if [[ "$(domstate)" == "shut off" ]]; then
    [[ -r "$SERIAL_LOG" ]] && serial="$(tr -d '\r' < "$SERIAL_LOG")"
    break
  fi
  (( $(now_ms) < deadline )) || break
  sleep 0.2
done
got="$(grep -m1 '^VOUCH-MARKER: ' <<<"$serial" || true)"
if [[ "$got" == "VOUCH-MARKER: $MARKER" ]]; then
  pass "guest read the marker from its LUKS disk ($got)"
else
  fail "expected serial line 'VOUCH-MARKER: $MARKER', got '${got:-nothing}' within ${MARKER_TIMEOUT_S} s; serial log tail:"
  tail -n 20 <<<"$serial" | sed 's/^/    | /'
fi

while [[ "$(domstate)" != "shut off" ]] && (( $(now_ms) < t0 + (MARKER_TIMEOUT_S + POWEROFF_TIMEOUT_S) * 1000 )); do
  sleep 0.2
done
if [[ "$(domstate)" == "shut off" ]]; then
  t_off=$(( $(now_ms) - t0 ))
  pass "guest powered itself off (domain shut off)"
else
  fail "expected the guest to power off by itself, domain state is '$(domstate)'"
  virsh_ destroy "$NAME" >/dev/null 2>&1 || true
fi

# --- the protected variant: OVMF, vTPM, channel -------------------------------
# Reads "EVENTLOG N\n" and N bytes from the channel socket into FILE (the host
# side of org.vouch.attest.0), within TIMEOUT seconds.
read_eventlog() {
  python3 - "$1" "$2" "$3" <<'PY'
import socket, sys, time
path, out, timeout = sys.argv[1], sys.argv[2], float(sys.argv[3])
deadline = time.monotonic() + timeout
s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
while True:
    try:
        s.connect(path); break
    except OSError:
        if time.monotonic() > deadline: sys.exit(f"no channel socket {path}")
        time.sleep(0.1)
buf = b""
while True:
    left = deadline - time.monotonic()
    if left <= 0: sys.exit(f"channel: {len(buf)} bytes before the timeout")
    s.settimeout(left)
    chunk = s.recv(65536)
    if not chunk: sys.exit("channel closed")
    buf += chunk
    if b"\n" in buf:
        head, rest = buf.split(b"\n", 1)
        if not head.startswith(b"EVENTLOG "): sys.exit(f"channel: unexpected {head[:40]!r}")
        n = int(head[9:])
        if len(rest) >= n:
            open(out, "wb").write(rest[:n]); break
PY
}

PCHANNEL="$WORK/$PNAME.sock"
"$HERE/render-domain.sh" --protected "$PCHANNEL" "$PNAME" "$(new_uuid)" "$WORK" "$SECRET_UUID" \
  | sed "s|<cmdline>\([^<]*\)</cmdline>|<cmdline>\1 vouch.eventlog=1</cmdline>|" > "$WORK/protected.xml"
virsh_ define "$WORK/protected.xml" >/dev/null
PDOMAIN_DEFINED=1
PSERIAL_LOG="$WORK/$PNAME.serial.log"
log "starting $PNAME (OVMF, vTPM, channel)"
t0="$(now_ms)"
virsh_ start "$PNAME" >/dev/null
if read_eventlog "$PCHANNEL" "$WORK/eventlog.bin" "$MARKER_TIMEOUT_S"; then
  t_plog=$(( $(now_ms) - t0 ))
  pass "protected guest sent its firmware event log over org.vouch.attest.0 ($(wc -c < "$WORK/eventlog.bin") bytes, $(fmt_ms "$t_plog") after start)"
else
  t_plog=-1
  fail "no event log from the protected guest over its channel; serial log tail:"
  tail -n 20 "$PSERIAL_LOG" 2>/dev/null | sed 's/^/    | /'
fi
while [[ "$(virsh_ domstate "$PNAME" 2>/dev/null | head -n1)" != "shut off" ]] \
      && (( $(now_ms) < t0 + (MARKER_TIMEOUT_S + POWEROFF_TIMEOUT_S) * 1000 )); do
  sleep 0.2
done
pgot="$(tr -d '\r' < "$PSERIAL_LOG" 2>/dev/null | grep -m1 '^VOUCH-MARKER: ' || true)"
if [[ "$pgot" == "VOUCH-MARKER: $MARKER" ]]; then
  pass "protected guest (OVMF) read the marker from its LUKS disk and powered off"
else
  fail "protected guest: expected 'VOUCH-MARKER: $MARKER', got '${pgot:-nothing}'"
fi
# OVMF measures the initrd as its SHA-256, and the kernel's load options —
# the command line with " initrd=initrd" appended, UTF-16LE with a NUL — into
# PCR 9 (edk2's QemuLoadImageLib); SeaBIOS measures neither.
initrd_sha="$(sha256sum < "$WORK/initrd.img" | cut -d' ' -f1)"
cmdline="$(sed -n 's|.*<cmdline>\([^<]*\)</cmdline>.*|\1|p' "$WORK/protected.xml")"
pcr9="$("$VOUCH_CLI" tpm eventlog "$WORK/eventlog.bin" 2>&1 \
        | awk '/^event [0-9]+ .*: PCR / { pcr = $6 } /^ +sha256 / && pcr == "9" { print $2 }' || true)"
if grep -qx "$initrd_sha" <<<"$pcr9"; then
  pass "OVMF measured the initrd into PCR 9 (event digest = sha256(initrd.img) $initrd_sha)"
else
  fail "PCR 9 events of the protected guest do not include sha256(initrd.img) $initrd_sha; PCR 9 digests: $(tr '\n' ' ' <<<"$pcr9")"
fi
cmdline_sha="$(python3 -c 'import hashlib,sys; print(hashlib.sha256((sys.argv[1] + " initrd=initrd\0").encode("utf-16-le")).hexdigest())' "$cmdline")"
if grep -qx "$cmdline_sha" <<<"$pcr9"; then
  pass "OVMF measured the kernel command line into PCR 9 ('$cmdline')"
else
  fail "PCR 9 events do not include the UTF-16LE digest of the command line '$cmdline' ($cmdline_sha)"
fi
virsh_ undefine --nvram --tpm "$PNAME" >/dev/null && PDOMAIN_DEFINED=0

# start_must_fail DESCRIPTION ERROR_REGEX: `virsh start` must fail with an
# error matching ERROR_REGEX (case-insensitive), and the guest must not run.
start_must_fail() {
  local what="$1" regex="$2" out
  rm -f -- "$SERIAL_LOG"
  if out="$(virsh_ start "$NAME" 2>&1)"; then
    fail "$what: expected 'virsh start' to fail, it succeeded"
    virsh_ destroy "$NAME" >/dev/null 2>&1 || true
    return
  fi
  out="$(tr '\n' ' ' <<<"$out")"
  if ! grep -qiE -- "$regex" <<<"$out"; then
    fail "$what: 'virsh start' failed, but expected an error matching /$regex/, got: $out"
  elif [[ -r "$SERIAL_LOG" ]] && grep -q 'VOUCH-' "$SERIAL_LOG"; then
    fail "$what: 'virsh start' failed, but the guest ran (serial log has VOUCH- lines)"
  else
    pass "$what: 'virsh start' refused: $out"
  fi
}

# --- negative: wrong key -> QEMU cannot unlock the disk ----------------------
set_secret_value_random
start_must_fail "wrong secret value" 'password|keyslot'

# --- negative: no secret (key not released) -> start fails --------------------
virsh_ secret-undefine "$SECRET_UUID" >/dev/null
SECRET_DEFINED=0
start_must_fail "secret undefined" 'secret'
state="$(domstate)"
if [[ "$state" == "shut off" ]]; then
  pass "domain $NAME stays defined and shut off after the refused starts"
else
  fail "expected domain $NAME defined and 'shut off' after the refused starts, got '${state:-not defined}'"
fi

# --- report ------------------------------------------------------------------
opt_ms() { if (( $1 >= 0 )); then fmt_ms "$1"; else echo n/a; fi; }
log "timings: daemons $(fmt_ms "$t_daemons"), build-guest $(fmt_ms "$t_build"), make-disk $(fmt_ms "$t_disk"), virsh start $(fmt_ms "$t_start"), start->init $(opt_ms "$t_init"), start->marker $(opt_ms "$t_marker"), start->shut off $(opt_ms "$t_off"), protected start->event log $(opt_ms "$t_plog")"
total=$((PASSED + FAILED))
if (( total != EXPECTED_CHECKS )); then
  fail "expected $EXPECTED_CHECKS checks, ran $total"
fi
echo "$PASSED passed, $FAILED failed"
SUMMARY_PRINTED=1
(( FAILED == 0 ))
