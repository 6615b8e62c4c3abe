#!/usr/bin/env bash
# Every command of vouch, vouch-agent, vouchd and vouch-shim, the same way:
# -h and --help print its usage on stdout and exit 0 with nothing on stderr;
# --version; a directory, a FIFO and a huge file where a command reads a
# file give one line on stderr naming it, exit 1, and never hang; --json
# output parses as JSON; a duration in a wrong unit, or under a name from
# before durations took a unit, is one line with the right spelling.
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
  "" key "key generate" "key did" did "did resolve" vc "vc export" "vc verify" "vc status-list" vectors verify seal
  host "host init" "host register" "host enroll" "host install-hook"
  start reattest agent status revoke "revoke host" "revoke credential" reinstate
  ledger "ledger init" "ledger append" "ledger draft" "ledger cosign" "ledger submit" "ledger show"
  "ledger verify" "ledger watch" "ledger did"
  tpm "tpm pcrs" "tpm quote" "tpm verify-quote" "tpm eventlog" bundle "bundle show" doctor
  reference "reference propose" "reference show" "reference list" policy "policy explain"
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
not_a_file "vc export FILE" "$VOUCH" vc export @ --format di-jcs
not_a_file "vc verify FILE" "$VOUCH" vc verify @
not_a_file "bundle show BUNDLE" "$VOUCH" bundle show @
not_a_file "key did KEY" "$VOUCH" key did @
not_a_file "tpm eventlog FILE" "$VOUCH" tpm eventlog @
not_a_file "reference show FILE" "$VOUCH" reference show @
not_a_file "policy explain --from-eventlog" "$VOUCH" policy explain --from-eventlog @ --fragment @
not_a_file "reference propose --from-eventlog" "$VOUCH" reference propose --from-eventlog @ --class c --name n \
  --out "$W/never.cbor"
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

# Durations (DESIGN §7): one spelling for every flag and config file. A
# wrong unit, or a name from before durations took a unit, is refused in one
# line that says what to write; never ignored.
# first_line NAME STATUS PATTERN CMD...: CMD exits STATUS and the first line
# on stderr matches PATTERN (a usage error may print the usage after it).
first_line() {
  local name=$1 want=$2 pattern=$3; shift 3
  local status
  timeout 20 "$@" >"$W/out" 2>"$W/err" </dev/null; status=$?
  if [[ $status -eq $want ]] && head -1 "$W/err" | grep -Eq -- "$pattern"; then
    pass=$((pass + 1))
  else
    fail=$((fail + 1))
    echo "FAIL: $name: exit $status (want $want), stderr:"; sed 's/^/    /' "$W/err" | head -5
    echo "    (wanted a first line /$pattern/)"
  fi
}
GRAMMAR="is not a duration: write a whole number with ms, s, m or h \(e\.g\. 500ms, 30s, 5m\); a bare number is seconds$"
first_line "vouch start --timeout-ms" 2 "^vouch: flag --timeout-ms was renamed: write --timeout 60000ms$" \
  "$VOUCH" start dom --timeout-ms 60000
first_line "vouch start --timeout, a wrong unit" 1 "^vouch: --timeout: '60sec' $GRAMMAR" "$VOUCH" start dom --timeout 60sec
first_line "vouch start --timeout, milliseconds written bare" 1 "^vouch: --timeout '60000' must be 1s\.\.1h$" \
  "$VOUCH" start dom --timeout 60000
first_line "vouch host enroll --timeout-ms" 2 "^vouch: flag --timeout-ms was renamed: write --timeout 5000ms$" \
  "$VOUCH" host enroll --timeout-ms 5000
first_line "vouchd --timeout, a wrong unit" 2 "vouchd: --timeout: '2 s' is not a duration: write a whole number with ms, s, m or h" \
  "$VOUCHD" --state-dir "$W" --hosts "$W/none" --timeout "2 s"
printf 'state-dir = %s\nhosts = %s/none\n# the DoS limits\ntimeout = 2sec\n' "$W" "$W" >"$W/vouchd.conf"
first_line "vouchd.conf timeout, a wrong unit" 1 "vouchd config '$W/vouchd.conf' line 4: --timeout: '2sec' is not a duration" \
  "$VOUCHD" --config "$W/vouchd.conf"
printf '# hook.conf\nstate_dir = %s\ndeadline_ms = 20000\n' "$W" >"$W/hook.conf"
first_line "hook.conf deadline_ms" 1 "^vouch: '$W/hook.conf' line 3: 'deadline_ms' was renamed: write 'deadline = 20000ms'$" \
  "$VOUCH" status dom --config "$W/hook.conf"
printf 'libvirt_timeout = 5 s\n' >"$W/hook2.conf"
first_line "hook.conf libvirt_timeout, a wrong unit" 1 "^vouch: '$W/hook2.conf' line 1: libvirt_timeout: '5 s' $GRAMMAR" \
  "$VOUCH" status dom --config "$W/hook2.conf"
printf 'owner = did:key:z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK\ntimeout_s = 30\n' >"$W/shim.conf"
first_line "shim.conf timeout_s" 2 "^vouch-shim: $W/shim.conf:2: 'timeout_s' was renamed: write 'timeout = 30s'$" \
  "$SHIM" status --config "$W/shim.conf"
printf 'owner = did:key:z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK\ngrace = 10 min\n' >"$W/shim2.conf"
first_line "shim.conf grace, a wrong unit" 2 "^vouch-shim: $W/shim2.conf:2: grace: '10 min' $GRAMMAR" \
  "$SHIM" status --config "$W/shim2.conf"
first_line "vouch-shim loop --interval, a wrong unit" 2 "^vouch-shim: --interval: '30sec' $GRAMMAR" \
  "$SHIM" loop --interval 30sec --config "$W/shim.conf"

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
json_ok "vc verify --json" "$VOUCH" vc verify "$ROOT/docs/vectors/endorsed-vc.di.json" --json \
  --at "$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["validFrom"])' "$ROOT/docs/vectors/endorsed-vc.di.json")"
json_ok "did resolve" "$VOUCH" did resolve did:key:z6MkiTBz1ymuepAQ4HEHYSF1H8quG5GLVVQR3djdX3mDooWp
json_ok "did resolve --json" "$VOUCH" did resolve did:key:z6MkiTBz1ymuepAQ4HEHYSF1H8quG5GLVVQR3djdX3mDooWp --json
json_ok "did resolve --jcs" "$VOUCH" did resolve did:key:z6MkiTBz1ymuepAQ4HEHYSF1H8quG5GLVVQR3djdX3mDooWp --jcs
"$VOUCH" key generate "$W/gov.pem" >/dev/null
"$VOUCH" ledger init "sqlite://$W/l.db" --key "$W/gov.pem" --single-operator --certify-quorum 1 --admit-quorum 1 --revoke-quorum 1 >/dev/null 2>&1
json_ok "ledger show --json" "$VOUCH" ledger show "sqlite://$W/l.db" --json
json_ok "ledger show --validators --json" "$VOUCH" ledger show "sqlite://$W/l.db" --validators --json
json_ok "reference list --json" "$VOUCH" reference list "sqlite://$W/l.db" --json
"$VOUCH" reference propose --from-eventlog "$ROOT/measure/testdata/eventlog/event-arch-linux.bin" --class c --name n \
  --out "$W/fragment.cbor" >/dev/null
json_ok "reference show --json" "$VOUCH" reference show "$W/fragment.cbor" --json
json_ok "reference propose --json" "$VOUCH" reference propose --from-eventlog \
  "$ROOT/measure/testdata/eventlog/event-arch-linux.bin" --class c --name n --out "$W/fragment2.cbor" --json
# (status --json, seal --json and bundle show --json: tests/cli/seal.sh and the e2e)

echo "every_command: $pass passed, $fail failed"
((fail == 0))
