#include "vouch/ledger/owner_proof.h"

#include <algorithm>

#include "vouch/core/cbor.h"
#include "vouch/core/host_vc.h"
#include "vouch/core/owner_policy.h"

namespace vouch::ledger {

Bytes EncodeOwnerProof(ByteView launch_vc, ByteView policy) {
  return cbor::Encode(cbor::Value(cbor::Array{cbor::Value(launch_vc), cbor::Value(policy)}));
}

Result<LaunchOwnership> VerifyOwnerProof(ByteView proof) {
  auto decoded = cbor::Decode(proof);
  if (!decoded.ok()) return decoded.error().WithContext("owner proof");
  const cbor::Value& v = *decoded;
  if (!v.is_array() || v.array().size() != 2 || !v.array()[0].is_bytes() || !v.array()[1].is_bytes()) {
    return Error(Code::kMalformed, "owner proof: expected [launch VC, owner policy] as two byte strings");
  }
  auto vc = HostVc::Parse(v.array()[0].bytes());
  if (!vc.ok()) return vc.error().WithContext("owner proof: launch VC");
  const HostVcClaims& c = vc->claims();
  if (c.type != "launch") {
    return Error(Code::kInvalidArgument, StrCat("owner proof: the VC is a ", c.type, " VC, not a launch VC"));
  }
  auto policy = SignedPolicy::Parse(v.array()[1].bytes());
  if (!policy.ok()) return policy.error().WithContext("owner proof: owner policy");
  const PolicyDigest digest = policy->digest();
  if (!std::equal(c.policy_digest.begin(), c.policy_digest.end(), digest.bytes().begin(), digest.bytes().end())) {
    return Error(Code::kInvalidArgument,
                 StrCat("owner proof: the policy signed by '", policy->owner_did(),
                        "' is not the one launch cti:", HexEncode(c.cti), " was released under"));
  }
  if (policy->policy().domain_uuid != c.domain_uuid) {
    return Error(Code::kInvalidArgument,
                 StrCat("owner proof: the policy is for domain ", policy->policy().domain_uuid,
                        ", the launch VC for domain ", c.domain_uuid));
  }
  return LaunchOwnership{policy->owner_did(), c.issuer, c.domain_uuid, StrCat("cti:", HexEncode(c.cti))};
}

}  // namespace vouch::ledger
