#!/bin/sh
# /init of the vouch test guest (busybox, run as PID 1 from the initramfs).
#
# Contract, observable on the serial console (ttyS0):
#   "VOUCH-INIT: started"            as soon as init runs;
#   "VOUCH-MARKER: <content>"        if /dev/vda holds an ext2 file system with
#                                    a readable file "marker";
#   "VOUCH-NO-DISK"                  otherwise (preceded by a "VOUCH-INIT:" line
#                                    giving the reason);
# then the guest powers off (poweroff -f), so the domain stops by itself;
# with "vouch.hold=N" on the kernel command line it first prints
# "VOUCH-INIT: holding N s" and stays up N seconds (a running domain to
# re-attest).
# The protected guest (render-domain.sh --protected: OVMF, vTPM, channel):
#   "vouch.eventlog=1"  prints "VOUCH-EVENTLOG: <N> bytes" and writes
#                       "EVENTLOG <N>\n" and the firmware event log to the
#                       channel org.vouch.attest.0 (the proof that OVMF
#                       measured kernel, initrd and cmdline);
#   "vouch.shim=D"      runs "vouch-shim loop --interval D", D a duration such
#                       as 2s (a bare number is seconds) (if the initrd has
#                       it, build-guest.sh VOUCH_SHIM) in the background, its
#                       lines on the console prefixed "VOUCH-SHIM: "; after
#                       each endorsed round "VOUCH-ATTESTATION: <base64>" of
#                       the file it keeps (/run/vouch/attestation.cbor);
#   "vouch.control=1"   test hooks, read as lines from the virtio-serial port
#                       org.vouch.test.0: "extend-pcr9" extends the vTPM's
#                       PCR 9 (a guest whose measured state changed; prints
#                       "VOUCH-CONTROL: PCR 9 extended"), "stop-shim" kills
#                       the shim (a guest that stopped attesting; prints
#                       "VOUCH-CONTROL: shim stopped"), "shim-rss" prints
#                       "VOUCH-CONTROL: vouch-shim VmHWM: <N> kB" (its peak RSS).
# The guest unlocks nothing: QEMU decrypts the LUKS disk with the libvirt secret
# and the guest only sees the plaintext virtio-blk device.
PATH=/bin
export PATH

mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
mount -t securityfs securityfs /sys/kernel/security 2>/dev/null
echo "VOUCH-INIT: started"

hold=""
eventlog=""
shim=""
control=""
for arg in $(cat /proc/cmdline); do
  case "$arg" in
    vouch.hold=*) hold="${arg#vouch.hold=}" ;;
    vouch.eventlog=*) eventlog="${arg#vouch.eventlog=}" ;;
    vouch.shim=*) shim="${arg#vouch.shim=}" ;;
    vouch.control=*) control="${arg#vouch.control=}" ;;
  esac
done

# Modules in dependency order (written by build-guest.sh). A failure is not
# fatal here (e.g. an optional soft dependency); it is reported below if the
# disk does not appear.
failed=""
while read -r mod; do
  [ -n "$mod" ] || continue
  insmod "/lib/modules/$mod" 2>/dev/null || failed="$failed $mod"
done < /lib/modules/load-order

no_disk() {
  echo "VOUCH-INIT: $1"
  echo "VOUCH-NO-DISK"
}

i=0
while [ ! -b /dev/vda ] && [ "$i" -lt 100 ]; do
  sleep 0.1
  i=$((i + 1))
done

if [ ! -b /dev/vda ]; then
  no_disk "no /dev/vda after 10 s (modules not loaded:${failed:- none})"
elif ! mount -t ext2 -o ro /dev/vda /mnt 2>/dev/null; then
  no_disk "cannot mount /dev/vda as ext2"
else
  if [ -r /mnt/marker ]; then
    echo "VOUCH-MARKER: $(cat /mnt/marker)"
  else
    no_disk "/dev/vda has no readable file 'marker'"
  fi
  umount /mnt
fi

# The /dev node of the virtio-serial port named $1 (default
# org.vouch.attest.0; no udev, so no /dev/virtio-ports/ link), or nothing.
vouch_port() {
  for f in /sys/class/virtio-ports/*/name; do
    [ -r "$f" ] || continue
    if [ "$(cat "$f")" = "${1:-org.vouch.attest.0}" ]; then
      d="${f%/name}"
      echo "/dev/${d##*/}"
      return
    fi
  done
}

# Extends PCR 9 of the vTPM with 32 bytes of 0x5a by one raw TPM2_PCR_Extend
# (busybox has no TPM tools): tag ST_SESSIONS, size 65, PCR_Extend, handle 9,
# a password session with empty auth, one SHA-256 digest; written in one
# write(2), as the kernel takes one command per write. Succeeds only if the
# TPM answers TPM_RC_SUCCESS.
extend_pcr9() {
  exec 3<>/dev/tpmrm0 || return 1
  printf '\200\002\000\000\000\101\000\000\001\202\000\000\000\011\000\000\000\011\100\000\000\011\000\000\000\000\000\000\000\000\001\000\013\132\132\132\132\132\132\132\132\132\132\132\132\132\132\132\132\132\132\132\132\132\132\132\132\132\132\132\132\132\132\132\132' >&3
  rc="$(head -c 10 <&3 | od -An -tx1 | tr -d ' \n')"
  exec 3<&-
  [ "${rc#????????????}" = 00000000 ]
}

# Serves the test hooks on org.vouch.test.0 (vouch.control=1).
serve_control() {
  port="$(vouch_port org.vouch.test.0)"
  if [ -z "$port" ]; then
    echo "VOUCH-INIT: vouch.control given, but no virtio-serial port named org.vouch.test.0"
    return
  fi
  while true; do
    while read -r cmd; do
      case "$cmd" in
        extend-pcr9)
          if extend_pcr9; then echo "VOUCH-CONTROL: PCR 9 extended"; else echo "VOUCH-CONTROL: PCR 9 extend failed"; fi ;;
        stop-shim)
          killall vouch-shim 2>/dev/null
          echo "VOUCH-CONTROL: shim stopped" ;;
        shim-rss)
          pid="$(pidof vouch-shim)"
          echo "VOUCH-CONTROL: vouch-shim $(grep VmHWM "/proc/${pid%% *}/status" 2>/dev/null || echo 'VmHWM: unknown')" ;;
        *) echo "VOUCH-CONTROL: unknown command '$cmd'" ;;
      esac
    done < "$port"
    sleep 1
  done
}

if [ "$eventlog" = 1 ]; then
  log=/sys/kernel/security/tpm0/binary_bios_measurements
  port="$(vouch_port)"
  if [ ! -r "$log" ]; then
    echo "VOUCH-INIT: no firmware event log at $log (no TPM, or SeaBIOS)"
  elif [ -z "$port" ]; then
    echo "VOUCH-INIT: no virtio-serial port named org.vouch.attest.0"
  else
    cat "$log" > /tmp/eventlog
    n="$(wc -c < /tmp/eventlog)"
    echo "VOUCH-EVENTLOG: $n bytes"
    { echo "EVENTLOG $n"; cat /tmp/eventlog; } > "$port"
  fi
fi

if [ -n "$shim" ]; then
  if [ -x /bin/vouch-shim ]; then
    echo "VOUCH-INIT: vouch-shim every $shim"
    (vouch-shim loop --interval "$shim" 2>&1 | while read -r line; do
      echo "VOUCH-SHIM: $line"
      case "$line" in
        *"attested: endorsed by"*) echo "VOUCH-ATTESTATION: $(base64 -w 0 /run/vouch/attestation.cbor)" ;;
      esac
    done) &
  else
    echo "VOUCH-INIT: vouch.shim given, but this initrd has no /bin/vouch-shim"
  fi
fi

if [ "$control" = 1 ]; then
  serve_control &
fi

if [ -n "$hold" ]; then
  echo "VOUCH-INIT: holding $hold s"
  sleep "$hold"
fi

sync
poweroff -f
# Only reached if the power-off request failed.
echo o > /proc/sysrq-trigger
exec sleep 3600
