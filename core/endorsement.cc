#include "vouch/core/endorsement.h"

#include "vouch/core/did_key.h"

namespace vouch {
namespace {

constexpr std::string_view kVerdictLabel = "vouch.verdict";

cbor::Value VerdictToCbor(const Verdict& v) {
  return cbor::Value::Map({{"ok", v.ok},
                           {"at", v.at},
                           {"ledger", cbor::Value(v.ledger_head)},
                           {"policy", cbor::Value(v.policy)}});
}

Result<Verdict> VerdictFromCbor(const cbor::Value* v, const std::string& who) {
  auto bad = [&](std::string_view what) {
    return Error(Code::kMalformed, StrCat("endorsement by '", who, "': ", what));
  };
  if (v == nullptr || !v->is_map()) return bad("protected header \"vouch.verdict\" must be a map");
  const cbor::Value* ok = v->Find("ok");
  const cbor::Value* at = v->Find("at");
  const cbor::Value* ledger = v->Find("ledger");
  const cbor::Value* policy = v->Find("policy");
  if (ok == nullptr || !ok->is_bool()) return bad("verdict 'ok' must be a boolean");
  if (at == nullptr || !at->AsInt64().ok()) return bad("verdict 'at' must be an integer");
  if (ledger == nullptr || !ledger->is_bytes()) return bad("verdict 'ledger' must be a byte string");
  if (policy == nullptr || !policy->is_bytes()) return bad("verdict 'policy' must be a byte string");
  if (v->map().size() != 4) return bad("verdict has unknown fields");
  return Verdict{ok->bool_value(), *at->AsInt64(), ledger->bytes(), policy->bytes()};
}

}  // namespace

Result<Endorsement> Endorse(const HostVc& vc, const Ed25519PrivateKey& validator_key,
                            const Verdict& verdict) {
  return Endorse(vc, validator_key, DidKey::FromPublicKey(validator_key.public_key()).did(),
                 verdict);
}

Result<Endorsement> Endorse(const HostVc& vc, const Ed25519PrivateKey& validator_key,
                            const std::string& validator_did, const Verdict& verdict) {
  cbor::Value protected_extra =
      cbor::Value::Map({{cose::kHeaderKid, cbor::Value(AsBytes(validator_did))},
                        {kVerdictLabel, VerdictToCbor(verdict)}});
  VOUCH_ASSIGN_OR_RETURN(Countersignature cs,
                         Countersign(vc.message(), protected_extra, validator_key));
  return Endorsement{validator_did, verdict, std::move(cs), std::nullopt, std::nullopt};
}

Result<Endorsement> VerifyEndorsement(const HostVc& vc, const Countersignature& cs) {
  const cbor::Value* kid = cs.protected_headers().Find(cose::kHeaderKid);
  if (kid == nullptr || !kid->is_bytes()) {
    return Error(Code::kMalformed, "endorsement: protected kid (4) must hold the validator DID");
  }
  std::string who = ToString(kid->bytes());
  auto did = DidKey::Parse(who);
  if (!did.ok()) return did.error().WithContext("endorsement kid");
  VOUCH_ASSIGN_OR_RETURN(Verdict verdict,
                         VerdictFromCbor(cs.protected_headers().Find(kVerdictLabel), who));
  for (const auto& [label, value] : cs.unprotected().map()) {
    if (!(label == cbor::Value(kCarriedProofLabel)) && !(label == cbor::Value(kCarriedCoseLabel))) {
      return Error(Code::kMalformed, StrCat("endorsement by '", who, "': unknown unprotected header label ",
                                            label.ToDiagnostic(), " (vouch reads only \"", kCarriedProofLabel,
                                            "\" and \"", kCarriedCoseLabel, "\")"));
    }
  }
  auto carried = CarriedProofIn(cs.unprotected(), StrCat("endorsement by '", who, "'"));
  if (!carried.ok()) return carried.error();
  auto carried_cose = CarriedCoseSignatureIn(cs.unprotected(), StrCat("endorsement by '", who, "'"));
  if (!carried_cose.ok()) return carried_cose.error();
  if (!cs.Verify(vc.message(), did->public_key()).ok()) {
    return Error(Code::kBadSignature,
                 StrCat("endorsement by '", who, "' does not verify over this host VC"));
  }
  return Endorsement{who, std::move(verdict), cs, std::move(*carried), std::move(*carried_cose)};
}

Status AttachEndorsement(HostVc& vc, const Endorsement& endorsement) {
  return AddCountersignature(vc.mutable_message(), endorsement.countersignature);
}

Result<std::vector<EndorsementCheck>> CheckEndorsements(const HostVc& vc) {
  VOUCH_ASSIGN_OR_RETURN(std::vector<Countersignature> all, Countersignatures(vc.message()));
  std::vector<EndorsementCheck> out;
  for (const auto& cs : all) {
    EndorsementCheck check;
    const cbor::Value* kid = cs.protected_headers().Find(cose::kHeaderKid);
    if (kid != nullptr && kid->is_bytes()) check.validator_did = ToString(kid->bytes());
    auto e = VerifyEndorsement(vc, cs);
    if (e.ok()) check.verdict = e->verdict;
    else check.status = e.error();
    out.push_back(std::move(check));
  }
  return out;
}

}  // namespace vouch
