// vouch-pve-hook: the Proxmox VE hookscript (DESIGN §2 "Start", "On
// Proxmox VE"). Proxmox starts QEMU itself, without libvirt, and runs a VM's
// hookscript (`qm set VMID --hookscript STORAGE:snippets/vouch-pve-hook`) as
// "SCRIPT VMID PHASE"; a non-zero exit in pre-start aborts the start and its
// stderr line reaches the task log.
//   pre-start   the VM's config (pve_config_dir/VMID.conf) read as a
//               DomainConfig (pve_config.h). A VM whose QEMU arguments name
//               another VM's key file is refused. Protected when
//               bundle_dir/UUID.bundle exists: its key is released
//               (launch_release.h) and written, as the LUKS passphrase, to
//               pve_key_dir/VMID.key (0600, in a directory only root enters)
//               — the file of the secret object the VM's LUKS disks name:
//                 args: -object secret,id=vouchkey,file=/run/vouch/pve/VMID.key,format=raw
//                       -blockdev driver=luks,node-name=vouch0,key-secret=vouchkey,
//                       file.driver=file,file.filename=IMAGE -device virtio-blk-pci,drive=vouch0
//   post-start  the key file removed: QEMU read it when it made the object.
//   post-stop   the key file removed (a start that failed after pre-start
//               never reaches post-start), and under a policy with a lease
//               the validators' leases ended (EndLaunchLeasesOf).
//   pre-stop, and any other phase: nothing.
#ifndef VOUCH_HOST_PVE_HOOK_H_
#define VOUCH_HOST_PVE_HOOK_H_

#include <string>
#include <string_view>

#include "vouch/core/errors.h"
#include "vouch/core/host_vc.h"
#include "vouch/host/hook_config.h"

namespace vouch::host {

// Handles one call at `now` (unix seconds); `config_path` is hook.conf.
// The message for stderr on failure; Ok otherwise. kInvalidArgument for a
// VMID that is not 1–9 digits (it becomes a file name).
Status RunPveHook(const std::string& config_path, std::string_view vmid, std::string_view phase, int64_t now);

// pve_key_dir/VMID.key: where pre-start leaves VM `vmid`'s key.
std::string PveKeyFile(const HookConfig& config, std::string_view vmid);

// The host facts of a VM Proxmox starts: QEMU's version from
// `emulator --version` ("QEMU emulator version 8.1.5 (pve-qemu-kvm_8.1.5-6)"
// → "8.1.5"), the kernel release, `machine`, and no libvirt. kUnavailable if
// the emulator does not run or says no version.
Result<HypervisorFacts> EmulatorFacts(const std::string& emulator, std::string_view machine);

}  // namespace vouch::host

#endif  // VOUCH_HOST_PVE_HOOK_H_
