#include "vouch/w3c/endorsed_credential.h"

#include <utility>

#include "vouch/core/did_document.h"
#include "vouch/core/did_key.h"
#include "vouch/core/endorsement.h"
#include "vouch/w3c/data_integrity.h"
#include "vouch/w3c/date_time.h"
#include "vouch/w3c/host_credential.h"

namespace vouch::w3c {
namespace {

using Json = nlohmann::json;

ProofOptions HostProofOptions(const HostVc& vc, std::string created) {
  ProofOptions o;
  o.verification_method = DidKeyVerificationMethodId(vc.issuer());
  o.created = std::move(created);
  o.id = HostProofId(vc);
  return o;
}

ProofOptions EndorsementProofOptions(const HostVc& vc, const DidKey& validator, std::string created) {
  ProofOptions o;
  o.verification_method = DidKeyVerificationMethodId(validator);
  o.created = std::move(created);
  o.previous_proof = {HostProofId(vc)};
  return o;
}

// `options`' proof with the carried signature.
Result<Json> RebuildProof(const Json& rendering, const ProofOptions& options, const CarriedProof& carried) {
  VOUCH_ASSIGN_OR_RETURN(Json proof, ProofConfiguration(rendering, options));
  proof["proofValue"] = carried.proof_value;
  return proof;
}

// `rendering` secured with the host's carried proof alone.
Result<Json> WithHostProof(const Json& rendering, const HostVc& vc, const CarriedProof& host) {
  auto host_proof = RebuildProof(rendering, HostProofOptions(vc, host.created), host);
  if (!host_proof.ok()) return Error(Code::kMalformed, StrCat("host VC's W3C proof: ", host_proof.error().message()));
  Json secured = rendering;
  secured["proof"] = *host_proof;
  return secured;
}

// Whether the host's proof verifies over `rendering` without
// credentialStatus: the JSON form a host signed before the status list
// (DESIGN §3 "Who signs the JSON").
bool ProofPredatesStatus(Json rendering, const HostVc& vc, const CarriedProof& host) {
  rendering.erase("credentialStatus");
  auto secured = WithHostProof(rendering, vc, host);
  if (!secured.ok()) return false;
  auto checks = VerifyProofs(*secured);
  return checks.ok() && (*checks)[0].status.ok();
}

}  // namespace

std::string HostProofId(const HostVc& vc) { return StrCat("urn:vouch:proof:", HexEncode(vc.claims().cti)); }

Status ProveHostVc(HostVc& vc, const Ed25519PrivateKey& host_key) {
  if (!(host_key.public_key() == vc.issuer().public_key())) {
    return Error(Code::kInvalidArgument,
                 StrCat("host VC of '", vc.issuer().did(), "' cannot be proved with another key"));
  }
  VOUCH_ASSIGN_OR_RETURN(Json rendering, RenderHostVc(vc));
  VOUCH_ASSIGN_OR_RETURN(std::string created, FormatDateTime(vc.claims().issued_at));
  VOUCH_ASSIGN_OR_RETURN(Json secured, AddProof(rendering, HostProofOptions(vc, created), host_key));
  vc.CarryProof(CarriedProof{created, secured["proof"]["proofValue"].get<std::string>()});
  return Ok();
}

Result<std::optional<CarriedProof>> ProveEndorsement(const HostVc& vc, const Ed25519PrivateKey& validator_key,
                                                     int64_t at) {
  const std::optional<CarriedProof> host = vc.carried_proof();
  if (!host.has_value()) return std::optional<CarriedProof>();
  VOUCH_ASSIGN_OR_RETURN(Json rendering, RenderHostVc(vc));
  VOUCH_ASSIGN_OR_RETURN(Json secured, WithHostProof(rendering, vc, *host));
  VOUCH_ASSIGN_OR_RETURN(std::vector<ProofCheck> checks, VerifyProofs(secured));
  if (!checks[0].status.ok()) {
    // A host from before credentialStatus: its CBOR endorsement stands alone.
    if (ProofPredatesStatus(rendering, vc, *host)) return std::optional<CarriedProof>();
    return Error(checks[0].status.error().code() == Code::kBadSignature ? Code::kBadSignature : Code::kMalformed,
                 StrCat("host VC's W3C proof does not verify over its JSON form (",
                        checks[0].status.error().message(), ")"));
  }
  VOUCH_ASSIGN_OR_RETURN(std::string created, FormatDateTime(at));
  const DidKey validator = DidKey::FromPublicKey(validator_key.public_key());
  VOUCH_ASSIGN_OR_RETURN(Json chained,
                         AddProof(secured, EndorsementProofOptions(vc, validator, created), validator_key));
  return std::optional<CarriedProof>(
      CarriedProof{created, chained["proof"].back()["proofValue"].get<std::string>()});
}

Status CarryEndorsementProof(const HostVc& vc, const Ed25519PrivateKey& validator_key, Endorsement& endorsement) {
  VOUCH_ASSIGN_OR_RETURN(std::optional<CarriedProof> proof,
                         ProveEndorsement(vc, validator_key, endorsement.verdict.at));
  if (!proof.has_value()) return Ok();
  VOUCH_RETURN_IF_ERROR(endorsement.countersignature.SetUnprotectedHeader(cbor::Value(kCarriedProofLabel),
                                                                          CarriedProofToCbor(*proof)));
  endorsement.carried_proof = std::move(proof);
  return Ok();
}

Result<Json> ExportDataIntegrity(const HostVc& vc) {
  const std::optional<CarriedProof> host = vc.carried_proof();
  if (!host.has_value()) {
    return Error(Code::kNotFound, StrCat("host VC of '", vc.issuer().did(),
                                         "' carries no W3C proof (issued by a host without the JSON form)"));
  }
  VOUCH_ASSIGN_OR_RETURN(Json rendering, RenderHostVc(vc));
  if (ProofPredatesStatus(rendering, vc, *host)) {
    return Error(Code::kNotFound, StrCat("host VC of '", vc.issuer().did(),
                                         "' carries a W3C proof from before credentialStatus (a host from before "
                                         "the status list): it has no W3C form"));
  }
  Json proofs = Json::array();
  VOUCH_ASSIGN_OR_RETURN(Json host_proof, RebuildProof(rendering, HostProofOptions(vc, host->created), *host));
  proofs.push_back(std::move(host_proof));
  VOUCH_ASSIGN_OR_RETURN(std::vector<Countersignature> all, Countersignatures(vc.message()));
  for (const Countersignature& cs : all) {
    auto endorsement = VerifyEndorsement(vc, cs);
    if (!endorsement.ok() || !endorsement->carried_proof.has_value()) continue;
    VOUCH_ASSIGN_OR_RETURN(DidKey validator, DidKey::Parse(endorsement->validator_did));
    const CarriedProof& carried = *endorsement->carried_proof;
    VOUCH_ASSIGN_OR_RETURN(Json proof,
                           RebuildProof(rendering, EndorsementProofOptions(vc, validator, carried.created), carried));
    proofs.push_back(std::move(proof));
  }
  Json secured = std::move(rendering);
  secured["proof"] = proofs.size() == 1 ? proofs[0] : proofs;
  VOUCH_ASSIGN_OR_RETURN(std::vector<ProofCheck> checks, VerifyProofs(secured));
  for (const ProofCheck& check : checks) {
    if (!check.status.ok()) {
      return Error(Code::kBadSignature, StrCat("W3C proof by '", check.verification_method,
                                               "' does not verify: ", check.status.error().message()));
    }
  }
  return secured;
}

}  // namespace vouch::w3c
