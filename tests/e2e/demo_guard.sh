#!/usr/bin/env bash
# The demo guard (e2e.demo): runs the README's first command,
# scripts/demo.sh, in a tree of its own — this checkout's tracked files as
# they are in the work tree, nothing built — so it fails whenever the demo
# would from a fresh clone: a binary the demo runs but does not build, a
# file it needs that is not in git, a step that fails. The demo runs the
# launch-gate scenarios on SQLite, so this is also e2e.launch_gate.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
[[ $EUID -eq 0 ]] || { echo "demo_guard: needs root (the demo installs packages, runs libvirtd)"; exit 77; }
git -C "$ROOT" rev-parse --git-dir >/dev/null 2>&1 ||
  { echo "demo_guard: $ROOT is not a git checkout: cannot tell a clean tree"; exit 77; }

T=$(mktemp -d /var/tmp/vouch-demo-guard.XXXXXX)
trap 'rm -rf "$T"' EXIT
# Tracked files only (an untracked file the demo needs fails here as in a
# clone); a tracked file deleted in the work tree is skipped.
(cd "$ROOT" && git ls-files -z | tar --null -T - --ignore-failed-read -cf - 2>/dev/null) | tar -xf - -C "$T"
[[ ! -e $T/build ]] || { echo "demo_guard: the copied tree has a build/ directory"; exit 1; }

rc=0
(cd "$T" && bash scripts/demo.sh) >"$T/demo.out" 2>&1 || rc=$?
summary=$(grep -E '^[0-9]+ passed, [0-9]+ failed$' "$T/demo.out" | tail -1 || true)
if [[ $rc -eq 0 && $summary =~ ^[1-9][0-9]*\ passed,\ 0\ failed$ ]]; then
  grep -E '^(ok|FAIL)' "$T/demo.out" | sed 's/^/demo: /'
  echo "demo_guard: scripts/demo.sh in a clean tree exited 0: $summary"
else
  cat "$T/demo.out"
  echo "demo_guard: scripts/demo.sh in a clean tree failed (exit $rc${summary:+, $summary})"
  exit 1
fi
