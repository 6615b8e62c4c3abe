#include "vouch/core/digest.h"

#include <gtest/gtest.h>

#include <string>
#include <thread>
#include <vector>

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

// RFC 4231 test cases 1, 2 and 6 (a key longer than the block, hashed
// first), through a key set up once; and agreement with the one-shot form.
TEST(HmacSha256Key, Rfc4231TestCases) {
  EXPECT_EQ(HexOf(HmacSha256Key(Bytes(20, 0x0b)).Mac(AsBytes("Hi There"))),
            "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7");
  EXPECT_EQ(HexOf(HmacSha256Key(AsBytes("Jefe")).Mac(AsBytes("what do ya want for nothing?"))),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
  EXPECT_EQ(HexOf(HmacSha256Key(Bytes(131, 0xaa))
                      .Mac(AsBytes("Test Using Larger Than Block-Size Key - Hash Key First"))),
            "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54");
}

TEST(HmacSha256Key, EachMacStartsFromTheKeyNotFromThePreviousMessage) {
  HmacSha256Key key(Bytes(32, 7));
  Bytes a = RandomBytes(100), b = RandomBytes(5);
  Sha256Digest first = key.Mac(a);
  EXPECT_EQ(key.Mac(b), HmacSha256(Bytes(32, 7), b));
  EXPECT_EQ(key.Mac(a), first);
  EXPECT_EQ(HmacSha256Key(Bytes{}).Mac(Bytes{}), HmacSha256(Bytes{}, Bytes{}));
}

TEST(HmacSha256Key, ConcurrentMacsAgree) {
  const Bytes raw = RandomBytes(32);
  const HmacSha256Key key(raw);
  std::vector<Bytes> messages;
  for (int i = 0; i < 64; ++i) messages.push_back(RandomBytes(static_cast<size_t>(i) * 7));
  std::vector<int> wrong(4, 0);
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int round = 0; round < 50; ++round) {
        for (const Bytes& m : messages) wrong[t] += key.Mac(m) != HmacSha256(raw, m);
      }
    });
  }
  for (std::thread& t : threads) t.join();
  for (int w : wrong) EXPECT_EQ(w, 0);
}

}  // namespace
}  // namespace vouch
