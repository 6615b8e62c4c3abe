#!/usr/bin/env bash
# What a real SQLite ledger says, in W3C terms (DESIGN §3 "Revocation as a
# status list", "JSON forms (W3C)"): `vouch vc status-list` and `vouch vc
# verify --status` over revocations, and `vouch did resolve --ledger` for a
# host (AK, certification, status). Usage: status.sh PATH/TO/vouch
set -uo pipefail
VOUCH=${1:?usage: status.sh PATH/TO/vouch}
W=$(mktemp -d)
trap 'rm -rf "$W"' EXIT
# shellcheck source=tests/cli/lib.sh
. "$(dirname "$0")/lib.sh"
json_check() {  # json_check PYTHON-EXPR -- CMD...: EXPR over `j` is true
  local expr=$1; shift 2
  "$@" | python3 -c "import json,sys; j=json.load(sys.stdin); sys.exit(0 if ($expr) else 1)"
}

for k in gov1 gov2 val1 val2 host rogue; do
  "$VOUCH" key generate "$W/$k.pem" >/dev/null || { echo "vouch key generate failed"; exit 1; }
done
did() { "$VOUCH" ledger did "$W/$1.pem"; }
G2=$(did gov2) V1=$(did val1) H=$(did host) R=$(did rogue)
DB="sqlite://$W/ledger.db"
GENESIS=$("$VOUCH" ledger init "$DB" --key "$W/gov1.pem" --governance "$G2" | grep -Eo '[0-9a-f]{64}' | head -1)
[[ ${#GENESIS} -eq 64 ]] || { echo "FAIL: no genesis digest from ledger init"; exit 1; }
LF=(--ledger "$DB" --genesis "$GENESIS")
for v in val1 val2; do
  "$VOUCH" ledger append "$DB" --key "$W/$v.pem" validator-register --hpke-pk "$(printf '%064d' 7)" \
    --endpoint "http://127.0.0.1:1" --operator "op-$v" --region eu-west \
    --countersign "$W/gov1.pem" --countersign "$W/gov2.pem" >/dev/null || { echo "FAIL: $v not admitted"; exit 1; }
done
printf '\x00\x04\x00\x23\x00\x0b' >"$W/ak.pub"
"$VOUCH" ledger append "$DB" --key "$W/host.pem" did-register --ak-public "$W/ak.pub" >/dev/null ||
  { echo "FAIL: host did not register"; exit 1; }
"$VOUCH" vectors "$W/v" >/dev/null || { echo "FAIL: vouch vectors"; exit 1; }
"$VOUCH" vc export "$W/v/endorsed-vc.cbor" --format di-jcs --out "$W/vc.json" || { echo "FAIL: vc export"; exit 1; }
# Times inside the vector VC's validity (it is issued now, for 2 minutes).
times() { python3 - "$W/vc.json" "$1" <<'PY'
import datetime, json, sys
t = datetime.datetime.fromisoformat(json.load(open(sys.argv[1]))["validFrom"].replace("Z", "+00:00"))
print((t + datetime.timedelta(seconds=int(sys.argv[2]))).strftime("%Y-%m-%dT%H:%M:%SZ"))
PY
}
AT=$(times 10) LIST_AT=$(times 5) LIST_UNTIL=$(times 605) OLD_AT=$(times -3600) OLD_UNTIL=$(times -3000)
SL() { "$VOUCH" vc status-list "${LF[@]}" --at "$LIST_AT" "$@"; }
V() { "$VOUCH" vc verify "$W/vc.json" --at "$AT" "$@"; }

# vc status-list: a validator's statement of the ledger's revocations.
expect "a validator signs the list" 0 '"BitstringStatusListCredential"' -- SL --key "$W/val1.pem"
expect "the list's issuer is the validator" 0 "\"issuer\": \"$V1\"" -- SL --key "$W/val1.pem"
expect "a non-validator may not" 1 "^vouch: key '.*rogue.pem' is not an admitted, unrevoked validator's \($R\)" -- SL --key "$W/rogue.pem"
expect "status-list needs a key" 2 "^vouch: vc status-list needs --key" -- "$VOUCH" vc status-list "${LF[@]}"
expect "status-list needs the genesis" 2 "^vouch: vc status-list needs --genesis" -- "$VOUCH" vc status-list --ledger "$DB" --key "$W/val1.pem"
SL --key "$W/val1.pem" --out "$W/before.json" || { echo "FAIL: status-list --out"; exit 1; }

# vc verify --status: nothing revoked yet.
expect "unrevoked: accepted, the issuer checked on the ledger" 0 \
  "^status: not revoked in the list of $V1 \(valid until $LIST_UNTIL; its issuer an admitted validator on the ledger\)$" \
  -- V --status "$W/before.json" "${LF[@]}"
expect "without --ledger it says it did not check the issuer" 0 "its issuer not checked against a ledger" -- V --status "$W/before.json"
check "--json carries the status line" json_check "j['verified'] and j['status'].startswith('status: not revoked')" -- \
  V --status "$W/before.json" --json
expect "--ledger alone is a usage error" 2 "^vouch: --ledger is for --status" -- V "${LF[@]}"
"$VOUCH" vc status-list "${LF[@]}" --key "$W/val1.pem" --at "$OLD_AT" --out "$W/old.json"
expect "a list past its validUntil" 1 "status list '.*old.json': status list expired at $OLD_UNTIL" -- \
  V --status "$W/old.json"

# The launch revoked on the ledger: the list names its entry.
"$VOUCH" revoke credential "$W/v/endorsed-vc.cbor" --reason "owner withdrew it" "${LF[@]}" --key "$W/gov1.pem" \
  --cosign "$W/gov2.pem" >/dev/null || { echo "FAIL: revoke credential"; exit 1; }
SL --key "$W/val2.pem" --out "$W/after.json"
expect "revoked: refused naming the launch entry" 1 \
  "^vouch: '$W/vc.json': credential is revoked: its launch entry \(statusListIndex [0-9]+\) is set in the status list of '$(did val2)'$" \
  -- V --status "$W/after.json" "${LF[@]}"
"$VOUCH" vc export "$W/v/endorsed-vc.cbor" --format vc+cose --out "$W/vc.cose" || { echo "FAIL: vc export vc+cose"; exit 1; }
expect "the vc+cose form of the same credential is refused so too" 1 \
  "^vouch: '$W/vc.cose': credential is revoked: its launch entry \(statusListIndex [0-9]+\) is set" \
  -- "$VOUCH" vc verify "$W/vc.cose" --at "$AT" --status "$W/after.json" "${LF[@]}"
expect "and accepted against the list from before the revocation" 0 "^status: not revoked in the list of $V1" \
  -- "$VOUCH" vc verify "$W/vc.cose" --at "$AT" --status "$W/before.json" "${LF[@]}"
# Attacker: the list altered after signing (the revocation taken out).
python3 - "$W/after.json" "$W/before.json" "$W/altered.json" <<'PY'
import json, sys
a = json.load(open(sys.argv[1])); b = json.load(open(sys.argv[2]))
a["credentialSubject"]["encodedList"] = b["credentialSubject"]["encodedList"]
json.dump(a, open(sys.argv[3], "w"))
PY
expect "an altered list is refused" 1 "status list proof: Ed25519 signature does not verify" -- V --status "$W/altered.json"
echo '{"not": "a list"}' >"$W/junk.json"
expect "what is no list is refused in one line" 1 "^vouch: '$W/vc.json': status list '.*junk.json': status list @context" -- \
  V --status "$W/junk.json"

# did resolve: without --ledger exactly the did:key document; with it, the ledger's view.
"$VOUCH" did resolve "$H" >"$W/plain.json"
expect "without --ledger: the did:key document" 0 '"publicKeyMultibase"' -- cat "$W/plain.json"
check "without --ledger: no vouch terms" bash -c "! grep -q 'attestationKey\|w3id.org/vouch' '$W/plain.json'"
check "with --ledger: AK, certification, status" json_check \
  "(d := j['didDocument'])['attestationKey']['tpm2bPublic'] == 'AAQAIwAL' and not d['certification']['certified'] and d['hostStatus'] == {'state': 'active'} and j['didDocumentMetadata'] == {}" \
  -- "$VOUCH" did resolve "$H" "${LF[@]}"
"$VOUCH" ledger append "$DB" --key "$W/val1.pem" did-update --did "$H" --certify >/dev/null
check "a certification names its validator and entry" json_check \
  "len(c := j['didDocument']['certification']['certifiedBy']) == 1 and c[0]['validator'] == '$V1' and c[0]['active']" \
  -- "$VOUCH" did resolve "$H" "${LF[@]}"
"$VOUCH" revoke host "$H" --reason "decommissioned" "${LF[@]}" --key "$W/host.pem" >/dev/null
check "a revoked host is deactivated, with its reason" json_check \
  "j['didDocumentMetadata'] == {'deactivated': True} and j['didDocument']['hostStatus']['revocation']['reason'] == 'decommissioned'" \
  -- "$VOUCH" did resolve "$H" "${LF[@]}"
expect "--jcs with --ledger: one canonical line" 0 '^\{"didDocument":\{"@context":\[' -- "$VOUCH" did resolve "$H" "${LF[@]}" --jcs

echo "status: $pass passed, $fail failed"
((fail == 0))
