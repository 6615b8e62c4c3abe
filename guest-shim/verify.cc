#include "vouch/shim/verify.h"

#include "vouch/core/endorsement_quorum.h"

namespace vouch::shim {
namespace {

bool SameDigest(const Bytes& a, const PolicyDigest& d) {
  return std::equal(a.begin(), a.end(), d.value.begin(), d.value.end());
}

std::string Short(ByteView b) { return HexEncode(b.subspan(0, std::min<size_t>(b.size(), 8))); }

}  // namespace

Result<AcceptedOffer> AcceptOffer(const guest_channel::PolicyOffer& offer, const ShimConfig& config,
                                  const std::optional<Bytes>& pinned) {
  auto policy_or = SignedPolicy::Parse(offer.policy);
  if (!policy_or.ok()) return policy_or.error().WithContext("offered policy");
  SignedPolicy policy = std::move(policy_or).value();
  if (policy.owner_did() != config.owner) {
    return Error(Code::kNotInPolicy, StrCat("offered policy is signed by ", policy.owner_did(),
                                            ", not by the owner in shim.conf ", config.owner));
  }
  const OwnerPolicy& p = policy.policy();
  if (config.domain && p.domain_uuid != *config.domain) {
    return Error(Code::kNotInPolicy, StrCat("offered policy is for domain ", p.domain_uuid,
                                            ", not for this guest's ", *config.domain));
  }
  if (!p.guest || !p.grace) {
    return Error(Code::kNotInPolicy, "offered policy has no guest section (nothing for the shim to attest)");
  }
  if (pinned && *pinned != policy.encoded()) {
    return Error(Code::kNotInPolicy, StrCat("offered policy ", Short(policy.digest().bytes()),
                                            " is not the policy pinned at the first round ",
                                            Short(PolicyDigest::Of(*pinned).bytes())));
  }
  auto launch_or = HostVc::Parse(offer.launch);
  if (!launch_or.ok()) return launch_or.error().WithContext("launch VC");
  HostVc launch = std::move(launch_or).value();
  const HostVcClaims& l = launch.claims();
  if (l.type != "launch") {
    return Error(Code::kNotInPolicy, StrCat("launch VC: expected vouch.type \"launch\", got \"", l.type, "\""));
  }
  if (l.domain_uuid != p.domain_uuid || !SameDigest(l.policy_digest, policy.digest())) {
    return Error(Code::kNotInPolicy, StrCat("launch VC is for domain ", l.domain_uuid, " under policy ",
                                            Short(l.policy_digest), ", not for this domain and policy"));
  }
  VOUCH_ASSIGN_OR_RETURN(std::vector<std::string> endorsers, RequireQuorum(launch, policy, "launch VC"));
  return AcceptedOffer{std::move(policy), std::move(launch), std::move(endorsers)};
}

Result<VerifiedAttestation> VerifyEndorsed(ByteView encoded_vc, const AcceptedOffer& offer,
                                           const std::vector<Bytes>& nonces, const GuestEvidence& sent) {
  auto vc_or = HostVc::Parse(encoded_vc);
  if (!vc_or.ok()) return vc_or.error().WithContext("reattest VC");
  HostVc vc = std::move(vc_or).value();
  const HostVcClaims& c = vc.claims();
  const OwnerPolicy& p = offer.policy.policy();
  auto refuse = [](std::string what) { return Error(Code::kNotInPolicy, StrCat("reattest VC: ", what)); };
  if (c.type != "reattest") return refuse(StrCat("vouch.type is \"", c.type, "\", expected \"reattest\""));
  if (c.domain_uuid != p.domain_uuid) return refuse(StrCat("sub is ", c.domain_uuid, ", not ", p.domain_uuid));
  if (!SameDigest(c.policy_digest, offer.policy.digest())) {
    return refuse(StrCat("vouch.policy is ", Short(c.policy_digest), ", not the pinned policy"));
  }
  if (c.issuer != offer.launch.claims().issuer) {
    return refuse(StrCat("issued by ", c.issuer, ", not by the launch host ", offer.launch.claims().issuer));
  }
  if (c.launch_cti != offer.launch.claims().cti) {
    return refuse(StrCat("vouch.launch is ", HexEncode(c.launch_cti), ", not the accepted launch ",
                         HexEncode(offer.launch.claims().cti)));
  }
  if (c.nonces != nonces) return refuse("eat_nonce is not the challenges this guest quoted");
  if (!c.guest || !(*c.guest == sent)) return refuse("vouch.guest is not the evidence this guest sent");
  VOUCH_ASSIGN_OR_RETURN(std::vector<std::string> endorsers, RequireQuorum(vc, offer.policy, "reattest VC"));
  return VerifiedAttestation{std::move(vc), std::move(endorsers)};
}

}  // namespace vouch::shim
