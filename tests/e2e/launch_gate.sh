#!/usr/bin/env bash
# The launch gate, end to end, on real parts: a real libvirtd starts a real
# QEMU guest whose LUKS disk key only exists as Shamir shares held by five
# vouchd validators; vouch-hook (installed as a libvirt hook) attests the
# host with a real swtpm quote and gets the key only when 3 of 5 agree.
# Hosts, validators and revocations live on the ledger (SQLite by default,
# a 3-member etcd cluster with VOUCH_E2E_LEDGER=etcd): the host TPM has an
# EK certificate from a test "manufacturer" CA that the genesis trusts, and
# its AK is certified by the validators through TPM2_ActivateCredential.
#
# usage: launch_gate.sh BUILD_DIR [--demo [--keep] | --bench N]
#        launch_gate.sh --needs
#   --demo  narrate each step, with its timing, for a person watching
#           (scripts/demo.sh)
#   --keep  with --demo: leave the validators, the domain and the hook in
#           place at the end, print how to look around and how to stop it
#   --bench N  after the set-up, time N `virsh start`s of the protected domain
#           against N of a static-secret twin and print p50/p95 and the
#           hook's peak RSS instead of running the scenarios
#           (bench/virsh_start_overhead.sh)
#   VOUCH_E2E_LEDGER=sqlite|etcd  the ledger backend (default sqlite)
# Exits 0 only if every assertion held; prints "N passed, M failed".
#   --needs  print the build outputs this script runs, one per line
#           (ninja takes them as targets: scripts/demo.sh builds these)
set -euo pipefail
# Every binary this script runs, relative to BUILD_DIR. scripts/demo.sh
# builds exactly these, and e2e.demo runs the demo in a tree where nothing
# else is built, so a binary used below but missing here fails that test.
NEEDS=(cli/vouch cli/vouch-agent validator/vouchd validator/vouchd-byzantine hook/vouch-hook hook/vouch-hook-attest hook/vouch-pve-hook
  guest-shim/vouch-shim tests/e2e/attest_probe)
if [[ ${1:-} == --needs ]]; then printf '%s\n' "${NEEDS[@]}"; exit 0; fi
BUILD=$(cd "${1:?usage: launch_gate.sh BUILD_DIR [--demo [--keep] | --bench N]}" && pwd)
DEMO=${2:-} BENCH= KEEP=
if [[ $DEMO == --bench ]]; then BENCH=${3:-10}; DEMO=; fi
if [[ $DEMO == --demo && ${3:-} == --keep ]]; then KEEP=1; fi
for bin in "${NEEDS[@]}"; do
  [[ -x $BUILD/$bin ]] || { echo "launch_gate: $BUILD/$bin is not built (ninja -C $BUILD $bin)"; exit 1; }
done
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
# shellcheck source=scripts/lib/services.sh
. "$ROOT/scripts/lib/services.sh"
VOUCH=$BUILD/cli/vouch VOUCHD=$BUILD/validator/vouchd HOOK=$BUILD/hook/vouch-hook
# The Byzantine validators are the test binary: the real vouchd has no --fault.
VOUCHD_BYZANTINE=$BUILD/validator/vouchd-byzantine
PROBE=$BUILD/tests/e2e/attest_probe

[[ $EUID -eq 0 ]] || { echo "launch_gate: needs root (libvirtd, hook install)"; exit 77; }

W=$(mktemp -d /var/tmp/vouch-gate.XXXXXX)
chmod 0711 "$W"  # QEMU (libvirt-qemu) must traverse to the kernel, initrd and disk
NAME=vouch-gate-$$
UUID=$(cat /proc/sys/kernel/random/uuid)
SECRET_UUID=$(cat /proc/sys/kernel/random/uuid)
HOOK_LINK=/etc/libvirt/hooks/qemu.d/vouch
HOOK_SAVED=  # a vouch hook this machine had before the test, restored afterwards
PIDS=()
pass=0 fail=0

# In demo mode each step's header says when it began and each result how
# long it took since the previous line.
T_START=$(date +%s%N) T_LAST=$T_START
say() {
  [[ -n $DEMO ]] || return 0
  local now; now=$(date +%s%N); T_LAST=$now
  printf '\n\033[1m== [%s] %s\033[0m\n' "$(awk -v a="$T_START" -v b="$now" \
    'BEGIN {s = int((b - a) / 1e9); printf "%d:%02d", s / 60, s % 60}')" "$*"
}
note() { if [[ -n $DEMO ]]; then printf '   %s\n' "$*"; fi; }
ok() {
  pass=$((pass + 1))
  if [[ -z $DEMO ]]; then echo "ok: $*"; return; fi
  local now; now=$(date +%s%N)
  echo "ok ($(awk -v a="$T_LAST" -v b="$now" 'BEGIN {printf "%.1f s", (b - a) / 1e9}')): $*"
  T_LAST=$now
}
bad() { fail=$((fail + 1)); echo "FAIL: $*"; }


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

# --keep: what cleanup does, written as a script for the person to run
# when done looking around; the daemons are left running until then.
write_stop_script() {
  local f=$W/stop.sh p
  {
    echo '#!/usr/bin/env bash'
    echo "# Stops what 'scripts/demo.sh --keep' left running, as its own cleanup would."
    echo 'set +e'
    printf 'virsh -q destroy %q >/dev/null 2>&1\n' "$NAME"
    printf 'virsh -q undefine %q >/dev/null 2>&1\n' "$NAME"
    printf 'virsh -q secret-undefine %q >/dev/null 2>&1\n' "$SECRET_UUID"
    for g in ${GNAME:-} ${G2NAME:-}; do
      printf 'virsh -q destroy %q >/dev/null 2>&1; virsh -q undefine --nvram --tpm %q >/dev/null 2>&1\n' "$g" "$g"
    done
    printf '%q host install-hook --uninstall >/dev/null 2>&1 || rm -f %q\n' "$VOUCH" "$HOOK_LINK"
    [[ -n $HOOK_SAVED ]] && printf 'mv %q %q\n' "$HOOK_SAVED" "$HOOK_LINK"
    for p in "${PIDS[@]+"${PIDS[@]}"}"; do printf 'kill %d 2>/dev/null\n' "$p"; done
    if [[ -n $LIBVIRT_WAS_RUNNING ]]; then
      echo '# libvirtd was running before the demo: restart it so it drops the hook.'
      printf 'kill %d; sleep 2; libvirtd -d\n' "$(vouch_live_pid libvirtd)"
    else
      for p in libvirtd virtlogd; do printf 'kill %d 2>/dev/null\n' "$(vouch_live_pid "$p")"; done
    fi
    printf 'rm -rf %q\n' "$W"
    echo 'echo "vouch demo stopped"'
  } >"$f"
  chmod 0700 "$f"
}

look_around() {
  cat <<TXT

== The demo is still running (--keep). Look around:
   virsh list --all; virsh dumpxml $NAME | sed -n '/<metadata>/,/<\/metadata>/p'
   $VOUCH ledger show $LEDGER --genesis $GENESIS ${GOV_ACCESS[*]}
   $VOUCH verify ${VC:-$W/audit/<uuid>-<time>.cbor}
   tail $W/audit/releases.log $W/audit/reattest.log
   curl -s http://${VD_ADDR[1]}/metrics   (validator 1; its dashboard: http://${VD_ADDR[1]}/)
   $VOUCH status $NAME --config $W/hook.conf;  $VOUCH bundle show --domain $NAME
   $VOUCH start $NAME --config $W/hook.conf   (refused now: the host is revoked)
   Stop it all with: bash $W/stop.sh
TXT
}

cleanup() {
  set +e
  if [[ -n $KEEP ]]; then write_stop_script; look_around; return; fi
  virsh -q destroy "$NAME" >/dev/null 2>&1
  virsh -q undefine "$NAME" >/dev/null 2>&1
  virsh -q secret-undefine "$SECRET_UUID" >/dev/null 2>&1
  for g in ${GNAME:-} ${G2NAME:-}; do
    virsh -q destroy "$g" >/dev/null 2>&1
    virsh -q undefine --nvram --tpm "$g" >/dev/null 2>&1
  done
  if [[ -n ${NOVA_NAME:-} ]]; then
    virsh -q destroy "$NOVA_NAME" >/dev/null 2>&1
    virsh -q undefine "$NOVA_NAME" >/dev/null 2>&1
  fi
  if [[ -e $HOOK_LINK ]]; then
    "$VOUCH" host install-hook --uninstall >/dev/null 2>&1 || rm -f "$HOOK_LINK"
    [[ -n $HOOK_SAVED ]] && mv "$HOOK_SAVED" "$HOOK_LINK"
    restart_libvirtd >/dev/null 2>&1
  fi
  for p in "${PIDS[@]+"${PIDS[@]}"}"; do kill "$p" 2>/dev/null; done
  # Leave libvirt as we found it: running if it was (the caller stops it).
  if [[ -n $LIBVIRT_WAS_RUNNING ]]; then VOUCH_STARTED_PIDS=(); VOUCH_STARTED_NAMES=(); fi
  vouch_stop_started
  [[ -n ${KEEP_WORKDIR:-} ]] || rm -rf "$W"
}
trap cleanup EXIT

# provision_tpm STATE_DIR CA_DIR: a TPM state with an EK certificate (and a
# platform certificate) issued by a CA of this test's own, as swtpm_setup
# does for libvirt's vTPMs; the CA's root and issuer land in CA_DIR.
provision_tpm() {
  local dir=$1 ca=$2
  mkdir -p "$dir" "$ca"
  cat >"$ca/localca.conf" <<CONF
statedir = $ca
signingkey = $ca/signkey.pem
issuercert = $ca/issuercert.pem
certserial = $ca/certserial
CONF
  cat >"$ca/setup.conf" <<CONF
create_certs_tool= /usr/bin/swtpm_localca
create_certs_tool_config = $ca/localca.conf
create_certs_tool_options = /etc/swtpm-localca.options
active_pcr_banks = sha256
CONF
  swtpm_setup --tpm2 --tpmstate "$dir" --create-ek-cert --create-platform-cert \
    --config "$ca/setup.conf" --overwrite >"$ca/setup.log" 2>&1 ||
    { echo "swtpm_setup failed:"; cat "$ca/setup.log"; exit 1; }
}
# start_tpm STATE_DIR PORT: swtpm on PORT (PORT+1 control), pid in STATE_DIR/pid.
start_tpm() {
  rm -f "$1/pid"
  swtpm socket --tpm2 --tpmstate dir="$1" --server type=tcp,port="$2" \
    --ctrl type=tcp,port=$(($2 + 1)) --flags not-need-init,startup-clear \
    --pid file="$1/pid" --daemon
  vouch_wait_for 10 test -s "$1/pid"
  PIDS+=("$(cat "$1/pid")")
}

say "Services: libvirtd, virtlogd, and a TPM for this host (swtpm with an EK certificate)"
LIBVIRT_WAS_RUNNING=
vouch_running libvirtd && LIBVIRT_WAS_RUNNING=1
vouch_start_libvirt
provision_tpm "$W/tpm" "$W/ca"
TPM_PORT=$(vouch_free_port_pair)
start_tpm "$W/tpm" "$TPM_PORT"
TCTI="swtpm:host=127.0.0.1,port=$TPM_PORT"
note "host TPM: $TCTI, EK certificate from the test manufacturer CA in $W/ca"

LEDGER_KIND=${VOUCH_E2E_LEDGER:-sqlite}
# Each party's ledger access (DESIGN §6 "Access"): none on SQLite; on etcd
# TLS with a client certificate and an etcd user whose role decides what it
# may do: governance and validators write, hosts and the owner only read.
GOV_ACCESS=() HOST_ACCESS=() OWNER_ACCESS=()
if [[ $LEDGER_KIND == etcd ]]; then
  say "The ledger: a 3-member etcd cluster, TLS with client certificates, etcd users and roles"
  vouch_start_etcd_cluster "$W/etcd" vouch-gate "governance vd1 vd2 vd3 vd4 vd5" "host owner" ||
    { echo "launch_gate: the etcd cluster did not start"; exit 1; }
  PIDS+=("${VOUCH_ETCD_PIDS[@]}")
  LEDGER="etcds://$VOUCH_ETCD_ENDPOINTS/vouch-gate"
  mapfile -t GOV_ACCESS < <(vouch_etcd_access "$W/etcd" governance)
  mapfile -t HOST_ACCESS < <(vouch_etcd_access "$W/etcd" host)
  mapfile -t OWNER_ACCESS < <(vouch_etcd_access "$W/etcd" owner)
  note "roles: vouch-writer (governance, vd1..vd5), vouch-reader (host, owner) on vouch-gate/vouch/log/"
else
  say "The ledger: one SQLite file (the embedded default)"
  LEDGER="sqlite://$W/ledger.db"
fi
# access_conf NAME SEP: NAME's ledger access as config lines ("ledger-ca = …"
# for vouchd with SEP '-', "ledger_ca = …" for hook.conf with SEP '_').
access_conf() {
  [[ $LEDGER_KIND == etcd ]] || return 0
  printf 'ledger%sca = %s\nledger%scert = %s\nledger%skey = %s\nledger%suser = %s\nledger%spassword%sfile = %s\n' \
    "$2" "$W/etcd/ca.pem" "$2" "$W/etcd/client.pem" "$2" "$W/etcd/client.key" "$2" "$1" "$2" "$2" \
    "$W/etcd/$1.password"
}
"$VOUCH" key generate "$W/governance.pem" >/dev/null
"$VOUCH" key generate "$W/governance2.pem" >/dev/null
"$VOUCH" ledger init "$LEDGER" --key "$W/governance.pem" --governance "$("$VOUCH" ledger did "$W/governance2.pem")" \
  --tpm-ca "$W/ca/swtpm-localca-rootca-cert.pem" --tpm-ca "$W/ca/issuercert.pem" \
  --certify-quorum 2 --admit-quorum 2 --revoke-quorum 2 "${GOV_ACCESS[@]}" >"$W/init.out"
sed 's/^/   /' "$W/init.out"
# Every reader pins this genesis (DESIGN §6 "Trust anchor").
GENESIS=$(awk '$1 == "genesis" {print $2}' "$W/init.out")
[[ ${#GENESIS} -eq 64 ]] || { echo "vouch ledger init printed no genesis digest: $(cat "$W/init.out")"; exit 1; }
note "ledger $LEDGER; genesis $GENESIS trusts the test manufacturer CA; certify_quorum 2"

say "Five validators (vouchd), each with its own keys, admitted on the ledger by governance"
declare -A VD_PID VD_ADDR
# start_vd I [FAULT [VOUCHD_ARGS...]]: (re)starts validator I on its address;
# with a FAULT, as the Byzantine test binary.
start_vd() {
  local i=$1 fault=${2:-} args=() bin=$VOUCHD
  [[ -n $fault ]] && { args+=(--fault "$fault"); bin=$VOUCHD_BYZANTINE; }
  if [[ $# -gt 2 ]]; then args+=("${@:3}"); fi
  rm -f "$W/vd$i.out"  # so the wait below sees only this instance's line
  "$bin" --config "$W/vd$i.conf" "${args[@]+"${args[@]}"}" >"$W/vd$i.out" 2>>"$W/vd$i.log" &
  VD_PID[$i]=$!
  PIDS+=($!)
  vouch_wait_for 10 grep -q "listening on" "$W/vd$i.out" || { echo "vouchd $i did not start:"; cat "$W/vd$i.log"; exit 1; }
}
stop_vd() {
  kill "${VD_PID[$1]}" 2>/dev/null || true
  wait "${VD_PID[$1]}" 2>/dev/null || true
}
REGIONS=(eu-west eu-central us-east us-west ap-south)
for i in 1 2 3 4 5; do
  "$VOUCHD" init --dir "$W/vd$i" >"$W/vd$i.init"
  VD_ADDR[$i]=127.0.0.1:$(vouch_free_port_pair)
  did=$(awk '$1 == "did:" {print $2}' "$W/vd$i.init")
  pk=$(awk '$1 == "hpke_public_key:" {print $2}' "$W/vd$i.init")
  { printf 'listen = %s\nstate-dir = %s\nledger = %s\ngenesis = %s\n' "${VD_ADDR[$i]}" "$W/vd$i" "$LEDGER" "$GENESIS"
    access_conf "vd$i" -; } >"$W/vd$i.conf"
  VD_ACCESS=()
  [[ $LEDGER_KIND == etcd ]] && mapfile -t VD_ACCESS < <(vouch_etcd_access "$W/etcd" "vd$i")
  # The validator drafts its own registration; governance admits it.
  "$VOUCHD" register --state-dir "$W/vd$i" --ledger "$LEDGER" --genesis "$GENESIS" --endpoint "http://${VD_ADDR[$i]}" \
    --operator "operator-$i" --region "${REGIONS[$((i - 1))]}" --out "$W/vd$i.draft" "${VD_ACCESS[@]}" >/dev/null
  "$VOUCH" ledger cosign "$W/vd$i.draft" --key "$W/governance.pem" >/dev/null
  "$VOUCH" ledger cosign "$W/vd$i.draft" --key "$W/governance2.pem" >/dev/null
  "$VOUCH" ledger submit "$LEDGER" --genesis "$GENESIS" "$W/vd$i.draft" "${GOV_ACCESS[@]}" >/dev/null
  start_vd "$i"
  note "validator $i: ${VD_ADDR[$i]} ${did:0:24}… (operator-$i, ${REGIONS[$((i - 1))]})"
done

say "Host: DID key and TPM AK (vouch host init), DID document on the ledger (vouch host register)"
"$VOUCH" host init --dir "$W/host" --tcti "$TCTI" >"$W/host.txt"
HOST_DID=$(awk '$1 == "did" {print $2}' "$W/host.txt")
note "host DID $HOST_DID"
# On etcd the host's user only reads: a validator appends its registration.
"$VOUCH" host register --ledger "$LEDGER" --genesis "$GENESIS" --dir "$W/host" --tcti "$TCTI" "${HOST_ACCESS[@]}" |
  sed 's/^/   /'

say "Enrollment: validators check the EK certificate and certify the AK (TPM2_ActivateCredential)"
if "$VOUCH" host enroll --ledger "$LEDGER" --genesis "$GENESIS" --dir "$W/host" --tcti "$TCTI" "${HOST_ACCESS[@]}" \
  >"$W/enroll.out" 2>&1 &&
  grep -q "is certified" "$W/enroll.out" && [[ $(grep -c "^certified by" "$W/enroll.out") -eq 5 ]]; then
  ok "host AK certified by all 5 validators through credential activation"
else
  bad "enrollment failed: $(cat "$W/enroll.out")"
fi
[[ -n $DEMO ]] && sed 's/^/   /' "$W/enroll.out"

say "The guest: Debian kernel + busybox initramfs, a LUKS disk with a marker file"
bash "$ROOT/vm-images/build-guest.sh" "$W/guest" >/dev/null
MARKER="vouch-$(head -c 8 /dev/urandom | od -An -tx1 | tr -d ' \n')"
mkdir -p "$W/content" && echo "$MARKER" >"$W/content/marker"
mke2fs -q -t ext2 -d "$W/content" "$W/disk.raw" 4M >/dev/null
bash "$ROOT/vm-images/render-domain.sh" "$NAME" "$UUID" "$W/guest" "$SECRET_UUID" >"$W/domain.xml"
# The disk the template names; vouch seal writes it encrypted.
DISK=$(sed -n "s/.*<source file='\([^']*\.luks\)'.*/\1/p" "$W/domain.xml" | sed -n 1p)
virsh -q define "$W/domain.xml" >/dev/null
note "domain $NAME ($UUID), disk $DISK"

say "Owner: vouch seal — K encrypts the disk, 3-of-5 shares sealed to validators picked from the ledger"
# A second host (TPM with an EK certificate from a CA the ledger does not
# trust; registered and enrolled later): the policy allows both hosts, so its
# start is refused for its uncertified AK alone.
provision_tpm "$W/tpm2" "$W/ca2"
TPM2_PORT=$(vouch_free_port_pair)
start_tpm "$W/tpm2" "$TPM2_PORT"
TCTI2="swtpm:host=127.0.0.1,port=$TPM2_PORT"
"$VOUCH" host init --dir "$W/host2" --tcti "$TCTI2" >"$W/host2.txt"
HOST2_DID=$(awk '$1 == "did" {print $2}' "$W/host2.txt")
# The owner also allows the guest's "hold" boot (the re-attestation scenes
# keep it running): a second kernel command line, nothing else.
sed "s|<cmdline>\([^<]*\)</cmdline>|<cmdline>\1 vouch.hold=600</cmdline>|" "$W/domain.xml" >"$W/held-variant.xml"
"$VOUCH" seal --domain "$NAME" --ledger "$LEDGER" --genesis "$GENESIS" --validator-count 5 --threshold 3 \
  --owner-key "$W/owner.pem" --image "$DISK" --from-raw "$W/disk.raw" --also-boot "$W/held-variant.xml" \
  --pcrs 0,1,2,3,4,5,6,7 --pcrs-from-tpm "$TCTI" --host "$HOST_DID" --host "$HOST2_DID" \
  --on-drift pause --reattest 60 --grace 5 "${OWNER_ACCESS[@]}" | sed 's/^/   /'
rm -f "$W/disk.raw"
virsh dumpxml --inactive "$NAME" >"$W/sealed-check.xml"
if grep -q "urn:vouch:domain:1" "$W/sealed-check.xml"; then
  ok "bundle stored in the domain's <metadata>"
else
  bad "no vouch metadata on the domain"
fi

say "Install vouch-hook as a libvirt hook (restarts libvirtd to load it)"
AGENT_METRICS=127.0.0.1:$(vouch_free_port_pair)
cat >"$W/hook.conf" <<CONF
tcti = $TCTI
host_key = $W/host/host.key
ak_dir = $W/host/ak
ledger = $LEDGER
genesis = $GENESIS
audit_dir = $W/audit
state_dir = $W/run
bundle_dir = $W/bundles
deadline = 20s
metrics_listen = $AGENT_METRICS
$(access_conf host _)
CONF
if [[ -e $HOOK_LINK ]]; then HOOK_SAVED="$W/saved-vouch-hook"; mv "$HOOK_LINK" "$HOOK_SAVED"; fi
"$VOUCH" host install-hook --hook "$HOOK" --config "$W/hook.conf" | sed 's/^/   /'
if [[ -x $HOOK_LINK ]] && grep -q -- "--config" "$HOOK_LINK"; then
  ok "vouch host install-hook installed $HOOK_LINK"
else
  bad "vouch host install-hook did not install $HOOK_LINK"
fi
restart_libvirtd
# Everything a protected start needs, checked the way an operator would.
if "$VOUCH" doctor --config "$W/hook.conf" >"$W/doctor.out" 2>&1 && grep -q "^no problem found" "$W/doctor.out" &&
  [[ $(grep -c "^  ok    validator " "$W/doctor.out") -eq 5 ]] && grep -q "^  ok    host on the ledger: registered and certified" "$W/doctor.out"; then
  ok "vouch doctor: no problem found ($(grep -c '^  ok ' "$W/doctor.out") checks ok, 5 validators answer)"
else
  bad "vouch doctor found a problem: $(grep -E '^  (FAIL|warn)' "$W/doctor.out" | head -3)"
fi
[[ -n $DEMO ]] && sed 's/^/   /' "$W/doctor.out"
# Played as whoever answers at a validator's registered endpoint without its
# key (a process that took the port): doctor names it, as the hook would
# discard its answers (not in the demo).
if [[ -z $DEMO ]]; then
  "$VOUCHD" init --dir "$W/impostor" >/dev/null
  sed "s|^state-dir = .*|state-dir = $W/impostor|" "$W/vd1.conf" >"$W/impostor.conf"
  stop_vd 1
  "$VOUCHD" --config "$W/impostor.conf" >"$W/impostor.out" 2>"$W/impostor.log" &
  IMPOSTOR_PID=$!
  PIDS+=("$IMPOSTOR_PID")
  vouch_wait_for 10 grep -q "listening on" "$W/impostor.out" || true
  "$VOUCH" doctor --config "$W/hook.conf" >"$W/doctor-impostor.out" 2>&1 && rc=0 || rc=$?
  kill "$IMPOSTOR_PID" 2>/dev/null || true
  wait "$IMPOSTOR_PID" 2>/dev/null || true
  start_vd 1
  if [[ $rc -eq 1 ]] && grep -q "^  FAIL  validator http://${VD_ADDR[1]}: answers as did:key:[^,]*, the ledger says did:key:[^:]*: not the validator registered at this endpoint" "$W/doctor-impostor.out"; then
    ok "vouch doctor: another vouchd at validator 1's endpoint is a FAIL ($(grep -o 'answers as did:key:.\{12\}' "$W/doctor-impostor.out")…, not the DID the ledger names)"
  else
    bad "vouch doctor did not name the impostor (exit $rc): $(grep -E '^  (FAIL|warn)' "$W/doctor-impostor.out" | head -2)"
  fi
fi

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
    ok "$what: refused ($(grep -m1 -Eo -- "$pattern" "$W/refused.out" | head -1)); domain unchanged"
  else
    bad "$what: wanted /$pattern/ and an unchanged domain; got state '$state': $(tr '\n' ' ' <"$W/refused.out")"
  fi
}

# percentile P SORTED_FILE: the nearest-rank percentile of one number per line.
percentile() {
  local n; n=$(wc -l <"$2")
  sed -n "$(( (n * $1 + 99) / 100 ))p" "$2"
}

# Bench mode: virsh start of the protected domain vs a twin that is the
# same domain without vouch (its own LUKS disk, a static libvirt secret).
run_bench() {
  local n=$1 twin=$NAME-static twin_uuid twin_secret i t0 t1
  twin_uuid=$(cat /proc/sys/kernel/random/uuid); twin_secret=$(cat /proc/sys/kernel/random/uuid)
  mkdir -p "$W/static"; chmod 0755 "$W/static"
  (umask 077; head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n' >"$W/static/pass")
  bash "$ROOT/vm-images/make-disk.sh" "$W/static" "$W/static/pass" "$MARKER" >/dev/null
  cat >"$W/static/secret.xml" <<XML
<secret ephemeral='no' private='yes'><uuid>$twin_secret</uuid><description>vouch bench: static secret</description></secret>
XML
  virsh -q secret-define "$W/static/secret.xml" >/dev/null
  virsh -q secret-set-value "$twin_secret" --file "$W/static/pass" --plain >/dev/null
  virsh dumpxml --inactive "$NAME" | sed -e "s|<name>$NAME</name>|<name>$twin</name>|" \
    -e "s|<uuid>$UUID</uuid>|<uuid>$twin_uuid</uuid>|" -e "/<metadata>/,/<\/metadata>/d" \
    -e "s|$DISK|$W/static/disk.luks|" -e "s|$SECRET_UUID|$twin_secret|" >"$W/static.xml"
  virsh -q define "$W/static.xml" >/dev/null
  : >"$W/bench.protected"; : >"$W/bench.static"
  for i in $(seq "$n"); do  # interleaved, so drift hits both alike
    for dom in "$NAME" "$twin"; do
      t0=$(date +%s%N)
      virsh start "$dom" >"$W/bench.out" 2>&1 || { echo "bench: virsh start $dom failed: $(cat "$W/bench.out")"; return 1; }
      t1=$(date +%s%N)
      virsh -q destroy "$dom" >/dev/null 2>&1 || true
      echo $(( (t1 - t0) / 1000000 )) >>"$W/bench.$([[ $dom == "$NAME" ]] && echo protected || echo static)"
    done
  done
  sort -n -o "$W/bench.protected" "$W/bench.protected"; sort -n -o "$W/bench.static" "$W/bench.static"
  local pp50 pp95 sp50 sp95
  pp50=$(percentile 50 "$W/bench.protected"); pp95=$(percentile 95 "$W/bench.protected")
  sp50=$(percentile 50 "$W/bench.static"); sp95=$(percentile 95 "$W/bench.static")
  echo "virsh start, $n runs each (ms):  protected p50 $pp50 p95 $pp95 | static secret p50 $sp50 p95 $sp95"
  echo "vouch overhead: p50 $(printf '%+d' $((pp50 - sp50))) ms ($(awk -v a="$pp50" -v b="$sp50" 'BEGIN {printf "%.2f", a / b}')x), p95 $(printf '%+d' $((pp95 - sp95))) ms ($(awk -v a="$pp95" -v b="$sp95" 'BEGIN {printf "%.2f", a / b}')x)"
  # Peak RSS of vouch-hook (the front and the vouch-hook-attest it execs,
  # one process) during protected starts, from a wrapper's getrusage.
  cat >"$W/rss-hook" <<PY
#!/usr/bin/python3
import resource, subprocess, sys
rc = subprocess.call(["$HOOK"] + sys.argv[1:])
if "prepare" in sys.argv:
    with open("$W/bench.rss", "a") as f:
        f.write("%d\\n" % resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)
sys.exit(rc)
PY
  chmod 0755 "$W/rss-hook"
  "$VOUCH" host install-hook --hook "$W/rss-hook" --config "$W/hook.conf" >/dev/null
  for i in 1 2 3; do virsh start "$NAME" >/dev/null 2>&1 && virsh -q destroy "$NAME" >/dev/null 2>&1; done
  "$VOUCH" host install-hook --hook "$HOOK" --config "$W/hook.conf" >/dev/null
  echo "vouch-hook peak RSS during a protected start: $(sort -n "$W/bench.rss" | tail -1) KiB (max of $(wc -l <"$W/bench.rss") starts)"
  for i in 1 2 3 4 5; do
    [[ -r /proc/${VD_PID[$i]}/status ]] && echo "vouchd $i peak RSS: $(awk '/VmHWM/ {print $2, $3}' "/proc/${VD_PID[$i]}/status")"
  done
  virsh -q undefine "$twin" >/dev/null 2>&1 || true
  virsh -q secret-undefine "$twin_secret" >/dev/null 2>&1 || true
}
if [[ -n $BENCH ]]; then
  run_bench "$BENCH"
  exit $?
fi

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
virsh secret-list >"$W/secrets.out" 2>&1 || true
if grep -q "$SECRET_UUID" "$W/secrets.out"; then
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
VC_DIGEST=$(awk '$1 == "vc" && $2 == "digest" {print $3}' "$W/verify.out" 2>/dev/null)
"$VOUCH" ledger show "$LEDGER" --genesis "$GENESIS" "${GOV_ACCESS[@]}" >"$W/ledger-show.out" 2>&1 || true
if [[ -n $VC_DIGEST ]] && grep -q "attested.*vc_digest=$VC_DIGEST domain=$UUID" "$W/ledger-show.out"; then
  ok "the endorsed VC's digest is on the ledger (attested entry)"
else
  bad "no attested entry for VC digest '$VC_DIGEST' on the ledger: $(grep -m1 'ledger' "$W/audit/releases.log" 2>/dev/null)"
fi
wait_off
# The policy has a lease (--grace): at the stop the hook tells the validators,
# so none reports the domain that stopped on purpose as gone silent.
CTI=$(basename "$VC" .cbor); CTI=${CTI#"$UUID"-}
if vouch_wait_for 20 grep -q "cti=$CTI stopped" "$W/audit/stops.log" &&
  grep -q "cti=$CTI stopped.*leases_ended_by=[^ ]*127.* failed=\"\"\$" "$W/audit/stops.log"; then
  ended=$(grep -l "vouchd: stop host=$HOST_DID launch=cti:$CTI ended" "$W"/vd?.log 2>/dev/null | wc -l)
  if [[ $ended -ge 3 ]]; then
    ok "the stop ended the leases of the launch at $ended validators (at least the 3 that endorsed it)"
  else
    bad "the stop ended leases at $ended validators (want >= 3): $(grep -h 'vouchd: stop' "$W"/vd?.log | tail -5)"
  fi
else
  bad "no stop notice sent for launch $CTI: $(tail -2 "$W/audit/stops.log" 2>/dev/null)"
fi

say "vouch start: the key released before libvirt is asked (no call-back from the hook)"
releases_before=$(wc -l <"$W/audit/releases.log")
rm -f "$SERIAL"
if "$VOUCH" start "$NAME" --config "$W/hook.conf" >"$W/vstart.out" 2>&1 &&
  vouch_wait_for 120 grep -q "VOUCH-MARKER: $MARKER" "$SERIAL"; then
  ok "vouch start: $(cat "$W/vstart.out"); the guest read the disk"
else
  bad "vouch start failed: $(cat "$W/vstart.out")"
fi
releases_after=$(wc -l <"$W/audit/releases.log")
virsh secret-list >"$W/secrets.out" 2>&1 || true
if grep -q "key released by the validators" "$W/vstart.out" && [[ $((releases_after - releases_before)) -eq 1 ]] &&
  ! grep -q "$SECRET_UUID" "$W/secrets.out"; then
  ok "one release for vouch start (the hook took the fresh release), no secret left"
else
  bad "vouch start: $((releases_after - releases_before)) releases logged (want 1); secrets: $(cat "$W/secrets.out")"
fi
wait_off

say "A misbehaving host against validator 1: replay, stale challenge, another domain's VC"
virsh dumpxml --inactive "$NAME" >"$W/probe.xml"
probe() {
  "$PROBE" --config "$W/hook.conf" --xml "$W/probe.xml" --endpoint "http://${VD_ADDR[1]}" "$@" >"$W/probe.out" 2>&1 ||
    echo "probe error: $(cat "$W/probe.out")" >>"$W/probe.out"
}
# expect_answers WHAT PATTERN...: the probe's answers, in order, match the patterns.
expect_answers() {
  local what=$1 k=0 pattern got; shift
  for pattern in "$@"; do
    k=$((k + 1))
    got=$(grep '^answer: ' "$W/probe.out" | sed -n "${k}p")
    if ! grep -Eq -- "$pattern" <<<"$got"; then
      bad "$what: answer $k wanted /$pattern/, got '$got' ($(tr '\n' ' ' <"$W/probe.out"))"
      return
    fi
  done
  ok "$what: $(grep '^answer: ' "$W/probe.out" | tail -1 | cut -c1-120)"
}
probe --mode replay
expect_answers "attest request replayed" '^answer: ok$' '^answer: refused replay: '
probe --mode other-domain
expect_answers "VC for another domain" '^answer: refused not-in-policy: host VC is for domain 00000000-'
probe --mode replay-vc --vc "$VC"
expect_answers "endorsed VC from the audit store sent again" '^answer: refused (replay|stale-nonce): '
stop_vd 1; start_vd 1 "" --nonce-validity 2
probe --mode stale --wait 4s
expect_answers "challenge answered after it expired" '^answer: refused stale-nonce: '
stop_vd 1; start_vd 1

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
expect_refusal "512 MiB instead of 256" "memory 524288 KiB exceeds the policy's memory_kib_max of 262144 KiB"
virsh -q define "$W/sealed.xml" >/dev/null

say "The domain redefined after sealing (another kernel, an extra disk, a QEMU argument): refused"
# Whoever can define domains cannot make the released key serve another guest.
sed "s|<kernel>[^<]*</kernel>|<kernel>/tmp/vmlinuz-other</kernel>|" "$W/sealed.xml" >"$W/other-kernel.xml"
virsh -q define "$W/other-kernel.xml" >/dev/null
expect_refusal "another kernel" "boot matches none of the policy's 2 allowed configurations \(the first differs in kernel '/tmp/vmlinuz-other'"
sed "s|</devices>|<disk type='file' device='disk'><source file='$W/copy.img'/><target dev='vdb' bus='virtio'/></disk></devices>|" \
  "$W/sealed.xml" >"$W/extra-disk.xml"
virsh -q define "$W/extra-disk.xml" >/dev/null
expect_refusal "an extra disk" "disk 'disk:vdb:none:$W/copy.img' is not in the policy's disks_allowed"
sed "s|<domain type='\([a-z]*\)'[^>]*>|<domain type='\1' xmlns:qemu='http://libvirt.org/schemas/domain/qemu/1.0'>|; s|</devices>|</devices><qemu:commandline><qemu:arg value='-S'/></qemu:commandline>|" \
  "$W/sealed.xml" >"$W/qemu-arg.xml"
virsh -q define "$W/qemu-arg.xml" >/dev/null
expect_refusal "a <qemu:commandline> argument" "<qemu:commandline> arguments \['-S'\] differ from the policy's \[\]"
virsh -q define "$W/sealed.xml" >/dev/null

say "Re-attestation: the running domain judged again against its launch VC (vouch reattest)"
# The same domain, asked to stay up (the guest holds before powering off).
sed "s|<cmdline>\([^<]*\)</cmdline>|<cmdline>\1 vouch.hold=600</cmdline>|" "$W/sealed.xml" >"$W/held.xml"
# start_held: the domain, asked to stay up (held.xml), started through the hook
# and holding; says so with ok/bad.
start_held() {
  virsh -q define "$W/held.xml" >/dev/null
  rm -f "$SERIAL"
  if virsh start "$NAME" >"$W/start.out" 2>&1 && vouch_wait_for 120 grep -q "VOUCH-MARKER: $MARKER" "$SERIAL" &&
    vouch_wait_for 30 grep -q "VOUCH-INIT: holding" "$SERIAL"; then
    ok "the held domain started through the hook and stays up"
  else
    bad "the held domain did not start: $(cat "$W/start.out")"
  fi
}
start_held
if "$VOUCH" reattest "$NAME" --config "$W/hook.conf" >"$W/reattest.out" 2>&1 &&
  grep -q "re-endorsed by 5 of 5 validators (t = 3)" "$W/reattest.out"; then
  ok "vouch reattest: $(head -1 "$W/reattest.out")"
else
  bad "vouch reattest of the unchanged domain failed: $(cat "$W/reattest.out")"
fi
RVC=$(ls -t "$W"/audit/"$UUID"-*.cbor 2>/dev/null | head -1 || true)
if [[ -n $RVC ]] && "$VOUCH" verify "$RVC" >"$W/rverify.out" 2>&1 && grep -q "reattest" "$W/rverify.out" &&
  grep -q "5 of 5 endorsements verify" "$W/rverify.out"; then
  ok "the re-endorsed VC in the audit store verifies: $(tail -1 "$W/rverify.out")"
else
  bad "no verifiable reattest VC in $W/audit: $(cat "$W/rverify.out" 2>/dev/null)"
fi
if "$VOUCH" agent --config "$W/hook.conf" --once >"$W/agent.out" 2>&1 &&
  grep -q "^[0-9]* $NAME: re-endorsed by 5 of 5 validators (t = 3)" "$W/agent.out"; then
  ok "vouch agent --once re-attested the running domain: $(cut -d' ' -f2- "$W/agent.out" | head -1)"
else
  bad "vouch agent --once: $(cat "$W/agent.out")"
fi
# status_json FILE PYTHON-CONDITION: FILE holds `vouch status --json`, bound to s.
status_json() {
  python3 -c 'import json, sys, time; s = json.load(open(sys.argv[1])); sys.exit(0 if eval(" ".join(sys.argv[2].split())) else 1)' "$@"
}
"$VOUCH" status "$NAME" --config "$W/hook.conf" --json >"$W/status.json" 2>&1 || true
if status_json "$W/status.json" 's["state"] == "running" and s["threshold"] == 3 and s["validators"] == 5
    and sum(e["ok"] for e in s["launch"]["endorsements"]) >= 3
    and sum(e["ok"] for e in s["last_endorsed"]["endorsements"]) == 5
    and s["deadline"] > time.time() and "verdict=endorsed" in s["last_round"]
    and s["revocations"]["launch"]["revoked"] is False and s["revocations"]["host"]["revoked"] is False'; then
  ok "vouch status --json: running, last round endorsed by 5 of 5, lease due in $(python3 -c 'import json,sys,time; print(int(json.load(open(sys.argv[1]))["deadline"] - time.time()))' "$W/status.json") s, nothing revoked"
else
  bad "vouch status --json after the rounds: $(head -c 600 "$W/status.json")"
fi
virsh -q destroy "$NAME" >/dev/null 2>&1 || true
virsh -q define "$W/sealed.xml" >/dev/null
# Bad input: one line naming what is wrong, exit 1 (2 for usage).
"$VOUCH" reattest "$NAME" --config "$W/hook.conf" >"$W/reattest-off.out" 2>&1 && rc=0 || rc=$?
"$VOUCH" reattest "no-such-$NAME" --config "$W/hook.conf" >"$W/reattest-none.out" 2>&1 && rc2=0 || rc2=$?
"$VOUCH" reattest >"$W/reattest-usage.out" 2>&1 && rc3=0 || rc3=$?
if [[ $rc -eq 1 && $(wc -l <"$W/reattest-off.out") -eq 1 ]] &&
  grep -q "^vouch: domain '$NAME': is not running: nothing to re-attest$" "$W/reattest-off.out" &&
  [[ $rc2 -eq 1 ]] && grep -q "no-such-$NAME' does not exist" "$W/reattest-none.out" &&
  [[ $rc3 -eq 2 ]] && grep -q "^usage: vouch reattest DOMAIN" "$W/reattest-usage.out"; then
  ok "vouch reattest refuses a shut-off domain, an unknown domain and no argument, each in one line"
else
  bad "vouch reattest bad input: rc $rc/$rc2/$rc3: $(cat "$W/reattest-off.out" "$W/reattest-none.out")"
fi

# OpenStack nova's path (not in the demo: a second boot of the plain guest).
# shellcheck source=tests/e2e/scenes/nova.sh
[[ -z $DEMO ]] && . "$ROOT/tests/e2e/scenes/nova.sh"
# Proxmox VE's hookscript with a QEMU started as Proxmox starts it (not in the demo).
# shellcheck source=tests/e2e/scenes/boot_update.sh
[[ -z $DEMO ]] && . "$ROOT/tests/e2e/scenes/boot_update.sh"

# shellcheck source=tests/e2e/scenes/proxmox.sh
[[ -z $DEMO ]] && . "$ROOT/tests/e2e/scenes/proxmox.sh"

# shellcheck source=tests/e2e/scenes/guest_half.sh
. "$ROOT/tests/e2e/scenes/guest_half.sh"

say "PCR drift: PCR 7 of the host TPM extended after sealing"
TPM2TOOLS_TCTI="$TCTI" tpm2_pcrextend 7:sha256=$(printf '%064d' 7) >/dev/null
expect_refusal "PCR 7 extended" "PCR 7 differs from reference"
# A TPM restart (Startup CLEAR) resets the PCRs to their measured values.
tpm_pid=$(cat "$W/tpm/pid"); kill "$tpm_pid"; vouch_wait_for 10 sh -c "! kill -0 $tpm_pid 2>/dev/null"
start_tpm "$W/tpm" "$TPM_PORT"
if boot_and_read_marker; then ok "PCRs back to reference after a TPM restart: starts again"; else bad "did not start after the TPM restart: $(cat "$W/start.out")"; fi

say "A second host whose TPM's EK certificate comes from a CA the ledger does not trust"
# (Its TPM and DID were made before sealing, so that the policy allows it.)
"$VOUCH" host register --ledger "$LEDGER" --genesis "$GENESIS" --dir "$W/host2" --tcti "$TCTI2" "${HOST_ACCESS[@]}" \
  >/dev/null
if "$VOUCH" host enroll --ledger "$LEDGER" --genesis "$GENESIS" --dir "$W/host2" --tcti "$TCTI2" "${HOST_ACCESS[@]}" \
  >"$W/enroll2.out" 2>&1; then
  bad "a host with an untrusted EK certificate was certified: $(cat "$W/enroll2.out")"
elif [[ $(grep -c "^refused by .*EK certificate is not from a trusted TPM CA" "$W/enroll2.out") -eq 5 ]]; then
  ok "enrollment refused by all 5 validators: EK certificate is not from a trusted TPM CA"
else
  bad "enrollment of the untrusted host: wanted 5 EK-certificate refusals: $(cat "$W/enroll2.out")"
fi
probe --mode other-tpm --other-tcti "$TCTI2" --other-ak-dir "$W/host2/ak"
expect_answers "quote from another TPM in this host's VC" '^answer: refused bad-quote: '
# Its PCRs equal the reference (both TPMs are fresh): only the AK is wrong.
sed -i -e "s|^tcti = .*|tcti = $TCTI2|" -e "s|/host/|/host2/|" "$W/hook.conf"
expect_refusal "uncertified AK (PCRs match the reference)" "AK is not certified"
sed -i -e "s|^tcti = .*|tcti = $TCTI|" -e "s|/host2/|/host/|" "$W/hook.conf"

say "Two validators down: 3 of 5 still release the key"
stop_vd 4; stop_vd 5
if boot_and_read_marker; then
  ok "started with validators 4 and 5 down"
else
  bad "did not start with 3 validators: $(cat "$W/start.out")"
fi

say "Three validators down: refused, and virsh says why"
stop_vd 3
expect_refusal "3 of 5 validators down" "domain '$NAME' not released: 0 of 3 endorsements \\(.*${VD_ADDR[3]}[^;]*: connection refused"
start_vd 3; start_vd 4; start_vd 5

if [[ $LEDGER_KIND == sqlite ]]; then
say "The ledger rewritten by whoever can write its file: every reader refuses it by its pinned genesis"
# The attacker empties the file and writes a chain of their own into it
# (their governance, quorums of 1); the real rows are kept to put back.
python3 - "$W/ledger.db" "$W/ledger-real.db" <<'PY'
import sqlite3, sys
db = sqlite3.connect(sys.argv[1]); keep = sqlite3.connect(sys.argv[2])
db.backup(keep); keep.close()
db.execute("DELETE FROM entries"); db.commit()
PY
"$VOUCH" key generate "$W/attacker.pem" >/dev/null
"$VOUCH" ledger init "$LEDGER" --key "$W/attacker.pem" --single-operator \
  --certify-quorum 1 --admit-quorum 1 --revoke-quorum 1 >"$W/forged-init.out" 2>&1
FORGED=$(awk '$1 == "genesis" {print $2}' "$W/forged-init.out")
WANT="genesis $FORGED is not the pinned genesis $GENESIS"
stop_vd 1
"$VOUCHD" --config "$W/vd1.conf" >"$W/vd1-forged.out" 2>"$W/vd1-forged.err" && rc=0 || rc=$?
if [[ -n $FORGED && $rc -eq 1 ]] && grep -qF "$WANT" "$W/vd1-forged.err"; then
  ok "a restarted vouchd refuses the rewritten ledger: $(cut -c1-150 "$W/vd1-forged.err")"
else
  bad "vouchd on the rewritten ledger: exit $rc: $(cat "$W/vd1-forged.err" "$W/vd1-forged.out")"
fi
head -c 1M /dev/urandom >"$W/forged.raw"
image_before=$(sha256sum <"$DISK")
"$VOUCH" seal --domain "$NAME" --ledger "$LEDGER" --genesis "$GENESIS" --validator-count 5 --threshold 3 \
  --owner-key "$W/owner.pem" --image "$DISK" --from-raw "$W/forged.raw" --force \
  --pcrs-from-tpm "$TCTI" --host "$HOST_DID" >"$W/seal-forged.out" 2>&1 && rc=0 || rc=$?
if [[ $rc -eq 1 ]] && grep -qF "$WANT" "$W/seal-forged.out" && [[ $(sha256sum <"$DISK") == "$image_before" ]]; then
  ok "vouch seal refuses to pick validators from it; the image is untouched"
else
  bad "vouch seal on the rewritten ledger: exit $rc: $(cat "$W/seal-forged.out")"
fi
"$VOUCH" host enroll --ledger "$LEDGER" --genesis "$GENESIS" --dir "$W/host" --tcti "$TCTI" >"$W/enroll-forged.out" 2>&1 &&
  rc=0 || rc=$?
if [[ $rc -eq 1 ]] && grep -qF "$WANT" "$W/enroll-forged.out"; then
  ok "vouch host enroll refuses it"
else
  bad "vouch host enroll on the rewritten ledger: exit $rc: $(cat "$W/enroll-forged.out")"
fi
# The running validators see a ledger shorter than what they verified.
expect_refusal "start while the ledger is rewritten" "cannot be read or verified"
python3 - "$W/ledger.db" "$W/ledger-real.db" <<'PY'
import sqlite3, sys
db = sqlite3.connect(sys.argv[1])
db.execute("DELETE FROM entries")
db.execute("ATTACH DATABASE ? AS real", (sys.argv[2],))
db.execute("INSERT INTO entries SELECT * FROM real.entries"); db.commit()
PY
start_vd 1
# Cut, not rewritten: a copy without its newest entries is still a valid
# chain from the pinned genesis. A reader with no head file of its own
# (vouch seal) learns it was cut from the validators' checkpoints.
python3 - "$W/ledger.db" "$W/ledger-cut.db" <<'PY'
import sqlite3, sys
db = sqlite3.connect(sys.argv[1]); cut = sqlite3.connect(sys.argv[2])
db.backup(cut)
last = cut.execute("SELECT MAX(idx) FROM entries").fetchone()[0]
cut.execute("DELETE FROM entries WHERE idx > ?", (last - 3,)); cut.commit()
PY
"$VOUCH" seal --domain "$NAME" --ledger "sqlite://$W/ledger-cut.db" --genesis "$GENESIS" --validator-count 5 --threshold 3 \
  --owner-key "$W/owner.pem" --image "$DISK" --from-raw "$W/forged.raw" --force \
  --pcrs-from-tpm "$TCTI" --host "$HOST_DID" >"$W/seal-cut.out" 2>&1 && rc=0 || rc=$?
if [[ $rc -eq 1 ]] && grep -q "the ledger does not extend what [2-5] validators verified" "$W/seal-cut.out" &&
  [[ $(sha256sum <"$DISK") == "$image_before" ]]; then
  ok "vouch seal on a ledger with its newest entries cut: refused by the validators' checkpoints ($(grep -o 'what [0-9] validators verified' "$W/seal-cut.out"))"
else
  bad "vouch seal on the cut ledger: exit $rc: $(cat "$W/seal-cut.out")"
fi
# A hook.conf that names a ledger without pinning its genesis: refused in one line.
grep -v '^genesis = ' "$W/hook.conf" >"$W/unpinned.conf"
"$VOUCH" start "$NAME" --config "$W/unpinned.conf" >"$W/unpinned.out" 2>&1 && rc=0 || rc=$?
if [[ $rc -ne 0 ]] && grep -q "'ledger' needs 'genesis = HEX'" "$W/unpinned.out" &&
  [[ $(virsh domstate "$NAME" | sed -n 1p) == "shut off" ]]; then
  ok "a hook.conf without the genesis pin is refused: $(head -1 "$W/unpinned.out" | cut -c1-120)"
else
  bad "unpinned hook.conf: exit $rc: $(cat "$W/unpinned.out")"
fi
else
say "A host deletes and rewrites vouch/log with its own etcd credentials: etcd refuses"
"$VOUCH" ledger show "$LEDGER" --genesis "$GENESIS" "${GOV_ACCESS[@]}" >"$W/ledger-before.out" 2>&1
# What a host holds: the cluster's CA, its client certificate, user "host".
host_etcdctl() {
  ETCDCTL_USER="host:$(cat "$W/etcd/host.password")" etcdctl --endpoints "https://${VOUCH_ETCD_ENDPOINTS//,/,https://}" \
    --cacert "$W/etcd/ca.pem" --cert "$W/etcd/client.pem" --key "$W/etcd/client.key" "$@" 2>&1
}
next=$(grep -c . "$W/ledger-before.out")
forged="vouch-gate/vouch/log/$(printf '%020d' "$next")"
host_etcdctl del --prefix vouch-gate/vouch/log/ >"$W/attack-1.out" || true
host_etcdctl put vouch-gate/vouch/log/00000000000000000000 forged-genesis >"$W/attack-2.out" || true
host_etcdctl put "$forged" forged-entry >"$W/attack-3.out" || true
printf '\ndel vouch-gate/vouch/log/00000000000000000001\nput %s forged-entry\n\n\n' "$forged" |
  host_etcdctl txn --interactive=false >"$W/attack-4.out" || true
refused=$(grep -l "permission denied" "$W"/attack-[1-4].out | wc -l)
"$VOUCH" ledger show "$LEDGER" --genesis "$GENESIS" "${GOV_ACCESS[@]}" >"$W/ledger-after.out" 2>&1
if [[ $refused -eq 4 ]] && cmp -s "$W/ledger-before.out" "$W/ledger-after.out" && [[ $next -gt 10 ]]; then
  ok "delete, overwrite of entry 0, a forged next entry and a txn by the host's etcd user: each 'permission denied'; the ledger is unchanged ($next entries)"
else
  bad "the host's etcd user: $refused of 4 writes refused: $(cat "$W"/attack-*.out | tr '\n' ' ' | cut -c1-300)"
fi
if "$VOUCH" ledger append "$LEDGER" --genesis "$GENESIS" --key "$W/host/host.key" attested --vc-digest "$(printf '%064d' 1)" \
  --domain "$NAME" "${HOST_ACCESS[@]}" >"$W/attack-append.out" 2>&1; then
  bad "the host appended directly with its read-only etcd user: $(cat "$W/attack-append.out")"
elif grep -q "etcd user 'host' is not permitted" "$W/attack-append.out"; then
  ok "vouch ledger append with the host's etcd user is refused by etcd: $(cut -c1-140 "$W/attack-append.out")"
else
  bad "a direct append by the host: wanted a permission refusal: $(cat "$W/attack-append.out")"
fi
if grep -q "ledger-append author=$HOST_DID type=did-register index=[0-9]* appended" "$W"/vd*.log; then
  ok "the host's did-register reached the ledger through a validator (POST /v1/ledger/append)"
else
  bad "no validator logged appending the host's did-register: $(grep -h ledger-append "$W"/vd*.log | head -3)"
fi
fi

say "A typo in the installed hook.conf: the start is refused naming the line, not run on defaults"
cp "$W/hook.conf" "$W/hook.conf.good"
echo "bundel_dir = $W/bundles" >>"$W/hook.conf"
expect_refusal "hook.conf with an unknown key" "hook.conf' line [0-9]+: unknown key 'bundel_dir'"
cp "$W/hook.conf.good" "$W/hook.conf"
# The launch VC is every re-attestation's baseline: a start that cannot
# keep it in the audit store is refused before QEMU gets the key.
: >"$W/not-a-directory"
sed -i "s|^audit_dir = .*|audit_dir = $W/not-a-directory/audit|" "$W/hook.conf"
expect_refusal "an audit store that cannot be written" "its launch VC cannot be kept: audit store '[^']*': cannot create it"
mv "$W/hook.conf.good" "$W/hook.conf"

say "Drift while running: PCR 7 extended under the running domain; the revoked launch quarantines the host for it"
start_held
TPM2TOOLS_TCTI="$TCTI" tpm2_pcrextend 7:sha256=$(printf '%064d' 7) >/dev/null
if "$VOUCH" reattest "$NAME" --config "$W/hook.conf" --enforce >"$W/reattest2.out" 2>&1; then
  bad "vouch reattest endorsed a host whose PCR 7 drifted: $(cat "$W/reattest2.out")"
elif grep -q "0 of 3 endorsements" "$W/reattest2.out" && grep -q "PCR 7 differs from reference" "$W/reattest2.out" &&
  grep -q "on_drift=pause: domain paused" "$W/reattest2.out"; then
  ok "PCR 7 extended while running: every validator refuses, on_drift paused the domain"
  note "$(tr '\n' ' ' <"$W/reattest2.out")"
else
  bad "drift while running: wanted refusals naming PCR 7 and a pause: $(cat "$W/reattest2.out")"
fi
state=$(virsh domstate "$NAME" 2>/dev/null | sed -n 1p)
if [[ $state == paused ]] && grep -q "verdict=drift on_drift=pause enforced=\"domain paused\"" "$W/audit/reattest.log"; then
  ok "libvirt reports the domain paused; reattest.log records the enforcement"
else
  bad "after the drift verdict the domain is '$state'; reattest.log: $(tail -1 "$W/audit/reattest.log" 2>/dev/null)"
fi
"$VOUCH" ledger show "$LEDGER" --genesis "$GENESIS" "${GOV_ACCESS[@]}" >"$W/ledger-drift.out" 2>&1 || true
grep "subject=cti:" "$W/ledger-drift.out" | grep "PCR 7 differs from reference" >"$W/drift-reports.out" || true
if [[ $(wc -l <"$W/drift-reports.out") -ge 2 ]]; then
  ok "the validators reported the drifted launch credential on the ledger ($(wc -l <"$W/drift-reports.out") revoke reports, revoke_quorum 2)"
else
  bad "no drift reports on the ledger: $(grep -c revoke "$W/ledger-drift.out") revoke entries"
fi
if "$VOUCH" reattest "$NAME" --config "$W/hook.conf" >"$W/reattest3.out" 2>&1; then
  bad "a revoked launch credential was re-endorsed: $(cat "$W/reattest3.out")"
elif grep -q "is revoked" "$W/reattest3.out"; then
  ok "the revoked launch credential is refused by every validator, whatever the evidence"
else
  bad "after the reports, wanted 'is revoked': $(cat "$W/reattest3.out")"
fi
"$VOUCH" status "$NAME" --config "$W/hook.conf" >"$W/status.txt" 2>&1 || true
"$VOUCH" status "$NAME" --config "$W/hook.conf" --json >"$W/status.json" 2>&1 || true
if status_json "$W/status.json" 's["state"] == "paused" and s["revocations"]["launch"]["revoked"] is True
    and "PCR 7" in s["revocations"]["launch"]["reason"] and s["revocations"]["host"]["revoked"] is False' &&
  grep -q "^launch cti:.*: REVOKED (" "$W/status.txt"; then
  ok "vouch status: paused, $(grep -m1 '^launch cti:' "$W/status.txt" | cut -c1-140)"
else
  bad "vouch status after the drift revocation: $(cat "$W/status.txt") $(head -c 600 "$W/status.json")"
fi
virsh -q destroy "$NAME" >/dev/null 2>&1 || true
virsh -q define "$W/sealed.xml" >/dev/null
# destroy + start gets a fresh launch credential: the quarantine refuses it.
expect_refusal "relaunch of the domain whose launch was revoked" "is quarantined for domain $UUID"
"$VOUCH" status "$NAME" --config "$W/hook.conf" >"$W/status-q.txt" 2>&1 || true
if grep -q "^quarantine: host .* may not launch this domain" "$W/status-q.txt"; then
  ok "vouch status: $(grep -m1 '^quarantine:' "$W/status-q.txt" | cut -c1-150)"
else
  bad "vouch status does not show the quarantine: $(cat "$W/status-q.txt")"
fi
tpm_pid=$(cat "$W/tpm/pid"); kill "$tpm_pid"; vouch_wait_for 10 sh -c "! kill -0 $tpm_pid 2>/dev/null"
start_tpm "$W/tpm" "$TPM_PORT"

# The host is revoked while a protected guest runs: $G2NAME of the guest
# half (its quarantine lifted by governance once more) under vouch-agent.
say "Host revoked on the ledger (governance) while $G2NAME runs: every validator refuses, vouch-agent enforces, a watcher sees it"
relaunch_guest2 agent5 "relaunch before the host revocation (e2e)"
"$VOUCH" ledger watch "$LEDGER" --genesis "$GENESIS" --type revoke --count 1 --timeout 60s "${HOST_ACCESS[@]}" \
  >"$W/watch.out" 2>&1 &
WATCH_PID=$!
sleep 1  # let the watcher read the head before the revocation lands
"$VOUCH" ledger draft "$LEDGER" --genesis "$GENESIS" --key "$W/governance.pem" revoke --subject "$HOST_DID" \
  --reason "key compromised (demo)" --out "$W/revoke.draft" "${GOV_ACCESS[@]}" >/dev/null
"$VOUCH" ledger cosign "$W/revoke.draft" --key "$W/governance2.pem" >/dev/null
t0=$(date +%s%N)
"$VOUCH" ledger submit "$LEDGER" --genesis "$GENESIS" "$W/revoke.draft" "${GOV_ACCESS[@]}" >/dev/null
if vouch_wait_for 30 sh -c "virsh domstate '$G2NAME' | grep -q paused"; then
  ok "vouch-agent enforced it on the running $G2NAME (on_drift=pause) $(awk -v a="$t0" -v b="$(date +%s%N)" 'BEGIN {printf "%.2f s", (b - a) / 1e9}') after the revoke was appended ($LEDGER_KIND ledger)"
else
  bad "vouch-agent did not enforce the host revocation: $(virsh domstate "$G2NAME"); $(tail -3 "$W/agent5.log")"
fi
grep -q "host $HOST_DID is revoked on the ledger" "$W/agent5.log" &&
  ok "the agent's reason: $(grep -o "domain '$G2NAME'[^;]*host $HOST_DID is revoked on the ledger[^;]*" "$W/agent5.log" | head -1 | cut -c1-160)" ||
  bad "the agent did not name the host revocation: $(tail -3 "$W/agent5.log")"
if wait "$WATCH_PID" && grep -q "subject=$HOST_DID" "$W/watch.out"; then
  ok "vouch ledger watch saw the revocation: $(cut -c1-100 "$W/watch.out")"
else
  bad "vouch ledger watch did not report the revocation: $(cat "$W/watch.out")"
fi
"$VOUCH" reattest "$G2NAME" --config "$W/hook.conf" >"$W/reattest-revoked.out" 2>&1 && rc=0 || rc=$?
named=0
for i in 1 2 3 4 5; do grep -Eq "${VD_ADDR[$i]}[^;]*revoked" "$W/reattest-revoked.out" && named=$((named + 1)); done
if [[ $rc -ne 0 && $named -eq 5 ]]; then
  ok "each of the 5 validators refused the revoked host's re-attestation"
else
  bad "re-attestation of the revoked host: exit $rc, $named of 5 named the revocation: $(tr '\n' ' ' <"$W/reattest-revoked.out" | cut -c1-400)"
fi
kill "$AGENT_PID" 2>/dev/null
virsh -q destroy "$G2NAME" >/dev/null 2>&1 || true
expect_refusal "revoked host" "revoked"
named=0
for i in 1 2 3 4 5; do grep -Eq "${VD_ADDR[$i]}[,:] [^;]*revoked" "$W/refused.out" && named=$((named + 1)); done
if [[ $named -eq 5 ]]; then
  ok "each of the 5 validators refused the revoked host"
else
  bad "not every validator named the revocation: $(grep -m1 -o 'vouch: .*' "$W/refused.out")"
fi

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

if [[ $LEDGER_KIND == etcd ]]; then
# Last, as nothing is put back: whoever holds etcd's root credentials
# replaces the whole chain with one of their own.
say "The etcd ledger rewritten with root's credentials: a restarted vouchd and vouch seal refuse it by its pinned genesis"
mapfile -t ROOT_ACCESS < <(vouch_etcd_access "$W/etcd" root)
ETCDCTL_USER="root:$(cat "$W/etcd/root.password")" etcdctl --endpoints "https://${VOUCH_ETCD_ENDPOINTS//,/,https://}" \
  --cacert "$W/etcd/ca.pem" --cert "$W/etcd/client.pem" --key "$W/etcd/client.key" \
  del --prefix vouch-gate/vouch/log/ >"$W/root-del.out" 2>&1 || true
"$VOUCH" key generate "$W/attacker.pem" --force >/dev/null
"$VOUCH" ledger init "$LEDGER" --key "$W/attacker.pem" --single-operator \
  --certify-quorum 1 --admit-quorum 1 --revoke-quorum 1 "${ROOT_ACCESS[@]}" >"$W/forged-init.out" 2>&1 || true
FORGED=$(awk '$1 == "genesis" {print $2}' "$W/forged-init.out")
WANT="genesis $FORGED is not the pinned genesis $GENESIS"
stop_vd 1
"$VOUCHD" --config "$W/vd1.conf" >"$W/vd1-forged.out" 2>"$W/vd1-forged.err" && rc=0 || rc=$?
if [[ -n $FORGED && $rc -eq 1 ]] && grep -qF "$WANT" "$W/vd1-forged.err"; then
  ok "a restarted vouchd refuses the rewritten etcd ledger: $(cut -c1-150 "$W/vd1-forged.err")"
else
  bad "vouchd on the rewritten etcd ledger (init: $(head -c 200 "$W/forged-init.out")): exit $rc: $(cat "$W/vd1-forged.err")"
fi
image_before=$(sha256sum <"$DISK")
head -c 1M /dev/urandom >"$W/forged.raw"
"$VOUCH" seal --domain "$NAME" --ledger "$LEDGER" --genesis "$GENESIS" --validator-count 5 --threshold 3 \
  --owner-key "$W/owner.pem" --image "$DISK" --from-raw "$W/forged.raw" --force \
  --pcrs-from-tpm "$TCTI" --host "$HOST_DID" "${OWNER_ACCESS[@]}" >"$W/seal-forged.out" 2>&1 && rc=0 || rc=$?
if [[ $rc -eq 1 ]] && grep -qF "$WANT" "$W/seal-forged.out" && [[ $(sha256sum <"$DISK") == "$image_before" ]]; then
  ok "vouch seal refuses to pick validators from the rewritten etcd ledger; the image is untouched"
else
  bad "vouch seal on the rewritten etcd ledger: exit $rc: $(cat "$W/seal-forged.out")"
fi
fi

echo "$pass passed, $fail failed"
[[ $fail -eq 0 ]]
