#include "vouch/core/cose_sign1.h"

#include <gtest/gtest.h>

#include <cctype>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "vouch/core/secret_bytes.h"

namespace vouch {
namespace {

using cbor::Value;

Bytes Hex(std::string_view h) { return HexDecode(h).value(); }

Value EmptyMap() { return Value::Map({}); }

Ed25519PrivateKey KeyFromSeedHex(std::string_view seed_hex) {
  return Ed25519PrivateKey::FromSeed(SecretBytes::Adopt(Hex(seed_hex))).value();
}

// Encodes tag(fields) without going through CoseSign1, to build hostile input.
Bytes RawMessage(uint64_t tag, cbor::Array fields) {
  return cbor::Encode(Value::Tag(tag, Value(std::move(fields))));
}

// ---- Published vectors (core/testdata/cose_vectors.json, cose-wg/Examples) ----

struct Sign1Vector {
  std::string id, expect, comment;
  nlohmann::json key;
  Bytes external, tobesign, cbor;
};

std::vector<Sign1Vector> LoadSign1Vectors() {
  std::ifstream in(std::string(VOUCH_SOURCE_DIR) + "/core/testdata/cose_vectors.json");
  nlohmann::json doc = nlohmann::json::parse(in);
  std::vector<Sign1Vector> out;
  for (const auto& item : doc.at("sign1")) {
    out.push_back({item.at("id"), item.at("expect"), item.at("comment"), item.at("key"),
                   Hex(item.at("external_hex").get<std::string>()),
                   Hex(item.at("tobesign_hex").get<std::string>()),
                   Hex(item.at("cbor_hex").get<std::string>())});
  }
  return out;
}

// Verifies `message` with the vector's key (either kind).
Status VerifyWithVectorKey(const CoseSign1& message, const Sign1Vector& v) {
  if (v.key.at("kty") == "OKP") {
    auto key = Ed25519PublicKey::FromRaw(Hex(v.key.at("x_hex").get<std::string>())).value();
    return message.Verify(key, v.external);
  }
  auto key = P256PublicKey::FromCoordinates(Hex(v.key.at("x_hex").get<std::string>()),
                                            Hex(v.key.at("y_hex").get<std::string>()))
                 .value();
  return message.Verify(key, v.external);
}

class PublishedSign1 : public testing::TestWithParam<Sign1Vector> {};

TEST_P(PublishedSign1, VerdictMatchesExpectation) {
  const Sign1Vector& v = GetParam();
  SCOPED_TRACE(v.id + ": " + v.comment);
  auto parsed = CoseSign1::Parse(v.cbor);
  if (v.expect == "ok") {
    ASSERT_TRUE(parsed.ok()) << parsed.error().ToString();
    // vouch's Sig_structure is exactly the published ToBeSign.
    EXPECT_EQ(HexEncode(parsed->ToBeSigned(v.external)), HexEncode(v.tobesign));
    EXPECT_EQ(
        HexEncode(cose::Sign1ToBeSigned(parsed->protected_bytes(), v.external, parsed->payload())),
        HexEncode(v.tobesign));
    Status s = VerifyWithVectorKey(*parsed, v);
    EXPECT_TRUE(s.ok()) << s.error().ToString();
    EXPECT_EQ(parsed->Encode(), v.cbor);
    // Without the external aad the same message fails.
    if (!v.external.empty()) {
      Sign1Vector no_aad = v;
      no_aad.external.clear();
      EXPECT_EQ(VerifyWithVectorKey(*parsed, no_aad).error().code(), Code::kBadSignature);
    }
  } else if (v.expect == "bad-signature") {
    ASSERT_TRUE(parsed.ok()) << parsed.error().ToString();
    Status s = VerifyWithVectorKey(*parsed, v);
    ASSERT_FALSE(s.ok());
    EXPECT_EQ(s.error().code(), Code::kBadSignature) << s.error().ToString();
  } else {
    ASSERT_EQ(v.expect, "malformed");
    if (parsed.ok()) {
      Status s = VerifyWithVectorKey(*parsed, v);
      ASSERT_FALSE(s.ok());
      EXPECT_EQ(s.error().code(), Code::kMalformed) << s.error().ToString();
    } else {
      EXPECT_EQ(parsed.error().code(), Code::kMalformed) << parsed.error().ToString();
    }
  }
}

INSTANTIATE_TEST_SUITE_P(CoseWgExamples, PublishedSign1, testing::ValuesIn(LoadSign1Vectors()),
                         [](const testing::TestParamInfo<Sign1Vector>& info) {
                           std::string name;
                           for (char c : info.param.id)
                             name += std::isalnum(static_cast<unsigned char>(c)) ? c : '_';
                           return name;
                         });

TEST(CoseSign1, PublishedToBeSignMatchesForEveryVectorThatParses) {
  // The published intermediates hold for every vector whose signature was
  // made over the message as published (all but the tampered ones).
  int checked = 0;
  for (const Sign1Vector& v : LoadSign1Vectors()) {
    if (v.expect != "ok") continue;
    auto parsed = CoseSign1::Parse(v.cbor);
    ASSERT_TRUE(parsed.ok()) << v.id;
    // The published signature verifies over the published ToBeSign bytes.
    if (v.key.at("kty") == "OKP") {
      auto key = Ed25519PublicKey::FromRaw(Hex(v.key.at("x_hex").get<std::string>())).value();
      EXPECT_TRUE(key.Verify(v.tobesign, parsed->signature()).ok()) << v.id;
    } else {
      auto key = P256PublicKey::FromCoordinates(Hex(v.key.at("x_hex").get<std::string>()),
                                                Hex(v.key.at("y_hex").get<std::string>()))
                     .value();
      EXPECT_TRUE(key.Verify(v.tobesign, parsed->signature()).ok()) << v.id;
    }
    ++checked;
  }
  EXPECT_EQ(checked, 4);
}

TEST(CoseSign1, SignReproducesPublishedEdDsaExampleByteForByte) {
  // cose-wg/Examples eddsa-examples/eddsa-sig-01.json: Ed25519 is
  // deterministic, so vouch must produce the published message exactly.
  const Sign1Vector* v = nullptr;
  auto vectors = LoadSign1Vectors();
  for (const auto& item : vectors) {
    if (item.id == "eddsa-examples/eddsa-sig-01.json") v = &item;
  }
  ASSERT_NE(v, nullptr);
  Ed25519PrivateKey key = KeyFromSeedHex(v->key.at("d_hex").get<std::string>());
  EXPECT_EQ(HexEncode(key.public_key().raw()), v->key.at("x_hex").get<std::string>());
  auto message = CoseSign1::Sign(Value::Map({{Value(3), Value(0)}}),
                                 Value::Map({{Value(4), Value(ToBytes("11"))}}),
                                 AsBytes("This is the content."), key);
  ASSERT_TRUE(message.ok()) << message.error().ToString();
  EXPECT_EQ(HexEncode(message->ToBeSigned()), HexEncode(v->tobesign));
  EXPECT_EQ(HexEncode(message->Encode()), HexEncode(v->cbor));
}

// ---- Round trips ----

TEST(CoseSign1, Ed25519SignParseVerifyRoundTrip) {
  Ed25519PrivateKey key = Ed25519PrivateKey::Generate();
  Value protected_extra = Value::Map(
      {{Value(3), Value("application/vouch-vc+cbor")}, {Value(4), Value(ToBytes("did:key:z6Mk"))}});
  Value unprotected = Value::Map({{Value("note"), Value("hello")}});
  auto signed_message =
      CoseSign1::Sign(protected_extra, unprotected, AsBytes("payload bytes"), key);
  ASSERT_TRUE(signed_message.ok()) << signed_message.error().ToString();
  Bytes encoded = signed_message->Encode();
  EXPECT_EQ(encoded[0], 0xd2);  // tag 18

  auto parsed = CoseSign1::Parse(encoded);
  ASSERT_TRUE(parsed.ok()) << parsed.error().ToString();
  EXPECT_TRUE(parsed->Verify(key.public_key()).ok());
  EXPECT_EQ(parsed->alg(), cose::kAlgEdDSA);
  EXPECT_EQ(*parsed->protected_headers().Find(1), Value(-8));
  EXPECT_EQ(*parsed->protected_headers().Find(3), Value("application/vouch-vc+cbor"));
  EXPECT_EQ(parsed->unprotected(), unprotected);
  EXPECT_EQ(ToString(parsed->payload()), "payload bytes");
  EXPECT_EQ(parsed->signature().size(), kEd25519SignatureSize);
  EXPECT_EQ(parsed->Encode(), encoded);
  EXPECT_EQ(cbor::Decode(parsed->protected_bytes()).value(), parsed->protected_headers());
}

TEST(CoseSign1, Es256SignParseVerifyRoundTrip) {
  P256PrivateKey key = P256PrivateKey::Generate();
  auto signed_message = CoseSign1::Sign(Value::Map({{Value(3), Value(0)}}), EmptyMap(),
                                        AsBytes("es256 payload"), key);
  ASSERT_TRUE(signed_message.ok()) << signed_message.error().ToString();
  auto parsed = CoseSign1::Parse(signed_message->Encode());
  ASSERT_TRUE(parsed.ok()) << parsed.error().ToString();
  EXPECT_EQ(parsed->alg(), cose::kAlgES256);
  EXPECT_EQ(parsed->signature().size(), kP256SignatureSize);
  Status s = parsed->Verify(key.public_key());
  EXPECT_TRUE(s.ok()) << s.error().ToString();
}

TEST(CoseSign1, EmptyPayloadAndHeadersRoundTrip) {
  Ed25519PrivateKey key = Ed25519PrivateKey::Generate();
  auto m = CoseSign1::Sign(EmptyMap(), EmptyMap(), {}, key);
  ASSERT_TRUE(m.ok());
  auto parsed = CoseSign1::Parse(m->Encode());
  ASSERT_TRUE(parsed.ok()) << parsed.error().ToString();
  EXPECT_TRUE(parsed->payload().empty());
  EXPECT_TRUE(parsed->Verify(key.public_key()).ok());
}

TEST(CoseSign1, ExternalAadIsBound) {
  Ed25519PrivateKey ed = Ed25519PrivateKey::Generate();
  P256PrivateKey p = P256PrivateKey::Generate();
  Bytes aad = ToBytes("policy digest");
  auto m1 = CoseSign1::Sign(EmptyMap(), EmptyMap(), AsBytes("x"), ed, aad).value();
  auto m2 = CoseSign1::Sign(EmptyMap(), EmptyMap(), AsBytes("x"), p, aad).value();
  EXPECT_TRUE(m1.Verify(ed.public_key(), aad).ok());
  EXPECT_TRUE(m2.Verify(p.public_key(), aad).ok());
  EXPECT_EQ(m1.Verify(ed.public_key()).error().code(), Code::kBadSignature);
  EXPECT_EQ(m2.Verify(p.public_key(), AsBytes("other")).error().code(), Code::kBadSignature);
}

// ---- Refusals ----

TEST(CoseSign1, WrongKeyIsRefused) {
  Ed25519PrivateKey ed = Ed25519PrivateKey::Generate();
  P256PrivateKey p = P256PrivateKey::Generate();
  auto m1 = CoseSign1::Sign(EmptyMap(), EmptyMap(), AsBytes("x"), ed).value();
  auto m2 = CoseSign1::Sign(EmptyMap(), EmptyMap(), AsBytes("x"), p).value();
  Status s1 = m1.Verify(Ed25519PrivateKey::Generate().public_key());
  ASSERT_FALSE(s1.ok());
  EXPECT_EQ(s1.error().code(), Code::kBadSignature);
  EXPECT_NE(s1.error().message().find("does not verify"), std::string::npos);
  Status s2 = m2.Verify(P256PrivateKey::Generate().public_key());
  ASSERT_FALSE(s2.ok());
  EXPECT_EQ(s2.error().code(), Code::kBadSignature);
}

TEST(CoseSign1, AlgOfAnotherKeyTypeIsRefused) {
  Ed25519PrivateKey ed = Ed25519PrivateKey::Generate();
  P256PrivateKey p = P256PrivateKey::Generate();
  auto eddsa = CoseSign1::Sign(EmptyMap(), EmptyMap(), AsBytes("x"), ed).value();
  auto es256 = CoseSign1::Sign(EmptyMap(), EmptyMap(), AsBytes("x"), p).value();
  Status s1 = eddsa.Verify(p.public_key());
  ASSERT_FALSE(s1.ok());
  EXPECT_EQ(s1.error().code(), Code::kBadSignature);
  EXPECT_EQ(s1.error().message(),
            "COSE_Sign1: protected alg is EdDSA (-8) but the key is for ES256 (-7)");
  Status s2 = es256.Verify(ed.public_key());
  ASSERT_FALSE(s2.ok());
  EXPECT_EQ(s2.error().code(), Code::kBadSignature);
  EXPECT_EQ(s2.error().message(),
            "COSE_Sign1: protected alg is ES256 (-7) but the key is for EdDSA (-8)");
}

TEST(CoseSign1, AlgSwappedInProtectedHeaderIsRefused) {
  // An EdDSA signature relabelled ES256 (and the reverse) fails: alg is
  // covered by the signature and must match the key.
  Ed25519PrivateKey ed = Ed25519PrivateKey::Generate();
  auto m = CoseSign1::Sign(EmptyMap(), EmptyMap(), AsBytes("x"), ed).value();
  Bytes relabelled = RawMessage(18, {Value(cbor::Encode(Value::Map({{Value(1), Value(-7)}}))),
                                     EmptyMap(), Value(m.payload()), Value(m.signature())});
  auto parsed = CoseSign1::Parse(relabelled);
  ASSERT_TRUE(parsed.ok());
  EXPECT_EQ(parsed->Verify(ed.public_key()).error().code(), Code::kBadSignature);
}

TEST(CoseSign1, FlippingAnyBitIsRefused) {
  // Headers in this message are all protected (unprotected is empty), so
  // no bit of the encoding can change without Parse or Verify failing.
  Ed25519PrivateKey ed = Ed25519PrivateKey::Generate();
  P256PrivateKey p = P256PrivateKey::Generate();
  Value extra = Value::Map(
      {{Value(3), Value("application/vouch-vc+cbor")}, {Value(4), Value(ToBytes("did"))}});
  Bytes payload =
      cbor::Encode(Value::Map({{Value(1), Value("iss")}, {Value(6), Value(1700000000)}}));
  const Bytes eddsa = CoseSign1::Sign(extra, EmptyMap(), payload, ed).value().Encode();
  const Bytes es256 = CoseSign1::Sign(extra, EmptyMap(), payload, p).value().Encode();
  int refused = 0;
  for (size_t i = 0; i < eddsa.size() * 8; ++i) {
    Bytes m = eddsa;
    m[i / 8] ^= static_cast<uint8_t>(1u << (i % 8));
    auto parsed = CoseSign1::Parse(m);
    EXPECT_TRUE(!parsed.ok() || !parsed->Verify(ed.public_key()).ok()) << "EdDSA bit " << i;
    ++refused;
  }
  for (size_t i = 0; i < es256.size() * 8; ++i) {
    Bytes m = es256;
    m[i / 8] ^= static_cast<uint8_t>(1u << (i % 8));
    auto parsed = CoseSign1::Parse(m);
    EXPECT_TRUE(!parsed.ok() || !parsed->Verify(p.public_key()).ok()) << "ES256 bit " << i;
    ++refused;
  }
  EXPECT_EQ(refused, static_cast<int>((eddsa.size() + es256.size()) * 8));
}

TEST(CoseSign1, TruncationAtEveryLengthIsMalformed) {
  Ed25519PrivateKey ed = Ed25519PrivateKey::Generate();
  const Bytes m = CoseSign1::Sign(Value::Map({{Value(3), Value(0)}}),
                                  Value::Map({{Value(4), Value(ToBytes("11"))}}),
                                  AsBytes("This is the content."), ed)
                      .value()
                      .Encode();
  for (size_t len = 0; len < m.size(); ++len) {
    auto parsed = CoseSign1::Parse(ByteView(m.data(), len));
    ASSERT_FALSE(parsed.ok()) << "length " << len;
    EXPECT_EQ(parsed.error().code(), Code::kMalformed);
  }
  Bytes longer = m;
  longer.push_back(0x00);
  auto parsed = CoseSign1::Parse(longer);
  ASSERT_FALSE(parsed.ok());
  EXPECT_EQ(parsed.error().code(), Code::kMalformed);
}

struct MalformedCase {
  const char* name;
  Bytes encoded;
  const char* reason;  // expected substring of the message
};

std::vector<MalformedCase> MalformedCases() {
  const Value prot(cbor::Encode(Value::Map({{Value(1), Value(-8)}})));
  const Value payload(ToBytes("p"));
  const Value sig(Bytes(64, 0x11));
  auto with_protected = [&](const Value& protected_map) {
    return RawMessage(18, {Value(cbor::Encode(protected_map)), EmptyMap(), payload, sig});
  };
  auto with_protected_bytes = [&](Bytes bytes) {
    return RawMessage(18, {Value(std::move(bytes)), EmptyMap(), payload, sig});
  };
  auto with_unprotected = [&](Value unprotected) {
    return RawMessage(18, {prot, std::move(unprotected), payload, sig});
  };
  std::vector<MalformedCase> cases = {
      {"untagged", cbor::Encode(Value(cbor::Array{prot, EmptyMap(), payload, sig})),
       "expected CBOR tag 18, got an untagged array"},
      {"wrong tag", RawMessage(98, {prot, EmptyMap(), payload, sig}),
       "expected CBOR tag 18, got tag 98"},
      {"not an array", cbor::Encode(Value::Tag(18, EmptyMap())), "in tag 18, got a map"},
      {"three elements", RawMessage(18, {prot, EmptyMap(), payload}), "got 3 elements"},
      {"five elements", RawMessage(18, {prot, EmptyMap(), payload, sig, sig}), "got 5 elements"},
      {"protected is a map",
       RawMessage(18, {Value::Map({{Value(1), Value(-8)}}), EmptyMap(), payload, sig}),
       "protected header must be a byte string, got a map"},
      {"protected not deterministic (unsorted keys)",
       with_protected_bytes(Hex("a203000127")),  // {3: 0, 1: -8}
       "protected header is not a deterministically encoded CBOR map"},
      {"protected not deterministic (long integer)", with_protected_bytes(Hex("a1013807")),
       "protected header is not a deterministically encoded CBOR map"},
      {"protected truncated", with_protected_bytes(Hex("a201")),
       "protected header is not a deterministically encoded CBOR map"},
      {"protected encodes an array", with_protected(Value(cbor::Array{Value(1), Value(-8)})),
       "protected header must encode a map, got an array"},
      {"protected empty", with_protected_bytes({}), "protected header has no alg (label 1)"},
      {"protected empty map", with_protected(EmptyMap()), "protected header has no alg (label 1)"},
      {"alg is text", with_protected(Value::Map({{Value(1), Value("EdDSA")}})),
       "protected alg (label 1) must be an integer, got a text string"},
      {"crit present",
       with_protected(
           Value::Map({{Value(1), Value(-8)}, {Value(2), Value(cbor::Array{Value(3)})}})),
       "marks parameters critical (crit, label 2: [3]); vouch understands no critical header"},
      {"crit unprotected", with_unprotected(Value::Map({{Value(2), Value(cbor::Array{Value(4)})}})),
       "unprotected header holds crit (label 2)"},
      {"alg unprotected", with_unprotected(Value::Map({{Value(1), Value(-8)}})),
       "alg (label 1) must be in the protected header, found it unprotected"},
      {"label in both headers",
       RawMessage(18, {Value(cbor::Encode(
                           Value::Map({{Value(1), Value(-8)}, {Value(4), Value(ToBytes("a"))}}))),
                       Value::Map({{Value(4), Value(ToBytes("b"))}}), payload, sig}),
       "header label 4 is in both the protected and the unprotected header"},
      {"byte-string label",
       with_protected(Value::Map({{Value(1), Value(-8)}, {Value(ToBytes("k")), Value(1)}})),
       "protected header label h'6b' is neither an integer nor a text string"},
      {"unprotected not a map", with_unprotected(Value(cbor::Array{})),
       "unprotected header must be a map, got an array"},
      {"unprotected bool label", with_unprotected(Value::Map({{Value(true), Value(1)}})),
       "unprotected header label true is neither an integer nor a text string"},
      {"detached payload", RawMessage(18, {prot, EmptyMap(), Value::Null(), sig}),
       "payload must be a byte string, got null (detached payloads are not supported)"},
      {"text payload", RawMessage(18, {prot, EmptyMap(), Value("p"), sig}),
       "payload must be a byte string, got a text string"},
      {"signature not bytes", RawMessage(18, {prot, EmptyMap(), payload, Value(cbor::Array{})}),
       "signature must be a byte string, got an array"},
      // Outer encoding not deterministic: unprotected map {4: h'', 3: 0}.
      {"unsorted unprotected map",
       Concat({Hex("d28443a10127a204400300"), Hex("4170"), Hex("5840"), Bytes(64, 0x11)}),
       "COSE_Sign1: "},
      {"trailing byte", Concat({RawMessage(18, {prot, EmptyMap(), payload, sig}), Hex("00")}),
       "COSE_Sign1: "},
      {"empty input", Bytes{}, "COSE_Sign1: "},
  };
  return cases;
}

TEST(CoseSign1, EachMalformedShapeIsRefusedWithItsOwnReason) {
  for (const MalformedCase& c : MalformedCases()) {
    auto parsed = CoseSign1::Parse(c.encoded);
    ASSERT_FALSE(parsed.ok()) << c.name;
    EXPECT_EQ(parsed.error().code(), Code::kMalformed) << c.name;
    EXPECT_NE(parsed.error().message().find(c.reason), std::string::npos)
        << c.name << ": " << parsed.error().message();
    EXPECT_EQ(parsed.error().message().rfind("COSE_Sign1: ", 0), 0u) << c.name;
  }
}

TEST(CoseSign1, UnsupportedAlgParsesButVerifyRefusesIt) {
  Bytes m = RawMessage(18, {Value(cbor::Encode(Value::Map({{Value(1), Value(-36)}}))), EmptyMap(),
                            Value(ToBytes("p")), Value(Bytes(132, 0))});
  auto parsed = CoseSign1::Parse(m);
  ASSERT_TRUE(parsed.ok()) << parsed.error().ToString();
  EXPECT_EQ(parsed->alg(), -36);
  Status s = parsed->Verify(Ed25519PrivateKey::Generate().public_key());
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().code(), Code::kMalformed);
  EXPECT_EQ(
      s.error().message(),
      "COSE_Sign1: protected alg -36 is not supported (vouch verifies EdDSA (-8) and ES256 (-7))");
}

TEST(CoseSign1, ParseHonoursDecodeLimits) {
  Ed25519PrivateKey ed = Ed25519PrivateKey::Generate();
  Bytes m = CoseSign1::Sign(EmptyMap(), EmptyMap(), Bytes(4096, 0xab), ed).value().Encode();
  cbor::DecodeLimits limits;
  limits.max_input_size = 1024;
  auto parsed = CoseSign1::Parse(m, limits);
  ASSERT_FALSE(parsed.ok());
  EXPECT_EQ(parsed.error().code(), Code::kMalformed);
  EXPECT_TRUE(CoseSign1::Parse(m).ok());
}

TEST(CoseSign1, SignRefusesHeadersItMustControl) {
  Ed25519PrivateKey ed = Ed25519PrivateKey::Generate();
  P256PrivateKey p = P256PrivateKey::Generate();
  struct Case {
    const char* name;
    Value protected_extra, unprotected;
  };
  const Case cases[] = {
      {"alg in protected_extra", Value::Map({{Value(1), Value(-7)}}), EmptyMap()},
      {"crit in protected_extra", Value::Map({{Value(2), Value(cbor::Array{Value(3)})}}),
       EmptyMap()},
      {"protected_extra not a map", Value(cbor::Array{}), EmptyMap()},
      {"float label", Value::Map({{Value::Float(1.5), Value(1)}}), EmptyMap()},
      {"unprotected not a map", EmptyMap(), Value("x")},
      {"alg unprotected", EmptyMap(), Value::Map({{Value(1), Value(-8)}})},
      {"crit unprotected", EmptyMap(), Value::Map({{Value(2), Value(cbor::Array{})}})},
      {"countersignature label", EmptyMap(), Value::Map({{Value(11), Value(cbor::Array{})}})},
      {"label in both", Value::Map({{Value(4), Value(ToBytes("a"))}}),
       Value::Map({{Value(4), Value(ToBytes("a"))}})},
  };
  for (const Case& c : cases) {
    auto r1 = CoseSign1::Sign(c.protected_extra, c.unprotected, AsBytes("x"), ed);
    ASSERT_FALSE(r1.ok()) << c.name;
    EXPECT_EQ(r1.error().code(), Code::kInvalidArgument) << c.name << ": " << r1.error().message();
    auto r2 = CoseSign1::Sign(c.protected_extra, c.unprotected, AsBytes("x"), p);
    ASSERT_FALSE(r2.ok()) << c.name;
    EXPECT_EQ(r2.error().code(), Code::kInvalidArgument) << c.name;
  }
}

TEST(CoseSign1, TextLabelsAreCarried) {
  Ed25519PrivateKey ed = Ed25519PrivateKey::Generate();
  Value verdict = Value::Map({{Value("ok"), Value(true)}, {Value("at"), Value(1700000000)}});
  auto m =
      CoseSign1::Sign(Value::Map({{Value("vouch.verdict"), verdict}}), EmptyMap(), AsBytes("x"), ed)
          .value();
  auto parsed = CoseSign1::Parse(m.Encode()).value();
  ASSERT_NE(parsed.protected_headers().Find("vouch.verdict"), nullptr);
  EXPECT_EQ(*parsed.protected_headers().Find("vouch.verdict"), verdict);
  EXPECT_TRUE(parsed.Verify(ed.public_key()).ok());
}

}  // namespace
}  // namespace vouch
