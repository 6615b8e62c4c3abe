#include "vouch/core/did_key.h"

#include <gtest/gtest.h>

#include <initializer_list>
#include <nlohmann/json.hpp>
#include <string>

#include "vouch/core/base58.h"
#include "vouch/core/random.h"

namespace vouch {
namespace {

// The did:key spec's Ed25519 vectors; source noted in the file.
nlohmann::json LoadVectors() {
  std::string path = std::string(VOUCH_SOURCE_DIR) + "/core/testdata/did_key_vectors.json";
  Result<Bytes> text = ReadFile(path);
  EXPECT_TRUE(text.ok()) << path;
  return nlohmann::json::parse(ToString(*text));
}

constexpr std::string_view kDid0 = "did:key:z6MkiTBz1ymuepAQ4HEHYSF1H8quG5GLVVQR3djdX3mDooWp";

// "did:key:z" + base58btc(bytes): a syntactically fine did:key around any bytes.
std::string DidOfBytes(const Bytes& bytes) { return "did:key:z" + Base58Encode(bytes); }

Bytes Key32(uint8_t fill) { return Bytes(32, fill); }

// Parse(did) must fail with kMalformed and a message holding every needle.
std::string ExpectRefused(std::string_view did, std::initializer_list<std::string_view> needles) {
  Result<DidKey> r = DidKey::Parse(did);
  if (r.ok()) {
    ADD_FAILURE() << "accepted '" << did << "'";
    return "";
  }
  EXPECT_EQ(r.error().code(), Code::kMalformed) << r.error().ToString();
  for (std::string_view n : needles) {
    EXPECT_NE(r.error().message().find(n), std::string::npos)
        << "message '" << r.error().message() << "' lacks '" << n << "'";
  }
  return r.error().message();
}

TEST(DidKey, ParsesSpecVectorsToThePublishedKeyBytes) {
  nlohmann::json v = LoadVectors();
  ASSERT_EQ(v["ed25519"].size(), 5u);
  for (const auto& t : v["ed25519"]) {
    std::string did = t["did"];
    Result<DidKey> parsed = DidKey::Parse(did);
    ASSERT_TRUE(parsed.ok()) << did << ": " << parsed.error().ToString();
    EXPECT_EQ(parsed->did(), did);
    EXPECT_EQ(HexEncode(parsed->public_key().raw()), t["public_key_hex"].get<std::string>()) << did;
    EXPECT_EQ(parsed->public_key().raw(), Base58Decode(t["publicKeyBase58"].get<std::string>()).value())
        << did;
  }
}

TEST(DidKey, EncodesSpecKeysToThePublishedDids) {
  const nlohmann::json v = LoadVectors();  // keep alive: the loop borrows from it
  ASSERT_EQ(v["ed25519"].size(), 5u);
  for (const auto& t : v["ed25519"]) {
    Bytes raw = HexDecode(t["public_key_hex"].get<std::string>()).value();
    Result<Ed25519PublicKey> key = Ed25519PublicKey::FromRaw(raw);
    ASSERT_TRUE(key.ok());
    EXPECT_EQ(DidKey::FromPublicKey(*key).did(), t["did"].get<std::string>());
  }
}

TEST(DidKey, SpecSeedsDeriveTheirDids) {
  const nlohmann::json v = LoadVectors();
  ASSERT_EQ(v["ed25519"].size(), 5u);
  for (const auto& t : v["ed25519"]) {
    SecretBytes seed = SecretBytes::Adopt(HexDecode(t["seed"].get<std::string>()).value());
    Result<Ed25519PrivateKey> key = Ed25519PrivateKey::FromSeed(seed);
    ASSERT_TRUE(key.ok());
    EXPECT_EQ(DidKey::FromPublicKey(key->public_key()).did(), t["did"].get<std::string>());
  }
}

TEST(DidKey, RefusesSpecDidsOfOtherKeyTypesNamingTheMulticodec) {
  nlohmann::json v = LoadVectors();
  ASSERT_EQ(v["foreign"].size(), 6u);
  for (const auto& t : v["foreign"]) {
    std::string code = t["multicodec"], name = t["name"];
    ExpectRefused(t["did"].get<std::string>(),
                  {StrCat("uses multicodec ", code, " (", name, ")"),
                   "vouch accepts only ed25519-pub (0xed, varint bytes ed 01)"});
  }
}

TEST(DidKey, GeneratedKeysRoundTrip) {
  for (int i = 0; i < 64; ++i) {
    Ed25519PrivateKey key = Ed25519PrivateKey::Generate();
    DidKey did = DidKey::FromPublicKey(key.public_key());
    EXPECT_EQ(did.did().size(), 56u);
    EXPECT_TRUE(did.did().starts_with("did:key:z6Mk")) << did.did();
    Result<DidKey> parsed = DidKey::Parse(did.did());
    ASSERT_TRUE(parsed.ok()) << did.did() << ": " << parsed.error().ToString();
    EXPECT_EQ(parsed->public_key(), key.public_key());
    EXPECT_EQ(*parsed, did);
    Bytes msg = RandomBytes(32);
    EXPECT_TRUE(parsed->public_key().Verify(msg, key.Sign(msg)).ok());
  }
}

TEST(DidKey, AnyThirtyTwoByteKeyRoundTrips) {
  // Extremes of the key bytes: the base58 text keeps its 47-character length.
  for (uint8_t fill : {0x00, 0x01, 0x7f, 0x80, 0xff}) {
    std::string did = DidOfBytes(Concat({Bytes{0xed, 0x01}, Key32(fill)}));
    Result<DidKey> parsed = DidKey::Parse(did);
    ASSERT_TRUE(parsed.ok()) << did << ": " << parsed.error().ToString();
    EXPECT_EQ(parsed->public_key().raw(), Key32(fill));
    EXPECT_EQ(did.size(), 56u);
  }
}

TEST(DidKey, RefusesTextThatIsNotADidKey) {
  ExpectRefused("", {"is not a DID", "\"did:key:\""});
  ExpectRefused(kDid0.substr(8), {"is not a DID"});
  ExpectRefused("DID:KEY:z6MkiTBz1ymuepAQ4HEHYSF1H8quG5GLVVQR3djdX3mDooWp", {"is not a DID"});
  ExpectRefused("did:web:example.com", {"uses method 'web'", "accepts only did:key"});
  ExpectRefused("did:KEY:z6Mk", {"uses method 'KEY'"});
  ExpectRefused("did:", {"uses method ''"});
  ExpectRefused(" did:key:z6Mk", {"is not a DID"});
}

TEST(DidKey, RefusesEmptyIdentifier) {
  ExpectRefused("did:key:", {"identifier after \"did:key:\" is empty"});
}

TEST(DidKey, RefusesOtherMultibasePrefixes) {
  ExpectRefused("did:key:u7QGJhbm", {"expected multibase prefix 'z' (base58btc), got 'u' (base64url)"});
  ExpectRefused("did:key:f ed01", {"got 'f' (base16)"});
  ExpectRefused("did:key:Z6MkiTBz1ymuepAQ4HEHYSF1H8quG5GLVVQR3djdX3mDooWp", {"got 'Z'"});
  ExpectRefused("did:key:6MkiTBz1ymuepAQ4HEHYSF1H8quG5GLVVQR3djdX3mDooWp", {"got '6'"});
  ExpectRefused("did:key:1:z6Mk", {"got '1' (bare base58btc"});
}

TEST(DidKey, RefusesDidUrlsNamingTheOffset) {
  std::string did(kDid0);
  std::string id = did.substr(8);
  ExpectRefused(did + "#" + id, {"unexpected '#' at offset 56", "not a DID URL"});
  ExpectRefused(did + "#", {"'#' at offset 56"});
  ExpectRefused(did + "?service=x", {"'?' at offset 56"});
  ExpectRefused(did + "/path", {"'/' at offset 56"});
  ExpectRefused("did:key:#z6Mk", {"'#' at offset 8"});
}

TEST(DidKey, RefusesTrailingOrEmbeddedNonBase58Characters) {
  std::string did(kDid0);
  ExpectRefused(did + "\n", {"'\\x0a' at offset 56 is not a base58btc character"});
  ExpectRefused(did + " ", {"' ' at offset 56"});
  ExpectRefused(did + ":1", {"':' at offset 56"});
  std::string zero = did;
  zero[20] = '0';
  ExpectRefused(zero, {"'0' at offset 20 is not a base58btc character"});
  std::string ell = did;
  ell[55] = 'l';
  ExpectRefused(ell, {"'l' at offset 55"});
  ExpectRefused(std::string(did).insert(30, 1, '\0'), {"'\\x00' at offset 30"});
}

TEST(DidKey, RefusesOverlongInputBeforeDecoding) {
  std::string did = "did:key:z" + std::string(kBase58MaxDecodeLength, '2');
  ExpectRefused(did, {"multicodec"});  // decodes, but is no key
  ExpectRefused(did + "2", {"266 characters is longer than any did:key vouch decodes (265"});
  ExpectRefused("did:key:z" + std::string(1 << 20, 'z'), {"longer than any did:key"});
}

TEST(DidKey, RefusesIncompleteMulticodecVarint) {
  ExpectRefused("did:key:z", {"the 0 decoded bytes do not start with a complete multicodec varint"});
  ExpectRefused(DidOfBytes({0xed}), {"the 1 decoded bytes"});
  ExpectRefused(DidOfBytes(Bytes(12, 0xff)), {"complete multicodec varint"});
}

TEST(DidKey, RefusesOtherMulticodecsNamingThem) {
  ExpectRefused(DidOfBytes(Concat({Bytes{0xec, 0x01}, Key32(9)})),
                {"uses multicodec 0xec (x25519-pub); vouch accepts only ed25519-pub (0xed, varint bytes ed 01)"});
  ExpectRefused(DidOfBytes(Concat({Bytes{0x80, 0x24}, Bytes(33, 2)})), {"uses multicodec 0x1200 (p256-pub)"});
  ExpectRefused(DidOfBytes(Concat({Bytes{0xe7, 0x01}, Bytes(33, 2)})), {"0xe7 (secp256k1-pub)"});
  ExpectRefused(DidOfBytes(Concat({Bytes{0xee, 0xfa, 0x03}, Key32(9)})), {"0xfd6e"});
}

TEST(DidKey, UnknownMulticodecSuggestsADamagedDid) {
  ExpectRefused(DidOfBytes(Concat({Bytes{0x00, 0xed, 0x01}, Key32(9)})),
                {"does not decode to a key multicodec (got 0x00)", "has 56 characters", "this one has 57"});
  // One character short: the whole number shifts, the multicodec is garbage.
  ExpectRefused(kDid0.substr(0, 55), {"does not decode to a key multicodec", "this one has 55"});
}

TEST(DidKey, RefusesPrivateKeyMulticodecWithoutRepeatingTheDid) {
  // 0x1300 ed25519-priv, varint 80 26: the DID text would be a secret.
  std::string did = DidOfBytes(Concat({Bytes{0x80, 0x26}, Key32(0x42)}));
  std::string msg = ExpectRefused(did, {"0x1300 (ed25519-priv), a PRIVATE key", "accepts only ed25519-pub"});
  EXPECT_EQ(msg.find(did.substr(9, 6)), std::string::npos) << msg;
  EXPECT_EQ(msg.find("did:key:z"), std::string::npos) << msg;
}

TEST(DidKey, RefusesNonMinimalVarintForEd25519) {
  // ed 81 00 also decodes to 0xed; only ed 01 is canonical.
  ExpectRefused(DidOfBytes(Concat({Bytes{0xed, 0x81, 0x00}, Key32(9)})),
                {"ed25519-pub is encoded in 3 bytes, expected the minimal varint ed 01"});
}

TEST(DidKey, RefusesWrongKeyLength) {
  ExpectRefused(DidOfBytes({0xed, 0x01}), {"ed25519-pub key is 0 bytes, expected 32"});
  ExpectRefused(DidOfBytes(Concat({Bytes{0xed, 0x01}, Bytes(31, 7)})), {"key is 31 bytes, expected 32"});
  ExpectRefused(DidOfBytes(Concat({Bytes{0xed, 0x01}, Bytes(33, 7)})), {"key is 33 bytes, expected 32"});
  ExpectRefused(DidOfBytes(Concat({Bytes{0xed, 0x01}, Bytes(64, 7)})), {"key is 64 bytes, expected 32"});
}

TEST(DidKey, QuotesOnlyTheStartOfARefusedDid) {
  std::string msg = ExpectRefused(DidOfBytes(Concat({Bytes{0x80, 0x24}, Bytes(33, 2)})), {"..."});
  EXPECT_LT(msg.size(), 160u) << msg;
}

TEST(DidKey, EveryOneCharacterChangeIsRefusedOrNamesAnotherKey) {
  const DidKey original = DidKey::Parse(kDid0).value();
  size_t refused = 0, other = 0;
  for (size_t i = 9; i < kDid0.size(); ++i) {
    for (char c : kBase58Alphabet) {
      if (c == kDid0[i]) continue;
      std::string did(kDid0);
      did[i] = c;
      Result<DidKey> r = DidKey::Parse(did);
      if (!r.ok()) {
        ++refused;
        continue;
      }
      ++other;
      EXPECT_NE(r->public_key().raw(), original.public_key().raw()) << did;
      EXPECT_EQ(r->did(), did);
    }
  }
  EXPECT_EQ(refused + other, 47u * 57u);
  EXPECT_GT(refused, 0u);  // changes near the front break the multicodec
  EXPECT_GT(other, 0u);
}

TEST(DidKey, EveryTruncationIsRefused) {
  for (size_t n = 0; n < kDid0.size(); ++n) {
    EXPECT_FALSE(DidKey::Parse(kDid0.substr(0, n)).ok()) << n;
  }
  for (char c : kBase58Alphabet) EXPECT_FALSE(DidKey::Parse(std::string(kDid0) + c).ok()) << c;
}

}  // namespace
}  // namespace vouch
