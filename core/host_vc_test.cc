#include "vouch/core/host_vc.h"

#include <gtest/gtest.h>

#include "testing/sample_claims.h"
#include "vouch/core/hpke.h"

namespace vouch {
namespace {

using testing::SampleClaims;

TEST(HostVc, IssuedVcParsesBackToTheSameClaims) {
  Ed25519PrivateKey host = Ed25519PrivateKey::Generate();
  HostVcClaims claims = SampleClaims(host, X25519PrivateKey::Generate().public_key());
  auto vc = HostVc::Issue(claims, host);
  ASSERT_TRUE(vc.ok()) << vc.error().ToString();
  Bytes encoded = vc->message().Encode();
  auto back = HostVc::Parse(encoded);
  ASSERT_TRUE(back.ok()) << back.error().ToString();
  EXPECT_EQ(back->claims(), claims);
  EXPECT_EQ(back->issuer().did(), claims.issuer);
  EXPECT_EQ(back->message().protected_headers().Find(3)->text(), "application/vouch-vc+cbor");
  EXPECT_EQ(back->Digest(), vc->Digest());
}

TEST(HostVc, ReattestClaimsWithGuestEvidenceRoundTrip) {
  Ed25519PrivateKey host = Ed25519PrivateKey::Generate();
  HostVcClaims claims = SampleClaims(host, X25519PrivateKey::Generate().public_key());
  claims.type = "reattest";
  claims.guest = GuestEvidence{RandomBytes(100), RandomBytes(70), RandomBytes(32), {{9, RandomBytes(32)}}, RandomBytes(90)};
  claims.launch_cti = RandomBytes(kCtiSize);
  auto back = HostVc::Parse(HostVc::Issue(claims, host)->message().Encode());
  ASSERT_TRUE(back.ok()) << back.error().ToString();
  EXPECT_EQ(back->claims(), claims);
}

TEST(HostVc, EventLogDigestClaimRoundTripsAndIsAbsentWhenEmpty) {
  Ed25519PrivateKey host = Ed25519PrivateKey::Generate();
  HostVcClaims without = SampleClaims(host, X25519PrivateKey::Generate().public_key());
  // No log: the claim is not encoded at all, so VCs from before it keep their bytes.
  EXPECT_EQ(HostVcClaimsToCbor(without).Find("vouch.evlog"), nullptr);
  auto back = HostVc::Parse(HostVc::Issue(without, host)->message().Encode());
  ASSERT_TRUE(back.ok()) << back.error().ToString();
  EXPECT_TRUE(back->claims().event_log_digest.empty());

  for (const char* type : {"launch", "reattest"}) {
    HostVcClaims with = without;
    with.type = type;
    with.event_log_digest = RandomBytes(32);
    auto vc = HostVc::Issue(with, host);
    ASSERT_TRUE(vc.ok()) << vc.error().ToString();
    back = HostVc::Parse(vc->message().Encode());
    ASSERT_TRUE(back.ok()) << back.error().ToString();
    EXPECT_EQ(back->claims(), with) << type;
  }
  HostVcClaims short_digest = without;
  short_digest.event_log_digest = Bytes(31, 0);
  auto refused = HostVc::Issue(short_digest, host);
  ASSERT_FALSE(refused.ok());
  EXPECT_NE(refused.error().message().find("'vouch.evlog' must be 32 bytes, got 31"), std::string::npos)
      << refused.error().message();
}

TEST(HostVc, TheLaunchClaimBelongsToReattestVcsAndGuestEvidenceNeedsIt) {
  Ed25519PrivateKey host = Ed25519PrivateKey::Generate();
  HostVcClaims launch = SampleClaims(host, X25519PrivateKey::Generate().public_key());
  launch.launch_cti = RandomBytes(kCtiSize);
  auto refused = HostVc::Issue(launch, host);
  ASSERT_FALSE(refused.ok());
  EXPECT_NE(refused.error().message().find("'vouch.launch' is only allowed in a reattest VC"),
            std::string::npos)
      << refused.error().message();

  HostVcClaims unbound = SampleClaims(host, X25519PrivateKey::Generate().public_key());
  unbound.type = "reattest";
  unbound.guest = GuestEvidence{RandomBytes(100), RandomBytes(70), RandomBytes(32), {{9, RandomBytes(32)}}, RandomBytes(90)};
  refused = HostVc::Issue(unbound, host);
  ASSERT_FALSE(refused.ok());
  EXPECT_NE(refused.error().message().find("'vouch.guest' needs 'vouch.launch'"), std::string::npos)
      << refused.error().message();

  unbound.launch_cti = RandomBytes(kCtiSize - 1);
  refused = HostVc::Issue(unbound, host);
  ASSERT_FALSE(refused.ok());
  EXPECT_NE(refused.error().message().find("'vouch.launch' must be 16 bytes"), std::string::npos)
      << refused.error().message();
}

TEST(HostVc, IssueRefusesAnIssuerThatIsNotTheSigningKey) {
  Ed25519PrivateKey host = Ed25519PrivateKey::Generate();
  Ed25519PrivateKey other = Ed25519PrivateKey::Generate();
  auto vc = HostVc::Issue(SampleClaims(other, Bytes(32, 9)), host);
  ASSERT_FALSE(vc.ok());
  EXPECT_EQ(vc.error().code(), Code::kInvalidArgument);
}

TEST(HostVc, ParseRefusesIssClaimThatDiffersFromKid) {
  Ed25519PrivateKey host = Ed25519PrivateKey::Generate();
  Ed25519PrivateKey other = Ed25519PrivateKey::Generate();
  HostVcClaims claims = SampleClaims(other, Bytes(32, 9));  // iss = other's DID
  std::string kid = DidKey::FromPublicKey(host.public_key()).did();
  auto msg = CoseSign1::Sign(cbor::Value::Map({{3, "application/vouch-vc+cbor"},
                                               {4, cbor::Value(AsBytes(kid))}}),
                             cbor::Value::Map({}), cbor::Encode(HostVcClaimsToCbor(claims)), host);
  ASSERT_TRUE(msg.ok());
  auto parsed = HostVc::Parse(msg->Encode());
  ASSERT_FALSE(parsed.ok());
  EXPECT_NE(parsed.error().message().find("differs from the signing DID"), std::string::npos);
}

TEST(HostVc, ParseWithAResolverTakesTheIssuerKeyFromIt) {
  Ed25519PrivateKey host = Ed25519PrivateKey::Generate();
  Bytes encoded =
      HostVc::Issue(SampleClaims(host, Bytes(32, 9)), host)->message().Encode();
  int calls = 0;
  auto resolved = HostVc::Parse(encoded, [&](std::string_view did) {
    ++calls;
    return DidKey::Parse(did);
  });
  ASSERT_TRUE(resolved.ok()) << resolved.error().ToString();
  EXPECT_EQ(calls, 1);

  auto refused = HostVc::Parse(encoded, [](std::string_view) -> Result<DidKey> {
    return Error(Code::kNotFound, "no such DID");
  });
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().code(), Code::kNotFound);
  EXPECT_NE(refused.error().message().find("host VC kid"), std::string::npos);

  // A resolver that answers with another key: the signature does not verify.
  Ed25519PrivateKey other = Ed25519PrivateKey::Generate();
  auto wrong = HostVc::Parse(encoded, [&](std::string_view) {
    return DidKey::FromPublicKey(other.public_key());
  });
  ASSERT_FALSE(wrong.ok());
  EXPECT_EQ(wrong.error().code(), Code::kBadSignature);
}

TEST(HostVc, AnyBitFlipIsRefused) {
  Ed25519PrivateKey host = Ed25519PrivateKey::Generate();
  Bytes encoded = HostVc::Issue(SampleClaims(host, Bytes(32, 1)), host)->message().Encode();
  for (size_t i = 0; i < encoded.size() * 8; i += 3) {
    Bytes t = encoded;
    t[i / 8] ^= static_cast<uint8_t>(1 << (i % 8));
    EXPECT_FALSE(HostVc::Parse(t).ok()) << "bit " << i;
  }
}

TEST(HostVcClaims, StrictReaderNamesTheMissingOrWrongClaim) {
  Ed25519PrivateKey host = Ed25519PrivateKey::Generate();
  cbor::Value good = HostVcClaimsToCbor(SampleClaims(host, Bytes(32, 1)));
  ASSERT_TRUE(HostVcClaimsFromCbor(good).ok());

  struct Case {
    cbor::Value key;
    cbor::Value value;  // null = remove
    const char* expect;
  } cases[] = {
      {7, cbor::Value(Bytes(15)), "'cti' must be 16 bytes, got 15"},
      {7, cbor::Value(), "'cti' must be a byte string"},
      {1, 17, "'iss' must be a text string"},
      {"vouch.type", "boot", "must be \"launch\" or \"reattest\""},
      {"vouch.boot", cbor::Value(Bytes(31)), "'vouch.boot' must be 32 bytes"},
      {"vouch.extra", 1, "unknown claim \"vouch.extra\""},
      {10, cbor::Value(cbor::Array{}), "'eat_nonce' must be a non-empty array"},
      {"vouch.evlog", cbor::Value(Bytes(40, 1)), "'vouch.evlog' must be 32 bytes, got 40"},
      {"vouch.evlog", "log", "'vouch.evlog' must be a byte string"},
  };
  for (const auto& c : cases) {
    cbor::Value m = good;
    m.Set(c.key, c.value);
    auto r = HostVcClaimsFromCbor(m);
    ASSERT_FALSE(r.ok()) << c.expect;
    EXPECT_EQ(r.error().code(), Code::kMalformed);
    EXPECT_NE(r.error().message().find(c.expect), std::string::npos) << r.error().message();
  }
  cbor::MapEntries without_sub;
  for (const auto& [k, v] : good.map()) {
    if (!(k == cbor::Value(2))) without_sub.emplace_back(k, v);
  }
  auto r = HostVcClaimsFromCbor(cbor::Value::Map(without_sub));
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message().find("claim 'sub' is missing"), std::string::npos);
}

TEST(HostVcClaims, BootHashIsSha256OfPcrsInIndexOrder) {
  std::map<uint32_t, Bytes> pcrs = {{7, Bytes(32, 7)}, {0, Bytes(32, 0)}, {1, Bytes(32, 1)}};
  Bytes expected = ToBytes(Sha256(Concat({Bytes(32, 0), Bytes(32, 1), Bytes(32, 7)})));
  EXPECT_EQ(BootHash(pcrs), expected);
}

}  // namespace
}  // namespace vouch

namespace vouch {
namespace {

// DESIGN §3: a host VC's unprotected header holds 11, "vouch.di" and "vouch.cose" only.
TEST(HostVc, UnprotectedHeaderHoldsCountersignaturesAndTheW3cFormsOnly) {
  Ed25519PrivateKey host = Ed25519PrivateKey::Generate();
  HostVc vc = *HostVc::Issue(testing::SampleClaims(host, X25519PrivateKey::Generate().public_key()), host);
  const Bytes bare = vc.message().Encode();
  EXPECT_FALSE(vc.carried_proof().has_value());

  vc.CarryProof(CarriedProof{"2025-11-24T16:00:00Z", "z3abc"});
  Result<HostVc> with = HostVc::Parse(vc.message().Encode());
  ASSERT_TRUE(with.ok()) << with.error().ToString();
  EXPECT_EQ(with->carried_proof(), (CarriedProof{"2025-11-24T16:00:00Z", "z3abc"}));
  EXPECT_EQ(with->message().signature(), HostVc::Parse(bare)->message().signature());

  vc.CarryCoseSignature(Bytes(kCarriedCoseSignatureSize, 7));
  Result<HostVc> both = HostVc::Parse(vc.message().Encode());
  ASSERT_TRUE(both.ok()) << both.error().ToString();
  EXPECT_EQ(both->carried_cose_signature(), Bytes(kCarriedCoseSignatureSize, 7));
  EXPECT_EQ(both->carried_proof(), (CarriedProof{"2025-11-24T16:00:00Z", "z3abc"}));
  EXPECT_EQ(both->message().signature(), HostVc::Parse(bare)->message().signature());
  EXPECT_FALSE(HostVc::Parse(bare)->carried_cose_signature().has_value());

  for (const auto& [label, value] : std::vector<std::pair<cbor::Value, cbor::Value>>{
           {cbor::Value(5), cbor::Value(Bytes(12))},                    // an IV, say
           {cbor::Value("vouch.dj"), cbor::Value(1)},                   // a near miss
           {cbor::Value("vouch.cosf"), cbor::Value(Bytes(64))},         // a near miss
           {cbor::Value(kCarriedCoseLabel), cbor::Value("signature")},  // not a bstr
           {cbor::Value(kCarriedCoseLabel), cbor::Value(Bytes(63))},    // not an Ed25519 signature
           {cbor::Value(kCarriedCoseLabel), cbor::Value::Map({{"sig", cbor::Value(Bytes(64))}})},
           {cbor::Value(kCarriedProofLabel), cbor::Value("z3abc")},     // not a map
           {cbor::Value(kCarriedProofLabel), cbor::Value::Map({{"created", "t"}, {"proofValue", 1}})},
           {cbor::Value(kCarriedProofLabel),
            cbor::Value::Map({{"created", "t"}, {"proofValue", "z"}, {"extra", "x"}})}}) {
    HostVc odd = *HostVc::Parse(bare);
    ASSERT_TRUE(odd.mutable_message().SetUnprotectedHeader(label, value).ok());
    auto r = HostVc::Parse(odd.message().Encode());
    ASSERT_FALSE(r.ok()) << label.ToDiagnostic();
    EXPECT_EQ(r.error().code(), Code::kMalformed) << label.ToDiagnostic();
  }
  // Labels that are never unprotected cannot be set.
  for (const cbor::Value& label : {cbor::Value(1), cbor::Value(2), cbor::Value(3), cbor::Value(11)}) {
    EXPECT_EQ(vc.mutable_message().SetUnprotectedHeader(label, cbor::Value(1)).error().code(),
              Code::kInvalidArgument);
  }
}

}  // namespace
}  // namespace vouch
