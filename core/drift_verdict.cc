#include "vouch/core/drift_verdict.h"

#include <algorithm>

namespace vouch {

bool IsEvidenceRefusal(Code code) {
  switch (code) {
    case Code::kDrift:
    case Code::kPcrMismatch:
    case Code::kConfig:
    case Code::kHvVersion:
    case Code::kBadQuote:
    case Code::kRevoked:
    case Code::kUncertifiedAk:
    case Code::kUnknownHost:
    case Code::kHostNotAllowed:
      return true;
    default:
      return false;
  }
}

Result<Bytes> SignDriftVerdict(const HostVc& vc, const Ed25519PrivateKey& key, const std::string& did,
                               int64_t now, ByteView ledger_head, const PolicyDigest& policy) {
  Verdict verdict{false, now, Bytes(ledger_head.begin(), ledger_head.end()),
                  Bytes(policy.value.begin(), policy.value.end())};
  VOUCH_ASSIGN_OR_RETURN(Endorsement signed_verdict, Endorse(vc, key, did, verdict));
  return signed_verdict.countersignature.Encode();
}

Result<std::string> VerifyDriftVerdict(const HostVc& vc, ByteView encoded, const PolicyValidator& validator,
                                       const PolicyDigest& policy) {
  auto countersignature = Countersignature::Parse(encoded);
  if (!countersignature.ok()) return countersignature.error().WithContext("drift verdict");
  auto verdict = VerifyEndorsement(vc, *countersignature);
  if (!verdict.ok()) return verdict.error().WithContext("drift verdict");
  if (verdict->validator_did != validator.did) {
    return Error(Code::kNotInPolicy, StrCat("drift verdict signed by ", verdict->validator_did,
                                            ", not by the policy's validator ", validator.did));
  }
  const Bytes& named = verdict->verdict.policy;
  if (verdict->verdict.ok || !std::equal(named.begin(), named.end(), policy.value.begin(), policy.value.end())) {
    return Error(Code::kNotInPolicy, "drift verdict is not a refusal (ok = false) under this policy");
  }
  return verdict->validator_did;
}

}  // namespace vouch
