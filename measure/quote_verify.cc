#include "vouch/measure/quote_verify.h"

#include "vouch/core/digest.h"
#include "vouch/measure/quote_attest.h"
#include "vouch/measure/tpm_signature.h"

namespace vouch {
namespace {

std::string IndexList(const std::vector<uint32_t>& pcrs) {
  std::string out = "[";
  for (size_t i = 0; i < pcrs.size(); ++i) out += StrCat(i ? "," : "", pcrs[i]);
  return out + "]";
}

}  // namespace

Result<VerifiedQuote> VerifyQuote(const AkPublic& ak, const TpmQuote& quote,
                                  ByteView expected_extra_data) {
  VOUCH_ASSIGN_OR_RETURN(Bytes rs, ParseEcdsaSha256Signature(quote.signature));
  VOUCH_ASSIGN_OR_RETURN(QuoteAttest attest, ParseQuoteAttest(quote.attest));
  if (!ak.key().Verify(quote.attest, rs).ok()) {
    return Error(Code::kBadQuote,
                 StrCat("quote signature does not verify with AK ", HexEncode(ak.name()),
                        " (signed by another key, or the quote was altered)"));
  }
  if (!std::equal(attest.extra_data.begin(), attest.extra_data.end(), expected_extra_data.begin(),
                  expected_extra_data.end())) {
    return Error(Code::kBadQuote,
                 StrCat("quote extraData: expected ", HexEncode(expected_extra_data), ", got ",
                        HexEncode(attest.extra_data)));
  }
  std::vector<uint32_t> claimed;
  for (const auto& [index, value] : quote.pcr_values) claimed.push_back(index);
  if (claimed != attest.pcrs) {
    return Error(Code::kBadQuote,
                 StrCat("quote PCR selection: the TPM quoted SHA-256 PCRs ", IndexList(attest.pcrs),
                        ", the claim lists ", IndexList(claimed)));
  }
  Bytes concatenated;
  for (const auto& [index, value] : quote.pcr_values) {
    if (value.size() != 32) {
      return Error(
          Code::kBadQuote,
          StrCat("quote PCR ", index, " value: expected 32 bytes (SHA-256), got ", value.size()));
    }
    concatenated.insert(concatenated.end(), value.begin(), value.end());
  }
  Sha256Digest digest = Sha256(concatenated);
  if (!std::equal(digest.begin(), digest.end(), attest.pcr_digest.begin(),
                  attest.pcr_digest.end())) {
    return Error(Code::kPcrMismatch, StrCat("quote PCR digest: the claimed values of PCRs ",
                                            IndexList(claimed), " hash to ", HexEncode(digest),
                                            ", the TPM quoted ", HexEncode(attest.pcr_digest)));
  }
  VerifiedQuote out;
  out.clock = attest.clock;
  out.reset_count = attest.reset_count;
  out.restart_count = attest.restart_count;
  out.safe = attest.safe;
  out.firmware_version = attest.firmware_version;
  out.qualified_signer = std::move(attest.qualified_signer);
  out.pcrs = std::move(attest.pcrs);
  out.pcr_digest = std::move(attest.pcr_digest);
  return out;
}

}  // namespace vouch
