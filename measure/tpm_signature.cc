#include "vouch/measure/tpm_signature.h"

#include "internal/tpm_reader.h"
#include "vouch/core/p256.h"
#include "vouch/measure/ak_public.h"

namespace vouch {
namespace {

constexpr size_t kMaxSignatureSize = 256;
constexpr size_t kMaxEccParameterSize = 128;  // TPM2B_ECC_PARAMETER: MAX_ECC_KEY_BYTES

}  // namespace

Result<Bytes> ParseEcdsaSha256Signature(ByteView signature) {
  if (signature.size() > kMaxSignatureSize) {
    return Error(Code::kBadQuote,
                 StrCat("TPMT_SIGNATURE: ", signature.size(), " bytes, more than the ",
                        kMaxSignatureSize, " an ECDSA P-256 signature takes"));
  }
  internal::TpmReader r("TPMT_SIGNATURE", signature);
  VOUCH_ASSIGN_OR_RETURN(uint16_t alg, r.U16("sigAlg"));
  if (alg != kTpmAlgEcdsa) {
    return r.Fail(StrCat("sigAlg is ", alg, ", expected ECDSA (", kTpmAlgEcdsa, ")"));
  }
  VOUCH_ASSIGN_OR_RETURN(uint16_t hash, r.U16("hash"));
  if (hash != kTpmAlgSha256) {
    return r.Fail(StrCat("hash is ", hash, ", expected SHA-256 (", kTpmAlgSha256, ")"));
  }
  Bytes raw(kP256SignatureSize, 0);
  const char* names[2] = {"signatureR", "signatureS"};
  for (int i = 0; i < 2; ++i) {
    VOUCH_ASSIGN_OR_RETURN(ByteView v, r.Sized(names[i], kMaxEccParameterSize));
    if (v.empty() || v.size() > kP256CoordinateSize) {
      return r.Fail(StrCat(names[i], " is ", v.size(), " bytes, expected 1 to 32 (P-256)"));
    }
    std::copy(v.begin(), v.end(), raw.begin() + (i + 1) * 32 - static_cast<long>(v.size()));
  }
  VOUCH_RETURN_IF_ERROR(r.ExpectEnd());
  return raw;
}

}  // namespace vouch
