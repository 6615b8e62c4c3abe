#include "vouch/measure/quote_attest.h"

#include <gtest/gtest.h>

#include "measure/testing/quote_vector.h"
#include "measure/testing/software_quote.h"

namespace vouch {
namespace {

using testing::MarshalQuoteAttest;
using testing::QuoteAttestFields;

testing::QuoteVector Vector() {
  auto v = testing::LoadQuoteVector(VOUCH_SOURCE_DIR, "tpm2tools_quote");
  EXPECT_TRUE(v.ok()) << v.error().ToString();
  return v.ok() ? *v : testing::QuoteVector{};
}

void ExpectRefused(const QuoteAttestFields& f, const std::string& needle) {
  auto r = ParseQuoteAttest(MarshalQuoteAttest(f));
  ASSERT_FALSE(r.ok()) << "expected refusal mentioning '" << needle << "'";
  EXPECT_EQ(r.error().code(), Code::kBadQuote);
  EXPECT_NE(r.error().message().find(needle), std::string::npos) << r.error().message();
}

TEST(QuoteAttest, ParsesTpm2ToolsQuote) {
  auto v = Vector();
  auto a = ParseQuoteAttest(v.quote.attest);
  ASSERT_TRUE(a.ok()) << a.error().ToString();
  EXPECT_EQ(a->extra_data, v.nonce);
  EXPECT_EQ(a->pcrs, (std::vector<uint32_t>{0, 1, 2, 3, 4, 5, 6, 7, 16}));
  EXPECT_EQ(a->pcr_digest.size(), 32u);
  EXPECT_EQ(a->firmware_version, 0x2019102300163636u);  // swtpm 0.7 / libtpms 0.9
  EXPECT_EQ(a->qualified_signer.size(), 34u);
  EXPECT_TRUE(a->safe);
}

TEST(QuoteAttest, BuilderDefaultsParse) {
  QuoteAttestFields f;
  f.pcr_digest = Bytes(32, 1);
  auto a = ParseQuoteAttest(MarshalQuoteAttest(f));
  ASSERT_TRUE(a.ok()) << a.error().ToString();
  EXPECT_EQ(a->clock, 123456u);
  EXPECT_EQ(a->reset_count, 7u);
  EXPECT_EQ(a->restart_count, 2u);
  EXPECT_TRUE(a->pcrs.empty());
}

TEST(QuoteAttest, RefusesEachMalformedField) {
  QuoteAttestFields good;
  good.pcr_digest = Bytes(32, 1);
  good.pcr_select = {0x03, 0x00, 0x01};
  ASSERT_TRUE(ParseQuoteAttest(MarshalQuoteAttest(good)).ok());

  QuoteAttestFields f = good;
  f.magic = 0xff544348;
  ExpectRefused(f, "not TPM_GENERATED_VALUE");
  f = good;
  f.type = 0x8017;  // TPM_ST_ATTEST_CERTIFY
  ExpectRefused(f, "not TPM_ST_ATTEST_QUOTE");
  f = good;
  f.qualified_signer = Bytes(67, 0);
  ExpectRefused(f, "qualifiedSigner is 67 bytes, more than its maximum of 66");
  f = good;
  f.extra_data = Bytes(67, 0);
  ExpectRefused(f, "extraData is 67 bytes");
  f = good;
  f.safe = 2;
  ExpectRefused(f, "clockInfo.safe is 2");
  f = good;
  f.bank_count = 2;
  ExpectRefused(f, "2 banks, expected exactly one");
  f = good;
  f.bank_count = 0;
  ExpectRefused(f, "0 banks");
  f = good;
  f.bank_hash = 0x0004;  // SHA-1
  ExpectRefused(f, "bank 0x0004, expected SHA-256");
  f = good;
  f.pcr_select = Bytes(5, 0xff);
  ExpectRefused(f, "bitmap is 5 bytes");
  f = good;
  f.pcr_digest = Bytes(20, 1);
  ExpectRefused(f, "pcrDigest is 20 bytes, expected 32");
  f = good;
  f.pcr_digest = Bytes(65, 1);
  ExpectRefused(f, "pcrDigest is 65 bytes, more than its maximum of 64");
}

TEST(QuoteAttest, RefusesTrailingBytes) {
  Bytes a = Vector().quote.attest;
  a.push_back(0);
  auto r = ParseQuoteAttest(a);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message().find("1 unexpected bytes after the structure"), std::string::npos)
      << r.error().message();
}

TEST(QuoteAttest, RefusesOversizedInput) {
  auto r = ParseQuoteAttest(Bytes(1025, 0));
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message().find("1025 bytes"), std::string::npos);
}

TEST(QuoteAttest, RefusesEveryTruncationNamingTheField) {
  Bytes a = Vector().quote.attest;
  ASSERT_FALSE(a.empty());
  for (size_t n = 0; n < a.size(); ++n) {
    auto r = ParseQuoteAttest(ByteView(a).first(n));
    ASSERT_FALSE(r.ok()) << "length " << n;
    EXPECT_EQ(r.error().code(), Code::kBadQuote);
    EXPECT_NE(r.error().message().find("TPMS_ATTEST: truncated reading "), std::string::npos)
        << "length " << n << ": " << r.error().message();
  }
}

}  // namespace
}  // namespace vouch
