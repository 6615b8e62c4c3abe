#include "vouch/measure/quote_attest.h"

#include "internal/tpm_reader.h"
#include "vouch/measure/ak_public.h"

namespace vouch {
namespace {

constexpr size_t kMaxAttestSize = 1024;
constexpr size_t kMaxNameSize = 66;       // sizeof(TPMU_NAME) = sizeof(TPMT_HA)
constexpr size_t kMaxDataSize = 66;       // TPM2B_DATA: sizeof(TPMT_HA)
constexpr size_t kMaxDigestSize = 64;     // TPM2B_DIGEST: sizeof(TPMU_HA)
constexpr size_t kMaxPcrSelectBytes = 4;  // TPM2_PCR_SELECT_MAX

std::string Hex16(uint16_t v) {
  static const char kDigits[] = "0123456789abcdef";
  std::string out = "0x";
  for (int shift = 12; shift >= 0; shift -= 4) out += kDigits[(v >> shift) & 0xf];
  return out;
}

}  // namespace

Result<QuoteAttest> ParseQuoteAttest(ByteView attest) {
  if (attest.size() > kMaxAttestSize) {
    return Error(Code::kBadQuote, StrCat("TPMS_ATTEST: ", attest.size(), " bytes, more than the ",
                                         kMaxAttestSize, " a quote can take"));
  }
  internal::TpmReader r("TPMS_ATTEST", attest);
  QuoteAttest out;

  VOUCH_ASSIGN_OR_RETURN(uint32_t magic, r.U32("magic"));
  if (magic != kTpmGeneratedValue) {
    return r.Fail(
        StrCat("magic is 0x",
               HexEncode(Bytes{static_cast<uint8_t>(magic >> 24), static_cast<uint8_t>(magic >> 16),
                               static_cast<uint8_t>(magic >> 8), static_cast<uint8_t>(magic)}),
               ", not TPM_GENERATED_VALUE 0xff544347 (the TPM did not make it)"));
  }
  VOUCH_ASSIGN_OR_RETURN(uint16_t type, r.U16("type"));
  if (type != kTpmStAttestQuote) {
    return r.Fail(StrCat("type is ", Hex16(type), ", not TPM_ST_ATTEST_QUOTE 0x8018"));
  }
  VOUCH_ASSIGN_OR_RETURN(ByteView signer, r.Sized("qualifiedSigner", kMaxNameSize));
  out.qualified_signer.assign(signer.begin(), signer.end());
  VOUCH_ASSIGN_OR_RETURN(ByteView extra, r.Sized("extraData", kMaxDataSize));
  out.extra_data.assign(extra.begin(), extra.end());
  VOUCH_ASSIGN_OR_RETURN(out.clock, r.U64("clockInfo.clock"));
  VOUCH_ASSIGN_OR_RETURN(out.reset_count, r.U32("clockInfo.resetCount"));
  VOUCH_ASSIGN_OR_RETURN(out.restart_count, r.U32("clockInfo.restartCount"));
  VOUCH_ASSIGN_OR_RETURN(uint8_t safe, r.U8("clockInfo.safe"));
  if (safe > 1) return r.Fail(StrCat("clockInfo.safe is ", int{safe}, ", not 0 or 1"));
  out.safe = safe == 1;
  VOUCH_ASSIGN_OR_RETURN(out.firmware_version, r.U64("firmwareVersion"));

  VOUCH_ASSIGN_OR_RETURN(uint32_t banks, r.U32("pcrSelect.count"));
  if (banks != 1) {
    return r.Fail(StrCat("PCR selection has ", banks, " banks, expected exactly one (SHA-256)"));
  }
  VOUCH_ASSIGN_OR_RETURN(uint16_t hash, r.U16("pcrSelect.hash"));
  if (hash != kTpmAlgSha256) {
    return r.Fail(StrCat("PCR selection is of bank ", Hex16(hash), ", expected SHA-256 0x000b"));
  }
  VOUCH_ASSIGN_OR_RETURN(uint8_t select_size, r.U8("pcrSelect.sizeofSelect"));
  if (select_size > kMaxPcrSelectBytes) {
    return r.Fail(StrCat("PCR selection bitmap is ", int{select_size},
                         " bytes, more than its maximum of ", kMaxPcrSelectBytes));
  }
  VOUCH_ASSIGN_OR_RETURN(ByteView bitmap, r.Raw("pcrSelect.pcrSelect", select_size));
  for (size_t i = 0; i < bitmap.size(); ++i) {
    for (uint32_t bit = 0; bit < 8; ++bit) {
      if (bitmap[i] & (1u << bit)) out.pcrs.push_back(static_cast<uint32_t>(i * 8 + bit));
    }
  }
  VOUCH_ASSIGN_OR_RETURN(ByteView digest, r.Sized("pcrDigest", kMaxDigestSize));
  if (digest.size() != 32) {
    return r.Fail(StrCat("pcrDigest is ", digest.size(), " bytes, expected 32 (SHA-256)"));
  }
  out.pcr_digest.assign(digest.begin(), digest.end());
  VOUCH_RETURN_IF_ERROR(r.ExpectEnd());
  return out;
}

}  // namespace vouch
