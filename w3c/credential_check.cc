#include "vouch/w3c/credential_check.h"

#include <algorithm>
#include <set>
#include <utility>

#include "vouch/core/did_key.h"
#include "vouch/core/digest.h"
#include "vouch/w3c/date_time.h"
#include "vouch/w3c/host_credential.h"
#include "internal/excerpt.h"

namespace vouch::w3c {
namespace {

using Json = nlohmann::json;
using internal::Excerpt;

bool HasType(const Json& node, std::string_view type) {
  auto t = node.find("type");
  if (t == node.end()) return false;
  if (t->is_string()) return t->get<std::string>() == type;
  return t->is_array() && std::find(t->begin(), t->end(), Json(type)) != t->end();
}

// The DID of a verification method "did:…#fragment".
std::string DidOf(const std::string& method) { return method.substr(0, method.find('#')); }
// The same as an error sentence quotes it.
std::string QuotedDidOf(const std::string& method) { return Excerpt(DidOf(method), 80); }

// The optional date-time member `name`; "" if absent.
Result<std::string> DateMember(const Json& credential, const char* name) {
  auto it = credential.find(name);
  if (it == credential.end()) return std::string();
  if (!it->is_string() || !ParseDateTime(it->get<std::string>()).ok()) {
    return Error(Code::kMalformed, StrCat("credential ", name, " is not an XML dateTimeStamp"));
  }
  return it->get<std::string>();
}

Result<std::string> IssuerOf(const Json& credential) {
  auto it = credential.find("issuer");
  const Json* id = nullptr;
  if (it != credential.end() && it->is_string()) id = &*it;
  if (it != credential.end() && it->is_object() && it->contains("id")) id = &(*it)["id"];
  if (id == nullptr || !id->is_string()) {
    return Error(Code::kMalformed, "credential has no issuer (a DID, or an object with an id)");
  }
  const std::string issuer = id->get<std::string>();
  auto did = DidKey::Parse(issuer);
  if (!did.ok()) return did.error().WithContext("credential issuer");
  return issuer;
}

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

// Check 3 of CredentialCheck.
Result<HostVc> CheckEmbeddedHostVc(const Json& credential) {
  const Json* evidence = nullptr;
  if (auto e = credential.find("evidence"); e != credential.end() && e->is_array()) {
    for (const Json& item : *e) {
      if (item.is_object() && HasType(item, kHostVcEvidenceType)) evidence = &item;
    }
  }
  if (evidence == nullptr || !evidence->contains("coseSign1") || !(*evidence)["coseSign1"].is_string()) {
    return Error(Code::kMalformed, "host credential embeds no host VC (evidence of type VouchCoseHostCredential)");
  }
  auto bare = Base64Decode((*evidence)["coseSign1"].get<std::string>());
  if (!bare.ok()) return bare.error().WithContext("host credential evidence coseSign1");
  if (evidence->value("sha256", Json()) != Json(HexEncode(ToBytes(Sha256(*bare))))) {
    return Error(Code::kMalformed, "host credential evidence: sha256 is not the SHA-256 of coseSign1");
  }
  auto vc = HostVc::Parse(*bare);
  if (!vc.ok()) return vc.error().WithContext("embedded host VC");
  VOUCH_ASSIGN_OR_RETURN(Json rendering, RenderHostVc(*vc));
  Json unsecured = credential;
  unsecured.erase("proof");
  if (rendering != unsecured) {
    const Json patch = Json::diff(rendering, unsecured);
    return Error(Code::kMalformed,
                 StrCat("credential JSON differs from its embedded host VC at '",
                        patch.empty() ? std::string("/") : patch[0].value("path", std::string("/")), "'"));
  }
  if (BareHostVc(*vc) != *bare) {
    return Error(Code::kMalformed, "embedded host VC is not bare (its unprotected header must be empty)");
  }
  return std::move(vc).value();
}

}  // namespace

Result<CredentialCheck> CheckCredential(const Json& credential, int64_t now) {
  if (!credential.is_object()) return Error(Code::kMalformed, "credential is not a JSON object");
  auto ctx = credential.find("@context");
  if (ctx == credential.end() || !ctx->is_array() || ctx->empty() || (*ctx)[0] != Json(kCredentialsContextV2)) {
    return Error(Code::kMalformed, StrCat("credential @context does not start with '", kCredentialsContextV2, "'"));
  }
  if (!HasType(credential, "VerifiableCredential")) {
    return Error(Code::kMalformed, "credential type does not include VerifiableCredential");
  }
  CredentialCheck check;
  VOUCH_ASSIGN_OR_RETURN(check.issuer, IssuerOf(credential));
  if (auto id = credential.find("id"); id != credential.end() && id->is_string()) check.id = id->get<std::string>();
  VOUCH_ASSIGN_OR_RETURN(check.valid_from, DateMember(credential, "validFrom"));
  VOUCH_ASSIGN_OR_RETURN(check.valid_until, DateMember(credential, "validUntil"));
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
  if (HasType(credential, kHostCredentialType)) {
    auto vc = CheckEmbeddedHostVc(credential);
    if (!vc.ok()) {
      check.status = vc.error();
      return check;
    }
    check.host_vc = std::move(vc).value();
  }
  if (!check.valid_from.empty() && now < *ParseDateTime(check.valid_from)) {
    check.status = Error(Code::kInvalidArgument, StrCat("credential is valid from ", check.valid_from, ", not yet at ",
                                                        *FormatDateTime(now)));
  } else if (!check.valid_until.empty() && now > *ParseDateTime(check.valid_until)) {
    check.status = Error(Code::kInvalidArgument, StrCat("credential expired at ", check.valid_until, " (now ",
                                                        *FormatDateTime(now), ")"));
  }
  return check;
}

}  // namespace vouch::w3c
