#!/usr/bin/env bash
# vouch reference propose/show/list and the ledger's `reference` entries
# (issue 13): a fragment proposed from a real machine's event log, put on the
# ledger only by the governance quorum, superseded and withdrawn.
# Usage: reference.sh PATH/TO/vouch DIR/OF/EVENT/LOGS
set -uo pipefail
VOUCH=${1:?usage: reference.sh PATH/TO/vouch EVENTLOG_DIR}
LOGS=${2:?usage: reference.sh PATH/TO/vouch EVENTLOG_DIR}
W=$(mktemp -d)
trap 'rm -rf "$W"' EXIT

# shellcheck source=tests/cli/lib.sh
. "$(dirname "$0")/lib.sh"

for k in gov1 gov2 val1 op; do
  "$VOUCH" key generate "$W/$k.pem" >/dev/null || { echo "vouch key generate failed"; exit 1; }
done
did() { "$VOUCH" ledger did "$W/$1.pem"; }
G1=$(did gov1) G2=$(did gov2) OP=$(did op)
DB="sqlite://$W/ledger.db"
L() { "$VOUCH" ledger "$@"; }
R() { "$VOUCH" reference "$@"; }
GCE=$LOGS/event-gce-ubuntu-2104-log.bin

expect "propose writes a fragment and prints its rules" 0 \
  "^gce-ubuntu/firmware: PCRs 0,1,2,3,4,5,6,7; [0-9]+ rules$" \
  -- R propose --from-eventlog "$GCE" --class gce-ubuntu --name firmware --pcrs 0-7 --out "$W/firmware.cbor"
expect "the Secure Boot state reads as a variable rule" 0 \
  "^  PCR 7 EV_EFI_VARIABLE_DRIVER_CONFIG SecureBoot \(8be4df61-93ca-11d2-aa0d-00e098032b8c, required\): data sha256 [0-9a-f]{64}$" \
  -- R show "$W/firmware.cbor"
expect "show --json" 0 '"class": "gce-ubuntu"' -- R show "$W/firmware.cbor" --json
expect "an existing --out is not replaced" 1 "^vouch: .*firmware.cbor.* --force" \
  -- R propose --from-eventlog "$GCE" --class gce-ubuntu --name firmware --out "$W/firmware.cbor"
expect "a PCR the log never extends" 1 "^vouch: '.*': the event log extends no PCR 16$" \
  -- R propose --from-eventlog "$GCE" --class gce-ubuntu --name x --pcrs 16 --out "$W/x.cbor"
expect "a bad class name" 1 "^vouch: '.*': platform class 'GCE Ubuntu' must be 1..64 of a-z 0-9" \
  -- R propose --from-eventlog "$GCE" --class "GCE Ubuntu" --name x --out "$W/x.cbor"
expect "a SHA-1 log has no SHA-256 digests" 1 "has no SHA-256 digest" \
  -- R propose --from-eventlog "$LOGS/event-uefi-sha1-log.bin" --class c --name x --out "$W/x.cbor"
expect "not an event log" 1 "^vouch: '$W/firmware.cbor' is not a valid event log: " \
  -- R propose --from-eventlog "$W/firmware.cbor" --class c --name x --out "$W/x.cbor"
check "refusals wrote nothing" test ! -e "$W/x.cbor"
expect "show refuses a file that is not a fragment" 1 "^vouch: '$GCE': " -- R show "$GCE"
expect "propose needs --out" 2 "propose needs --out" -- R propose --from-eventlog "$GCE" --class c --name x

G=$(L init "$DB" --key "$W/gov1.pem" --governance "$G2" --certify-quorum 2 --admit-quorum 2 --revoke-quorum 2 |
  sed -n 's/^genesis \([0-9a-f]\{64\}\)$/\1/p')
check "init printed the genesis" test ${#G} -eq 64
expect "no class yet" 0 "^no platform class has reference values on the ledger$" -- R list "$DB"

# The attackers: an operator key, one governance key alone.
expect "an operator key cannot add a reference" 1 \
  "unauthorized: reference gce-ubuntu/firmware is signed by '$OP', which is not a governance key" \
  -- L append "$DB" --key "$W/op.pem" reference --fragment "$W/firmware.cbor" --cosign "$W/gov1.pem" --cosign "$W/gov2.pem"
expect "one governance key alone cannot" 1 \
  "reference gce-ubuntu/firmware is signed by 1 governance keys \(author and countersigners\), admit_quorum 2 needed" \
  -- L append "$DB" --key "$W/gov1.pem" reference --fragment "$W/firmware.cbor"
expect "a non-governance countersignature does not count" 1 "countersigned by '$OP', which is not an unrevoked governance key" \
  -- L append "$DB" --key "$W/gov1.pem" reference --fragment "$W/firmware.cbor" --cosign "$W/op.pem"
expect "still no class" 0 "^no platform class" -- R list "$DB"

# The quorum, through a draft that travels.
expect "governance drafts" 0 "^drafted entry 1 \(reference\) by $G1" \
  -- L draft "$DB" --key "$W/gov1.pem" reference --fragment "$W/firmware.cbor" --out "$W/draft.cbor"
expect "submitting one signature is refused" 1 "admit_quorum 2 needed" -- L submit "$DB" "$W/draft.cbor"
expect "the second governance key cosigns" 0 "countersigned by $G2" -- L cosign "$W/draft.cbor" --key "$W/gov2.pem"
expect "submitted at quorum" 0 "^appended entry 1 \(reference\) by $G1" -- L submit "$DB" "$W/draft.cbor"
expect "list names the fragment, its entry and quorum" 0 \
  "^gce-ubuntu/firmware: PCRs 0,1,2,3,4,5,6,7; [0-9]+ rules \(entry 1, by 2 governance keys\)$" -- R list "$DB"
expect "list --class prints each rule" 0 "^  PCR 4 EV_EFI_BOOT_SERVICES_APPLICATION \(required\): sha256 [0-9a-f]{64}, [0-9a-f]{64}$" \
  -- R list "$DB" --class gce-ubuntu
expect "ledger show summarizes the entry" 0 "reference by $G1 gce-ubuntu/firmware: PCRs 0,1,2,3,4,5,6,7; [0-9]+ rules countersigned_by=1" \
  -- L show "$DB"
# An update proposed against the class on the ledger: what it adds and drops.
expect "propose against the ledger: the same boot changes nothing" 0 "^  no change: the class allows all of it already$" \
  -- R propose --from-eventlog "$GCE" --class gce-ubuntu --name firmware --pcrs 0-7 --out "$W/same.cbor" \
     --ledger "$DB" --genesis "$G"
expect "propose against the ledger: another machine's boot" 0 "^  \+ PCR 0 EV_S_CRTM_VERSION [0-9a-f]{64}$" \
  -- R propose --from-eventlog "$LOGS/event-arch-linux.bin" --class gce-ubuntu --name firmware --out "$W/other.cbor" \
     --ledger "$DB" --genesis "$G"
expect "propose against the ledger: what the replaced fragment allowed and this one drops" 0 \
  "^  - PCR 7 EV_EFI_VARIABLE_DRIVER_CONFIG SecureBoot [0-9a-f]{64} \(fragment firmware allowed it\)$" \
  -- R propose --from-eventlog "$LOGS/event-arch-linux.bin" --class gce-ubuntu --name firmware --out "$W/other2.cbor" \
     --ledger "$DB" --genesis "$G"

# An owner sealing to a class: it must be on the ledger, its PCRs quoted.
cat >"$W/domain.xml" <<XML
<domain type='qemu'><name>ref-test</name><uuid>6f1c2b1e-6a2f-4c55-9d1e-0a1b2c3d4e50</uuid>
<memory unit='MiB'>64</memory><vcpu>1</vcpu><os><type arch='x86_64' machine='q35'>hvm</type></os>
<devices><disk type='file' device='disk'><driver name='qemu' type='raw'/><source file='$W/ref.luks'>
<encryption format='luks'><secret type='passphrase' uuid='0d7d2d0a-1111-4222-8333-944455556660'/></encryption>
</source><target dev='vda' bus='virtio'/></disk></devices></domain>
XML
"$VOUCH" key generate "$W/owner.pem" >/dev/null
seal_to() {
  "$VOUCH" seal --xml "$W/domain.xml" --bundle-out "$W/ref.bundle" --ledger "$DB" --genesis "$G" --validator-count 2 \
    --threshold 2 --owner-key "$W/owner.pem" --image "$W/ref.luks" --size 1M --any-host "$@"
}
expect "seal to a class the ledger lacks" 1 \
  "^vouch: --platform other: the ledger holds no reference values for it, so no host could start this domain" \
  -- seal_to --platform other
expect "seal to a class whose PCRs it does not quote" 1 \
  "^vouch: --platform gce-ubuntu: its fragment firmware governs PCR 4, which --pcrs 0,1,2,3 does not quote: add it to --pcrs$" \
  -- seal_to --platform gce-ubuntu --pcrs 0-3
check "the refused seals wrote nothing" test ! -e "$W/ref.luks" -a ! -e "$W/ref.bundle"
# policy explain: the validator's judgement, event by event.
expect "explain: the class accepts the log it came from" 0 "^platform class gce-ubuntu \(1 fragments\): accepted$" \
  -- "$VOUCH" policy explain --from-eventlog "$GCE" --class gce-ubuntu --ledger "$DB" --genesis "$G"
expect "explain: each event names the fragment that accepted it" 0 \
  "^  event 23: PCR 4 EV_EFI_BOOT_SERVICES_APPLICATION sha256 [0-9a-f]{16}…: accepted by firmware$" \
  -- "$VOUCH" policy explain --from-eventlog "$GCE" --class gce-ubuntu --ledger "$DB" --genesis "$G"
expect "explain: events beyond the class's PCRs" 0 "^  event 24: PCR 14 EV_IPL sha256 [0-9a-f]{16}…: not governed$" \
  -- "$VOUCH" policy explain --from-eventlog "$GCE" --class gce-ubuntu --ledger "$DB" --genesis "$G"
expect "explain: another machine's log is refused, event by event" 1 \
  "^  event [0-9]+: PCR 0 .*: REFUSED: sha256 [0-9a-f]{64} matches no rule of platform class gce-ubuntu$" \
  -- "$VOUCH" policy explain --from-eventlog "$LOGS/event-arch-linux.bin" --class gce-ubuntu --ledger "$DB" --genesis "$G"
expect "explain: a class the ledger lacks" 1 "refused: platform class other has no reference values on the ledger$" \
  -- "$VOUCH" policy explain --from-eventlog "$GCE" --class other --ledger "$DB" --genesis "$G"
expect "explain --json" 0 '"accepted_by": "firmware"' \
  -- "$VOUCH" policy explain --from-eventlog "$GCE" --fragment "$W/firmware.cbor" --json
expect "explain: --class needs --ledger" 2 "--class and --ledger go together|takes --class" \
  -- "$VOUCH" policy explain --from-eventlog "$GCE" --class gce-ubuntu
expect "an unknown class" 1 "^vouch: platform class 'other' has no reference values on the ledger$" -- R list "$DB" --class other

# Withdrawal: the same quorum.
expect "withdrawing needs the quorum too" 1 "admit_quorum 2 needed" \
  -- L append "$DB" --key "$W/gov2.pem" reference --withdraw gce-ubuntu/firmware
expect "withdrawing what is not there" 1 "withdraws reference gce-ubuntu/kernel, which is not in effect" \
  -- L append "$DB" --key "$W/gov2.pem" reference --withdraw gce-ubuntu/kernel --cosign "$W/gov1.pem"
expect "a bad withdrawal target" 1 "^vouch: --withdraw CLASS/NAME: .*fragment name ''" \
  -- L append "$DB" --key "$W/gov2.pem" reference --withdraw gce-ubuntu --cosign "$W/gov1.pem"
expect "--fragment or --withdraw" 1 "reference takes --fragment FILE or --withdraw CLASS/NAME" \
  -- L append "$DB" --key "$W/gov2.pem" reference --cosign "$W/gov1.pem"
expect "withdrawn at quorum" 0 "^appended entry 2 \(reference\)" \
  -- L append "$DB" --key "$W/gov2.pem" reference --withdraw gce-ubuntu/firmware --cosign "$W/gov1.pem"
expect "the class is empty again" 0 "^no platform class" -- R list "$DB"
expect "the ledger verifies" 0 "" -- L verify "$DB"
echo "$pass passed, $fail failed"
[[ $fail -eq 0 ]]
