#include "vouch/protocol/validator_api.h"

#include <gtest/gtest.h>

#include "vouch/core/cbor.h"

namespace vouch::protocol {
namespace {

using cbor::Value;

TEST(ValidatorApi, AttestRequestRoundTrips) {
  AttestRequest r{Bytes{1, 2}, Bytes{3}, Bytes{4, 5, 6}, 2, {}};
  auto back = DecodeAttestRequest(EncodeAttestRequest(r));
  ASSERT_TRUE(back.ok()) << back.error().ToString();
  EXPECT_EQ(back->vc, r.vc);
  EXPECT_EQ(back->policy, r.policy);
  EXPECT_EQ(back->share, r.share);
  EXPECT_EQ(back->index, 2u);
  EXPECT_TRUE(back->event_log.empty());
  EXPECT_EQ(cbor::Decode(EncodeAttestRequest(r))->Find("evlog"), nullptr);
  // The event log is optional, and non-empty when present.
  r.event_log = Bytes{9, 9, 9};
  back = DecodeAttestRequest(EncodeAttestRequest(r));
  ASSERT_TRUE(back.ok()) << back.error().ToString();
  EXPECT_EQ(*back, r);
  Value empty = *cbor::Decode(EncodeAttestRequest(r));
  empty.Set("evlog", Value(Bytes{}));
  auto refused = DecodeAttestRequest(cbor::Encode(empty));
  ASSERT_FALSE(refused.ok());
  EXPECT_NE(refused.error().message().find("'evlog' must be a non-empty byte string"), std::string::npos);
}

TEST(ValidatorApi, AttestRequestRefusesMissingUnknownAndMistypedFields) {
  struct Case {
    Value body;
    std::string reason;
  };
  Value vc = Value(Bytes{1});
  std::vector<Case> cases;
  cases.push_back({Value::Map({{"vc", vc}, {"policy", vc}, {"share", vc}}), "got 3 of them"});
  cases.push_back({Value::Map({{"vc", vc}, {"policy", vc}, {"share", vc}, {"index", 1}, {"x", 1}}),
                   "unknown key 'x'"});
  cases.push_back({Value::Map({{"vc", "text"}, {"policy", vc}, {"share", vc}, {"index", 1}}),
                   "'vc' must be a non-empty byte string"});
  cases.push_back({Value::Map({{"vc", vc}, {"policy", vc}, {"share", vc}, {"index", -1}}),
                   "'index' must be an unsigned integer"});
  cases.push_back(
      {Value::Map({{"vc", vc}, {"policy", vc}, {"share", Value(Bytes{})}, {"index", 0}}),
       "'share' must be a non-empty byte string"});
  cases.push_back({Value(cbor::Array{vc}), "expected a CBOR map"});
  for (const Case& c : cases) {
    auto r = DecodeAttestRequest(cbor::Encode(c.body));
    ASSERT_FALSE(r.ok()) << c.reason;
    EXPECT_EQ(r.error().code(), Code::kMalformed);
    EXPECT_NE(r.error().message().find(c.reason), std::string::npos) << r.error().message();
  }
}

TEST(ValidatorApi, AttestRequestRefusesNonCborAndTrailingBytes) {
  Bytes good = EncodeAttestRequest(AttestRequest{Bytes{1}, Bytes{2}, Bytes{3}, 0, {}});
  for (size_t n = 0; n < good.size(); ++n) {
    EXPECT_FALSE(DecodeAttestRequest(ByteView(good).first(n)).ok()) << "truncated at " << n;
  }
  Bytes trailing = good;
  trailing.push_back(0);
  EXPECT_FALSE(DecodeAttestRequest(trailing).ok());
}

TEST(ValidatorApi, ReattestRequestRoundTripsAndRefusesAShare) {
  ReattestRequest r{Bytes{1, 2}, Bytes{3}, Bytes{7, 8, 9}, 4, {}, {}};
  auto back = DecodeReattestRequest(EncodeReattestRequest(r));
  ASSERT_TRUE(back.ok()) << back.error().ToString();
  EXPECT_EQ(back->vc, r.vc);
  EXPECT_EQ(back->policy, r.policy);
  EXPECT_EQ(back->launch, r.launch);
  EXPECT_EQ(back->index, 4u);
  EXPECT_TRUE(back->guest_baseline.empty());
  // The guest baseline and the event log are optional, and non-empty when present.
  r.guest_baseline = Bytes{5, 6};
  r.event_log = Bytes{7};
  back = DecodeReattestRequest(EncodeReattestRequest(r));
  ASSERT_TRUE(back.ok()) << back.error().ToString();
  EXPECT_EQ(back->guest_baseline, r.guest_baseline);
  Value empty = Value(Bytes{});
  auto empty_baseline = DecodeReattestRequest(cbor::Encode(Value::Map(
      {{"vc", Value(Bytes{1})}, {"policy", Value(Bytes{1})}, {"launch", Value(Bytes{1})}, {"index", 0},
       {"guest_baseline", empty}})));
  ASSERT_FALSE(empty_baseline.ok());
  EXPECT_NE(empty_baseline.error().message().find("'guest_baseline' must be a non-empty byte string"),
            std::string::npos)
      << empty_baseline.error().message();

  Value b = Value(Bytes{1});
  auto attest_shaped = DecodeReattestRequest(
      cbor::Encode(Value::Map({{"vc", b}, {"policy", b}, {"share", b}, {"index", 0}})));
  ASSERT_FALSE(attest_shaped.ok());
  EXPECT_NE(attest_shaped.error().message().find(
                "reattest request: unknown key 'share' (expected vc, policy, launch, index, "
                "guest_baseline (optional), evlog (optional))"),
            std::string::npos)
      << attest_shaped.error().message();
  auto no_launch =
      DecodeReattestRequest(cbor::Encode(Value::Map({{"vc", b}, {"policy", b}, {"index", 0}})));
  ASSERT_FALSE(no_launch.ok());
  EXPECT_NE(no_launch.error().message().find("got 3 of them"), std::string::npos);
  // And the other way: an attest request does not take a launch VC.
  EXPECT_FALSE(DecodeAttestRequest(EncodeReattestRequest(r)).ok());
}

TEST(ValidatorApi, AnswersRoundTrip) {
  auto challenge = DecodeChallengeAnswer(EncodeChallengeAnswer({Bytes(32, 7), "did:key:z6Mk"}));
  ASSERT_TRUE(challenge.ok()) << challenge.error().ToString();
  EXPECT_EQ(challenge->nonce, Bytes(32, 7));
  EXPECT_EQ(challenge->validator_did, "did:key:z6Mk");
  auto attest = DecodeAttestAnswer(EncodeAttestAnswer({Bytes{1, 2}, Bytes{3}}));
  ASSERT_TRUE(attest.ok()) << attest.error().ToString();
  EXPECT_EQ(attest->endorsement, (Bytes{1, 2}));
  EXPECT_EQ(attest->share, (Bytes{3}));
  auto reattest = DecodeReattestAnswer(EncodeReattestAnswer(Bytes{5, 6}));
  ASSERT_TRUE(reattest.ok()) << reattest.error().ToString();
  EXPECT_EQ(*reattest, (Bytes{5, 6}));
  auto enroll = DecodeEnrollAnswer(EncodeEnrollAnswer({Bytes{8}, Bytes{9}}));
  ASSERT_TRUE(enroll.ok()) << enroll.error().ToString();
  EXPECT_EQ(enroll->credential, (Bytes{8}));
  EXPECT_EQ(enroll->encrypted_secret, (Bytes{9}));
}

TEST(ValidatorApi, ReattestAnswerHoldsOnlyTheEndorsement) {
  auto v = cbor::Decode(EncodeReattestAnswer(Bytes{5, 6}));
  ASSERT_TRUE(v.ok());
  ASSERT_EQ(v->map().size(), 1u);
  EXPECT_EQ(v->Find("endorsement")->bytes(), (Bytes{5, 6}));
}

// The attacker: a validator (or whoever answers on its port) sending
// answers of the wrong shape. Each is refused naming what is missing; keys
// the host does not know are ignored (a newer vouchd may add some).
TEST(ValidatorApi, AnswersOfTheWrongShapeAreRefused) {
  auto expect_malformed = [](const auto& s, const std::string& words) {
    ASSERT_FALSE(s.ok()) << words;
    EXPECT_EQ(s.error().code(), Code::kMalformed);
    EXPECT_NE(s.error().message().find(words), std::string::npos) << s.error().message();
  };
  const Bytes b{1};
  expect_malformed(DecodeAttestAnswer(cbor::Encode(Value::Map({{"endorsement", Value(b)}}))),
                   "attest answer lacks the byte string 'share'");
  expect_malformed(DecodeAttestAnswer(cbor::Encode(Value::Map({{"endorsement", "text"}, {"share", Value(b)}})))
                       ,
                   "lacks the byte string 'endorsement'");
  expect_malformed(DecodeReattestAnswer(cbor::Encode(Value(cbor::Array{}))),
                   "reattest answer is not a CBOR map");
  expect_malformed(DecodeEnrollAnswer(cbor::Encode(Value::Map({{"credential", Value(b)}}))),
                   "enroll answer lacks the byte string 'secret'");
  expect_malformed(DecodeChallengeAnswer(EncodeChallengeAnswer({Bytes(kMaxNonceBytes + 1, 1), "v"})),
                   "challenge nonce must be 1 to 64 bytes, got 65");
  expect_malformed(DecodeChallengeAnswer(cbor::Encode(Value::Map({{"nonce", Value(b)}}))),
                   "challenge lacks the text string 'validator'");
  expect_malformed(DecodeAttestAnswer(Bytes(kMaxAnswerBytes + 1, 0x40)), "attest answer");
  auto extra = DecodeReattestAnswer(cbor::Encode(Value::Map({{"endorsement", Value(b)}, {"later", 1}})));
  ASSERT_TRUE(extra.ok()) << extra.error().ToString();
  EXPECT_EQ(*extra, b);
}

TEST(ValidatorApi, RefusalCarriesCodeReasonAndVerdict) {
  auto v = cbor::Decode(EncodeRefusal(Error(Code::kPcrMismatch, "PCR 7 differs from reference")));
  ASSERT_TRUE(v.ok());
  EXPECT_EQ(v->Find("code")->text(), "pcr-mismatch");
  EXPECT_EQ(v->Find("reason")->text(), "PCR 7 differs from reference");
  EXPECT_EQ(v->Find("verdict"), nullptr);

  auto refusal = DecodeRefusal(EncodeRefusal(Error(Code::kDrift, "guest PCR 9 changed"), Bytes{4, 2}));
  ASSERT_TRUE(refusal.ok()) << refusal.error().ToString();
  EXPECT_EQ(refusal->code, Code::kDrift);
  EXPECT_EQ(refusal->reason, "guest PCR 9 changed");
  EXPECT_EQ(refusal->drift_verdict, (Bytes{4, 2}));
  auto odd = DecodeRefusal(cbor::Encode(Value::Map({{"code", "no-such-code"}, {"reason", "?"}})));
  ASSERT_TRUE(odd.ok());
  EXPECT_EQ(odd->code, Code::kInternal);
  EXPECT_EQ(odd->code_name, "no-such-code");
  EXPECT_FALSE(DecodeRefusal(cbor::Encode(Value::Map({{"code", "drift"}}))).ok());
}

}  // namespace
}  // namespace vouch::protocol
