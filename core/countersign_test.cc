#include "vouch/core/countersign.h"

#include <gtest/gtest.h>
#include <openssl/core_names.h>
#include <openssl/ecdsa.h>
#include <openssl/err.h>

#include <fstream>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "vouch/core/secret_bytes.h"
#include "vouch/core/ssl_ptr.h"

namespace vouch {
namespace {

using cbor::Value;

Bytes Hex(std::string_view h) { return HexDecode(h).value(); }
Value EmptyMap() { return Value::Map({}); }

// The protected header parameters a vouch validator adds (DESIGN §3
// "Endorsement"); only carried here, not interpreted.
Value ValidatorHeaders(std::string_view did, int64_t at) {
  return Value::Map(
      {{Value(4), Value(ToBytes(did))},
       {Value("vouch.verdict"), Value::Map({{Value("ok"), Value(true)},
                                            {Value("at"), Value(at)},
                                            {Value("ledger"), Value(Bytes(32, 0xaa))},
                                            {Value("policy"), Value(Bytes(32, 0xbb))}})}});
}

CoseSign1 HostVc(const Ed25519PrivateKey& host, std::string_view payload = "claims") {
  return CoseSign1::Sign(Value::Map({{Value(3), Value("application/vouch-vc+cbor")},
                                     {Value(4), Value(ToBytes("did:key:host"))}}),
                         EmptyMap(), AsBytes(payload), host)
      .value();
}

// ---- RFC 9338 published example (core/testdata/cose_vectors.json) ----

// ECDSA P-521 / SHA-512 verification of raw r ‖ s (66 + 66 bytes) with
// OpenSSL directly: vouch itself has no P-521, the published example uses it.
bool VerifyEs512(ByteView x, ByteView y, ByteView message, ByteView raw_sig) {
  if (raw_sig.size() != 132) return false;
  Bytes point = Concat({Bytes{0x04}, x, y});
  SslPtr<OSSL_PARAM_BLD> bld(OSSL_PARAM_BLD_new());
  OSSL_PARAM_BLD_push_utf8_string(bld.get(), OSSL_PKEY_PARAM_GROUP_NAME, "P-521", 0);
  OSSL_PARAM_BLD_push_octet_string(bld.get(), OSSL_PKEY_PARAM_PUB_KEY, point.data(), point.size());
  SslPtr<OSSL_PARAM> params(OSSL_PARAM_BLD_to_param(bld.get()));
  SslPtr<EVP_PKEY_CTX> ctx(EVP_PKEY_CTX_new_from_name(nullptr, "EC", nullptr));
  EVP_PKEY* raw_key = nullptr;
  if (!params || !ctx || EVP_PKEY_fromdata_init(ctx.get()) != 1 ||
      EVP_PKEY_fromdata(ctx.get(), &raw_key, EVP_PKEY_PUBLIC_KEY, params.get()) != 1) {
    return false;
  }
  SslPtr<EVP_PKEY> key(raw_key);
  SslPtr<ECDSA_SIG> sig(ECDSA_SIG_new());
  BIGNUM* r = BN_bin2bn(raw_sig.data(), 66, nullptr);
  BIGNUM* s = BN_bin2bn(raw_sig.data() + 66, 66, nullptr);
  if (ECDSA_SIG_set0(sig.get(), r, s) != 1) return false;
  int n = i2d_ECDSA_SIG(sig.get(), nullptr);
  Bytes der(static_cast<size_t>(n));
  uint8_t* p = der.data();
  i2d_ECDSA_SIG(sig.get(), &p);
  SslPtr<EVP_MD_CTX> md(EVP_MD_CTX_new());
  bool ok = EVP_DigestVerifyInit(md.get(), nullptr, EVP_sha512(), nullptr, key.get()) == 1 &&
            EVP_DigestVerify(md.get(), der.data(), der.size(), message.data(), message.size()) == 1;
  ERR_clear_error();
  return ok;
}

struct Rfc9338Example {
  Bytes cbor;
  Bytes sign1_x, sign1_y, cs_x, cs_y;
};

Rfc9338Example LoadRfc9338Example() {
  std::ifstream in(std::string(VOUCH_SOURCE_DIR) + "/core/testdata/cose_vectors.json");
  nlohmann::json doc = nlohmann::json::parse(in);
  const auto& item = doc.at("countersign_v2").at(0);
  auto h = [](const nlohmann::json& j) { return Hex(j.get<std::string>()); };
  return {h(item.at("cbor_hex")), h(item.at("sign1_key").at("x_hex")),
          h(item.at("sign1_key").at("y_hex")), h(item.at("countersigner_key").at("x_hex")),
          h(item.at("countersigner_key").at("y_hex"))};
}

TEST(Countersign, Rfc9338Sign1ExampleVerifiesWithVouchsCountersignStructure) {
  const Rfc9338Example ex = LoadRfc9338Example();
  ASSERT_EQ(ex.cbor.size(), 275u);  // "Size of binary file is 275 bytes"
  auto message = CoseSign1::Parse(ex.cbor);
  ASSERT_TRUE(message.ok()) << message.error().ToString();
  // The countersigned message is still a valid COSE_Sign1 (ES256, key "11").
  auto sign1_key = P256PublicKey::FromCoordinates(ex.sign1_x, ex.sign1_y).value();
  Status s = message->Verify(sign1_key);
  EXPECT_TRUE(s.ok()) << s.error().ToString();
  EXPECT_EQ(message->Encode(), ex.cbor);

  // Label 11 holds a single COSE_Countersignature (not the array form).
  ASSERT_TRUE(message->unprotected().Find(11)->array()[0].is_bytes());
  auto countersignatures = Countersignatures(*message);
  ASSERT_TRUE(countersignatures.ok()) << countersignatures.error().ToString();
  ASSERT_EQ(countersignatures->size(), 1u);
  const Countersignature& cs = (*countersignatures)[0];
  EXPECT_EQ(cs.alg(), -36);  // ES512
  EXPECT_EQ(HexEncode(cs.protected_bytes()), "a1013823");
  EXPECT_EQ(*cs.unprotected().Find(4), Value("bilbo.baggins@hobbiton.example"));

  // The published P-521 countersignature verifies over the
  // Countersign_structure vouch builds: context "CounterSignatureV2",
  // other_fields = [the COSE_Sign1 signature].
  Bytes tbs = cs.ToBeSigned(*message);
  EXPECT_TRUE(VerifyEs512(ex.cs_x, ex.cs_y, tbs, cs.signature()));
  Bytes expected_prefix = cbor::Encode(Value("CounterSignatureV2"));
  EXPECT_TRUE(std::equal(expected_prefix.begin(), expected_prefix.end(), tbs.begin() + 1));
  // Control: the check can fail (another aad, or the V1 context).
  EXPECT_FALSE(
      VerifyEs512(ex.cs_x, ex.cs_y, cs.ToBeSigned(*message, AsBytes("x")), cs.signature()));
  Bytes v1 = cbor::Encode(
      Value(cbor::Array{Value("CounterSignature"), Value(message->protected_bytes()),
                        Value(cs.protected_bytes()), Value(Bytes{}), Value(message->payload())}));
  EXPECT_FALSE(VerifyEs512(ex.cs_x, ex.cs_y, v1, cs.signature()));

  // vouch verifies only EdDSA countersignatures: ES512 is refused as unsupported.
  Status refused = cs.Verify(*message, Ed25519PrivateKey::Generate().public_key());
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().code(), Code::kMalformed);
}

TEST(Countersign, AddingToASingleFormConvertsToArrayFormAndKeepsTheFirst) {
  const Rfc9338Example ex = LoadRfc9338Example();
  CoseSign1 message = CoseSign1::Parse(ex.cbor).value();
  Ed25519PrivateKey validator = Ed25519PrivateKey::Generate();
  Countersignature added =
      Countersign(message, ValidatorHeaders("did:key:v", 1), validator).value();
  ASSERT_TRUE(AddCountersignature(message, added).ok());

  const Value& label11 = *message.unprotected().Find(11);
  ASSERT_EQ(label11.array().size(), 2u);
  EXPECT_TRUE(label11.array()[0].is_array());
  EXPECT_TRUE(label11.array()[1].is_array());

  CoseSign1 reparsed = CoseSign1::Parse(message.Encode()).value();
  auto all = Countersignatures(reparsed).value();
  ASSERT_EQ(all.size(), 2u);
  EXPECT_TRUE(VerifyEs512(ex.cs_x, ex.cs_y, all[0].ToBeSigned(reparsed), all[0].signature()));
  EXPECT_TRUE(all[1].Verify(reparsed, validator.public_key()).ok());
  EXPECT_TRUE(reparsed.Verify(P256PublicKey::FromCoordinates(ex.sign1_x, ex.sign1_y).value()).ok());
}

// ---- Round trips ----

TEST(Countersign, SeveralCountersignaturesEachVerifyWithTheirOwnKeyOnly) {
  Ed25519PrivateKey host = Ed25519PrivateKey::Generate();
  CoseSign1 vc = HostVc(host);
  std::vector<Ed25519PrivateKey> validators;
  for (int i = 0; i < 3; ++i) validators.push_back(Ed25519PrivateKey::Generate());
  for (int i = 0; i < 3; ++i) {
    auto cs = Countersign(vc, ValidatorHeaders(StrCat("did:key:v", i), 1000 + i), validators[i]);
    ASSERT_TRUE(cs.ok()) << cs.error().ToString();
    ASSERT_TRUE(AddCountersignature(vc, *cs).ok());
  }
  // Always the array form, even though the RFC allows the single one.
  const Value& label11 = *vc.unprotected().Find(11);
  ASSERT_EQ(label11.array().size(), 3u);

  auto endorsed = CoseSign1::Parse(vc.Encode());
  ASSERT_TRUE(endorsed.ok()) << endorsed.error().ToString();
  // The endorsed VC still verifies as a plain COSE_Sign1 (label 11 is unprotected).
  EXPECT_TRUE(endorsed->Verify(host.public_key()).ok());
  EXPECT_EQ(endorsed->ToBeSigned(), HostVc(host).ToBeSigned());

  auto all = Countersignatures(*endorsed);
  ASSERT_TRUE(all.ok()) << all.error().ToString();
  ASSERT_EQ(all->size(), 3u);
  for (size_t i = 0; i < 3; ++i) {
    const Countersignature& cs = (*all)[i];
    EXPECT_EQ(*cs.protected_headers().Find(4), Value(ToBytes(StrCat("did:key:v", i))));
    EXPECT_EQ(*cs.protected_headers().Find("vouch.verdict"),
              *ValidatorHeaders("", 1000 + static_cast<int64_t>(i)).Find("vouch.verdict"));
    EXPECT_EQ(cs.alg(), cose::kAlgEdDSA);
    EXPECT_TRUE(cs.unprotected().map().empty());
    for (size_t k = 0; k < 3; ++k) {
      Status s = cs.Verify(*endorsed, validators[k].public_key());
      if (k == i) {
        EXPECT_TRUE(s.ok()) << s.error().ToString();
      } else {
        ASSERT_FALSE(s.ok());
        EXPECT_EQ(s.error().code(), Code::kBadSignature);
      }
    }
    EXPECT_EQ(cs.Verify(*endorsed, host.public_key()).error().code(), Code::kBadSignature);
  }
}

TEST(Countersign, StandaloneCountersignatureEncodesAndParses) {
  Ed25519PrivateKey host = Ed25519PrivateKey::Generate();
  Ed25519PrivateKey validator = Ed25519PrivateKey::Generate();
  CoseSign1 vc = HostVc(host);
  Countersignature cs = Countersign(vc, ValidatorHeaders("did:key:v", 5), validator).value();
  Bytes encoded = cs.Encode();
  EXPECT_EQ(encoded[0], 0x83);  // [protected, unprotected, signature]
  auto parsed = Countersignature::Parse(encoded);
  ASSERT_TRUE(parsed.ok()) << parsed.error().ToString();
  EXPECT_EQ(parsed->Encode(), encoded);
  EXPECT_TRUE(parsed->Verify(vc, validator.public_key()).ok());
  EXPECT_EQ(Countersignature::Parse(Hex("8340a040")).error().code(), Code::kMalformed);
  EXPECT_EQ(Countersignature::Parse(Hex("83")).error().code(), Code::kMalformed);
}

TEST(Countersign, CountersignatureMovedToAnotherMessageFails) {
  Ed25519PrivateKey host = Ed25519PrivateKey::Generate();
  Ed25519PrivateKey validator = Ed25519PrivateKey::Generate();
  CoseSign1 vc = HostVc(host, "claims A");
  Countersignature cs = Countersign(vc, ValidatorHeaders("did:key:v", 1), validator).value();
  ASSERT_TRUE(cs.Verify(vc, validator.public_key()).ok());

  // Another payload.
  EXPECT_EQ(cs.Verify(HostVc(host, "claims B"), validator.public_key()).error().code(),
            Code::kBadSignature);
  // Same payload and headers, another host key: only the signature differs.
  CoseSign1 other_host = HostVc(Ed25519PrivateKey::Generate(), "claims A");
  ASSERT_EQ(other_host.protected_bytes().size(), vc.protected_bytes().size());
  ASSERT_EQ(other_host.payload(), vc.payload());
  EXPECT_EQ(cs.Verify(other_host, validator.public_key()).error().code(), Code::kBadSignature);

  // ES256 signs the same content twice with different signatures: a
  // countersignature of one does not hold for the other (other_fields).
  P256PrivateKey p = P256PrivateKey::Generate();
  CoseSign1 first = CoseSign1::Sign(EmptyMap(), EmptyMap(), AsBytes("same"), p).value();
  CoseSign1 second = CoseSign1::Sign(EmptyMap(), EmptyMap(), AsBytes("same"), p).value();
  ASSERT_EQ(first.ToBeSigned(), second.ToBeSigned());
  ASSERT_NE(first.signature(), second.signature());
  Countersignature on_first = Countersign(first, EmptyMap(), validator).value();
  EXPECT_TRUE(on_first.Verify(first, validator.public_key()).ok());
  EXPECT_EQ(on_first.Verify(second, validator.public_key()).error().code(), Code::kBadSignature);

  // Moved inside an endorsed message: placed on the other message's label 11.
  ASSERT_TRUE(AddCountersignature(other_host, cs).ok());
  CoseSign1 moved = CoseSign1::Parse(other_host.Encode()).value();
  auto found = Countersignatures(moved).value();
  ASSERT_EQ(found.size(), 1u);
  EXPECT_EQ(found[0].Verify(moved, validator.public_key()).error().code(), Code::kBadSignature);
}

TEST(Countersign, ExternalAadIsBound) {
  Ed25519PrivateKey host = Ed25519PrivateKey::Generate();
  Ed25519PrivateKey validator = Ed25519PrivateKey::Generate();
  CoseSign1 vc = HostVc(host);
  Countersignature cs = Countersign(vc, EmptyMap(), validator, AsBytes("aad")).value();
  EXPECT_TRUE(cs.Verify(vc, validator.public_key(), AsBytes("aad")).ok());
  EXPECT_EQ(cs.Verify(vc, validator.public_key()).error().code(), Code::kBadSignature);
}

TEST(Countersign, NoLabel11MeansNoCountersignatures) {
  CoseSign1 vc = HostVc(Ed25519PrivateKey::Generate());
  auto all = Countersignatures(vc);
  ASSERT_TRUE(all.ok());
  EXPECT_TRUE(all->empty());
}

TEST(Countersign, SingleFormIsRead) {
  Ed25519PrivateKey host = Ed25519PrivateKey::Generate();
  Ed25519PrivateKey validator = Ed25519PrivateKey::Generate();
  CoseSign1 vc = HostVc(host);
  Countersignature cs = Countersign(vc, ValidatorHeaders("did:key:v", 1), validator).value();
  Bytes single = cbor::Encode(Value::Tag(
      18, Value(cbor::Array{Value(vc.protected_bytes()), Value::Map({{Value(11), cs.ToValue()}}),
                            Value(vc.payload()), Value(vc.signature())})));
  CoseSign1 parsed = CoseSign1::Parse(single).value();
  auto all = Countersignatures(parsed);
  ASSERT_TRUE(all.ok()) << all.error().ToString();
  ASSERT_EQ(all->size(), 1u);
  EXPECT_TRUE((*all)[0].Verify(parsed, validator.public_key()).ok());
  EXPECT_TRUE(parsed.Verify(host.public_key()).ok());
}

TEST(Countersign, MalformedLabel11IsRefusedWithReason) {
  Ed25519PrivateKey host = Ed25519PrivateKey::Generate();
  CoseSign1 vc = HostVc(host);
  const Value good = Countersign(vc, EmptyMap(), Ed25519PrivateKey::Generate()).value().ToValue();
  const Value prot(cbor::Encode(Value::Map({{Value(1), Value(-8)}})));
  struct Case {
    const char* name;
    Value label11;
    const char* reason;
  };
  const Case cases[] = {
      {"bytes", Value(Bytes{1}),
       "countersignatures (unprotected label 11) must be an array, got a byte string"},
      {"empty array", Value(cbor::Array{}), "is an empty array"},
      {"array of ints", Value(cbor::Array{Value(1)}),
       "got an array starting with an unsigned integer"},
      {"two-element countersignature",
       Value(cbor::Array{good, Value(cbor::Array{prot, EmptyMap()})}),
       "countersignature 1: COSE_Countersignature: expected a 3-element array"},
      {"tagged countersignature", Value(cbor::Array{Value::Tag(19, good)}),
       "got an array starting with a tagged item"},
      {"tagged second countersignature", Value(cbor::Array{good, Value::Tag(19, good)}),
       "countersignature 1: COSE_Countersignature: expected a 3-element array [protected, unprotected, signature], got a tagged item"},
      {"no alg",
       Value(cbor::Array{Value(cbor::Array{Value(Bytes{}), EmptyMap(), Value(Bytes(64, 0))})}),
       "countersignature 0: COSE_Countersignature: protected header has no alg (label 1)"},
      {"crit",
       Value(cbor::Array{Value(cbor::Array{
           Value(cbor::Encode(
               Value::Map({{Value(1), Value(-8)}, {Value(2), Value(cbor::Array{Value(4)})}}))),
           EmptyMap(), Value(Bytes(64, 0))})}),
       "COSE_Countersignature: protected header marks parameters critical"},
      {"alg unprotected",
       Value(cbor::Array{
           Value(cbor::Array{prot, Value::Map({{Value(1), Value(-8)}}), Value(Bytes(64, 0))})}),
       "COSE_Countersignature: alg (label 1) must be in the protected header"},
      {"signature not bytes",
       Value(cbor::Array{Value(cbor::Array{prot, EmptyMap(), Value("sig")})}),
       "COSE_Countersignature: signature must be a byte string, got a text string"},
      {"unprotected not a map", Value(cbor::Array{prot, Value(cbor::Array{}), Value(Bytes(64, 0))}),
       "COSE_Countersignature: unprotected header must be a map, got an array"},
  };
  for (const Case& c : cases) {
    Bytes encoded = cbor::Encode(Value::Tag(
        18, Value(cbor::Array{Value(vc.protected_bytes()), Value::Map({{Value(11), c.label11}}),
                              Value(vc.payload()), Value(vc.signature())})));
    auto message = CoseSign1::Parse(encoded);
    ASSERT_TRUE(message.ok()) << c.name << ": " << message.error().ToString();
    EXPECT_TRUE(message->Verify(host.public_key()).ok()) << c.name;
    auto all = Countersignatures(*message);
    ASSERT_FALSE(all.ok()) << c.name;
    EXPECT_EQ(all.error().code(), Code::kMalformed) << c.name;
    EXPECT_NE(all.error().message().find(c.reason), std::string::npos)
        << c.name << ": " << all.error().message();
  }
  // AddCountersignature does not build on a label 11 it cannot read.
  CoseSign1 bad =
      CoseSign1::Parse(cbor::Encode(Value::Tag(
                           18, Value(cbor::Array{Value(vc.protected_bytes()),
                                                 Value::Map({{Value(11), Value(7)}}),
                                                 Value(vc.payload()), Value(vc.signature())}))))
          .value();
  Countersignature cs = Countersign(bad, EmptyMap(), Ed25519PrivateKey::Generate()).value();
  Status s = AddCountersignature(bad, cs);
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().code(), Code::kMalformed);
}

TEST(Countersign, AlgOtherThanEdDsaIsRefused) {
  Ed25519PrivateKey host = Ed25519PrivateKey::Generate();
  Ed25519PrivateKey validator = Ed25519PrivateKey::Generate();
  CoseSign1 vc = HostVc(host);
  Countersignature good = Countersign(vc, EmptyMap(), validator).value();
  // The same signature relabelled ES256.
  auto relabelled = Countersignature::FromValue(
      Value(cbor::Array{Value(cbor::Encode(Value::Map({{Value(1), Value(-7)}}))), EmptyMap(),
                        Value(good.signature())}));
  ASSERT_TRUE(relabelled.ok());
  Status s = relabelled->Verify(vc, validator.public_key());
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().code(), Code::kBadSignature);
  EXPECT_EQ(s.error().message(),
            "COSE_Countersignature: protected alg is ES256 (-7) but the key is for EdDSA (-8)");
}

TEST(Countersign, CountersignRefusesHeadersItMustControl) {
  CoseSign1 vc = HostVc(Ed25519PrivateKey::Generate());
  Ed25519PrivateKey validator = Ed25519PrivateKey::Generate();
  EXPECT_EQ(Countersign(vc, Value::Map({{Value(1), Value(-8)}}), validator).error().code(),
            Code::kInvalidArgument);
  EXPECT_EQ(
      Countersign(vc, Value::Map({{Value(2), Value(cbor::Array{})}}), validator).error().code(),
      Code::kInvalidArgument);
  EXPECT_EQ(Countersign(vc, Value(cbor::Array{}), validator).error().code(),
            Code::kInvalidArgument);
}

// ---- Negative sweeps over an endorsed VC ----

struct Endorsed {
  Bytes encoded;
  std::vector<Ed25519PublicKey> validators;
  Ed25519PublicKey host;
};

Endorsed MakeEndorsed() {
  Ed25519PrivateKey host = Ed25519PrivateKey::Generate();
  CoseSign1 vc = HostVc(host, "payload");
  std::vector<Ed25519PublicKey> keys;
  for (int i = 0; i < 2; ++i) {
    Ed25519PrivateKey v = Ed25519PrivateKey::Generate();
    EXPECT_TRUE(AddCountersignature(vc, Countersign(vc, ValidatorHeaders("v", i), v).value()).ok());
    keys.push_back(v.public_key());
  }
  return {vc.Encode(), keys, host.public_key()};
}

// True if `encoded` is a COSE_Sign1 by `e.host` with exactly e.validators'
// countersignatures, in order, all valid.
bool FullyValid(ByteView encoded, const Endorsed& e) {
  auto m = CoseSign1::Parse(encoded);
  if (!m.ok() || !m->Verify(e.host).ok()) return false;
  auto all = Countersignatures(*m);
  if (!all.ok() || all->size() != e.validators.size()) return false;
  for (size_t i = 0; i < all->size(); ++i) {
    if (!(*all)[i].Verify(*m, e.validators[i]).ok()) return false;
  }
  return true;
}

TEST(Countersign, FlippingAnyBitOfAnEndorsedVcIsDetected) {
  const Endorsed e = MakeEndorsed();
  ASSERT_TRUE(FullyValid(e.encoded, e));
  for (size_t i = 0; i < e.encoded.size() * 8; ++i) {
    Bytes m = e.encoded;
    m[i / 8] ^= static_cast<uint8_t>(1u << (i % 8));
    EXPECT_FALSE(FullyValid(m, e)) << "bit " << i;
  }
}

TEST(Countersign, TruncatingAnEndorsedVcAtEveryLengthIsMalformed) {
  const Endorsed e = MakeEndorsed();
  for (size_t len = 0; len < e.encoded.size(); ++len) {
    auto parsed = CoseSign1::Parse(ByteView(e.encoded.data(), len));
    ASSERT_FALSE(parsed.ok()) << "length " << len;
    EXPECT_EQ(parsed.error().code(), Code::kMalformed);
  }
}

}  // namespace
}  // namespace vouch
