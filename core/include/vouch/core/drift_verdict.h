// A validator's signed refusal of a re-attestation (DESIGN §4 "Drift
// verdicts"): when it refuses a reattest VC on the VC's verified evidence it
// answers with its reason and a countersignature over that VC whose verdict
// is ok = false (the endorsement format of endorsement.h). The host agent
// applies the policy's on_drift only when enough distinct policy validators
// signed such a verdict over the very VC it sent, so one Byzantine
// validator, or a network attacker forging refusals, cannot make an honest
// host pause or destroy a guest.
#ifndef VOUCH_CORE_DRIFT_VERDICT_H_
#define VOUCH_CORE_DRIFT_VERDICT_H_

#include <string>

#include "vouch/core/endorsement.h"
#include "vouch/core/errors.h"
#include "vouch/core/owner_policy.h"

namespace vouch {

// The refusal codes that judge the host or the domain on evidence (drift,
// PCRs, config, hypervisor, quote, revocation, an uncertified or unknown or
// disallowed host), as opposed to transport, availability and malformed
// requests, which judge nothing.
bool IsEvidenceRefusal(Code code);

// Signs a drift verdict over `vc` (ok = false) as the validator holding
// `key` (its did:key `did`), at `now`, for the policy `policy` and ledger
// head `ledger_head`: the encoded COSE_Countersignature.
Result<Bytes> SignDriftVerdict(const HostVc& vc, const Ed25519PrivateKey& key, const std::string& did,
                               int64_t now, ByteView ledger_head, const PolicyDigest& policy);

// Checks that `encoded` is a drift verdict over `vc` by `validator` for
// `policy` (countersignature valid, signer = validator.did, ok = false,
// policy digest). Returns the signer's DID; kBadSignature / kNotInPolicy
// saying what was wrong.
Result<std::string> VerifyDriftVerdict(const HostVc& vc, ByteView encoded, const PolicyValidator& validator,
                                       const PolicyDigest& policy);

}  // namespace vouch

#endif  // VOUCH_CORE_DRIFT_VERDICT_H_
