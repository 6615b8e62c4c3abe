#include "vouch/ledger/owner_proof.h"

#include <gtest/gtest.h>

#include "testing/owned_launch.h"
#include "vouch/core/cbor.h"

namespace vouch::ledger {
namespace {

using testing::MakeOwnedLaunch;
using testing::OwnedLaunch;

void ExpectRefused(const Result<LaunchOwnership>& r, Code code, const std::string& needle) {
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code(), code) << r.error().ToString();
  EXPECT_NE(r.error().message().find(needle), std::string::npos) << r.error().message();
}

TEST(OwnerProof, NamesTheOwnerHostDomainAndLaunchItProves) {
  const Ed25519PrivateKey owner = Ed25519PrivateKey::Generate(), host = Ed25519PrivateKey::Generate();
  OwnedLaunch l = MakeOwnedLaunch(owner, host);
  auto owns = VerifyOwnerProof(l.Proof());
  ASSERT_TRUE(owns.ok()) << owns.error().ToString();
  EXPECT_EQ(owns->owner, DidKey::FromPublicKey(owner.public_key()).did());
  EXPECT_EQ(owns->host, DidKey::FromPublicKey(host.public_key()).did());
  EXPECT_EQ(owns->domain, l.domain);
  EXPECT_EQ(owns->launch, l.launch);
}

// The attacker: someone who got hold of a launch VC of another owner's
// domain and signs a policy of its own for the same domain. Its policy has
// another digest than the one the host launched under.
TEST(OwnerProof, AnotherKeysPolicyForTheSameDomainIsRefused) {
  const Ed25519PrivateKey owner = Ed25519PrivateKey::Generate(), host = Ed25519PrivateKey::Generate();
  const Ed25519PrivateKey stranger = Ed25519PrivateKey::Generate();
  OwnedLaunch victim = MakeOwnedLaunch(owner, host);
  OwnedLaunch forged = MakeOwnedLaunch(stranger, host);  // same domain UUID
  ExpectRefused(VerifyOwnerProof(EncodeOwnerProof(victim.vc, forged.policy)), Code::kInvalidArgument,
                "is not the one launch " + victim.launch + " was released under");
}

TEST(OwnerProof, ATamperedOrForeignSignatureIsRefused) {
  const Ed25519PrivateKey owner = Ed25519PrivateKey::Generate(), host = Ed25519PrivateKey::Generate();
  OwnedLaunch l = MakeOwnedLaunch(owner, host);
  Bytes vc = l.vc;
  vc[vc.size() - 1] ^= 0x01;  // the host's signature
  ExpectRefused(VerifyOwnerProof(EncodeOwnerProof(vc, l.policy)), Code::kBadSignature, "launch VC");
  Bytes policy = l.policy;
  policy[policy.size() - 1] ^= 0x01;  // the owner's signature
  ExpectRefused(VerifyOwnerProof(EncodeOwnerProof(l.vc, policy)), Code::kBadSignature, "owner policy");
}

TEST(OwnerProof, OnlyALaunchVcOfThePolicysDomainProvesOwnership) {
  const Ed25519PrivateKey owner = Ed25519PrivateKey::Generate(), host = Ed25519PrivateKey::Generate();
  OwnedLaunch round = MakeOwnedLaunch(owner, host, "5f1e0c4a-3b57-4a8e-9d2c-0a1b2c3d4e5f", "reattest");
  ExpectRefused(VerifyOwnerProof(round.Proof()), Code::kInvalidArgument, "is a reattest VC, not a launch VC");
  ExpectRefused(VerifyOwnerProof(cbor::Encode(cbor::Value(cbor::Array{cbor::Value(round.vc)}))), Code::kMalformed,
                "expected [launch VC, owner policy]");
  ExpectRefused(VerifyOwnerProof(Bytes{0xff}), Code::kMalformed, "owner proof");
}

}  // namespace
}  // namespace vouch::ledger
