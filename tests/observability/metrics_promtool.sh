#!/usr/bin/env bash
# GET /metrics of a real vouchd that served an approval and refusals (413,
# 404, 415, pcr-mismatch) passes `promtool check metrics` (Prometheus's own
# parser and linter: format 0.0.4, names, units, _total counters, no
# summaries), and holds the families DESIGN §4 promises with the counts the
# traffic implies.
#   metrics_promtool.sh VOUCHD_TRAFFIC VOUCHD
set -euo pipefail
TRAFFIC=$1 VOUCHD=$2
PROMTOOL=${PROMTOOL:-promtool}
command -v "$PROMTOOL" >/dev/null ||
  { echo "FAIL: promtool not found (Debian package prometheus; scripts/bootstrap.sh installs it)"; exit 1; }
. "$(dirname "$0")/lib.sh"
obs_start

curl -fsS "${URL}metrics" >"$W/metrics.txt"
if ! "$PROMTOOL" check metrics <"$W/metrics.txt" >"$W/promtool.txt" 2>&1; then
  echo "FAIL: promtool check metrics:"
  cat "$W/promtool.txt"
  exit 1
fi
echo "ok: promtool check metrics accepts $(grep -vc '^#' "$W/metrics.txt") samples"

fail=0
expect() {  # expect REGEX: a line of the metrics matches it
  if grep -Eq "$1" "$W/metrics.txt"; then echo "ok: $1"; else echo "FAIL: no line matches: $1"; fail=1; fi
}
head_index=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["head_index"])' "$W/info.json")
expect '^vouchd_build_info\{version="[^"]+"\} 1$'
expect '^# TYPE vouchd_appraisal_seconds histogram$'
expect '^vouchd_appraisal_seconds_bucket\{le="\+Inf"\} 3$'
expect '^vouchd_appraisal_seconds_count 3$'
expect '^# TYPE vouchd_request_duration_seconds histogram$'
expect '^vouchd_request_duration_seconds_bucket\{endpoint="attest",le="\+Inf"\} 3$'
expect '^vouchd_approvals_total 1$'
expect '^vouchd_refusals_total\{code="pcr-mismatch"\} 1$'
expect '^vouchd_refusals_total\{code="malformed"\} 1$'
expect '^vouchd_http_refusals_total\{endpoint="attest",status="403"\} 1$'
expect '^vouchd_http_refusals_total\{endpoint="attest",status="413"\} 1$'
expect '^vouchd_http_refusals_total\{endpoint="attest",status="415"\} 1$'
expect '^vouchd_http_refusals_total\{endpoint="other",status="404"\} 1$'
expect '^vouchd_enrollments_total\{result="certified"\} 0$'
expect "^vouchd_ledger_head_index $head_index\$"
expect '^vouchd_ledger_synced 1$'
expect '^vouchd_ledger_sync_lag_seconds [0-9]+$'
expect '^vouchd_ledger_revocations 1$'
expect '^vouchd_limited_total\{limit="queue"\} 0$'
if grep -q ' summary$' "$W/metrics.txt"; then echo "FAIL: a summary is served"; fail=1; fi

obs_stop
exit $fail
