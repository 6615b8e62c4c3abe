#!/usr/bin/env bash
# Runs every vouch test on this machine: installs the Debian packages
# (scripts/bootstrap.sh), builds two flavours (g++ release; clang with
# ASan+UBSan and the libFuzzer targets), installs the npm packages of the
# interop tests, starts the services the tests use (virtlogd, libvirtd),
# runs ctest on both builds, and stops what it started.
#   scripts/test.sh            all tests
#   scripts/test.sh -L unit    only tests with that ctest label (passed to ctest)
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT"
# shellcheck source=scripts/lib/services.sh
. scripts/lib/services.sh

bash scripts/bootstrap.sh

JOBS=$(nproc)
echo "== build: release (g++)"
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo >build.configure.log 2>&1 ||
  { cat build.configure.log; exit 1; }
ninja -C build -j"$JOBS" >/tmp/vouch-build.log 2>&1 || { tail -60 /tmp/vouch-build.log; exit 1; }

echo "== build: asan+ubsan and fuzzers (clang)"
CC=clang CXX=clang++ cmake -S . -B build-asan -G Ninja -DCMAKE_BUILD_TYPE=Debug \
  -DVOUCH_SANITIZE=ON -DVOUCH_FUZZ=ON -DVOUCH_BENCH=OFF >build-asan.configure.log 2>&1 ||
  { cat build-asan.configure.log; exit 1; }
ninja -C build-asan -j"$JOBS" >/tmp/vouch-build-asan.log 2>&1 || { tail -60 /tmp/vouch-build-asan.log; exit 1; }

echo "== npm packages for interop tests"
# `npm install` rather than `npm ci`: npm 11's ci refuses this lock file over
# cbor-extract's platform-specific optional packages; install honours the
# lock file's versions all the same.
(cd tests/interop && npm install --no-audit --no-fund --loglevel=error >/tmp/vouch-npm.log 2>&1) ||
  { tail -30 /tmp/vouch-npm.log; exit 1; }

echo "== services"
trap vouch_stop_started EXIT
vouch_start_libvirt

# Each run's whole ctest output is also kept in /tmp (outside the tree, which
# CI deletes), so a failure can be read after the fact, not only its tail.
rc=0
echo "== ctest: release build (all output: /tmp/vouch-ctest-release.log)"
ctest --test-dir build -j2 --output-on-failure --timeout 600 "$@" 2>&1 | tee /tmp/vouch-ctest-release.log ||
  rc=1
echo "== ctest: asan+ubsan build (unit and fuzz tests; all output: /tmp/vouch-ctest-asan.log)"
ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 \
  ctest --test-dir build-asan -j2 --output-on-failure --timeout 600 -L 'unit|fuzz' 2>&1 |
  tee /tmp/vouch-ctest-asan.log || rc=1
# The failures again at the end, where a short tail of this output shows them.
if [[ $rc -ne 0 ]]; then
  echo "== failed"
  for log in /tmp/vouch-ctest-release.log /tmp/vouch-ctest-asan.log; do
    sed -n '/The following tests FAILED/,$p' "$log" | grep -E '^\s+[0-9]+ - ' | sed "s|^|$(basename "$log" .log): |" || true
    grep -E '^(FAIL: |\[  FAILED  \])' "$log" | cut -c1-400 | head -20 || true
  done
fi
exit $rc
