#include "vouch/w3c/cose_credential.h"

#include <gtest/gtest.h>

#include "testing/sample_claims.h"
#include "vouch/core/endorsement.h"
#include "vouch/core/hpke.h"
#include "vouch/core/jcs.h"
#include "vouch/w3c/cose_credential_check.h"
#include "vouch/w3c/host_credential.h"

namespace vouch::w3c {
namespace {

using Json = nlohmann::json;
using vouch::testing::SampleClaims;

constexpr int64_t kNow = 1764000010;  // within SampleClaims' iat..exp

HostVc IssueSigned(const Ed25519PrivateKey& host) {
  HostVc vc = *HostVc::Issue(SampleClaims(host, X25519PrivateKey::Generate().public_key()), host);
  Status s = SignVcCose(vc, host);
  EXPECT_TRUE(s.ok()) << s.error().ToString();
  return vc;
}

// A validator's endorsement as vouchd makes it: CBOR countersignature plus
// its vc+cose countersignature's signature in "vouch.cose".
Endorsement EndorseWithCose(const HostVc& vc, const Ed25519PrivateKey& key) {
  Endorsement e = *Endorse(vc, key, Verdict{true, vc.claims().issued_at + 1, Bytes(32, 1), Bytes(32, 2)});
  Status carried = CarryEndorsementCose(vc, key, e);
  EXPECT_TRUE(carried.ok()) << carried.error().ToString();
  return e;
}

TEST(CoseCredential, HostSignatureCoversExactlyTheRendering) {
  Ed25519PrivateKey host = Ed25519PrivateKey::Generate();
  HostVc vc = *HostVc::Issue(SampleClaims(host, X25519PrivateKey::Generate().public_key()), host);
  const Bytes before = vc.message().Encode();
  ASSERT_TRUE(SignVcCose(vc, host).ok());
  ASSERT_TRUE(vc.carried_cose_signature().has_value());
  EXPECT_EQ(BareHostVc(vc), before);  // the COSE signature and claims are untouched
  Result<HostVc> parsed = HostVc::Parse(vc.message().Encode());
  ASSERT_TRUE(parsed.ok()) << parsed.error().ToString();
  Result<CoseSign1> form = HostVcCose(*parsed);
  ASSERT_TRUE(form.ok()) << form.error().ToString();
  EXPECT_EQ(form->payload(), ToBytes(*CanonicalJson(*RenderHostVc(vc))));
  EXPECT_TRUE(form->Verify(host.public_key()).ok());
  EXPECT_EQ(form->protected_headers().Find(kHeaderTyp)->text(), kVcCoseType);
  EXPECT_EQ(form->protected_headers().Find(cose::kHeaderContentType)->text(), kVcContentType);
  EXPECT_EQ(ToString(form->protected_headers().Find(cose::kHeaderKid)->bytes()), vc.issuer().did());
  EXPECT_TRUE(form->unprotected().map().empty());
  EXPECT_EQ(SignVcCose(vc, Ed25519PrivateKey::Generate()).error().code(), Code::kInvalidArgument);
}

TEST(CoseCredential, HostSignatureOverOtherJsonIsRefused) {
  Ed25519PrivateKey host = Ed25519PrivateKey::Generate();
  HostVc vc = IssueSigned(host);
  // The host signs a rendering that claims another domain, and carries it.
  Json lie = *RenderHostVc(vc);
  lie["credentialSubject"]["id"] = "urn:uuid:00000000-0000-4000-8000-000000000000";
  cbor::Value header = cbor::Value::Map({{cose::kHeaderContentType, std::string(kVcContentType)},
                                         {cose::kHeaderKid, cbor::Value(AsBytes(vc.issuer().did()))},
                                         {kHeaderTyp, std::string(kVcCoseType)}});
  CoseSign1 other = *CoseSign1::Sign(header, cbor::Value::Map({}), ToBytes(*CanonicalJson(lie)), host);
  vc.CarryCoseSignature(other.signature());
  EXPECT_EQ(HostVcCose(vc).error().code(), Code::kBadSignature);
  // A validator refuses to countersign it.
  Ed25519PrivateKey validator = Ed25519PrivateKey::Generate();
  Endorsement e = *Endorse(vc, validator, Verdict{true, 1, Bytes(32), Bytes(32)});
  Status s = CarryEndorsementCose(vc, validator, e);
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().code(), Code::kBadSignature);
  EXPECT_FALSE(e.carried_cose_signature.has_value());
  EXPECT_EQ(ExportVcCose(vc).error().code(), Code::kBadSignature);
}

TEST(CoseCredential, EndorsementCountersignsTheVcCoseWithItsCborHeader) {
  Ed25519PrivateKey host = Ed25519PrivateKey::Generate();
  Ed25519PrivateKey validator = Ed25519PrivateKey::Generate();
  HostVc vc = IssueSigned(host);
  Endorsement e = EndorseWithCose(vc, validator);
  ASSERT_TRUE(e.carried_cose_signature.has_value());
  // The host reads it back strictly.
  auto back = VerifyEndorsement(vc, *Countersignature::Parse(e.countersignature.Encode()));
  ASSERT_TRUE(back.ok()) << back.error().ToString();
  EXPECT_EQ(back->carried_cose_signature, e.carried_cose_signature);
  Countersignature cs = *VcCoseCountersignature(back->countersignature, *back->carried_cose_signature);
  EXPECT_TRUE(cs.Verify(*HostVcCose(vc), validator.public_key()).ok());
  // Moved onto another VC's vc+cose, it fails.
  HostVc other = IssueSigned(host);
  EXPECT_EQ(cs.Verify(*HostVcCose(other), validator.public_key()).error().code(), Code::kBadSignature);
  // A VC without a host vc+cose signature is endorsed in CBOR only.
  HostVc plain = *HostVc::Issue(SampleClaims(host, X25519PrivateKey::Generate().public_key()), host);
  Endorsement cbor_only = EndorseWithCose(plain, validator);
  EXPECT_FALSE(cbor_only.carried_cose_signature.has_value());
  EXPECT_TRUE(cbor_only.countersignature.unprotected().map().empty());
}

TEST(CoseCredential, ExportVerifiesRoundTrip) {
  Ed25519PrivateKey host = Ed25519PrivateKey::Generate();
  Ed25519PrivateKey va = Ed25519PrivateKey::Generate(), vb = Ed25519PrivateKey::Generate();
  HostVc vc = IssueSigned(host);
  HostVc sent = *HostVc::Parse(vc.message().Encode());
  for (const auto* key : {&va, &vb}) ASSERT_TRUE(AttachEndorsement(vc, EndorseWithCose(sent, *key)).ok());
  HostVc endorsed = *HostVc::Parse(vc.message().Encode());
  Result<Bytes> exported = ExportVcCose(endorsed);
  ASSERT_TRUE(exported.ok()) << exported.error().ToString();
  Result<CoseCredentialCheck> check = CheckCoseCredential(*exported, kNow);
  ASSERT_TRUE(check.ok()) << check.error().ToString();
  EXPECT_TRUE(check->status.ok()) << check->status.error().ToString();
  EXPECT_EQ(check->issuer, vc.issuer().did());
  ASSERT_EQ(check->countersignatures.size(), 2u);
  EXPECT_EQ(check->countersignatures[0].signer, DidKey::FromPublicKey(va.public_key()).did());
  EXPECT_EQ(check->countersignatures[1].signer, DidKey::FromPublicKey(vb.public_key()).did());
  ASSERT_TRUE(check->host_vc.has_value());
  EXPECT_EQ(check->host_vc->claims(), vc.claims());
  // Export signs nothing: the same bytes every time.
  EXPECT_EQ(*ExportVcCose(endorsed), *exported);
}

TEST(CoseCredential, ExportOfAVcWithoutTheFormIsNotFound) {
  Ed25519PrivateKey host = Ed25519PrivateKey::Generate();
  HostVc plain = *HostVc::Issue(SampleClaims(host, X25519PrivateKey::Generate().public_key()), host);
  EXPECT_EQ(ExportVcCose(plain).error().code(), Code::kNotFound);
}

TEST(CoseCredential, ExportRefusesAnAlteredOrMovedCountersignature) {
  Ed25519PrivateKey host = Ed25519PrivateKey::Generate();
  Ed25519PrivateKey validator = Ed25519PrivateKey::Generate();
  HostVc vc = IssueSigned(host);
  HostVc other = IssueSigned(host);
  // The validator's vc+cose signature on another VC, carried in its
  // (valid) CBOR endorsement of this one.
  Endorsement moved = EndorseWithCose(vc, validator);
  ASSERT_TRUE(moved.countersignature
                  .SetUnprotectedHeader(cbor::Value(kCarriedCoseLabel),
                                        cbor::Value(*EndorseWithCose(other, validator).carried_cose_signature))
                  .ok());
  HostVc a = vc;
  ASSERT_TRUE(AttachEndorsement(a, moved).ok());
  EXPECT_EQ(ExportVcCose(*HostVc::Parse(a.message().Encode())).error().code(), Code::kBadSignature);
  // One bit of it flipped.
  Endorsement altered = EndorseWithCose(vc, validator);
  Bytes sig = *altered.carried_cose_signature;
  sig[5] ^= 1;
  ASSERT_TRUE(altered.countersignature.SetUnprotectedHeader(cbor::Value(kCarriedCoseLabel), cbor::Value(sig)).ok());
  HostVc b = vc;
  ASSERT_TRUE(AttachEndorsement(b, altered).ok());
  EXPECT_EQ(ExportVcCose(*HostVc::Parse(b.message().Encode())).error().code(), Code::kBadSignature);
}

}  // namespace
}  // namespace vouch::w3c
