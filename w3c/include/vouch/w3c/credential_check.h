// Verifying a Data Integrity-secured VC 2.0 credential (`vouch vc verify`,
// DESIGN §3 "JSON forms (W3C)"): one vouch exported, or one any eddsa-jcs-2022
// issuer made.
#ifndef VOUCH_W3C_CREDENTIAL_CHECK_H_
#define VOUCH_W3C_CREDENTIAL_CHECK_H_

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "vouch/core/errors.h"
#include "vouch/core/host_vc.h"
#include "vouch/w3c/data_integrity.h"

namespace vouch::w3c {

struct CredentialCheck {
  std::string id;      // the credential's id, "" if none
  std::string issuer;  // its issuer's id (a did:key)
  std::string valid_from, valid_until;  // as written; "" if absent
  std::vector<ProofCheck> proofs;       // each proof's own result, in document order
  // For a VouchHostCredential: the host VC embedded as evidence, verified,
  // whose rendering the JSON equals.
  std::optional<HostVc> host_vc;
  // Ok if everything below holds, else the first failure:
  //  1. every proof verifies on its own (its ProofCheck's code);
  //  2. the chain: some proof without previousProof is by the issuer, and
  //     every other proof names in previousProof only such issuer proofs
  //     (kBadSignature: a proof by a DID that is not in the chain, a link to
  //     a proof that is not the issuer's);
  //  3. a VouchHostCredential embeds its bare host VC as evidence, the
  //     evidence's sha256 matches it, its signature verifies and its
  //     rendering equals the JSON without its proofs (kMalformed naming the
  //     first member that differs, kBadSignature for the VC's signature);
  //  4. validFrom <= now <= validUntil where present (kInvalidArgument
  //     naming the bound and both times).
  Status status;
};

// Checks `credential` at `now` (seconds). Returns kMalformed, naming what
// is missing, if it is not a VC 2.0 credential with a proof: not an object,
// @context not starting with the credentials v2 context, no
// "VerifiableCredential" type, no did:key issuer (a string or an object with
// an id), validFrom/validUntil that are not dateTimeStamps, or a malformed
// `proof` (VerifyProofs). Otherwise the CredentialCheck above. Thread-safe.
Result<CredentialCheck> CheckCredential(const nlohmann::json& credential, int64_t now);

}  // namespace vouch::w3c

#endif  // VOUCH_W3C_CREDENTIAL_CHECK_H_
