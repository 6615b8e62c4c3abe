#!/usr/bin/env bash
# CLI behaviour as scripts (age's habit): run a command, assert its exit
# status and what it prints. Usage: run.sh PATH/TO/vouch
set -uo pipefail
VOUCH=${1:?usage: run.sh PATH/TO/vouch}
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
W=$(mktemp -d)
trap 'rm -rf "$W"' EXIT

# shellcheck source=tests/cli/lib.sh
. "$(dirname "$0")/lib.sh"

flip_byte() {  # flip_byte IN OUT OFFSET
  python3 - "$@" <<'PY'
import sys
d = bytearray(open(sys.argv[1], 'rb').read()); d[int(sys.argv[3])] ^= 0x01
open(sys.argv[2], 'wb').write(d)
PY
}

expect "vectors writes a set" 0 "wrote test vectors" -- "$VOUCH" vectors "$W/v"
expect "manifest lists four kinds" 0 '"kind": "shamir"' -- cat "$W/v/manifest.json"
expect "host VC verifies" 0 "signed by host did:key:z6Mk[1-9A-HJ-NP-Za-km-z]+: ok" -- "$VOUCH" verify "$W/v/host-vc.cbor"
expect "endorsed VC verifies" 0 "3 of 3 endorsements verify" -- "$VOUCH" verify "$W/v/endorsed-vc.cbor"
for f in host-vc endorsed-vc; do
  expect "checked-in $f verifies" 0 "signed by host .*: ok" -- "$VOUCH" verify "$ROOT/docs/vectors/$f.cbor"
done
expect "checked-in endorsed VC has 3 endorsements" 0 "3 of 3 endorsements verify" -- "$VOUCH" verify "$ROOT/docs/vectors/endorsed-vc.cbor"

# Tampering: a payload byte (the claims), the last byte (the signature).
size=$(stat -c %s "$W/v/host-vc.cbor")
flip_byte "$W/v/host-vc.cbor" "$W/payload.cbor" $((size / 2))
expect "tampered payload refused" 1 "^vouch: '.*payload.cbor' is not a valid host VC: " -- "$VOUCH" verify "$W/payload.cbor"
flip_byte "$W/v/host-vc.cbor" "$W/sig.cbor" $((size - 1))
expect "tampered signature refused" 1 "host VC signature does not verify with issuer 'did:key:" -- "$VOUCH" verify "$W/sig.cbor"
# The first countersignature's own signature: the first 64-byte bstr after
# its protected header (which holds "vouch.verdict") and its unprotected
# "vouch.cose" (a 64-byte bstr itself, the last label of that header).
sig_at=$(python3 -c 'import sys; d=open(sys.argv[1],"rb").read(); i=d.index(b"vouch.cose", d.index(b"vouch.verdict")); print(d.index(b"\x58\x40", d.index(b"\x58\x40", i) + 66) + 10)' "$W/v/endorsed-vc.cbor")
flip_byte "$W/v/endorsed-vc.cbor" "$W/endorsement.cbor" "$sig_at"
expect "tampered endorsement refused and named" 1 "endorsement by 'did:key:z6Mk.*' does not verify over this host VC" -- "$VOUCH" verify "$W/endorsement.cbor"
head -c 100 "$W/v/host-vc.cbor" >"$W/short.cbor"
expect "truncated VC refused" 1 "not a valid host VC: .*truncated" -- "$VOUCH" verify "$W/short.cbor"
expect "sealed share is not a VC" 1 "not a valid host VC" -- "$VOUCH" verify "$W/v/sealed-share.cbor"
expect "missing file named" 1 "cannot open '$W/nope.cbor'" -- "$VOUCH" verify "$W/nope.cbor"
expect "unknown command" 2 "unknown command 'frobnicate'" -- "$VOUCH" frobnicate
expect "usage on no args" 2 "usage: vouch" -- "$VOUCH"

expect "event log replays (tpm2-tools fixture)" 0 '^\{"pcrs": \{"sha1": \{"0": "543c314066a9cd7a6b6aa53f56b38e814a76efe7"' -- "$VOUCH" tpm eventlog "$ROOT/measure/testdata/eventlog/event.bin" --json
expect "malformed event log refused" 1 "^vouch: " -- "$VOUCH" tpm eventlog "$ROOT/README.md" --json

# vouch status: bad input gets one line; libvirt's test driver stands in for libvirtd.
mkdir -p "$W/st/state" "$W/st/domains" "$W/st/audit"
cat >"$W/st/node.xml" <<XML
<node><domain type='test'><name>plain</name><uuid>5f0c2a3e-8b1d-4c6e-9a7f-3e2d1c0b9a89</uuid>
<memory unit='MiB'>256</memory><vcpu>1</vcpu><os><type>hvm</type></os></domain></node>
XML
printf 'state_dir = %s\nbundle_dir = %s\naudit_dir = %s\nhost_key = %s\nlibvirt_uri = test://%s\n' \
  "$W/st/state" "$W/st/domains" "$W/st/audit" "$W/st/host.pem" "$W/st/node.xml" >"$W/st/hook.conf"
expect "status needs a domain" 2 "^usage: vouch status DOMAIN" -- "$VOUCH" status
expect "status takes one domain" 2 "^usage: vouch status DOMAIN" -- "$VOUCH" status a b
expect "status refuses an unknown flag" 2 "unknown flag.*--jsn" -- "$VOUCH" status plain --jsn
expect "status names a missing config" 1 "^vouch: .*$W/nope.conf" -- "$VOUCH" status plain --config "$W/nope.conf"
expect "status names an unknown domain" 1 "^vouch: libvirt domain 'web9' does not exist$" -- "$VOUCH" status web9 --config "$W/st/hook.conf"
expect "status says an unprotected domain is so" 1 "^vouch: domain 'plain': is not protected by vouch \(no bundle\)$" -- \
  "$VOUCH" status plain --config "$W/st/hook.conf" --json

# Versions, and keys without openssl: 0600, never over an existing file.
expect "vouch --version" 0 "^vouch [0-9]+\.[0-9]+\.[0-9]+$" -- "$VOUCH" --version
expect "key generate prints the did:key" 0 "^$W/k.pem: did:key:z6Mk[1-9A-HJ-NP-Za-km-z]+$" -- "$VOUCH" key generate "$W/k.pem"
check "the key file is 0600" test "$(stat -c %a "$W/k.pem")" = 600
KDID=$("$VOUCH" key did "$W/k.pem")
expect "key did names the key's DID (as ledger did does)" 0 "^$KDID$" -- "$VOUCH" ledger did "$W/k.pem"
cp "$W/k.pem" "$W/k.saved"
expect "key generate does not replace a key" 1 "^vouch: '$W/k.pem' exists; not replaced" -- "$VOUCH" key generate "$W/k.pem"
check "the key is unchanged" cmp -s "$W/k.pem" "$W/k.saved"
expect "key generate --force replaces it" 0 "^$W/k.pem: did:key:" -- "$VOUCH" key generate "$W/k.pem" --force
check "the replaced key differs" bash -c "! cmp -s '$W/k.pem' '$W/k.saved'"
expect "key generate over a directory" 1 "is not a regular file; not replaced" -- "$VOUCH" key generate "$W" --force
expect "key generate into a missing directory" 1 "^vouch: .*$W/none/k.pem" -- "$VOUCH" key generate "$W/none/k.pem"
expect "key did of a file that is no key" 1 "^vouch: " -- "$VOUCH" key did "$ROOT/docs/vectors/host-vc.cbor"
expect "key --help on stdout" 0 "^usage: vouch key generate" -- "$VOUCH" key --help
expect "key with no subcommand" 2 "key takes generate or did" -- "$VOUCH" key

# did resolve: the W3C DID document of a did:key (DESIGN §3 JSON forms).
expect "did resolve names the key as its one Multikey method" 0 \
  "\"publicKeyMultibase\": \"${KDID#did:key:}\"" -- "$VOUCH" did resolve "$KDID"
expect "did resolve --jcs is one canonical line" 0 \
  "^\\{\"@context\":\\[\"https://www.w3.org/ns/did/v1\",\"https://w3id.org/security/multikey/v1\"\\],\"assertionMethod\":" \
  -- "$VOUCH" did resolve "$KDID" --jcs
expect "did resolve of a P-256 did:key" 1 "^vouch: DID 'did:key:zDnae.*uses multicodec 0x1200 \\(p256-pub\\)" \
  -- "$VOUCH" did resolve did:key:zDnaerx9CtbPJ1q36T5Ln5wYt3MQYeGRG5ehnPAmxcf5mDZpv
expect "did resolve of a damaged did:key" 1 "^vouch: DID 'did:key:z6Mk" -- "$VOUCH" did resolve "${KDID%?}"
expect "did resolve of a DID URL" 1 "not a DID URL" -- "$VOUCH" did resolve "$KDID#${KDID#did:key:}"
expect "did resolve of another method" 1 "uses method 'web'" -- "$VOUCH" did resolve did:web:example.com
expect "did resolve without a DID" 2 "did resolve takes one DID" -- "$VOUCH" did resolve
expect "did with no subcommand" 2 "did takes resolve" -- "$VOUCH" did

echo "$pass passed, $fail failed"
[[ $fail -eq 0 ]]
