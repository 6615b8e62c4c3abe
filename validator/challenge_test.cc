#include "vouch/validator/challenge.h"

#include <gtest/gtest.h>

#include "vouch/core/digest.h"
#include "vouch/core/random.h"

namespace vouch::validator {
namespace {

constexpr char kHost[] = "did:key:z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK";
constexpr char kOther[] = "did:key:z6MknGc3ocHs3zdPiJbnaaqDi58NGb4pk1Sp9WxWufuXSdxf";
constexpr int64_t kNow = 1764000000;

TEST(Challenge, NonceIsTimestampSaltThenTruncatedHmacOverThemAndDid) {
  SecretBytes key(Bytes(32, 0x42));
  auto issuer = ChallengeIssuer::WithKey(key.Clone());
  ASSERT_TRUE(issuer.ok());
  Bytes nonce = (*issuer)->Issue(kHost, kNow);
  ASSERT_EQ(nonce.size(), 32u);
  Bytes ts = {0, 0, 0, 0, 0x69, 0x24, 0x81, 0x00};  // 1764000000 big-endian
  EXPECT_EQ(Bytes(nonce.begin(), nonce.begin() + 8), ts);
  Bytes prefix(nonce.begin(), nonce.begin() + 16);  // ts ‖ salt
  Sha256Digest mac = HmacSha256(key.Expose(), Concat({prefix, AsBytes(kHost)}));
  EXPECT_EQ(Bytes(nonce.begin() + 16, nonce.end()), Bytes(mac.begin(), mac.begin() + 16));
  // The salt makes every challenge another, even in the same second.
  EXPECT_NE((*issuer)->Issue(kHost, kNow), nonce);
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

TEST(Challenge, RedeemedChallengeAnswersOneVcOnly) {
  ChallengeIssuer issuer;
  Bytes nonce = issuer.Issue(kHost, kNow);
  {
    auto dropped = issuer.Redeem({nonce}, kHost, kNow);
    ASSERT_TRUE(dropped.ok()) << dropped.error().ToString();
  }  // not committed (the VC was refused): the challenge is still free
  auto first = issuer.Redeem({RandomBytes(32), nonce}, kHost, kNow);
  ASSERT_TRUE(first.ok()) << first.error().ToString();
  // While the first VC is appraised, and after it was approved:
  auto in_flight = issuer.Redeem({nonce}, kHost, kNow);
  ASSERT_FALSE(in_flight.ok());
  first->Commit();
  auto again = issuer.Redeem({nonce}, kHost, kNow + 10);
  ASSERT_FALSE(again.ok());
  EXPECT_EQ(again.error().code(), Code::kStaleNonce);
  EXPECT_EQ(again.error().message(),
            "challenge was already answered by another VC: a challenge is single-use (ask GET "
            "/v1/challenge for a new one)");
  EXPECT_TRUE(issuer.Check(nonce, kHost, kNow).ok());  // Check alone stays stateless
  // Once expired it is refused as expired, and the memory is freed.
  auto expired = issuer.Redeem({nonce}, kHost, kNow + 31);
  ASSERT_FALSE(expired.ok());
  EXPECT_EQ(expired.error().message(), "challenge expired: issued 31 s ago, valid for 30 s");
}

TEST(Challenge, RedeemTakesTheNextFreshChallengeOfAVc) {
  ChallengeIssuer issuer;
  Bytes a = issuer.Issue(kHost, kNow);
  Bytes b = issuer.Issue(kHost, kNow + 1);
  auto first = issuer.Redeem({a, b}, kHost, kNow + 1);
  ASSERT_TRUE(first.ok());
  first->Commit();
  auto second = issuer.Redeem({a, b}, kHost, kNow + 1);  // b is still unanswered
  ASSERT_TRUE(second.ok()) << second.error().ToString();
  second->Commit();
  EXPECT_FALSE(issuer.Redeem({a, b}, kHost, kNow + 1).ok());
}

// The per-DID limit counts only challenges its own VCs answered: one host at
// its quota leaves another host's challenges untouched.
TEST(Challenge, AnsweredQuotaIsPerHostAndFreesAsChallengesExpire) {
  ChallengeOptions options;
  options.answered_per_host = 2;
  ChallengeIssuer issuer(options);
  for (int i = 0; i < 2; ++i) {
    auto r = issuer.Redeem({issuer.Issue(kHost, kNow)}, kHost, kNow);
    ASSERT_TRUE(r.ok()) << r.error().ToString();
    r->Commit();
  }
  auto over = issuer.Redeem({issuer.Issue(kHost, kNow)}, kHost, kNow);
  ASSERT_FALSE(over.ok());
  EXPECT_EQ(over.error().code(), Code::kRateLimited);
  EXPECT_EQ(over.error().message(),
            StrCat("host '", kHost,
                   "' answered 2 challenges within 30 s, its quota: try again when they expire"));
  EXPECT_TRUE(issuer.Redeem({issuer.Issue(kOther, kNow)}, kOther, kNow).ok());
  EXPECT_TRUE(issuer.Redeem({issuer.Issue(kHost, kNow + 31)}, kHost, kNow + 31).ok());
}

TEST(Challenge, ShortKeyIsRefused) {
  auto issuer = ChallengeIssuer::WithKey(SecretBytes(Bytes(16, 1)));
  ASSERT_FALSE(issuer.ok());
  EXPECT_EQ(issuer.error().code(), Code::kInvalidArgument);
}

}  // namespace
}  // namespace vouch::validator
