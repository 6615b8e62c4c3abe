#!/usr/bin/env bash
# vouch revoke host|credential and vouch reinstate: revocations and the
# lifting of a quarantine stated as an operator thinks of them, on a real
# SQLite ledger; who may (the host itself, a governance quorum) and who may
# not (another host, the quarantined host, one governance key alone), and
# bad input in one line. Usage: revoke.sh PATH/TO/vouch SOURCE_DIR
set -uo pipefail
VOUCH=${1:?usage: revoke.sh PATH/TO/vouch SOURCE_DIR}
SRC=${2:?usage: revoke.sh PATH/TO/vouch SOURCE_DIR}
W=$(mktemp -d)
trap 'rm -rf "$W"' EXIT
# shellcheck source=tests/cli/lib.sh
. "$(dirname "$0")/lib.sh"

for k in gov1 gov2 host other rogue; do
  "$VOUCH" key generate "$W/$k.pem" >/dev/null || { echo "vouch key generate failed"; exit 1; }
done
did() { "$VOUCH" ledger did "$W/$1.pem"; }
G2=$(did gov2) H=$(did host) O=$(did other)
DB="sqlite://$W/ledger.db"
GENESIS=$("$VOUCH" ledger init "$DB" --key "$W/gov1.pem" --governance "$G2" | grep -Eo '[0-9a-f]{64}' | head -1)
[[ ${#GENESIS} -eq 64 ]] || { echo "FAIL: no genesis digest from ledger init"; exit 1; }
printf '\x00\x04\x00\x23\x00\x0b' >"$W/ak.pub"
for k in host other rogue; do
  "$VOUCH" ledger append "$DB" --genesis "$GENESIS" --key "$W/$k.pem" did-register --ak-public "$W/ak.pub" >/dev/null ||
    { echo "FAIL: $k did not register"; exit 1; }
done
R() { "$VOUCH" revoke "$@" --ledger "$DB" --genesis "$GENESIS"; }

# Who may not.
expect "another host cannot revoke this one" 1 "unauthorized" -- R host "$H" --reason "rival" --key "$W/other.pem"
expect "one governance key alone cannot revoke a host" 1 "signed by 1 governance keys \(author and countersigners\), admit_quorum 2 needed" \
  -- R host "$H" --reason "compromised" --key "$W/gov1.pem"
expect "nothing was revoked by the refusals" 0 "^$" -- bash -c "'$VOUCH' ledger show '$DB' --genesis '$GENESIS' --revocations | grep -F '$H' || true"

# Who may: a governance quorum, the host itself.
expect "a governance quorum revokes a host" 0 "$H is revoked" \
  -- R host "$H" --reason "compromised firmware" --key "$W/gov1.pem" --cosign "$W/gov2.pem"
expect "the revocation is listed with its reason" 0 "$H revoked at entry [0-9]+: compromised firmware" \
  -- "$VOUCH" ledger show "$DB" --genesis "$GENESIS" --revocations
expect "a host revokes itself" 0 "$O is revoked" -- R host "$O" --reason "decommissioned" --key "$W/other.pem"

# A launch credential, by cti or as the endorsed launch VC (its host and
# domain then come along, for the quarantine).
expect "a credential by cti" 0 "cti:00112233445566778899aabbccddeeff is revoked" \
  -- R credential cti:00112233445566778899aabbccddeeff --reason "replayed" --key "$W/gov1.pem" --cosign "$W/gov2.pem"
VECTOR=$SRC/docs/vectors/host-vc.cbor
VHOST=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["items"][0]["did"])' "$SRC/docs/vectors/manifest.json")
expect "a credential as its launch VC" 0 "^cti:[0-9a-f]{32} is revoked$" \
  -- R credential "$VECTOR" --reason "owner withdrew it" --key "$W/gov1.pem" --cosign "$W/gov2.pem"
expect "the launch VC named its host and domain (the quarantine)" 0 "revoke .* reason=\"owner withdrew it\" host=$VHOST domain=[0-9a-f-]{36}$" \
  -- "$VOUCH" ledger show "$DB" --genesis "$GENESIS"

# Lifting that quarantine: governance at admit_quorum, nobody else.
VDOMAIN=$("$VOUCH" ledger show "$DB" --genesis "$GENESIS" | grep -Eo "host=$VHOST domain=[0-9a-f-]{36}" | sed 's/.*domain=//')
RI() { "$VOUCH" reinstate "$@" --ledger "$DB" --genesis "$GENESIS"; }
expect "one governance key alone cannot lift a quarantine" 1 "reinstatement of host '$VHOST' for domain $VDOMAIN is signed by 1 governance keys" \
  -- RI "$VECTOR" --reason "fixed" --key "$W/gov1.pem"
expect "a host with ledger access cannot lift a quarantine" 1 "which is neither a governance key nor the domain's known owner" \
  -- RI "$VHOST" "$VDOMAIN" --reason "trust me" --key "$W/rogue.pem"
expect "a governance quorum lifts it (the launch VC names host and domain)" 0 "^host $VHOST is no longer quarantined for domain $VDOMAIN$" \
  -- RI "$VECTOR" --reason "firmware fixed" --key "$W/gov1.pem" --cosign "$W/gov2.pem"
expect "the reinstatement is on the ledger, the launch still revoked" 0 "reinstate .*host=$VHOST domain=$VDOMAIN reason=\"firmware fixed\" countersigned_by=1" \
  -- "$VOUCH" ledger show "$DB" --genesis "$GENESIS"
expect "a host not quarantined is not reinstated" 1 "is not quarantined for domain $VDOMAIN" \
  -- RI "$VHOST" "$VDOMAIN" --reason "again" --key "$W/gov1.pem" --cosign "$W/gov2.pem"

# Bad input: one line, nothing written.
expect "not a DID" 1 "^vouch: host 'web1' is not a did:key" -- R host web1 --reason x --key "$W/gov1.pem"
expect "a malformed cti" 1 "^vouch: credential 'cti:XYZ' must be cti: and 32 lower-case hex digits$" \
  -- R credential cti:XYZ --reason x --key "$W/gov1.pem"
expect "a missing VC file" 1 "^vouch: credential '$W/none.cbor': " -- R credential "$W/none.cbor" --reason x --key "$W/gov1.pem"
expect "a directory as the VC file" 1 "^vouch: credential '$W': " -- R credential "$W" --reason x --key "$W/gov1.pem"
expect "--policy with a host" 1 "^vouch: --policy is for an owner revoking a launch, given as its launch VC file" \
  -- R host "$H" --policy "$W/none.bundle" --reason x --key "$W/gov1.pem"
expect "--policy with a cti" 1 "^vouch: --policy is for an owner revoking a launch" \
  -- R credential cti:00112233445566778899aabbccddee00 --policy "$W/none.bundle" --reason x --key "$W/gov1.pem"
expect "a missing --policy file" 1 "^vouch: .*$W/none.bundle" \
  -- R credential "$VECTOR" --policy "$W/none.bundle" --reason x --key "$W/rogue.pem"
expect "a --policy file that is no owner policy" 1 "^vouch: owner proof: owner policy: " \
  -- R credential "$VECTOR" --policy "$VECTOR" --reason x --key "$W/rogue.pem"
expect "no reason" 2 "--reason is required" -- R host "$H" --key "$W/gov1.pem"
expect "neither host nor credential" 2 "revoke takes 'host DID' or 'credential" -- R domain web1 --reason x --key "$W/gov1.pem"
expect "--help on stdout, exit 0" 0 "^usage: vouch revoke host DID" -- "$VOUCH" revoke --help
expect "reinstate: not a DID" 1 "^vouch: host 'web1' is not a did:key" -- RI web1 "$VDOMAIN" --reason x --key "$W/gov1.pem"
expect "reinstate: a directory as the VC file" 1 "^vouch: launch VC '$W': " -- RI "$W" --reason x --key "$W/gov1.pem"
expect "reinstate: three arguments" 2 "reinstate takes 'HOST_DID DOMAIN_UUID' or 'LAUNCH_VC.cbor'" -- RI a b c --reason x --key "$W/gov1.pem"
expect "reinstate --help on stdout, exit 0" 0 "^usage: vouch reinstate" -- "$VOUCH" reinstate --help

echo "$pass passed, $fail failed"
[[ $fail -eq 0 ]]
