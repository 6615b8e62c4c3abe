#!/usr/bin/env bash
# Issue 6 bench (a) and (c): `virsh start` of a vouch-protected domain (the
# hook attests the host to 5 vouchd, 3 release) against the same domain with
# a statically defined libvirt secret, interleaved in one run; p50/p95 and
# the overhead as a difference and a ratio; peak RSS of vouch-hook during a
# protected start and of each vouchd. Needs root and a built tree; starts
# and stops its own services like the end-to-end test it reuses.
#   bench/virsh_start_overhead.sh [BUILD_DIR] [RUNS]
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
exec bash "$ROOT/tests/e2e/launch_gate.sh" "${1:-$ROOT/build}" --bench "${2:-10}"
