#!/usr/bin/env bash
# build-guest.sh OUTDIR
#
# Builds the vouch test guest from Debian packages installed on this machine:
#   OUTDIR/vmlinuz     copy of the Debian kernel (linux-image-amd64) in /boot
#   OUTDIR/initrd.img  busybox initramfs whose /init is guest-init.sh, plus the
#                      kernel modules needed to read an ext2 virtio-blk disk
# Idempotent: a step is skipped when its output is newer than all its inputs
# (and, for the initrd, when the recorded input list is unchanged).
# The initrd is reproducible (fixed mtimes, owners and inode numbers), so the
# same inputs give the same sha256 (useful for measured-boot policies).
#
# Environment: VOUCH_GUEST_KVER  kernel version to use (default: the newest
#              /boot/vmlinuz-* whose modules are installed).
#              VOUCH_SHIM       a vouch-shim binary to put at /bin/vouch-shim,
#                               with the shared libraries it needs (ldd) and
#                               tpm2-tss's device TCTI (loaded at run time);
#              VOUCH_SHIM_CONF  its /etc/vouch/shim.conf (with VOUCH_SHIM).
#              Both are in the initrd, which OVMF measures (PCR 9): the
#              owner named in shim.conf is part of the guest's measured state.
# Needs: busybox-static, cpio, kmod, gzip, a linux-image in /boot.
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd -P)"
readonly HERE
readonly INIT_SRC="$HERE/guest-init.sh"
readonly SELF="$HERE/build-guest.sh"
readonly BUSYBOX="${VOUCH_BUSYBOX:-/bin/busybox}"
# Module roots: modprobe resolves their dependencies and load order, and skips
# what is built in. fs-ext2 is provided by ext4 in Debian's 6.1 kernel
# (CONFIG_EXT4_USE_FOR_EXT2=y).
# virtio_console: the vouch channel (org.vouch.attest.0) of the protected guest.
readonly MODULE_ROOTS=(virtio_pci virtio_blk fs-ext2 virtio_console)
# Fixed timestamp for every file in the initramfs (reproducible output).
readonly EPOCH="${SOURCE_DATE_EPOCH:-0}"

die() { echo "build-guest.sh: $*" >&2; exit 1; }

[[ $# -eq 1 ]] || die "usage: build-guest.sh OUTDIR"
mkdir -p -- "$1"
OUTDIR="$(cd -- "$1" && pwd -P)"
readonly OUTDIR

for tool in cpio gzip modprobe; do
  command -v "$tool" >/dev/null || die "missing tool '$tool' (install cpio, gzip, kmod)"
done
[[ -x "$BUSYBOX" ]] || die "missing $BUSYBOX (install busybox-static)"
# A dynamically linked busybox would need its libraries in the initramfs.
if LC_ALL=C file -b "$BUSYBOX" 2>/dev/null | grep -q 'dynamically linked'; then
  die "$BUSYBOX is dynamically linked; install busybox-static"
fi

pick_kver() {
  if [[ -n "${VOUCH_GUEST_KVER:-}" ]]; then
    echo "$VOUCH_GUEST_KVER"
    return
  fi
  local f v best=""
  for f in /boot/vmlinuz-*; do
    [[ -e "$f" ]] || continue
    v="${f#/boot/vmlinuz-}"
    [[ -f "/lib/modules/$v/modules.dep" ]] || continue
    if [[ -z "$best" ]] || [[ "$(printf '%s\n%s\n' "$best" "$v" | sort -V | tail -n1)" == "$v" ]]; then
      best="$v"
    fi
  done
  [[ -n "$best" ]] || die "no /boot/vmlinuz-* with modules in /lib/modules (install linux-image-amd64)"
  echo "$best"
}

SHIM="${VOUCH_SHIM:-}"
SHIM_CONF="${VOUCH_SHIM_CONF:-}"
SHIM_LIBS=()    # every library the shim loads, host paths
if [[ -n "$SHIM" ]]; then
  [[ -x "$SHIM" ]] || die "VOUCH_SHIM: '$SHIM' is not an executable file"
  [[ -n "$SHIM_CONF" && -r "$SHIM_CONF" ]] || die "VOUCH_SHIM_CONF: a readable shim.conf is needed with VOUCH_SHIM"
  # awk reads to the end: an early exit would kill ldconfig with SIGPIPE,
  # and pipefail would make that the script's exit status (141).
  tcti="$(ldconfig -p | awk '$1 == "libtss2-tcti-device.so.0" && !found { print $NF; found = 1 }')"
  [[ -n "$tcti" ]] || die "VOUCH_SHIM: no libtss2-tcti-device.so.0 on this machine (install libtss2-tcti-device0)"
  mapfile -t SHIM_LIBS < <({ echo "$tcti"
                             ldd "$SHIM" "$tcti" | awk '$2 == "=>" && $3 ~ /^\// { print $3 } $1 ~ /^\// { print $1 }'
                           } | grep -v ':$' | LC_ALL=C sort -u)
elif [[ -n "$SHIM_CONF" ]]; then
  die "VOUCH_SHIM_CONF given without VOUCH_SHIM"
fi

KVER="$(pick_kver)"
readonly KVER
readonly KERNEL_SRC="/boot/vmlinuz-$KVER"
[[ -r "$KERNEL_SRC" ]] || die "cannot read $KERNEL_SRC"
[[ -f "/lib/modules/$KVER/modules.dep" ]] || die "no /lib/modules/$KVER/modules.dep (run depmod $KVER)"

# --- vmlinuz ---------------------------------------------------------------
if [[ ! -f "$OUTDIR/vmlinuz" || "$KERNEL_SRC" -nt "$OUTDIR/vmlinuz" ]] \
   || ! cmp -s "$KERNEL_SRC" "$OUTDIR/vmlinuz"; then
  cp --preserve=timestamps -- "$KERNEL_SRC" "$OUTDIR/vmlinuz.tmp.$$"
  chmod 0644 "$OUTDIR/vmlinuz.tmp.$$"
  mv -f -- "$OUTDIR/vmlinuz.tmp.$$" "$OUTDIR/vmlinuz"
  echo "build-guest.sh: vmlinuz <- $KERNEL_SRC"
else
  echo "build-guest.sh: vmlinuz up to date"
fi

# --- initrd.img ------------------------------------------------------------
# Module files in load order, duplicates removed (modprobe repeats shared deps).
mapfile -t MODULES < <(modprobe -a -S "$KVER" --show-depends "${MODULE_ROOTS[@]}" \
                         | awk '$1 == "insmod" && !seen[$2]++ { print $2 }')
for m in "${MODULES[@]}"; do
  [[ -r "$m" ]] || die "module file $m listed by modprobe is missing"
done

MANIFEST="$(printf 'kver %s\nbusybox %s\ninit %s %s\n' "$KVER" "$BUSYBOX" "$INIT_SRC" "$(sha256sum <"$INIT_SRC" | cut -d' ' -f1)"
            printf 'module %s\n' "${MODULES[@]}"
            for f in ${SHIM:+"$SHIM"} "${SHIM_LIBS[@]}" ${SHIM_CONF:+"$SHIM_CONF"}; do
              printf 'file %s %s\n' "$f" "$(sha256sum < "$f" | cut -d' ' -f1)"
            done)"
readonly MANIFEST

initrd_fresh() {
  local out="$OUTDIR/initrd.img" input
  [[ -f "$out" && -f "$OUTDIR/initrd.manifest" ]] || return 1
  [[ "$(cat "$OUTDIR/initrd.manifest")" == "$MANIFEST" ]] || return 1
  for input in "$BUSYBOX" "$INIT_SRC" "$SELF" "${MODULES[@]}" ${SHIM:+"$SHIM"} "${SHIM_LIBS[@]}" ${SHIM_CONF:+"$SHIM_CONF"}; do
    [[ "$input" -nt "$out" ]] && return 1
  done
  return 0
}

if initrd_fresh; then
  echo "build-guest.sh: initrd.img up to date"
  exit 0
fi

STAGE="$(mktemp -d "${TMPDIR:-/tmp}/vouch-initrd.XXXXXX")"
cleanup() { rm -rf -- "$STAGE" "$OUTDIR/initrd.img.tmp.$$"; }
trap cleanup EXIT

umask 022
mkdir -p "$STAGE"/{bin,dev,proc,sys,mnt,tmp,run,etc,lib/modules}
cp -- "$BUSYBOX" "$STAGE/bin/busybox"
chmod 0755 "$STAGE/bin/busybox"
while read -r applet; do
  [[ -n "$applet" && "$applet" != busybox ]] || continue
  ln -s busybox "$STAGE/bin/$applet"
done < <("$BUSYBOX" --list)
cp -- "$INIT_SRC" "$STAGE/init"
chmod 0755 "$STAGE/init"
if [[ -n "$SHIM" ]]; then
  for f in "${SHIM_LIBS[@]}"; do   # at their own paths
    mkdir -p "$STAGE$(dirname -- "$f")"
    cp -L -- "$f" "$STAGE$f"
  done
  # Without its debug info: a smaller initrd for OVMF to load and measure.
  if command -v strip >/dev/null; then
    strip --strip-debug -o "$STAGE/bin/vouch-shim" -- "$SHIM"
  else
    cp -- "$SHIM" "$STAGE/bin/vouch-shim"
  fi
  chmod 0755 "$STAGE/bin/vouch-shim"
  mkdir -p "$STAGE/etc/vouch"
  cp -- "$SHIM_CONF" "$STAGE/etc/vouch/shim.conf"
  chmod 0644 "$STAGE/etc/vouch/shim.conf"
fi

: > "$STAGE/lib/modules/load-order"
for m in "${MODULES[@]}"; do
  base="$(basename -- "$m")"
  case "$m" in
    *.ko)     cp -- "$m" "$STAGE/lib/modules/$base" ;;
    *.ko.xz)  base="${base%.xz}";  xz -dc -- "$m" > "$STAGE/lib/modules/$base" ;;
    *.ko.zst) base="${base%.zst}"; zstd -qdc -- "$m" > "$STAGE/lib/modules/$base" ;;
    *.ko.gz)  base="${base%.gz}";  gzip -dc -- "$m" > "$STAGE/lib/modules/$base" ;;
    *) die "unexpected module file name $m" ;;
  esac
  chmod 0644 "$STAGE/lib/modules/$base"
  echo "$base" >> "$STAGE/lib/modules/load-order"
done

find "$STAGE" -exec touch -h -d "@$EPOCH" {} +
(
  cd "$STAGE"
  find . -mindepth 1 -print0 | LC_ALL=C sort -z \
    | cpio --null --create --format=newc --reproducible --owner=0:0 --quiet \
    | gzip -n
) > "$OUTDIR/initrd.img.tmp.$$"
chmod 0644 "$OUTDIR/initrd.img.tmp.$$"
mv -f -- "$OUTDIR/initrd.img.tmp.$$" "$OUTDIR/initrd.img"
printf '%s\n' "$MANIFEST" > "$OUTDIR/initrd.manifest"
echo "build-guest.sh: initrd.img built (kernel $KVER, ${#MODULES[@]} modules: $(tr '\n' ' ' < "$STAGE/lib/modules/load-order")${SHIM:+; vouch-shim and ${#SHIM_LIBS[@]} libraries})"
