#include "internal/credential_rules.h"

#include <algorithm>
#include <utility>

#include "internal/excerpt.h"
#include "vouch/core/did_key.h"
#include "vouch/core/digest.h"
#include "vouch/w3c/date_time.h"
#include "vouch/w3c/host_credential.h"

namespace vouch::w3c::internal {
namespace {

using Json = nlohmann::json;

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

}  // namespace

bool HasType(const Json& node, std::string_view type) {
  auto t = node.find("type");
  if (t == node.end()) return false;
  if (t->is_string()) return t->get<std::string>() == type;
  return t->is_array() && std::find(t->begin(), t->end(), Json(type)) != t->end();
}

Result<CredentialEnvelope> ReadEnvelope(const Json& credential) {
  if (!credential.is_object()) return Error(Code::kMalformed, "credential is not a JSON object");
  auto ctx = credential.find("@context");
  if (ctx == credential.end() || !ctx->is_array() || ctx->empty() || (*ctx)[0] != Json(kCredentialsContextV2)) {
    return Error(Code::kMalformed, StrCat("credential @context does not start with '", kCredentialsContextV2, "'"));
  }
  if (!HasType(credential, "VerifiableCredential")) {
    return Error(Code::kMalformed, "credential type does not include VerifiableCredential");
  }
  CredentialEnvelope envelope;
  VOUCH_ASSIGN_OR_RETURN(envelope.issuer, IssuerOf(credential));
  if (auto id = credential.find("id"); id != credential.end() && id->is_string()) {
    envelope.id = id->get<std::string>();
  }
  VOUCH_ASSIGN_OR_RETURN(envelope.valid_from, DateMember(credential, "validFrom"));
  VOUCH_ASSIGN_OR_RETURN(envelope.valid_until, DateMember(credential, "validUntil"));
  return envelope;
}

Status CheckValidity(const CredentialEnvelope& envelope, int64_t now) {
  if (!envelope.valid_from.empty() && now < *ParseDateTime(envelope.valid_from)) {
    return Error(Code::kInvalidArgument, StrCat("credential is valid from ", envelope.valid_from, ", not yet at ",
                                                *FormatDateTime(now)));
  }
  if (!envelope.valid_until.empty() && now > *ParseDateTime(envelope.valid_until)) {
    return Error(Code::kInvalidArgument, StrCat("credential expired at ", envelope.valid_until, " (now ",
                                                *FormatDateTime(now), ")"));
  }
  return Ok();
}

Result<HostVc> CheckEmbeddedHostVc(const Json& unsecured) {
  const Json* evidence = nullptr;
  if (auto e = unsecured.find("evidence"); e != unsecured.end() && e->is_array()) {
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

}  // namespace vouch::w3c::internal
