#include "vouch/core/carried_proof.h"

namespace vouch {

cbor::Value CarriedProofToCbor(const CarriedProof& proof) {
  return cbor::Value::Map({{"created", proof.created}, {"proofValue", proof.proof_value}});
}

Result<std::optional<CarriedProof>> CarriedProofIn(const cbor::Value& unprotected,
                                                   std::string_view object) {
  const cbor::Value* v = unprotected.Find(kCarriedProofLabel);
  if (v == nullptr) return std::optional<CarriedProof>();
  const cbor::Value* created = v->Find("created");
  const cbor::Value* value = v->Find("proofValue");
  auto fits = [](const cbor::Value* t) {
    return t != nullptr && t->is_text() && !t->text().empty() && t->text().size() <= kCarriedProofMaxMember;
  };
  if (!v->is_map() || v->map().size() != 2 || !fits(created) || !fits(value)) {
    return Error(Code::kMalformed, StrCat(object, ": unprotected \"", kCarriedProofLabel,
                                          "\" must be {\"created\": tstr, \"proofValue\": tstr}"));
  }
  return std::optional<CarriedProof>(CarriedProof{created->text(), value->text()});
}

}  // namespace vouch
