#include "vouch/w3c/credential_check.h"

#include <gtest/gtest.h>

#include "testing/sample_claims.h"
#include "vouch/core/did_document.h"
#include "vouch/core/endorsement.h"
#include "vouch/core/hpke.h"
#include "vouch/core/jcs.h"
#include "vouch/w3c/endorsed_credential.h"
#include "vouch/w3c/host_credential.h"
#include "w3c/testing/proof_options.h"

namespace vouch::w3c {
namespace {

using Json = nlohmann::json;
using vouch::testing::SampleClaims;  // core/testing

constexpr int64_t kNow = 1764000010;  // within SampleClaims' iat..exp

ProofOptions Options(const Ed25519PrivateKey& key, std::string id, std::vector<std::string> previous) {
  return testing::OptionsFor(key, std::move(id), std::move(previous), "2025-11-24T16:00:01Z");
}

struct Exported {
  Ed25519PrivateKey host = Ed25519PrivateKey::Generate();
  Ed25519PrivateKey validator = Ed25519PrivateKey::Generate();
  HostVcClaims claims = SampleClaims(host, X25519PrivateKey::Generate().public_key());
  HostVc vc = *HostVc::Issue(claims, host);
  Json doc;

  Exported() {
    EXPECT_TRUE(ProveHostVc(vc, host).ok());
    Endorsement e = *Endorse(vc, validator, Verdict{true, claims.issued_at + 1, Bytes(32), Bytes(32)});
    EXPECT_TRUE(CarryEndorsementProof(vc, validator, e).ok());
    EXPECT_TRUE(AttachEndorsement(vc, e).ok());
    doc = *ExportDataIntegrity(vc);
  }
};

Status StatusOf(const Json& doc, int64_t now = kNow) {
  Result<CredentialCheck> check = CheckCredential(doc, now);
  if (!check.ok()) return check.error();
  return check->status;
}

void ExpectRefused(const Json& doc, Code code, const std::string& what, int64_t now = kNow) {
  Status s = StatusOf(doc, now);
  ASSERT_FALSE(s.ok()) << what;
  EXPECT_EQ(s.error().code(), code) << what << ": " << s.error().ToString();
}

TEST(CredentialCheck, ExportedHostCredentialVerifies) {
  Exported x;
  Status s = StatusOf(x.doc);
  EXPECT_TRUE(s.ok()) << s.error().ToString();
}

TEST(CredentialCheck, AlteredClaimFailsEveryProof) {
  Exported x;
  const std::string other_did = "did:key:z6MkrJVnaZkeFzdQyMZu1cgjg7k1pZZ6pvBQ7XJPt4swbTQ2";
  for (const auto& [pointer, value] : std::vector<std::pair<std::string, Json>>{
           {"/credentialSubject/bootHash", std::string(64, '0')},
           {"/credentialSubject/tpm/pcrs/7", std::string(64, '0')},
           {"/credentialSubject/tpm/present", false},
           {"/validUntil", "2030-01-01T00:00:00Z"},
           {"/credentialSubject/hypervisor/qemu", "9.9.9"},
           {"/issuer", other_did}}) {
    Json doc = x.doc;
    doc[Json::json_pointer(pointer)] = value;
    auto check = CheckCredential(doc, kNow);
    ASSERT_TRUE(check.ok()) << pointer;
    EXPECT_FALSE(check->status.ok()) << pointer;
    for (const ProofCheck& p : check->proofs) EXPECT_FALSE(p.status.ok()) << pointer;
  }
}

TEST(CredentialCheck, JsonThatDiffersFromItsEmbeddedVcIsRefusedEvenIfSigned) {
  // The host signs a JSON claiming another QEMU than its CBOR VC says.
  Exported x;
  Json lie = *RenderHostVc(x.vc);
  lie["credentialSubject"]["hypervisor"]["qemu"] = "9.9.9";
  lie = *AddProof(lie, Options(x.host, HostProofId(x.vc), {}), x.host);
  ExpectRefused(lie, Code::kMalformed, "JSON differs from CBOR");
  EXPECT_NE(StatusOf(lie).error().message().find("/credentialSubject/hypervisor/qemu"), std::string::npos);
  // An embedded VC that is not bare (it carries countersignatures).
  Json unbare = *RenderHostVc(x.vc);
  unbare["evidence"][0]["coseSign1"] = Base64UrlEncode(x.vc.message().Encode());
  unbare = *AddProof(unbare, Options(x.host, "", {}), x.host);
  ExpectRefused(unbare, Code::kMalformed, "evidence not bare");
  // No evidence at all.
  Json bare = *RenderHostVc(x.vc);
  bare.erase("evidence");
  ExpectRefused(*AddProof(bare, Options(x.host, "", {}), x.host), Code::kMalformed, "no evidence");
}

TEST(CredentialCheck, SwappedProofFromAnotherCredentialFails) {
  Exported x, y;
  Json doc = x.doc;
  doc["proof"][1] = y.doc["proof"][1];
  ExpectRefused(doc, Code::kMalformed, "proof of another credential (names another host proof)");
  doc = x.doc;
  doc["proof"][0] = y.doc["proof"][0];
  ExpectRefused(doc, Code::kBadSignature, "host proof of another credential");
}

TEST(CredentialCheck, ProofByADidNotInTheChainIsRefused) {
  Exported x;
  Ed25519PrivateKey stranger = Ed25519PrivateKey::Generate();
  // A root proof by someone who is not the issuer.
  ExpectRefused(*AddProof(x.doc, Options(stranger, "", {}), stranger), Code::kBadSignature, "stranger root");
  // A proof chained to the validator's proof instead of the host's.
  Json fresh = *RenderHostVc(x.vc);
  fresh = *AddProof(fresh, Options(x.host, HostProofId(x.vc), {}), x.host);
  fresh = *AddProof(fresh, Options(x.validator, "urn:vouch:proof:v", {HostProofId(x.vc)}), x.validator);
  EXPECT_TRUE(StatusOf(fresh).ok());
  ExpectRefused(*AddProof(fresh, Options(stranger, "", {"urn:vouch:proof:v"}), stranger), Code::kBadSignature,
                "chained to a non-issuer proof");
  // No proof by the issuer at all.
  Json only_validator = *RenderHostVc(x.vc);
  ExpectRefused(*AddProof(only_validator, Options(x.validator, "", {}), x.validator), Code::kBadSignature,
                "no issuer proof");
}

TEST(CredentialCheck, WrongPreviousProofIsRefused) {
  Exported x;
  Json doc = x.doc;
  doc["proof"][1]["previousProof"] = "urn:vouch:proof:00";
  ExpectRefused(doc, Code::kMalformed, "dangling previousProof");
  doc = x.doc;
  doc["proof"][1].erase("previousProof");
  ExpectRefused(doc, Code::kBadSignature, "previousProof dropped");
}

TEST(CredentialCheck, ValidityWindowIsEnforced) {
  Exported x;
  ExpectRefused(x.doc, Code::kInvalidArgument, "before validFrom", x.claims.issued_at - 1);
  ExpectRefused(x.doc, Code::kInvalidArgument, "after validUntil", x.claims.expires_at + 1);
  EXPECT_TRUE(StatusOf(x.doc, x.claims.expires_at).ok());
}

TEST(CredentialCheck, AnyIssuersEddsaJcsCredentialVerifies) {
  Ed25519PrivateKey issuer = Ed25519PrivateKey::Generate();
  Json vc = {{"@context", Json::array({kCredentialsContextV2})},
             {"type", Json::array({"VerifiableCredential"})},
             {"issuer", DidKey::FromPublicKey(issuer.public_key()).did()},
             {"validFrom", "2025-01-01T00:00:00Z"},
             {"credentialSubject", {{"id", "did:example:abc"}}}};
  Json secured = *AddProof(vc, Options(issuer, "", {}), issuer);
  EXPECT_TRUE(StatusOf(secured).ok());
  ExpectRefused(secured, Code::kInvalidArgument, "before validFrom", 1700000000);
  Json alien = secured;
  alien["issuer"] = DidKey::FromPublicKey(Ed25519PrivateKey::Generate().public_key()).did();
  ExpectRefused(alien, Code::kBadSignature, "issuer changed");
}

TEST(CredentialCheck, OutsideTextInAnErrorIsOneBoundedLine) {
  Exported x;
  Json doc = x.doc;
  doc["proof"][0]["verificationMethod"] = "did:key:z6Mk\nforged line" + std::string(500, 'A') + "#x";
  doc["proof"][1]["cryptosuite"] = "eddsa\n" + std::string(500, 'B');
  auto check = CheckCredential(doc, kNow);
  ASSERT_TRUE(check.ok());
  ASSERT_FALSE(check->status.ok());
  EXPECT_EQ(check->status.error().message().find('\n'), std::string::npos);
  EXPECT_LT(check->status.error().message().size(), 300u);
  for (const ProofCheck& p : check->proofs) {
    if (!p.status.ok()) {
      EXPECT_EQ(p.status.error().message().find('\n'), std::string::npos);
    }
  }
}

TEST(CredentialCheck, NotACredentialIsMalformed) {
  Exported x;
  for (const char* member : {"@context", "type", "issuer", "proof"}) {
    Json doc = x.doc;
    doc.erase(member);
    auto check = CheckCredential(doc, kNow);
    ASSERT_FALSE(check.ok()) << member;
    EXPECT_EQ(check.error().code(), Code::kMalformed) << member;
  }
  Json doc = x.doc;
  doc["validFrom"] = "yesterday";
  EXPECT_EQ(CheckCredential(doc, kNow).error().code(), Code::kMalformed);
  doc = x.doc;
  doc["issuer"] = "https://vc.example/issuers/5678";
  EXPECT_EQ(CheckCredential(doc, kNow).error().code(), Code::kMalformed);
}

}  // namespace
}  // namespace vouch::w3c
