#!/usr/bin/env bash
# render-domain.sh [--protected CHANNEL_SOCKET] NAME UUID OUTDIR SECRET_UUID > domain.xml
#
# Prints the libvirt domain XML of the vouch test guest (domain.xml.in) for a
# guest built into OUTDIR by build-guest.sh and make-disk.sh:
#   kernel OUTDIR/vmlinuz, initrd OUTDIR/initrd.img, disk OUTDIR/disk.luks
#   (LUKS, passphrase = libvirt secret SECRET_UUID), serial console written
#   to OUTDIR/NAME.serial.log (truncated at each start).
# --protected: the protected guest of the re-attestation tests. It boots
#   through OVMF (/usr/share/OVMF/OVMF_CODE_4M.fd, a per-domain NVRAM from
#   OVMF_VARS_4M.fd), so the firmware measures kernel, initrd and command line
#   (PCR 4, 9; SeaBIOS with direct kernel boot measures none of them), and has
#   a vTPM (tpm-crb, swtpm emulator run by libvirt) and the virtio-serial
#   channel org.vouch.attest.0 bound by libvirt at CHANNEL_SOCKET. Undefine it
#   with `virsh undefine --nvram --tpm`.
# OUTDIR must exist; it is made absolute. Inputs are validated rather than
# escaped: NAME is [A-Za-z0-9_.-], UUIDs are canonical, paths have no
# characters that are special in XML or sed.
set -euo pipefail

die() { echo "render-domain.sh: $*" >&2; exit 1; }
readonly USAGE="usage: render-domain.sh [--protected CHANNEL_SOCKET] NAME UUID OUTDIR SECRET_UUID"
readonly OVMF_CODE=/usr/share/OVMF/OVMF_CODE_4M.fd
readonly OVMF_VARS=/usr/share/OVMF/OVMF_VARS_4M.fd
readonly PATH_RE='^/[A-Za-z0-9_./+:@=-]*$'

CHANNEL=""
if [[ "${1:-}" == --protected ]]; then
  [[ $# -ge 2 ]] || die "$USAGE"
  CHANNEL="$2"
  shift 2
  [[ "$CHANNEL" =~ $PATH_RE && ${#CHANNEL} -lt 108 ]] \
    || die "--protected: expected an absolute socket path of [A-Za-z0-9_./+:@=-], under 108 bytes, got '$CHANNEL'"
  [[ -r "$OVMF_CODE" && -r "$OVMF_VARS" ]] || die "--protected needs $OVMF_CODE and $OVMF_VARS (install ovmf)"
fi
[[ $# -eq 4 ]] || die "$USAGE"
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
[[ "$OUTDIR" =~ $PATH_RE ]] || die "OUTDIR: expected a path of [A-Za-z0-9_./+:@=-] characters, got '$OUTDIR'"
[[ -r "$TEMPLATE" ]] || die "cannot read $TEMPLATE"

firmware=""
devices=""
if [[ -n "$CHANNEL" ]]; then
  firmware="    <loader readonly='yes' type='pflash'>$OVMF_CODE</loader>
    <nvram template='$OVMF_VARS'/>
"
  devices="    <channel type='unix'>
      <source mode='bind' path='$CHANNEL'/>
      <target type='virtio' name='org.vouch.attest.0'/>
    </channel>
    <tpm model='tpm-crb'>
      <backend type='emulator' version='2.0'/>
    </tpm>
"
fi

xml="$(sed -e "s|@NAME@|$NAME|g" -e "s|@UUID@|$UUID|g" \
           -e "s|@SECRET_UUID@|$SECRET_UUID|g" -e "s|@OUTDIR@|$OUTDIR|g" "$TEMPLATE")"
nl=$'\n'
xml="${xml//@FIRMWARE@$nl/$firmware}"
xml="${xml//@PROTECTED_DEVICES@$nl/$devices}"
printf '%s\n' "$xml"
