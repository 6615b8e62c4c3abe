#include "vouch/core/did_document.h"

namespace vouch {
namespace {

constexpr std::string_view kDidKeyPrefix = "did:key:";

// The method-specific id: "z6Mk…", the Multikey form of the public key.
std::string_view MultibaseKey(const DidKey& did) {
  return std::string_view(did.did()).substr(kDidKeyPrefix.size());
}

}  // namespace

std::string DidKeyVerificationMethodId(const DidKey& did) {
  return StrCat(did.did(), "#", MultibaseKey(did));
}

nlohmann::json DidKeyDocument(const DidKey& did) {
  const std::string method_id = DidKeyVerificationMethodId(did);
  const nlohmann::json reference = nlohmann::json::array({method_id});
  return nlohmann::json{
      {"@context", nlohmann::json::array({kDidContextV1, kMultikeyContextV1})},
      {"id", did.did()},
      {"verificationMethod",
       nlohmann::json::array({{
           {"id", method_id},
           {"type", "Multikey"},
           {"controller", did.did()},
           {"publicKeyMultibase", MultibaseKey(did)},
       }})},
      // The key serves every verification relationship DID Core names for a
      // signing key; did:key has no other key to give them.
      {"authentication", reference},
      {"assertionMethod", reference},
      {"capabilityInvocation", reference},
      {"capabilityDelegation", reference},
  };
}

}  // namespace vouch
