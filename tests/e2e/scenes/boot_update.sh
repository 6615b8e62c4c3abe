# Issue 13's proof on the real libvirtd: a kernel update without a re-seal.
# Sourced by launch_gate.sh after the nova scene (nothing re-attests in the
# background then). The host's boot is a grub-style log the test builds
# (tests/e2e/boot_log.py: EV_IPL events on PCR 9, the kernel's digest) while
# it extends the host swtpm's PCR 9 with the same digests, and hook.conf
# `event_log` names it, so every host VC carries it. An owner seals a domain
# to platform class e2e-host (PCR 9 quoted, nothing pinned); governance puts
# the old kernel's fragment on the ledger:
#   1. the domain starts;
#   2. the host "updates its kernel" (PCR 9 extended with the new kernel's
#      digest, the event appended to the log): refused, naming the event;
#   3. governance adds the new kernel's fragment: the very same sealed
#      domain starts, no re-seal;
#   4. governance withdraws the old kernel's fragment: a host whose log still
#      holds the old kernel is refused.
# Then hook.conf loses `event_log` again. Uses launch_gate.sh's variables
# and helpers (W, VOUCH, ROOT, LEDGER, GENESIS, TCTI, HOST_DID, GOV_ACCESS, …).

BU_NAME=boot-update-$$
BU_UUID=$(cat /proc/sys/kernel/random/uuid)
BU_DIR=$W/boot-update
BU_LOG=$BU_DIR/binary_bios_measurements
BU_CLASS=e2e-host
say "A kernel update under platform class $BU_CLASS: refused until governance admits the new kernel, no re-seal"
mkdir -p "$BU_DIR" "$W/bundles"
ln -sf "$W/guest/vmlinuz" "$BU_DIR/vmlinuz"
ln -sf "$W/guest/initrd.img" "$BU_DIR/initrd.img"
bash "$ROOT/vm-images/render-domain.sh" "$BU_NAME" "$BU_UUID" "$BU_DIR" "$(cat /proc/sys/kernel/random/uuid)" >"$BU_DIR/domain.xml"
BU_DISK=$(sed -n "s/.*<source file='\([^']*\.luks\)'.*/\1/p" "$BU_DIR/domain.xml" | sed -n 1p)
virsh -q define "$BU_DIR/domain.xml" >/dev/null
virsh dumpxml --inactive "$BU_NAME" >"$BU_DIR/defined.xml"
truncate -s 1M "$BU_DIR/disk.raw"

# The kernels: the guest's own, and "the update" (the same file with a byte
# appended: another digest, as a new kernel would measure).
KERNEL_OLD=$(sha256sum "$W/guest/vmlinuz" | cut -c1-64)
KERNEL_NEW=$( (cat "$W/guest/vmlinuz"; printf 'update') | sha256sum | cut -c1-64)
EV_IPL=13
pcr9() { TPM2TOOLS_TCTI="$TCTI" tpm2_pcrread sha256:9 2>/dev/null | sed -n 's/.*9 *: *0x\([0-9A-Fa-f]*\).*/\1/p'; }
bu_gov() {  # bu_gov ARGS...: a reference entry by the two governance keys
  "$VOUCH" ledger append "$LEDGER" --genesis "$GENESIS" --key "$W/governance.pem" --cosign "$W/governance2.pem" \
    "${GOV_ACCESS[@]}" reference "$@"
}
bu_start() {  # bu_start WHAT: virsh start must succeed; the domain is destroyed again
  if virsh start "$BU_NAME" >"$BU_DIR/start.out" 2>&1; then
    ok "$1"
    virsh -q destroy "$BU_NAME" >/dev/null 2>&1 || true
  else
    bad "$1: $(tr '\n' ' ' <"$BU_DIR/start.out")"
  fi
}
bu_refused() {  # bu_refused WHAT PATTERN: refused with PATTERN, the domain defined and shut off
  if virsh start "$BU_NAME" >"$BU_DIR/start.out" 2>&1; then
    bad "$1: the domain started"
    virsh -q destroy "$BU_NAME" >/dev/null 2>&1 || true
  elif grep -Eq -- "$2" "$BU_DIR/start.out" && [[ $(virsh domstate "$BU_NAME" 2>/dev/null | sed -n 1p) == "shut off" ]]; then
    ok "$1: refused ($(grep -m1 -Eo -- "$2" "$BU_DIR/start.out"))"
  else
    bad "$1: wanted /$2/: $(tr '\n' ' ' <"$BU_DIR/start.out")"
  fi
}

if [[ $(pcr9) =~ ^0+$ ]]; then
  TPM2TOOLS_TCTI="$TCTI" tpm2_pcrextend "9:sha256=$KERNEL_OLD" >/dev/null
  python3 "$ROOT/tests/e2e/boot_log.py" "$BU_LOG" "9:$EV_IPL:$KERNEL_OLD:/boot/vmlinuz-6.1.0-26"
  python3 "$ROOT/tests/e2e/boot_log.py" "$BU_DIR/new-boot.log" "9:$EV_IPL:$KERNEL_NEW:/boot/vmlinuz-6.1.0-28"
  echo "event_log = $BU_LOG" >>"$W/hook.conf"
  ok "the host booted kernel ${KERNEL_OLD:0:12}…: PCR 9 extended, its event in the log hook.conf names"
else
  bad "the host TPM's PCR 9 is not zero ($(pcr9)): cannot build a boot log that replays to it"
fi

# Governance admits the old kernel's fragment; the owner seals to the class.
"$VOUCH" reference propose --from-eventlog "$BU_LOG" --class "$BU_CLASS" --name kernel-old --pcrs 9 \
  --out "$BU_DIR/kernel-old.cbor" >/dev/null
"$VOUCH" reference propose --from-eventlog "$BU_DIR/new-boot.log" --class "$BU_CLASS" --name kernel-new --pcrs 9 \
  --out "$BU_DIR/kernel-new.cbor" >/dev/null
if bu_gov --fragment "$BU_DIR/kernel-old.cbor" >"$BU_DIR/gov-old.out" 2>&1; then
  ok "governance (2 of 2 keys) put $BU_CLASS/kernel-old on the ledger"
else
  bad "the kernel-old reference: $(cat "$BU_DIR/gov-old.out")"
fi
if "$VOUCH" seal --xml "$BU_DIR/defined.xml" --bundle-out "$W/bundles/$BU_UUID.bundle" --ledger "$LEDGER" \
  --genesis "$GENESIS" --validator-count 5 --threshold 3 --owner-key "$W/owner.pem" --image "$BU_DISK" \
  --from-raw "$BU_DIR/disk.raw" --pcrs 9 --platform "$BU_CLASS" --host "$HOST_DID" \
  "${OWNER_ACCESS[@]}" >"$BU_DIR/seal.out" 2>&1; then
  ok "sealed $BU_NAME to platform class $BU_CLASS (PCR 9 quoted, no PCR value pinned)"
else
  bad "vouch seal --platform: $(cat "$BU_DIR/seal.out")"
fi
rm -f "$BU_DIR/disk.raw"

bu_start "the old kernel: $BU_NAME starts"

# The update: PCR 9 extended with the new kernel, its event appended.
TPM2TOOLS_TCTI="$TCTI" tpm2_pcrextend "9:sha256=$KERNEL_NEW" >/dev/null
python3 "$ROOT/tests/e2e/boot_log.py" "$BU_LOG" "9:$EV_IPL:$KERNEL_OLD:/boot/vmlinuz-6.1.0-26" \
  "9:$EV_IPL:$KERNEL_NEW:/boot/vmlinuz-6.1.0-28"
bu_refused "the new kernel, not yet in $BU_CLASS" \
  "event 2: PCR 9 EV_IPL: sha256 $KERNEL_NEW matches no rule of platform class $BU_CLASS"

if bu_gov --fragment "$BU_DIR/kernel-new.cbor" >"$BU_DIR/gov-new.out" 2>&1; then
  ok "governance added $BU_CLASS/kernel-new"
else
  bad "the kernel-new reference: $(cat "$BU_DIR/gov-new.out")"
fi
bu_start "the same sealed $BU_NAME starts on the new kernel: no re-seal by the owner"

if bu_gov --withdraw "$BU_CLASS/kernel-old" >"$BU_DIR/gov-withdraw.out" 2>&1; then
  ok "governance withdrew $BU_CLASS/kernel-old"
else
  bad "withdrawing kernel-old: $(cat "$BU_DIR/gov-withdraw.out")"
fi
bu_refused "a host whose log still holds the withdrawn kernel" \
  "event 1: PCR 9 EV_IPL: sha256 $KERNEL_OLD matches no rule of platform class $BU_CLASS"
if "$VOUCH" policy explain --from-eventlog "$BU_LOG" --class "$BU_CLASS" --ledger "$LEDGER" --genesis "$GENESIS" \
  --pcrs 9 "${GOV_ACCESS[@]}" >"$BU_DIR/explain.out" 2>&1; then
  bad "vouch policy explain accepted the log with the withdrawn kernel"
elif grep -q "event 2: PCR 9 EV_IPL sha256 ${KERNEL_NEW:0:16}…: accepted by kernel-new" "$BU_DIR/explain.out"; then
  ok "vouch policy explain: event 1 refused, event 2 accepted by kernel-new"
else
  bad "vouch policy explain: $(cat "$BU_DIR/explain.out")"
fi

sed -i '/^event_log = /d' "$W/hook.conf"
virsh -q undefine "$BU_NAME" >/dev/null 2>&1 || true
rm -f "$W/bundles/$BU_UUID.bundle" "$BU_DISK"
