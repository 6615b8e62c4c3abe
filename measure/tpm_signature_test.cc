#include "vouch/measure/tpm_signature.h"

#include <gtest/gtest.h>

#include "measure/testing/quote_vector.h"

namespace vouch {
namespace {

Bytes VectorSignature() {
  auto v = testing::LoadQuoteVector(VOUCH_SOURCE_DIR, "tpm2tools_quote");
  EXPECT_TRUE(v.ok()) << v.error().ToString();
  return v.ok() ? v->quote.signature : Bytes{};
}

// sigAlg ‖ hash ‖ TPM2B r ‖ TPM2B s
Bytes Signature(uint16_t alg, uint16_t hash, const Bytes& r, const Bytes& s) {
  Bytes out = {static_cast<uint8_t>(alg >> 8), static_cast<uint8_t>(alg),
               static_cast<uint8_t>(hash >> 8), static_cast<uint8_t>(hash)};
  for (const Bytes* v : {&r, &s}) {
    out.push_back(static_cast<uint8_t>(v->size() >> 8));
    out.push_back(static_cast<uint8_t>(v->size()));
    out.insert(out.end(), v->begin(), v->end());
  }
  return out;
}

void ExpectRefused(const Bytes& sig, const std::string& needle) {
  auto r = ParseEcdsaSha256Signature(sig);
  ASSERT_FALSE(r.ok()) << "expected refusal mentioning '" << needle << "'";
  EXPECT_EQ(r.error().code(), Code::kBadQuote);
  EXPECT_NE(r.error().message().find(needle), std::string::npos) << r.error().message();
}

TEST(TpmSignature, ParsesTpm2ToolsSignatureAsRawRs) {
  Bytes sig = VectorSignature();
  auto rs = ParseEcdsaSha256Signature(sig);
  ASSERT_TRUE(rs.ok()) << rs.error().ToString();
  ASSERT_EQ(rs->size(), 64u);
  EXPECT_EQ(Bytes(rs->begin(), rs->begin() + 32), Bytes(sig.begin() + 6, sig.begin() + 38));
  EXPECT_EQ(Bytes(rs->begin() + 32, rs->end()), Bytes(sig.begin() + 40, sig.end()));
}

TEST(TpmSignature, LeftPadsShortComponents) {
  auto rs = ParseEcdsaSha256Signature(Signature(0x0018, 0x000B, {0x01, 0x02}, Bytes(32, 0x07)));
  ASSERT_TRUE(rs.ok()) << rs.error().ToString();
  Bytes want(30, 0);
  want.push_back(0x01);
  want.push_back(0x02);
  want.insert(want.end(), 32, 0x07);
  EXPECT_EQ(*rs, want);
}

TEST(TpmSignature, RefusesOtherAlgorithmsAndBadSizes) {
  Bytes r32(32, 1);
  ExpectRefused(Signature(0x0014, 0x000B, r32, r32),
                "sigAlg is 20, expected ECDSA (24)");  // RSASSA
  ExpectRefused(Signature(0x0018, 0x000C, r32, r32), "hash is 12, expected SHA-256 (11)");
  ExpectRefused(Signature(0x0018, 0x000B, {}, r32), "signatureR is 0 bytes");
  ExpectRefused(Signature(0x0018, 0x000B, r32, Bytes(33, 1)), "signatureS is 33 bytes");
  ExpectRefused(Signature(0x0018, 0x000B, r32, Bytes(129, 1)), "more than its maximum of 128");
  Bytes trailing = Signature(0x0018, 0x000B, r32, r32);
  trailing.push_back(0);
  ExpectRefused(trailing, "unexpected bytes after the structure");
  ExpectRefused(Bytes(257, 0), "257 bytes");
}

TEST(TpmSignature, RefusesEveryTruncation) {
  Bytes sig = VectorSignature();
  for (size_t n = 0; n < sig.size(); ++n) {
    auto r = ParseEcdsaSha256Signature(ByteView(sig).first(n));
    ASSERT_FALSE(r.ok()) << "length " << n;
    EXPECT_NE(r.error().message().find("TPMT_SIGNATURE: truncated reading "), std::string::npos)
        << r.error().message();
  }
}

}  // namespace
}  // namespace vouch
