#include "vouch/core/countersign.h"

#include <string>
#include <utility>

#include "internal/cose_headers.h"

namespace vouch {

namespace cose {

Bytes CountersignV2ToBeSigned(const CoseSign1& target, ByteView sign_protected,
                              ByteView external_aad) {
  // RFC 9338 §3.3; other_fields holds the bstr fields of the target after
  // the second (protected, payload): for COSE_Sign1 just its signature.
  return cbor::Encode(cbor::Value(cbor::Array{
      cbor::Value("CounterSignatureV2"), cbor::Value(target.protected_bytes()),
      cbor::Value(sign_protected), cbor::Value(external_aad), cbor::Value(target.payload()),
      cbor::Value(cbor::Array{cbor::Value(target.signature())})}));
}

}  // namespace cose

namespace {

constexpr std::string_view kObject = "COSE_Countersignature";

}  // namespace

Result<Countersignature> Countersignature::FromValue(const cbor::Value& item,
                                                     const cbor::DecodeLimits& limits) {
  if (!item.is_array()) {
    return Error(
        Code::kMalformed,
        StrCat("COSE_Countersignature: expected a 3-element array [protected, unprotected, "
               "signature], got ",
               cose_internal::TypeName(item)));
  }
  const cbor::Array& fields = item.array();
  if (fields.size() != 3) {
    return Error(
        Code::kMalformed,
        StrCat("COSE_Countersignature: expected a 3-element array [protected, unprotected, "
               "signature], got ",
               fields.size(), " elements"));
  }
  VOUCH_ASSIGN_OR_RETURN(cose_internal::ProtectedHeader header,
                         cose_internal::ParseProtected(fields[0], kObject, limits));
  VOUCH_RETURN_IF_ERROR(cose_internal::CheckUnprotected(fields[1], header.map, kObject));
  if (!fields[2].is_bytes()) {
    return Error(Code::kMalformed,
                 StrCat("COSE_Countersignature: signature must be a byte string, got ",
                        cose_internal::TypeName(fields[2])));
  }
  Countersignature cs;
  cs.protected_bytes_ = std::move(header.bytes);
  cs.protected_ = std::move(header.map);
  cs.alg_ = header.alg;
  cs.unprotected_ = fields[1];
  cs.signature_ = fields[2].bytes();
  return cs;
}

Result<Countersignature> Countersignature::Parse(ByteView encoded,
                                                 const cbor::DecodeLimits& limits) {
  auto decoded = cbor::Decode(encoded, limits);
  if (!decoded.ok()) return decoded.error().WithContext(kObject);
  return FromValue(*decoded, limits);
}

Status Countersignature::Verify(const CoseSign1& target, const Ed25519PublicKey& key,
                                ByteView external_aad) const {
  VOUCH_RETURN_IF_ERROR(cose_internal::CheckAlg(alg_, cose::kAlgEdDSA, kObject));
  if (!key.Verify(ToBeSigned(target, external_aad), signature_).ok()) {
    return Error(Code::kBadSignature,
                 "COSE_Countersignature: EdDSA countersignature does not verify with the given "
                 "Ed25519 key over this COSE_Sign1 (wrong key, another or altered message)");
  }
  return Ok();
}

Bytes Countersignature::ToBeSigned(const CoseSign1& target, ByteView external_aad) const {
  return cose::CountersignV2ToBeSigned(target, protected_bytes_, external_aad);
}

cbor::Value Countersignature::ToValue() const {
  return cbor::Value(
      cbor::Array{cbor::Value(protected_bytes_), unprotected_, cbor::Value(signature_)});
}

Status Countersignature::SetUnprotectedHeader(const cbor::Value& label, cbor::Value value) {
  return cose_internal::SetUnprotected(unprotected_, protected_, label, std::move(value),
                                       "COSE_Countersignature");
}

Bytes Countersignature::Encode() const { return cbor::Encode(ToValue()); }

Result<Countersignature> Countersign(const CoseSign1& target, const cbor::Value& protected_extra,
                                     const Ed25519PrivateKey& key, ByteView external_aad) {
  VOUCH_ASSIGN_OR_RETURN(cose_internal::ProtectedHeader header,
                         cose_internal::BuildProtected(protected_extra, cose::kAlgEdDSA, kObject));
  Countersignature cs;
  cs.signature_ = key.Sign(cose::CountersignV2ToBeSigned(target, header.bytes, external_aad));
  cs.protected_bytes_ = std::move(header.bytes);
  cs.protected_ = std::move(header.map);
  cs.alg_ = header.alg;
  cs.unprotected_ = cbor::Value::Map({});
  return cs;
}

namespace {

// The elements of label 11 as a list of COSE_Countersignature items, from
// either form. kMalformed if it is neither.
Result<const cbor::Array*> CountersignatureList(const cbor::Value& label11, cbor::Array* single) {
  if (!label11.is_array()) {
    return Error(
        Code::kMalformed,
        StrCat("COSE_Sign1: countersignatures (unprotected label 11) must be an array, got ",
               cose_internal::TypeName(label11)));
  }
  const cbor::Array& items = label11.array();
  if (items.empty()) {
    return Error(Code::kMalformed,
                 "COSE_Sign1: countersignatures (unprotected label 11) is an empty array");
  }
  if (items[0].is_array()) return &items;  // [+ COSE_Countersignature]
  if (items[0].is_bytes()) {               // a single COSE_Countersignature
    single->assign(1, label11);
    return single;
  }
  return Error(Code::kMalformed,
               StrCat("COSE_Sign1: countersignatures (unprotected label 11) must be one "
                      "COSE_Countersignature or an array of them, got an array starting with ",
                      cose_internal::TypeName(items[0])));
}

}  // namespace

Status AddCountersignature(CoseSign1& target, const Countersignature& countersignature) {
  const cbor::Value label(cose::kHeaderCountersignatureV2);
  cbor::Array list;
  if (const cbor::Value* existing = target.unprotected_.Find(label)) {
    cbor::Array single;
    VOUCH_ASSIGN_OR_RETURN(const cbor::Array* items, CountersignatureList(*existing, &single));
    list = *items;
  }
  list.push_back(countersignature.ToValue());
  target.unprotected_.Set(label, cbor::Value(std::move(list)));
  return Ok();
}

Result<std::vector<Countersignature>> Countersignatures(const CoseSign1& target,
                                                        const cbor::DecodeLimits& limits) {
  std::vector<Countersignature> result;
  const cbor::Value* label11 = target.unprotected().Find(cose::kHeaderCountersignatureV2);
  if (label11 == nullptr) return result;
  cbor::Array single;
  VOUCH_ASSIGN_OR_RETURN(const cbor::Array* items, CountersignatureList(*label11, &single));
  result.reserve(items->size());
  for (size_t i = 0; i < items->size(); ++i) {
    auto cs = Countersignature::FromValue((*items)[i], limits);
    if (!cs.ok()) return cs.error().WithContext(StrCat("countersignature ", i));
    result.push_back(std::move(cs).value());
  }
  return result;
}

}  // namespace vouch
