#include "vouch/core/sealed_share.h"

#include <gtest/gtest.h>

#include "vouch/core/cbor.h"
#include "vouch/core/random.h"

namespace vouch {
namespace {

constexpr std::string_view kDomain = "5f1e0c4a-3b57-4a8e-9d2c-0a1b2c3d4e5f";

TEST(SealedShare, ValidatorOpensWhatTheOwnerSealed) {
  X25519PrivateKey validator = X25519PrivateKey::Generate();
  PolicyDigest policy = PolicyDigest::Of(AsBytes("policy bytes"));
  SecretBytes share = RandomSecret(33);
  auto sealed = SealShareForValidator(validator.public_key(), kDomain, policy, share);
  ASSERT_TRUE(sealed.ok()) << sealed.error().ToString();
  auto v = cbor::Decode(*sealed);
  ASSERT_TRUE(v.ok());
  ASSERT_TRUE(v->is_array());
  EXPECT_EQ(v->array().size(), 2u);
  EXPECT_EQ(v->array()[0].bytes().size(), 32u);             // enc
  EXPECT_EQ(v->array()[1].bytes().size(), share.size() + 16);  // ct ‖ tag
  auto opened = OpenShareAsValidator(validator, kDomain, policy, *sealed);
  ASSERT_TRUE(opened.ok()) << opened.error().ToString();
  EXPECT_TRUE(*opened == share);
}

TEST(SealedShare, RefusesAnotherDomainPolicyOrKey) {
  X25519PrivateKey validator = X25519PrivateKey::Generate();
  PolicyDigest policy = PolicyDigest::Of(AsBytes("policy"));
  SecretBytes share = RandomSecret(33);
  Bytes sealed = SealShareForValidator(validator.public_key(), kDomain, policy, share).value();
  auto other_domain = OpenShareAsValidator(validator, "another-uuid", policy, sealed);
  ASSERT_FALSE(other_domain.ok());
  EXPECT_EQ(other_domain.error().code(), Code::kCrypto);
  EXPECT_FALSE(OpenShareAsValidator(validator, kDomain, PolicyDigest::Of(AsBytes("x")), sealed).ok());
  EXPECT_FALSE(OpenShareAsValidator(X25519PrivateKey::Generate(), kDomain, policy, sealed).ok());
}

TEST(SealedShare, EveryBitFlipIsRefused) {
  X25519PrivateKey validator = X25519PrivateKey::Generate();
  PolicyDigest policy = PolicyDigest::Of(AsBytes("policy"));
  Bytes sealed =
      SealShareForValidator(validator.public_key(), kDomain, policy, RandomSecret(17)).value();
  for (size_t i = 0; i < sealed.size() * 8; ++i) {
    Bytes t = sealed;
    t[i / 8] ^= static_cast<uint8_t>(1 << (i % 8));
    EXPECT_FALSE(OpenShareAsValidator(validator, kDomain, policy, t).ok()) << "bit " << i;
  }
}

TEST(SealedShare, MalformedEnvelopeNamesTheShape) {
  X25519PrivateKey validator = X25519PrivateKey::Generate();
  Bytes three = cbor::Encode(cbor::Value(cbor::Array{Bytes(32), Bytes(20), Bytes(1)}));
  auto r = OpenShareAsValidator(validator, kDomain, PolicyDigest::Of({}), three);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code(), Code::kMalformed);
  EXPECT_NE(r.error().message().find("[enc: bstr, ct: bstr]"), std::string::npos);
}

TEST(SealedShare, HostReleaseIsBoundToCtiAndVcDigest) {
  X25519PrivateKey e = X25519PrivateKey::Generate();
  Bytes cti = RandomBytes(16);
  VcDigest vc = VcDigest::Of(AsBytes("vc"));
  SecretBytes share = RandomSecret(33);
  Bytes sealed = SealShareForHost(e.public_key(), cti, vc, share).value();
  auto opened = OpenShareAsHost(e, cti, vc, sealed);
  ASSERT_TRUE(opened.ok()) << opened.error().ToString();
  EXPECT_TRUE(*opened == share);
  EXPECT_FALSE(OpenShareAsHost(e, RandomBytes(16), vc, sealed).ok());
  EXPECT_FALSE(OpenShareAsHost(e, cti, VcDigest::Of(AsBytes("other")), sealed).ok());
  // A release is not a validator share: the info prefixes differ.
  EXPECT_FALSE(OpenShareAsValidator(e, ToString(cti), PolicyDigest{vc.value}, sealed).ok());
}

}  // namespace
}  // namespace vouch
