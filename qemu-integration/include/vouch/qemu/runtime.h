// The "vouch.rt" claim of the host VC (DESIGN §3) from a parsed domain: what
// a validator checks against the owner policy's runtime limits ("rt":
// memory_kib_max, vcpus_max, nets_allowed, devices_allowed).
#ifndef VOUCH_QEMU_RUNTIME_H_
#define VOUCH_QEMU_RUNTIME_H_

#include "vouch/core/host_vc.h"
#include "vouch/qemu/domain_xml.h"

namespace vouch::qemu {

// Returns the runtime claim of `config`:
//   memory_kib      the larger of <memory> and <maxMemory>: the most memory
//                   the guest can have without a new definition;
//   vcpus           the <vcpu> maximum (vCPUs can be hot-plugged up to it);
//   nets            one entry per interface, document order: the network
//                   name for type 'network', the bridge name for 'bridge'
//                   (the names a policy's nets_allowed lists), and
//                   "TYPE/SOURCE" for every other type ("user/",
//                   "direct/eth0", "vhostuser//run/x.sock") — '/' cannot
//                   occur in a libvirt network or Linux bridge name, so
//                   these never collide with one;
//   disks           "TARGET:SOURCE" per disk, document order ("vda:/var/lib/x.luks");
//   devices         DomainConfig::devices (sorted "KIND[:DETAIL]");
//   launch_security <launchSecurity type>, or nullopt.
// Never fails.
RuntimeConfig RuntimeConfigOf(const DomainConfig& config);

}  // namespace vouch::qemu

#endif  // VOUCH_QEMU_RUNTIME_H_
