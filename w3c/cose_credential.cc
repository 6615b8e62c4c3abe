#include "vouch/w3c/cose_credential.h"

#include <algorithm>
#include <utility>

#include "vouch/core/did_key.h"
#include "vouch/core/jcs.h"
#include "vouch/w3c/host_credential.h"

namespace vouch::w3c {
namespace {

// The protected header of the host's vc+cose, but alg (Sign adds it).
cbor::Value HostProtectedExtra(const HostVc& vc) {
  return cbor::Value::Map({{cose::kHeaderContentType, std::string(kVcContentType)},
                           {cose::kHeaderKid, cbor::Value(AsBytes(vc.issuer().did()))},
                           {kHeaderTyp, std::string(kVcCoseType)}});
}

// A COSE_Sign1 made of its four fields (unprotected empty), read back by
// the strict parser.
Result<CoseSign1> Assemble(ByteView protected_bytes, ByteView payload, const Bytes& signature) {
  return CoseSign1::Parse(cbor::Encode(cbor::Value::Tag(
      cose::kTagSign1, cbor::Array{cbor::Value(Bytes(protected_bytes.begin(), protected_bytes.end())),
                                   cbor::Value::Map({}), cbor::Value(Bytes(payload.begin(), payload.end())),
                                   cbor::Value(signature)})));
}

// `cbor_countersignature`'s protected header without alg (Countersign adds it).
cbor::Value ProtectedExtraOf(const Countersignature& cbor_countersignature) {
  cbor::MapEntries extra;
  for (const auto& [label, value] : cbor_countersignature.protected_headers().map()) {
    if (!(label == cbor::Value(cose::kHeaderAlg))) extra.emplace_back(label, value);
  }
  return cbor::Value::Map(std::move(extra));
}

}  // namespace

Result<Bytes> VcCosePayload(const HostVc& vc) {
  VOUCH_ASSIGN_OR_RETURN(nlohmann::json rendering, RenderHostVc(vc));
  VOUCH_ASSIGN_OR_RETURN(std::string canonical, CanonicalJson(rendering));
  return ToBytes(canonical);
}

Status SignVcCose(HostVc& vc, const Ed25519PrivateKey& host_key) {
  if (!(host_key.public_key() == vc.issuer().public_key())) {
    return Error(Code::kInvalidArgument,
                 StrCat("host VC of '", vc.issuer().did(), "' cannot be signed as vc+cose with another key"));
  }
  VOUCH_ASSIGN_OR_RETURN(Bytes payload, VcCosePayload(vc));
  VOUCH_ASSIGN_OR_RETURN(CoseSign1 signed_form,
                         CoseSign1::Sign(HostProtectedExtra(vc), cbor::Value::Map({}), payload, host_key));
  vc.CarryCoseSignature(signed_form.signature());
  return Ok();
}

Result<CoseSign1> HostVcCose(const HostVc& vc) {
  const std::optional<Bytes> signature = vc.carried_cose_signature();
  if (!signature.has_value()) {
    return Error(Code::kNotFound, StrCat("host VC of '", vc.issuer().did(),
                                         "' carries no vc+cose signature (issued by a host without that form)"));
  }
  VOUCH_ASSIGN_OR_RETURN(Bytes payload, VcCosePayload(vc));
  // The host signed the header Sign writes; sign nothing, just encode it the same way.
  cbor::MapEntries header = HostProtectedExtra(vc).map();
  header.emplace_back(cose::kHeaderAlg, cose::kAlgEdDSA);
  const Bytes protected_bytes = cbor::Encode(cbor::Value::Map(std::move(header)));
  VOUCH_ASSIGN_OR_RETURN(CoseSign1 form, Assemble(protected_bytes, payload, *signature));
  if (!form.Verify(vc.issuer().public_key()).ok()) {
    return Error(Code::kBadSignature, StrCat("host VC's vc+cose signature does not verify over its JSON form (by '",
                                             vc.issuer().did(), "')"));
  }
  return form;
}

Result<Countersignature> VcCoseCountersignature(const Countersignature& cbor_countersignature,
                                                const Bytes& signature) {
  const ByteView p = cbor_countersignature.protected_bytes();
  return Countersignature::FromValue(
      cbor::Value(cbor::Array{cbor::Value(Bytes(p.begin(), p.end())), cbor::Value::Map({}), cbor::Value(signature)}));
}

Status CarryEndorsementCose(const HostVc& vc, const Ed25519PrivateKey& validator_key, Endorsement& endorsement) {
  if (!vc.carried_cose_signature().has_value()) return Ok();
  VOUCH_ASSIGN_OR_RETURN(CoseSign1 form, HostVcCose(vc));
  const Countersignature& cbor_cs = endorsement.countersignature;
  VOUCH_ASSIGN_OR_RETURN(Countersignature cs, Countersign(form, ProtectedExtraOf(cbor_cs), validator_key));
  if (!std::ranges::equal(cs.protected_bytes(), cbor_cs.protected_bytes())) {
    return Error(Code::kInternal, "vc+cose countersignature header differs from the CBOR endorsement's");
  }
  VOUCH_RETURN_IF_ERROR(
      endorsement.countersignature.SetUnprotectedHeader(cbor::Value(kCarriedCoseLabel), cbor::Value(cs.signature())));
  endorsement.carried_cose_signature = cs.signature();
  return Ok();
}

Result<Bytes> ExportVcCose(const HostVc& vc) {
  VOUCH_ASSIGN_OR_RETURN(CoseSign1 form, HostVcCose(vc));
  VOUCH_ASSIGN_OR_RETURN(std::vector<Countersignature> all, Countersignatures(vc.message()));
  for (const Countersignature& cbor_cs : all) {
    auto endorsement = VerifyEndorsement(vc, cbor_cs);
    if (!endorsement.ok() || !endorsement->carried_cose_signature.has_value()) continue;
    VOUCH_ASSIGN_OR_RETURN(Countersignature cs,
                           VcCoseCountersignature(cbor_cs, *endorsement->carried_cose_signature));
    VOUCH_ASSIGN_OR_RETURN(DidKey validator, DidKey::Parse(endorsement->validator_did));
    if (!cs.Verify(form, validator.public_key()).ok()) {
      return Error(Code::kBadSignature, StrCat("vc+cose countersignature by '", endorsement->validator_did,
                                               "' does not verify over the host's vc+cose"));
    }
    VOUCH_RETURN_IF_ERROR(AddCountersignature(form, cs));
  }
  return form.Encode();
}

}  // namespace vouch::w3c
