# Shared by the observability tests: start vouchd_traffic (a real vouchd
# after known traffic, vouchd_traffic.cc) in a fresh directory and wait for
# its info.json. Sets W (the directory), TRAFFIC_PID and URL; an EXIT trap
# stops vouchd and removes W. Needs TRAFFIC and VOUCHD set.
W=$(mktemp -d "${TMPDIR:-/tmp}/vouch-obs.XXXXXX")
TRAFFIC_PID=
obs_cleanup() {
  if [[ -n $TRAFFIC_PID ]]; then
    kill "$TRAFFIC_PID" 2>/dev/null || true
    wait "$TRAFFIC_PID" 2>/dev/null || true
  fi
  rm -rf "$W"
}
trap obs_cleanup EXIT

obs_start() {
  "$TRAFFIC" "$VOUCHD" "$W" >"$W/traffic.out" 2>&1 &
  TRAFFIC_PID=$!
  for _ in $(seq 1 300); do
    [[ -f $W/info.json ]] && break
    if ! kill -0 "$TRAFFIC_PID" 2>/dev/null; then
      echo "FAIL: vouchd_traffic exited: $(cat "$W/traffic.out")"
      cat "$W/vouchd.log" 2>/dev/null
      exit 1
    fi
    sleep 0.1
  done
  [[ -f $W/info.json ]] || { echo "FAIL: no info.json within 30 s: $(cat "$W/traffic.out")"; exit 1; }
  URL=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["url"])' "$W/info.json")
}

# Stops vouchd_traffic (and so vouchd); fails unless both stopped cleanly.
obs_stop() {
  kill "$TRAFFIC_PID"
  local rc=0
  wait "$TRAFFIC_PID" || rc=$?
  TRAFFIC_PID=
  [[ $rc -eq 0 ]] || { echo "FAIL: vouchd did not stop cleanly (exit $rc): $(tail -3 "$W/vouchd.log")"; exit 1; }
}
