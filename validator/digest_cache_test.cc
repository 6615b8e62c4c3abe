#include "vouch/validator/digest_cache.h"

#include <gtest/gtest.h>

#include <string>

namespace vouch::validator {
namespace {

TEST(DigestCache, DerivesOncePerContentAndNeverCachesErrors) {
  DigestCache<std::string> cache(8);
  int calls = 0;
  auto derive = [&calls](ByteView b) -> Result<std::string> {
    ++calls;
    if (!b.empty() && b[0] == 'x') return Error(Code::kBadSignature, "refused");
    return std::string(b.begin(), b.end());
  };
  auto a1 = cache.Get(AsBytes("policy-a"), derive);
  auto a2 = cache.Get(AsBytes("policy-a"), derive);
  ASSERT_TRUE(a1.ok() && a2.ok());
  EXPECT_EQ(**a2, "policy-a");
  EXPECT_EQ(calls, 1);
  // One changed byte is another entry.
  auto b = cache.Get(AsBytes("policy-b"), derive);
  ASSERT_TRUE(b.ok());
  EXPECT_EQ(calls, 2);
  // A refusal is returned every time and derived again every time.
  EXPECT_EQ(cache.Get(AsBytes("xbad"), derive).error().code(), Code::kBadSignature);
  EXPECT_EQ(cache.Get(AsBytes("xbad"), derive).error().code(), Code::kBadSignature);
  EXPECT_EQ(calls, 4);
  EXPECT_EQ(cache.size(), 2u);
}

TEST(DigestCache, ForgetsEverythingWhenFull) {
  DigestCache<int> cache(3);
  int calls = 0;
  auto derive = [&calls](ByteView) -> Result<int> { return ++calls; };
  for (const char* s : {"a", "b", "c"}) ASSERT_TRUE(cache.Get(AsBytes(s), derive).ok());
  EXPECT_EQ(cache.size(), 3u);
  ASSERT_TRUE(cache.Get(AsBytes("d"), derive).ok());
  EXPECT_EQ(cache.size(), 1u);
  ASSERT_TRUE(cache.Get(AsBytes("a"), derive).ok());  // derived again
  EXPECT_EQ(calls, 5);
}

}  // namespace
}  // namespace vouch::validator
