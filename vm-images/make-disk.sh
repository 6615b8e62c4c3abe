#!/usr/bin/env bash
# make-disk.sh OUTDIR PASSPHRASE_FILE MARKER
#
# Writes OUTDIR/disk.luks: a LUKS1 image (QEMU's "luks" format) whose payload
# is an ext2 file system holding one file, "marker", with MARKER as content
# (no trailing newline). The passphrase is the exact content of
# PASSPHRASE_FILE (every byte, a trailing newline included), which must not be
# readable by group or others; it is handed to qemu-img by file name
# (--object secret,file=...), never on the command line.
#
# qemu-img's PBKDF calibration fails with "Unable to get accurate CPU usage"
# when the thread's tick-granular CPU clock shows 0 ms for its first round:
# on 2-core VMs about half the runs, idle or not (so 4 attempts failed
# together 1 time in 16: a CI run lost to it). Attempts are independent and
# cost milliseconds: that failure is retried up to 24 times, as vouch seal
# does; any other failure is fatal.
#
# Environment: VOUCH_LUKS_ITER_TIME  PBKDF time in ms (default 100: fast, for
#              tests only; qemu-img's own default is 2000).
# Needs: qemu-utils, e2fsprogs (mke2fs -d).
set -euo pipefail

readonly ITER_TIME="${VOUCH_LUKS_ITER_TIME:-100}"
readonly MAX_RETRIES=24
readonly FS_SIZE=4M

die() { echo "make-disk.sh: $*" >&2; exit 1; }

[[ $# -eq 3 ]] || die "usage: make-disk.sh OUTDIR PASSPHRASE_FILE MARKER"
OUTDIR="$1"
PASSFILE="$2"
MARKER="$3"
readonly OUTDIR PASSFILE MARKER

command -v qemu-img >/dev/null || die "missing qemu-img (install qemu-utils)"
command -v mke2fs >/dev/null || die "missing mke2fs (install e2fsprogs)"
[[ "$ITER_TIME" =~ ^[1-9][0-9]*$ ]] || die "VOUCH_LUKS_ITER_TIME: expected a positive integer, got '$ITER_TIME'"
[[ -f "$PASSFILE" && -r "$PASSFILE" ]] || die "passphrase file $PASSFILE: not a readable file"
[[ -s "$PASSFILE" ]] || die "passphrase file $PASSFILE: expected a non-empty file, got an empty one"
mode="$(stat -c %a -- "$PASSFILE")"
(( (8#$mode & 8#077) == 0 )) || die "passphrase file $PASSFILE: expected mode 0600 (no group/other access), got 0$mode"
# qemu's secret object takes a file name in a comma-separated option list.
[[ "$PASSFILE" != *,* ]] || die "passphrase file $PASSFILE: expected a path without ',', got one"
[[ "$MARKER" != *$'\n'* ]] || die "marker: expected a single line, got a newline"

mkdir -p -- "$OUTDIR"
WORK="$(mktemp -d "$OUTDIR/.make-disk.XXXXXX")"
cleanup() { rm -rf -- "$WORK"; }
trap cleanup EXIT

mkdir "$WORK/content"
printf '%s' "$MARKER" > "$WORK/content/marker"
mke2fs -q -F -t ext2 -L vouch-test -d "$WORK/content" "$WORK/fs.raw" "$FS_SIZE" >/dev/null

attempt=0
while :; do
  attempt=$((attempt + 1))
  if qemu-img convert -q \
       --object "secret,id=sec0,file=$PASSFILE" \
       -f raw -O luks -o "key-secret=sec0,iter-time=$ITER_TIME" \
       "$WORK/fs.raw" "$WORK/disk.luks" 2> "$WORK/err"; then
    break
  fi
  if grep -q 'Unable to get accurate CPU usage' "$WORK/err" && (( attempt <= MAX_RETRIES )); then
    echo "make-disk.sh: qemu-img PBKDF calibration failed (attempt $attempt), retrying" >&2
    rm -f -- "$WORK/disk.luks"
    continue
  fi
  cat "$WORK/err" >&2
  die "qemu-img convert failed after $attempt attempt(s)"
done

chmod 0600 "$WORK/disk.luks"
mv -f -- "$WORK/disk.luks" "$OUTDIR/disk.luks"
echo "make-disk.sh: wrote $OUTDIR/disk.luks (attempts: $attempt)"
