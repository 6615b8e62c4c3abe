#include "vouch/core/endorsement_quorum.h"

#include <algorithm>

namespace vouch {

Result<std::vector<std::string>> QuorumEndorsers(const HostVc& vc, const SignedPolicy& policy) {
  VOUCH_ASSIGN_OR_RETURN(std::vector<EndorsementCheck> checks, CheckEndorsements(vc));
  const PolicyDigest digest = policy.digest();
  std::vector<std::string> endorsers;
  for (const EndorsementCheck& e : checks) {
    bool counts = e.status.ok() && e.verdict.ok &&
                  std::equal(e.verdict.policy.begin(), e.verdict.policy.end(), digest.value.begin(),
                             digest.value.end()) &&
                  policy.IndexOf(e.validator_did).has_value() &&
                  std::find(endorsers.begin(), endorsers.end(), e.validator_did) == endorsers.end();
    if (counts) endorsers.push_back(e.validator_did);
  }
  return endorsers;
}

Result<std::vector<std::string>> RequireQuorum(const HostVc& vc, const SignedPolicy& policy,
                                               std::string_view what) {
  VOUCH_ASSIGN_OR_RETURN(std::vector<std::string> endorsers, QuorumEndorsers(vc, policy));
  if (endorsers.size() < policy.policy().threshold) {
    return Error(Code::kNotInPolicy, StrCat(what, " carries ", endorsers.size(),
                                            " valid endorsements by the policy's validators; the policy's t is ",
                                            policy.policy().threshold));
  }
  return endorsers;
}

}  // namespace vouch
