#include "vouch/core/enrollment_request.h"

#include <gtest/gtest.h>

#include "vouch/core/cbor.h"
#include "vouch/core/did_key.h"

namespace vouch {
namespace {

constexpr std::string_view kValidatorA = "did:key:z6MkrJVnaZkeFzdQyMZu1cgjg7k1pZZ6pvBQ7XJPt4swbTQ2";
constexpr std::string_view kValidatorB = "did:key:z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK";

TEST(EnrollmentRequest, RoundTripsAndVerifiesForItsValidatorOnly) {
  Ed25519PrivateKey host = Ed25519PrivateKey::Generate();
  for (EnrollStep step : {EnrollStep::kBegin, EnrollStep::kFinish}) {
    EnrollmentRequest r = SignEnrollmentRequest(step, host, kValidatorA, 1700000000, Bytes{1, 2, 3});
    auto decoded = DecodeEnrollmentRequest(step, EncodeEnrollmentRequest(r));
    ASSERT_TRUE(decoded.ok()) << decoded.error().ToString();
    EXPECT_EQ(decoded->did, DidKey::FromPublicKey(host.public_key()).did());
    EXPECT_EQ(decoded->at, 1700000000);
    EXPECT_EQ(decoded->secret, step == EnrollStep::kFinish ? (Bytes{1, 2, 3}) : Bytes{});
    EXPECT_TRUE(VerifyEnrollmentRequest(*decoded, kValidatorA).ok());
    Status elsewhere = VerifyEnrollmentRequest(*decoded, kValidatorB);
    ASSERT_FALSE(elsewhere.ok());
    EXPECT_EQ(elsewhere.error().code(), Code::kBadSignature);
  }
}

// The attacker of /v1/enroll: someone who knows a victim's DID (it is on
// the ledger) but not its key cannot open, replace or close its enrollment.
TEST(EnrollmentRequest, AnotherKeyCannotSpeakForADid) {
  Ed25519PrivateKey victim = Ed25519PrivateKey::Generate();
  Ed25519PrivateKey attacker = Ed25519PrivateKey::Generate();
  EnrollmentRequest forged = SignEnrollmentRequest(EnrollStep::kBegin, attacker, kValidatorA, 1700000000);
  forged.did = DidKey::FromPublicKey(victim.public_key()).did();
  Status s = VerifyEnrollmentRequest(forged, kValidatorA);
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().message(), StrCat("enroll begin request for '", forged.did,
                                        "' is not signed by that DID's key (only the host itself may enroll)"));
}

TEST(EnrollmentRequest, EveryFieldIsCovered) {
  Ed25519PrivateKey host = Ed25519PrivateKey::Generate();
  EnrollmentRequest finish = SignEnrollmentRequest(EnrollStep::kFinish, host, kValidatorA, 1700000000, Bytes{9});
  EnrollmentRequest later = finish;
  later.at += 1;
  EnrollmentRequest other_secret = finish;
  other_secret.secret = Bytes{8};
  EnrollmentRequest as_begin = finish;
  as_begin.step = EnrollStep::kBegin;
  as_begin.secret.clear();
  for (const EnrollmentRequest& r : {later, other_secret, as_begin}) {
    EXPECT_EQ(VerifyEnrollmentRequest(r, kValidatorA).error().code(), Code::kBadSignature);
  }
}

TEST(EnrollmentRequest, DecodeIsStrictAndNamesTheProblem) {
  Ed25519PrivateKey host = Ed25519PrivateKey::Generate();
  std::string did = DidKey::FromPublicKey(host.public_key()).did();
  using cbor::Value;
  struct Case {
    EnrollStep step;
    Value body;
    std::string words;
  };
  Bytes sig(64, 7);
  std::vector<Case> cases = {
      {EnrollStep::kBegin, Value::Map({{"did", Value(did)}, {"sig", Value(sig)}}), "'at' is missing"},
      {EnrollStep::kBegin, Value::Map({{"did", Value(did)}, {"at", Value(1)}, {"sig", Value(Bytes(63, 7))}}),
       "'sig' must be 64 bytes"},
      {EnrollStep::kBegin,
       Value::Map({{"did", Value(did)}, {"at", Value(1)}, {"sig", Value(sig)}, {"secret", Value(Bytes{1})}}),
       "unknown field"},
      {EnrollStep::kFinish, Value::Map({{"did", Value(did)}, {"at", Value(1)}, {"sig", Value(sig)}}),
       "'secret' is missing"},
      {EnrollStep::kFinish,
       Value::Map({{"did", Value(did)}, {"at", Value(1)}, {"secret", Value(Bytes(65, 1))}, {"sig", Value(sig)}}),
       "'secret' must be 1..64 bytes"},
      {EnrollStep::kBegin, Value::Map({{"did", Value("did:web:x")}, {"at", Value(1)}, {"sig", Value(sig)}}),
       "'did'"},
      {EnrollStep::kBegin, Value(cbor::Array{}), "expected a CBOR map"},
  };
  for (const Case& c : cases) {
    auto r = DecodeEnrollmentRequest(c.step, cbor::Encode(c.body));
    ASSERT_FALSE(r.ok()) << c.words;
    EXPECT_EQ(r.error().code(), Code::kMalformed) << r.error().ToString();
    EXPECT_NE(r.error().message().find(c.words), std::string::npos) << r.error().message();
  }
}

}  // namespace
}  // namespace vouch
