#include "vouch/validator/challenge.h"

#include <gtest/gtest.h>

#include "vouch/core/digest.h"
#include "vouch/core/random.h"

namespace vouch::validator {
namespace {

constexpr char kHost[] = "did:key:z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK";
constexpr char kOther[] = "did:key:z6MknGc3ocHs3zdPiJbnaaqDi58NGb4pk1Sp9WxWufuXSdxf";
constexpr int64_t kNow = 1764000000;

TEST(Challenge, NonceIsTimestampThenTruncatedHmacOverTimestampAndDid) {
  SecretBytes key(Bytes(32, 0x42));
  auto issuer = ChallengeIssuer::WithKey(key.Clone());
  ASSERT_TRUE(issuer.ok());
  Bytes nonce = (*issuer)->Issue(kHost, kNow);
  ASSERT_EQ(nonce.size(), 32u);
  Bytes ts = {0, 0, 0, 0, 0x69, 0x24, 0x81, 0x00};  // 1764000000 big-endian
  EXPECT_EQ(Bytes(nonce.begin(), nonce.begin() + 8), ts);
  Sha256Digest mac = HmacSha256(key.Expose(), Concat({ts, AsBytes(kHost)}));
  EXPECT_EQ(Bytes(nonce.begin() + 8, nonce.end()), Bytes(mac.begin(), mac.begin() + 24));
}

TEST(Challenge, FreshNonceForTheSameHostPasses) {
  ChallengeIssuer issuer;
  Bytes nonce = issuer.Issue(kHost, kNow);
  EXPECT_TRUE(issuer.Check(nonce, kHost, kNow).ok());
  EXPECT_TRUE(issuer.Check(nonce, kHost, kNow + 30).ok());
}

TEST(Challenge, ExpiresAfterValidity) {
  ChallengeIssuer issuer;
  Bytes nonce = issuer.Issue(kHost, kNow);
  Status s = issuer.Check(nonce, kHost, kNow + 31);
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().code(), Code::kStaleNonce);
  EXPECT_EQ(s.error().message(), "challenge expired: issued 31 s ago, valid for 30 s");
}

TEST(Challenge, ValidityIsConfigurable) {
  ChallengeOptions o;
  o.validity_s = 5;
  ChallengeIssuer issuer(o);
  Bytes nonce = issuer.Issue(kHost, kNow);
  EXPECT_TRUE(issuer.Check(nonce, kHost, kNow + 5).ok());
  EXPECT_FALSE(issuer.Check(nonce, kHost, kNow + 6).ok());
}

TEST(Challenge, NonceFromTheFutureIsRefused) {
  ChallengeIssuer issuer;
  Bytes nonce = issuer.Issue(kHost, kNow + 60);
  Status s = issuer.Check(nonce, kHost, kNow);
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.error().message().find("issued in the future"), std::string::npos);
}

TEST(Challenge, EveryFlippedBitIsRefusedAsNotOurs) {
  ChallengeIssuer issuer;
  Bytes nonce = issuer.Issue(kHost, kNow);
  for (size_t bit = 0; bit < nonce.size() * 8; ++bit) {
    Bytes forged = nonce;
    forged[bit / 8] ^= static_cast<uint8_t>(1u << (bit % 8));
    Status s = issuer.Check(forged, kHost, kNow);
    ASSERT_FALSE(s.ok()) << "bit " << bit;
    EXPECT_EQ(s.error().code(), Code::kStaleNonce);
    EXPECT_NE(s.error().message().find("not issued by this validator"), std::string::npos)
        << "bit " << bit << ": " << s.error().message();
  }
}

TEST(Challenge, WrongLengthIsRefused) {
  ChallengeIssuer issuer;
  Status s = issuer.Check(Bytes(31, 0), kHost, kNow);
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.error().message().find("expected 32 bytes, got 31"), std::string::npos);
}

TEST(Challenge, NonceForAnotherHostIsRefusedAsSuch) {
  ChallengeIssuer issuer;
  Bytes nonce = issuer.Issue(kOther, kNow);
  Status s = issuer.Check(nonce, kHost, kNow);
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().message(), "challenge was issued to another host");
}

TEST(Challenge, AnotherHostsNonceStillRefusedOnceTheMemoForgotIt) {
  ChallengeOptions o;
  o.memo_entries = 1;
  ChallengeIssuer issuer(o);
  Bytes nonce = issuer.Issue(kOther, kNow);
  issuer.Issue(kHost, kNow);  // pushes the first out of the memo
  Status s = issuer.Check(nonce, kHost, kNow);
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.error().message().find("not issued by this validator"), std::string::npos);
}

TEST(Challenge, NonceFromAnotherProcessIsRefused) {
  ChallengeIssuer before_restart, after_restart;
  Bytes nonce = before_restart.Issue(kHost, kNow);
  EXPECT_FALSE(after_restart.Check(nonce, kHost, kNow).ok());
}

TEST(Challenge, CheckAnyFindsOursAmongOthers) {
  ChallengeIssuer issuer, other_validator;
  std::vector<Bytes> nonces = {other_validator.Issue(kHost, kNow), issuer.Issue(kHost, kNow),
                               RandomBytes(32)};
  EXPECT_TRUE(issuer.CheckAny(nonces, kHost, kNow).ok());
}

TEST(Challenge, CheckAnyReportsTheMostTellingReason) {
  ChallengeIssuer issuer;
  std::vector<Bytes> nonces = {RandomBytes(32), issuer.Issue(kHost, kNow - 100), RandomBytes(5)};
  Status s = issuer.CheckAny(nonces, kHost, kNow);
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().message(), "challenge expired: issued 100 s ago, valid for 30 s");

  Status none = issuer.CheckAny({RandomBytes(32), RandomBytes(32)}, kHost, kNow);
  ASSERT_FALSE(none.ok());
  EXPECT_EQ(none.error().message(),
            "none of the 2 challenges in eat_nonce was issued by this validator to this host");

  Status empty = issuer.CheckAny({}, kHost, kNow);
  ASSERT_FALSE(empty.ok());
  EXPECT_EQ(empty.error().code(), Code::kStaleNonce);
}

TEST(Challenge, ShortKeyIsRefused) {
  auto issuer = ChallengeIssuer::WithKey(SecretBytes(Bytes(16, 1)));
  ASSERT_FALSE(issuer.ok());
  EXPECT_EQ(issuer.error().code(), Code::kInvalidArgument);
}

}  // namespace
}  // namespace vouch::validator
