#!/usr/bin/env bash
# The vouch demo, on embedded defaults and real parts: installs what it
# needs, builds vouch, then starts a protected libvirt domain whose LUKS key
# exists only as 3-of-5 Shamir shares held by five local validators. Shows
# the start succeed, survive two validators going down, and be refused —
# with each validator's reason — when a third one goes.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT"

bash scripts/bootstrap.sh
echo "== building vouch (release)"
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo >build.configure.log 2>&1 ||
  { cat build.configure.log; exit 1; }
ninja -C build vouch vouchd vouch-hook >/tmp/vouch-demo-build.log 2>&1 ||
  { tail -40 /tmp/vouch-demo-build.log; exit 1; }

echo "== offline formats: a host VC endorsed by three validators, checked with 'vouch verify'"
V=$(mktemp -d)
build/cli/vouch vectors "$V" >/dev/null
build/cli/vouch verify "$V/endorsed-vc.cbor" | sed 's/^/   /'
rm -rf "$V"

bash tests/e2e/launch_gate.sh build --demo
