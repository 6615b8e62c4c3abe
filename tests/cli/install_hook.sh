#!/usr/bin/env bash
# vouch host install-hook on a temporary hooks directory: installs
# qemu.d/vouch next to an existing hooks/qemu without touching it, reinstalls
# idempotently, refuses a foreign file, and uninstalls only its own file.
# Usage: install_hook.sh PATH/TO/vouch
set -uo pipefail
VOUCH=${1:?usage: install_hook.sh PATH/TO/vouch}
W=$(mktemp -d)
trap 'rm -rf "$W"' EXIT

# shellcheck source=tests/cli/lib.sh
. "$(dirname "$0")/lib.sh"

H="$W/hooks"
T="$H/qemu.d/vouch"
mkdir -p "$H" "$W/bin" "$W/etc"
# An existing main hook someone else installed, with an odd mode.
printf '#!/bin/sh\n# the operator'"'"'s own hook\nexit 0\n' >"$H/qemu"
chmod 0750 "$H/qemu"
sha_main=$(sha256sum "$H/qemu" | cut -c1-64)
stat_main=$(stat -c '%a %s %Y' "$H/qemu")
# A stand-in vouch-hook (path with a space and a quote) that records its arguments and stdin.
HOOK="$W/bin/vouch hook's"
printf '#!/bin/sh\nprintf "%%s|" "$@" >"%s/args"\ncat >"%s/stdin"\n' "$W" "$W" >"$HOOK"
chmod 0755 "$HOOK"
CONF="$W/etc/hook.conf"

main_untouched() {
  [[ $(sha256sum "$H/qemu" | cut -c1-64) == "$sha_main" && $(stat -c '%a %s %Y' "$H/qemu") == "$stat_main" ]]
}

"$VOUCH" host install-hook --hooks-dir "$H" --hook "$HOOK" --config "$CONF" >"$W/install.out" 2>&1; rc=$?
check "first install exits 0" test $rc -eq 0
expect "install writes qemu.d/vouch" 0 "^installed $T \(runs $HOOK --config $CONF\)" -- cat "$W/install.out"
expect "install names the existing main hook it left alone" 0 "^left $H/qemu as it is" -- cat "$W/install.out"
expect "install notes a missing config" 0 "^note: config $CONF does not exist yet" -- cat "$W/install.out"
expect "install says libvirtd must be restarted, and whether it runs" 0 \
  "(is running \(pid [0-9]+\): libvirt looks for hooks only when the daemon starts|libvirtd is not running: .*only at daemon start)" -- cat "$W/install.out"
check "existing hooks/qemu untouched byte for byte (and mode)" main_untouched
check "qemu.d/vouch has mode 0755" test "$(stat -c %a "$T")" = 755
check "qemu.d/vouch carries the vouch marker" grep -q "^# vouch-managed libvirt hook" "$T"
check "nothing staged is left behind" test -z "$(find "$H" -name '*.new*' -o -name '*.tmp*')"
# The wrapper runs the hook with --config and libvirt's arguments, stdin passed through.
echo '<domain/>' | "$T" web1 prepare begin - ; rc=$?
check "wrapper exits with the hook's status" test $rc -eq 0
check "wrapper passes --config CONFIG then libvirt's arguments" test "$(cat "$W/args")" = "--config|$CONF|web1|prepare|begin|-|"
check "wrapper passes the domain XML on stdin" test "$(cat "$W/stdin")" = "<domain/>"

before=$(stat -c '%Y %i' "$T")
sleep 1.1
expect "reinstall is idempotent" 0 "already installed and up to date" \
  -- "$VOUCH" host install-hook --hooks-dir "$H" --hook "$HOOK" --config "$CONF"
check "idempotent reinstall did not rewrite the file" test "$(stat -c '%Y %i' "$T")" = "$before"
expect "reinstall with another config updates vouch's own file" 0 "^updated $T \(runs $HOOK --config $W/etc/other.conf\)" \
  -- "$VOUCH" host install-hook --hooks-dir "$H" --hook "$HOOK" --config "$W/etc/other.conf"
touch "$CONF"
"$VOUCH" host install-hook --hooks-dir "$H" --hook "$HOOK" --config "$CONF" >"$W/update.out" 2>&1
expect "switching back to the first config updates again" 0 "^updated $T \(runs $HOOK --config $CONF\)" -- cat "$W/update.out"
check "no config note once the config exists" bash -c "! grep -q '^note:' '$W/update.out'"
check "hooks/qemu still untouched after reinstalls" main_untouched

# A foreign file at qemu.d/vouch.
printf '#!/bin/sh\necho someone else\n' >"$T"
sha_foreign=$(sha256sum "$T" | cut -c1-64)
expect "foreign qemu.d/vouch refused" 1 "^vouch: '$T' exists and was not written by vouch; not replacing it \(--force does\)\$" \
  -- "$VOUCH" host install-hook --hooks-dir "$H" --hook "$HOOK" --config "$CONF"
check "refused install left the foreign file" test "$(sha256sum "$T" | cut -c1-64)" = "$sha_foreign"
expect "uninstall refuses a foreign file" 1 "^vouch: '$T' was not written by vouch \(no vouch marker line\); left in place\$" \
  -- "$VOUCH" host install-hook --hooks-dir "$H" --uninstall
check "uninstall left the foreign file" test "$(sha256sum "$T" | cut -c1-64)" = "$sha_foreign"
ln -sf "$HOOK" "$H/qemu.d/link" && mv -f "$H/qemu.d/link" "$T"
expect "a symlink at qemu.d/vouch is foreign too" 1 "not written by vouch" \
  -- "$VOUCH" host install-hook --hooks-dir "$H" --hook "$HOOK" --config "$CONF"
printf '#!/bin/sh\necho someone else\n' >"$W/foreign"; rm -f "$T"; cp "$W/foreign" "$T"
expect "--force replaces a foreign file" 0 "^replaced $T .*--force" \
  -- "$VOUCH" host install-hook --hooks-dir "$H" --hook "$HOOK" --config "$CONF" --force
check "forced install wrote vouch's wrapper" grep -q "^# vouch-managed libvirt hook" "$T"

# Other hooks in qemu.d stay; uninstall removes only vouch's file.
printf '#!/bin/sh\nexit 0\n' >"$H/qemu.d/50-other"; chmod 0755 "$H/qemu.d/50-other"
sha_other=$(sha256sum "$H/qemu.d/50-other" | cut -c1-64)
expect "uninstall removes vouch's file" 0 "^removed $T\$" -- "$VOUCH" host install-hook --hooks-dir "$H" --uninstall
check "qemu.d/vouch is gone" test ! -e "$T"
check "another qemu.d hook survives uninstall" test "$(sha256sum "$H/qemu.d/50-other" | cut -c1-64)" = "$sha_other"
check "hooks/qemu survives uninstall" main_untouched
expect "uninstall twice is a no-op" 0 "nothing to uninstall" -- "$VOUCH" host install-hook --hooks-dir "$H" --uninstall

# A hooks dir without a main hook: qemu.d is made.
expect "fresh hooks dir" 0 "^installed $W/fresh/qemu.d/vouch" \
  -- "$VOUCH" host install-hook --hooks-dir "$W/fresh" --hook "$HOOK" --config "$CONF"
check "no main hook was created" test ! -e "$W/fresh/qemu"
# hooks/qemu that already is vouch-hook: a second copy would run it twice.
mkdir -p "$W/linked" && ln -s "$HOOK" "$W/linked/qemu"
expect "hooks/qemu already running vouch-hook refused" 1 "^vouch: '$W/linked/qemu' already is '$HOOK'" \
  -- "$VOUCH" host install-hook --hooks-dir "$W/linked" --hook "$HOOK" --config "$CONF"
check "refusal created nothing" test ! -e "$W/linked/qemu.d"

# Errors.
expect "missing hook program refused" 1 "^vouch: hook program '$W/bin/nope' is not an executable file" \
  -- "$VOUCH" host install-hook --hooks-dir "$H" --hook "$W/bin/nope" --config "$CONF"
expect "with no vouch-hook beside vouch, the default is where an install puts it" 1 \
  "^vouch: hook program '$(cd "$(dirname "$VOUCH")/.." && pwd -P)/libexec/vouch/vouch-hook' is not an executable file" \
  -- "$VOUCH" host install-hook --hooks-dir "$H" --config "$CONF"
# An installed layout (packaging/CMakeLists.txt): BIN/vouch, LIBEXEC/vouch/vouch-hook.
mkdir -p "$W/usr/bin" "$W/usr/libexec/vouch"
cp "$VOUCH" "$W/usr/bin/vouch"
cp "$HOOK" "$W/usr/libexec/vouch/vouch-hook"
expect "installed layout: the default hook is ../libexec/vouch/vouch-hook" 0 \
  "^installed $W/layout/qemu.d/vouch \(runs $W/usr/libexec/vouch/vouch-hook --config $CONF\)" \
  -- "$W/usr/bin/vouch" host install-hook --hooks-dir "$W/layout" --config "$CONF"
# A build tree: vouch-hook beside vouch wins.
cp "$HOOK" "$W/usr/bin/vouch-hook"
expect "build tree: the default hook is vouch-hook beside vouch" 0 \
  "^updated $W/layout/qemu.d/vouch \(runs $W/usr/bin/vouch-hook --config $CONF\)" \
  -- "$W/usr/bin/vouch" host install-hook --hooks-dir "$W/layout" --config "$CONF"
expect "unknown flag is a usage error" 2 "unknown flag --frob" -- "$VOUCH" host install-hook --frob
expect "stray argument is a usage error" 2 "unexpected argument 'x'" -- "$VOUCH" host install-hook x
expect "--uninstall with --hook is a usage error" 2 "--uninstall takes no --hook" -- "$VOUCH" host install-hook --uninstall --hook "$HOOK"
expect "help" 0 "usage: vouch host install-hook" -- "$VOUCH" host install-hook --help

echo "$pass passed, $fail failed"
[[ $fail -eq 0 ]]
