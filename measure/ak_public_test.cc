#include "vouch/measure/ak_public.h"

#include <gtest/gtest.h>

#include "measure/testing/quote_vector.h"
#include "measure/testing/software_quote.h"

namespace vouch {
namespace {

using testing::EccPublicFields;
using testing::SoftwareAk;

void ExpectRefused(const EccPublicFields& f, const std::string& needle) {
  auto r = AkPublic::Parse(SoftwareAk(f).PublicArea());
  ASSERT_FALSE(r.ok()) << "expected refusal mentioning '" << needle << "'";
  EXPECT_EQ(r.error().code(), Code::kBadQuote);
  EXPECT_NE(r.error().message().find(needle), std::string::npos) << r.error().message();
}

TEST(AkPublic, ParsesTpm2CreateakKeyAndComputesItsName) {
  auto v = testing::LoadQuoteVector(VOUCH_SOURCE_DIR, "tpm2tools_quote");
  ASSERT_TRUE(v.ok()) << v.error().ToString();
  auto ak = AkPublic::Parse(v->ak_public);
  ASSERT_TRUE(ak.ok()) << ak.error().ToString();
  EXPECT_EQ(ak->name(), v->ak_name);  // what tpm2_createak -n wrote
  EXPECT_EQ(ak->bytes(), v->ak_public);
}

TEST(AkPublic, RefusesNonRestrictedKeyFromTpm2Create) {
  auto v = testing::LoadQuoteVector(VOUCH_SOURCE_DIR, "nonrestricted_quote");
  ASSERT_TRUE(v.ok()) << v.error().ToString();
  auto ak = AkPublic::Parse(v->ak_public);
  ASSERT_FALSE(ak.ok());
  EXPECT_EQ(ak.error().code(), Code::kBadQuote);
  EXPECT_NE(ak.error().message().find("key is not restricted"), std::string::npos)
      << ak.error().message();
}

TEST(AkPublic, SoftwareKeyWithAkAttributesParses) {
  SoftwareAk sw;
  auto ak = AkPublic::Parse(sw.PublicArea());
  ASSERT_TRUE(ak.ok()) << ak.error().ToString();
  EXPECT_EQ(ak->name().size(), 34u);
  EXPECT_EQ(ak->name()[0], 0x00);
  EXPECT_EQ(ak->name()[1], 0x0B);
}

TEST(AkPublic, RefusesEachUnsuitableKeyWithItsOwnReason) {
  using namespace testing;
  EccPublicFields f;
  f.attributes = kAkAttributes & ~kAttrRestricted;
  ExpectRefused(f, "key is not restricted (TPMA_OBJECT_RESTRICTED clear)");
  f = {};
  f.attributes = kAkAttributes & ~kAttrSign;
  ExpectRefused(f, "not a signing key");
  f = {};
  f.attributes = kAkAttributes | kAttrDecrypt;
  ExpectRefused(f, "also a decryption key");
  f = {};
  f.attributes = kAkAttributes & ~kAttrFixedTpm;
  ExpectRefused(f, "not fixedTPM");
  f = {};
  f.attributes = kAkAttributes & ~kAttrSensitiveDataOrigin;
  ExpectRefused(f, "was imported");
  f = {};
  f.curve = 0x0004;  // NIST P-384
  ExpectRefused(f, "curve is 4, expected NIST P-256");
  f = {};
  f.scheme = 0x0010;  // TPM_ALG_NULL
  ExpectRefused(f, "signing scheme is 16");
  f = {};
  f.scheme_hash = 0x000C;
  ExpectRefused(f, "with hash 12");
  f = {};
  f.name_alg = 0x0004;
  ExpectRefused(f, "nameAlg is 4, expected SHA-256");
  f = {};
  f.type = 0x0001;  // RSA: the rest does not parse as ECC, the type is reported first
  ExpectRefused(f, "key type is 1, expected ECC");
}

TEST(AkPublic, RefusesSizeFieldMismatchAndTrailingBytes) {
  Bytes pub = SoftwareAk().PublicArea();
  Bytes longer = pub;
  longer.push_back(0);
  auto r = AkPublic::Parse(longer);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message().find("size field says 88 bytes of TPMT_PUBLIC, but 89 follow"),
            std::string::npos)
      << r.error().message();
  longer[1] = 89;  // the size now covers the extra byte
  r = AkPublic::Parse(longer);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message().find("unexpected bytes after the structure"), std::string::npos)
      << r.error().message();
}

TEST(AkPublic, RefusesPointOffTheCurve) {
  Bytes pub = SoftwareAk().PublicArea();
  pub.back() ^= 0x01;  // last byte of y
  auto r = AkPublic::Parse(pub);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message().find("not on the P-256 curve"), std::string::npos)
      << r.error().message();
}

TEST(AkPublic, RefusesEveryTruncationAndSurvivesEveryBitFlip) {
  auto v = testing::LoadQuoteVector(VOUCH_SOURCE_DIR, "tpm2tools_quote");
  ASSERT_TRUE(v.ok());
  const Bytes& pub = v->ak_public;
  for (size_t n = 0; n < pub.size(); ++n) {
    EXPECT_FALSE(AkPublic::Parse(ByteView(pub).first(n)).ok()) << "length " << n;
  }
  size_t accepted = 0;
  for (size_t bit = 0; bit < pub.size() * 8; ++bit) {
    Bytes m = pub;
    m[bit / 8] ^= static_cast<uint8_t>(1u << (bit % 8));
    auto r = AkPublic::Parse(m);
    if (r.ok()) {
      ++accepted;  // an attribute bit AkPublic does not judge: still an AK, another name
      EXPECT_GE(bit, 6u * 8) << "only objectAttributes (bytes 6-9) may flip and parse";
      EXPECT_LT(bit, 10u * 8) << "only objectAttributes (bytes 6-9) may flip and parse";
      EXPECT_NE(r->name(), v->ak_name) << "bit " << bit;
    } else {
      EXPECT_EQ(r.error().code(), Code::kBadQuote);
    }
  }
  EXPECT_EQ(accepted, 27u);  // 32 attribute bits minus the five checked
}

}  // namespace
}  // namespace vouch
