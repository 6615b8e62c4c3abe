#include "vouch/core/base58.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <string>

#include "vouch/core/random.h"

namespace vouch {
namespace {

// Bitcoin Core's published base58 vectors, byte-identical copy of
// bitcoin/bitcoin src/test/data/base58_encode_decode.json: [hex, base58] pairs.
nlohmann::json LoadBitcoinVectors() {
  std::string path = std::string(VOUCH_SOURCE_DIR) + "/core/testdata/base58_encode_decode.json";
  Result<Bytes> text = ReadFile(path);
  EXPECT_TRUE(text.ok()) << path;
  return nlohmann::json::parse(ToString(*text));
}

void ExpectMalformed(std::string_view text, std::string_view needle) {
  Result<Bytes> r = Base58Decode(text);
  ASSERT_FALSE(r.ok()) << "accepted '" << text << "'";
  EXPECT_EQ(r.error().code(), Code::kMalformed);
  EXPECT_NE(r.error().message().find(needle), std::string::npos)
      << "message '" << r.error().message() << "' lacks '" << needle << "'";
}

TEST(Base58, EncodesBitcoinVectors) {
  nlohmann::json vectors = LoadBitcoinVectors();
  ASSERT_EQ(vectors.size(), 21u);
  for (const auto& v : vectors) {
    Bytes data = HexDecode(v[0].get<std::string>()).value();
    EXPECT_EQ(Base58Encode(data), v[1].get<std::string>()) << v[0];
  }
}

TEST(Base58, DecodesBitcoinVectorsWithinTheLengthBound) {
  size_t decoded = 0, too_long = 0;
  for (const auto& v : LoadBitcoinVectors()) {
    std::string text = v[1].get<std::string>();
    Result<Bytes> r = Base58Decode(text);
    if (text.size() > kBase58MaxDecodeLength) {
      // The 256-byte vector (348 characters) is past vouch's bound on purpose.
      ASSERT_FALSE(r.ok()) << text;
      EXPECT_NE(r.error().message().find("at most 256 characters, got 348"), std::string::npos)
          << r.error().message();
      ++too_long;
      continue;
    }
    ASSERT_TRUE(r.ok()) << text << ": " << r.error().ToString();
    EXPECT_EQ(*r, HexDecode(v[0].get<std::string>()).value()) << text;
    ++decoded;
  }
  EXPECT_EQ(decoded, 20u);
  EXPECT_EQ(too_long, 1u);
}

TEST(Base58, LeadingZeroBytesAreLeadingOnes) {
  EXPECT_EQ(Base58Encode(Bytes{0}), "1");
  EXPECT_EQ(Base58Encode(Bytes{0, 0, 0}), "111");
  EXPECT_EQ(Base58Encode(Bytes{0, 0, 57}), "11z");
  EXPECT_EQ(Base58Encode(Bytes{0, 0, 58}), "1121");
  EXPECT_EQ(Base58Decode("111").value(), (Bytes{0, 0, 0}));
  EXPECT_EQ(Base58Decode("1121").value(), (Bytes{0, 0, 58}));
  EXPECT_EQ(Base58Decode("").value(), Bytes{});
}

TEST(Base58, AlphabetHasExactlyFiftyEightCharacters) {
  std::string seen;
  for (int c = 0; c < 256; ++c) {
    if (IsBase58Char(static_cast<char>(c))) seen.push_back(static_cast<char>(c));
  }
  EXPECT_EQ(seen, kBase58Alphabet);
  for (char c : std::string_view("0OIl+/=-_ ")) EXPECT_FALSE(IsBase58Char(c)) << c;
}

TEST(Base58, RefusesEachCharacterOutsideTheAlphabetNamingItAndItsOffset) {
  ExpectMalformed("0", "character '0' at offset 0");
  ExpectMalformed("abcO", "character 'O' at offset 3");
  ExpectMalformed("2I", "character 'I' at offset 1");
  ExpectMalformed("11l", "character 'l' at offset 2");
  ExpectMalformed("a+b", "character '+' at offset 1");
  ExpectMalformed(" a3gV", "byte 0x20 at offset 0");
  ExpectMalformed("a3gV\n", "byte 0x0a at offset 4");
  ExpectMalformed(std::string_view("a3\0gV", 5), "byte 0x00 at offset 2");
  ExpectMalformed("a3\xc3\xa9", "byte 0xc3 at offset 2");
  ExpectMalformed("a'", "byte 0x27 at offset 1");
  // Every byte outside the alphabet, at the front and after a valid prefix.
  for (int c = 0; c < 256; ++c) {
    char ch = static_cast<char>(c);
    if (IsBase58Char(ch)) continue;
    EXPECT_FALSE(Base58Decode(std::string(1, ch)).ok()) << c;
    EXPECT_FALSE(Base58Decode("zzzz" + std::string(1, ch) + "zz").ok()) << c;
  }
}

TEST(Base58, BoundsDecodeLength) {
  std::string at_limit(kBase58MaxDecodeLength, 'z');
  Result<Bytes> ok = Base58Decode(at_limit);
  ASSERT_TRUE(ok.ok()) << ok.error().ToString();
  EXPECT_EQ(Base58Encode(*ok), at_limit);
  ExpectMalformed(at_limit + "z", "expected at most 256 characters, got 257");
  ExpectMalformed(std::string(100000, '1'), "got 100000");
}

TEST(Base58, RandomBytesRoundTrip) {
  for (size_t n = 0; n <= 150; ++n) {
    for (size_t zeros : {size_t{0}, size_t{1}, size_t{5}}) {
      if (zeros > n) continue;
      Bytes data = RandomBytes(n);
      for (size_t i = 0; i < zeros; ++i) data[i] = 0;
      std::string text = Base58Encode(data);
      for (char c : text) ASSERT_TRUE(IsBase58Char(c));
      Result<Bytes> back = Base58Decode(text);
      ASSERT_TRUE(back.ok()) << back.error().ToString();
      EXPECT_EQ(*back, data) << text;
    }
  }
}

TEST(Base58, EveryValidTextIsTheEncodingOfItsDecoding) {
  // Base58 has no padding or case freedom: decoding then encoding returns
  // the same text, so a DID has exactly one spelling.
  for (int i = 0; i < 200; ++i) {
    Bytes pick = RandomBytes(1 + i % 60);
    std::string text;
    for (uint8_t b : pick) text.push_back(kBase58Alphabet[b % 58]);
    Result<Bytes> bytes = Base58Decode(text);
    ASSERT_TRUE(bytes.ok());
    EXPECT_EQ(Base58Encode(*bytes), text);
  }
}

}  // namespace
}  // namespace vouch
