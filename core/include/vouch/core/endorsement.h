// Endorsements (DESIGN §3): a validator's RFC 9338 countersignature
// (version 2) over a host VC, with its DID in kid (4) and its verdict in the
// protected header:
//   {1: -8, 4: <validator DID bstr>,
//    "vouch.verdict": {"ok": bool, "at": int, "ledger": bstr, "policy": bstr}}
// An endorsed VC carries its endorsements in unprotected label 11.
#ifndef VOUCH_CORE_ENDORSEMENT_H_
#define VOUCH_CORE_ENDORSEMENT_H_

#include <string>
#include <vector>

#include "vouch/core/countersign.h"
#include "vouch/core/host_vc.h"

namespace vouch {

struct Verdict {
  bool ok = false;
  int64_t at = 0;     // seconds since the epoch
  Bytes ledger_head;  // digest of the ledger head the validator saw
  Bytes policy;       // the policy digest it appraised against
  bool operator==(const Verdict&) const = default;
};

struct Endorsement {
  std::string validator_did;
  Verdict verdict;
  Countersignature countersignature;
  // The validator's W3C proof from the countersignature's unprotected
  // "vouch.di" (carried_proof.h), if it carries one; not verified here.
  std::optional<CarriedProof> carried_proof;
  // The signature of the validator's countersignature on the VC's vc+cose
  // form, from the countersignature's unprotected "vouch.cose"
  // (carried_cose.h), if it carries one; not verified here.
  std::optional<Bytes> carried_cose_signature;
};

// Countersigns `vc` as the validator holding `validator_key`.
Result<Endorsement> Endorse(const HostVc& vc, const Ed25519PrivateKey& validator_key,
                            const Verdict& verdict);
// The same with the validator's DID already known (saves re-encoding it per VC).
// REQUIRES: validator_did is the did:key of validator_key's public key.
Result<Endorsement> Endorse(const HostVc& vc, const Ed25519PrivateKey& validator_key,
                            const std::string& validator_did, const Verdict& verdict);

// Parses one endorsement and verifies it over `vc`: the kid must be a
// did:key, the signature must verify with it, the unprotected header holds
// nothing but a well-formed "vouch.di" and "vouch.cose". kMalformed /
// kBadSignature naming the validator.
Result<Endorsement> VerifyEndorsement(const HostVc& vc, const Countersignature& countersignature);

// Adds an endorsement to `vc` (unprotected label 11).
Status AttachEndorsement(HostVc& vc, const Endorsement& endorsement);

// One line per countersignature found on `vc`, verified or not.
struct EndorsementCheck {
  std::string validator_did;  // "" if unreadable
  Status status;
  Verdict verdict;
};
// kMalformed only if label 11 itself cannot be read.
Result<std::vector<EndorsementCheck>> CheckEndorsements(const HostVc& vc);

}  // namespace vouch

#endif  // VOUCH_CORE_ENDORSEMENT_H_
