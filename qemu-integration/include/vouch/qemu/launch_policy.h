// The launch policy (DESIGN §4 "Runtime"): whether a domain, as libvirt is
// about to start it, is one its owner's policy allows. One rule, used by
// every party that decides: the hook's pre-check and `vouch seal` on the
// parsed XML, and each validator on the canonical config the host VC
// carries ("vouch.dom", whose SHA-256 the TPM quote binds). The host and the
// validators therefore never disagree on what is allowed.
//
// What is checked, each against OwnerPolicy::rt (RuntimeLimits):
//   memory     MemoryCeilingKib ≤ memory_kib_max
//   vcpus      the <vcpu> maximum ≤ vcpus_max
//   networks   each NetFact in nets_allowed
//   devices    DomainConfig::devices ⊆ devices_allowed, as a multiset
//   disks      each DiskFact ⊆ disks_allowed, as a multiset
//   boot       BootFact equal to one of boot_allowed
//   emulator   in emulators_allowed
//   QEMU       qemu_args exactly the policy's (none unless listed), and
//              qemu_passthrough (env, capabilities, overrides) too
// An absent optional field allows anything; `vouch seal` pins each one to
// the domain it seals (PinnedLimitsOf).
#ifndef VOUCH_QEMU_LAUNCH_POLICY_H_
#define VOUCH_QEMU_LAUNCH_POLICY_H_

#include <string>

#include "vouch/core/errors.h"
#include "vouch/core/owner_policy.h"
#include "vouch/qemu/domain_xml.h"

namespace vouch::qemu {

// The network name for type 'network', the bridge name for 'bridge' (the
// names nets_allowed lists), "TYPE/SOURCE" for every other type ("user/",
// "direct/eth0"): '/' cannot occur in a libvirt network or Linux bridge
// name, so these never collide with one.
std::string NetFact(const DomainInterface& nic);

// "DEVICE:TARGET:ENCRYPTION:SOURCE", e.g. "disk:vda:luks:/var/lib/x.luks",
// "cdrom:sda:none:" (an empty drive). DEVICE defaults to "disk" and
// ENCRYPTION is "none" when plain; none of the first three can hold ':', so
// everything after the third ':' is the source.
std::string DiskFact(const DomainDisk& disk);

// The boot-deciding <os> fields.
PolicyBoot BootFact(const DomainOs& os);

// The larger of <memory> and <maxMemory>: the most memory the guest can have
// without a new definition.
uint64_t MemoryCeilingKib(const DomainConfig& config);

// Ok if `config` is allowed by `limits`; otherwise kConfig with one sentence
// naming the first fact that is not ("disk 'disk:vdb:none:/tmp/x.img' is not
// in the policy's disks_allowed").
Status CheckLaunchPolicy(const RuntimeLimits& limits, const DomainConfig& config);

// Limits that allow exactly `config` (and no more memory or vCPUs).
RuntimeLimits PinnedLimitsOf(const DomainConfig& config);

}  // namespace vouch::qemu

#endif  // VOUCH_QEMU_LAUNCH_POLICY_H_
