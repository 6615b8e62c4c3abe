// The VC Data Model 2.0 rules `vouch vc verify` applies to a credential's
// JSON whatever secures it (Data Integrity proofs, credential_check.h, or a
// vc+cose envelope, cose_credential_check.h). Private to vouch_w3c.
#ifndef VOUCH_W3C_INTERNAL_CREDENTIAL_RULES_H_
#define VOUCH_W3C_INTERNAL_CREDENTIAL_RULES_H_

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

#include "vouch/core/errors.h"
#include "vouch/core/host_vc.h"

namespace vouch::w3c::internal {

// What a credential says of itself.
struct CredentialEnvelope {
  std::string id;                       // "" if none
  std::string issuer;                   // a did:key
  std::string valid_from, valid_until;  // as written; "" if absent
};

// True if `node`'s "type" is `type` or an array holding it.
bool HasType(const nlohmann::json& node, std::string_view type);

// Reads the envelope of `credential`. kMalformed, naming what is missing,
// if it is not an object, its @context does not start with the credentials
// v2 context, its type lacks "VerifiableCredential", its issuer is not a
// did:key (a string or an object with an id), or validFrom/validUntil are
// not dateTimeStamps.
Result<CredentialEnvelope> ReadEnvelope(const nlohmann::json& credential);

// Ok if validFrom <= now <= validUntil where present; kInvalidArgument
// naming the bound and both times.
Status CheckValidity(const CredentialEnvelope& envelope, int64_t now);

// For a VouchHostCredential: the bare host VC `unsecured` (the credential
// without its securing) embeds as evidence, after checking that the
// evidence's sha256 matches it, its signature verifies and its rendering
// equals `unsecured` (kMalformed naming the first member that differs,
// kBadSignature for the VC's signature).
Result<HostVc> CheckEmbeddedHostVc(const nlohmann::json& unsecured);

}  // namespace vouch::w3c::internal

#endif  // VOUCH_W3C_INTERNAL_CREDENTIAL_RULES_H_
