#include "vouch/core/digest.h"

#include <gtest/gtest.h>

#include <string>

#include "vouch/core/random.h"

namespace vouch {
namespace {

std::string HexOf(const Sha256Digest& d) { return HexEncode(d); }

// FIPS 180-2 Appendix B examples (one-block "abc", two-block message) and the
// empty message.
TEST(Sha256, Fips180Examples) {
  EXPECT_EQ(HexOf(Sha256(AsBytes("abc"))),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  EXPECT_EQ(HexOf(Sha256(AsBytes("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"))),
            "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
  EXPECT_EQ(HexOf(Sha256(AsBytes(""))),
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
}

TEST(Sha256, PartsHashAsTheirConcatenation) {
  EXPECT_EQ(Sha256({AsBytes("a"), AsBytes(""), AsBytes("bc")}), Sha256(AsBytes("abc")));
  Bytes a = RandomBytes(1000), b = RandomBytes(77);
  EXPECT_EQ(Sha256({a, b}), Sha256(Concat({a, b})));
  EXPECT_NE(Sha256({a, b}), Sha256({b, a}));
}

// RFC 4231 §4.2 and §4.3 (test cases 1 and 2), HMAC-SHA-256 rows.
TEST(HmacSha256, Rfc4231TestCases1And2) {
  EXPECT_EQ(HexOf(HmacSha256(Bytes(20, 0x0b), AsBytes("Hi There"))),
            "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7");
  EXPECT_EQ(HexOf(HmacSha256(AsBytes("Jefe"), AsBytes("what do ya want for nothing?"))),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
}

TEST(HmacSha256, EmptyKeyAndDataAreAllowedAndKeyed) {
  // HMAC-SHA-256("", "") (also computed with Python's hmac module).
  EXPECT_EQ(HexOf(HmacSha256(Bytes{}, Bytes{})),
            "b613679a0814d9ec772f95d778c35fc5ff1697c493715653c6c712144292c5ad");
  Bytes data = ToBytes("vouch kcv");
  EXPECT_NE(HmacSha256(Bytes(32, 1), data), HmacSha256(Bytes(32, 2), data));
  EXPECT_NE(HmacSha256(Bytes(32, 1), data), Sha256(data));
}

}  // namespace
}  // namespace vouch
