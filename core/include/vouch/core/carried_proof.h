// "vouch.di" (DESIGN §3 "JSON forms (W3C)"): a signer's W3C Data Integrity
// proof over the JSON form of a host VC, carried in the unprotected header
// of the COSE object the same signer signed — the host VC for the host, its
// countersignature for a validator:
//
//   "vouch.di": {"created": tstr, "proofValue": tstr}
//
// The rest of the proof (type, cryptosuite, verification method, purpose,
// id, previousProof, @context) follows from the VC and the signer
// (w3c/endorsed_credential.h). Being unprotected, the header changes no COSE
// signature, and objects without it keep their bytes.
#ifndef VOUCH_CORE_CARRIED_PROOF_H_
#define VOUCH_CORE_CARRIED_PROOF_H_

#include <optional>
#include <string>
#include <string_view>

#include "vouch/core/cbor.h"
#include "vouch/core/errors.h"

namespace vouch {

inline constexpr std::string_view kCarriedProofLabel = "vouch.di";
// Longest member accepted: a dateTimeStamp is ~35 characters and an Ed25519
// proofValue 89; anything far longer is not a proof of this kind.
inline constexpr size_t kCarriedProofMaxMember = 256;

struct CarriedProof {
  std::string created;      // XML dateTimeStamp (w3c/date_time.h)
  std::string proof_value;  // "z" + base58btc(Ed25519 signature)
  bool operator==(const CarriedProof&) const = default;
};

cbor::Value CarriedProofToCbor(const CarriedProof& proof);

// Reads the value of "vouch.di" from `unprotected` (a COSE header map):
// nullopt if the label is absent. kMalformed, naming `object`, if its value
// is not a map of exactly the two text members above, each 1..
// kCarriedProofMaxMember bytes. The proof is not verified here.
Result<std::optional<CarriedProof>> CarriedProofIn(const cbor::Value& unprotected,
                                                   std::string_view object);

}  // namespace vouch

#endif  // VOUCH_CORE_CARRIED_PROOF_H_
