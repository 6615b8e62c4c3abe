#include "vouch/core/cose_sign1.h"

#include <string>
#include <utility>

#include "internal/cose_headers.h"

namespace vouch {

namespace cose_internal {

std::string_view TypeName(const cbor::Value& v) {
  switch (v.type()) {
    case cbor::Value::Type::kUnsigned:
      return "an unsigned integer";
    case cbor::Value::Type::kNegative:
      return "a negative integer";
    case cbor::Value::Type::kBytes:
      return "a byte string";
    case cbor::Value::Type::kText:
      return "a text string";
    case cbor::Value::Type::kArray:
      return "an array";
    case cbor::Value::Type::kMap:
      return "a map";
    case cbor::Value::Type::kTag:
      return "a tagged item";
    case cbor::Value::Type::kBool:
      return "a boolean";
    case cbor::Value::Type::kNull:
      return "null";
    case cbor::Value::Type::kUndefined:
      return "undefined";
    case cbor::Value::Type::kFloat:
      return "a float";
  }
  return "an unknown item";
}

std::string AlgName(int64_t alg) {
  if (alg == cose::kAlgEdDSA) return "EdDSA (-8)";
  if (alg == cose::kAlgES256) return "ES256 (-7)";
  return StrCat("alg ", alg);
}

namespace {

bool IsLabel(const cbor::Value& key) { return key.is_integer() || key.is_text(); }

Status CheckLabels(const cbor::Value& map, std::string_view object, std::string_view which,
                   Code code) {
  for (const auto& [key, value] : map.map()) {
    if (!IsLabel(key)) {
      return Error(code, StrCat(object, ": ", which, " header label ", key.ToDiagnostic(),
                                " is neither an integer nor a text string"));
    }
  }
  return Ok();
}

}  // namespace

Result<ProtectedHeader> ParseProtected(const cbor::Value& field, std::string_view object,
                                       const cbor::DecodeLimits& limits) {
  if (!field.is_bytes()) {
    return Error(Code::kMalformed,
                 StrCat(object, ": protected header must be a byte string, got ", TypeName(field)));
  }
  ProtectedHeader header;
  header.bytes = field.bytes();
  if (header.bytes.empty()) {
    header.map = cbor::Value::Map({});  // RFC 9052 §3: zero-length means no parameters
  } else {
    auto decoded = cbor::Decode(header.bytes, limits);
    if (!decoded.ok()) {
      return Error(
          Code::kMalformed,
          StrCat(object, ": protected header is not a deterministically encoded CBOR map (",
                 decoded.error().message(), ")"));
    }
    header.map = std::move(decoded).value();
  }
  if (!header.map.is_map()) {
    return Error(Code::kMalformed, StrCat(object, ": protected header must encode a map, got ",
                                          TypeName(header.map)));
  }
  VOUCH_RETURN_IF_ERROR(CheckLabels(header.map, object, "protected", Code::kMalformed));
  if (const cbor::Value* crit = header.map.Find(cose::kHeaderCrit)) {
    return Error(
        Code::kMalformed,
        StrCat(object, ": protected header marks parameters critical (crit, label 2: ",
               crit->ToDiagnostic(), "); vouch understands no critical header parameters"));
  }
  const cbor::Value* alg = header.map.Find(cose::kHeaderAlg);
  if (alg == nullptr) {
    return Error(Code::kMalformed, StrCat(object, ": protected header has no alg (label 1)"));
  }
  auto alg_value = alg->AsInt64();
  if (!alg_value.ok()) {
    return Error(Code::kMalformed,
                 StrCat(object, ": protected alg (label 1) must be an integer, got ",
                        alg->is_integer() ? "an integer out of range" : TypeName(*alg)));
  }
  header.alg = *alg_value;
  return header;
}

Status CheckUnprotected(const cbor::Value& field, const cbor::Value& protected_map,
                        std::string_view object) {
  if (!field.is_map()) {
    return Error(Code::kMalformed,
                 StrCat(object, ": unprotected header must be a map, got ", TypeName(field)));
  }
  VOUCH_RETURN_IF_ERROR(CheckLabels(field, object, "unprotected", Code::kMalformed));
  if (field.Find(cose::kHeaderAlg) != nullptr) {
    return Error(
        Code::kMalformed,
        StrCat(object, ": alg (label 1) must be in the protected header, found it unprotected"));
  }
  if (field.Find(cose::kHeaderCrit) != nullptr) {
    return Error(Code::kMalformed,
                 StrCat(object,
                        ": unprotected header holds crit (label 2); crit must be protected, "
                        "and vouch understands no critical header parameters"));
  }
  for (const auto& [key, value] : field.map()) {
    if (protected_map.Find(key) != nullptr) {
      return Error(Code::kMalformed,
                   StrCat(object, ": header label ", key.ToDiagnostic(),
                          " is in both the protected and the unprotected header"));
    }
  }
  return Ok();
}

Status SetUnprotected(cbor::Value& unprotected, const cbor::Value& protected_map,
                      const cbor::Value& label, cbor::Value value, std::string_view object) {
  if (!IsLabel(label) || label == cbor::Value(cose::kHeaderAlg) ||
      label == cbor::Value(cose::kHeaderCrit) || label == cbor::Value(cose::kHeaderCountersignatureV2) ||
      protected_map.Find(label) != nullptr) {
    return Error(Code::kInvalidArgument,
                 StrCat(object, ": header label ", label.ToDiagnostic(),
                        " cannot be set unprotected (not a label, alg, crit, 11, or protected)"));
  }
  unprotected.Set(label, std::move(value));
  return Ok();
}

Result<ProtectedHeader> BuildProtected(const cbor::Value& extra, int64_t alg,
                                       std::string_view object) {
  if (!extra.is_map()) {
    return Error(
        Code::kInvalidArgument,
        StrCat(object, ": protected header parameters must be a map, got ", TypeName(extra)));
  }
  VOUCH_RETURN_IF_ERROR(CheckLabels(extra, object, "protected", Code::kInvalidArgument));
  if (extra.Find(cose::kHeaderAlg) != nullptr) {
    return Error(Code::kInvalidArgument,
                 StrCat(object,
                        ": protected header parameters must not hold alg (label 1); "
                        "it is set from the signing key"));
  }
  if (extra.Find(cose::kHeaderCrit) != nullptr) {
    return Error(Code::kInvalidArgument,
                 StrCat(object,
                        ": protected header parameters must not hold crit (label 2); "
                        "vouch writes no critical header parameters"));
  }
  ProtectedHeader header;
  header.map = extra;
  header.map.Set(cbor::Value(cose::kHeaderAlg), cbor::Value(alg));
  header.bytes = cbor::Encode(header.map);
  header.alg = alg;
  return header;
}

Status CheckAlg(int64_t alg, int64_t key_alg, std::string_view object) {
  if (alg != cose::kAlgEdDSA && alg != cose::kAlgES256) {
    return Error(Code::kMalformed,
                 StrCat(object, ": protected ", AlgName(alg),
                        " is not supported (vouch verifies EdDSA (-8) and ES256 (-7))"));
  }
  if (alg != key_alg) {
    return Error(Code::kBadSignature, StrCat(object, ": protected alg is ", AlgName(alg),
                                             " but the key is for ", AlgName(key_alg)));
  }
  return Ok();
}

}  // namespace cose_internal

namespace cose {

Bytes Sign1ToBeSigned(ByteView body_protected, ByteView external_aad, ByteView payload) {
  // RFC 9052 §4.4.
  return cbor::Encode(
      cbor::Value(cbor::Array{cbor::Value("Signature1"), cbor::Value(body_protected),
                              cbor::Value(external_aad), cbor::Value(payload)}));
}

}  // namespace cose

namespace {

constexpr std::string_view kObject = "COSE_Sign1";

Status CheckSignUnprotected(const cbor::Value& unprotected, const cbor::Value& protected_map) {
  if (!unprotected.is_map()) {
    return Error(Code::kInvalidArgument,
                 StrCat("COSE_Sign1: unprotected header must be a map, got ",
                        cose_internal::TypeName(unprotected)));
  }
  if (unprotected.Find(cose::kHeaderCountersignatureV2) != nullptr) {
    return Error(Code::kInvalidArgument,
                 "COSE_Sign1: unprotected header must not hold countersignatures (label 11) when "
                 "signing; add them afterwards with AddCountersignature");
  }
  auto checked = cose_internal::CheckUnprotected(unprotected, protected_map, kObject);
  if (!checked.ok()) return Error(Code::kInvalidArgument, checked.error().message());
  return Ok();
}

}  // namespace

Result<CoseSign1> CoseSign1::Parse(ByteView encoded, const cbor::DecodeLimits& limits) {
  auto decoded = cbor::Decode(encoded, limits);
  if (!decoded.ok()) return decoded.error().WithContext(kObject);
  const cbor::Value& top = *decoded;
  if (!top.is_tag()) {
    if (top.is_array()) {
      return Error(Code::kMalformed,
                   "COSE_Sign1: expected CBOR tag 18, got an untagged array (vouch accepts only "
                   "tagged COSE_Sign1 messages)");
    }
    return Error(Code::kMalformed,
                 StrCat("COSE_Sign1: expected CBOR tag 18, got ", cose_internal::TypeName(top)));
  }
  if (top.tag() != cose::kTagSign1) {
    return Error(Code::kMalformed, StrCat("COSE_Sign1: expected CBOR tag 18, got tag ", top.tag()));
  }
  const cbor::Value& body = top.tagged();
  if (!body.is_array()) {
    return Error(Code::kMalformed,
                 StrCat("COSE_Sign1: expected a 4-element array [protected, unprotected, payload, "
                        "signature] in tag 18, got ",
                        cose_internal::TypeName(body)));
  }
  const cbor::Array& fields = body.array();
  if (fields.size() != 4) {
    return Error(Code::kMalformed,
                 StrCat("COSE_Sign1: expected a 4-element array [protected, unprotected, payload, "
                        "signature], got ",
                        fields.size(), " elements"));
  }
  VOUCH_ASSIGN_OR_RETURN(cose_internal::ProtectedHeader header,
                         cose_internal::ParseProtected(fields[0], kObject, limits));
  VOUCH_RETURN_IF_ERROR(cose_internal::CheckUnprotected(fields[1], header.map, kObject));
  if (!fields[2].is_bytes()) {
    return Error(Code::kMalformed,
                 StrCat("COSE_Sign1: payload must be a byte string, got ",
                        cose_internal::TypeName(fields[2]),
                        fields[2].is_null() ? " (detached payloads are not supported)" : ""));
  }
  if (!fields[3].is_bytes()) {
    return Error(Code::kMalformed, StrCat("COSE_Sign1: signature must be a byte string, got ",
                                          cose_internal::TypeName(fields[3])));
  }
  CoseSign1 message;
  message.protected_bytes_ = std::move(header.bytes);
  message.protected_ = std::move(header.map);
  message.alg_ = header.alg;
  message.unprotected_ = fields[1];
  message.payload_ = fields[2].bytes();
  message.signature_ = fields[3].bytes();
  return message;
}

template <typename Key>
Result<CoseSign1> CoseSign1::SignWith(const cbor::Value& protected_extra,
                                      const cbor::Value& unprotected, ByteView payload,
                                      const Key& key, int64_t alg, ByteView external_aad) {
  VOUCH_ASSIGN_OR_RETURN(cose_internal::ProtectedHeader header,
                         cose_internal::BuildProtected(protected_extra, alg, kObject));
  VOUCH_RETURN_IF_ERROR(CheckSignUnprotected(unprotected, header.map));
  CoseSign1 message;
  message.signature_ = key.Sign(cose::Sign1ToBeSigned(header.bytes, external_aad, payload));
  message.protected_bytes_ = std::move(header.bytes);
  message.protected_ = std::move(header.map);
  message.alg_ = header.alg;
  message.unprotected_ = unprotected;
  message.payload_.assign(payload.begin(), payload.end());
  return message;
}

Result<CoseSign1> CoseSign1::Sign(const cbor::Value& protected_extra,
                                  const cbor::Value& unprotected, ByteView payload,
                                  const Ed25519PrivateKey& key, ByteView external_aad) {
  return SignWith(protected_extra, unprotected, payload, key, cose::kAlgEdDSA, external_aad);
}

Result<CoseSign1> CoseSign1::Sign(const cbor::Value& protected_extra,
                                  const cbor::Value& unprotected, ByteView payload,
                                  const P256PrivateKey& key, ByteView external_aad) {
  return SignWith(protected_extra, unprotected, payload, key, cose::kAlgES256, external_aad);
}

Status CoseSign1::Verify(const Ed25519PublicKey& key, ByteView external_aad) const {
  VOUCH_RETURN_IF_ERROR(cose_internal::CheckAlg(alg_, cose::kAlgEdDSA, kObject));
  if (!key.Verify(ToBeSigned(external_aad), signature_).ok()) {
    return Error(Code::kBadSignature,
                 "COSE_Sign1: EdDSA signature does not verify with the given Ed25519 key (wrong "
                 "key, or the message or external aad was altered)");
  }
  return Ok();
}

Status CoseSign1::Verify(const P256PublicKey& key, ByteView external_aad) const {
  VOUCH_RETURN_IF_ERROR(cose_internal::CheckAlg(alg_, cose::kAlgES256, kObject));
  if (!key.Verify(ToBeSigned(external_aad), signature_).ok()) {
    return Error(Code::kBadSignature,
                 "COSE_Sign1: ES256 signature does not verify with the given P-256 key (wrong "
                 "key, or the message or external aad was altered)");
  }
  return Ok();
}

Bytes CoseSign1::ToBeSigned(ByteView external_aad) const {
  return cose::Sign1ToBeSigned(protected_bytes_, external_aad, payload_);
}

Status CoseSign1::SetUnprotectedHeader(const cbor::Value& label, cbor::Value value) {
  return cose_internal::SetUnprotected(unprotected_, protected_, label, std::move(value), "COSE_Sign1");
}

Bytes CoseSign1::Encode() const {
  return cbor::Encode(cbor::Value::Tag(
      cose::kTagSign1, cbor::Value(cbor::Array{cbor::Value(protected_bytes_), unprotected_,
                                               cbor::Value(payload_), cbor::Value(signature_)})));
}

}  // namespace vouch
