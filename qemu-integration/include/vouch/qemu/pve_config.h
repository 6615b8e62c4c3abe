// Reading a Proxmox VE virtual machine configuration (qm.conf(5):
// /etc/pve/qemu-server/VMID.conf) into the DomainConfig a libvirt domain
// yields, so that the canonical config, its digest and the launch policy
// (config_digest.h, launch_policy.h) hold a VM that Proxmox starts without
// libvirt exactly as they hold a libvirt domain. The input is untrusted.
//
// The file: "KEY: VALUE" lines; '#' lines are the VM's description; the
// current configuration ends at the first "[SECTION]" line (snapshots,
// pending changes). A key appears once.
//
// IN (what the canonical config, and so the digest, covers):
//   type        "qemu" if `kvm: 0`, else "kvm"
//   memory_kib  `memory` ([current=]MiB, default 512) × 1024
//   vcpus       `sockets` × `cores` (each default 1); `vcpus` (the number
//               online at start) is left out as libvirt's current= is
//   os          type "hvm"; arch `arch`; machine `machine` as written;
//               firmware "efi" for `bios: ovmf`, else "bios"; kernel,
//               initrd and cmdline from the QEMU arguments' -kernel,
//               -initrd and -append
//   emulator    "/usr/bin/kvm": the one binary Proxmox runs
//   disks       each ideN, sataN, scsiN, virtioN, efidiskN, tpmstateN and
//               unusedN: target KEY, bus its prefix, device "cdrom" with
//               media=cdrom else "disk", type "file" for an absolute path
//               else "volume" (STORAGE:VOLUME), source the volume, driver
//               type format=, readonly ro=1; and each LUKS disk of the QEMU
//               arguments (LuksDisksOfArgs)
//   interfaces  each netN: model the first option's key (virtio=MAC),
//               type "bridge" with bridge= else "user", source the bridge
//   devices     efidiskN "efidisk:efitype=T,pre-enrolled-keys=0|1" (which
//               firmware variables: Secure Boot keys enrolled or not),
//               tpmstateN "tpm:VERSION:emulator", hostpciN "hostdev:pci", usbN "hostdev:usb" (spice:
//               "redirdev:spicevmc"), serialN "serial:socket" or
//               "serial:dev", parallelN "parallel:dev", vga
//               "video:MODEL", audioN "audio:DRIVER", rngN "rng:virtio",
//               watchdog "watchdog:MODEL", ivshmem "shmem:NAME", virtiofsN
//               "filesystem:DIR", agent "channel:org.qemu.guest_agent.0"
//               when enabled
//   launch_security  "sev" for `amd-sev`
//   qemu_args   `args`, split into words as Proxmox splits it (POSIX shell
//               quoting: '…', "…", backslash)
//   qemu_passthrough  "pve:KEY=VALUE" for every key not named in this
//               comment: a key this parser does not know changes the
//               digest, so it cannot slip past a pinned policy
// OUT: name, uuid (smbios1 uuid=; the VC binds it), description, and keys
// that change no guest-visible device or code: affinity, autostart,
// balloon, boot, bootdisk, cpu, cpulimit, cpuunits, hookscript, hotplug,
// keyboard, localtime, lock, meta, migrate_downtime, migrate_speed,
// numa, onboot, ostype, protection, reboot, shares, startdate, startup,
// tablet, tags, template, vcpus, vmgenid, vmstatestorage, acpi, smbios1's
// other fields.
//
// Thread-safe: nothing is kept between calls.
#ifndef VOUCH_QEMU_PVE_CONFIG_H_
#define VOUCH_QEMU_PVE_CONFIG_H_

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "vouch/core/errors.h"
#include "vouch/qemu/domain_xml.h"

namespace vouch::qemu {

// Largest VM configuration accepted, in bytes (Proxmox caps a guest config
// file at 1 MiB too).
inline constexpr size_t kMaxPveConfigSize = size_t{1} << 20;
// Where Proxmox starts every VM's QEMU.
inline constexpr std::string_view kPveEmulator = "/usr/bin/kvm";

// Parses the configuration above. `vmid` (digits) names the VM in messages
// and its DomainConfig::name when the file has no `name`.
// kMalformed, one line naming the line number, when: the input exceeds
// kMaxPveConfigSize, holds a NUL or is not UTF-8; a line is not "KEY: VALUE"; a key
// repeats; `smbios1` has no valid uuid=; a number is invalid, zero or
// overflows; `args` has an unterminated quote.
[[nodiscard]] Result<DomainConfig> ParsePveConfig(std::string_view text, std::string_view vmid);

// Splits `args` into words: blanks separate, '…' keeps everything,
// "…" keeps everything but \" \\ \$ \` as in a POSIX shell, and a
// backslash outside quotes keeps the next character. kMalformed on an
// unterminated quote or a trailing backslash.
[[nodiscard]] Result<std::vector<std::string>> SplitPveArgs(std::string_view args);

// A QEMU secret object read from a file: -object secret,id=ID,file=PATH.
struct QemuSecretFile {
  std::string id;
  std::string file;
  bool operator==(const QemuSecretFile&) const = default;
};

// Every `-object secret,…` of `qemu_args` that reads a file. Options are
// QEMU's (QemuOpts: "KEY=VALUE" separated by ',', ",," a literal comma).
std::vector<QemuSecretFile> SecretFilesOfArgs(const std::vector<std::string>& qemu_args);

// The LUKS disks QEMU opens from `qemu_args`:
//   -blockdev driver=luks,node-name=N,key-secret=ID,file.filename=PATH,…
//   -drive format=luks,file=PATH,key-secret=ID[,id=N],…
// each as a DomainDisk: type "file", device "disk", target N (or "argsK"
// for the K-th argument), bus "args", source PATH, driver type and
// encryption format "luks", and in encryption_secret_uuid the secret
// object's ID. A -blockdev in JSON form is not read (its disk is then not
// one vouch unlocks).
std::vector<DomainDisk> LuksDisksOfArgs(const std::vector<std::string>& qemu_args);

}  // namespace vouch::qemu

#endif  // VOUCH_QEMU_PVE_CONFIG_H_
