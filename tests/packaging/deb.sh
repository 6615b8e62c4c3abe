#!/usr/bin/env bash
# The Debian packages, on this machine, as an operator meets them: CPack
# builds vouch and vouch-guest from BUILD_DIR; dpkg installs them; the
# programs run from /usr (--version, --help, the test-only --fault refused),
# the postinst put the libvirt hook in place and it hands a protected domain
# to vouch-hook-attest in libexec, the units pass systemd-analyze verify
# with no complaint, the shipped configs parse; dpkg -r leaves nothing but
# the two conffiles (and takes the hook out); dpkg -P leaves nothing.
# Needs root; changes /usr, /etc/vouch and /etc/libvirt/hooks/qemu.d, and
# puts them back (ctest RESOURCE_LOCK libvirtd: the e2e uses that hook path).
# Skips (77) on a machine where vouch is already installed or something
# else owns the hook path: it never replaces what it did not put there.
# Usage: deb.sh BUILD_DIR
set -uo pipefail
BUILD=${1:?usage: deb.sh BUILD_DIR}
# shellcheck source=tests/cli/lib.sh
. "$(dirname "$0")/../cli/lib.sh"

HOOK=/etc/libvirt/hooks/qemu.d/vouch
[[ $EUID -eq 0 ]] || { echo "SKIP: needs root (dpkg -i)"; exit 77; }
for p in vouch vouch-guest; do
  if dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q installed; then
    echo "SKIP: package $p is installed on this machine; not touching it"; exit 77
  fi
done
for f in /usr/bin/vouch /usr/bin/vouchd /usr/bin/vouch-shim "$HOOK" /etc/vouch; do
  [[ -e $f || -L $f ]] && { echo "SKIP: $f exists and is not this test's"; exit 77; }
done

W=$(mktemp -d)
installed=0
cleanup() {
  ((installed)) && dpkg -P vouch vouch-guest >/dev/null 2>&1
  rm -rf "$W"
}
trap cleanup EXIT

if ! cpack --config "$BUILD/CPackConfig.cmake" -B "$W" >"$W/cpack.log" 2>&1; then
  cat "$W/cpack.log"; exit 1
fi
DEB=$(ls "$W"/vouch_*.deb) GUEST=$(ls "$W"/vouch-guest_*.deb)
VERSION=$(dpkg-deb -f "$DEB" Version)
check "cpack built vouch and vouch-guest" test -f "$DEB" -a -f "$GUEST"

# What the packages hold: the deployed programs and nothing from the test build.
dpkg-deb -c "$DEB" | awk '{print $6}' | sed 's|^\.||' >"$W/host.files"
dpkg-deb -c "$GUEST" | awk '{print $6}' | sed 's|^\.||' >"$W/guest.files"
for f in /usr/bin/vouch /usr/bin/vouchd /usr/bin/vouch-agent /usr/libexec/vouch/vouch-hook \
  /usr/libexec/vouch/vouch-hook-attest /usr/libexec/vouch/vouch-pve-hook /usr/lib/systemd/system/vouchd.service \
  /usr/lib/systemd/system/vouch-agent.service /etc/vouch/hook.conf /etc/vouch/vouchd.conf \
  /usr/share/doc/vouch/operator-guide.md; do
  check "vouch holds $f" grep -qx "$f" "$W/host.files"
done
for f in /usr/bin/vouch-shim /usr/lib/systemd/system/vouch-shim.service /usr/lib/systemd/system/vouch-shim.timer \
  /usr/share/doc/vouch-guest/examples/shim.conf; do
  check "vouch-guest holds $f" grep -qx "$f" "$W/guest.files"
done
check "no test, fuzz or bench program and no Byzantine vouchd in either package" \
  bash -c "! grep -E 'byzantine|_test|fuzz|bench|attest_probe|ledger_appender' '$W/host.files' '$W/guest.files'"
check "nothing outside /usr and /etc/vouch" \
  bash -c "! grep -vE '^/\$|^/(usr|etc)/\$|^/usr/|^/etc/vouch/' '$W/host.files' '$W/guest.files'"
expect "the two configs are conffiles" 0 "^/etc/vouch/hook.conf
/etc/vouch/vouchd.conf$" -- bash -c "dpkg-deb --ctrl-tarfile '$DEB' | tar -xO ./conffiles"
expect "vouch depends on the libraries it links (dpkg-shlibdeps)" 0 "libssl3.*libtss2-esys" -- \
  dpkg-deb -f "$DEB" Depends

dpkg -i "$DEB" "$GUEST" >"$W/install.log" 2>&1; rc=$?
installed=1
check "dpkg -i exits 0" test $rc -eq 0
expect "the postinst installed the libvirt hook" 0 \
  "installed $HOOK \(runs /usr/libexec/vouch/vouch-hook --config /etc/vouch/hook.conf\)" -- cat "$W/install.log"
expect "the hook is vouch's wrapper of the libexec hook" 0 \
  "^exec '/usr/libexec/vouch/vouch-hook' --config '/etc/vouch/hook.conf'" -- cat "$HOOK"

expect "vouch --version is the package's" 0 "^vouch $VERSION$" -- /usr/bin/vouch --version
expect "vouchd --version" 0 "^vouchd $VERSION$" -- /usr/bin/vouchd --version
expect "vouch-shim --version" 0 "^vouch-shim $VERSION$" -- /usr/bin/vouch-shim --version
expect "vouchd --help prints its usage on stdout and exits 0" 0 "^usage: vouchd" -- \
  bash -c '/usr/bin/vouchd --help 2>/dev/null'
expect "vouch-agent --help exits 0" 0 "^usage: vouch agent" -- bash -c '/usr/bin/vouch-agent --help 2>/dev/null'
expect "the installed vouchd refuses --fault (test binary only)" 2 "unknown flag --fault \(fault injection exists only in the test binary" -- \
  /usr/bin/vouchd --fault refuse-all --state-dir "$W/vd" --hosts "$W/none"

# The hook as libvirt runs it: a plain domain passes at once; a protected one
# (a bundle that is not CBOR) is handed to vouch-hook-attest next to the
# front, which refuses it naming the bundle (not a missing program).
PLAIN='<domain type="qemu"><name>plain</name><uuid>11111111-2222-3333-4444-555555555555</uuid></domain>'
PROTECTED='<domain type="qemu"><name>p</name><uuid>11111111-2222-3333-4444-666666666666</uuid><memory>65536</memory><vcpu>1</vcpu><os><type>hvm</type></os><metadata><v:protect xmlns:v="urn:vouch:domain:1">AAAA</v:protect></metadata></domain>'
expect "the installed hook lets a domain vouch does not protect start" 0 "^$" -- \
  bash -c "echo '$PLAIN' | $HOOK plain prepare begin -"
expect "the installed hook hands a protected domain to vouch-hook-attest, which refuses it with a reason" 1 \
  "^vouch: domain 'p' not released: protection bundle: CBOR" -- bash -c "echo '$PROTECTED' | $HOOK p prepare begin -"

# The units, as systemd reads them (a broken one makes verify say something).
for u in vouchd.service vouch-agent.service vouch-shim.service vouch-shim.timer; do
  expect "systemd-analyze verify $u: exit 0, nothing to say" 0 "^$" -- \
    systemd-analyze verify "/usr/lib/systemd/system/$u"
done
sed 's|^ExecStart=/usr/bin/vouchd|ExecStart=/usr/bin/vouchd-missing|' /usr/lib/systemd/system/vouchd.service \
  >"$W/broken.service"
expect "systemd-analyze verify does complain about a broken unit" 1 "not executable" -- \
  systemd-analyze verify "$W/broken.service"

# The shipped configs parse: vouchd stops only for what it must be told.
expect "the shipped vouchd.conf parses; vouchd asks for the ledger" 2 "give exactly one host directory" -- \
  /usr/bin/vouchd --config /etc/vouch/vouchd.conf
check "/etc/vouch/hook.conf and vouchd.conf are 0644 root" \
  test "$(stat -c '%a %U' /etc/vouch/hook.conf /etc/vouch/vouchd.conf | sort -u)" = "644 root"

dpkg -r vouch vouch-guest >"$W/remove.log" 2>&1; rc=$?
check "dpkg -r exits 0" test $rc -eq 0
check "the prerm took the libvirt hook out" test ! -e "$HOOK"
left=()
while read -r f; do
  [[ -z $f || $f == */ || $f == /etc/vouch/hook.conf || $f == /etc/vouch/vouchd.conf ]] && continue
  [[ -e $f || -L $f ]] && left+=("$f")
done < <(cat "$W/host.files" "$W/guest.files")
check "dpkg -r leaves no file but the conffiles (left: ${left[*]-none})" test ${#left[@]} -eq 0
check "dpkg -r keeps the conffiles" test -f /etc/vouch/hook.conf -a -f /etc/vouch/vouchd.conf
expect "vouch is in state config-files" 0 "^deinstall ok config-files$" -- dpkg-query -W -f='${Status}\n' vouch

dpkg -P vouch >"$W/purge.log" 2>&1; rc=$?
installed=0
check "dpkg -P exits 0" test $rc -eq 0
check "dpkg -P leaves no /etc/vouch" test ! -e /etc/vouch

echo "deb: $pass passed, $fail failed"
((fail == 0))
