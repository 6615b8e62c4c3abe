// What the shim accepts from the host agent (DESIGN §2 "Guest shim"). The
// host is not trusted: a policy counts only if its owner is the one in
// shim.conf, a launch VC only with t endorsements by that policy's
// validators, a reattest VC only if it says exactly what the guest sent.
#ifndef VOUCH_SHIM_VERIFY_H_
#define VOUCH_SHIM_VERIFY_H_

#include <optional>
#include <string>
#include <vector>

#include "vouch/core/guest_channel.h"
#include "vouch/core/host_vc.h"
#include "vouch/core/owner_policy.h"
#include "vouch/shim/config.h"

namespace vouch::shim {

struct AcceptedOffer {
  SignedPolicy policy;
  HostVc launch;
  std::vector<std::string> launch_endorsers;
};

// Checks a policy offer: the policy verifies and is signed by config.owner,
// names config.domain (if set), has a guest section; if `pinned` is given the
// policy must be exactly it; the launch VC is a launch VC of that domain and
// policy with ≥ t endorsements (endorsement_quorum.h). kNotInPolicy /
// kBadSignature / kMalformed naming what failed.
Result<AcceptedOffer> AcceptOffer(const guest_channel::PolicyOffer& offer, const ShimConfig& config,
                                  const std::optional<Bytes>& pinned);

// Checks the endorsed reattest VC of a round: host signature, type reattest,
// sub = the policy's domain, vouch.policy = its digest, iss = the launch VC's
// iss, eat_nonce = `nonces`, vouch.guest = `sent`, ≥ t endorsements. Returns
// the VC and the counted validator DIDs.
struct VerifiedAttestation {
  HostVc vc;
  std::vector<std::string> endorsers;
};
Result<VerifiedAttestation> VerifyEndorsed(ByteView encoded_vc, const AcceptedOffer& offer,
                                           const std::vector<Bytes>& nonces, const GuestEvidence& sent);

}  // namespace vouch::shim

#endif  // VOUCH_SHIM_VERIFY_H_
