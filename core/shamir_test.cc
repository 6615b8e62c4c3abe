#include "vouch/core/shamir.h"

#include <gtest/gtest.h>

#include <array>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>
#include <utility>
#include <vector>

#include "vouch/core/bytes.h"
#include "vouch/core/random.h"

namespace vouch {
namespace {

using shamir_internal::GfInv;
using shamir_internal::GfMul;

// ---- Field ------------------------------------------------------------------

// Reference tables built the textbook way, independent of GfMul: 3 generates
// the multiplicative group of GF(2^8)/0x11B, and 3·a = a ^ xtime(a).
struct LogTables {
  std::array<uint8_t, 255> exp{};
  std::array<int, 256> log{};
};

LogTables BuildLogTables() {
  LogTables t;
  t.log.fill(-1);
  uint8_t v = 1;
  for (int i = 0; i < 255; ++i) {
    t.exp[i] = v;
    t.log[v] = i;
    const uint8_t xtime = static_cast<uint8_t>((v << 1) ^ ((v & 0x80) ? 0x1B : 0x00));
    v = static_cast<uint8_t>(v ^ xtime);
  }
  return t;
}

TEST(ShamirField, GeneratorThreeReachesEveryNonZeroElement) {
  const LogTables t = BuildLogTables();
  for (int a = 1; a < 256; ++a) EXPECT_GE(t.log[a], 0) << "element " << a;
  EXPECT_EQ(t.log[0], -1);
}

TEST(ShamirField, MultiplicationMatchesLogAntilogTablesForAllPairs) {
  const LogTables t = BuildLogTables();
  for (int a = 0; a < 256; ++a) {
    for (int b = 0; b < 256; ++b) {
      const uint8_t want = (a == 0 || b == 0) ? 0 : t.exp[(t.log[a] + t.log[b]) % 255];
      ASSERT_EQ(GfMul(static_cast<uint8_t>(a), static_cast<uint8_t>(b)), want) << a << " * " << b;
    }
  }
}

TEST(ShamirField, MultiplicationMatchesPublishedProducts) {
  // FIPS 197 §4.2: {57} • {83} = {c1}, {57} • {13} = {fe}.
  EXPECT_EQ(GfMul(0x57, 0x83), 0xc1);
  EXPECT_EQ(GfMul(0x57, 0x13), 0xfe);
  // HashiCorp Vault shamir_test.go: mult(3, 7) = 9, div(6, 3) = 2, div(3, 3) = 1.
  EXPECT_EQ(GfMul(3, 7), 9);
  EXPECT_EQ(GfMul(6, GfInv(3)), 2);
  EXPECT_EQ(GfMul(3, GfInv(3)), 1);
  EXPECT_EQ(GfMul(3, 0), 0);
  EXPECT_EQ(GfMul(0, 3), 0);
}

TEST(ShamirField, MultiplicationIsCommutativeAndDistributesOverXor) {
  for (int a = 0; a < 256; ++a) {
    for (int b = 0; b < 256; ++b) {
      const auto x = static_cast<uint8_t>(a);
      const auto y = static_cast<uint8_t>(b);
      ASSERT_EQ(GfMul(x, y), GfMul(y, x)) << a << ", " << b;
      for (uint8_t c : {uint8_t{0x01}, uint8_t{0x53}, uint8_t{0xca}, uint8_t{0xff}}) {
        ASSERT_EQ(GfMul(c, x ^ y), GfMul(c, x) ^ GfMul(c, y)) << a << ", " << b << ", " << +c;
      }
    }
  }
}

TEST(ShamirField, EveryNonZeroElementHasItsInverse) {
  const LogTables t = BuildLogTables();
  EXPECT_EQ(GfInv(0), 0);
  for (int a = 1; a < 256; ++a) {
    const uint8_t inv = GfInv(static_cast<uint8_t>(a));
    EXPECT_EQ(GfMul(static_cast<uint8_t>(a), inv), 1) << "element " << a;
    EXPECT_EQ(inv, t.exp[(255 - t.log[a]) % 255]) << "element " << a;
  }
}

// ---- Split / combine ----------------------------------------------------------

SecretBytes Secret(std::string_view text) { return SecretBytes(AsBytes(text)); }

// Returns copies of shares[i] for i in `indices`, in that order.
std::vector<SecretBytes> Pick(const std::vector<SecretBytes>& shares,
                              const std::vector<size_t>& indices) {
  std::vector<SecretBytes> out;
  for (size_t i : indices) out.push_back(shares[i].Clone());
  return out;
}

std::vector<SecretBytes> SplitOrDie(const SecretBytes& secret, int t, int n) {
  auto shares = ShamirSplit(secret, t, n);
  EXPECT_TRUE(shares.ok()) << shares.error().ToString();
  return shares.ok() ? std::move(shares).value() : std::vector<SecretBytes>{};
}

TEST(Shamir, SplitThenCombineRoundTripsForManyThresholds) {
  const std::vector<std::pair<int, int>> cases = {{2, 2},     {2, 3},    {2, 255}, {3, 5},
                                                  {4, 4},     {5, 9},    {10, 20}, {128, 200},
                                                  {254, 255}, {255, 255}};
  for (size_t len : {1u, 32u, 100u}) {
    for (auto [t, n] : cases) {
      SCOPED_TRACE(StrCat("t=", t, " n=", n, " len=", len));
      const SecretBytes secret = RandomSecret(len);
      const std::vector<SecretBytes> shares = SplitOrDie(secret, t, n);
      ASSERT_EQ(shares.size(), static_cast<size_t>(n));

      std::vector<size_t> first, last, all;
      for (int i = 0; i < n; ++i) all.push_back(i);
      for (int i = 0; i < t; ++i) first.push_back(i);
      for (int i = n - 1; i >= n - t; --i) last.push_back(i);  // reversed order too
      for (const auto& subset : {first, last, all}) {
        auto got = ShamirCombine(Pick(shares, subset));
        ASSERT_TRUE(got.ok()) << got.error().ToString();
        EXPECT_TRUE(*got == secret) << subset.size() << " shares";
      }
    }
  }
}

TEST(Shamir, SplitGivesSharesOfYBytesThenXFromOneToN) {
  const SecretBytes secret = Secret("a 32-byte key for vouch's tests!");
  const std::vector<SecretBytes> shares = SplitOrDie(secret, 3, 7);
  ASSERT_EQ(shares.size(), 7u);
  for (size_t i = 0; i < shares.size(); ++i) {
    ASSERT_EQ(shares[i].size(), secret.size() + 1);
    EXPECT_EQ(static_cast<size_t>(shares[i].Expose().back()), i + 1);
    auto x = ShamirShareX(shares[i]);
    ASSERT_TRUE(x.ok());
    EXPECT_EQ(static_cast<size_t>(*x), i + 1);
    // The y bytes are not the secret (probability 2^-256 by chance).
    EXPECT_FALSE(ConstantTimeEqual(shares[i].Expose().first(secret.size()), secret.Expose()));
  }
}

TEST(Shamir, AnyThreeOfFiveSharesRecoverSecret) {
  const SecretBytes secret = Secret("correct horse battery staple 123");
  const std::vector<SecretBytes> shares = SplitOrDie(secret, 3, 5);
  int subsets = 0;
  for (size_t i = 0; i < 5; ++i) {
    for (size_t j = i + 1; j < 5; ++j) {
      for (size_t k = j + 1; k < 5; ++k) {
        for (const std::vector<size_t>& order :
             {std::vector<size_t>{i, j, k}, std::vector<size_t>{k, i, j}}) {
          auto got = ShamirCombine(Pick(shares, order));
          ASSERT_TRUE(got.ok()) << got.error().ToString();
          EXPECT_TRUE(*got == secret) << "shares " << i << "," << j << "," << k;
        }
        ++subsets;
      }
    }
  }
  EXPECT_EQ(subsets, 10);
  // Four of five also work.
  auto got = ShamirCombine(Pick(shares, {4, 0, 2, 1}));
  ASSERT_TRUE(got.ok());
  EXPECT_TRUE(*got == secret);
}

TEST(Shamir, AnyTwoOfFiveSharesGiveADifferentSecretWhenThresholdIsThree) {
  const SecretBytes secret = Secret("correct horse battery staple 123");
  const std::vector<SecretBytes> shares = SplitOrDie(secret, 3, 5);
  for (size_t i = 0; i < 5; ++i) {
    for (size_t j = i + 1; j < 5; ++j) {
      auto got = ShamirCombine(Pick(shares, {i, j}));
      ASSERT_TRUE(got.ok()) << got.error().ToString();  // combine cannot know t
      EXPECT_EQ(got->size(), secret.size());
      EXPECT_FALSE(*got == secret) << "shares " << i << "," << j;
    }
  }
}

TEST(Shamir, FewerThanThresholdSharesGiveADifferentSecret) {
  // With t-1 shares the interpolated value at 0 is uniform and independent
  // of the secret: a 32-byte match happens with probability 2^-256.
  for (int t = 3; t <= 12; ++t) {
    for (int trial = 0; trial < 20; ++trial) {
      const SecretBytes secret = RandomSecret(32);
      const std::vector<SecretBytes> shares = SplitOrDie(secret, t, t + 2);
      std::vector<size_t> few;
      for (int i = 0; i < t - 1; ++i) few.push_back(static_cast<size_t>(i + 2));
      auto got = ShamirCombine(Pick(shares, few));
      ASSERT_TRUE(got.ok()) << got.error().ToString();
      EXPECT_FALSE(*got == secret) << "t=" << t << " trial " << trial;
    }
  }
}

TEST(Shamir, TamperedShareGivesADifferentSecret) {
  // Changing y_i by d changes the result by l_i(0)·d, and l_i(0) ≠ 0: always wrong.
  const SecretBytes secret = RandomSecret(32);
  const std::vector<SecretBytes> shares = SplitOrDie(secret, 3, 5);
  for (size_t victim = 0; victim < 3; ++victim) {
    for (size_t byte = 0; byte < 32; byte += 7) {
      std::vector<SecretBytes> set = Pick(shares, {0, 1, 2});
      set[victim].ExposeMutable()[byte] ^= 0x01;
      auto got = ShamirCombine(set);
      ASSERT_TRUE(got.ok());
      EXPECT_FALSE(*got == secret) << "share " << victim << " byte " << byte;
    }
  }
}

TEST(Shamir, TwoSplitsOfTheSameSecretDiffer) {
  const SecretBytes secret = Secret("same secret, fresh coefficients!");
  const std::vector<SecretBytes> a = SplitOrDie(secret, 2, 3);
  const std::vector<SecretBytes> b = SplitOrDie(secret, 2, 3);
  ASSERT_EQ(a.size(), b.size());
  for (size_t i = 0; i < a.size(); ++i) EXPECT_FALSE(a[i] == b[i]) << "share " << i;
}

TEST(Shamir, CombineAcceptsAnyDistinctNonZeroX) {
  // f(x) = s + c1·x + c2·x² per byte, evaluated by hand at x = 255, 17, 200, 1.
  const Bytes s = {0x00, 0x42, 0xff};
  const Bytes c1 = {0x9d, 0x01, 0x10};
  const Bytes c2 = {0x33, 0xfe, 0x00};
  std::vector<SecretBytes> shares;
  for (uint8_t x : {uint8_t{255}, uint8_t{17}, uint8_t{200}, uint8_t{1}}) {
    Bytes share;
    for (size_t b = 0; b < s.size(); ++b) {
      share.push_back(s[b] ^ GfMul(c1[b], x) ^ GfMul(c2[b], GfMul(x, x)));
    }
    share.push_back(x);
    shares.push_back(SecretBytes(share));
  }
  auto got = ShamirCombine(std::span<const SecretBytes>(shares).first(3));
  ASSERT_TRUE(got.ok()) << got.error().ToString();
  EXPECT_EQ(HexEncode(got->Expose()), "0042ff");
  auto got4 = ShamirCombine(shares);
  ASSERT_TRUE(got4.ok());
  EXPECT_EQ(HexEncode(got4->Expose()), "0042ff");
}

// ---- Refusals -----------------------------------------------------------------

void ExpectError(const Error& e, Code code, const std::string& message) {
  EXPECT_EQ(e.code(), code) << e.ToString();
  EXPECT_EQ(e.message(), message);
}

TEST(Shamir, SplitRefusesBadParameters) {
  const SecretBytes secret = Secret("k");
  auto r = ShamirSplit(SecretBytes(), 2, 3);
  ASSERT_FALSE(r.ok());
  ExpectError(r.error(), Code::kInvalidArgument,
              "Shamir split: secret is empty (expected at least 1 byte)");
  r = ShamirSplit(secret, 1, 3);
  ASSERT_FALSE(r.ok());
  ExpectError(r.error(), Code::kInvalidArgument,
              "Shamir split: threshold must be at least 2, got 1");
  r = ShamirSplit(secret, -5, 3);
  ASSERT_FALSE(r.ok());
  ExpectError(r.error(), Code::kInvalidArgument,
              "Shamir split: threshold must be at least 2, got -5");
  r = ShamirSplit(secret, 4, 3);
  ASSERT_FALSE(r.ok());
  ExpectError(r.error(), Code::kInvalidArgument, "Shamir split: threshold 4 exceeds share count 3");
  r = ShamirSplit(secret, 2, 256);
  ASSERT_FALSE(r.ok());
  ExpectError(r.error(), Code::kInvalidArgument,
              "Shamir split: share count must be at most 255, got 256");
  r = ShamirSplit(secret, 256, 256);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code(), Code::kInvalidArgument);
}

TEST(Shamir, CombineRefusesFewerThanTwoShares) {
  auto r = ShamirCombine({});
  ASSERT_FALSE(r.ok());
  ExpectError(r.error(), Code::kInvalidArgument,
              "Shamir shares: expected at least 2 shares, got 0");
  const std::vector<SecretBytes> shares = SplitOrDie(Secret("key"), 2, 2);
  r = ShamirCombine(std::span<const SecretBytes>(shares).first(1));
  ASSERT_FALSE(r.ok());
  ExpectError(r.error(), Code::kInvalidArgument,
              "Shamir shares: expected at least 2 shares, got 1");
}

TEST(Shamir, CombineRefusesDuplicateX) {
  const std::vector<SecretBytes> shares = SplitOrDie(Secret("key"), 2, 3);
  auto r = ShamirCombine(Pick(shares, {1, 2, 0, 2}));
  ASSERT_FALSE(r.ok());
  ExpectError(r.error(), Code::kInvalidArgument,
              "Shamir share at index 3: x coordinate 3 repeats the share at index 1");
  // Same x with different y is a duplicate too.
  std::vector<SecretBytes> set = Pick(shares, {0, 1});
  set[1].ExposeMutable()[3] = 1;
  r = ShamirCombine(set);
  ASSERT_FALSE(r.ok());
  ExpectError(r.error(), Code::kInvalidArgument,
              "Shamir share at index 1: x coordinate 1 repeats the share at index 0");
}

TEST(Shamir, CombineRefusesZeroX) {
  const std::vector<SecretBytes> shares = SplitOrDie(Secret("key"), 2, 3);
  std::vector<SecretBytes> set = Pick(shares, {0, 1, 2});
  set[2].ExposeMutable()[3] = 0;
  auto r = ShamirCombine(set);
  ASSERT_FALSE(r.ok());
  ExpectError(r.error(), Code::kMalformed,
              "Shamir share at index 2: x coordinate is 0 (expected 1-255)");
}

TEST(Shamir, CombineRefusesSharesOfDifferentLengths) {
  const std::vector<SecretBytes> shares = SplitOrDie(Secret("key"), 2, 3);
  std::vector<SecretBytes> set = Pick(shares, {0, 1});
  set.push_back(SecretBytes(shares[2].Expose().subspan(1)));  // 3 bytes, x still last
  auto r = ShamirCombine(set);
  ASSERT_FALSE(r.ok());
  ExpectError(r.error(), Code::kMalformed,
              "Shamir share at index 2: expected 4 bytes like the share at index 0, got 3");
}

TEST(Shamir, CombineRefusesSharesShorterThanTwoBytes) {
  std::vector<SecretBytes> set;
  set.push_back(SecretBytes(Bytes{0x01}));
  set.push_back(SecretBytes(Bytes{0x02}));
  auto r = ShamirCombine(set);
  ASSERT_FALSE(r.ok());
  ExpectError(r.error(), Code::kMalformed,
              "Shamir share at index 0: expected at least 2 bytes (y bytes then x byte), got 1");
  auto x = ShamirShareX(set[0]);
  ASSERT_FALSE(x.ok());
  EXPECT_EQ(x.error().code(), Code::kMalformed);
}

// ---- Known answers from an independent implementation --------------------------

// core/testdata/shamir_vectors.json: shares made by the npm package
// shamir-secret-sharing (random distinct x, its own RNG and field tables).
struct Vector {
  int t = 0;
  int n = 0;
  Bytes secret;
  std::vector<SecretBytes> shares;
};

std::vector<Vector> LoadVectors() {
  const std::string path = std::string(VOUCH_SOURCE_DIR) + "/core/testdata/shamir_vectors.json";
  std::ifstream in(path);
  EXPECT_TRUE(in.good()) << path;
  const nlohmann::json doc = nlohmann::json::parse(in);
  std::vector<Vector> out;
  for (const auto& item : doc.at("items")) {
    EXPECT_EQ(item.at("kind"), "shamir");
    Vector v;
    v.t = item.at("t").get<int>();
    v.n = item.at("n").get<int>();
    v.secret = HexDecode(item.at("secret_hex").get<std::string>()).value();
    for (const auto& h : item.at("shares_hex")) {
      v.shares.push_back(SecretBytes(HexDecode(h.get<std::string>()).value()));
    }
    out.push_back(std::move(v));
  }
  return out;
}

TEST(ShamirVectors, NpmSharesCombineToTheirSecret) {
  const std::vector<Vector> vectors = LoadVectors();
  ASSERT_EQ(vectors.size(), 7u);
  int combined = 0;
  for (size_t vi = 0; vi < vectors.size(); ++vi) {
    const Vector& v = vectors[vi];
    SCOPED_TRACE(StrCat("vector ", vi, " t=", v.t, " n=", v.n));
    ASSERT_EQ(v.shares.size(), static_cast<size_t>(v.n));
    const SecretBytes secret(v.secret);

    std::vector<size_t> all, first, last;
    for (int i = 0; i < v.n; ++i) all.push_back(i);
    for (int i = 0; i < v.t; ++i) first.push_back(i);
    for (int i = v.n - v.t; i < v.n; ++i) last.push_back(i);
    for (const auto& subset : {all, first, last}) {
      auto got = ShamirCombine(Pick(v.shares, subset));
      ASSERT_TRUE(got.ok()) << got.error().ToString();
      EXPECT_EQ(HexEncode(got->Expose()), HexEncode(v.secret)) << subset.size() << " shares";
      ++combined;
    }
    if (v.t >= 3 && v.secret.size() >= 16) {
      first.pop_back();
      auto got = ShamirCombine(Pick(v.shares, first));
      ASSERT_TRUE(got.ok());
      EXPECT_FALSE(*got == secret) << "t-1 shares recovered the secret";
    }
  }
  EXPECT_EQ(combined, 21);
}

TEST(ShamirVectors, EveryThreeOfFiveNpmSharesCombine) {
  int checked = 0;
  for (const Vector& v : LoadVectors()) {
    if (v.t != 3 || v.n != 5) continue;
    for (size_t i = 0; i < 5; ++i) {
      for (size_t j = i + 1; j < 5; ++j) {
        for (size_t k = j + 1; k < 5; ++k) {
          auto got = ShamirCombine(Pick(v.shares, {j, k, i}));
          ASSERT_TRUE(got.ok()) << got.error().ToString();
          EXPECT_EQ(HexEncode(got->Expose()), HexEncode(v.secret));
          ++checked;
        }
      }
    }
  }
  EXPECT_EQ(checked, 20);  // two 3-of-5 vectors
}

}  // namespace
}  // namespace vouch
