#include "vouch/validator/api.h"

#include <gtest/gtest.h>

#include "vouch/core/cbor.h"

namespace vouch::validator {
namespace {

using cbor::Value;

TEST(Api, AttestRequestRoundTrips) {
  AttestRequest r{Bytes{1, 2}, Bytes{3}, Bytes{4, 5, 6}, 2};
  auto back = DecodeAttestRequest(EncodeAttestRequest(r));
  ASSERT_TRUE(back.ok()) << back.error().ToString();
  EXPECT_EQ(back->vc, r.vc);
  EXPECT_EQ(back->policy, r.policy);
  EXPECT_EQ(back->share, r.share);
  EXPECT_EQ(back->index, 2u);
}

TEST(Api, AttestRequestRefusesMissingUnknownAndMistypedFields) {
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

TEST(Api, AttestRequestRefusesNonCborAndTrailingBytes) {
  Bytes good = EncodeAttestRequest(AttestRequest{Bytes{1}, Bytes{2}, Bytes{3}, 0});
  for (size_t n = 0; n < good.size(); ++n) {
    EXPECT_FALSE(DecodeAttestRequest(ByteView(good).first(n)).ok()) << "truncated at " << n;
  }
  Bytes trailing = good;
  trailing.push_back(0);
  EXPECT_FALSE(DecodeAttestRequest(trailing).ok());
}

TEST(Api, ReattestRequestRoundTripsAndRefusesAShare) {
  ReattestRequest r{Bytes{1, 2}, Bytes{3}, Bytes{7, 8, 9}, 4, {}};
  auto back = DecodeReattestRequest(EncodeReattestRequest(r));
  ASSERT_TRUE(back.ok()) << back.error().ToString();
  EXPECT_EQ(back->vc, r.vc);
  EXPECT_EQ(back->policy, r.policy);
  EXPECT_EQ(back->launch, r.launch);
  EXPECT_EQ(back->index, 4u);
  EXPECT_TRUE(back->guest_baseline.empty());
  // The guest baseline is optional, and non-empty when present.
  r.guest_baseline = Bytes{5, 6};
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
                "guest_baseline (optional))"),
            std::string::npos)
      << attest_shaped.error().message();
  auto no_launch =
      DecodeReattestRequest(cbor::Encode(Value::Map({{"vc", b}, {"policy", b}, {"index", 0}})));
  ASSERT_FALSE(no_launch.ok());
  EXPECT_NE(no_launch.error().message().find("got 3 of them"), std::string::npos);
  // And the other way: an attest request does not take a launch VC.
  EXPECT_FALSE(DecodeAttestRequest(EncodeReattestRequest(r)).ok());
}

TEST(Api, ReattestResponseHoldsOnlyTheEndorsement) {
  Reendorsement e;
  e.endorsement = Bytes{5, 6};
  auto v = cbor::Decode(EncodeReattestResponse(e));
  ASSERT_TRUE(v.ok());
  ASSERT_EQ(v->map().size(), 1u);
  EXPECT_EQ(v->Find("endorsement")->bytes(), (Bytes{5, 6}));
}

TEST(Api, RefusalCarriesCodeNameAndReason) {
  auto v = cbor::Decode(EncodeRefusal(Error(Code::kPcrMismatch, "PCR 7 differs from reference")));
  ASSERT_TRUE(v.ok());
  EXPECT_EQ(v->Find("code")->text(), "pcr-mismatch");
  EXPECT_EQ(v->Find("reason")->text(), "PCR 7 differs from reference");
}

TEST(Api, HttpStatusPerCode) {
  EXPECT_EQ(HttpStatusFor(Code::kMalformed), 400);
  EXPECT_EQ(HttpStatusFor(Code::kReplay), 409);
  EXPECT_EQ(HttpStatusFor(Code::kPcrMismatch), 403);
  EXPECT_EQ(HttpStatusFor(Code::kUnknownHost), 403);
  EXPECT_EQ(HttpStatusFor(Code::kUnavailable), 503);
  EXPECT_EQ(HttpStatusFor(Code::kInternal), 500);
}

}  // namespace
}  // namespace vouch::validator
