// `vouch reattest DOMAIN` (DESIGN §2 "Run"): re-attests one running protected
// domain with the host's configuration (hook_config.h) and, when asked,
// enforces the policy's on_drift on a drift verdict.
//
//   1. libvirt: the domain must be running; its live XML gives the runtime
//      claims and the config digest, its metadata (or bundle_dir/<uuid>.bundle)
//      the owner policy.
//   2. The baseline: the newest launch VC of the domain in audit_dir (what
//      the prepare hook or `vouch start` stored at launch).
//   3. Reattest (reattest.h) against the policy's validators.
//   4. Re-endorsed: the endorsed reattest VC goes to audit_dir next to the
//      launch VC and one line to audit_dir/reattest.log.
//      Refused on the evidence (kDrift) and `enforce`: on_drift "pause"
//      suspends the domain, "destroy" stops it (its definition stays),
//      "alert" only reports; the line in reattest.log says which. A failure
//      to reach t validators (kUnavailable) judges nothing and is never
//      enforced: an outage of validators must not stop guests.
#ifndef VOUCH_HOST_REATTEST_RUN_H_
#define VOUCH_HOST_REATTEST_RUN_H_

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "vouch/core/errors.h"
#include "vouch/core/owner_policy.h"
#include "vouch/host/hook_config.h"
#include "vouch/host/host_identity.h"
#include "vouch/host/reattest.h"
#include "vouch/qemu/libvirt.h"

namespace vouch::host {

struct ReattestReport {
  bool is_protected = true;  // false: the domain has no vouch bundle (nothing was done)
  std::string domain_uuid;
  uint64_t reattest_s = 0;  // the policy's re-attestation interval
  size_t endorsements = 0;  // verified, of the policy's validators
  size_t threshold = 0;     // the policy's t
  size_t validators = 0;    // the policy's n
  std::vector<std::string> failures;  // "endpoint: reason" of those that did not endorse
  // Writes that failed (the endorsed VC or reattest.log in the audit store,
  // the guest baseline in the state dir), one message each; the round's
  // verdict stands, but a lost guest baseline weakens the next rounds'.
  std::vector<std::string> write_errors;
};

// One running protected domain as a round needs it, read once: its live
// definition, policy, launch baseline (steps 1–2), the guest's baseline
// (STATE_DIR/<uuid>.guest-baseline, kept by RecordDomainRound) and the
// host's identity. Not movable: `input` and `host` point into it.
struct DomainRound {
  DomainRound(HookConfig c, std::string n, std::string u, qemu::LibvirtConnection l, SignedPolicy p,
              HostIdentity i)
      : config(std::move(c)), name(std::move(n)), uuid(std::move(u)), conn(std::move(l)),
        policy(std::move(p)), identity(std::move(i)) {}
  HookConfig config;
  std::string name, uuid;
  qemu::LibvirtConnection conn;
  SignedPolicy policy;
  HostIdentity identity;
  HostContext host;
  ReattestInput input;
  DomainRound(const DomainRound&) = delete;
  DomainRound& operator=(const DomainRound&) = delete;
};

// Reads `name` for a round; nullptr if the domain carries no vouch bundle.
// Errors as ReattestDomain's, before the exchange.
Result<std::unique_ptr<DomainRound>> PrepareDomainRound(const HookConfig& config, std::string_view name);

// Step 4 for the exchange's `outcome`: the audit store and reattest.log,
// the guest baseline when this is the launch's first endorsed round with
// guest evidence, and with `enforce` the policy's on_drift on a drift
// verdict. Returns the report, or the outcome's error (with what on_drift
// did).
Result<ReattestReport> RecordDomainRound(DomainRound& round, Result<ReattestOutcome> outcome,
                                         bool enforce);

// Applies `on_drift` ("pause" suspends, "destroy" stops, anything else
// only alerts) to the running `name`; says what was done, or why it failed.
std::string ApplyOnDrift(const qemu::LibvirtConnection& conn, const std::string& name, const std::string& on_drift);

// The same for a domain whose launch or host the ledger revoked (`why`),
// with one line in reattest.log ("verdict=revoked").
std::string EnforceRevocation(const HookConfig& config, const std::string& name, const std::string& uuid,
                              const std::string& on_drift, const std::string& why);

// The file the guest's first endorsed report of a domain's current launch is
// kept in.
std::string GuestBaselinePath(const HookConfig& config, const std::string& uuid);

// Re-attests `domain_name` with the host's `config`; a report with
// is_protected false if the domain
// carries no vouch bundle. Errors: kNotFound (no such domain, no launch VC
// in the audit store), kInvalidArgument (not running), the
// exchange's kDrift / kUnavailable with every validator's reason; with
// `enforce`, a kDrift message ends with what on_drift did
// ("; on_drift=pause: domain paused").
Result<ReattestReport> ReattestDomain(const HookConfig& config, std::string_view domain_name, bool enforce);

}  // namespace vouch::host

#endif  // VOUCH_HOST_REATTEST_RUN_H_
