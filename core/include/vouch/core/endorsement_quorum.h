// The one rule for "t of the policy's validators endorsed this VC" (DESIGN
// §3): counted are distinct validators of `policy` whose countersignature
// verifies, whose verdict is ok and names this policy's digest. The shim
// applies it to the launch VC and to each reattest VC; a validator checking
// the launch baseline of a reattest applies the same rule.
#ifndef VOUCH_CORE_ENDORSEMENT_QUORUM_H_
#define VOUCH_CORE_ENDORSEMENT_QUORUM_H_

#include <string>
#include <vector>

#include "vouch/core/endorsement.h"
#include "vouch/core/owner_policy.h"

namespace vouch {

// The DIDs that count, in the order found. kMalformed only if the VC's
// countersignatures cannot be read at all.
Result<std::vector<std::string>> QuorumEndorsers(const HostVc& vc, const SignedPolicy& policy);

// Ok if at least policy.threshold endorsers count, else kNotInPolicy
// "`what` carries N valid endorsements by the policy's validators; the
// policy's t is T". Returns the counted DIDs.
Result<std::vector<std::string>> RequireQuorum(const HostVc& vc, const SignedPolicy& policy,
                                               std::string_view what);

}  // namespace vouch

#endif  // VOUCH_CORE_ENDORSEMENT_QUORUM_H_
