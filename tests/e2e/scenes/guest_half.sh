# The guest half (DESIGN §2 "Run"), sourced by launch_gate.sh after its
# set-up (ledger, five validators, the enrolled host, the hook installed):
# a second protected domain boots through OVMF with a vTPM, vouch-shim in
# the guest drives a re-attestation round every 2 s over the channel
# org.vouch.attest.0, vouch-agent (on libvirt's events) relays each round
# to the validators, and the guest keeps the endorsed VC. Then the guest's
# measured state changes (PCR 9 of its vTPM extended from inside, through the
# test guest's control port org.vouch.test.0): the validators refuse and
# report it, the ledger revokes the launch, the agent pauses the domain.
# Uses launch_gate.sh's variables and helpers (W, VOUCH, BUILD, LEDGER, …).

GNAME=vouch-guest-$$
GUUID=$(cat /proc/sys/kernel/random/uuid)
GSECRET_UUID=$(cat /proc/sys/kernel/random/uuid)
GDIR=$W/gguest
GSERIAL=$GDIR/$GNAME.serial.log
GCHANNEL=$W/g-attest.sock
GCONTROL=$W/g-control.sock

say "The guest half: an OVMF guest with a vTPM and vouch-shim, re-attesting every 2 s through vouch-agent"
mkdir -p "$GDIR"
mkdir -p "$W/gcontent" && echo "guest-$MARKER" >"$W/gcontent/marker"
mke2fs -q -t ext2 -d "$W/gcontent" "$W/gdisk.raw" 4M >/dev/null
# The test guest's control port beside the attestation channel, and the
# shim every 2 s, the control hooks and a guest that stays up.
bash "$ROOT/vm-images/render-domain.sh" --protected "$GCHANNEL" "$GNAME" "$GUUID" "$GDIR" "$GSECRET_UUID" |
  sed -e "s|<cmdline>\([^<]*\)</cmdline>|<cmdline>\1 vouch.shim=2s vouch.control=1 vouch.hold=600</cmdline>|" \
      -e "s|\(    <channel type='unix'>\)|    <channel type='unix'><source mode='bind' path='$GCONTROL'/><target type='virtio' name='org.vouch.test.0'/></channel>\n\1|" \
      >"$W/gdomain.xml"
GDISK=$(sed -n "s/.*<source file='\([^']*\.luks\)'.*/\1/p" "$W/gdomain.xml" | sed -n 1p)
virsh -q define "$W/gdomain.xml" >/dev/null
# --reattest 2 --grace 5: a lease of 10 s after each round (and the guest's
# boot allowance of 5m before the first); the guest's vTPM PCRs 0 and 9
# (OVMF's measurements, initrd and command line) are held to the first report.
if "$VOUCH" seal --domain "$GNAME" --ledger "$LEDGER" --genesis "$GENESIS" --validator-count 5 --threshold 3 \
  --owner-key "$W/owner.pem" --image "$GDISK" --from-raw "$W/gdisk.raw" \
  --pcrs 0,1,2,3,4,5,6,7 --pcrs-from-tpm "$TCTI" --host "$HOST_DID" \
  --on-drift pause --reattest 2 --grace 5 --guest-pcrs 0,9 --guest-action none --guest-boot 5m \
  "${OWNER_ACCESS[@]}" >"$W/gseal.out" 2>&1; then
  ok "sealed $GNAME with a guest section: $(grep -o 'vouch-shim quotes vTPM PCRs [0-9,]*' "$W/gseal.out")"
else
  bad "vouch seal --guest-pcrs: $(cat "$W/gseal.out")"
fi
[[ -n $DEMO ]] && sed 's/^/   /' "$W/gseal.out"
rm -f "$W/gdisk.raw"
OWNER_DID=$(sed -n 's/.*shim.conf: owner = \([^,]*\), domain.*/\1/p' "$W/gseal.out")
# shim.conf goes into the initrd (measured with it into the guest's PCR 9).
cat >"$W/shim.conf" <<CONF
owner = $OWNER_DID
domain = $GUUID
timeout = 20s
action = none
CONF
VOUCH_SHIM=$BUILD/guest-shim/vouch-shim VOUCH_SHIM_CONF=$W/shim.conf bash "$ROOT/vm-images/build-guest.sh" "$GDIR" >/dev/null
note "the guest's initrd holds vouch-shim and its shim.conf (owner $OWNER_DID)"

"$BUILD/cli/vouch-agent" --config "$W/hook.conf" 2>"$W/agent.log" &
AGENT_PID=$!
PIDS+=("$AGENT_PID")
vouch_wait_for 10 grep -q "running" "$W/agent.log" && ok "vouch-agent follows libvirt's events (pid $AGENT_PID)" ||
  bad "vouch-agent did not start: $(cat "$W/agent.log")"

t0=$(date +%s)
rm -f "$GSERIAL"
if virsh start "$GNAME" >"$W/gstart.out" 2>&1 && vouch_wait_for 180 grep -q "VOUCH-MARKER: guest-$MARKER" "$GSERIAL"; then
  ok "$GNAME released through the hook and booted through OVMF: it read its decrypted disk ($(($(date +%s) - t0)) s)"
else
  bad "$GNAME did not start: $(cat "$W/gstart.out"); serial: $(grep -v VOUCH-ATTESTATION "$GSERIAL" 2>/dev/null | tail -5)"
fi
# Proof 1: round after round, endorsed by at least t; the kept file verifies.
if vouch_wait_for 120 sh -c "[ \$(grep -c 'VOUCH-SHIM: vouch-shim: attested: endorsed by' '$GSERIAL') -ge 3 ]"; then
  ok "the guest re-attested 3 rounds, each endorsed: $(grep 'attested: endorsed by' "$GSERIAL" | tail -1 | cut -c1-90)…"
else
  bad "fewer than 3 endorsed guest rounds; serial: $(grep 'VOUCH-SHIM' "$GSERIAL" | tail -3); agent: $(tail -3 "$W/agent.log")"
fi
# The last line may still be arriving over the serial console: the one before
# it is whole.
{ grep 'VOUCH-ATTESTATION: ' "$GSERIAL" | tail -2 | head -1 | sed 's/.*VOUCH-ATTESTATION: //' | tr -d '\r' |
  base64 -d >"$W/guest-attestation.cbor"; } 2>/dev/null || true
if "$VOUCH" verify "$W/guest-attestation.cbor" >"$W/gverify.out" 2>&1 && grep -q reattest "$W/gverify.out" &&
  grep -Eq '^[3-5] of [0-9]+ endorsements verify' "$W/gverify.out"; then
  ok "the guest's /run/vouch/attestation.cbor verifies with vouch verify: $(tail -1 "$W/gverify.out")"
else
  bad "the guest's kept attestation does not verify: $(cat "$W/gverify.out")"
fi
if grep -q "domain '$GNAME': guest round [0-9]* re-endorsed by [3-5] of 5" "$W/agent.log" &&
  grep -q "uuid=$GUUID cti=.* verdict=endorsed endorsements=[3-5] guest=yes" "$W/audit/reattest.log"; then
  ok "vouch-agent relayed them: $(grep "guest round" "$W/agent.log" | tail -1 | cut -d' ' -f3-)"
else
  bad "no relayed guest round in the agent's log: $(tail -3 "$W/agent.log")"
fi
# The agent's /metrics counts those rounds, in a format Prometheus accepts.
curl -s "http://$AGENT_METRICS/metrics" >"$W/agent.metrics" || true
if grep -Eq '^vouch_agent_rounds_total\{kind="guest",result="endorsed"\} [1-9]' "$W/agent.metrics" &&
  grep -q '^vouch_agent_domains_attached [1-9]' "$W/agent.metrics" &&
  { ! command -v promtool >/dev/null || promtool check metrics <"$W/agent.metrics" >"$W/promtool.out" 2>&1; }; then
  ok "vouch-agent's /metrics: $(grep -E '^vouch_agent_rounds_total' "$W/agent.metrics" | tr '\n' ' ')$(command -v promtool >/dev/null && echo '(promtool check metrics: ok)')"
else
  bad "vouch-agent's /metrics at $AGENT_METRICS: $(head -c 300 "$W/agent.metrics"; cat "$W/promtool.out" 2>/dev/null)"
fi
"$VOUCH" status "$GNAME" --config "$W/hook.conf" --json >"$W/gstatus.json" 2>&1 || true
if status_json "$W/gstatus.json" 's["state"] == "running" and s["revocations"]["launch"]["revoked"] is False'; then
  ok "nothing revoked while the guest re-attests"
else
  bad "vouch status of the re-attesting guest: $(head -c 400 "$W/gstatus.json")"
fi

# Proof 2: PCR 9 of the guest's vTPM extended inside the guest.
say "Drift inside the guest: PCR 9 of its vTPM extended (the shim's next round carries it)"
# guest_control COMMAND DONE-LINE: sends COMMAND on the guest's control port
# and holds the connection until the guest's serial log shows DONE-LINE
# (QEMU drops what a client sent if it closes before the guest read it).
guest_control() {
  python3 - "$GCONTROL" "$1" "$GSERIAL" "$2" <<'PY'
import socket, sys, time
path, command, serial, done = sys.argv[1:5]
s = socket.socket(socket.AF_UNIX)
s.connect(path)
s.sendall(command.encode() + b"\n")
deadline = time.monotonic() + 30
while time.monotonic() < deadline:
    if done.encode() in open(serial, "rb").read():
        sys.exit(0)
    time.sleep(0.2)
sys.exit(f"the guest did not answer '{command}' within 30 s")
PY
}
# Peak RSS after the endorsed rounds (bench/README: measured here).
guest_control shim-rss "VOUCH-CONTROL: vouch-shim VmHWM" &&
  echo "info: peak RSS (VmHWM): vouch-shim $(grep -ao 'vouch-shim VmHWM:[^k]*kB' "$GSERIAL" | tail -1 | sed 's/.*VmHWM:[[:space:]]*//') in the guest, vouch-agent $(grep VmHWM "/proc/$AGENT_PID/status" | sed 's/VmHWM:[[:space:]]*//') on the host, after $(grep -c 'attested: endorsed by' "$GSERIAL") endorsed rounds"
t0=$(date +%s%N)
guest_control extend-pcr9 "VOUCH-CONTROL: PCR 9 extended" ||
  bad "the guest did not extend PCR 9: $(grep -v VOUCH-ATTESTATION "$GSERIAL" | tail -3)"
if vouch_wait_for 60 sh -c "virsh domstate '$GNAME' | grep -q paused"; then
  ok "on_drift=pause: the domain paused $(awk -v a="$t0" -v b="$(date +%s%N)" 'BEGIN {printf "%.1f s", (b - a) / 1e9}') after the extend (interval 2 s)"
else
  bad "the drifted guest was not paused: $(virsh domstate "$GNAME"); agent: $(tail -3 "$W/agent.log")"
fi
if grep -q "guest PCR 9 changed since the first report" "$W/agent.log" &&
  grep -Eq "uuid=$GUUID verdict=(drift|revoked) on_drift=pause enforced=\"domain paused" "$W/audit/reattest.log"; then
  ok "the validators named it: $(grep -o "[^;(]*guest PCR 9 changed since the first report[^;)]*" "$W/agent.log" | head -1)"
else
  bad "no guest drift verdict in the agent's log: $(tail -3 "$W/agent.log")"
fi
if vouch_wait_for 30 sh -c "'$VOUCH' status '$GNAME' --config '$W/hook.conf' --json >'$W/gstatus2.json' 2>&1; python3 -c 'import json,sys; sys.exit(0 if json.load(open(sys.argv[1]))[\"revocations\"][\"launch\"][\"revoked\"] else 1)' '$W/gstatus2.json'"; then
  ok "the launch credential is revoked on the ledger $(awk -v a="$t0" -v b="$(date +%s%N)" 'BEGIN {printf "%.1f s", (b - a) / 1e9}') after the extend"
else
  bad "the drifted guest's launch was not revoked: $(head -c 400 "$W/gstatus2.json")"
fi

kill "$AGENT_PID" 2>/dev/null
vouch_wait_for 10 sh -c "! kill -0 $AGENT_PID 2>/dev/null" && grep -q "SIGTERM: stopping" "$W/agent.log" &&
  ok "vouch-agent stopped on SIGTERM" || bad "vouch-agent did not stop on SIGTERM: $(tail -2 "$W/agent.log")"
virsh -q destroy "$GNAME" >/dev/null 2>&1 || true

# Proofs 6, 7 and 5: a second guest (the first is quarantined now), whose
# policy powers the guest off past the grace.
G2NAME=vouch-guest2-$$
G2UUID=$(cat /proc/sys/kernel/random/uuid)
G2DIR=$W/gguest2
G2SERIAL=$G2DIR/$G2NAME.serial.log
G2CONTROL=$W/g2-control.sock
say "A host that stops re-attesting: vouch-agent restarted (no false drift), then stopped for good"
mkdir -p "$G2DIR" "$W/g2content" && echo "guest2-$MARKER" >"$W/g2content/marker"
mke2fs -q -t ext2 -d "$W/g2content" "$W/g2disk.raw" 4M >/dev/null
bash "$ROOT/vm-images/render-domain.sh" --protected "$W/g2-attest.sock" "$G2NAME" "$G2UUID" "$G2DIR" \
  "$(cat /proc/sys/kernel/random/uuid)" |
  sed -e "s|<cmdline>\([^<]*\)</cmdline>|<cmdline>\1 vouch.shim=2s vouch.control=1 vouch.hold=600</cmdline>|" \
      -e "s|\(    <channel type='unix'>\)|    <channel type='unix'><source mode='bind' path='$G2CONTROL'/><target type='virtio' name='org.vouch.test.0'/></channel>\n\1|" \
      >"$W/g2domain.xml"
virsh -q define "$W/g2domain.xml" >/dev/null
if "$VOUCH" seal --domain "$G2NAME" --ledger "$LEDGER" --genesis "$GENESIS" --validator-count 5 --threshold 3 \
  --owner-key "$W/owner.pem" --image "$(sed -n "s/.*<source file='\([^']*\.luks\)'.*/\1/p" "$W/g2domain.xml" | sed -n 1p)" \
  --from-raw "$W/g2disk.raw" --pcrs 0,1,2,3,4,5,6,7 --pcrs-from-tpm "$TCTI" --host "$HOST_DID" \
  --on-drift pause --reattest 2 --grace 5 --guest-pcrs 0,9 --guest-action poweroff --guest-boot 5m \
  --bundle-out "$W/g2.bundle" "${OWNER_ACCESS[@]}" >"$W/g2seal.out" 2>&1; then
  ok "sealed $G2NAME: past the grace its shim powers the guest off"
else
  bad "vouch seal of $G2NAME: $(cat "$W/g2seal.out")"
fi
rm -f "$W/g2disk.raw"
# A short round deadline, so a silent host is noticed within the grace.
printf 'owner = %s\ndomain = %s\ntimeout = 4s\naction = none\n' "$OWNER_DID" "$G2UUID" >"$W/shim2.conf"
VOUCH_SHIM=$BUILD/guest-shim/vouch-shim VOUCH_SHIM_CONF=$W/shim2.conf bash "$ROOT/vm-images/build-guest.sh" "$G2DIR" >/dev/null

start_agent() {  # start_agent LOG: vouch-agent in the background, AGENT_PID
  "$BUILD/cli/vouch-agent" --config "$W/hook.conf" 2>"$1" &
  AGENT_PID=$!
  PIDS+=("$AGENT_PID")
  vouch_wait_for 10 grep -q "running" "$1"
}
endorsed_rounds() { grep -c "domain '$G2NAME': guest round [0-9]* re-endorsed" "$1" 2>/dev/null || true; }
# relaunch_guest2 NAME REASON: governance lifts $G2NAME's quarantine (REASON),
# vouch-agent starts (log $W/NAME.log), then $G2NAME starts and has a round
# endorsed.
relaunch_guest2() {
  "$VOUCH" reinstate "$HOST_DID" "$G2UUID" --reason "$2" --ledger "$LEDGER" --genesis "$GENESIS" \
    --key "$W/governance.pem" --cosign "$W/governance2.pem" "${GOV_ACCESS[@]}" >"$W/$1-reinstate.out" 2>&1
  start_agent "$W/$1.log"
  if virsh start "$G2NAME" >"$W/$1-start.out" 2>&1 &&
    vouch_wait_for 180 sh -c "[ \$(grep -c \"domain '$G2NAME': guest round [0-9]* re-endorsed\" '$W/$1.log') -ge 1 ]"; then
    ok "$G2NAME relaunched (quarantine lifted by governance: $2) and re-attests: $(endorsed_rounds "$W/$1.log") rounds endorsed"
  else
    bad "$G2NAME was not relaunched ($2): $(cat "$W/$1-reinstate.out" "$W/$1-start.out" | tail -2); $(tail -2 "$W/$1.log")"
  fi
}
start_agent "$W/agent2.log"
if virsh start "$G2NAME" >"$W/g2start.out" 2>&1 &&
  vouch_wait_for 180 sh -c "[ \$(grep -c 'attested: endorsed by' '$G2SERIAL') -ge 2 ]"; then
  ok "$G2NAME booted and re-attests: $(endorsed_rounds "$W/agent2.log") rounds endorsed"
else
  bad "$G2NAME did not start re-attesting: $(cat "$W/g2start.out"); $(tail -2 "$W/agent2.log")"
fi
# Proof 7: the agent restarted while the guest runs: it re-attaches at start
# (not by an event) and the next rounds pass against the kept baseline.
kill "$AGENT_PID"; vouch_wait_for 10 sh -c "! kill -0 $AGENT_PID 2>/dev/null"
start_agent "$W/agent3.log"
if vouch_wait_for 60 sh -c "[ \$(grep -c \"domain '$G2NAME': guest round [0-9]* re-endorsed\" '$W/agent3.log') -ge 2 ]" &&
  grep -q "domain '$G2NAME' attached: guest relay" "$W/agent3.log" &&
  ! grep -q "uuid=$G2UUID .*verdict=drift" "$W/audit/reattest.log"; then
  ok "vouch-agent restarted: re-attached to the running guest, $(endorsed_rounds "$W/agent3.log") rounds endorsed since, no false drift"
else
  bad "after an agent restart: $(tail -3 "$W/agent3.log")"
fi
# Proof 6: the agent stopped for good: the validators' leases run out and
# they report the launch; inside the guest the shim runs its action.
kill "$AGENT_PID"; vouch_wait_for 10 sh -c "! kill -0 $AGENT_PID 2>/dev/null"
t0=$(date +%s%N)
if vouch_wait_for 60 sh -c "'$VOUCH' status '$G2NAME' --config '$W/hook.conf' --json >'$W/g2status.json' 2>&1; python3 -c 'import json,sys; r=json.load(open(sys.argv[1]))[\"revocations\"][\"launch\"]; sys.exit(0 if r[\"revoked\"] and \"missed re-attestation deadline\" in r[\"reason\"] else 1)' '$W/g2status.json'"; then
  ok "the validators reported the silent launch: revoked $(awk -v a="$t0" -v b="$(date +%s%N)" 'BEGIN {printf "%.1f s", (b - a) / 1e9}') after the agent stopped (lease 2 s x 5)"
else
  bad "no missed-deadline revocation of $G2NAME: $(head -c 400 "$W/g2status.json")"
fi
if vouch_wait_for 90 sh -c "virsh domstate '$G2NAME' | grep -q 'shut off'" &&
  grep -q "VOUCH-SHIM: vouch-shim: past the grace by [0-9]* s: action poweroff" "$G2SERIAL"; then
  ok "inside the guest, vouch-shim powered it off past the grace $(awk -v a="$t0" -v b="$(date +%s%N)" 'BEGIN {printf "%.1f s", (b - a) / 1e9}') after the agent stopped"
else
  bad "the unattested guest kept running: $(virsh domstate "$G2NAME"); $(grep 'VOUCH-SHIM' "$G2SERIAL" | grep -v ATTESTATION | tail -2)"
fi
# Proof 5's end: destroy + start does not evade it (quarantine).
virsh -q destroy "$G2NAME" >/dev/null 2>&1 || true
if ! virsh start "$G2NAME" >"$W/g2restart.out" 2>&1 && grep -q "quarantined for domain $G2UUID" "$W/g2restart.out" &&
  [[ $(virsh domstate "$G2NAME") == "shut off" ]]; then
  ok "relaunch refused: $(grep -o "host '[^']*' is quarantined for domain [^:]*" "$W/g2restart.out" | head -1 | cut -c1-90)…"
else
  bad "the relaunch of the silent guest was not refused as quarantined (state: $(virsh domstate "$G2NAME" 2>&1)): $(cat "$W/g2restart.out")"
fi
# Until reinstated: the validators' reports named the domain's owner (the
# key that signed its policy), so the owner alone may lift the quarantine —
# through a validator, as its ledger access only reads — and the very same
# domain starts again (its new launch is appraised as any). The host may not.
if ! "$VOUCH" reinstate "$HOST_DID" "$G2UUID" --reason "trust me (e2e)" --ledger "$LEDGER" --genesis "$GENESIS" \
  --key "$W/host/host.key" --ledger-append validators "${HOST_ACCESS[@]}" >"$W/g2reinstate-host.out" 2>&1 &&
  grep -q "which is neither a governance key nor its owner" "$W/g2reinstate-host.out"; then
  ok "the quarantined host cannot lift its own quarantine: $(grep -o "which is neither a governance key nor its owner[^;]*" "$W/g2reinstate-host.out" | head -1 | cut -c1-90)…"
else
  bad "the host's own reinstatement was not refused: $(cat "$W/g2reinstate-host.out")"
fi
if "$VOUCH" reinstate "$HOST_DID" "$G2UUID" --reason "host checked (e2e)" --ledger "$LEDGER" --genesis "$GENESIS" \
  --key "$W/owner.pem" --ledger-append validators "${OWNER_ACCESS[@]}" >"$W/g2reinstate.out" 2>&1 &&
  grep -q "no longer quarantined for domain $G2UUID" "$W/g2reinstate.out" &&
  virsh start "$G2NAME" >"$W/g2relaunch.out" 2>&1; then
  ok "the domain's owner lifted the quarantine (vouch reinstate, owner key, through a validator): $G2NAME starts again ($(virsh domstate "$G2NAME" | head -1))"
else
  bad "owner reinstate + start of $G2NAME: $(cat "$W/g2reinstate.out" "$W/g2relaunch.out" 2>/dev/null | tail -3 | tr '\n' ' ')"
fi

# Proof 3: host-side drift while the guest runs. A virtio-serial channel
# hot-plugged through libvirt (a new path into the guest) changes the live
# domain XML: the next round's config digest differs from the launch
# baseline, the validators report it, the agent pauses the domain.
say "Host-side drift while running: a channel hot-plugged into $G2NAME through libvirt"
start_agent "$W/agent4.log"
if vouch_wait_for 180 sh -c "[ \$(grep -c \"domain '$G2NAME': guest round [0-9]* re-endorsed\" '$W/agent4.log') -ge 1 ]"; then
  ok "the relaunched $G2NAME re-attests: $(endorsed_rounds "$W/agent4.log") rounds endorsed"
else
  bad "the relaunched $G2NAME did not re-attest: $(tail -3 "$W/agent4.log")"
fi
cat >"$W/hotplug-channel.xml" <<XML
<channel type='unix'>
  <source mode='bind' path='$W/g2-hotplug.sock'/>
  <target type='virtio' name='org.example.hotplug.0'/>
</channel>
XML
t0=$(date +%s%N)
if virsh attach-device "$G2NAME" "$W/hotplug-channel.xml" --live >"$W/hotplug.out" 2>&1 &&
  vouch_wait_for 60 sh -c "virsh domstate '$G2NAME' | grep -q paused"; then
  ok "on_drift=pause: $G2NAME paused $(awk -v a="$t0" -v b="$(date +%s%N)" 'BEGIN {printf "%.1f s", (b - a) / 1e9}') after the hot-plug (interval 2 s)"
else
  bad "the hot-plug was not enforced: $(cat "$W/hotplug.out"); $(virsh domstate "$G2NAME"); agent: $(tail -3 "$W/agent4.log")"
fi
# The policy pins the domain's devices, so the validators name the new one
# (a device the policy allows would change the config digest: "differs
# from the launch baseline").
if grep -Eq "channel:org.example.hotplug.0' is not in the policy's devices_allowed|differs from the launch baseline" "$W/agent4.log" &&
  grep -Eq "uuid=$G2UUID verdict=(drift|revoked) on_drift=pause enforced=\"domain paused" "$W/audit/reattest.log"; then
  ok "the validators named it: $(grep -Eo "device 'channel:org.example.hotplug.0' is not in the policy's devices_allowed|domain config digest [^;(]*differs from the launch baseline" "$W/agent4.log" | head -1)"
else
  bad "no config drift verdict in the agent's log: $(tail -3 "$W/agent4.log")"
fi
kill "$AGENT_PID" 2>/dev/null; vouch_wait_for 10 sh -c "! kill -0 $AGENT_PID 2>/dev/null"
virsh -q destroy "$G2NAME" >/dev/null 2>&1 || true

# Proof 5: the shim killed inside the guest while the agent runs. No round
# comes, so the validators' leases run out and they report the launch; the
# agent (on the ledger) enforces the revocation; destroy + start is refused.
say "The shim killed inside $G2NAME: the validators report the missed deadline, vouch-agent pauses it"
relaunch_guest2 agent6 "after the hot-plug (e2e)"
t0=$(date +%s%N)
GCONTROL=$G2CONTROL GSERIAL=$G2SERIAL guest_control stop-shim "VOUCH-CONTROL: shim stopped" ||
  bad "the guest did not stop its shim: $(grep -v VOUCH-ATTESTATION "$G2SERIAL" | tail -3)"
if vouch_wait_for 60 sh -c "virsh domstate '$G2NAME' | grep -q paused" &&
  grep -q "domain '$G2NAME': launch cti:[0-9a-f]* is revoked on the ledger; on_drift=pause: domain paused" "$W/agent6.log"; then
  ok "no round after the shim stopped: the launch revoked on the ledger and $G2NAME paused by vouch-agent $(awk -v a="$t0" -v b="$(date +%s%N)" 'BEGIN {printf "%.1f s", (b - a) / 1e9}') later (lease 2 s x 5)"
else
  bad "the silent guest was not paused: $(virsh domstate "$G2NAME"); agent: $(tail -3 "$W/agent6.log")"
fi
"$VOUCH" status "$G2NAME" --config "$W/hook.conf" --json >"$W/g2status5.json" 2>&1
if python3 -c 'import json,sys; r=json.load(open(sys.argv[1]))["revocations"]["launch"]; sys.exit(0 if r["revoked"] and "missed re-attestation deadline" in r["reason"] else 1)' "$W/g2status5.json"; then
  ok "the reason on the ledger: a missed re-attestation deadline"
else
  bad "no missed-deadline revocation of the silent guest's launch: $(head -c 400 "$W/g2status5.json")"
fi
kill "$AGENT_PID" 2>/dev/null; vouch_wait_for 10 sh -c "! kill -0 $AGENT_PID 2>/dev/null"
virsh -q destroy "$G2NAME" >/dev/null 2>&1 || true
if ! virsh start "$G2NAME" >"$W/g2restart5.out" 2>&1 && grep -q "quarantined for domain $G2UUID" "$W/g2restart5.out"; then
  ok "destroy + start after the shim stopped: refused as quarantined"
else
  bad "the relaunch after the shim stopped was not refused as quarantined: $(cat "$W/g2restart5.out")"
  virsh -q destroy "$G2NAME" >/dev/null 2>&1 || true
fi

# The owner's own revocation: the owner reinstates the host, the domain
# starts, and the owner revokes that launch with the proof that it is its
# domain's (the launch VC and its policy, from the bundle it sealed): at
# once, and the host is quarantined for the domain under the owner's name.
say "The domain's owner revokes its own running launch of $G2NAME"
owner_ledger() { "$@" --ledger "$LEDGER" --genesis "$GENESIS" --key "$W/owner.pem" --ledger-append validators \
  "${OWNER_ACCESS[@]}"; }
if owner_ledger "$VOUCH" reinstate "$HOST_DID" "$G2UUID" --reason "checked again (e2e)" >"$W/g2reinstate6.out" 2>&1 &&
  virsh start "$G2NAME" >"$W/g2start6.out" 2>&1 &&
  owner_ledger "$VOUCH" revoke credential "$W/audit/$G2UUID.launch.cbor" --policy "$W/g2.bundle" \
    --reason "owner's order: moving the workload (e2e)" >"$W/g2owner-revoke.out" 2>&1 &&
  grep -Eq "^cti:[0-9a-f]{32} is revoked$" "$W/g2owner-revoke.out"; then
  ok "the owner revoked its launch at once (its key, --policy, through a validator): $(grep -E "^cti:" "$W/g2owner-revoke.out")"
else
  bad "the owner's revocation: $(cat "$W/g2reinstate6.out" "$W/g2start6.out" "$W/g2owner-revoke.out" 2>/dev/null | tail -3 | tr '\n' ' ')"
fi
"$VOUCH" status "$G2NAME" --config "$W/hook.conf" >"$W/g2status6.txt" 2>&1 || true
OWNER_DID=$("$VOUCH" ledger did "$W/owner.pem")
if grep -q "^launch cti:.*: REVOKED (.*owner's order: moving the workload" "$W/g2status6.txt" &&
  grep -q "lifted by: its owner $OWNER_DID" "$W/g2status6.txt"; then
  ok "vouch status: $(grep -m1 '^launch cti:' "$W/g2status6.txt" | cut -c1-120)…; quarantine $(grep -m1 'lifted by:' "$W/g2status6.txt" | sed 's/^ *//' | cut -c1-60)…"
else
  bad "vouch status after the owner's revocation: $(cat "$W/g2status6.txt")"
fi
virsh -q destroy "$G2NAME" >/dev/null 2>&1 || true
if ! virsh start "$G2NAME" >"$W/g2restart6.out" 2>&1 && grep -q "quarantined for domain $G2UUID" "$W/g2restart6.out" &&
  grep -q "until its owner '$OWNER_DID' or governance reinstates it" "$W/g2restart6.out"; then
  ok "destroy + start after the owner's revocation: refused as quarantined, until the owner or governance reinstates"
else
  bad "the relaunch after the owner's revocation was not refused as quarantined: $(cat "$W/g2restart6.out")"
  virsh -q destroy "$G2NAME" >/dev/null 2>&1 || true
fi
