#include "measure/testing/quote_vector.h"

namespace vouch::testing {

Result<QuoteVector> LoadQuoteVector(const std::string& source_dir, const std::string& name) {
  std::string dir = source_dir + "/measure/testdata/" + name + "/";
  QuoteVector v;
  VOUCH_ASSIGN_OR_RETURN(v.ak_public, ReadFile(dir + "ak.pub"));
  VOUCH_ASSIGN_OR_RETURN(v.ak_name, ReadFile(dir + "ak.name"));
  VOUCH_ASSIGN_OR_RETURN(v.quote.attest, ReadFile(dir + "quote.msg"));
  VOUCH_ASSIGN_OR_RETURN(v.quote.signature, ReadFile(dir + "quote.sig"));
  VOUCH_ASSIGN_OR_RETURN(Bytes pcrs, ReadFile(dir + "quote.pcrs"));
  if (pcrs.size() != 32 * std::size(kVectorPcrs)) {
    return Error(Code::kMalformed, StrCat(dir, "quote.pcrs: expected ", 32 * std::size(kVectorPcrs),
                                          " bytes, got ", pcrs.size()));
  }
  for (size_t i = 0; i < std::size(kVectorPcrs); ++i) {
    v.quote.pcr_values[kVectorPcrs[i]] = Bytes(pcrs.begin() + 32 * i, pcrs.begin() + 32 * (i + 1));
  }
  VOUCH_ASSIGN_OR_RETURN(Bytes nonce_hex, ReadFile(dir + "nonce.hex"));
  std::string hex = ToString(nonce_hex);
  while (!hex.empty() && (hex.back() == '\n' || hex.back() == ' ')) hex.pop_back();
  VOUCH_ASSIGN_OR_RETURN(v.nonce, HexDecode(hex));
  return v;
}

}  // namespace vouch::testing
