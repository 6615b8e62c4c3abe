#!/usr/bin/env bash
# The dashboard (GET /) of a real vouchd after an approval and refusals,
# loaded in headless Chromium through playwright-core: it shows the
# validator's DID, the ledger head, the approval, the refusal with its
# reason, and a reason or revocation holding markup as text, never run
# (dashboard_browser.mjs). Skips (77) only when Chromium is missing.
#   dashboard_browser.sh VOUCHD_TRAFFIC VOUCHD [SCREENSHOT.png]
# The screenshot goes to SCREENSHOT.png (docs/dashboard.png is made so),
# else into the test's temporary directory.
set -euo pipefail
TRAFFIC=$1 VOUCHD=$2 SHOT=${3:-}
CHROMIUM=${CHROMIUM:-/usr/bin/chromium}
HERE=$(cd "$(dirname "$0")" && pwd)
if [[ ! -x $CHROMIUM ]]; then
  echo "SKIP: $CHROMIUM not found (Debian package chromium; scripts/bootstrap.sh installs it)"
  exit 77
fi
[[ -d $HERE/../interop/node_modules/playwright-core ]] ||
  { echo "FAIL: playwright-core is not installed: run 'npm install' in tests/interop"; exit 1; }
. "$HERE/lib.sh"
obs_start
node "$HERE/dashboard_browser.mjs" "$W/info.json" "$CHROMIUM" "${SHOT:-$W/dashboard.png}"
obs_stop
