#!/usr/bin/env bash
# vouch tpm pcrs / quote / verify-quote against a swtpm this script starts on
# free ports (and stops by pid), cross-checked with tpm2-tools.
# Usage: tpm.sh PATH/TO/vouch
set -uo pipefail
VOUCH=${1:?usage: tpm.sh PATH/TO/vouch}
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
W=$(mktemp -d)
SWTPM_PID=
stop_swtpm() {
  if [[ -n $SWTPM_PID ]]; then
    kill "$SWTPM_PID" 2>/dev/null
    wait "$SWTPM_PID" 2>/dev/null
    SWTPM_PID=
  fi
}
trap 'stop_swtpm; rm -rf "$W"' EXIT

# shellcheck source=tests/cli/lib.sh
. "$(dirname "$0")/lib.sh"
# shellcheck source=scripts/lib/services.sh
. "$ROOT/scripts/lib/services.sh"

one_line_refusal() {  # the command fails with exactly one stderr line starting "vouch: "
  local err
  err=$("$@" 2>&1 >/dev/null) && return 1
  [[ $(wc -l <<<"$err") -eq 1 && $err == "vouch: "* ]]
}


start_swtpm() {  # (re)starts swtpm on $W/tpm; sets SWTPM_PID, TCTI
  local port
  port=$(vouch_free_port_pair)
  mkdir -p "$W/tpm"
  swtpm socket --tpm2 --tpmstate dir="$W/tpm" --server type=tcp,port="$port" \
    --ctrl type=tcp,port=$((port + 1)) --flags not-need-init,startup-clear >>"$W/swtpm.log" 2>&1 &
  SWTPM_PID=$!
  TCTI="swtpm:host=127.0.0.1,port=$port"
  export TPM2TOOLS_TCTI=$TCTI
  for _ in $(seq 100); do
    python3 -c 'import socket,sys; socket.create_connection(("127.0.0.1", int(sys.argv[1])), 0.2)' "$port" 2>/dev/null && return 0
    kill -0 "$SWTPM_PID" 2>/dev/null || break
    sleep 0.1
  done
  echo "swtpm did not come up:"; cat "$W/swtpm.log"; exit 1
}

flip_byte_at() {  # flip_byte_at IN OUT OFFSET
  python3 - "$@" <<'PY'
import sys
d = bytearray(open(sys.argv[1], 'rb').read()); d[int(sys.argv[3])] ^= 0x01
open(sys.argv[2], 'wb').write(d)
PY
}
# flip_in_value IN OUT HEX: flips the last byte of the first occurrence of
# the bytes HEX in IN.
flip_in_value() {
  python3 - "$@" <<'PY'
import sys
d = bytearray(open(sys.argv[1], 'rb').read()); v = bytes.fromhex(sys.argv[3])
i = d.index(v) + len(v) - 1; d[i] ^= 0x01
open(sys.argv[2], 'wb').write(d)
PY
}
# offset_after IN TEXT: offset just past the first occurrence of TEXT (a CBOR key).
offset_after() {
  python3 -c 'import sys; d=open(sys.argv[1],"rb").read(); print(d.index(sys.argv[2].encode()) + len(sys.argv[2]))' "$@"
}

command -v swtpm >/dev/null && command -v tpm2_pcrread >/dev/null || { echo "swtpm and tpm2-tools are required"; exit 1; }
start_swtpm

# A non-zero PCR so that comparisons mean something.
tpm2_pcrextend "16:sha256=$(printf 'vouch cli test' | sha256sum | cut -c1-64)" >/dev/null || { echo "tpm2_pcrextend failed"; exit 1; }
"$VOUCH" host init --dir "$W/host" --tcti "$TCTI" >"$W/host.txt" || { echo "vouch host init failed"; exit 1; }
"$VOUCH" host init --dir "$W/other" --tcti "$TCTI" >/dev/null || { echo "second vouch host init failed"; exit 1; }
awk '$1 == "ak_public" {print $2}' "$W/host.txt" >"$W/ak.hex"

# ---- host init writes the host's hook.conf (the shipped example, its TPM/key/AK set) ----
expect "host init says it wrote hook.conf and what to set next" 0 \
  "^hook_config $W/host/hook.conf \(written; set ledger and genesis in it" -- cat "$W/host.txt"
check "hook.conf is 0644 (no secret in it)" test "$(stat -c %a "$W/host/hook.conf")" = 644
expect "hook.conf names the host's TPM" 0 "^tcti = $TCTI\$" -- cat "$W/host/hook.conf"
expect "hook.conf names the host key init made" 0 "^host_key = $W/host/host.key\$" -- cat "$W/host/hook.conf"
expect "hook.conf names the AK init made" 0 "^ak_dir = $W/host/ak\$" -- cat "$W/host/hook.conf"
expect "hook.conf leaves the ledger for the operator, commented" 0 "^#ledger =\$" -- cat "$W/host/hook.conf"
echo "# the operator's edit" >>"$W/other/hook.conf"
sum_other=$(sha256sum "$W/other/hook.conf")
expect "host init --force keeps an existing hook.conf and says so" 0 "^hook_config $W/other/hook.conf \(kept: it exists" \
  -- "$VOUCH" host init --dir "$W/other" --tcti "$TCTI" --force
check "... byte for byte" test "$(sha256sum "$W/other/hook.conf")" = "$sum_other"

# ---- host register reads the ledger, genesis, TPM, key and AK from hook.conf ----
"$VOUCH" key generate "$W/gov.pem" >/dev/null
GENESIS=$("$VOUCH" ledger init "sqlite://$W/l.db" --key "$W/gov.pem" --single-operator --certify-quorum 1 \
  --admit-quorum 1 --revoke-quorum 1 2>/dev/null | awk '$1 == "genesis" {print $2}')
HOST_DID=$(awk '$1 == "did" {print $2}' "$W/host.txt")
printf 'ledger = sqlite://%s\ngenesis = %s\n' "$W/l.db" "$GENESIS" >>"$W/host/hook.conf"
expect "host register --config: everything from hook.conf" 0 "^registered $HOST_DID at ledger entry 1" \
  -- "$VOUCH" host register --config "$W/host/hook.conf" --no-ek-cert
expect "... the DID document is on the ledger" 0 "^DID $HOST_DID$" -- "$VOUCH" ledger show "sqlite://$W/l.db" --genesis "$GENESIS" --did "$HOST_DID"
cp "$W/host/hook.conf" "$W/elsewhere.conf"
sed -i "s|^ledger = .*|ledger = sqlite://$W/nowhere.db|" "$W/elsewhere.conf"
OTHER_DID=$(awk '$1 == "did" {print $2}' <("$VOUCH" key did "$W/other/host.key") | head -1)
expect "flags win over hook.conf (--ledger, --dir)" 0 "^registered did:key:[^ ]+ at ledger entry 2" \
  -- "$VOUCH" host register --config "$W/elsewhere.conf" --ledger "sqlite://$W/l.db" --dir "$W/other" --no-ek-cert
check "... and the config's ledger was never created" test ! -e "$W/nowhere.db"
# ---- vouch doctor on this host: what is missing, and what to fix ----
echo "libvirt_uri = test:///default" >>"$W/host/hook.conf"
"$VOUCH" doctor --config "$W/host/hook.conf" --hooks-dir "$W/hooks" >"$W/doctor.out" 2>&1; rc=$?
check "doctor exits 1 when something fails" test $rc -eq 1
expect "doctor: the config, key, TPM and AK are ok" 0 "^  ok    TPM: $TCTI \(IBM" -- cat "$W/doctor.out"
expect "doctor: the host key's DID" 0 "^  ok    host key: $HOST_DID" -- cat "$W/doctor.out"
expect "doctor: libvirt reachable" 0 "^  ok    libvirt: test:///default" -- cat "$W/doctor.out"
expect "doctor: no hook installed, and the command that installs it" 0 \
  "^  FAIL  hook: no $W/hooks/qemu.d/vouch: .*fix: 'vouch host install-hook --config $W/host/hook.conf'" -- cat "$W/doctor.out"
expect "doctor: the ledger, pinned" 0 "^  ok    ledger: sqlite://$W/l.db: 3 entries, pinned to genesis ${GENESIS:0:16}" -- cat "$W/doctor.out"
expect "doctor: registered but not certified, and what to run" 0 \
  "^  FAIL  host on the ledger: registered, AK not certified \(0 of 1\); fix: 'vouch host enroll'" -- cat "$W/doctor.out"
expect "doctor: no validator to release a key" 0 "^  FAIL  validators: the ledger has no active validator" -- cat "$W/doctor.out"
expect "doctor: the count" 0 "^3 problems: fix the FAIL lines above$" -- cat "$W/doctor.out"
printf '#!/bin/sh\nexit 0\n' >"$W/fake-hook"; chmod 755 "$W/fake-hook"
"$VOUCH" host install-hook --hooks-dir "$W/hooks" --hook "$W/fake-hook" --config "$W/host/hook.conf" >/dev/null
expect "doctor: the installed hook, what it runs" 1 "^  ok    hook: $W/hooks/qemu.d/vouch runs $W/fake-hook --config $W/host/hook.conf" \
  -- "$VOUCH" doctor --config "$W/host/hook.conf" --hooks-dir "$W/hooks"
rm "$W/fake-hook"
expect "doctor: a hook whose program is gone" 1 "^  FAIL  hook: .* runs '$W/fake-hook', which is not an executable file" \
  -- "$VOUCH" doctor --config "$W/host/hook.conf" --hooks-dir "$W/hooks"
expect "host init without a TPM: one line, and no directory made" 1 "^vouch: .*127.0.0.1,port=1" \
  -- "$VOUCH" host init --dir "$W/no-tpm" --tcti swtpm:host=127.0.0.1,port=1
check "... $W/no-tpm not created" test ! -e "$W/no-tpm"
expect "a hook.conf that does not parse: one line naming it" 1 "^vouch: .*bad.conf.* line 1" \
  -- bash -c "echo 'ledgr = x' >'$W/bad.conf'; '$VOUCH' host register --config '$W/bad.conf'"

# ---- pcrs: the same values tpm2_pcrread prints ----
expect "pcrs --json prints the sha256 bank" 0 '^\{"pcrs": \{"sha256": \{"0": "[0-9a-f]{64}", .*"23": "[0-9a-f]{64}"\}\}\}$' \
  -- "$VOUCH" tpm pcrs --tcti "$TCTI" --json
"$VOUCH" tpm pcrs --tcti "$TCTI" --json >"$W/pcrs.json" 2>&1
tpm2_pcrread "sha256:$(seq -s, 0 23)" >"$W/pcrread.txt" 2>&1
cross_check() {
  python3 - "$W/pcrs.json" "$W/pcrread.txt" <<'PY'
import json, re, sys
ours = json.load(open(sys.argv[1]))["pcrs"]["sha256"]
theirs = {}
for line in open(sys.argv[2]):
    m = re.match(r"\s*(\d+)\s*:\s*0x([0-9A-Fa-f]{64})\s*$", line)
    if m: theirs[m.group(1)] = m.group(2).lower()
if len(theirs) != 24 or ours != theirs:
    print("vouch:", ours, "\ntpm2_pcrread:", theirs); sys.exit(1)
if theirs["16"] == "0" * 64: print("PCR 16 was not extended"); sys.exit(1)
PY
}
check "vouch tpm pcrs equals tpm2_pcrread for all 24 SHA-256 PCRs" cross_check
PCR16=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["pcrs"]["sha256"]["16"])' "$W/pcrs.json")
expect "pcrs text lists PCR 16" 0 "^  16: $PCR16\$" -- "$VOUCH" tpm pcrs --tcti "$TCTI" --pcrs 7,16
expect "pcrs --pcrs selects" 0 "^\{\"pcrs\": \{\"sha256\": \{\"16\": \"$PCR16\"\}\}\}\$" -- "$VOUCH" tpm pcrs --tcti "$TCTI" --pcrs 16 --json
expect "pcrs without a TPM refused" 1 "^vouch: .*127.0.0.1,port=1" -- "$VOUCH" tpm pcrs --tcti swtpm:host=127.0.0.1,port=1
check "pcrs without a TPM: the refusal is one line (no tpm2-tss log)" \
  one_line_refusal "$VOUCH" tpm pcrs --tcti swtpm:host=127.0.0.1,port=1
check "quote without a TPM: the refusal is one line" \
  one_line_refusal "$VOUCH" tpm quote --tcti swtpm:host=127.0.0.1,port=1 --ak-dir "$W/host/ak" --nonce 00 --out "$W/x.cbor"

# ---- quote and verify-quote ----
NONCE=00112233445566778899aabbccddeeff
expect "quote writes a file" 0 "^wrote quote of 9 PCRs by AK 000b[0-9a-f]{64} to $W/q.cbor" \
  -- "$VOUCH" tpm quote --tcti "$TCTI" --ak-dir "$W/host/ak" --pcrs 0-7,16 --nonce "$NONCE" --out "$W/q.cbor"
expect "quote verifies with --ak-dir" 0 "^quote: ok, signed by AK 000b" -- "$VOUCH" tpm verify-quote "$W/q.cbor" --ak-dir "$W/host/ak" --nonce "$NONCE"
"$VOUCH" tpm verify-quote "$W/q.cbor" --ak-dir "$W/host/ak" --nonce "$NONCE" >"$W/verify.txt" 2>&1
expect "verify prints the clock" 0 "^clock: [0-9]+$" -- cat "$W/verify.txt"
expect "verify prints resetCount" 0 "^resetCount: [0-9]+$" -- cat "$W/verify.txt"
expect "verify prints restartCount" 0 "^restartCount: 0$" -- cat "$W/verify.txt"
expect "verify prints the quoted PCR 16" 0 "^  16: $PCR16\$" -- cat "$W/verify.txt"
check "verify prints exactly the 9 quoted PCRs" test "$(grep -Ec '^ +[0-9]+: [0-9a-f]{64}$' "$W/verify.txt")" -eq 9
expect "quote verifies with --ak-public hex (host init's ak_public)" 0 "^quote: ok" \
  -- "$VOUCH" tpm verify-quote "$W/q.cbor" --ak-public "$W/ak.hex" --nonce "$NONCE"
expect "quote verifies with --ak-public raw TPM2B_PUBLIC (tpm2-tools ak.pub)" 0 "^quote: ok" \
  -- "$VOUCH" tpm verify-quote "$W/q.cbor" --ak-public "$W/host/ak/ak.pub" --nonce "$NONCE"
"$VOUCH" tpm pcrs --tcti "$TCTI" --pcrs 0-7,16 --json >"$W/ref.json"
expect "quote matches a pcrs --json reference" 0 "^expected PCRs: 9 match" \
  -- "$VOUCH" tpm verify-quote "$W/q.cbor" --ak-dir "$W/host/ak" --nonce "$NONCE" --pcr-ref "$W/ref.json"
expect "quote matches --expect-pcr" 0 "^expected PCRs: 1 match" \
  -- "$VOUCH" tpm verify-quote "$W/q.cbor" --ak-dir "$W/host/ak" --nonce "$NONCE" --expect-pcr "16=$PCR16"

# ---- refusals: one line "vouch: …", exit 1 ----
expect "wrong nonce refused" 1 "^vouch: quote '.*q.cbor' refused: quote extraData: expected ffff, got $NONCE\$" \
  -- "$VOUCH" tpm verify-quote "$W/q.cbor" --ak-dir "$W/host/ak" --nonce ffff
check "wrong nonce refusal is one line" one_line_refusal "$VOUCH" tpm verify-quote "$W/q.cbor" --ak-dir "$W/host/ak" --nonce ffff
expect "other AK refused" 1 "^vouch: quote '.*' refused: quote signature does not verify with AK 000b.*\(the file says it was signed by another AK, name 000b" \
  -- "$VOUCH" tpm verify-quote "$W/q.cbor" --ak-dir "$W/other/ak" --nonce "$NONCE"
check "other AK refusal is one line" one_line_refusal "$VOUCH" tpm verify-quote "$W/q.cbor" --ak-dir "$W/other/ak" --nonce "$NONCE"

# A PCR that changed after the quote: the quote is genuine but no longer
# matches a reference read now.
tpm2_pcrextend "16:sha256=$(printf 'drift' | sha256sum | cut -c1-64)" >/dev/null
"$VOUCH" tpm pcrs --tcti "$TCTI" --pcrs 0-7,16 --json >"$W/ref-now.json"
PCR16_NOW=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["pcrs"]["sha256"]["16"])' "$W/ref-now.json")
expect "PCR changed after the quote: reference refuses, naming PCR 16" 1 \
  "^vouch: quote '.*' refused: PCR 16 differs from the reference '.*ref-now.json': expected $PCR16_NOW, quoted $PCR16\$" \
  -- "$VOUCH" tpm verify-quote "$W/q.cbor" --ak-dir "$W/host/ak" --nonce "$NONCE" --pcr-ref "$W/ref-now.json"
expect "PCR changed after the quote: --expect-pcr refuses" 1 "^vouch: .*PCR 16 differs from the --expect-pcr: expected $PCR16_NOW" \
  -- "$VOUCH" tpm verify-quote "$W/q.cbor" --ak-dir "$W/host/ak" --nonce "$NONCE" --expect-pcr "16=$PCR16_NOW"
expect "a reference PCR the quote does not cover is refused" 1 "^vouch: .*PCR 9 is in the --expect-pcr but not in the quote" \
  -- "$VOUCH" tpm verify-quote "$W/q.cbor" --ak-dir "$W/host/ak" --nonce "$NONCE" --expect-pcr "9=$PCR16"
expect "a fresh quote carries the new PCR 16" 0 "^  16: $PCR16_NOW\$" \
  -- bash -c "'$VOUCH' tpm quote --tcti '$TCTI' --ak-dir '$W/host/ak' --pcrs 0-7,16 --nonce $NONCE --out '$W/q2.cbor' >/dev/null &&
               '$VOUCH' tpm verify-quote '$W/q2.cbor' --ak-dir '$W/host/ak' --nonce $NONCE --pcr-ref '$W/ref-now.json'"

# The file's PCR value edited to today's value (claimed values no longer hash to the signed digest).
flip_in_value "$W/q.cbor" "$W/pcr-edited.cbor" "$PCR16"
expect "edited PCR value in the file refused" 1 "^vouch: quote '.*' refused: quote PCR digest: the claimed values of PCRs .* hash to" \
  -- "$VOUCH" tpm verify-quote "$W/pcr-edited.cbor" --ak-dir "$W/host/ak" --nonce "$NONCE"

# Corrupt files.
flip_byte_at "$W/q.cbor" "$W/attest-flip.cbor" $(( $(offset_after "$W/q.cbor" quote) + 12 ))
expect "bit flip in the attest refused" 1 "^vouch: quote '.*' refused: quote" \
  -- "$VOUCH" tpm verify-quote "$W/attest-flip.cbor" --ak-dir "$W/host/ak" --nonce "$NONCE"
flip_byte_at "$W/q.cbor" "$W/sig-flip.cbor" $(( $(offset_after "$W/q.cbor" sig) + 20 ))
expect "bit flip in the signature refused" 1 "^vouch: quote '.*' refused: quote signature does not verify" \
  -- "$VOUCH" tpm verify-quote "$W/sig-flip.cbor" --ak-dir "$W/host/ak" --nonce "$NONCE"
head -c 60 "$W/q.cbor" >"$W/short.cbor"
expect "truncated file refused" 1 "^vouch: '.*short.cbor' is not a vouch quote file: " \
  -- "$VOUCH" tpm verify-quote "$W/short.cbor" --ak-dir "$W/host/ak" --nonce "$NONCE"
check "truncated file refusal is one line" one_line_refusal "$VOUCH" tpm verify-quote "$W/short.cbor" --ak-dir "$W/host/ak" --nonce "$NONCE"
expect "a non-CBOR file refused" 1 "^vouch: '.*README.md' is not a vouch quote file: " \
  -- "$VOUCH" tpm verify-quote "$ROOT/README.md" --ak-dir "$W/host/ak" --nonce "$NONCE"
expect "a host VC is not a quote file" 1 "^vouch: '.*host-vc.cbor' is not a vouch quote file: " \
  -- "$VOUCH" tpm verify-quote "$ROOT/docs/vectors/host-vc.cbor" --ak-dir "$W/host/ak" --nonce "$NONCE"
expect "missing quote file named" 1 "^vouch: .*'$W/nope.cbor'" \
  -- "$VOUCH" tpm verify-quote "$W/nope.cbor" --ak-dir "$W/host/ak" --nonce "$NONCE"
echo 'not hex, not an AK' >"$W/bad-ak.hex"
expect "an unusable --ak-public refused" 1 "^vouch: AK public '.*bad-ak.hex'" \
  -- "$VOUCH" tpm verify-quote "$W/q.cbor" --ak-public "$W/bad-ak.hex" --nonce "$NONCE"
echo '{"pcrs": {"sha1": {}}}' >"$W/bad-ref.json"
expect "a reference without a sha256 bank refused" 1 "^vouch: PCR reference '.*bad-ref.json': expected" \
  -- "$VOUCH" tpm verify-quote "$W/q.cbor" --ak-dir "$W/host/ak" --nonce "$NONCE" --pcr-ref "$W/bad-ref.json"

# ---- the quote file against tpm2-tools, both ways ----
# A small CBOR reader/writer (just the types a quote file uses), so the file
# format is exercised by code other than vouch's.
cat >"$W/qfile.py" <<'PY'
import re, sys
def head(mt, n):
    if n < 24: return bytes([mt << 5 | n])
    if n < 256: return bytes([mt << 5 | 24, n])
    return bytes([mt << 5 | 25]) + n.to_bytes(2, 'big')
def enc(v):
    if isinstance(v, int): return head(0, v)
    if isinstance(v, bytes): return head(2, len(v)) + v
    if isinstance(v, str): return head(3, len(v.encode())) + v.encode()
    items = sorted((enc(k), enc(x)) for k, x in v.items())  # deterministic: bytewise key order
    return head(5, len(items)) + b''.join(k + x for k, x in items)
def dec(b, i=0):
    mt, ai = b[i] >> 5, b[i] & 31; i += 1
    if ai >= 24:
        k = {24: 1, 25: 2, 26: 4, 27: 8}[ai]; n = int.from_bytes(b[i:i + k], 'big'); i += k
    else:
        n = ai
    if mt == 0: return n, i
    if mt in (2, 3): return (b[i:i + n] if mt == 2 else b[i:i + n].decode()), i + n
    assert mt == 5
    d = {}
    for _ in range(n):
        k, i = dec(b, i); v, i = dec(b, i); d[k] = v
    return d, i
cmd = sys.argv[1]
if cmd == 'split':  # split FILE PREFIX: PREFIX.msg .sig .ak .pcrvals; prints the PCR list
    q, end = dec(open(sys.argv[2], 'rb').read()); p = sys.argv[3]
    for key, ext in (('quote', 'msg'), ('sig', 'sig'), ('ak', 'ak')): open(f'{p}.{ext}', 'wb').write(q[key])
    open(f'{p}.pcrvals', 'wb').write(b''.join(q['pcrs'][k] for k in sorted(q['pcrs'])))
    print(','.join(map(str, sorted(q['pcrs']))))
elif cmd == 'make':  # make OUT MSG SIG AKPUB PCRREAD-TEXT
    pcrs = {}
    for line in open(sys.argv[6]):
        m = re.match(r'\s*(\d+)\s*:\s*0x([0-9A-Fa-f]{64})\s*$', line)
        if m: pcrs[int(m.group(1))] = bytes.fromhex(m.group(2))
    rd = lambda f: open(f, 'rb').read()
    open(sys.argv[2], 'wb').write(enc({'format': 'vouch-tpm-quote', 'version': 1, 'quote': rd(sys.argv[3]),
                                       'sig': rd(sys.argv[4]), 'pcrs': pcrs, 'ak': rd(sys.argv[5])}))
PY
# vouch → tpm2_checkquote (3 PCRs: tpm2-tools 5.4 mis-reads its "values" PCR file for 8 or more).
"$VOUCH" tpm quote --tcti "$TCTI" --ak-dir "$W/host/ak" --pcrs 0,7,16 --nonce "$NONCE" --out "$W/q3pcr.cbor" >/dev/null
LIST=$(python3 "$W/qfile.py" split "$W/q3pcr.cbor" "$W/x")
check "the quote file splits as documented" test "$LIST" = "0,7,16"
check "the file's \"ak\" is the AK's TPM2B_PUBLIC" cmp -s "$W/x.ak" "$W/host/ak/ak.pub"
expect "tpm2_checkquote accepts a vouch quote file's parts" 0 "sig: " \
  -- tpm2_checkquote -u "$W/x.ak" -m "$W/x.msg" -s "$W/x.sig" -f "$W/x.pcrvals" -l "sha256:$LIST" -g sha256 -q "$NONCE"
check "tpm2_checkquote refuses them with another nonce" \
  bash -c "! tpm2_checkquote -u '$W/x.ak' -m '$W/x.msg' -s '$W/x.sig' -f '$W/x.pcrvals' -l 'sha256:$LIST' -g sha256 -q ffff >/dev/null 2>&1"
# tpm2_quote (key from tpm2_createak) → a quote file written by the script → vouch verify-quote.
( cd "$W" && tpm2_createek -c ek.ctx -G ecc >/dev/null && tpm2_flushcontext -t &&
  tpm2_createak -C ek.ctx -c ak.ctx -G ecc -g sha256 -s ecdsa -u tools-ak.pub >/dev/null && tpm2_flushcontext -t &&
  tpm2_quote -c ak.ctx -l "sha256:0,7,16" -q "$NONCE" -m t.msg -s t.sig -g sha256 >/dev/null && tpm2_flushcontext -t &&
  tpm2_pcrread "sha256:0,7,16" >t.pcrs ) || { echo "tpm2-tools quote failed"; exit 1; }
python3 "$W/qfile.py" make "$W/tools.cbor" "$W/t.msg" "$W/t.sig" "$W/tools-ak.pub" "$W/t.pcrs"
expect "vouch verify-quote accepts a tpm2_quote packed as a quote file" 0 "^quote: ok" \
  -- "$VOUCH" tpm verify-quote "$W/tools.cbor" --ak-public "$W/tools-ak.pub" --nonce "$NONCE" --expect-pcr "16=$PCR16_NOW"
expect "...and refuses it against vouch's AK" 1 "^vouch: quote '.*tools.cbor' refused: quote signature does not verify" \
  -- "$VOUCH" tpm verify-quote "$W/tools.cbor" --ak-dir "$W/host/ak" --nonce "$NONCE"

# ---- a TPM reset between quotes shows in resetCount ----
RESETS=$(awk '$1 == "resetCount:" {print $2}' "$W/verify.txt")
stop_swtpm
start_swtpm
expect "quote after a TPM restart" 0 "^wrote quote" \
  -- "$VOUCH" tpm quote --tcti "$TCTI" --ak-dir "$W/host/ak" --pcrs 0-7 --nonce "$NONCE" --out "$W/q3.cbor"
expect "resetCount went up by one across the restart" 0 "^resetCount: $((RESETS + 1))\$" \
  -- "$VOUCH" tpm verify-quote "$W/q3.cbor" --ak-dir "$W/host/ak" --nonce "$NONCE"

# ---- usage errors: exit 2 ----
expect "quote without --nonce" 2 "quote needs --nonce" -- "$VOUCH" tpm quote --tcti "$TCTI" --ak-dir "$W/host/ak" --out "$W/x.cbor"
expect "PCR index out of range" 2 "--pcrs '0-24'" -- "$VOUCH" tpm pcrs --tcti "$TCTI" --pcrs 0-24
expect "PCR listed twice" 2 "PCR 3 is listed twice" -- "$VOUCH" tpm pcrs --tcti "$TCTI" --pcrs 0-7,3
expect "odd-length nonce" 2 "--nonce" -- "$VOUCH" tpm verify-quote "$W/q.cbor" --ak-dir "$W/host/ak" --nonce abc
expect "both AK sources" 2 "exactly one of --ak-public and --ak-dir" -- "$VOUCH" tpm verify-quote "$W/q.cbor" --ak-dir "$W/host/ak" --ak-public "$W/ak.hex" --nonce "$NONCE"
expect "no AK source" 2 "exactly one of --ak-public and --ak-dir" -- "$VOUCH" tpm verify-quote "$W/q.cbor" --nonce "$NONCE"
expect "malformed --expect-pcr" 2 "--expect-pcr '16=zz'" -- "$VOUCH" tpm verify-quote "$W/q.cbor" --ak-dir "$W/host/ak" --nonce "$NONCE" --expect-pcr 16=zz
expect "verify-quote without FILE" 2 "expected 1 FILE argument, got 0" -- "$VOUCH" tpm verify-quote --ak-dir "$W/host/ak" --nonce "$NONCE"
expect "unknown flag" 2 "unknown flag --frob" -- "$VOUCH" tpm pcrs --frob
expect "unknown tpm command" 2 "unknown command 'frob'" -- "$VOUCH" tpm frob
expect "help documents the quote file" 0 '"format": "vouch-tpm-quote"' -- "$VOUCH" tpm --help

echo "$pass passed, $fail failed"
[[ $fail -eq 0 ]]
