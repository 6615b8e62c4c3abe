#!/usr/bin/env bash
# The launch gate, end to end, on real parts: a real libvirtd starts a real
# QEMU guest whose LUKS disk key only exists as Shamir shares held by five
# vouchd validators; vouch-hook (installed as a libvirt hook) attests the
# host with a real swtpm quote and gets the key only when 3 of 5 agree.
#
# usage: launch_gate.sh BUILD_DIR [--demo]
#   --demo  narrate each step for a person watching (scripts/demo.sh)
# Exits 0 only if every assertion held; prints "N passed, M failed".
set -euo pipefail
BUILD=$(cd "${1:?usage: launch_gate.sh BUILD_DIR [--demo]}" && pwd)
DEMO=${2:-}
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
# shellcheck source=scripts/lib/services.sh
. "$ROOT/scripts/lib/services.sh"
VOUCH=$BUILD/cli/vouch VOUCHD=$BUILD/validator/vouchd HOOK=$BUILD/hook/vouch-hook

[[ $EUID -eq 0 ]] || { echo "launch_gate: needs root (libvirtd, hook install)"; exit 77; }

W=$(mktemp -d /var/tmp/vouch-gate.XXXXXX)
chmod 0711 "$W"  # QEMU (libvirt-qemu) must traverse to the kernel, initrd and disk
NAME=vouch-gate-$$
UUID=$(cat /proc/sys/kernel/random/uuid)
SECRET_UUID=$(cat /proc/sys/kernel/random/uuid)
HOOK_LINK=/etc/libvirt/hooks/qemu.d/vouch-gate-$$
PIDS=()
pass=0 fail=0

say() { if [[ -n $DEMO ]]; then printf '\n\033[1m== %s\033[0m\n' "$*"; fi; }
note() { if [[ -n $DEMO ]]; then printf '   %s\n' "$*"; fi; }
ok() { pass=$((pass + 1)); echo "ok: $*"; }
bad() { fail=$((fail + 1)); echo "FAIL: $*"; }

free_port_pair() {
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

restart_libvirtd() {
  local pid
  pid=$(vouch_live_pid libvirtd || true)
  if [[ -n $pid ]]; then
    kill "$pid"
    for _ in $(seq 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    # A libvirtd we did not start is replaced by one we did.
    local kept=()
    for p in "${VOUCH_STARTED_PIDS[@]+"${VOUCH_STARTED_PIDS[@]}"}"; do [[ $p == "$pid" ]] || kept+=("$p"); done
    VOUCH_STARTED_PIDS=("${kept[@]+"${kept[@]}"}")
  fi
  vouch_start_libvirt
}

cleanup() {
  set +e
  virsh -q destroy "$NAME" >/dev/null 2>&1
  virsh -q undefine "$NAME" >/dev/null 2>&1
  virsh -q secret-undefine "$SECRET_UUID" >/dev/null 2>&1
  if [[ -e $HOOK_LINK ]]; then rm -f "$HOOK_LINK"; restart_libvirtd >/dev/null 2>&1; fi
  for p in "${PIDS[@]+"${PIDS[@]}"}"; do kill "$p" 2>/dev/null; done
  # Leave libvirt as we found it: running if it was (the caller stops it).
  if [[ -n $LIBVIRT_WAS_RUNNING ]]; then VOUCH_STARTED_PIDS=(); VOUCH_STARTED_NAMES=(); fi
  vouch_stop_started
  [[ -n ${KEEP_WORKDIR:-} ]] || rm -rf "$W"
}
trap cleanup EXIT

say "Services: libvirtd, virtlogd, and a TPM for this host (swtpm)"
LIBVIRT_WAS_RUNNING=
vouch_running libvirtd && LIBVIRT_WAS_RUNNING=1
vouch_start_libvirt
TPM_PORT=$(free_port_pair)
mkdir -p "$W/tpm"
swtpm socket --tpm2 --tpmstate dir="$W/tpm" --server type=tcp,port="$TPM_PORT" \
  --ctrl type=tcp,port=$((TPM_PORT + 1)) --flags not-need-init,startup-clear \
  --pid file="$W/tpm/pid" --daemon
vouch_wait_for 10 test -s "$W/tpm/pid"
PIDS+=("$(cat "$W/tpm/pid")")
TCTI="swtpm:host=127.0.0.1,port=$TPM_PORT"
note "host TPM: $TCTI"

say "Host: its DID key and TPM attestation key (vouch host init)"
"$VOUCH" host init --dir "$W/host" --tcti "$TCTI" >"$W/host.txt"
HOST_DID=$(awk '$1 == "did" {print $2}' "$W/host.txt")
AK_HEX=$(awk '$1 == "ak_public" {print $2}' "$W/host.txt")
note "host DID $HOST_DID"
# Until vouchd reads the ledger, validators know registered hosts from a file.
echo "host $HOST_DID $AK_HEX certified" >"$W/hosts"

say "Five validators (vouchd), each with its own Ed25519 and HPKE keys"
declare -A VD_PID VD_ADDR
# start_vd I [FAULT]: (re)starts validator I on its address (port 0 the first time).
start_vd() {
  local i=$1 fault=${2:-} args=()
  [[ -n $fault ]] && args+=(--fault "$fault")
  rm -f "$W/vd$i.out"  # so the wait below sees only this instance's line
  "$VOUCHD" --listen "${VD_ADDR[$i]:-127.0.0.1:0}" --key "$(awk '$1 == "key:" {print $2}' "$W/vd$i.init")" \
    --hpke-key "$(awk '$1 == "hpke_key:" {print $2}' "$W/vd$i.init")" --hosts "$W/hosts" --state-dir "$W/vd$i" "${args[@]+"${args[@]}"}" \
    >"$W/vd$i.out" 2>>"$W/vd$i.log" &
  VD_PID[$i]=$!
  PIDS+=($!)
  vouch_wait_for 10 grep -q "listening on" "$W/vd$i.out" || { echo "vouchd $i did not start:"; cat "$W/vd$i.log"; exit 1; }
  VD_ADDR[$i]=$(sed -n 's/^vouchd: listening on //p' "$W/vd$i.out")
}
stop_vd() {
  kill "${VD_PID[$1]}" 2>/dev/null || true
  wait "${VD_PID[$1]}" 2>/dev/null || true
}
: >"$W/validators"
for i in 1 2 3 4 5; do
  "$VOUCHD" init --dir "$W/vd$i" >"$W/vd$i.init"
  start_vd "$i"
  did=$(awk '$1 == "did:" {print $2}' "$W/vd$i.init")
  pk=$(awk '$1 == "hpke_public_key:" {print $2}' "$W/vd$i.init")
  echo "$did $pk http://${VD_ADDR[$i]}" >>"$W/validators"
  note "validator $i: ${VD_ADDR[$i]} ${did:0:24}…"
done

say "The guest: Debian kernel + busybox initramfs, a LUKS disk with a marker file"
bash "$ROOT/vm-images/build-guest.sh" "$W/guest" >/dev/null
MARKER="vouch-$(head -c 8 /dev/urandom | od -An -tx1 | tr -d ' \n')"
mkdir -p "$W/content" && echo "$MARKER" >"$W/content/marker"
mke2fs -q -t ext2 -d "$W/content" "$W/disk.raw" 4M
bash "$ROOT/vm-images/render-domain.sh" "$NAME" "$UUID" "$W/guest" "$SECRET_UUID" >"$W/domain.xml"
# The disk the template names; vouch seal writes it encrypted.
DISK=$(sed -n "s/.*<source file='\([^']*\.luks\)'.*/\1/p" "$W/domain.xml" | sed -n 1p)
virsh -q define "$W/domain.xml" >/dev/null
note "domain $NAME ($UUID), disk $DISK"

say "Owner: vouch seal — K encrypts the disk, 3-of-5 shares sealed to the validators"
"$VOUCH" seal --domain "$NAME" --validators "$W/validators" --threshold 3 \
  --owner-key "$W/owner.pem" --image "$DISK" --from-raw "$W/disk.raw" \
  --pcrs 0,1,2,3,4,5,6,7 --pcrs-from-tpm "$TCTI" | sed 's/^/   /'
rm -f "$W/disk.raw"
if virsh dumpxml --inactive "$NAME" | grep -q "urn:vouch:domain:1"; then
  ok "bundle stored in the domain's <metadata>"
else
  bad "no vouch metadata on the domain"
fi

say "Install vouch-hook as a libvirt hook (restarts libvirtd to load it)"
cat >"$W/hook.conf" <<CONF
tcti = $TCTI
host_key = $W/host/host.key
ak_dir = $W/host/ak
audit_dir = $W/audit
state_dir = $W/run
bundle_dir = $W/bundles
deadline_ms = 20000
CONF
mkdir -p /etc/libvirt/hooks/qemu.d
printf '#!/bin/sh\nexec %s --config %s "$@"\n' "$HOOK" "$W/hook.conf" >"$HOOK_LINK"
chmod 0755 "$HOOK_LINK"
restart_libvirtd

SERIAL="$W/guest/$NAME.serial.log"
wait_off() {
  vouch_wait_for 90 sh -c "virsh domstate '$NAME' | grep -q 'shut off'" || virsh -q destroy "$NAME" >/dev/null 2>&1 || true
}
# boots NAME and waits for the marker; returns non-zero if either fails.
boot_and_read_marker() {
  rm -f "$SERIAL"
  virsh start "$NAME" >"$W/start.out" 2>&1 || return 1
  vouch_wait_for 120 grep -q "VOUCH-MARKER: $MARKER" "$SERIAL" || return 1
  wait_off
}
# expect_refusal WHAT PATTERN: virsh start must fail with PATTERN in its
# error and leave the domain defined, unchanged and shut off.
expect_refusal() {
  local what=$1 pattern=$2 before after state
  before=$(virsh dumpxml --inactive "$NAME" | sha256sum)
  if virsh start "$NAME" >"$W/refused.out" 2>&1; then
    bad "$what: the domain started"
    virsh -q destroy "$NAME" >/dev/null 2>&1 || true
    return
  fi
  note "virsh: $(grep -m1 -o "vouch: .*" "$W/refused.out")"
  after=$(virsh dumpxml --inactive "$NAME" | sha256sum)
  state=$(virsh domstate "$NAME" 2>/dev/null | sed -n 1p)
  if grep -Eq -- "$pattern" "$W/refused.out" && [[ $before == "$after" && $state == "shut off" ]]; then
    ok "$what: refused ($(grep -m1 -Eo -- "$pattern" "$W/refused.out")); domain unchanged"
  else
    bad "$what: wanted /$pattern/ and an unchanged domain; got state '$state': $(tr '\n' ' ' <"$W/refused.out")"
  fi
}

say "virsh start: the hook attests the host and collects 3 endorsements"
t0=$(date +%s.%N)
if virsh start "$NAME" >"$W/start1.out" 2>&1; then
  t1=$(date +%s.%N)
  ok "virsh start of the protected domain succeeded ($(awk -v a="$t0" -v b="$t1" 'BEGIN {printf "%.1f", b - a}') s)"
else
  bad "virsh start failed: $(cat "$W/start1.out")"
fi
if vouch_wait_for 120 grep -q "VOUCH-MARKER: $MARKER" "$SERIAL"; then
  ok "the guest read the decrypted disk: $(grep -a 'VOUCH-MARKER' "$SERIAL" | tr -d '\r')"
else
  bad "no marker on the serial console: $(tail -5 "$SERIAL" 2>/dev/null)"
fi
if virsh secret-list 2>/dev/null | grep -q "$SECRET_UUID"; then
  bad "the libvirt secret is still defined after start"
else
  ok "no secret left in virsh secret-list"
fi
VC=$(ls "$W"/audit/*.cbor 2>/dev/null | head -1 || true)
if [[ -n $VC ]] && "$VOUCH" verify "$VC" >"$W/verify.out" 2>&1 && grep -q "3 of 3 endorsements verify" "$W/verify.out"; then
  ok "endorsed VC in the audit store verifies: $(tail -1 "$W/verify.out")"
  [[ -n $DEMO ]] && sed 's/^/   /' "$W/verify.out"
else
  bad "no verifiable endorsed VC in $W/audit: $(cat "$W/verify.out" 2>/dev/null)"
fi
wait_off

say "Byzantine validators: one returns a wrong share, one a bad countersignature"
stop_vd 1; start_vd 1 wrong-share
stop_vd 2; start_vd 2 bad-countersignature
if boot_and_read_marker; then
  ok "started with two Byzantine validators among five (the three honest shares were used)"
else
  bad "did not start with two Byzantine validators: $(cat "$W/start.out")"
fi
note "audit: $(tail -1 "$W/audit/releases.log" 2>/dev/null | grep -o 'discarded=.*')"
# With validators 4 and 5 down the hook must examine the Byzantine answers:
# each is detected and named, and 2 honest shares are not enough.
stop_vd 4; stop_vd 5
expect_refusal "wrong share detected" "${VD_ADDR[1]}: released share fails the owner's commitment"
if grep -q "${VD_ADDR[2]}: bad countersignature" "$W/refused.out"; then
  ok "bad countersignature detected and named"
else
  bad "bad countersignature not named: $(grep -m1 -o 'vouch: .*' "$W/refused.out")"
fi
stop_vd 1; start_vd 1
stop_vd 2; start_vd 2
start_vd 4; start_vd 5

say "The domain edited past the policy (more memory): refused"
virsh dumpxml --inactive "$NAME" >"$W/sealed.xml"
sed "s|<memory unit='KiB'>262144</memory>|<memory unit='KiB'>524288</memory>|; s|<currentMemory unit='KiB'>262144</currentMemory>|<currentMemory unit='KiB'>524288</currentMemory>|" \
  "$W/sealed.xml" >"$W/bigger.xml"
virsh -q define "$W/bigger.xml" >/dev/null
expect_refusal "512 MiB instead of 256" "memory 524288 KiB exceeds the policy's 262144 KiB"
virsh -q define "$W/sealed.xml" >/dev/null

say "PCR drift: PCR 7 of the host TPM extended after sealing"
TPM2TOOLS_TCTI="$TCTI" tpm2_pcrextend 7:sha256=$(printf '%064d' 7) >/dev/null
expect_refusal "PCR 7 extended" "PCR 7 differs from reference"
# A TPM restart (Startup CLEAR) resets the PCRs to their measured values.
kill "$(cat "$W/tpm/pid")"; vouch_wait_for 10 sh -c "! kill -0 $(cat "$W/tpm/pid") 2>/dev/null"
swtpm socket --tpm2 --tpmstate dir="$W/tpm" --server type=tcp,port="$TPM_PORT" \
  --ctrl type=tcp,port=$((TPM_PORT + 1)) --flags not-need-init,startup-clear \
  --pid file="$W/tpm/pid" --daemon
vouch_wait_for 10 test -s "$W/tpm/pid"; PIDS+=("$(cat "$W/tpm/pid")")
if boot_and_read_marker; then ok "PCRs back to reference after a TPM restart: starts again"; else bad "did not start after the TPM restart: $(cat "$W/start.out")"; fi

say "Host revoked: every validator refuses"
echo "revoked $HOST_DID key compromised (demo)" >>"$W/hosts"
for i in 1 2 3 4 5; do stop_vd "$i"; start_vd "$i"; done
expect_refusal "revoked host" "revoked"
sed -i '/^revoked /d' "$W/hosts"
for i in 1 2 3 4 5; do stop_vd "$i"; start_vd "$i"; done

say "Two validators down: 3 of 5 still release the key"
stop_vd 4; stop_vd 5
if boot_and_read_marker; then
  ok "started with validators 4 and 5 down"
else
  bad "did not start with 3 validators: $(cat "$W/start.out")"
fi

say "Three validators down: refused, and virsh says why"
stop_vd 3
expect_refusal "3 of 5 validators down" "domain '$NAME' not released: 0 of 3 endorsements \\(${VD_ADDR[3]}: connection refused"

say "An unprotected domain starts as before; the hook's cost for it"
sed -e "s|<name>$NAME</name>|<name>$NAME-plain</name>|" -e "/<uuid>/d" -e "/<metadata>/,/<\/metadata>/d" \
  -e "/<disk /,/<\/disk>/d" "$W/sealed.xml" >"$W/plain.xml"
virsh -q define "$W/plain.xml" >/dev/null
if virsh start "$NAME-plain" >"$W/plain.out" 2>&1; then ok "unprotected domain started with the hook installed"; else bad "unprotected domain did not start: $(cat "$W/plain.out")"; fi
virsh -q destroy "$NAME-plain" >/dev/null 2>&1 || true
virsh dumpxml "$NAME-plain" >"$W/plain-live.xml" 2>/dev/null || cp "$W/plain.xml" "$W/plain-live.xml"
virsh -q undefine "$NAME-plain" >/dev/null 2>&1 || true
t0=$(date +%s%N)
for _ in $(seq 50); do "$HOOK" --config "$W/hook.conf" "$NAME-plain" prepare begin - <"$W/plain-live.xml"; done
t1=$(date +%s%N)
echo "info: vouch-hook on an unprotected domain: $(( (t1 - t0) / 50000 )) µs per call (goal < 5 ms)"

echo "$pass passed, $fail failed"
[[ $fail -eq 0 ]]
