# Proxmox VE's path (DESIGN §2 "On Proxmox VE"), sourced by launch_gate.sh
# after nova's. Proxmox starts QEMU itself, without libvirt: a VM's
# hookscript runs at pre-start, and QEMU reads the key from the file of an
# `-object secret` that the VM's `args` name. Proxmox itself does not run
# here: the VM config is one Proxmox would hold, the hookscript is called as
# Proxmox calls it ("SCRIPT VMID PHASE"), and a real QEMU starts with the
# arguments Proxmox would give it for that config (`qm showcmd` shape, `args`
# last). The decrypted disk is read through QEMU's own block layer (an NBD
# export of the LUKS node), so what QEMU opened with the released key is what
# the owner sealed.
# Uses launch_gate.sh's variables and helpers (W, VOUCH, BUILD, LEDGER, …).

PVE_VMID=$((4000 + $$ % 1000))
PVE_UUID=$(cat /proc/sys/kernel/random/uuid)
PVE_DIR=$W/pve
PVE_CONF=$PVE_DIR/qemu-server/$PVE_VMID.conf
PVE_KEYS=$W/pve-keys
PVE_KEY=$PVE_KEYS/$PVE_VMID.key
PVE_IMAGE=$PVE_DIR/images/$PVE_VMID/vm-$PVE_VMID-vouch.luks
PVE_MARKER="pve-$MARKER"
say "Proxmox VE: VM $PVE_VMID started by QEMU without libvirt, its key released by the hookscript at pre-start"
mkdir -p "$PVE_DIR/qemu-server" "$PVE_DIR/snippets" "$PVE_DIR/images/$PVE_VMID" "$W/pve-content"
echo "$PVE_MARKER" >"$W/pve-content/marker"
mke2fs -q -t ext2 -d "$W/pve-content" "$W/pve-disk.raw" 4M >/dev/null
# pve_vm MEMORY KEYFILE: the VM config as Proxmox stores it.
pve_vm() {
  cat <<CONF
#vouch e2e: a protected VM
boot: order=virtio0
cores: 1
kvm: 0
machine: q35
memory: $1
meta: creation-qemu=7.2.0,ctime=$(date +%s)
name: vouch-pve
ostype: l26
smbios1: uuid=$PVE_UUID
sockets: 1
vmgenid: $(cat /proc/sys/kernel/random/uuid)
args: -object secret,id=vouchkey,file=$2,format=raw -blockdev driver=luks,node-name=vouch0,key-secret=vouchkey,file.driver=file,file.filename=$PVE_IMAGE -device virtio-blk-pci,drive=vouch0
CONF
}
pve_vm 256 "$PVE_KEY" >"$PVE_CONF"
{ cat "$W/hook.conf"; printf 'pve_config_dir = %s\npve_key_dir = %s\npve_emulator = %s\n' \
  "$PVE_DIR/qemu-server" "$PVE_KEYS" "$(command -v qemu-system-x86_64)"; } >"$W/pve-hook.conf"
# The hookscript as a snippets storage holds it (qm set VMID --hookscript local:snippets/vouch-pve-hook).
PVE_HOOK=$PVE_DIR/snippets/vouch-pve-hook
printf '#!/bin/sh\nexec %q --config %q "$@"\n' "$BUILD/hook/vouch-pve-hook" "$W/pve-hook.conf" >"$PVE_HOOK"
chmod 0755 "$PVE_HOOK"
if "$VOUCH" seal --pve-config "$PVE_CONF" --bundle-out "$W/bundles/$PVE_UUID.bundle" --ledger "$LEDGER" \
  --genesis "$GENESIS" --validator-count 5 --threshold 3 --owner-key "$W/owner.pem" --image "$PVE_IMAGE" \
  --from-raw "$W/pve-disk.raw" --pcrs 0,1,2,3,4,5,6,7 --pcrs-from-tpm "$TCTI" --host "$HOST_DID" \
  "${OWNER_ACCESS[@]}" >"$W/pve-seal.out" 2>&1; then
  ok "sealed VM $PVE_VMID with --pve-config: the LUKS disk its args open, the bundle at bundle_dir/$PVE_UUID.bundle"
else
  bad "vouch seal --pve-config: $(cat "$W/pve-seal.out")"
fi
rm -f "$W/pve-disk.raw"

# qm start: pre-start, then QEMU with Proxmox's arguments (less pve-qemu's
# own `-id VMID`, which upstream QEMU lacks), then post-start.
PVE_QMP=$PVE_DIR/$PVE_VMID.qmp
pve_qemu() {
  local words
  read -r -a words <<<"$(sed -n 's/^args: //p' "$PVE_CONF")"
  qemu-system-x86_64 -name "vouch-pve,debug-threads=on" -no-shutdown \
    -chardev "socket,id=qmp,path=$PVE_QMP,server=on,wait=off" -mon "chardev=qmp,mode=control" \
    -pidfile "$PVE_DIR/$PVE_VMID.pid" -daemonize -smbios "type=1,uuid=$PVE_UUID" \
    -smp "1,sockets=1,cores=1,maxcpus=1" -nodefaults -display none -m 256 -machine "type=q35,accel=tcg" -S \
    "${words[@]}"
}
t0=$(date +%s%N)
if "$PVE_HOOK" "$PVE_VMID" pre-start >"$W/pve-prestart.out" 2>&1 &&
  [[ $(stat -c %a "$PVE_KEY") == 600 && $(stat -c %a "$PVE_KEYS") == 700 ]]; then
  ok "pre-start released the key of VM $PVE_VMID in $(awk -v a="$t0" -v b="$(date +%s%N)" 'BEGIN {printf "%.1f s", (b - a) / 1e9}') into $PVE_KEY (0600, directory 0700)"
else
  bad "pre-start of VM $PVE_VMID: $(cat "$W/pve-prestart.out")"
fi
if pve_qemu >"$W/pve-qemu.out" 2>&1 && "$PVE_HOOK" "$PVE_VMID" post-start >"$W/pve-poststart.out" 2>&1 &&
  [[ ! -e $PVE_KEY ]]; then
  ok "QEMU started with Proxmox's arguments and opened the LUKS disk; post-start removed the key file"
else
  bad "QEMU with the released key: $(cat "$W/pve-qemu.out" "$W/pve-poststart.out")"
fi
# What QEMU decrypts: its LUKS node exported over NBD and read back.
python3 - "$PVE_QMP" "$PVE_DIR/nbd.sock" >"$W/pve-qmp.out" 2>&1 <<'PY' || true
import json, socket, sys
s = socket.socket(socket.AF_UNIX); s.connect(sys.argv[1]); f = s.makefile("rw")
def cmd(execute, **args):
    f.write(json.dumps({"execute": execute, "arguments": args}) + "\n"); f.flush()
    while True:
        r = json.loads(f.readline())
        if "return" in r or "error" in r:
            if "error" in r: sys.exit(f"{execute}: {r['error']['desc']}")
            return r["return"]
f.readline(); cmd("qmp_capabilities")
cmd("nbd-server-start", addr={"type": "unix", "data": {"path": sys.argv[2]}})
cmd("block-export-add", type="nbd", id="e0", **{"node-name": "vouch0"}, name="vouch0", writable=False)
print("exported")
PY
if grep -q exported "$W/pve-qmp.out" &&
  qemu-img convert -f raw -O raw "nbd+unix:///vouch0?socket=$PVE_DIR/nbd.sock" "$W/pve-read.raw" 2>"$W/pve-nbd.err" &&
  grep -qa "$PVE_MARKER" "$W/pve-read.raw"; then
  ok "VM $PVE_VMID's QEMU reads the owner's data through the LUKS disk ($(stat -c %s "$W/pve-read.raw") bytes decrypted)"
else
  bad "reading VM $PVE_VMID's decrypted disk: $(cat "$W/pve-qmp.out" "$W/pve-nbd.err" | head -3)"
fi
rm -f "$W/pve-read.raw"
kill "$(cat "$PVE_DIR/$PVE_VMID.pid" 2>/dev/null)" 2>/dev/null || true
vouch_wait_for 10 sh -c "! kill -0 $(cat "$PVE_DIR/$PVE_VMID.pid" 2>/dev/null || echo 0) 2>/dev/null" || true
"$PVE_HOOK" "$PVE_VMID" post-stop >"$W/pve-poststop.out" 2>&1 || true
if grep -q "domain=vouch-pve (VM $PVE_VMID) uuid=$PVE_UUID cti=[0-9a-f]* released_by=" "$W/audit/releases.log"; then
  ok "the release of VM $PVE_VMID is in the audit log as the libvirt hook's are"
else
  bad "no release of VM $PVE_VMID in releases.log: $(tail -1 "$W/audit/releases.log")"
fi

# Played as whoever edits VM configs: a changed VM, and a second VM that
# reaches for the first one's key file.
pve_vm 1024 "$PVE_KEY" >"$PVE_CONF"
if ! "$PVE_HOOK" "$PVE_VMID" pre-start >"$W/pve-changed.out" 2>&1 &&
  grep -q "not released: memory 1048576 KiB exceeds the policy's memory_kib_max" "$W/pve-changed.out" && [[ ! -e $PVE_KEY ]]; then
  ok "VM $PVE_VMID given more memory after its seal: refused ($(grep -o "memory 1048576 KiB exceeds[^;]*" "$W/pve-changed.out" | cut -c1-70)…), no key file"
else
  bad "the changed VM was not refused: $(cat "$W/pve-changed.out")"
fi
PVE_OTHER=$((PVE_VMID + 1))
sed -e "s/^smbios1: uuid=.*/smbios1: uuid=$(cat /proc/sys/kernel/random/uuid)/" "$PVE_CONF" >"$PVE_DIR/qemu-server/$PVE_OTHER.conf"
if ! "$PVE_HOOK" "$PVE_OTHER" pre-start >"$W/pve-other.out" 2>&1 && grep -q "another VM's key file" "$W/pve-other.out"; then
  ok "VM $PVE_OTHER naming VM $PVE_VMID's key file in its args: refused at pre-start"
else
  bad "VM $PVE_OTHER reaching for another VM's key was not refused: $(cat "$W/pve-other.out")"
fi
rm -f "$W/bundles/$PVE_UUID.bundle" "$PVE_IMAGE"
