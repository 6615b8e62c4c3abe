// The release of a protected domain's key at its start, whoever starts it
// (the libvirt hook, hook_run.h; the Proxmox hookscript, pve_hook.h):
// DESIGN §2 "Start" steps 2–7 on a parsed DomainConfig, and what the host
// keeps of a launch (its VC, its lease mark, the audit line, the ledger's
// attested entry). Nothing here knows how the key reaches QEMU.
#ifndef VOUCH_HOST_LAUNCH_RELEASE_H_
#define VOUCH_HOST_LAUNCH_RELEASE_H_

#include <functional>
#include <string>
#include <string_view>

#include "vouch/core/errors.h"
#include "vouch/core/host_vc.h"
#include "vouch/core/owner_policy.h"
#include "vouch/core/secret_bytes.h"
#include "vouch/host/hook_config.h"
#include "vouch/host/release.h"
#include "vouch/qemu/domain_xml.h"

namespace vouch::host {

struct ReleasedLaunch {
  SignedPolicy policy;
  ReleaseOutcome outcome;
  Ed25519PrivateKey host_key;  // signs the ledger's attested entry
};

// Reads the hypervisor's versions; called once the policy allows the domain.
using HypervisorFactsReader = std::function<Result<HypervisorFacts>()>;

// Steps 2–7 for `domain` as it is about to start, under the protection
// bundle `bundle_bytes`: the policy decoded and checked against the domain
// (its UUID, its share count, the launch policy), the host's identity
// loaded, the exchange with the validators, and the endorsed launch VC kept
// in the audit dir as the baseline of every re-attestation. A VC that cannot
// be kept refuses the start (after ending the leases the validators took).
// Errors: one line, "domain 'NAME' not released: …".
Result<ReleasedLaunch> ReleaseLaunch(const HookConfig& config, std::string_view name,
                                     const qemu::DomainConfig& domain, ByteView bundle_bytes,
                                     const HypervisorFactsReader& facts, int64_t now);

// Once the key is on its way to QEMU: the lease mark EndLaunchLeasesOf
// consumes at the stop (under a policy with `grace`), one line in the audit
// dir's releases.log naming who released it and which answers were
// discarded (a Byzantine validator is named there), and the attested entry
// on the ledger (a ledger that cannot be written is a warning on stderr:
// the key is released already).
void RecordLaunch(const HookConfig& config, std::string_view name, const qemu::DomainConfig& domain,
                  const ReleasedLaunch& launch, int64_t now);

// The LUKS passphrase for key K: base64url(K), the text `vouch seal` gave
// the image's keyslot 0 and both QEMU secret forms carry.
SecretBytes LuksPassphraseOf(const SecretBytes& key);

// For a domain released under a policy with `grace`: the host's signed stop
// notice to the policy's validators (lease_end.h), once per launch (the
// mark RecordLaunch left is consumed); Ok if there is none. The audit dir's
// stops.log gets one line either way; an error names the validators that
// did not end theirs. `now` dates the notice.
Status EndLaunchLeasesOf(const HookConfig& config, std::string_view name, const qemu::DomainConfig& domain,
                         int64_t now);

// Creates each missing directory of `path` with `mode`. kIo.
Status MakeDirs(const std::string& path, mode_t mode);

}  // namespace vouch::host

#endif  // VOUCH_HOST_LAUNCH_RELEASE_H_
