#include "vouch/core/carried_cose.h"

namespace vouch {

Result<std::optional<Bytes>> CarriedCoseSignatureIn(const cbor::Value& unprotected, std::string_view object) {
  const cbor::Value* v = unprotected.Find(kCarriedCoseLabel);
  if (v == nullptr) return std::optional<Bytes>();
  if (!v->is_bytes() || v->bytes().size() != kCarriedCoseSignatureSize) {
    return Error(Code::kMalformed, StrCat(object, ": unprotected \"", kCarriedCoseLabel, "\" must be a ",
                                          kCarriedCoseSignatureSize, "-byte signature (bstr)"));
  }
  return std::optional<Bytes>(v->bytes());
}

}  // namespace vouch
