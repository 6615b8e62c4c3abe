# OpenStack nova's path (DESIGN §5 "Bundle file"), sourced by launch_gate.sh
# after the hook is installed. Nova writes each instance's domain XML
# itself — its own <metadata> (nova's namespace), no room for vouch's — and
# rewrites it on every hard reboot or migration. So the owner seals with
# `vouch seal --xml FILE --bundle-out FILE`, the operator puts the bundle at
# bundle_dir/<uuid>.bundle, and the hook finds it by the domain's UUID. The
# domain here is shaped as nova defines one (instance-XXXXXXXX, nova's
# metadata); the guest reads its decrypted disk, then nova "rewrites" the
# XML and the next start is released all the same.
# Uses launch_gate.sh's variables and helpers (W, VOUCH, ROOT, LEDGER, …).

NOVA_NAME=instance-$(printf '%08x' $(($$ % 4294967296)))
NOVA_UUID=$(cat /proc/sys/kernel/random/uuid)
NOVA_DIR=$W/nova
NOVA_SERIAL=$NOVA_DIR/$NOVA_NAME.serial.log
NOVA_MARKER="nova-$MARKER"
say "OpenStack nova: $NOVA_NAME with nova's metadata and none of vouch's; its bundle at bundle_dir/<uuid>.bundle"
mkdir -p "$NOVA_DIR" "$W/nova-content" && echo "$NOVA_MARKER" >"$W/nova-content/marker"
ln -sf "$W/guest/vmlinuz" "$NOVA_DIR/vmlinuz"
ln -sf "$W/guest/initrd.img" "$NOVA_DIR/initrd.img"
mke2fs -q -t ext2 -d "$W/nova-content" "$W/nova-disk.raw" 4M >/dev/null
# nova_metadata NAME: the <metadata> nova writes (nova/virt/libvirt/config.py).
nova_metadata() {
  cat <<XML
  <metadata>
    <nova:instance xmlns:nova="http://openstack.org/xmlns/libvirt/nova/1.1">
      <nova:package version="27.1.0"/>
      <nova:name>$1</nova:name>
      <nova:creationTime>$(date -u '+%Y-%m-%d %H:%M:%S')</nova:creationTime>
      <nova:flavor name="m1.tiny"><nova:memory>256</nova:memory><nova:disk>1</nova:disk><nova:swap>0</nova:swap><nova:ephemeral>0</nova:ephemeral><nova:vcpus>1</nova:vcpus></nova:flavor>
      <nova:owner><nova:user uuid="6f0c4a1e0b2d4c0e9a8b7c6d5e4f3a2b">demo</nova:user><nova:project uuid="0a1b2c3d4e5f60718293a4b5c6d7e8f9">demo</nova:project></nova:owner>
    </nova:instance>
  </metadata>
XML
}
nova_metadata vouch-e2e >"$W/nova-metadata.xml"
bash "$ROOT/vm-images/render-domain.sh" "$NOVA_NAME" "$NOVA_UUID" "$NOVA_DIR" "$(cat /proc/sys/kernel/random/uuid)" |
  sed "/<\/uuid>/r $W/nova-metadata.xml" >"$W/nova.xml"
NOVA_DISK=$(sed -n "s/.*<source file='\([^']*\.luks\)'.*/\1/p" "$W/nova.xml" | sed -n 1p)
# Nova defines the instance; the owner seals the XML libvirt holds for it
# (with libvirt's defaults filled in, which the hook will see at start).
virsh -q define "$W/nova.xml" >/dev/null
virsh dumpxml --inactive "$NOVA_NAME" >"$W/nova-defined.xml"
if grep -q "openstack.org/xmlns/libvirt/nova/1.1" "$W/nova-defined.xml" && ! grep -q "urn:vouch:domain:1" "$W/nova-defined.xml"; then
  ok "$NOVA_NAME defined with nova's metadata and no vouch metadata"
else
  bad "the nova-shaped domain's XML: $(grep -c metadata "$W/nova-defined.xml") metadata lines"
fi
mkdir -p "$W/bundles"
if "$VOUCH" seal --xml "$W/nova-defined.xml" --bundle-out "$W/bundles/$NOVA_UUID.bundle" --ledger "$LEDGER" \
  --genesis "$GENESIS" --validator-count 5 --threshold 3 --owner-key "$W/owner.pem" --image "$NOVA_DISK" \
  --from-raw "$W/nova-disk.raw" --pcrs 0,1,2,3,4,5,6,7 --pcrs-from-tpm "$TCTI" --host "$HOST_DID" \
  "${OWNER_ACCESS[@]}" >"$W/nova-seal.out" 2>&1; then
  ok "sealed $NOVA_NAME with --xml: the bundle is a file ($(stat -c %s "$W/bundles/$NOVA_UUID.bundle") bytes), the XML untouched"
else
  bad "vouch seal --xml --bundle-out: $(cat "$W/nova-seal.out")"
fi
rm -f "$W/nova-disk.raw"
if virsh start "$NOVA_NAME" >"$W/nova-start.out" 2>&1 &&
  vouch_wait_for 120 grep -q "VOUCH-MARKER: $NOVA_MARKER" "$NOVA_SERIAL"; then
  ok "$NOVA_NAME (nova's metadata, no vouch metadata) released through bundle_dir: the guest read its decrypted disk"
else
  bad "the nova-shaped domain: $(tr '\n' ' ' <"$W/nova-start.out"); $(tail -2 "$NOVA_SERIAL" 2>/dev/null)"
fi
vouch_wait_for 90 sh -c "virsh domstate '$NOVA_NAME' | grep -q 'shut off'" || virsh -q destroy "$NOVA_NAME" >/dev/null 2>&1 || true
# Nova rewrites the XML (a hard reboot regenerates it, here with another
# display name and creation time): the bundle is found by the UUID still.
nova_metadata vouch-e2e-renamed >"$W/nova-metadata.xml"
sed -e '/<metadata>/,/<\/metadata>/d' -e "/<\/uuid>/r $W/nova-metadata.xml" "$W/nova.xml" >"$W/nova-rewritten.xml"
virsh -q define "$W/nova-rewritten.xml" >/dev/null
virsh dumpxml --inactive "$NOVA_NAME" >"$W/nova-redefined.xml"
if grep -q "vouch-e2e-renamed" "$W/nova-redefined.xml" && virsh start "$NOVA_NAME" >"$W/nova-start2.out" 2>&1; then
  ok "after nova rewrote its XML, $NOVA_NAME is released again (the bundle found by UUID $NOVA_UUID)"
else
  bad "the rewritten nova domain: $(tr '\n' ' ' <"$W/nova-start2.out")"
fi
virsh -q destroy "$NOVA_NAME" >/dev/null 2>&1 || true
virsh -q undefine "$NOVA_NAME" >/dev/null 2>&1 || true
rm -f "$W/bundles/$NOVA_UUID.bundle"
