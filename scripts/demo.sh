#!/usr/bin/env bash
# The vouch demo, on embedded defaults and real parts: installs what it
# needs, builds vouch, then starts a protected libvirt domain whose LUKS key
# exists only as 3-of-5 Shamir shares held by five local validators. Shows
# the start succeed, survive Byzantine and stopped validators, be refused
# with each validator's reason (drift, an untrusted TPM, three validators
# down, a revoked host), and a running domain re-attested, then paused and
# its credential revoked when the host's PCRs drift.
#   scripts/demo.sh          the demo; cleans up after itself
#   scripts/demo.sh --keep   leaves it running and says how to look around
# Exits 0 only if every step did what it shows (e2e.demo checks this from
# a clean tree).
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT"
KEEP=
case ${1:-} in
  "") ;;
  --keep) KEEP=--keep ;;
  -h | --help) sed -n '2,12s/^# \{0,1\}//p' "$0"; exit 0 ;;
  *) echo "demo.sh: unknown argument '$1' (usage: scripts/demo.sh [--keep])" >&2; exit 2 ;;
esac

bash scripts/bootstrap.sh
echo "== building vouch (release): the binaries the demo runs"
mkdir -p build
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo >build/demo.configure.log 2>&1 ||
  { cat build/demo.configure.log; exit 1; }
# The demo builds exactly what its script declares it runs (ninja takes
# output paths as targets); nothing else, so e2e.demo catches a gap.
mapfile -t targets < <(bash tests/e2e/launch_gate.sh --needs)
ninja -C build "${targets[@]}" >build/demo.build.log 2>&1 ||
  { tail -40 build/demo.build.log; exit 1; }

echo "== offline formats: a host VC endorsed by three validators, checked with 'vouch verify'"
V=$(mktemp -d)
build/cli/vouch vectors "$V" >/dev/null
build/cli/vouch verify "$V/endorsed-vc.cbor" | sed 's/^/   /'
rm -rf "$V"

bash tests/e2e/launch_gate.sh build --demo $KEEP
