# Shared by tests/cli/*.sh: assertions that count passes and failures.
# shellcheck shell=bash
pass=0 fail=0

# expect NAME STATUS PATTERN -- CMD... : CMD exits with STATUS and its
# stdout+stderr matches the extended regex PATTERN.
expect() {
  local name=$1 want=$2 pattern=$3; shift 4
  local out status
  out=$("$@" 2>&1); status=$?
  if [[ $status -eq $want ]] && grep -Eq -- "$pattern" <<<"$out"; then
    pass=$((pass + 1))
  else
    fail=$((fail + 1))
    echo "FAIL: $name: exit $status (want $want), output:"; sed 's/^/    /' <<<"$out"
    echo "    (wanted /$pattern/)"
  fi
}

check() {  # check NAME CONDITION-COMMAND...
  local name=$1; shift
  if "$@"; then pass=$((pass + 1)); else fail=$((fail + 1)); echo "FAIL: $name"; fi
}
