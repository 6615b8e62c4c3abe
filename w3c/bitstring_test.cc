#include "vouch/w3c/bitstring.h"

#include <gtest/gtest.h>

namespace vouch::w3c {
namespace {

// Bitstring Status List v1.0, the encodedList of its examples: 131,072 bits,
// none set.
constexpr const char* kSpecEmptyList = "uH4sIAAAAAAAAA-3BMQEAAADCoPVPbQwfoAAAAAAAAAAAAAAAAAAAAIC3AYbSVKsAQAAA";

TEST(Bitstring, DecodesTheSpecsExample) {
  Result<Bytes> bits = DecodeBitstring(kSpecEmptyList, 16384);
  ASSERT_TRUE(bits.ok()) << bits.error().ToString();
  EXPECT_EQ(*bits, Bytes(16384, 0));
}

TEST(Bitstring, EncodesAnEmptyListAsTheSpecsExample) {
  EXPECT_EQ(*EncodeBitstring(Bytes(16384, 0)), kSpecEmptyList);
}

TEST(Bitstring, IndexZeroIsTheLeftMostBit) {
  Bytes bits(2, 0);
  SetBit(bits, 0);
  SetBit(bits, 9);
  SetBit(bits, 15);
  EXPECT_EQ(bits, (Bytes{0x80, 0x41}));
  EXPECT_TRUE(BitAt(bits, 0));
  EXPECT_FALSE(BitAt(bits, 1));
  EXPECT_TRUE(BitAt(bits, 9));
  EXPECT_TRUE(BitAt(bits, 15));
}

TEST(Bitstring, RoundTrips) {
  Bytes bits(16384, 0);
  for (uint64_t i : {0u, 7u, 8u, 94567u, 131071u}) SetBit(bits, i);
  std::string encoded = *EncodeBitstring(bits);
  EXPECT_EQ(encoded[0], 'u');
  EXPECT_EQ(*DecodeBitstring(encoded, 16384), bits);
}

TEST(Bitstring, RefusesWhatIsNotAnEncodedList) {
  const std::string good = *EncodeBitstring(Bytes(64, 0));
  EXPECT_EQ(DecodeBitstring("", 64).error().code(), Code::kMalformed);
  EXPECT_EQ(DecodeBitstring("z" + good.substr(1), 64).error().message(),
            "encodedList does not start with 'u' (multibase base64url)");
  EXPECT_EQ(DecodeBitstring("uH4sI+AAA", 64).error().message(), "encodedList is not base64url without padding");
  EXPECT_EQ(DecodeBitstring(good + "==", 64).error().code(), Code::kMalformed);
  EXPECT_EQ(DecodeBitstring("uAAAA", 64).error().code(), Code::kMalformed);  // not GZIP
  EXPECT_EQ(DecodeBitstring(good.substr(0, good.size() - 4), 64).error().code(), Code::kMalformed);
  Bytes extra = *Base64Decode(good.substr(1));
  extra.push_back(0);
  EXPECT_EQ(DecodeBitstring("u" + Base64UrlEncode(extra), 64).error().message(),
            "status list has bytes after its GZIP member");
}

TEST(Bitstring, StopsAtTheBound) {
  // 1 MiB of zeros compresses to about a kilobyte: a reader must not
  // allocate what the sender claims.
  const std::string bomb = *EncodeBitstring(Bytes(1 << 20, 0));
  Result<Bytes> r = DecodeBitstring(bomb, 16384);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().message(), "status list expands to more than 16384 bytes");
}

}  // namespace
}  // namespace vouch::w3c
