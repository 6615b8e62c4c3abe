#include "vouch/w3c/credential_check.h"

#include <set>
#include <utility>

#include "vouch/w3c/host_credential.h"
#include "internal/credential_rules.h"
#include "internal/excerpt.h"

namespace vouch::w3c {
namespace {

using Json = nlohmann::json;
using internal::Excerpt;

// The DID of a verification method "did:…#fragment".
std::string DidOf(const std::string& method) { return method.substr(0, method.find('#')); }
// The same as an error sentence quotes it.
std::string QuotedDidOf(const std::string& method) { return Excerpt(DidOf(method), 80); }

// Check 2 of CredentialCheck: roots by the issuer, every other proof
// chained to roots only.
Status CheckChain(const std::string& issuer, const std::vector<ProofCheck>& proofs) {
  std::set<std::string> root_ids;
  bool issuer_root = false;
  for (const ProofCheck& p : proofs) {
    if (!p.previous_proof.empty()) continue;
    if (DidOf(p.verification_method) != issuer) {
      return Error(Code::kBadSignature, StrCat("proof by '", QuotedDidOf(p.verification_method),
                                               "' is neither the issuer's nor chained to it"));
    }
    issuer_root = true;
    if (!p.id.empty()) root_ids.insert(p.id);
  }
  if (!issuer_root) {
    return Error(Code::kBadSignature, StrCat("no proof stands for the issuer '", issuer, "'"));
  }
  for (const ProofCheck& p : proofs) {
    for (const std::string& link : p.previous_proof) {
      if (root_ids.count(link) == 0) {
        return Error(Code::kBadSignature, StrCat("proof by '", QuotedDidOf(p.verification_method), "' chains to '", Excerpt(link),
                                                 "', which is not a proof of the issuer"));
      }
    }
  }
  return Ok();
}

}  // namespace

Result<CredentialCheck> CheckCredential(const Json& credential, int64_t now) {
  VOUCH_ASSIGN_OR_RETURN(internal::CredentialEnvelope envelope, internal::ReadEnvelope(credential));
  CredentialCheck check;
  check.id = envelope.id;
  check.issuer = envelope.issuer;
  check.valid_from = envelope.valid_from;
  check.valid_until = envelope.valid_until;
  VOUCH_ASSIGN_OR_RETURN(check.proofs, VerifyProofs(credential));

  for (size_t i = 0; i < check.proofs.size(); ++i) {
    const ProofCheck& p = check.proofs[i];
    if (!p.status.ok()) {
      check.status = Error(p.status.error().code(), StrCat("proof ", i + 1, " by '", QuotedDidOf(p.verification_method),
                                                           "': ", p.status.error().message()));
      return check;
    }
  }
  check.status = CheckChain(check.issuer, check.proofs);
  if (!check.status.ok()) return check;
  if (internal::HasType(credential, kHostCredentialType)) {
    Json unsecured = credential;
    unsecured.erase("proof");
    auto vc = internal::CheckEmbeddedHostVc(unsecured);
    if (!vc.ok()) {
      check.status = vc.error();
      return check;
    }
    check.host_vc = std::move(vc).value();
  }
  check.status = internal::CheckValidity(envelope, now);
  return check;
}

}  // namespace vouch::w3c
