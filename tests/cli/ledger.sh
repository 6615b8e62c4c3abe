#!/usr/bin/env bash
# vouch ledger init/append/show/verify as scripts: run a command, assert its
# exit status and what it prints. Usage: ledger.sh PATH/TO/vouch
set -uo pipefail
VOUCH=${1:?usage: ledger.sh PATH/TO/vouch}
W=$(mktemp -d)
trap 'rm -rf "$W"' EXIT

# shellcheck source=tests/cli/lib.sh
. "$(dirname "$0")/lib.sh"

for k in gov1 gov2 val1 val2 val3 host; do
  "$VOUCH" key generate "$W/$k.pem" >/dev/null || { echo "vouch key generate failed"; exit 1; }
done
did() { "$VOUCH" ledger did "$W/$1.pem"; }
G1=$(did gov1) G2=$(did gov2) V1=$(did val1) V2=$(did val2) H=$(did host)
[[ $G1 == did:key:z6Mk* && $H == did:key:z6Mk* ]] || { echo "FAIL: 'vouch ledger did' printed '$G1'"; exit 1; }
DB="sqlite://$W/ledger.db"
L() { "$VOUCH" ledger "$@"; }
HPKE=$(printf '%064d' 7)
printf '\x00\x04\x00\x23\x00\x0b' >"$W/ak.pub"   # a TPM2B_PUBLIC-shaped AK area
printf '\x00\x04\x00\x23\x00\x0c' >"$W/ak2.pub"

expect "verify before init says to run init" 1 "^vouch: ledger '$W/ledger.db' does not exist \(run 'vouch ledger init' first\)" -- L verify "$DB"
expect "relative locator refused" 1 "expected sqlite:///ABSOLUTE/PATH" -- L verify "sqlite://ledger.db"
expect "init writes genesis" 0 "initialized ledger $DB: genesis by $G1, 2 governance keys, 0 TPM CAs, quorums certify=2 admit=2 revoke=2" \
  -- L init "$DB" --key "$W/gov1.pem" --governance "$G2" --certify-quorum 2 --admit-quorum 2 --revoke-quorum 2
expect "init twice refused" 1 "is already initialized \(it has 1 entries\)" -- L init "$DB" --key "$W/gov1.pem" --governance "$G2"
expect "admit quorum above governance size refused" 1 "^vouch: --admit-quorum 3 needs as many governance keys, but the genesis names 1: nothing could ever be admitted" \
  -- L init "sqlite://$W/other.db" --key "$W/gov1.pem" --admit-quorum 3
# No quorum defaults to 1: one validator or one governance key acting alone is a lab set-up, said out loud.
expect "quorums default to 2" 0 "2 governance keys, 0 TPM CAs, quorums certify=2 admit=2 revoke=2" \
  -- L init "sqlite://$W/default.db" --key "$W/gov1.pem" --governance "$G2"
check "a 2-of-2 ledger draws no warning" bash -c "! '$VOUCH' ledger show 'sqlite://$W/default.db' 2>&1 | grep -q 'single operator'"
expect "default admit quorum needs two governance keys" 1 "^vouch: --admit-quorum 2 needs as many governance keys, but the genesis names 1" \
  -- L init "sqlite://$W/other.db" --key "$W/gov1.pem"
for q in certify admit revoke; do
  expect "--$q-quorum 1 refused without --single-operator" 1 "^vouch: --$q-quorum 1 would let one .* alone .*: give 2 or more, or --single-operator for a lab set-up$" \
    -- L init "sqlite://$W/other.db" --key "$W/gov1.pem" --governance "$G2" "--$q-quorum" 1
done
expect "a quorum of 0 refused even for a lab" 1 "^vouch: --revoke-quorum must be at least 1$" \
  -- L init "sqlite://$W/other.db" --key "$W/gov1.pem" --single-operator --admit-quorum 1 --revoke-quorum 0
expect "nothing was written by the refusals" 1 "does not exist \(run 'vouch ledger init' first\)" -- L verify "sqlite://$W/other.db"
expect "--single-operator allows 1, with a warning" 0 "^vouch: warning: ledger genesis allows a single operator \(certify_quorum 1, admit_quorum 1\): a lab set-up, not a threshold$" \
  -- L init "sqlite://$W/lab.db" --key "$W/gov1.pem" --single-operator --certify-quorum 1 --admit-quorum 1
expect "show warns on a lab ledger" 0 "^vouch: warning: ledger genesis allows a single operator \(certify_quorum 1, admit_quorum 1\)" \
  -- L show "sqlite://$W/lab.db"

vreg() {  # vreg KEY [--countersign K]...
  local key=$1; shift
  L append "$DB" --key "$W/$key.pem" validator-register --hpke-pk "$HPKE" --endpoint "http://127.0.0.1:7001" \
    --operator "op-$key" --region eu-west "$@"
}
expect "one governance countersignature does not admit" 0 "validator $V1: registered, not admitted \(1 of 2 governance countersignatures\)" \
  -- vreg val1 --countersign "$W/gov1.pem"
expect "non-governance countersigner refused" 1 "unauthorized: countersigned by '$V1', which is not an unrevoked governance key" \
  -- vreg val2 --countersign "$W/gov1.pem" --countersign "$W/val1.pem"
expect "two governance countersignatures admit" 0 "validator $V1: admitted \(2 of 2" -- vreg val1 --countersign "$W/gov1.pem" --countersign "$W/gov2.pem"
expect "second validator admitted" 0 "validator $V2: admitted" -- vreg val2 --countersign "$W/gov2.pem" --countersign "$W/gov1.pem"

expect "host registers itself" 0 "appended entry 4 \(did-register\) by $H" \
  -- L append "$DB" --key "$W/host.pem" did-register --ak-public "$W/ak.pub" --fact libvirt=9.0.0 --fact qemu=7.2.0
expect "host registers twice refused" 1 "ledger entry 5 \(did-register\): '$H' is already registered \(entry 4\)" \
  -- L append "$DB" --key "$W/host.pem" did-register --ak-public "$W/ak.pub"
expect "host cannot certify itself" 1 "ledger entry 5 \(did-update\): unauthorized: '$H' cannot certify its own AK" \
  -- L append "$DB" --key "$W/host.pem" did-update --did "$H" --certify
expect "unadmitted key cannot certify" 1 "unauthorized: certification by '$(did val3)', which is not a registered, admitted, unrevoked validator" \
  -- L append "$DB" --key "$W/val3.pem" did-update --did "$H" --certify
expect "first certification" 0 "appended entry 5 \(did-update\) by $V1" -- L append "$DB" --key "$W/val1.pem" did-update --did "$H" --certify
expect "one certification is below quorum" 0 "certified: no \(1 of 2 validators\)" -- L show "$DB" --did "$H"
expect "second certification" 0 "appended entry 6 \(did-update\) by $V2" -- L append "$DB" --key "$W/val2.pem" did-update --did "$H" --certify
expect "certified at quorum" 0 "certified: yes \(2 of 2 validators\)" -- L show "$DB" --did "$H"
expect "governance sets reputation" 0 "appended entry 7 \(validator-update\) by $G2" \
  -- L append "$DB" --key "$W/gov2.pem" validator-update --did "$V1" --reputation 900
expect "validator cannot set its own reputation" 1 "cannot set its own reputation" \
  -- L append "$DB" --key "$W/val1.pem" validator-update --reputation 1000
expect "registry shows reputation" 0 "$V1 http://127.0.0.1:7001 operator=op-val1 region=eu-west reputation=900 admitted" \
  -- L show "$DB" --validators

expect "one report does not revoke" 0 "$H: reported by 1 of 2 validators, not revoked yet" \
  -- L append "$DB" --key "$W/val1.pem" revoke --subject "$H" --reason "PCR 7 drift"
expect "pending report shown" 0 "revoked: no \(1 pending reports\)" -- L show "$DB" --did "$H"
expect "the host may still attest" 0 "appended entry 9 \(attested\) by $H" \
  -- L append "$DB" --key "$W/host.pem" attested --vc-digest "$(printf '%064d' 3)" --domain web1 --validator "$V1" --validator "$V2"
expect "second report revokes" 0 "$H is revoked" -- L append "$DB" --key "$W/val2.pem" revoke --subject "$H" --reason "missed re-attestation"
expect "revoked host refused" 1 "ledger entry 11 \(attested\): author '$H' was revoked at entry 10 \(missed re-attestation\)" \
  -- L append "$DB" --key "$W/host.pem" attested --vc-digest "$(printf '%064d' 4)" --domain web1
expect "revocation listed" 0 "$H revoked at entry 10: missed re-attestation" -- L show "$DB" --revocations
expect "one governance key cannot revoke alone" 1 "ledger entry 11 \(revoke\): unauthorized: governance revocation of 'cti:00112233445566778899aabbccddeeff' is signed by 1 governance keys \(author and countersigners\), admit_quorum 2 needed" \
  -- L append "$DB" --key "$W/gov1.pem" revoke --subject cti:00112233445566778899aabbccddeeff --reason replayed
expect "a validator cannot stand in for governance" 1 "countersigned by '$V1', which is not an unrevoked governance key" \
  -- L append "$DB" --key "$W/gov1.pem" revoke --subject cti:00112233445566778899aabbccddeeff --reason replayed --cosign "$W/val1.pem"
expect "governance quorum revokes a credential" 0 "cti:00112233445566778899aabbccddeeff is revoked" \
  -- L append "$DB" --key "$W/gov1.pem" revoke --subject cti:00112233445566778899aabbccddeeff --reason replayed --cosign "$W/gov2.pem"
expect "checkpoint cosigned" 0 "appended entry 12 \(checkpoint\) by $V1" \
  -- L append "$DB" --key "$W/val1.pem" checkpoint --countersign "$W/val2.pem"
expect "show lists every entry" 0 "^12 [0-9T:-]+Z checkpoint by $V1 head_index=11 head_digest=[0-9a-f]{64} cosigned_by=1$" -- L show "$DB"
# --json: the same facts, parsed by a JSON reader.
json_check() {  # json_check PYTHON-EXPR -- CMD...: EXPR over `j` is true
  local expr=$1; shift 2
  "$@" | python3 -c "import json,sys; j=json.load(sys.stdin); sys.exit(0 if ($expr) else 1)"
}
N_TEXT=$(L show "$DB" | wc -l)
check "show --json lists the same entries as the text" \
  json_check "len(j['entries']) == $N_TEXT and j['size'] == $N_TEXT and j['entries'][0]['type'] == 'genesis'" -- L show "$DB" --json
check "show --json: entry 12 is the checkpoint by V1 with one countersigner" \
  json_check "[e for e in j['entries'] if e['index'] == 12][0] == {**[e for e in j['entries'] if e['index'] == 12][0], 'type': 'checkpoint', 'author': '$V1', 'countersigners': 1}" -- L show "$DB" --json
check "show --validators --json names V1 with its endpoint and reputation" \
  json_check "any(v['did'] == '$V1' and v['endpoint'] == 'http://127.0.0.1:7001' and v['reputation'] == 900 and v['admitted'] for v in j['validators'])" -- L show "$DB" --validators --json
check "show --did --json: the host, certified at quorum" \
  json_check "j['host']['did'] == '$H' and j['host']['certified'] and len(j['host']['certified_by']) == 2" -- L show "$DB" --did "$H" --json
check "show --revocations --json" \
  json_check "any(r['subject'] == '$H' and r['index'] == 10 and r['reason'] == 'missed re-attestation' for r in j['revocations'])" -- L show "$DB" --revocations --json
expect "show starts at genesis" 0 "^0 [0-9T:-]+Z genesis by $G1 governance=2 tpm_cas=0 certify_quorum=2" -- L show "$DB" --to 1
expect "verify from genesis" 0 "verifies \(from genesis\): 13 entries, head 12 digest [0-9a-f]{64}" -- L verify "$DB"
expect "verify summary" 0 "1 hosts \(1 certified, 1 revoked\), 2 validators \(2 active\), 2 revocations, 1 attested, 1 checkpoints" -- L verify "$DB"

D6=$(L show "$DB" --from 12 --to 13 | grep -Eo 'head_digest=[0-9a-f]+' | cut -d= -f2)
expect "verify after a trusted checkpoint" 0 "verifies \(after trusted checkpoint 11\): 13 entries" -- L verify "$DB" --checkpoint "11:$D6"
expect "wrong checkpoint digest refused" 1 "^vouch: ledger entry 10: digest [0-9a-f]{64} differs from the trusted checkpoint $D6" \
  -- L verify "$DB" --checkpoint "10:$D6"

# watch: a watcher started before the appends prints each verified revoke
# as it lands (a report, then the report that makes it effective), skipping
# the other entry types.
V3=$(did val3)
L watch "$DB" --from 13 --type revoke --count 2 --timeout 20s >"$W/watch.out" 2>"$W/watch.err" &
watcher=$!
sleep 0.5
expect "report while watched" 0 "appended entry 13 \(revoke\)" -- L append "$DB" --key "$W/val1.pem" revoke --subject "$V3" --reason "stolen key"
expect "other entry while watched" 0 "appended entry 14 \(validator-update\)" -- L append "$DB" --key "$W/gov1.pem" validator-update --did "$V2" --reputation 700
expect "second report while watched" 0 "$V3 is revoked" -- L append "$DB" --key "$W/val2.pem" revoke --subject "$V3" --reason "stolen key, confirmed"
wait "$watcher"; wstatus=$?
expect "watcher exits 0 after --count entries" 0 "" -- test "$wstatus" -eq 0
expect "watcher printed the report" 0 "^13 revoke by $V1 digest [0-9a-f]{16} subject=$V3 reason=\"stolen key\" report$" -- cat "$W/watch.out"
expect "watcher printed the effective revoke" 0 "^15 revoke by $V2 digest [0-9a-f]{16} subject=$V3 reason=\"stolen key, confirmed\" effective$" -- cat "$W/watch.out"
expect "watcher printed only revokes" 0 "^2$" -- bash -c "wc -l <'$W/watch.out'"
expect "watch from an earlier index replays" 0 "^12 checkpoint by $V1 digest [0-9a-f]{16}$" -- L watch "$DB" --from 12 --count 1
expect "watch with nothing new exits 0 at its timeout" 0 "^$" -- L watch "$DB" --timeout 300ms
expect "watch --timeout in another unit is one line showing the grammar" 2 \
  "^vouch ledger: --timeout: '300 ms' is not a duration: write a whole number with ms, s, m or h" \
  -- L watch "$DB" --timeout "300 ms"
expect "watch --timeout-ms (renamed) names the new spelling" 2 \
  "^vouch ledger: flag --timeout-ms was renamed: write --timeout 300ms$" -- L watch "$DB" --timeout-ms 300
expect "watch of an unknown type" 2 "--type 'frob' is not an entry type" -- L watch "$DB" --type frob

# Checkpoint cosigning by separate parties: val1 drafts, val2 and val3
# cosign the file, anyone submits. val3 is no admitted validator: refused.
expect "draft a checkpoint" 0 "drafted entry 16 \(checkpoint\) by $V1 to $W/cp.cbor \(0 countersignatures\)" \
  -- L draft "$DB" --key "$W/val1.pem" checkpoint --out "$W/cp.cbor"
expect "validator cosigns the draft" 0 "$W/cp.cbor: entry 16 \(checkpoint\) by $V1 countersigned by $V2 \(1 countersignatures\)" \
  -- L cosign "$W/cp.cbor" --key "$W/val2.pem"
expect "cosigning twice refused" 1 "has countersigned this entry already" -- L cosign "$W/cp.cbor" --key "$W/val2.pem"
cp "$W/cp.cbor" "$W/cp-bad.cbor"
expect "an outsider may cosign the file" 0 "countersigned by $V3" -- L cosign "$W/cp-bad.cbor" --key "$W/val3.pem"
expect "but its cosignature is refused on submit" 1 "ledger entry 16 \(checkpoint\): unauthorized: cosigned by '$V3', which is not an admitted, unrevoked validator" \
  -- L submit "$DB" "$W/cp-bad.cbor"
python3 - "$W/cp.cbor" "$W/cp-flipped.cbor" <<'PY'
import sys
b = bytearray(open(sys.argv[1], 'rb').read()); b[-3] ^= 1; open(sys.argv[2], 'wb').write(bytes(b))
PY
expect "a draft with a broken signature is refused" 1 "draft '$W/cp-flipped.cbor': " -- L submit "$DB" "$W/cp-flipped.cbor"
expect "submit the cosigned checkpoint" 0 "appended entry 16 \(checkpoint\) by $V1" -- L submit "$DB" "$W/cp.cbor"
expect "submitting again is a no-op" 0 "appended entry 16 \(checkpoint\)" -- L submit "$DB" "$W/cp.cbor"
expect "checkpoint shows its cosigner" 0 "^16 [0-9T:-]+Z checkpoint by $V1 head_index=15 head_digest=[0-9a-f]{64} cosigned_by=1$" -- L show "$DB" --from 16
expect "a stale draft is refused" 1 "ledger entry 16 is already another entry \(draft again" -- L submit "$DB" "$W/cp-bad.cbor"
expect "append a cosigned checkpoint in one step" 0 "appended entry 17 \(checkpoint\) by $V2" \
  -- L append "$DB" --key "$W/val2.pem" checkpoint --head 16 --cosign "$W/val1.pem"
expect "governance drafts a revoke, another governance key cosigns" 0 "drafted entry 18 \(revoke\)" \
  -- L draft "$DB" --key "$W/gov2.pem" revoke --subject cti:ffeeddccbbaa99887766554433221100 --reason leaked --out "$W/rv.cbor"
expect "the uncosigned governance revoke is refused" 1 "is signed by 1 governance keys \(author and countersigners\), admit_quorum 2 needed" \
  -- L submit "$DB" "$W/rv.cbor"
expect "cosign it" 0 "countersigned by $G1" -- L cosign "$W/rv.cbor" --key "$W/gov1.pem"
expect "submit it" 0 "cti:ffeeddccbbaa99887766554433221100 is revoked" -- L submit "$DB" "$W/rv.cbor"

# verify --from-checkpoint: trusts checkpoint 16's digest of entry 15 and
# verifies 16.. fully, after checking who cosigned it.
expect "verify from a cosigned checkpoint" 0 "verifies \(from checkpoint 16 of entry 15, cosigned by 2 admitted validators\): 19 entries" \
  -- L verify "$DB" --from-checkpoint 16
expect "two cosigners needed and present" 0 "cosigned by 2 admitted validators" -- L verify "$DB" --from-checkpoint 16 --min-cosigners 2
expect "three cosigners needed" 1 "^vouch: ledger entry 16 \(checkpoint\): cosigned by 2 admitted validators, 3 needed$" \
  -- L verify "$DB" --from-checkpoint 16 --min-cosigners 3
expect "only trusted validators count" 0 "cosigned by 1 trusted validators" -- L verify "$DB" --from-checkpoint 16 --trusted-validator "$V2"
expect "untrusted cosigners do not count" 1 "cosigned by 0 trusted validators, 1 needed" \
  -- L verify "$DB" --from-checkpoint 16 --trusted-validator "$V3"
expect "from-checkpoint of a non-checkpoint" 1 "^vouch: ledger entry 15 is a revoke entry, not a checkpoint$" -- L verify "$DB" --from-checkpoint 15
expect "from-checkpoint beyond the head" 1 "has no entry 99" -- L verify "$DB" --from-checkpoint 99
expect "governance checkpoint without validators" 0 "appended entry 19 \(checkpoint\) by $G1" -- L append "$DB" --key "$W/gov1.pem" checkpoint
expect "is refused as a trust anchor" 1 "ledger entry 19 \(checkpoint\): cosigned by 0 admitted validators, 1 needed" \
  -- L verify "$DB" --from-checkpoint 19

# A junk row appears at the next index while a watcher waits: it passes
# over it (a warning naming it, once), and the next honest entry arrives.
L watch "$DB" --count 1 --timeout 20 >"$W/watch2.out" 2>"$W/watch2.err" &
watcher=$!
sleep 0.5
python3 - "$W/ledger.db" <<'PY'
import sqlite3, sys
db = sqlite3.connect(sys.argv[1])
db.execute("INSERT INTO entries (idx, entry) VALUES (20, ?)", (b"\xa0not an entry",)); db.commit()
PY
expect "an append after junk" 0 "appended entry 21 \(checkpoint\) by $G1" -- L append "$DB" --key "$W/gov1.pem" checkpoint
wait "$watcher"; wstatus=$?
expect "watcher exits 0 past the junk" 0 "" -- test "$wstatus" -eq 0
expect "watcher names the junk once" 0 "^vouch: warning: skipped ledger entry 20: ledger entry 20: " -- cat "$W/watch2.err"
expect "... exactly once" 0 "^1$" -- bash -c "wc -l <'$W/watch2.err'"
expect "watcher printed the honest entry" 0 "^21 .*checkpoint" -- cat "$W/watch2.out"
expect "show lists the junk" 0 "^20 skipped: ledger entry 20: " -- L show "$DB" --from 19

# Tampering directly in the SQLite file: one byte of entry 5.
python3 - "$W/ledger.db" <<'PY'
import sqlite3, sys
db = sqlite3.connect(sys.argv[1])
(row,) = db.execute("SELECT entry FROM entries WHERE idx = 5").fetchone()
row = bytearray(row); row[len(row) // 2] ^= 1
db.execute("UPDATE entries SET entry = ? WHERE idx = 5", (bytes(row),)); db.commit()
PY
# An edited entry in the middle is not junk to pass over: the next one no
# longer links to it.
expect "edited row refused naming it" 1 "^vouch: ledger entry 6 \(did-update\): prev is .*; entry 5 was replaced \(it is junk: ledger entry 5: " -- L verify "$DB"
expect "an edit before the checkpoint is caught from it" 1 "^vouch: ledger entry 6 .*; entry 5 was replaced" \
  -- L verify "$DB" --from-checkpoint 16
expect "show refuses it too" 1 "; entry 5 was replaced \(it is junk: ledger entry 5: " -- L show "$DB"

expect "unknown ledger command" 2 "unknown command 'frob'" -- L frob
expect "unknown flag" 2 "unknown flag --reputation for 'append revoke'" -- L append "$DB" --key "$W/gov1.pem" revoke --reputation 3
expect "genesis is not appended" 2 "cannot append entries of type 'genesis'" -- L append "$DB" --key "$W/gov1.pem" genesis
expect "help" 0 "usage: vouch ledger" -- L --help

# Quarantine (a governance revoke of a launch naming its host and domain), on a ledger of its own.
QDB="sqlite://$W/quarantine.db"
L init "$QDB" --key "$W/gov1.pem" --governance "$G2" --certify-quorum 2 --admit-quorum 2 --revoke-quorum 2 >/dev/null
C2=cti:00112233445566778899aabbccddeef0
expect "a launch's host without its domain refused" 1 "'host' and 'domain' go together" \
  -- L append "$QDB" --key "$W/gov1.pem" revoke --subject "$C2" --reason "owner's order" --host "$H" --cosign "$W/gov2.pem"
expect "a host and domain on a DID subject refused" 1 "only for a launch credential" \
  -- L append "$QDB" --key "$W/gov1.pem" revoke --subject "$V1" --reason r --host "$H" --domain web1 --cosign "$W/gov2.pem"
expect "governance revokes a launch with its host and domain" 0 "$C2 is revoked" \
  -- L append "$QDB" --key "$W/gov1.pem" revoke --subject "$C2" --reason "owner's order" --host "$H" --domain web1 --cosign "$W/gov2.pem"
expect "show names the launch's host and domain" 0 "revoke by $G1 subject=$C2 reason=\"owner's order\" host=$H domain=web1$" -- L show "$QDB"
echo "$pass passed, $fail failed"
[[ $fail -eq 0 ]]
