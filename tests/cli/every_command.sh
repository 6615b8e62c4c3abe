#!/usr/bin/env bash
# Every command of vouch, vouch-agent, vouchd and vouch-shim, the same way:
# -h and --help print its usage on stdout and exit 0 with nothing on stderr;
# --version; a directory, a FIFO and a huge file where a command reads a
# file give one line on stderr naming it, exit 1, and never hang; --json
# output parses as JSON.
# Usage: every_command.sh BUILD_DIR
set -uo pipefail
BUILD=${1:?usage: every_command.sh BUILD_DIR}
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
VOUCH=$BUILD/cli/vouch AGENT=$BUILD/cli/vouch-agent VOUCHD=$BUILD/validator/vouchd SHIM=$BUILD/guest-shim/vouch-shim
PVE_HOOK=$BUILD/hook/vouch-pve-hook
W=$(mktemp -d)
trap 'rm -rf "$W"' EXIT
# shellcheck source=tests/cli/lib.sh
. "$(dirname "$0")/lib.sh"

# help_ok NAME CMD...: CMD prints "usage: " first on stdout, nothing on stderr, exit 0.
help_ok() {
  local name=$1; shift
  local status
  timeout 20 "$@" >"$W/out" 2>"$W/err"; status=$?
  if [[ $status -eq 0 && ! -s $W/err ]] && head -1 "$W/out" | grep -q '^usage: '; then
    pass=$((pass + 1))
  else
    fail=$((fail + 1))
    echo "FAIL: $name: exit $status (want 0); stdout: $(head -2 "$W/out" | tr '\n' '|'); stderr: $(head -3 "$W/err" | tr '\n' '|')"
  fi
}

COMMANDS=(
  "" key "key generate" "key did" did "did resolve" vectors verify seal
  host "host init" "host register" "host enroll" "host install-hook"
  start reattest agent status revoke "revoke host" "revoke credential" reinstate
  ledger "ledger init" "ledger append" "ledger draft" "ledger cosign" "ledger submit" "ledger show"
  "ledger verify" "ledger watch" "ledger did"
  tpm "tpm pcrs" "tpm quote" "tpm verify-quote" "tpm eventlog" bundle "bundle show" doctor
)
for c in "${COMMANDS[@]}"; do
  # shellcheck disable=SC2086
  for h in -h --help; do help_ok "vouch $c $h" "$VOUCH" $c $h; done
done
for h in -h --help; do
  help_ok "vouch-agent $h" "$AGENT" $h
  help_ok "vouchd $h" "$VOUCHD" $h
  help_ok "vouchd init $h" "$VOUCHD" init $h
  help_ok "vouchd register $h" "$VOUCHD" register $h
  help_ok "vouch-shim $h" "$SHIM" $h
  help_ok "vouch-pve-hook $h" "$PVE_HOOK" $h
done
VERSION=$(sed -n 's/^project(vouch VERSION \([0-9.]*\).*/\1/p' "$ROOT/CMakeLists.txt")
for p in "$VOUCH" "$VOUCHD" "$SHIM"; do
  expect "$(basename "$p") --version" 0 "^$(basename "$p") $VERSION$" -- "$p" --version
done

# Files that are not files: one line naming the path, exit 1, no hang.
mkdir "$W/dir"
mkfifo "$W/fifo"
truncate -s 8G "$W/huge"
# not_a_file NAME CMD-WITH-@ : CMD with @ replaced by each bad path exits 1
# (WANT, if set: vouch-shim's config errors are 2, as its unit expects).
not_a_file() {
  local name=$1 want=${WANT:-1}; shift
  local bad status lines
  for bad in dir fifo huge; do
    local cmd=()
    for a in "$@"; do cmd+=("${a//@/$W/$bad}"); done
    timeout 20 "${cmd[@]}" >"$W/out" 2>"$W/err" </dev/null; status=$?
    lines=$(wc -l <"$W/err")
    if [[ $status -eq $want && $lines -eq 1 ]] && grep -q "$W/$bad" "$W/err"; then
      pass=$((pass + 1))
    else
      fail=$((fail + 1))
      echo "FAIL: $name on a $bad: exit $status (want $want), $lines stderr lines (want 1 naming it):"
      sed 's/^/    /' "$W/err" | head -5
    fi
  done
}
not_a_file "verify FILE" "$VOUCH" verify @
not_a_file "bundle show BUNDLE" "$VOUCH" bundle show @
not_a_file "key did KEY" "$VOUCH" key did @
not_a_file "tpm eventlog FILE" "$VOUCH" tpm eventlog @
not_a_file "tpm verify-quote FILE" "$VOUCH" tpm verify-quote @ --ak-public @ --nonce 00
not_a_file "ledger cosign DRAFT" "$VOUCH" ledger cosign @ --key @
not_a_file "status --config" "$VOUCH" status dom --config @
not_a_file "start --config" "$VOUCH" start dom --config @
not_a_file "agent --config" "$VOUCH" agent --config @
not_a_file "doctor --config" "$VOUCH" doctor --config @
G=$(printf '%064d' 0)
not_a_file "revoke credential LAUNCH_VC" "$VOUCH" revoke credential @ --policy @ --key @ --reason r \
  --ledger "sqlite://$W/none.db" --genesis "$G"
not_a_file "seal --xml" "$VOUCH" seal --xml @ --bundle-out "$W/b" --validators @ --threshold 2 \
  --owner-key "$W/o.pem" --image "$W/i.luks" --size 1M --any-pcrs --any-host
not_a_file "vouchd --config" "$VOUCHD" --config @
not_a_file "vouch-pve-hook --config" "$PVE_HOOK" --config @ 100 pre-start
WANT=2 not_a_file "vouch-shim --config" "$SHIM" status --config @

# --json output is JSON.
json_ok() {  # json_ok NAME CMD...
  local name=$1; shift
  if "$@" >"$W/json" 2>"$W/err" && python3 -c 'import json,sys; json.load(open(sys.argv[1]))' "$W/json" 2>/dev/null; then
    pass=$((pass + 1))
  else
    fail=$((fail + 1)); echo "FAIL: $name: not JSON:"; head -c 300 "$W/json"; cat "$W/err"
  fi
}
json_ok "tpm eventlog --json" "$VOUCH" tpm eventlog "$ROOT/measure/testdata/eventlog/event.bin" --json
json_ok "verify --json" "$VOUCH" verify "$ROOT/docs/vectors/endorsed-vc.cbor" --json
json_ok "did resolve" "$VOUCH" did resolve did:key:z6MkiTBz1ymuepAQ4HEHYSF1H8quG5GLVVQR3djdX3mDooWp
json_ok "did resolve --json" "$VOUCH" did resolve did:key:z6MkiTBz1ymuepAQ4HEHYSF1H8quG5GLVVQR3djdX3mDooWp --json
json_ok "did resolve --jcs" "$VOUCH" did resolve did:key:z6MkiTBz1ymuepAQ4HEHYSF1H8quG5GLVVQR3djdX3mDooWp --jcs
"$VOUCH" key generate "$W/gov.pem" >/dev/null
"$VOUCH" ledger init "sqlite://$W/l.db" --key "$W/gov.pem" --single-operator --certify-quorum 1 --admit-quorum 1 --revoke-quorum 1 >/dev/null 2>&1
json_ok "ledger show --json" "$VOUCH" ledger show "sqlite://$W/l.db" --json
json_ok "ledger show --validators --json" "$VOUCH" ledger show "sqlite://$W/l.db" --validators --json
# (status --json, seal --json and bundle show --json: tests/cli/seal.sh and the e2e)

echo "every_command: $pass passed, $fail failed"
((fail == 0))
