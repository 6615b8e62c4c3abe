#!/usr/bin/env bash
# launch_gate.sh (the demo's script) refuses a build that lacks a binary it
# runs at once, in one line naming the binary and the command that builds
# it, exit 1 — rather than failing half-way through the story.
set -uo pipefail
GATE="$(dirname "$0")/launch_gate.sh"
EMPTY=$(mktemp -d)
trap 'rm -rf "$EMPTY"' EXIT
out=$(bash "$GATE" "$EMPTY" 2>&1); rc=$?
echo "$out"
[[ $rc -eq 1 && $(wc -l <<<"$out") -eq 1 && $out == "launch_gate: $EMPTY/cli/vouch is not built (ninja -C $EMPTY cli/vouch)" ]] ||
  { echo "FAIL: wanted exit 1 and one line naming cli/vouch; got exit $rc"; exit 1; }
# Every declared binary is checked, not only the first.
mkdir -p "$EMPTY/cli" && printf '#!/bin/sh\n' >"$EMPTY/cli/vouch" && chmod +x "$EMPTY/cli/vouch"
second=$(bash "$GATE" --needs | sed -n 2p)
out=$(bash "$GATE" "$EMPTY" 2>&1); rc=$?
[[ $rc -eq 1 && $out == *"$second is not built"* ]] ||
  { echo "FAIL: the second binary was not checked: exit $rc: $out"; exit 1; }
[[ $(bash "$GATE" --needs | wc -l) -ge 5 ]] || { echo "FAIL: --needs lists fewer than 5 binaries"; exit 1; }
echo "ok: missing binaries refused in one line"
