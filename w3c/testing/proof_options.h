// Proof options for tests: `key`'s did:key verification method, a fixed
// `created`, an optional id and the proofs it chains to.
#ifndef VOUCH_W3C_TESTING_PROOF_OPTIONS_H_
#define VOUCH_W3C_TESTING_PROOF_OPTIONS_H_

#include <string>
#include <utility>
#include <vector>

#include "vouch/core/did_document.h"
#include "vouch/core/did_key.h"
#include "vouch/w3c/data_integrity.h"

namespace vouch::w3c::testing {

inline ProofOptions OptionsFor(const Ed25519PrivateKey& key, std::string id, std::vector<std::string> previous,
                               std::string created) {
  ProofOptions o;
  o.verification_method = DidKeyVerificationMethodId(DidKey::FromPublicKey(key.public_key()));
  o.created = std::move(created);
  o.id = std::move(id);
  o.previous_proof = std::move(previous);
  return o;
}

}  // namespace vouch::w3c::testing

#endif  // VOUCH_W3C_TESTING_PROOF_OPTIONS_H_
