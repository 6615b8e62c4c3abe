#!/usr/bin/env bash
# Installs every Debian package vouch needs to build, test and run its demo.
# Idempotent and quiet when everything is already there. Run as root.
set -euo pipefail

PACKAGES=(
  # build
  cmake ninja-build g++ clang libclang-rt-14-dev pkg-config
  libssl-dev libcbor-dev libtss2-dev libvirt-dev libxml2-dev libsqlite3-dev
  libcurl4-openssl-dev libcpp-httplib-dev nlohmann-json3-dev libcli11-dev zlib1g-dev
  libgtest-dev libgmock-dev libbenchmark-dev
  # run and test: libvirt + QEMU (TCG), TPM emulator and tools, etcd
  libvirt-daemon-system libvirt-clients qemu-system-x86 qemu-utils
  swtpm swtpm-tools tpm2-tools etcd-server etcd-client
  # keys and test certificates (etcd TLS, the e2e's CA); python3 edits SQLite files and writes boot logs in the e2e
  openssl python3 curl
  # the test guest
  linux-image-amd64 busybox-static cpio xz-utils kmod e2fsprogs
  # the protected test guest: OVMF measures kernel, initrd and cmdline
  ovmf
  # interop tests run independent implementations on node
  nodejs npm
  # observability tests: promtool checks vouchd's /metrics, Chromium loads its dashboard
  prometheus chromium
  # the .deb test: CPack's dependency list, systemd-analyze verify of the units
  dpkg-dev systemd
)

missing=()
for p in "${PACKAGES[@]}"; do
  status=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
  [[ "$status" == "install ok installed" ]] || missing+=("$p")
done
# The base image ships node/npm outside dpkg; accept those.
if command -v node >/dev/null && command -v npm >/dev/null; then
  filtered=()
  for p in "${missing[@]}"; do [[ "$p" == nodejs || "$p" == npm ]] || filtered+=("$p"); done
  missing=("${filtered[@]+"${filtered[@]}"}")
fi

if ((${#missing[@]} == 0)); then
  exit 0
fi
if [[ $EUID -ne 0 ]]; then
  echo "vouch: bootstrap needs root to install: ${missing[*]}" >&2
  exit 1
fi
echo "vouch: installing ${#missing[@]} Debian packages: ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -q >/dev/null
apt-get install -y -q --no-install-recommends "${missing[@]}" >/tmp/vouch-apt.log 2>&1 || {
  tail -30 /tmp/vouch-apt.log >&2
  echo "vouch: apt-get install failed (full log: /tmp/vouch-apt.log)" >&2
  exit 1
}
echo "vouch: packages installed"
