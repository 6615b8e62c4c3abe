#!/usr/bin/env bash
# render-domain.sh NAME UUID OUTDIR SECRET_UUID > domain.xml
#
# Prints the libvirt domain XML of the vouch test guest (domain.xml.in) for a
# guest built into OUTDIR by build-guest.sh and make-disk.sh:
#   kernel OUTDIR/vmlinuz, initrd OUTDIR/initrd.img, disk OUTDIR/disk.luks
#   (LUKS, passphrase = libvirt secret SECRET_UUID), serial console written
#   to OUTDIR/NAME.serial.log (truncated at each start).
# OUTDIR must exist; it is made absolute. Inputs are validated rather than
# escaped: NAME is [A-Za-z0-9_.-], UUIDs are canonical, OUTDIR has no
# characters that are special in XML or sed.
set -euo pipefail

die() { echo "render-domain.sh: $*" >&2; exit 1; }

[[ $# -eq 4 ]] || die "usage: render-domain.sh NAME UUID OUTDIR SECRET_UUID"
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd -P)"
readonly HERE
readonly TEMPLATE="$HERE/domain.xml.in"
readonly UUID_RE='^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$'

NAME="$1"; UUID="$2"; SECRET_UUID="$4"
[[ "$NAME" =~ ^[A-Za-z0-9_.-]{1,64}$ ]] || die "NAME: expected 1-64 characters from [A-Za-z0-9_.-], got '$NAME'"
[[ "$UUID" =~ $UUID_RE ]] || die "UUID: expected a canonical UUID, got '$UUID'"
[[ "$SECRET_UUID" =~ $UUID_RE ]] || die "SECRET_UUID: expected a canonical UUID, got '$SECRET_UUID'"
[[ -d "$3" ]] || die "OUTDIR: expected an existing directory, got '$3'"
OUTDIR="$(cd -- "$3" && pwd -P)"
[[ "$OUTDIR" =~ ^/[A-Za-z0-9_./+:@=-]*$ ]] \
  || die "OUTDIR: expected a path of [A-Za-z0-9_./+:@=-] characters, got '$OUTDIR'"
[[ -r "$TEMPLATE" ]] || die "cannot read $TEMPLATE"

sed -e "s|@NAME@|$NAME|g" -e "s|@UUID@|$UUID|g" \
    -e "s|@SECRET_UUID@|$SECRET_UUID|g" -e "s|@OUTDIR@|$OUTDIR|g" "$TEMPLATE"
