#include "vouch/w3c/cose_credential_check.h"

#include <gtest/gtest.h>

#include "testing/sample_claims.h"
#include "vouch/core/countersign.h"
#include "vouch/core/did_key.h"
#include "vouch/core/endorsement.h"
#include "vouch/core/hpke.h"
#include "vouch/core/jcs.h"
#include "vouch/w3c/cose_credential.h"
#include "vouch/w3c/date_time.h"
#include "vouch/w3c/host_credential.h"

namespace vouch::w3c {
namespace {

using Json = nlohmann::json;
using vouch::testing::SampleClaims;

constexpr int64_t kNow = 1764000010;  // within SampleClaims' iat..exp

struct Exported {
  Ed25519PrivateKey host = Ed25519PrivateKey::Generate();
  Ed25519PrivateKey validator = Ed25519PrivateKey::Generate();
  HostVc vc = *HostVc::Issue(SampleClaims(host, X25519PrivateKey::Generate().public_key()), host);
  Bytes encoded;

  Exported() {
    EXPECT_TRUE(SignVcCose(vc, host).ok());
    Endorsement e = *Endorse(vc, validator, Verdict{true, vc.claims().issued_at + 1, Bytes(32), Bytes(32)});
    EXPECT_TRUE(CarryEndorsementCose(vc, validator, e).ok());
    EXPECT_TRUE(AttachEndorsement(vc, e).ok());
    encoded = *ExportVcCose(vc);
  }
  cbor::Value Decoded() const { return *cbor::Decode(encoded); }
};

// The four fields of an encoded COSE_Sign1, to alter one.
cbor::Array FieldsOf(const cbor::Value& sign1) { return sign1.tagged().array(); }
Bytes Rebuild(cbor::Array fields) { return cbor::Encode(cbor::Value::Tag(cose::kTagSign1, cbor::Value(std::move(fields)))); }

Status StatusOf(ByteView encoded, int64_t now = kNow) {
  Result<CoseCredentialCheck> check = CheckCoseCredential(encoded, now);
  if (!check.ok()) return check.error();
  return check->status;
}

void ExpectRefused(ByteView encoded, Code code, const std::string& what, int64_t now = kNow) {
  Status s = StatusOf(encoded, now);
  ASSERT_FALSE(s.ok()) << what;
  EXPECT_EQ(s.error().code(), code) << what << ": " << s.error().ToString();
}

cbor::Value VcCoseHeader(const std::string& did) {
  return cbor::Value::Map({{cose::kHeaderContentType, std::string(kVcContentType)},
                           {cose::kHeaderKid, cbor::Value(AsBytes(did))},
                           {kHeaderTyp, std::string(kVcCoseType)}});
}

TEST(CoseCredentialCheck, ExportedHostCredentialVerifies) {
  Exported x;
  Result<CoseCredentialCheck> check = CheckCoseCredential(x.encoded, kNow);
  ASSERT_TRUE(check.ok()) << check.error().ToString();
  EXPECT_TRUE(check->status.ok()) << check->status.error().ToString();
  EXPECT_TRUE(check->signature.status.ok());
  EXPECT_EQ(check->id, CredentialIdOfCti(x.vc.claims().cti));
  ASSERT_EQ(check->countersignatures.size(), 1u);
  EXPECT_TRUE(check->countersignatures[0].status.ok());
}

TEST(CoseCredentialCheck, AlteredPayloadFailsTheHostSignature) {
  Exported x;
  cbor::Array f = FieldsOf(x.Decoded());
  std::string text = ToString(f[2].bytes());
  const size_t at = text.find("\"attestation\":\"launch\"");
  ASSERT_NE(at, std::string::npos);
  text.replace(at, 22, "\"attestation\":\"lunch!\"");
  f[2] = cbor::Value(ToBytes(text));
  ExpectRefused(Rebuild(f), Code::kBadSignature, "altered payload");
}

TEST(CoseCredentialCheck, AlteredHeaderIsRefused) {
  Exported x;
  // typ changed: not a vc+cose.
  {
    cbor::Array f = FieldsOf(x.Decoded());
    cbor::MapEntries h = cbor::Decode(f[0].bytes())->map();
    for (auto& [label, value] : h) {
      if (label == cbor::Value(kHeaderTyp)) value = cbor::Value("application/vc+jwt");
    }
    f[0] = cbor::Value(cbor::Encode(cbor::Value::Map(std::move(h))));
    ExpectRefused(Rebuild(f), Code::kMalformed, "typ");
  }
  // An extra protected header: the host's signature no longer covers it.
  {
    cbor::Array f = FieldsOf(x.Decoded());
    cbor::MapEntries h = cbor::Decode(f[0].bytes())->map();
    h.emplace_back(cbor::Value("vouch.x"), cbor::Value(1));
    f[0] = cbor::Value(cbor::Encode(cbor::Value::Map(std::move(h))));
    ExpectRefused(Rebuild(f), Code::kBadSignature, "extra protected header");
  }
  // A kid naming another DID than the issuer.
  {
    cbor::Array f = FieldsOf(x.Decoded());
    f[0] = cbor::Value(cbor::Encode(cbor::Value::Map(
        {{cose::kHeaderAlg, cose::kAlgEdDSA},
         {cose::kHeaderContentType, std::string(kVcContentType)},
         {cose::kHeaderKid, cbor::Value(AsBytes(DidKey::FromPublicKey(x.validator.public_key()).did()))},
         {kHeaderTyp, std::string(kVcCoseType)}})));
    ExpectRefused(Rebuild(f), Code::kMalformed, "kid of another DID");
  }
  // An unprotected label vouch does not read.
  {
    cbor::Array f = FieldsOf(x.Decoded());
    cbor::MapEntries u = f[1].map();
    u.emplace_back(cbor::Value("vouch.x"), cbor::Value(1));
    f[1] = cbor::Value::Map(std::move(u));
    ExpectRefused(Rebuild(f), Code::kMalformed, "unknown unprotected label");
  }
}

TEST(CoseCredentialCheck, ContentTypeAndKidTakeTheirSpecForms) {
  Ed25519PrivateKey issuer = Ed25519PrivateKey::Generate();
  const std::string did = DidKey::FromPublicKey(issuer.public_key()).did();
  const Bytes payload = ToBytes(Json({{"@context", {kCredentialsContextV2}},
                                      {"type", {"VerifiableCredential"}},
                                      {"issuer", did},
                                      {"credentialSubject", {{"id", "urn:example:1"}}}})
                                    .dump());
  auto signed_with = [&](cbor::MapEntries header) {
    header.emplace_back(kHeaderTyp, std::string(kVcCoseType));
    return CoseSign1::Sign(cbor::Value::Map(std::move(header)), cbor::Value::Map({}), payload, issuer)->Encode();
  };
  // No content type, no kid: the issuer's key still decides.
  EXPECT_TRUE(StatusOf(signed_with({})).ok());
  // A kid that is the issuer's DID URL, as text.
  const std::string url = StrCat(did, "#", did.substr(std::string("did:key:").size()));
  EXPECT_TRUE(StatusOf(signed_with({{cose::kHeaderKid, url}})).ok());
  ExpectRefused(signed_with({{cose::kHeaderContentType, std::string("application/json")}}), Code::kMalformed,
                "another content type");
  ExpectRefused(signed_with({{cose::kHeaderKid, 7}}), Code::kMalformed, "a kid that is neither bstr nor tstr");
}

TEST(CoseCredentialCheck, ACountersignatureWithoutADidKeyKidFails) {
  Exported x;
  CoseSign1 msg = *CoseSign1::Parse(x.encoded);
  Countersignature anonymous = *Countersign(msg, cbor::Value::Map({}), Ed25519PrivateKey::Generate());
  ASSERT_TRUE(AddCountersignature(msg, anonymous).ok());
  Result<CoseCredentialCheck> check = CheckCoseCredential(msg.Encode(), kNow);
  ASSERT_TRUE(check.ok()) << check.error().ToString();
  ASSERT_EQ(check->countersignatures.size(), 2u);
  EXPECT_TRUE(check->countersignatures[0].status.ok());
  EXPECT_EQ(check->countersignatures[1].status.error().code(), Code::kMalformed);
  EXPECT_EQ(check->status.error().code(), Code::kMalformed);
}

TEST(CoseCredentialCheck, AlteredHostSignatureFails) {
  Exported x;
  cbor::Array f = FieldsOf(x.Decoded());
  Bytes sig = f[3].bytes();
  sig[0] ^= 1;
  f[3] = cbor::Value(sig);
  Result<CoseCredentialCheck> check = CheckCoseCredential(Rebuild(f), kNow);
  ASSERT_TRUE(check.ok());
  EXPECT_EQ(check->signature.status.error().code(), Code::kBadSignature);
  EXPECT_EQ(check->status.error().code(), Code::kBadSignature);
  // Countersignatures cover the host's signature too.
  EXPECT_EQ(check->countersignatures[0].status.error().code(), Code::kBadSignature);
}

TEST(CoseCredentialCheck, AlteredOrMovedCountersignatureFails) {
  Exported x;
  {
    cbor::Array f = FieldsOf(x.Decoded());
    cbor::Array cs = f[1].Find(cose::kHeaderCountersignatureV2)->array()[0].array();
    Bytes sig = cs[2].bytes();
    sig[63] ^= 1;
    cs[2] = cbor::Value(sig);
    f[1] = cbor::Value::Map({{cose::kHeaderCountersignatureV2, cbor::Value(cbor::Array{cbor::Value(cs)})}});
    ExpectRefused(Rebuild(f), Code::kBadSignature, "altered countersignature");
  }
  {
    Exported y;  // another credential's countersignature, moved here
    cbor::Array f = FieldsOf(x.Decoded());
    f[1] = FieldsOf(y.Decoded())[1];
    ExpectRefused(Rebuild(f), Code::kBadSignature, "moved countersignature");
  }
}

TEST(CoseCredentialCheck, HostCredentialPayloadMustBeTheRenderingOfItsEmbeddedVc) {
  Exported x;
  const std::string did = x.vc.issuer().did();
  // Signed by the host, but claiming another domain than its CBOR VC.
  Json lie = *RenderHostVc(x.vc);
  lie["credentialSubject"]["id"] = "urn:uuid:00000000-0000-4000-8000-000000000000";
  Bytes signed_lie = CoseSign1::Sign(VcCoseHeader(did), cbor::Value::Map({}), ToBytes(*CanonicalJson(lie)), x.host)
                         ->Encode();
  ExpectRefused(signed_lie, Code::kMalformed, "JSON other than the rendering");
  // The rendering, but not in JCS.
  Bytes pretty = CoseSign1::Sign(VcCoseHeader(did), cbor::Value::Map({}), ToBytes(RenderHostVc(x.vc)->dump(1)), x.host)
                     ->Encode();
  ExpectRefused(pretty, Code::kMalformed, "not JCS");
}

TEST(CoseCredentialCheck, ValidityWindow) {
  Exported x;
  ExpectRefused(x.encoded, Code::kInvalidArgument, "before validFrom", x.vc.claims().issued_at - 1);
  ExpectRefused(x.encoded, Code::kInvalidArgument, "after validUntil", x.vc.claims().expires_at + 1);
}

TEST(CoseCredentialCheck, AnyDidKeyIssuersCredentialVerifies) {
  Ed25519PrivateKey issuer = Ed25519PrivateKey::Generate();
  const std::string did = DidKey::FromPublicKey(issuer.public_key()).did();
  Json vc = {{"@context", {kCredentialsContextV2}},
             {"type", {"VerifiableCredential"}},
             {"issuer", did},
             {"validFrom", "2025-01-01T00:00:00Z"},
             {"credentialSubject", {{"id", "urn:example:1"}}}};
  Bytes signed_vc =
      CoseSign1::Sign(VcCoseHeader(did), cbor::Value::Map({}), ToBytes(vc.dump()), issuer)->Encode();
  Status s = StatusOf(signed_vc);
  EXPECT_TRUE(s.ok()) << s.error().ToString();
  // Signed by another key than the issuer's.
  Bytes forged = CoseSign1::Sign(cbor::Value::Map({{cose::kHeaderContentType, std::string(kVcContentType)},
                                                  {kHeaderTyp, std::string(kVcCoseType)}}),
                                 cbor::Value::Map({}), ToBytes(vc.dump()), Ed25519PrivateKey::Generate())
                     ->Encode();
  ExpectRefused(forged, Code::kBadSignature, "not the issuer's key");
  // Not a VC 2.0 credential.
  Json v1 = vc;
  v1["@context"] = {"https://www.w3.org/2018/credentials/v1"};
  Bytes old = CoseSign1::Sign(VcCoseHeader(did), cbor::Value::Map({}), ToBytes(v1.dump()), issuer)->Encode();
  ExpectRefused(old, Code::kMalformed, "VC 1.1 context");
  ExpectRefused(Bytes{0xa0}, Code::kMalformed, "not a COSE_Sign1");
}

}  // namespace
}  // namespace vouch::w3c
