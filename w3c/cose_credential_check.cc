#include "vouch/w3c/cose_credential_check.h"

#include <utility>

#include "internal/credential_rules.h"
#include "internal/excerpt.h"
#include "vouch/core/cose_sign1.h"
#include "vouch/core/countersign.h"
#include "vouch/core/did_key.h"
#include "vouch/core/jcs.h"
#include "vouch/w3c/cose_credential.h"
#include "vouch/w3c/host_credential.h"

namespace vouch::w3c {
namespace {

using Json = nlohmann::json;
using internal::Excerpt;

// The text of a kid (bstr or tstr), or nullopt for another type.
std::optional<std::string> KidText(const cbor::Value* kid) {
  if (kid == nullptr) return std::nullopt;
  if (kid->is_bytes()) return ToString(kid->bytes());
  if (kid->is_text()) return kid->text();
  return std::nullopt;
}

// The DID of a kid "did:…" or "did:…#fragment".
std::string DidOf(const std::string& kid) { return kid.substr(0, kid.find('#')); }

Status CheckHeaders(const CoseSign1& msg) {
  const cbor::Value& p = msg.protected_headers();
  const cbor::Value* typ = p.Find(kHeaderTyp);
  if (typ == nullptr || !typ->is_text() || typ->text() != kVcCoseType) {
    return Error(Code::kMalformed, StrCat("vc+cose: protected typ (16) must be \"", kVcCoseType, "\""));
  }
  const cbor::Value* cty = p.Find(cose::kHeaderContentType);
  if (cty != nullptr && !(cty->is_text() && cty->text() == kVcContentType)) {
    return Error(Code::kMalformed, StrCat("vc+cose: protected content type (3) must be \"", kVcContentType, "\""));
  }
  for (const auto& [label, value] : msg.unprotected().map()) {
    if (!(label == cbor::Value(cose::kHeaderCountersignatureV2))) {
      return Error(Code::kMalformed, StrCat("vc+cose: unknown unprotected header label ", label.ToDiagnostic(),
                                            " (vouch reads only 11, countersignatures)"));
    }
  }
  return Ok();
}

CoseSignatureCheck CheckCountersignature(const CoseSign1& target, const Countersignature& cs) {
  CoseSignatureCheck check;
  const std::optional<std::string> kid = KidText(cs.protected_headers().Find(cose::kHeaderKid));
  if (!kid.has_value()) {
    check.status = Error(Code::kMalformed, "countersignature: protected kid (4) must name the signer's DID");
    return check;
  }
  auto did = DidKey::Parse(DidOf(*kid));
  if (!did.ok()) {
    check.status = Error(Code::kMalformed, StrCat("countersignature kid '", Excerpt(*kid, 80), "': ",
                                                  did.error().message()));
    return check;
  }
  check.signer = did->did();
  if (!cs.Verify(target, did->public_key()).ok()) {
    check.status = Error(Code::kBadSignature, StrCat("countersignature by '", check.signer,
                                                     "' does not verify over this vc+cose"));
  }
  return check;
}

// Check 3 of CoseCredentialCheck.
Result<HostVc> CheckHostCredential(const CoseSign1& msg, const Json& credential) {
  VOUCH_ASSIGN_OR_RETURN(std::string canonical, CanonicalJson(credential));
  if (ToBytes(canonical) != msg.payload()) {
    return Error(Code::kMalformed, "vc+cose payload is not the JCS (RFC 8785) form of its JSON");
  }
  return internal::CheckEmbeddedHostVc(credential);
}

}  // namespace

Result<CoseCredentialCheck> CheckCoseCredential(ByteView encoded, int64_t now) {
  auto parsed = CoseSign1::Parse(encoded);
  if (!parsed.ok()) return parsed.error().WithContext("vc+cose");
  const CoseSign1& msg = *parsed;
  VOUCH_RETURN_IF_ERROR(CheckHeaders(msg));
  auto json = ParseJsonStrict(ToString(msg.payload()));
  if (!json.ok()) return json.error().WithContext("vc+cose payload");
  auto envelope = internal::ReadEnvelope(*json);
  if (!envelope.ok()) return envelope.error().WithContext("vc+cose payload");
  if (const cbor::Value* kid = msg.protected_headers().Find(cose::kHeaderKid); kid != nullptr) {
    const std::optional<std::string> text = KidText(kid);
    if (!text.has_value() || DidOf(*text) != envelope->issuer) {
      return Error(Code::kMalformed, StrCat("vc+cose: protected kid (4) does not name the issuer '",
                                            envelope->issuer, "'"));
    }
  }
  auto countersignatures = Countersignatures(msg);
  if (!countersignatures.ok()) return countersignatures.error().WithContext("vc+cose");

  CoseCredentialCheck check;
  check.id = envelope->id;
  check.issuer = envelope->issuer;
  check.valid_from = envelope->valid_from;
  check.valid_until = envelope->valid_until;
  check.credential = *json;
  check.signature.signer = envelope->issuer;
  const DidKey issuer = *DidKey::Parse(envelope->issuer);  // ReadEnvelope parsed it
  if (!msg.Verify(issuer.public_key()).ok()) {
    check.signature.status =
        Error(Code::kBadSignature, StrCat("vc+cose signature does not verify with the issuer '", check.issuer, "'"));
  }
  for (const Countersignature& cs : *countersignatures) check.countersignatures.push_back(CheckCountersignature(msg, cs));

  check.status = check.signature.status;
  if (!check.status.ok()) return check;
  for (size_t i = 0; i < check.countersignatures.size(); ++i) {
    const Status& s = check.countersignatures[i].status;
    if (!s.ok()) {
      check.status = Error(s.error().code(), StrCat("countersignature ", i + 1, ": ", s.error().message()));
      return check;
    }
  }
  if (internal::HasType(*json, kHostCredentialType)) {
    auto vc = CheckHostCredential(msg, *json);
    if (!vc.ok()) {
      check.status = vc.error();
      return check;
    }
    check.host_vc = std::move(vc).value();
  }
  check.status = internal::CheckValidity(*envelope, now);
  return check;
}

}  // namespace vouch::w3c
