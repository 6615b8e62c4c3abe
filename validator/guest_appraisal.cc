#include "vouch/validator/guest_appraisal.h"

#include <algorithm>

#include "vouch/core/endorsement_quorum.h"
#include "vouch/core/quote_binding.h"
#include "vouch/measure/ak_public.h"
#include "vouch/measure/quote_verify.h"

namespace vouch::validator {
namespace {

std::string Short(ByteView b) { return HexEncode(b.first(std::min<size_t>(b.size(), 8))) + "…"; }

bool SameDigest(const Bytes& a, const PolicyDigest& d) {
  return std::equal(a.begin(), a.end(), d.value.begin(), d.value.end());
}

Status CheckGuestQuote(const HostVcClaims& c, const GuestPolicy& g) {
  const GuestEvidence& e = *c.guest;
  auto ak = AkPublic::Parse(e.ak);
  if (!ak.ok()) return Error(Code::kBadQuote, StrCat("guest AK: ", ak.error().message()));
  auto verified = VerifyQuote(*ak, TpmQuote{e.quote, e.signature, e.pcrs}, GuestQuoteExtraData(c.nonces));
  if (!verified.ok()) return verified.error().WithContext("guest quote");
  for (uint32_t pcr : g.pcrs) {
    if (e.pcrs.count(pcr) == 0) {
      return Error(Code::kPcrMismatch,
                   StrCat("guest PCR ", pcr, " is required by the policy but not in the guest quote"));
    }
  }
  for (const auto& [pcr, accepted] : g.reference) {
    auto it = e.pcrs.find(pcr);
    if (it == e.pcrs.end() || std::find(accepted.begin(), accepted.end(), it->second) == accepted.end()) {
      return Error(Code::kPcrMismatch,
                   StrCat("guest PCR ", pcr, " differs from reference (quoted ",
                          it == e.pcrs.end() ? std::string("nothing") : Short(it->second), ")"));
    }
  }
  return Ok();
}

// The guest's first endorsed report of this launch, as the host sent it back.
Result<HostVc> AcceptBaseline(ByteView encoded, const HostVcClaims& c, const SignedPolicy& policy) {
  auto parsed = HostVc::Parse(encoded);
  if (!parsed.ok()) return parsed.error().WithContext("guest baseline");
  const HostVcClaims& b = parsed->claims();
  auto refuse = [](std::string what) { return Error(Code::kNotInPolicy, StrCat("guest baseline: ", what)); };
  if (b.type != "reattest" || !b.guest) return refuse("not a reattest VC with guest evidence");
  if (b.issuer != c.issuer) return refuse(StrCat("issued by '", b.issuer, "', not by this host"));
  if (b.domain_uuid != c.domain_uuid || !SameDigest(b.policy_digest, policy.digest())) {
    return refuse("for another domain or policy");
  }
  if (b.launch_cti != c.launch_cti) {
    return refuse(StrCat("of launch ", HexEncode(b.launch_cti), ", not of this launch"));
  }
  VOUCH_RETURN_IF_ERROR(RequireQuorum(*parsed, policy, "guest baseline"));
  return parsed;
}

Status CheckAgainstBaseline(const GuestEvidence& now, const GuestEvidence& then, const GuestPolicy& g) {
  if (now.ak != then.ak) {
    return Error(Code::kDrift, "guest AK differs from the first report's (another vTPM or a new key)");
  }
  if (now.log != then.log) {
    return Error(Code::kDrift, StrCat("guest event log digest ", Short(now.log),
                                      " differs from the first report's ", Short(then.log)));
  }
  for (uint32_t pcr : g.pcrs) {
    if (g.reference.count(pcr) != 0) continue;  // pinned: judged by the policy
    auto was = then.pcrs.find(pcr);
    auto is = now.pcrs.find(pcr);
    if (was == then.pcrs.end() || is == now.pcrs.end()) continue;  // absence refused above
    if (was->second != is->second) {
      return Error(Code::kDrift, StrCat("guest PCR ", pcr, " changed since the first report (",
                                        Short(was->second), " then, ", Short(is->second), " now)"));
    }
  }
  return Ok();
}

}  // namespace

Status AppraiseGuest(const HostVcClaims& c, const HostVcClaims& launch, const SignedPolicy& policy,
                     ByteView guest_baseline) {
  const OwnerPolicy& p = policy.policy();
  if (!p.guest) {
    if (c.guest || !guest_baseline.empty()) {
      return Error(Code::kMalformed, "guest evidence sent, but the policy has no guest section");
    }
    return Ok();
  }
  if (!c.guest) {
    return Error(Code::kMalformed,
                 "the policy expects guest evidence (vouch.guest, from vouch-shim in the guest), the "
                 "reattest VC carries none");
  }
  if (c.launch_cti != launch.cti) {
    return Error(Code::kNotInPolicy, StrCat("reattest VC names launch ", HexEncode(c.launch_cti),
                                            ", the baseline is launch ", HexEncode(launch.cti)));
  }
  VOUCH_RETURN_IF_ERROR(CheckGuestQuote(c, *p.guest));
  if (guest_baseline.empty()) return Ok();  // the first report becomes the baseline
  VOUCH_ASSIGN_OR_RETURN(HostVc baseline, AcceptBaseline(guest_baseline, c, policy));
  return CheckAgainstBaseline(*c.guest, *baseline.claims().guest, *p.guest);
}

}  // namespace vouch::validator
