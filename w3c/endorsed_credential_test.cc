#include "vouch/w3c/endorsed_credential.h"

#include <gtest/gtest.h>

#include "testing/sample_claims.h"
#include "vouch/core/did_document.h"
#include "vouch/core/endorsement.h"
#include "vouch/core/hpke.h"
#include "vouch/w3c/credential_check.h"
#include "vouch/w3c/data_integrity.h"
#include "vouch/w3c/host_credential.h"

namespace vouch::w3c {
namespace {

using Json = nlohmann::json;
using vouch::testing::SampleClaims;

// A validator's endorsement as vouchd makes it: countersignature plus its
// chained proof in the countersignature's unprotected "vouch.di".
Endorsement EndorseWithProof(const HostVc& vc, const Ed25519PrivateKey& key, int64_t at) {
  Endorsement e = *Endorse(vc, key, Verdict{true, at, Bytes(32, 1), Bytes(32, 2)});
  Status carried = CarryEndorsementProof(vc, key, e);
  EXPECT_TRUE(carried.ok()) << carried.error().ToString();
  return e;
}

struct Endorsed {
  Ed25519PrivateKey host = Ed25519PrivateKey::Generate();
  Ed25519PrivateKey va = Ed25519PrivateKey::Generate();
  Ed25519PrivateKey vb = Ed25519PrivateKey::Generate();
  HostVcClaims claims = SampleClaims(host, X25519PrivateKey::Generate().public_key());
  Bytes encoded;  // the endorsed VC as the host assembles it

  Endorsed() {
    HostVc vc = *HostVc::Issue(claims, host);
    EXPECT_TRUE(ProveHostVc(vc, host).ok());
    // What the validators receive: the VC with the host's proof.
    HostVc sent = *HostVc::Parse(vc.message().Encode());
    for (const auto* key : {&va, &vb}) {
      Endorsement e = EndorseWithProof(sent, *key, claims.issued_at + 1);
      // The host reads the validator's answer back strictly.
      auto back = VerifyEndorsement(vc, *Countersignature::Parse(e.countersignature.Encode()));
      EXPECT_TRUE(back.ok()) << back.error().ToString();
      EXPECT_TRUE(back->carried_proof.has_value());
      EXPECT_TRUE(AttachEndorsement(vc, *back).ok());
    }
    encoded = vc.message().Encode();
  }
};

TEST(EndorsedCredential, HostProofLeavesTheCoseSignatureAndClaimsAlone) {
  Ed25519PrivateKey host = Ed25519PrivateKey::Generate();
  HostVc vc = *HostVc::Issue(SampleClaims(host, X25519PrivateKey::Generate().public_key()), host);
  const Bytes before = vc.message().Encode();
  ASSERT_TRUE(ProveHostVc(vc, host).ok());
  ASSERT_TRUE(vc.carried_proof().has_value());
  EXPECT_EQ(vc.carried_proof()->created, "2025-11-24T16:00:00Z");
  EXPECT_EQ(BareHostVc(vc), before);
  Result<HostVc> parsed = HostVc::Parse(vc.message().Encode());
  ASSERT_TRUE(parsed.ok()) << parsed.error().ToString();
  EXPECT_EQ(parsed->carried_proof(), vc.carried_proof());
  EXPECT_EQ(ProveHostVc(vc, Ed25519PrivateKey::Generate()).error().code(), Code::kInvalidArgument);
}

TEST(EndorsedCredential, ExportVerifiesEveryProofAndTheChain) {
  Endorsed e;
  HostVc vc = *HostVc::Parse(e.encoded);
  Result<Json> exported = ExportDataIntegrity(vc);
  ASSERT_TRUE(exported.ok()) << exported.error().ToString();
  ASSERT_EQ((*exported)["proof"].size(), 3u);
  EXPECT_EQ((*exported)["proof"][0]["id"], HostProofId(vc));
  EXPECT_EQ((*exported)["proof"][1]["previousProof"], HostProofId(vc));
  EXPECT_EQ((*exported)["proof"][2]["created"], "2025-11-24T16:00:01Z");
  Result<CredentialCheck> check = CheckCredential(*exported, e.claims.issued_at + 10);
  ASSERT_TRUE(check.ok()) << check.error().ToString();
  EXPECT_TRUE(check->status.ok()) << check->status.error().ToString();
  ASSERT_TRUE(check->host_vc.has_value());
  EXPECT_EQ(check->host_vc->claims(), e.claims);
  EXPECT_EQ(check->proofs.size(), 3u);
}

TEST(EndorsedCredential, VcWithoutHostProofStillVerifiesButExportsNothing) {
  Ed25519PrivateKey host = Ed25519PrivateKey::Generate();
  Ed25519PrivateKey validator = Ed25519PrivateKey::Generate();
  HostVc vc = *HostVc::Issue(SampleClaims(host, X25519PrivateKey::Generate().public_key()), host);
  auto proof = ProveEndorsement(vc, validator, 1764000001);
  ASSERT_TRUE(proof.ok());
  EXPECT_FALSE(proof->has_value());
  ASSERT_TRUE(AttachEndorsement(vc, *Endorse(vc, validator, Verdict{true, 1, Bytes(32), Bytes(32)})).ok());
  HostVc parsed = *HostVc::Parse(vc.message().Encode());
  EXPECT_TRUE((*CheckEndorsements(parsed))[0].status.ok());
  EXPECT_EQ(ExportDataIntegrity(parsed).error().code(), Code::kNotFound);
}

TEST(EndorsedCredential, ValidatorRefusesAHostProofOverOtherJson) {
  Endorsed e;
  HostVc vc = *HostVc::Parse(e.encoded);
  CarriedProof forged = *vc.carried_proof();
  forged.created = "2025-11-24T16:00:05Z";  // the signature was made with another created
  vc.CarryProof(forged);
  auto proof = ProveEndorsement(vc, e.va, 1764000001);
  ASSERT_FALSE(proof.ok());
  EXPECT_EQ(proof.error().code(), Code::kBadSignature);
  forged.proof_value = "not multibase";
  vc.CarryProof(forged);
  EXPECT_EQ(ProveEndorsement(vc, e.va, 1764000001).error().code(), Code::kMalformed);
}

// A host from before the status list signed the rendering without
// credentialStatus: vouchd endorses its VC in CBOR only (as a VC with no
// proof), and export says it has no W3C form.
TEST(EndorsedCredential, HostProofFromBeforeCredentialStatusIsEndorsedInCborOnly) {
  Ed25519PrivateKey host = Ed25519PrivateKey::Generate();
  HostVc vc = *HostVc::Issue(SampleClaims(host, X25519PrivateKey::Generate().public_key()), host);
  Json old_rendering = *RenderHostVc(vc);
  old_rendering.erase("credentialStatus");
  ProofOptions o;
  o.verification_method = DidKeyVerificationMethodId(vc.issuer());
  o.created = "2025-11-24T16:00:00Z";
  o.id = HostProofId(vc);
  Json old_secured = *AddProof(old_rendering, o, host);
  vc.CarryProof(CarriedProof{o.created, old_secured["proof"]["proofValue"].get<std::string>()});

  auto proof = ProveEndorsement(vc, Ed25519PrivateKey::Generate(), 1764000001);
  ASSERT_TRUE(proof.ok()) << proof.error().ToString();
  EXPECT_FALSE(proof->has_value());
  auto exported = ExportDataIntegrity(vc);
  ASSERT_FALSE(exported.ok());
  EXPECT_EQ(exported.error().code(), Code::kNotFound);
  EXPECT_NE(exported.error().message().find("from before credentialStatus"), std::string::npos);
}

TEST(EndorsedCredential, ExportRefusesACarriedProofThatFails) {
  Endorsed e;
  HostVc vc = *HostVc::Parse(e.encoded);
  CarriedProof p = *vc.carried_proof();
  p.created = "2025-11-24T16:00:05Z";
  vc.CarryProof(p);
  EXPECT_EQ(ExportDataIntegrity(vc).error().code(), Code::kBadSignature);
}

TEST(EndorsedCredential, ParsersReadVouchDiAndStillRefuseUnknownLabels) {
  Endorsed e;
  HostVc vc = *HostVc::Parse(e.encoded);
  HostVc odd = vc;
  ASSERT_TRUE(odd.mutable_message().SetUnprotectedHeader(cbor::Value("vouch.other"), cbor::Value(1)).ok());
  auto r = HostVc::Parse(odd.message().Encode());
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code(), Code::kMalformed);
  EXPECT_NE(r.error().message().find("unknown unprotected header label"), std::string::npos);
  HostVc bad = vc;
  ASSERT_TRUE(bad.mutable_message().SetUnprotectedHeader(cbor::Value(kCarriedProofLabel),
                                                         cbor::Value::Map({{"created", "x"}})).ok());
  EXPECT_EQ(HostVc::Parse(bad.message().Encode()).error().code(), Code::kMalformed);

  Countersignature cs = (*Countersignatures(vc.message()))[0];
  ASSERT_TRUE(cs.SetUnprotectedHeader(cbor::Value(99), cbor::Value(1)).ok());
  auto v = VerifyEndorsement(vc, *Countersignature::Parse(cs.Encode()));
  ASSERT_FALSE(v.ok());
  EXPECT_EQ(v.error().code(), Code::kMalformed);
  EXPECT_EQ(cs.SetUnprotectedHeader(cbor::Value(11), cbor::Value(1)).error().code(), Code::kInvalidArgument);
  EXPECT_EQ(cs.SetUnprotectedHeader(cbor::Value(4), cbor::Value(1)).error().code(), Code::kInvalidArgument);
}

}  // namespace
}  // namespace vouch::w3c
