#!/usr/bin/env bash
# vouch seal in --xml/--bundle-out mode (no libvirtd, no TPM): every bad
# input is refused in one line before anything is written (the existing image
# byte for byte, no temporary files, no owner key created); an existing image
# or bundle is replaced only with --force, atomically; the passphrase reaches
# qemu-img only through a memfd, never at a guessable path (an attacker's
# files and symlinks at the old /dev/shm/vouch-seal-<pid>.key stay untouched).
# Usage: seal.sh PATH/TO/vouch PATH/TO/vouchd
set -uo pipefail
VOUCH=${1:?usage: seal.sh PATH/TO/vouch PATH/TO/vouchd}
VOUCHD=${2:?usage: seal.sh PATH/TO/vouch PATH/TO/vouchd}
W=$(mktemp -d)
PLANTED=()
cleanup() {
  if [[ ${#PLANTED[@]} -gt 0 ]]; then rm -f -- "${PLANTED[@]}"; fi
  rm -rf "$W"
}
trap cleanup EXIT

# shellcheck source=tests/cli/lib.sh
. "$(dirname "$0")/lib.sh"

REAL_QEMU_IMG=$(command -v qemu-img) || { echo "qemu-img is not installed"; exit 1; }

# Three validators; a host DID (any did:key will do for the policy).
for i in 1 2 3; do "$VOUCHD" init --dir "$W/vd$i" >"$W/vd$i.init" || exit 1; done
for i in 1 2 3; do
  awk -v ep="http://127.0.0.1:$((7400 + i))" \
    '$1 == "did:" {d = $2} $1 == "hpke_public_key:" {p = $2} END {print d, p, ep}' "$W/vd$i.init"
done >"$W/validators.txt"
HOST_DID=$(awk '$1 == "did:" {print $2}' "$W/vd1.init")
HOST2_DID=$(awk '$1 == "did:" {print $2}' "$W/vd2.init")

# The domain names the image; its directory holds only the image.
IMGDIR="$W/images" OUTDIR="$W/out"
IMG="$IMGDIR/disk.luks" BUNDLE="$OUTDIR/disk.bundle"
mkdir -p "$IMGDIR" "$OUTDIR" "$W/bin"
cat >"$W/domain.xml" <<XML
<domain type='qemu'>
  <name>seal-test</name>
  <uuid>6f1c2b1e-6a2f-4c55-9d1e-0a1b2c3d4e5f</uuid>
  <memory unit='MiB'>256</memory>
  <vcpu placement='static'>1</vcpu>
  <os><type arch='x86_64' machine='q35'>hvm</type></os>
  <devices>
    <disk type='file' device='disk'>
      <driver name='qemu' type='raw'/>
      <source file='$IMG'>
        <encryption format='luks'>
          <secret type='passphrase' uuid='0d7d2d0a-1111-4222-8333-944455556666'/>
        </encryption>
      </source>
      <target dev='vda' bus='virtio'/>
    </disk>
  </devices>
</domain>
XML
head -c 1048576 /dev/urandom >"$W/disk.raw"
sha_raw=$(sha256sum "$W/disk.raw" | cut -c1-64)
PCR7=$(printf '%064d' 7)

# qemu-img on PATH: records where the passphrase comes from (and, in this
# test only, its value, to open the image) and runs the real qemu-img.
# FAKE_QEMU_FAIL=1 makes it fail; AFTER_QEMU runs after a success.
cat >"$W/bin/qemu-img" <<'SH'
#!/bin/bash
f=
for a in "$@"; do  # the first secret: K's (an amend's second is the recovery passphrase)
  case $a in secret,*file=*) [[ -n $f ]] || f=${a##*file=} ;; esac
done
[[ $1 == amend ]] && echo "$*" >>"$QEMU_AMENDS"
{ echo "file $f"; echo "target $(readlink "$f")"; } >"$QEMU_LOG"
cat "$f" >"$QEMU_PASS"
if [[ -n ${FAKE_QEMU_FAIL:-} ]]; then echo "qemu-img: simulated failure" >&2; exit 1; fi
"$REAL_QEMU_IMG" "$@" || exit
if [[ -n ${AFTER_QEMU:-} ]]; then eval "$AFTER_QEMU"; fi
SH
chmod 0755 "$W/bin/qemu-img"
export PATH="$W/bin:$PATH" REAL_QEMU_IMG QEMU_LOG="$W/qemu.log" QEMU_PASS="$W/qemu.pass" QEMU_AMENDS="$W/qemu.amends"
qimg() { "$REAL_QEMU_IMG" "$@"; }  # the test's own qemu-img calls

# run_seal [KEY=VALUE...] -- ARGS...: vouch seal of $IMG from $W/disk.raw with
# the base arguments (KEY=VALUE overrides one: threshold, image, bundle,
# owner, validators, src and srcval) plus ARGS; stdout to $W/out.txt, stderr
# to $W/err.txt. seal ARGS...: the same without overrides.
run_seal() {
  local threshold=2 image=$IMG bundle=$BUNDLE owner=$W/owner.pem validators=$W/validators.txt
  local src=--from-raw srcval=$W/disk.raw
  while [[ $1 != -- ]]; do local "$1"; shift; done
  shift
  "$VOUCH" seal --xml "$W/domain.xml" --bundle-out "$bundle" --validators "$validators" \
    --threshold "$threshold" --owner-key "$owner" --image "$image" "$src" "$srcval" "$@" >"$W/out.txt" 2>"$W/err.txt"
}
seal() { run_seal -- "$@"; }
sha() { sha256sum "$1" | cut -c1-64; }
only_image_in_dir() { [[ $(ls -A "$IMGDIR") == disk.luks ]]; }
only_bundle_in_dir() { [[ $(ls -A "$OUTDIR") == disk.bundle ]]; }
# opens_with PASSFILE: the image decrypts with this passphrase to disk.raw.
opens_with() {
  rm -f "$W/plain.raw"
  qimg convert --object "secret,id=k,file=$1" \
    --image-opts "driver=luks,key-secret=k,file.filename=$IMG" -O raw "$W/plain.raw" 2>/dev/null &&
    [[ $(sha "$W/plain.raw") == "$sha_raw" ]]
}
refuses_key() {  # refuses_key PASSFILE: the image does not decrypt with it
  ! qimg convert --object "secret,id=k,file=$1" \
    --image-opts "driver=luks,key-secret=k,file.filename=$IMG" -O raw "$W/plain.raw" 2>/dev/null
}

# --- The first seal: a fresh image and bundle, the owner key created after the checks.
seal --pcr-ref "7=$PCR7" --host "$HOST_DID" --host "$HOST2_DID"; rc=$?
check "first seal exits 0 ($(cat "$W/err.txt"))" test $rc -eq 0
expect "first seal says what it sealed" 0 "^sealed domain 'seal-test' .*: 2 of 3 validators, image $IMG" -- cat "$W/out.txt"
expect "first seal creates the owner key" 0 "^created owner key $W/owner.pem \(did:key:z6Mk" -- cat "$W/out.txt"
expect "the image is LUKS" 0 "file format: luks" -- qimg info "$IMG"
check "the image has mode 0600" test "$(stat -c %a "$IMG")" = 600
check "the bundle exists and is non-empty" test -s "$BUNDLE"
check "no temporary file beside the image" only_image_in_dir
check "no temporary file beside the bundle" only_bundle_in_dir
expect "qemu-img read the passphrase from an inherited descriptor" 0 "^file /proc/self/fd/[0-9]+$" -- cat "$QEMU_LOG"
expect "that descriptor is a memfd (no file on any filesystem)" 0 "^target /memfd:vouch-seal-passphrase \(deleted\)$" -- cat "$QEMU_LOG"
check "the passphrase is base64url of 32 bytes" grep -Eqx '[A-Za-z0-9_-]{43}' "$QEMU_PASS"
cp "$QEMU_PASS" "$W/pass1"
check "the image decrypts with that passphrase to the raw input" opens_with "$W/pass1"
expect "without --recovery-passphrase-file seal says what losing validators costs" 0 \
  "^  no recovery keyslot: if more than 1 of these validators lose their keys, the image is lost" -- cat "$W/out.txt"
check "... and adds no keyslot" test ! -e "$QEMU_AMENDS"
check "the image does not open with an empty passphrase" refuses_key /dev/null
sha_img=$(sha "$IMG") sha_bundle=$(sha "$BUNDLE")
cp "$IMG" "$W/first.luks"; cp "$BUNDLE" "$W/first.bundle"

# --- Refusals: exit 1, one line on stderr naming the problem; the image
# and the bundle byte for byte as they were (even with --force), no
# temporary file, no owner key created.
# refused NAME PATTERN [KEY=VALUE...] -- ARGS...: run_seal with a new owner key
# path and --force.
refused() {
  local name=$1 pattern=$2; shift 2
  rm -f "$W/owner2.pem"
  run_seal owner="$W/owner2.pem" "$@" --force; local rc=$?
  local lines; lines=$(wc -l <"$W/err.txt")
  if [[ $rc -eq 1 && $lines -eq 1 ]] && grep -Eq -- "^vouch: $pattern" "$W/err.txt"; then
    pass=$((pass + 1))
  else
    fail=$((fail + 1))
    echo "FAIL: $name: exit $rc (want 1), $lines stderr lines (want 1):"; sed 's/^/    /' "$W/err.txt"
    echo "    (wanted /^vouch: $pattern/)"
  fi
  check "$name: image unchanged" test "$(sha "$IMG")" = "$sha_img"
  check "$name: bundle unchanged" test "$(sha "$BUNDLE")" = "$sha_bundle"
  check "$name: no temporary files" only_image_in_dir
  check "$name: no temporary files beside the bundle" only_bundle_in_dir
  check "$name: no owner key created" test ! -e "$W/owner2.pem"
  # After a failure, back to the first seal's files so that later cases stand alone.
  find "$IMGDIR" "$OUTDIR" -name '*.vouch-*' -delete
  cp "$W/first.luks" "$IMG"; cp "$W/first.bundle" "$BUNDLE"
}
OK_PCR=(--pcr-ref "7=$PCR7")
OK_HOST=(--host "$HOST_DID")
refused "--pcrs range out of range" "--pcrs '0-24': '0-24' is not a PCR index 0\.\.23 or a range such as 0-7" -- --pcrs 0-24 "${OK_PCR[@]}" "${OK_HOST[@]}"
refused "--pcrs backwards range" "--pcrs '7-0': range '7-0' runs backwards" -- --pcrs 7-0 "${OK_PCR[@]}" "${OK_HOST[@]}"
refused "--pcrs out of range" "--pcrs '99': '99' is not a PCR index 0\.\.23" -- --pcrs 99 "${OK_PCR[@]}" "${OK_HOST[@]}"
refused "--pcrs empty" "--pcrs is empty" -- --pcrs "" "${OK_PCR[@]}" "${OK_HOST[@]}"
refused "--pcrs repeats a PCR" "--pcrs '7,7': PCR 7 is listed twice" -- --pcrs 7,7 "${OK_PCR[@]}" "${OK_HOST[@]}"
refused "--pcrs range overlaps" "--pcrs '0-7,3': PCR 3 is listed twice" -- --pcrs 0-7,3 "${OK_PCR[@]}" "${OK_HOST[@]}"
refused "--on-drift explode" "--on-drift 'explode' must be pause, destroy or alert$" -- --on-drift explode "${OK_PCR[@]}" "${OK_HOST[@]}"
refused "--pcr-ref not hex" "--pcr-ref '7=zz' must be IDX=HEX" -- --pcr-ref 7=zz "${OK_HOST[@]}"
refused "--pcr-ref short value" "--pcr-ref '7=00' must be IDX=HEX" -- --pcr-ref 7=00 "${OK_HOST[@]}"
refused "--pcr-ref without =" "--pcr-ref '7' must be IDX=HEX" -- --pcr-ref 7 "${OK_HOST[@]}"
refused "--pcr-ref index 24" "--pcr-ref '24=$PCR7' must be IDX=HEX" -- --pcr-ref "24=$PCR7" "${OK_HOST[@]}"
refused "--pcrs range: read as the PCRs it spans" "--pcr-ref 7=…: PCR 7 is not in the --pcrs selection 0,1,2, " \
  -- --pcrs 0-2 "${OK_PCR[@]}" "${OK_HOST[@]}"
refused "--pcr-ref for a PCR not selected" "--pcr-ref 9=…: PCR 9 is not in the --pcrs selection 0,1,7, .*add it to --pcrs$" \
  -- --pcrs 0,1,7 --pcr-ref "9=$PCR7" "${OK_HOST[@]}"
refused "--hv-min without =" "--hv-min 'nonsense' must be COMPONENT=VERSION" -- --hv-min nonsense "${OK_PCR[@]}" "${OK_HOST[@]}"
refused "--hv-min unknown component" "--hv-min 'bios=1.0' must be COMPONENT=VERSION" -- --hv-min bios=1.0 "${OK_PCR[@]}" "${OK_HOST[@]}"
refused "--hv-min empty version" "--hv-min 'qemu=' must be COMPONENT=VERSION" -- --hv-min qemu= "${OK_PCR[@]}" "${OK_HOST[@]}"
refused "--host not a did" "--host: .*not-a-did.* is not a DID" -- --host not-a-did "${OK_PCR[@]}"
refused "--host twice" "--host $HOST_DID is given twice" -- --host "$HOST_DID" --host "$HOST_DID" "${OK_PCR[@]}"
refused "--threshold 1" "--threshold 1 must be at least 2" threshold=1 -- "${OK_PCR[@]}" "${OK_HOST[@]}"
refused "--threshold above n" "--threshold 4 must be between 2 and the 3 validators listed$" threshold=4 -- "${OK_PCR[@]}" "${OK_HOST[@]}"
refused "--threshold not a number" "flag --threshold must be a number, got 'two'" threshold=two -- "${OK_PCR[@]}" "${OK_HOST[@]}"
refused "no reference PCRs" "no reference PCR values: give --pcrs-from-tpm TCTI, --pcr-ref IDX=HEX or --platform CLASS \(or --any-pcrs to release to a host in any boot state\)$" \
  -- "${OK_HOST[@]}"
refused "--platform not a class name" "--platform 'Debian 12' must be 1\.\.64 of a-z 0-9" -- --platform "Debian 12" "${OK_HOST[@]}"
refused "--platform twice" "--platform gce is given twice$" -- --platform gce --platform gce "${OK_HOST[@]}"
refused "--any-pcrs with --platform" "--any-pcrs contradicts --pcr-ref/--pcrs-from-tpm/--platform" -- --any-pcrs --platform gce "${OK_HOST[@]}"
refused "--any-pcrs with --pcr-ref" "--any-pcrs contradicts --pcr-ref/--pcrs-from-tpm" -- --any-pcrs "${OK_PCR[@]}" "${OK_HOST[@]}"
refused "no host set" "no host set: give --host DID for each host that may start the domain \(or --any-host to release to any certified host\)$" \
  -- "${OK_PCR[@]}"
refused "--any-host with --host" "--any-host contradicts --host" -- --any-host "${OK_PCR[@]}" "${OK_HOST[@]}"
refused "--vc-ttl 0" "--vc-ttl '0' must be 1s\.\.1h$" -- --vc-ttl 0 "${OK_PCR[@]}" "${OK_HOST[@]}"
refused "--vc-ttl too long" "--vc-ttl '86400' must be 1s\.\.1h$" -- --vc-ttl 86400 "${OK_PCR[@]}" "${OK_HOST[@]}"
refused "--vc-ttl too long, with a unit" "--vc-ttl '2h' must be 1s\.\.1h$" -- --vc-ttl 2h "${OK_PCR[@]}" "${OK_HOST[@]}"
refused "--vc-ttl with a wrong unit" "--vc-ttl: '5min' is not a duration: write a whole number with ms, s, m or h \(e\.g\. 500ms, 30s, 5m\); a bare number is seconds$" \
  -- --vc-ttl 5min "${OK_PCR[@]}" "${OK_HOST[@]}"
refused "--grace 0" "--grace 0 must be 1\.\.100 intervals$" -- --grace 0 "${OK_PCR[@]}" "${OK_HOST[@]}"
refused "--grace too many" "--grace 101 must be 1\.\.100 intervals$" -- --grace 101 "${OK_PCR[@]}" "${OK_HOST[@]}"
refused "--reattest 0" "--reattest '0' must be 1s\.\.24h$" -- --reattest 0 --grace 2 "${OK_PCR[@]}" "${OK_HOST[@]}"
refused "--reattest not whole seconds" "--reattest '1500ms' must be a whole number of seconds$" \
  -- --reattest 1500ms --grace 2 "${OK_PCR[@]}" "${OK_HOST[@]}"
refused "--guest-pcrs without --grace" "--guest-pcrs needs --grace N: the guest's rounds are the domain's lease$" \
  -- --guest-pcrs 0,9 "${OK_PCR[@]}" "${OK_HOST[@]}"
refused "--guest-action without --guest-pcrs" "--guest-action needs --guest-pcrs \(the guest vTPM PCRs to quote\)$" \
  -- --guest-action none --grace 2 "${OK_PCR[@]}" "${OK_HOST[@]}"
refused "--guest-pcrs twice" "--guest-pcrs '9,9': PCR 9 is listed twice$" -- --guest-pcrs 9,9 --grace 2 "${OK_PCR[@]}" "${OK_HOST[@]}"
refused "--guest-action unknown" "--guest-action 'explode' must be poweroff, reboot, none or exec:/ABSOLUTE/PATH \(run in the guest\)$" \
  -- --guest-pcrs 0,9 --guest-action explode --grace 2 "${OK_PCR[@]}" "${OK_HOST[@]}"
refused "--guest-boot 0" "--guest-boot '0s' must be 1s\.\.1h$" \
  -- --guest-pcrs 0,9 --guest-boot 0s --grace 2 "${OK_PCR[@]}" "${OK_HOST[@]}"
refused "--from-raw with --size" "give exactly one of --from-raw IN or --size SIZE$" -- --size 4M "${OK_PCR[@]}" "${OK_HOST[@]}"
refused "--from-raw missing" "--from-raw '$W/nope.raw' cannot be read: No such file" srcval="$W/nope.raw" -- "${OK_PCR[@]}" "${OK_HOST[@]}"
refused "--from-raw a directory" "--from-raw '$W' is not a regular file$" srcval="$W" -- "${OK_PCR[@]}" "${OK_HOST[@]}"
printf 'short' >"$W/short.pass"; chmod 600 "$W/short.pass"
head -c 32 /dev/urandom | base64 >"$W/open.pass"; chmod 644 "$W/open.pass"
refused "--recovery-passphrase-file too short" \
  "recovery passphrase file '$W/short.pass' holds 5 bytes; it alone opens the image, so give at least 20" \
  -- --recovery-passphrase-file "$W/short.pass" "${OK_PCR[@]}" "${OK_HOST[@]}"
refused "--recovery-passphrase-file readable by others" \
  "recovery passphrase file '$W/open.pass' is readable by group or others \(mode 644; fix: chmod 600" \
  -- --recovery-passphrase-file "$W/open.pass" "${OK_PCR[@]}" "${OK_HOST[@]}"
refused "--recovery-passphrase-file missing" "recovery passphrase file '$W/nope.pass' does not exist" \
  -- --recovery-passphrase-file "$W/nope.pass" "${OK_PCR[@]}" "${OK_HOST[@]}"
mkdir -m 700 "$W/passdir"
refused "--recovery-passphrase-file a directory" "recovery passphrase file: '$W/passdir' is a directory" \
  -- --recovery-passphrase-file "$W/passdir" "${OK_PCR[@]}" "${OK_HOST[@]}"
refused "--image not a disk of the domain" "domain 'seal-test' has no disk with source '$W/other.luks'$" \
  image="$W/other.luks" -- "${OK_PCR[@]}" "${OK_HOST[@]}"
{ cat "$W/validators.txt"; head -1 "$W/validators.txt"; } >"$W/validators-twice.txt"
refused "a validator listed twice" "owner policy: validator 'did:key:[^']+' is listed twice$" \
  validators="$W/validators-twice.txt" -- "${OK_PCR[@]}" "${OK_HOST[@]}"

# A failing qemu-img: refused, the staged image removed, nothing replaced.
# (The owner key exists: a missing one would be created, all checks having passed.)
FAKE_QEMU_FAIL=1 refused "qemu-img fails" "qemu-img could not write the new image for '$IMG': qemu-img: simulated failure$" \
  owner="$W/owner.pem" -- "${OK_PCR[@]}" "${OK_HOST[@]}"
# The bundle cannot be stored (a directory appears at its path while qemu-img
# runs): the new image is never renamed onto --image.
AFTER_QEMU="mkdir '$BUNDLE.new'" run_seal bundle="$BUNDLE.new" -- --force "${OK_PCR[@]}" "${OK_HOST[@]}"; rc=$?
check "bundle not storable: refused ($(cat "$W/err.txt"))" test $rc -eq 1
check "bundle not storable: one line" test "$(wc -l <"$W/err.txt")" -eq 1
check "bundle not storable: image unchanged" test "$(sha "$IMG")" = "$sha_img"
check "bundle not storable: no temporary image left" only_image_in_dir
check "bundle not storable: no temporary bundle left" test -z "$(find "$OUTDIR" -name '*.vouch-*')"
rmdir "$BUNDLE.new"

# --- No overwrite without --force; --force replaces atomically.
seal "${OK_PCR[@]}" "${OK_HOST[@]}"; rc=$?
check "existing image without --force: exit 1" test $rc -eq 1
expect "existing image without --force: says to give --force" 0 "^vouch: '$IMG' exists: give --force to replace it$" -- cat "$W/err.txt"
check "existing image without --force: unchanged" test "$(sha "$IMG")" = "$sha_img"
rm -f "$W/new.bundle"
run_seal bundle="$W/new.bundle" -- "${OK_PCR[@]}" "${OK_HOST[@]}"
check "refused without --force even when the bundle is new: nothing written" test ! -e "$W/new.bundle"
mv "$IMG" "$W/moved.luks"
seal "${OK_PCR[@]}" "${OK_HOST[@]}"; rc=$?
check "existing bundle without --force: exit 1" test $rc -eq 1
expect "existing bundle without --force: says to give --force" 0 "^vouch: '$BUNDLE' exists: give --force to replace it$" -- cat "$W/err.txt"
check "existing bundle without --force: no image written" test ! -e "$IMG"
check "existing bundle without --force: bundle unchanged" test "$(sha "$BUNDLE")" = "$sha_bundle"
mv "$W/moved.luks" "$IMG"
ino_before=$(stat -c %i "$IMG")
seal --force "${OK_PCR[@]}" "${OK_HOST[@]}"; rc=$?
check "--force replaces ($(cat "$W/err.txt"))" test $rc -eq 0
check "--force: a new image" test "$(sha "$IMG")" != "$sha_img"
check "--force: a new file renamed into place (not rewritten in place)" test "$(stat -c %i "$IMG")" != "$ino_before"
expect "--force: still LUKS" 0 "file format: luks" -- qimg info "$IMG"
check "--force: a new bundle" test "$(sha "$BUNDLE")" != "$sha_bundle"
cp "$QEMU_PASS" "$W/pass2"
check "--force: a new key" bash -c "! cmp -s '$W/pass1' '$W/pass2'"
check "--force: the new image opens with the new passphrase" opens_with "$W/pass2"
check "--force: and not with the old one" refuses_key "$W/pass1"
check "--force: no temporary files" only_image_in_dir
check "--force: no temporary bundle files" only_bundle_in_dir
# A symlink at --image is replaced itself; its target is not written.
echo "someone's file" >"$W/victim"; sha_victim=$(sha "$W/victim")
ln -sf "$W/victim" "$IMG"
seal --force "${OK_PCR[@]}" "${OK_HOST[@]}"; rc=$?
check "--force over a symlink: exit 0" test $rc -eq 0
check "--force over a symlink: the link itself replaced" test ! -L "$IMG"
check "--force over a symlink: its target untouched" test "$(sha "$W/victim")" = "$sha_victim"

# --- --platform: the policy names platform classes instead of hashes.
seal --force --platform gce-ubuntu --platform debian12-ovmf "${OK_HOST[@]}"; rc=$?
check "--platform seals ($(cat "$W/err.txt"))" test $rc -eq 0
expect "bundle show: the platform classes" 0 \
  "^  boot: the event log meets platform class gce-ubuntu, debian12-ovmf, as the ledger holds it at each start$" \
  -- "$VOUCH" bundle show "$BUNDLE"
expect "bundle show --json: the platform classes" 0 '"platforms": \[' -- "$VOUCH" bundle show "$BUNDLE" --json

# --- --any-pcrs --any-host still seal; --size makes an empty image.
seal --force --any-pcrs --any-host; rc=$?
check "--any-pcrs --any-host seals ($(cat "$W/err.txt"))" test $rc -eq 0
check "without --grace: no lease announced" bash -c "! grep -q 're-attests every' '$W/out.txt'"
seal --force --any-pcrs --any-host --reattest 5 --grace 3; rc=$?
check "--reattest 5 --grace 3 seals ($(cat "$W/err.txt"))" test $rc -eq 0
expect "--grace: the lease is announced" 0 "re-attests every 5s; a domain silent for 15s is reported by its validators" \
  -- cat "$W/out.txt"
seal --force --any-pcrs --any-host --reattest 5s --grace 3 --guest-pcrs 0,9 --guest-action none --guest-boot 2m; rc=$?
check "--guest-pcrs 0,9 seals ($(cat "$W/err.txt"))" test $rc -eq 0
expect "--guest-pcrs: the guest section is announced" 0 "guest: vouch-shim quotes vTPM PCRs 0,9; past the grace without an endorsement it runs 'none'" \
  -- cat "$W/out.txt"
expect "bundle show: the durations as written, in seconds on the wire" 0 \
  "^  guest: vTPM PCRs 0,9, first report within 2m, past the grace: none$" -- "$VOUCH" bundle show "$BUNDLE"
expect "bundle show: the lease" 0 "re-attest every 5s, lease: silent for 15s is reported$" -- "$VOUCH" bundle show "$BUNDLE"
# A flag renamed when durations took a unit: a usage error naming the new spelling, never ignored.
seal --force --any-pcrs --any-host --grace 3 --guest-pcrs 0,9 --guest-boot-s 300; rc=$?
check "--guest-boot-s (renamed): exit 2" test $rc -eq 2
expect "--guest-boot-s (renamed): one line with the new spelling" 0 \
  "^vouch: flag --guest-boot-s was renamed: write --guest-boot 300s$" -- head -1 "$W/err.txt"
rm -f "$IMG"
run_seal src=--size srcval=1M -- --force --any-pcrs --any-host; rc=$?
check "seals an empty image of --size (stderr: $(cat "$W/err.txt"))" test $rc -eq 0
expect "--size: LUKS of that size" 0 "virtual size: 1 MiB" -- qimg info "$IMG"

run_seal -- --force --pcrs 0-2,7 "${OK_PCR[@]}" "${OK_HOST[@]}"; rc=$?
check "--pcrs with a range, as vouch tpm takes it, seals ($(cat "$W/err.txt"))" test $rc -eq 0

# --- seal --json, and vouch bundle show reading back what seal wrote.
run_seal -- --force --json --pcrs 0-2,7 "${OK_PCR[@]}" "${OK_HOST[@]}" --reattest 5 --grace 3; rc=$?
check "seal --json seals ($(cat "$W/err.txt"))" test $rc -eq 0
cp "$W/out.txt" "$W/seal.json"
VDIDS=$(awk '{print $1}' "$W/validators.txt" | paste -sd, -)
pyjson() {  # pyjson FILE EXPR: EXPR over j (FILE's JSON) is true
  python3 -c "import json,sys; j=json.load(open(sys.argv[1])); sys.exit(0 if ($2) else 1)" "$1"
}
check "seal --json: stdout is one object naming the domain, t, the validators, no recovery keyslot" pyjson "$W/seal.json" \
  "j['uuid'] == '6f1c2b1e-6a2f-4c55-9d1e-0a1b2c3d4e5f' and j['threshold'] == 2 and ','.join(v['did'] for v in j['validators']) == '$VDIDS' and j['recovery_keyslot'] is False and j['grace'] == 3 and j['bundle_out'] == '$BUNDLE'"
"$VOUCH" bundle show "$BUNDLE" --json >"$W/bundle.json" 2>"$W/err.txt"; rc=$?
check "bundle show --json exits 0 ($(cat "$W/err.txt"))" test $rc -eq 0
check "bundle show: the policy seal signed (digest and owner)" pyjson "$W/bundle.json" \
  "j['policy_digest'] == json.load(open('$W/seal.json'))['policy_digest'] and j['owner'] == json.load(open('$W/seal.json'))['owner']"
check "bundle show: t, the validators in order, the hosts, the PCRs, the lease" pyjson "$W/bundle.json" \
  "j['threshold'] == 2 and ','.join(v['did'] for v in j['validators']) == '$VDIDS' and j['sealed_shares'] == 3 and j['hosts'] == ['$HOST_DID'] and j['pcrs'] == [0,1,2,7] and j['reference_pcrs'] == {'7': ['$PCR7']} and j['reattest_s'] == 5 and j['grace'] == 3 and j['guest'] is None"
expect "bundle show (text): who must agree" 0 "^  release: 2 of 3 validators \(3 sealed shares\)$" -- "$VOUCH" bundle show "$BUNDLE"
expect "bundle show (text): the owner's signature checked" 0 "^  signed by owner did:key:z6Mk[1-9A-HJ-NP-Za-km-z]+: ok$" -- "$VOUCH" bundle show "$BUNDLE"
python3 - "$BUNDLE" "$W/tampered.bundle" <<'PY'
import sys
d = bytearray(open(sys.argv[1], 'rb').read()); d[40] ^= 0x01
open(sys.argv[2], 'wb').write(d)
PY
expect "bundle show refuses a tampered bundle in one line" 1 "^vouch: '$W/tampered.bundle': not a sound protection bundle: " \
  -- "$VOUCH" bundle show "$W/tampered.bundle"

# --- A recovery keyslot: the owner's passphrase file opens the image
# without K (so without any validator); K still opens keyslot 0.
(umask 077 && head -c 32 /dev/urandom | base64 >"$W/recovery.pass")
run_seal -- --force "${OK_PCR[@]}" "${OK_HOST[@]}" --recovery-passphrase-file "$W/recovery.pass"; rc=$?
check "--recovery-passphrase-file seals ($(cat "$W/err.txt"))" test $rc -eq 0
expect "--recovery-passphrase-file: seal says what the file can do" 0 \
  "^  recovery keyslot: the passphrase in '$W/recovery.pass' opens the image without any validator; keep it offline" \
  -- cat "$W/out.txt"
cp "$QEMU_PASS" "$W/pass-recovery-seal"
check "K (keyslot 0) opens the image" opens_with "$W/pass-recovery-seal"
check "the recovery passphrase file, byte for byte, opens the image" opens_with "$W/recovery.pass"
head -c 32 /dev/urandom | base64 >"$W/wrong.pass"
check "another passphrase does not" refuses_key "$W/wrong.pass"
qimg info "$IMG" >"$W/info.txt"
check "two active keyslots" test "$(grep -c 'active: true' "$W/info.txt")" -eq 2
expect "the keyslot was added to the staged file, by amend, from a memfd" 0 \
  "^amend -q --object secret,id=sec0,file=/proc/self/fd/[0-9]+ --object secret,id=sec1,file=/proc/self/fd/[0-9]+ --image-opts driver=luks,file.filename=$IMG\.vouch-" \
  -- cat "$QEMU_AMENDS"
check "no temporary file left by the amend" only_image_in_dir
# A ',' in the image's path (qemu-img's option syntax doubles it).
mkdir -p "$W/im,ages"
sed "s|$IMG|$W/im,ages/disk.luks|" "$W/domain.xml" >"$W/domain-comma.xml"
"$VOUCH" seal --xml "$W/domain-comma.xml" --bundle-out "$W/comma.bundle" --validators "$W/validators.txt" \
  --threshold 2 --owner-key "$W/owner.pem" --image "$W/im,ages/disk.luks" --from-raw "$W/disk.raw" \
  "${OK_PCR[@]}" "${OK_HOST[@]}" --recovery-passphrase-file "$W/recovery.pass" >"$W/out.txt" 2>"$W/err.txt"; rc=$?
check "a recovery keyslot on an image whose path has a comma ($(cat "$W/err.txt"))" test $rc -eq 0
cp "$W/im,ages/disk.luks" "$W/comma-copy.luks"
IMG_SAVED=$IMG IMG=$W/comma-copy.luks  # (opens_with's own --image-opts would need the comma doubled)
check "... opens with the recovery passphrase" opens_with "$W/recovery.pass"
IMG=$IMG_SAVED

# --- No passphrase at a guessable path. An attacker pre-creates
# /dev/shm/vouch-seal-<pid>.key for the next pids (other processes on the
# machine take pids too, so many): empty files, and symlinks to a file of
# theirs. Several seals later all are as they were, and no vouch-seal-* file
# appeared in /dev/shm or /tmp.
echo "attacker's file" >"$W/attacker"; sha_attacker=$(sha "$W/attacker")
SPAN=5000
PID_MAX=$(cat /proc/sys/kernel/pid_max)
next_pid=$(sh -c 'echo $$')
mapfile -t PLANTED < <(python3 - "$next_pid" "$SPAN" "$PID_MAX" "$W/attacker" <<'PY'
import os, sys
start, span, pid_max, target = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
for k in range(span):
    p = (start + k) % pid_max
    f = f"/dev/shm/vouch-seal-{p}.key"
    if os.path.lexists(f):
        continue
    if p % 2:
        os.close(os.open(f, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o644))
    else:
        os.symlink(target, f)
    print(f)
PY
)
planted_unchanged() {
  local f
  for f in "${PLANTED[@]}"; do
    if [[ -L $f ]]; then
      [[ $(readlink "$f") == "$W/attacker" ]] || return 1
    else
      [[ -f $f && ! -s $f ]] || return 1
    fi
  done
  [[ $(sha "$W/attacker") == "$sha_attacker" ]]
}
# A leaked key is a non-empty regular file named vouch-seal-* (planted files,
# ours or those of a concurrent run of this test, are empty or symlinks).
strays() { find /dev/shm /tmp -maxdepth 1 -name 'vouch-seal-*' -type f -size +0 2>/dev/null; }
check "planted attacker files ($(( ${#PLANTED[@]} )))" test ${#PLANTED[@]} -gt 1000
in_range=0 seals_ok=0
for _ in 1 2 3 4; do
  # exec: $! is vouch's own pid.
  (exec "$VOUCH" seal --xml "$W/domain.xml" --bundle-out "$BUNDLE" --validators "$W/validators.txt" \
    --threshold 2 --owner-key "$W/owner.pem" --image "$IMG" --from-raw "$W/disk.raw" --force \
    "${OK_PCR[@]}" "${OK_HOST[@]}") >/dev/null 2>"$W/err.txt" &
  pid=$!
  wait "$pid" && seals_ok=$((seals_ok + 1))
  (( (pid - next_pid + PID_MAX) % PID_MAX < SPAN )) && in_range=$((in_range + 1))
done
check "four seals with planted files succeed ($(cat "$W/err.txt"))" test $seals_ok -eq 4
check "the seals ran under planted pids ($in_range of 4)" test $in_range -ge 1
check "every planted file and symlink is as it was" planted_unchanged
check "no vouch-seal-* file with content in /dev/shm or /tmp: $(strays)" test -z "$(strays)"
check "the image still opens with its passphrase" opens_with "$QEMU_PASS"

# --- A Proxmox VE VM (--pve-config): its LUKS disk is the one its args open.
PVE_UUID=6a1c1d2e-3f40-4152-8364-75a6b7c8d9e0
pve_conf() {  # pve_conf ARGS-LINE > VMID.conf
  printf 'name: pve-seal\nmemory: 256\nsmbios1: uuid=%s\nscsi0: local-lvm:vm-100-disk-0,size=8G\n%s\n' "$PVE_UUID" "$1"
}
pve_conf "args: -object secret,id=vk,file=/run/vouch/pve/100.key,format=raw -blockdev driver=luks,node-name=v0,key-secret=vk,file.driver=file,file.filename=$IMG -device virtio-blk-pci,drive=v0" >"$W/100.conf"
"$VOUCH" seal --pve-config "$W/100.conf" --bundle-out "$W/pve.bundle" --validators "$W/validators.txt" --threshold 2 \
  --owner-key "$W/owner.pem" --image "$IMG" --from-raw "$W/disk.raw" --force "${OK_PCR[@]}" "${OK_HOST[@]}" >"$W/out.txt" 2>"$W/err.txt"
check "a Proxmox VM seals ($(cat "$W/err.txt"))" test $? -eq 0
expect "... for the VM's smbios1 uuid" 0 "^sealed domain 'pve-seal' \($PVE_UUID\)" -- cat "$W/out.txt"
check "... and its image opens with the passphrase" opens_with "$QEMU_PASS"
expect "... and its policy pins the args' LUKS disk" 0 "\"disk:v0:luks:$IMG\"" -- "$VOUCH" bundle show "$W/pve.bundle" --json
sha_img=$(sha "$IMG")
expect "a Proxmox VM whose image is not a LUKS disk of its args: refused, saying how" 1 \
  "disk 'scsi0' of Proxmox VM 'pve-seal' must be opened by its args: -object secret" -- \
  "$VOUCH" seal --pve-config "$W/100.conf" --bundle-out "$W/pve.bundle" --validators "$W/validators.txt" --threshold 2 \
  --owner-key "$W/owner.pem" --image local-lvm:vm-100-disk-0 --size 1M --force "${OK_PCR[@]}" "${OK_HOST[@]}"
expect "--pve-config needs --bundle-out" 1 "^vouch: missing required flag --bundle-out$" -- "$VOUCH" seal --pve-config "$W/100.conf" \
  --validators "$W/validators.txt" --threshold 2 --owner-key "$W/owner.pem" --image "$IMG" --from-raw "$W/disk.raw" \
  "${OK_PCR[@]}" "${OK_HOST[@]}"
printf 'memory 256\n' >"$W/bad.conf"
expect "a VM config that does not parse: one line naming the line" 1 \
  "^vouch: Proxmox VM bad config line 1: expected 'KEY: VALUE', got 'memory 256'$" -- \
  "$VOUCH" seal --pve-config "$W/bad.conf" --bundle-out "$W/pve.bundle" --validators "$W/validators.txt" \
  --threshold 2 --owner-key "$W/owner.pem" --image "$IMG" --from-raw "$W/disk.raw" "${OK_PCR[@]}" "${OK_HOST[@]}"
check "the refusals left the image as it was" test "$(sha "$IMG")" = "$sha_img"

# --- Usage.
expect "unknown flag is a usage error" 2 "unknown flag --frob" -- "$VOUCH" seal --frob
expect "help names the strict choices" 0 "--pcrs-from-tpm TCTI \| --pcr-ref IDX=HEX... \| --platform CLASS... \| --any-pcrs" -- \
  bash -c "'$VOUCH' seal --help 2>&1; true"

echo "$pass passed, $fail failed"
[[ $fail -eq 0 ]]
