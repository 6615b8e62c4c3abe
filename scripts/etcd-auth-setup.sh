#!/usr/bin/env bash
# etcd users and roles for a vouch ledger (DESIGN §6 "Access"), with etcdctl.
#
#   etcd-auth-setup.sh setup --endpoints URLS --cacert CA --cert CERT --key KEY
#       --root-password-file FILE [--prefix PREFIX]
#       [--writer NAME=PASSWORD_FILE]... [--reader NAME=PASSWORD_FILE]...
#     on a fresh cluster (auth off): creates the user root (role root), the
#     roles vouch-writer (readwrite) and vouch-reader (read) on the ledger's
#     keys "[PREFIX/]vouch/log/", the given users with those roles, then
#     enables authentication. Validators and the governance operator are
#     writers; hosts and owners are readers (hosts append through a validator).
#
#   etcd-auth-setup.sh add-user --endpoints URLS --cacert CA --cert CERT --key KEY
#       --root-password-file FILE (--writer|--reader) NAME=PASSWORD_FILE
#     later, on a cluster with auth on: one more user, as root.
#
# Passwords are read from files (the first line, without blanks, e.g. from
# 'openssl rand -base64 24'; each file must be 0600) and reach etcdctl on
# stdin or in its environment, never on a command line.
# CERT must be a client certificate the cluster trusts; etcdctl speaks gRPC,
# where etcd takes a certificate's Common Name as the user, so give root's
# password here rather than relying on a CN.
set -euo pipefail

die() { echo "etcd-auth-setup: $*" >&2; exit 1; }

usage() { sed -n '2,/^set -euo/{/^set -euo/d;s/^# \{0,1\}//;p}' "$0" >&2; exit 2; }

[[ $# -ge 1 ]] || usage
mode=$1; shift
[[ $mode == setup || $mode == add-user ]] || usage

endpoints='' cacert='' cert='' key='' root_file='' prefix=''
writers=() readers=()
while [[ $# -gt 0 ]]; do
  [[ $# -ge 2 ]] || die "option '$1' needs a value"
  case $1 in
    --endpoints) endpoints=$2 ;;
    --cacert) cacert=$2 ;;
    --cert) cert=$2 ;;
    --key) key=$2 ;;
    --root-password-file) root_file=$2 ;;
    --prefix) prefix=${2%/} ;;
    --writer) writers+=("$2") ;;
    --reader) readers+=("$2") ;;
    *) die "unknown option '$1'" ;;
  esac
  shift 2
done
for v in endpoints cacert cert key root_file; do
  [[ -n ${!v} ]] || die "--${v//_/-} is required (root_file: --root-password-file)"
done

# The first line of an owner-only password file.
password_of() {
  local file=$1 mode
  [[ -f $file ]] || die "password file '$file' does not exist"
  mode=$(stat -c %a "$file")
  [[ $((8#$mode & 8#077)) -eq 0 ]] || die "password file '$file' is readable by group or others (mode $mode; fix: chmod 600 '$file')"
  local line
  IFS= read -r line <"$file" || true
  line=${line%$'\r'}
  [[ -n $line ]] || die "password file '$file' is empty"
  # etcdctl reads a password from stdin up to the first blank: it would
  # silently store a shorter one.
  [[ $line != *[[:space:]]* ]] || die "password file '$file': the password has a blank, which etcdctl cannot take"
  printf '%s' "$line"
}

ctl() { etcdctl --endpoints "$endpoints" --cacert "$cacert" --cert "$cert" --key "$key" "$@"; }

keys="${prefix:+$prefix/}vouch/log/"
root_password=$(password_of "$root_file")

# add_user NAME=PASSWORD_FILE ROLE
add_user() {
  local name=${1%%=*} file=${1#*=}
  [[ -n $name && $name != "$1" && -n $file ]] || die "expected NAME=PASSWORD_FILE, got '$1'"
  password_of "$file" | ctl user add "$name" --interactive=false >/dev/null
  ctl user grant-role "$name" "$2" >/dev/null
  echo "user $name: role $2"
}

if [[ $mode == setup ]]; then
  printf '%s' "$root_password" | ctl user add root --interactive=false >/dev/null
  ctl user grant-role root root >/dev/null
  ctl role add vouch-writer >/dev/null
  ctl role grant-permission vouch-writer --prefix=true readwrite "$keys" >/dev/null
  ctl role add vouch-reader >/dev/null
  ctl role grant-permission vouch-reader --prefix=true read "$keys" >/dev/null
  echo "roles vouch-writer (readwrite) and vouch-reader (read) on '$keys'"
  for w in "${writers[@]+"${writers[@]}"}"; do add_user "$w" vouch-writer; done
  for r in "${readers[@]+"${readers[@]}"}"; do add_user "$r" vouch-reader; done
  ctl auth enable >/dev/null
  echo "authentication enabled (user root)"
else
  [[ $((${#writers[@]} + ${#readers[@]})) -eq 1 ]] || die "add-user takes one --writer or --reader"
  export ETCDCTL_USER="root:$root_password"
  for w in "${writers[@]+"${writers[@]}"}"; do add_user "$w" vouch-writer; done
  for r in "${readers[@]+"${readers[@]}"}"; do add_user "$r" vouch-reader; done
fi
