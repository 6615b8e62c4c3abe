#!/usr/bin/env bash
# vouch vc export / verify (DESIGN §3 "JSON forms (W3C)"): the W3C VC 2.0
# form of an endorsed host VC with the signers' Data Integrity proofs, and
# as application/vc+cose with their COSE signature and countersignatures.
# Usage: vc.sh PATH/TO/vouch
set -uo pipefail
VOUCH=${1:?usage: vc.sh PATH/TO/vouch}
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
W=$(mktemp -d)
trap 'rm -rf "$W"' EXIT
# shellcheck source=tests/cli/lib.sh
. "$(dirname "$0")/lib.sh"

# edit_json IN OUT PYTHON-STATEMENT-ON-d
edit_json() {
  python3 - "$1" "$2" "$3" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
exec(sys.argv[3])
json.dump(d, open(sys.argv[2], "w"))
PY
}

"$VOUCH" vectors "$W/v" >/dev/null || { echo "FAIL: vouch vectors"; exit 1; }
DI=$W/v/endorsed-vc.di.json

expect "export prints the W3C form" 0 '"cryptosuite": "eddsa-jcs-2022"' -- \
  "$VOUCH" vc export "$W/v/endorsed-vc.cbor" --format di-jcs
"$VOUCH" vc export "$W/v/endorsed-vc.cbor" --format di-jcs --out "$W/out.json"
check "export --out writes the vector set's di-vc, byte for byte" cmp -s "$W/out.json" "$DI"
expect "export of a host VC: the host's proof alone" 0 '"id": "urn:vouch:proof:' -- \
  "$VOUCH" vc export "$W/v/host-vc.cbor" --format di-jcs
expect "export of a VC without W3C proof says so in one line" 1 \
  "^vouch: '.*endorsed-vc-without-w3c-proof.cbor': host VC of 'did:key:z6Mk.*' carries no W3C proof" -- \
  "$VOUCH" vc export "$ROOT/tests/cli/testdata/endorsed-vc-without-w3c-proof.cbor" --format di-jcs
expect "a VC without W3C proof still verifies in CBOR form" 0 "3 of 3 endorsements verify" -- \
  "$VOUCH" verify "$ROOT/tests/cli/testdata/endorsed-vc-without-w3c-proof.cbor"
expect "export of a VC whose host proof predates credentialStatus says so in one line" 1 \
  "^vouch: '.*endorsed-vc-before-status-list.cbor': host VC of 'did:key:z6Mk.*' carries a W3C proof from before credentialStatus" -- \
  "$VOUCH" vc export "$ROOT/tests/cli/testdata/endorsed-vc-before-status-list.cbor" --format di-jcs
expect "such a VC still verifies in CBOR form" 0 "3 of 3 endorsements verify" -- \
  "$VOUCH" verify "$ROOT/tests/cli/testdata/endorsed-vc-before-status-list.cbor"
expect "export needs --format" 2 "^vouch: vc export needs --format di-jcs" -- "$VOUCH" vc export "$W/v/endorsed-vc.cbor"
expect "export knows two formats" 2 "^vouch: unknown --format 'jwt' \(vouch exports di-jcs and vc\+cose\)" -- \
  "$VOUCH" vc export "$W/v/endorsed-vc.cbor" --format jwt
expect "export of what is no VC" 1 "is not a valid host VC" -- "$VOUCH" vc export "$DI" --format di-jcs

expect "verify: every proof" 0 "^4 of 4 proofs verify$" -- "$VOUCH" vc verify "$DI"
expect "verify: the chain" 0 "proof by did:key:z6Mk[^ ]* chained to urn:vouch:proof:[0-9a-f]{32}: ok" -- "$VOUCH" vc verify "$DI"
expect "verify: the embedded VC" 0 "embedded host VC \(launch, domain .*\): signature ok, the JSON is its rendering" -- \
  "$VOUCH" vc verify "$DI"
expect "verify --json" 0 '"verified": true' -- "$VOUCH" vc verify "$DI" --json

edit_json "$DI" "$W/claim.json" 'd["credentialSubject"]["hypervisor"]["qemu"] = "9.9.9"'
expect "altered claim refused, naming the proof" 1 "^vouch: '$W/claim.json': proof 1 by 'did:key:z6Mk[^']*': Ed25519 signature does not verify$" -- \
  "$VOUCH" vc verify "$W/claim.json"
edit_json "$DI" "$W/link.json" 'd["proof"][2]["previousProof"] = "urn:vouch:proof:00"'
expect "wrong previousProof refused" 1 "previousProof 'urn:vouch:proof:00' names no proof of the document" -- \
  "$VOUCH" vc verify "$W/link.json"
edit_json "$DI" "$W/swap.json" 'd["proof"][1]["proofValue"] = d["proof"][2]["proofValue"]'
expect "swapped proof refused" 1 "^vouch: '$W/swap.json': proof 2 by 'did:key:z6Mk" -- "$VOUCH" vc verify "$W/swap.json"
edit_json "$DI" "$W/noproof.json" 'del d["proof"]'
expect "no proof" 1 "is not a Data Integrity VC: document carries no proof" -- "$VOUCH" vc verify "$W/noproof.json"
expect "before validFrom" 1 "credential is valid from .*, not yet at 2000-01-01T00:00:00Z" -- \
  "$VOUCH" vc verify "$DI" --at 2000-01-01T00:00:00Z
expect "after validUntil" 1 "credential expired at " -- "$VOUCH" vc verify "$DI" --at 2999-01-01T00:00:00Z
expect "--at must be a date-time" 2 "^vouch: --at: date-time 'tomorrow' is not an XML dateTimeStamp" -- \
  "$VOUCH" vc verify "$DI" --at tomorrow
expect "verify of CBOR that is no vc+cose" 1 \
  "^vouch: '$W/v/endorsed-vc.cbor' is not a vc\+cose VC: vc\+cose: protected typ \(16\) must be \"application/vc\+cose\"" -- \
  "$VOUCH" vc verify "$W/v/endorsed-vc.cbor"
printf '{"@context": ' > "$W/cut.json"
expect "verify of broken JSON" 1 "^vouch: '$W/cut.json' is not JSON: " -- "$VOUCH" vc verify "$W/cut.json"

# application/vc+cose.
COSE=$W/v/endorsed-vc.vc-cose.cbor
AT=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["validFrom"])' "$DI")
"$VOUCH" vc export "$W/v/endorsed-vc.cbor" --format vc+cose --out "$W/out.cose"
check "export --format vc+cose --out writes the vector set's vc-cose, byte for byte" cmp -s "$W/out.cose" "$COSE"
"$VOUCH" vc export "$W/v/endorsed-vc.cbor" --format vc+cose > "$W/stdout.cose"
check "export --format vc+cose to stdout: the same bytes" cmp -s "$W/stdout.cose" "$COSE"
expect "export of a VC without vc+cose says so in one line" 1 \
  "^vouch: '.*endorsed-vc-without-w3c-proof.cbor': host VC of 'did:key:z6Mk.*' carries no vc\+cose signature" -- \
  "$VOUCH" vc export "$ROOT/tests/cli/testdata/endorsed-vc-without-w3c-proof.cbor" --format vc+cose
expect "verify vc+cose: every countersignature" 0 "^signature ok, 3 of 3 countersignatures verify$" -- \
  "$VOUCH" vc verify "$COSE" --at "$AT"
expect "verify vc+cose: the embedded VC" 0 "embedded host VC \(launch, domain .*\): signature ok, the JSON is its rendering" -- \
  "$VOUCH" vc verify "$COSE" --at "$AT"
expect "verify vc+cose --json" 0 '"format": "vc\+cose"' -- "$VOUCH" vc verify "$COSE" --at "$AT" --json
expect "vc+cose after validUntil" 1 "credential expired at " -- "$VOUCH" vc verify "$COSE" --at 2999-01-01T00:00:00Z
python3 - "$COSE" "$W/flip.cose" <<'PY'
import sys
b = bytearray(open(sys.argv[1], "rb").read())
b[-1] ^= 1  # the last byte is the host's signature's
open(sys.argv[2], "wb").write(b)
PY
expect "vc+cose with an altered host signature" 1 "^vouch: '$W/flip.cose': vc\+cose signature does not verify with the issuer" -- \
  "$VOUCH" vc verify "$W/flip.cose" --at "$AT"
expect "vc needs a command" 2 "^vouch: vc takes export, verify or status-list" -- "$VOUCH" vc
expect "vc unknown command" 2 "^vouch: unknown vc command 'sign'" -- "$VOUCH" vc sign "$DI"

echo "vc: $pass passed, $fail failed"
((fail == 0))
