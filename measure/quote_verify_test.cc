#include "vouch/measure/quote_verify.h"

#include <gtest/gtest.h>

#include "measure/testing/quote_vector.h"
#include "measure/testing/software_quote.h"
#include "vouch/measure/tpm_facts.h"

namespace vouch {
namespace {

using testing::SoftwareAk;

const Bytes kExtra = ToBytes("32 bytes of nonce ‖ E.pub ‖ cfg!");

class QuoteVerifyVector : public ::testing::Test {
 protected:
  void SetUp() override {
    auto v = testing::LoadQuoteVector(VOUCH_SOURCE_DIR, "tpm2tools_quote");
    ASSERT_TRUE(v.ok()) << v.error().ToString();
    v_ = *v;
    auto ak = AkPublic::Parse(v_.ak_public);
    ASSERT_TRUE(ak.ok()) << ak.error().ToString();
    ak_.emplace(*ak);
  }
  testing::QuoteVector v_;
  std::optional<AkPublic> ak_;
};

TEST_F(QuoteVerifyVector, AcceptsTpm2QuoteOutput) {
  auto q = VerifyQuote(*ak_, v_.quote, v_.nonce);
  ASSERT_TRUE(q.ok()) << q.error().ToString();
  EXPECT_EQ(q->pcrs, (std::vector<uint32_t>{0, 1, 2, 3, 4, 5, 6, 7, 16}));
  EXPECT_EQ(FormatTpmFirmwareVersion(q->firmware_version), "8217.4131.22.13878");
  EXPECT_TRUE(q->safe);
  EXPECT_EQ(q->qualified_signer.size(), 34u);
  EXPECT_GT(q->clock, 0u);
}

TEST_F(QuoteVerifyVector, RefusesWrongExtraData) {
  Bytes other = v_.nonce;
  other[0] ^= 1;
  auto q = VerifyQuote(*ak_, v_.quote, other);
  ASSERT_FALSE(q.ok());
  EXPECT_EQ(q.error().code(), Code::kBadQuote);
  EXPECT_NE(q.error().message().find("quote extraData: expected " + HexEncode(other) + ", got " +
                                     HexEncode(v_.nonce)),
            std::string::npos)
      << q.error().message();
  EXPECT_FALSE(VerifyQuote(*ak_, v_.quote, {}).ok());
}

TEST_F(QuoteVerifyVector, RefusesChangedPcrValueAsPcrMismatch) {
  TpmQuote q = v_.quote;
  q.pcr_values[7][31] ^= 1;
  auto r = VerifyQuote(*ak_, q, v_.nonce);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code(), Code::kPcrMismatch);
  EXPECT_NE(r.error().message().find("quote PCR digest: the claimed values of PCRs "
                                     "[0,1,2,3,4,5,6,7,16] hash to"),
            std::string::npos)
      << r.error().message();
}

TEST_F(QuoteVerifyVector, RefusesClaimThatOmitsOrAddsAPcr) {
  TpmQuote fewer = v_.quote;
  fewer.pcr_values.erase(16);
  auto r = VerifyQuote(*ak_, fewer, v_.nonce);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code(), Code::kBadQuote);
  EXPECT_NE(r.error().message().find("the TPM quoted SHA-256 PCRs [0,1,2,3,4,5,6,7,16], the "
                                     "claim lists [0,1,2,3,4,5,6,7]"),
            std::string::npos)
      << r.error().message();
  TpmQuote more = v_.quote;
  more.pcr_values[8] = Bytes(32, 0);
  EXPECT_EQ(VerifyQuote(*ak_, more, v_.nonce).error().code(), Code::kBadQuote);
}

TEST_F(QuoteVerifyVector, RefusesPcrValueOfWrongLength) {
  TpmQuote q = v_.quote;
  q.pcr_values[3] = Bytes(20, 0);
  auto r = VerifyQuote(*ak_, q, v_.nonce);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message().find("quote PCR 3 value: expected 32 bytes (SHA-256), got 20"),
            std::string::npos)
      << r.error().message();
}

TEST_F(QuoteVerifyVector, RefusesQuoteCheckedWithAnotherAk) {
  auto other = AkPublic::Parse(SoftwareAk().PublicArea());
  ASSERT_TRUE(other.ok());
  auto r = VerifyQuote(*other, v_.quote, v_.nonce);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code(), Code::kBadQuote);
  EXPECT_NE(r.error().message().find("quote signature does not verify with AK " +
                                     HexEncode(other->name())),
            std::string::npos)
      << r.error().message();
}

TEST_F(QuoteVerifyVector, RefusesEveryTruncationOfAttestAndSignature) {
  for (size_t n = 0; n < v_.quote.attest.size(); ++n) {
    TpmQuote q = v_.quote;
    q.attest.resize(n);
    auto r = VerifyQuote(*ak_, q, v_.nonce);
    ASSERT_FALSE(r.ok()) << "attest length " << n;
    EXPECT_EQ(r.error().code(), Code::kBadQuote);
  }
  for (size_t n = 0; n < v_.quote.signature.size(); ++n) {
    TpmQuote q = v_.quote;
    q.signature.resize(n);
    auto r = VerifyQuote(*ak_, q, v_.nonce);
    ASSERT_FALSE(r.ok()) << "signature length " << n;
    EXPECT_EQ(r.error().code(), Code::kBadQuote);
  }
}

TEST_F(QuoteVerifyVector, RefusesEveryBitFlipOfAttestAndSignature) {
  for (size_t bit = 0; bit < v_.quote.attest.size() * 8; ++bit) {
    TpmQuote q = v_.quote;
    q.attest[bit / 8] ^= static_cast<uint8_t>(1u << (bit % 8));
    auto r = VerifyQuote(*ak_, q, v_.nonce);
    ASSERT_FALSE(r.ok()) << "attest bit " << bit;
    EXPECT_EQ(r.error().code(), Code::kBadQuote) << r.error().message();
  }
  for (size_t bit = 0; bit < v_.quote.signature.size() * 8; ++bit) {
    TpmQuote q = v_.quote;
    q.signature[bit / 8] ^= static_cast<uint8_t>(1u << (bit % 8));
    auto r = VerifyQuote(*ak_, q, v_.nonce);
    ASSERT_FALSE(r.ok()) << "signature bit " << bit;
    EXPECT_EQ(r.error().code(), Code::kBadQuote) << r.error().message();
  }
}

TEST(QuoteVerify, SoftwareAkRoundTripShowsWhyAksMustBeCertified) {
  SoftwareAk sw;
  auto ak = AkPublic::Parse(sw.PublicArea());
  ASSERT_TRUE(ak.ok());
  auto pcrs = testing::ExamplePcrValues({0, 7, 14});
  auto q = VerifyQuote(*ak, sw.Quote(pcrs, kExtra), kExtra);
  ASSERT_TRUE(q.ok()) << q.error().ToString();
  EXPECT_EQ(q->clock, 123456u);
  EXPECT_EQ(q->reset_count, 7u);
  EXPECT_EQ(q->restart_count, 2u);
  EXPECT_EQ(q->pcr_digest, testing::PcrDigest(pcrs));
}

// Signed by the AK, but not a quote the TPM could have made: each refused.
TEST(QuoteVerify, RefusesSignedAttestWithWrongMagicOrType) {
  SoftwareAk sw;
  auto ak = AkPublic::Parse(sw.PublicArea());
  ASSERT_TRUE(ak.ok());
  auto pcrs = testing::ExamplePcrValues({0});
  struct Case {
    void (*mutate)(testing::QuoteAttestFields&);
    const char* needle;
  } cases[] = {
      {[](testing::QuoteAttestFields& f) { f.magic = 0; }, "not TPM_GENERATED_VALUE"},
      {[](testing::QuoteAttestFields& f) { f.type = 0x8014; }, "not TPM_ST_ATTEST_QUOTE"},
      {[](testing::QuoteAttestFields& f) { f.bank_hash = 0x0004; }, "expected SHA-256"},
  };
  for (const Case& c : cases) {
    testing::QuoteAttestFields f = testing::QuoteFieldsFor(pcrs, kExtra);
    c.mutate(f);
    TpmQuote q;
    q.attest = testing::MarshalQuoteAttest(f);
    q.signature = sw.Sign(q.attest);
    q.pcr_values = pcrs;
    auto r = VerifyQuote(*ak, q, kExtra);
    ASSERT_FALSE(r.ok()) << c.needle;
    EXPECT_EQ(r.error().code(), Code::kBadQuote);
    EXPECT_NE(r.error().message().find(c.needle), std::string::npos) << r.error().message();
  }
}

TEST(QuoteVerify, RefusesSignatureWithOtherSchemeIds) {
  SoftwareAk sw;
  auto ak = AkPublic::Parse(sw.PublicArea());
  ASSERT_TRUE(ak.ok());
  TpmQuote q = sw.Quote(testing::ExamplePcrValues({1}), kExtra);
  q.signature = sw.Sign(q.attest, 0x001C /* ECSCHNORR */);
  EXPECT_NE(VerifyQuote(*ak, q, kExtra).error().message().find("sigAlg is 28"), std::string::npos);
  q.signature = sw.Sign(q.attest, 0x0018, 0x000D /* SHA-512 */);
  EXPECT_NE(VerifyQuote(*ak, q, kExtra).error().message().find("hash is 13"), std::string::npos);
}

}  // namespace
}  // namespace vouch
