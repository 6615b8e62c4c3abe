#include "vouch/w3c/revocation_list.h"

#include <gtest/gtest.h>

#include "testing/sample_claims.h"
#include "vouch/core/did_key.h"
#include "vouch/core/digest.h"
#include "vouch/core/hpke.h"
#include "vouch/w3c/bitstring.h"
#include "vouch/w3c/host_credential.h"

namespace vouch::w3c {
namespace {

using Json = nlohmann::json;
using vouch::testing::SampleClaims;

constexpr int64_t kAt = 1764000000;  // 2025-11-24T16:00:00Z

TEST(RevocationList, IndexIsTheFirstBitsOfADomainSeparatedHash) {
  const std::string subject = "cti:00112233445566778899aabbccddeeff";
  const Sha256Digest d = Sha256({AsBytes("vouch status v1"), AsBytes(subject)});
  uint64_t first = 0;
  for (int i = 0; i < 8; ++i) first = (first << 8) | d[i];
  EXPECT_EQ(StatusListIndex(subject), first % 131072);
  EXPECT_LT(StatusListIndex("did:key:z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK"), 131072u);
  EXPECT_NE(StatusListIndex(subject), StatusListIndex("cti:00112233445566778899aabbccddeefe"));
}

TEST(RevocationList, SignedListSetsTheBitsOfTheRevokedSubjects) {
  Ed25519PrivateKey validator = Ed25519PrivateKey::Generate();
  const std::vector<std::string> revoked = {"cti:00112233445566778899aabbccddeeff",
                                            "did:key:z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK"};
  Result<Json> list = SignRevocationList(revoked, validator, kAt);
  ASSERT_TRUE(list.ok()) << list.error().ToString();
  EXPECT_EQ((*list)["id"], "urn:vouch:status:revocation");
  EXPECT_EQ((*list)["type"], Json::array({"VerifiableCredential", "BitstringStatusListCredential"}));
  EXPECT_EQ((*list)["issuer"], DidKey::FromPublicKey(validator.public_key()).did());
  EXPECT_EQ((*list)["validFrom"], "2025-11-24T16:00:00Z");
  EXPECT_EQ((*list)["validUntil"], "2025-11-24T16:10:00Z");
  EXPECT_EQ((*list)["credentialSubject"]["type"], "BitstringStatusList");
  EXPECT_EQ((*list)["credentialSubject"]["statusPurpose"], "revocation");
  EXPECT_EQ((*list)["proof"]["cryptosuite"], "eddsa-jcs-2022");

  Result<RevocationList> checked = CheckRevocationList(*list, kAt + 1);
  ASSERT_TRUE(checked.ok()) << checked.error().ToString();
  EXPECT_EQ(checked->issuer, (*list)["issuer"]);
  size_t set = 0;
  for (uint64_t i = 0; i < kRevocationListLength; ++i) set += BitAt(checked->bits, i) ? 1 : 0;
  EXPECT_EQ(set, 2u);
  for (const std::string& s : revoked) EXPECT_TRUE(BitAt(checked->bits, StatusListIndex(s)));
}

TEST(RevocationList, EmptyListIsTheSpecsEmptyList) {
  Json list = *SignRevocationList({}, Ed25519PrivateKey::Generate(), kAt);
  EXPECT_EQ(list["credentialSubject"]["encodedList"],
            "uH4sIAAAAAAAAA-3BMQEAAADCoPVPbQwfoAAAAAAAAAAAAAAAAAAAAIC3AYbSVKsAQAAA");
}

// Attacker: a list altered after signing (a revocation taken out), a
// proof by someone else than the issuer, a list past its validUntil.
TEST(RevocationList, RefusesAnAlteredList) {
  Ed25519PrivateKey validator = Ed25519PrivateKey::Generate();
  Json list = *SignRevocationList({"cti:00112233445566778899aabbccddeeff"}, validator, kAt);
  list["credentialSubject"]["encodedList"] = *EncodeBitstring(Bytes(kRevocationListLength / 8, 0));
  Result<RevocationList> r = CheckRevocationList(list, kAt);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code(), Code::kBadSignature);
}

TEST(RevocationList, RefusesAProofByAnotherThanTheIssuer) {
  Ed25519PrivateKey validator = Ed25519PrivateKey::Generate();
  Ed25519PrivateKey rogue = Ed25519PrivateKey::Generate();
  Json list = *SignRevocationList({}, rogue, kAt);
  list["issuer"] = DidKey::FromPublicKey(validator.public_key()).did();  // claims to be the validator's
  Result<RevocationList> r = CheckRevocationList(list, kAt);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code(), Code::kBadSignature);
}

TEST(RevocationList, RefusesAnExpiredListAndMalformedOnes) {
  Json list = *SignRevocationList({}, Ed25519PrivateKey::Generate(), kAt);
  EXPECT_EQ(CheckRevocationList(list, kAt + 601).error().message(),
            "status list expired at 2025-11-24T16:10:00Z (now 2025-11-24T16:10:01Z)");
  EXPECT_EQ(CheckRevocationList(list, kAt - 1).error().code(), Code::kInvalidArgument);
  Json other = list;
  other["id"] = "https://example.com/status/1";
  EXPECT_EQ(CheckRevocationList(other, kAt).error().message(),
            "status list id is 'https://example.com/status/1', not 'urn:vouch:status:revocation'");
  Json purpose = list;
  purpose["credentialSubject"]["statusPurpose"] = "suspension";
  EXPECT_EQ(CheckRevocationList(purpose, kAt).error().code(), Code::kMalformed);
  Json short_list = list;
  short_list["credentialSubject"]["encodedList"] = *EncodeBitstring(Bytes(1024, 0));
  EXPECT_EQ(CheckRevocationList(short_list, kAt).error().message(), "status list has 8192 bits, not vouch's 131072");
  EXPECT_EQ(CheckRevocationList(Json::array(), kAt).error().code(), Code::kMalformed);
}

TEST(RevocationList, CredentialStatusNamesTheEntryThatIsSet) {
  Ed25519PrivateKey host = Ed25519PrivateKey::Generate();
  HostVcClaims claims = SampleClaims(host, X25519PrivateKey::Generate().public_key());
  HostVc vc = *HostVc::Issue(claims, host);
  const Json credential = *RenderHostVc(vc);
  Ed25519PrivateKey validator = Ed25519PrivateKey::Generate();

  auto check = [&](const std::vector<std::string>& revoked) {
    return CheckCredentialStatus(credential, *CheckRevocationList(*SignRevocationList(revoked, validator, kAt), kAt));
  };
  EXPECT_TRUE(check({}).ok());
  EXPECT_TRUE(check({"cti:00112233445566778899aabbccddeeff"}).ok());
  Status launch = check({LaunchSubjectOf(vc)});
  ASSERT_FALSE(launch.ok());
  EXPECT_EQ(launch.error().code(), Code::kRevoked);
  EXPECT_EQ(launch.error().message(),
            StrCat("credential is revoked: its launch entry (statusListIndex ", StatusListIndex(LaunchSubjectOf(vc)),
                   ") is set in the status list of '", DidKey::FromPublicKey(validator.public_key()).did(), "'"));
  Status host_revoked = check({claims.issuer});
  ASSERT_FALSE(host_revoked.ok());
  EXPECT_NE(host_revoked.error().message().find("its host entry"), std::string::npos);
}

TEST(RevocationList, CredentialStatusRefusesABadEntry) {
  RevocationList list{"did:key:x", "", "", Bytes(kRevocationListLength / 8, 0)};
  Json credential = {{"credentialStatus", {{"type", "BitstringStatusListEntry"},
                                           {"statusPurpose", "revocation"},
                                           {"statusListIndex", "131072"},
                                           {"statusListCredential", "urn:vouch:status:revocation"}}}};
  EXPECT_EQ(CheckCredentialStatus(credential, list).error().code(), Code::kMalformed);
  credential["credentialStatus"]["statusListIndex"] = "007";
  EXPECT_EQ(CheckCredentialStatus(credential, list).error().code(), Code::kMalformed);
  credential["credentialStatus"]["statusListIndex"] = "7";
  EXPECT_TRUE(CheckCredentialStatus(credential, list).ok());
  credential["credentialStatus"]["statusListCredential"] = "https://example.com/other";
  credential["credentialStatus"]["statusListIndex"] = "nonsense";
  EXPECT_TRUE(CheckCredentialStatus(credential, list).ok());  // not vouch's list
}

}  // namespace
}  // namespace vouch::w3c
