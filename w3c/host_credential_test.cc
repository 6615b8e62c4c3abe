#include "vouch/w3c/host_credential.h"

#include <gtest/gtest.h>

#include "testing/sample_claims.h"
#include "vouch/core/digest.h"
#include "vouch/core/endorsement.h"
#include "vouch/core/hpke.h"
#include "vouch/core/jcs.h"
#include "vouch/w3c/revocation_list.h"

namespace vouch::w3c {
namespace {

using Json = nlohmann::json;
using vouch::testing::SampleClaims;

HostVc SampleVc(const Ed25519PrivateKey& host, HostVcClaims* out = nullptr) {
  HostVcClaims claims = SampleClaims(host, X25519PrivateKey::Generate().public_key());
  if (out != nullptr) *out = claims;
  return *HostVc::Issue(claims, host);
}

TEST(HostCredential, RendersEveryClaimOfTheHostVc) {
  Ed25519PrivateKey host = Ed25519PrivateKey::Generate();
  HostVcClaims c;
  HostVc vc = SampleVc(host, &c);
  Result<Json> r = RenderHostVc(vc);
  ASSERT_TRUE(r.ok()) << r.error().ToString();
  const Json& j = *r;
  EXPECT_EQ(j["@context"], Json::array({"https://www.w3.org/ns/credentials/v2", "https://w3id.org/vouch/v1"}));
  EXPECT_EQ(j["type"], Json::array({"VerifiableCredential", "VouchHostCredential"}));
  EXPECT_EQ(j["id"], "urn:vouch:vc:" + HexEncode(c.cti));
  EXPECT_EQ(j["issuer"], c.issuer);
  EXPECT_EQ(j["validFrom"], "2025-11-24T16:00:00Z");
  EXPECT_EQ(j["validUntil"], "2025-11-24T16:01:00Z");
  const Json& s = j["credentialSubject"];
  EXPECT_EQ(s["id"], "urn:uuid:5f1e0c4a-3b57-4a8e-9d2c-0a1b2c3d4e5f");
  EXPECT_EQ(s["attestation"], "launch");
  EXPECT_EQ(s["hypervisor"], Json({{"libvirt", "9.0.0"}, {"qemu", "7.2.0"}, {"kernel", "6.1.0-56-amd64"},
                                   {"machine", "pc-i440fx-7.2"}}));
  EXPECT_EQ(s["tpm"]["present"], true);
  EXPECT_EQ(s["tpm"]["manufacturer"], "IBM");
  EXPECT_EQ(s["tpm"]["firmware"], "1.38");
  EXPECT_EQ(s["tpm"]["pcrs"]["7"], HexEncode(c.tpm.pcrs.at(7)));
  EXPECT_EQ(s["tpm"]["pcrs"].size(), 3u);
  EXPECT_EQ(s["bootHash"], HexEncode(c.boot_hash));
  EXPECT_EQ(s["domainConfig"], Base64UrlEncode(c.domain_config));
  EXPECT_EQ(s["configDigest"], HexEncode(c.config_digest));
  EXPECT_EQ(s["policyDigest"], HexEncode(c.policy_digest));
  EXPECT_FALSE(s.contains("launchCredential"));
  EXPECT_FALSE(s.contains("guest"));
  // The evidence is the signed CBOR VC itself: it parses and verifies.
  const Json& e = j["evidence"][0];
  EXPECT_EQ(e["type"], Json::array({"VouchCoseHostCredential"}));
  Bytes bare = *Base64Decode(e["coseSign1"].get<std::string>());
  EXPECT_EQ(bare, vc.message().Encode());
  EXPECT_EQ(e["sha256"], HexEncode(ToBytes(Sha256(bare))));
  Result<HostVc> back = HostVc::Parse(bare);
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(back->claims(), c);
  EXPECT_TRUE(CanonicalJson(j).ok());
}

TEST(HostCredential, StatusNamesTheLaunchAndTheHostInVouchsRevocationList) {
  Ed25519PrivateKey host = Ed25519PrivateKey::Generate();
  HostVcClaims c;
  const Json j = *RenderHostVc(SampleVc(host, &c));
  const Json& status = j["credentialStatus"];
  ASSERT_EQ(status.size(), 2u);
  const Json launch = {{"type", "BitstringStatusListEntry"},
                       {"statusPurpose", "revocation"},
                       {"statusListIndex", std::to_string(StatusListIndex("cti:" + HexEncode(c.cti)))},
                       {"statusListCredential", "urn:vouch:status:revocation"}};
  EXPECT_EQ(status[0], launch);
  EXPECT_EQ(status[1]["statusListIndex"], std::to_string(StatusListIndex(c.issuer)));
  EXPECT_EQ(status[1]["statusListCredential"], "urn:vouch:status:revocation");
}

TEST(HostCredential, ReattestVcNamesItsLaunchAndGuest) {
  Ed25519PrivateKey host = Ed25519PrivateKey::Generate();
  HostVcClaims c = SampleClaims(host, X25519PrivateKey::Generate().public_key());
  c.type = "reattest";
  c.launch_cti = Bytes(kCtiSize, 0xab);
  c.guest = GuestEvidence{Bytes(100, 1), Bytes(70, 2), Bytes(32, 3), {{9, Bytes(32, 4)}}, Bytes(90, 5)};
  Json j = *RenderHostVc(*HostVc::Issue(c, host));
  EXPECT_EQ(j["credentialSubject"]["attestation"], "reattest");
  EXPECT_EQ(j["credentialSubject"]["launchCredential"], "urn:vouch:vc:abababababababababababababababab");
  EXPECT_EQ(j["credentialSubject"]["guest"]["pcrs"]["9"], HexEncode(Bytes(32, 4)));
  EXPECT_EQ(j["credentialSubject"]["guest"]["eventLogDigest"], HexEncode(Bytes(32, 3)));
  // Its launch entry is the launch's, so revoking the launch revokes every round.
  EXPECT_EQ(j["credentialStatus"][0]["statusListIndex"],
            std::to_string(StatusListIndex("cti:abababababababababababababababab")));
}

TEST(HostCredential, RenderingIsTheSameWithOrWithoutEndorsements) {
  Ed25519PrivateKey host = Ed25519PrivateKey::Generate();
  HostVc vc = SampleVc(host);
  const std::string before = *CanonicalJson(*RenderHostVc(vc));
  Endorsement e = *Endorse(vc, Ed25519PrivateKey::Generate(), Verdict{true, 1764000001, Bytes(32), Bytes(32)});
  ASSERT_TRUE(AttachEndorsement(vc, e).ok());
  HostVc endorsed = *HostVc::Parse(vc.message().Encode());
  EXPECT_EQ(*CanonicalJson(*RenderHostVc(endorsed)), before);
  EXPECT_NE(endorsed.message().Encode(), BareHostVc(endorsed));
}

TEST(HostCredential, DifferentClaimsRenderDifferently) {
  Ed25519PrivateKey host = Ed25519PrivateKey::Generate();
  HostVcClaims c = SampleClaims(host, X25519PrivateKey::Generate().public_key());
  const std::string a = *CanonicalJson(*RenderHostVc(*HostVc::Issue(c, host)));
  c.hypervisor.qemu = "7.2.1";
  EXPECT_NE(*CanonicalJson(*RenderHostVc(*HostVc::Issue(c, host))), a);
}

}  // namespace
}  // namespace vouch::w3c
