#include "vouch/core/stop_notice.h"

#include <gtest/gtest.h>

#include "vouch/core/cbor.h"
#include "vouch/core/did_key.h"
#include "vouch/core/random.h"

namespace vouch {
namespace {

constexpr int64_t kAt = 1700000000;

TEST(StopNotice, RoundTripsAndVerifies) {
  Ed25519PrivateKey host = Ed25519PrivateKey::Generate();
  Bytes launch = RandomBytes(16);
  auto decoded = DecodeStopNotice(EncodeStopNotice(SignStopNotice(host, launch, kAt)));
  ASSERT_TRUE(decoded.ok()) << decoded.error().ToString();
  EXPECT_EQ(decoded->did, DidKey::FromPublicKey(host.public_key()).did());
  EXPECT_EQ(decoded->launch, launch);
  EXPECT_EQ(decoded->at, kAt);
  EXPECT_TRUE(VerifyStopNotice(*decoded).ok());
}

// The attacker: someone who knows a victim host's DID and a launch cti but
// not the host's key, ending the lease to hide that the domain went silent.
TEST(StopNotice, AnotherKeyCannotSpeakForAHost) {
  Ed25519PrivateKey victim = Ed25519PrivateKey::Generate();
  StopNotice forged = SignStopNotice(Ed25519PrivateKey::Generate(), RandomBytes(16), kAt);
  forged.did = DidKey::FromPublicKey(victim.public_key()).did();
  Status s = VerifyStopNotice(forged);
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().code(), Code::kBadSignature);
  EXPECT_NE(s.error().message().find("only the host that launched a domain"), std::string::npos);
}

// A signed notice cannot be moved to another launch or time.
TEST(StopNotice, TheSignatureCoversLaunchAndTime) {
  StopNotice n = SignStopNotice(Ed25519PrivateKey::Generate(), RandomBytes(16), kAt);
  StopNotice other_launch = n;
  other_launch.launch[0] ^= 1;
  EXPECT_EQ(VerifyStopNotice(other_launch).error().code(), Code::kBadSignature);
  StopNotice other_time = n;
  other_time.at += 1;
  EXPECT_EQ(VerifyStopNotice(other_time).error().code(), Code::kBadSignature);
}

TEST(StopNotice, MalformedBodiesAreRefusedNamingWhat) {
  StopNotice n = SignStopNotice(Ed25519PrivateKey::Generate(), RandomBytes(16), kAt);
  auto refused = [](const Bytes& body) {
    auto d = DecodeStopNotice(body);
    EXPECT_FALSE(d.ok());
    return d.ok() ? std::string() : d.error().message();
  };
  StopNotice short_launch = n;
  short_launch.launch.resize(15);
  EXPECT_NE(refused(EncodeStopNotice(short_launch)).find("launch"), std::string::npos);
  StopNotice bad_did = n;
  bad_did.did = "did:web:example.com";
  EXPECT_NE(refused(EncodeStopNotice(bad_did)).find("did"), std::string::npos);
  EXPECT_NE(refused(cbor::Encode(cbor::Value(std::string("stop")))).find("expected a CBOR map"),
            std::string::npos);
  EXPECT_FALSE(refused(Bytes{0xa1}).empty());  // truncated
  Bytes with_extra = cbor::Encode(cbor::Value::Map({{cbor::Value("did"), cbor::Value(n.did)},
                                                    {cbor::Value("launch"), cbor::Value(n.launch)},
                                                    {cbor::Value("at"), cbor::Value(n.at)},
                                                    {cbor::Value("sig"), cbor::Value(n.signature)},
                                                    {cbor::Value("extra"), cbor::Value(int64_t{1})}}));
  EXPECT_NE(refused(with_extra).find("extra"), std::string::npos);
}

}  // namespace
}  // namespace vouch
