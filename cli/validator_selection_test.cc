#include "validator_selection.h"

#include <gtest/gtest.h>

#include <set>

namespace vouch::cli {
namespace {

ValidatorCandidate V(std::string name, std::string op, std::string region, uint64_t reputation) {
  return ValidatorCandidate{"did:key:" + name, Bytes(32, 1), "http://" + name, op, region, reputation};
}

std::vector<std::string> Dids(const std::vector<ValidatorCandidate>& v) {
  std::vector<std::string> out;
  for (const auto& c : v) out.push_back(c.did);
  return out;
}

TEST(ValidatorSelection, PrefersReputationAndRespectsTheOperatorCap) {
  std::vector<ValidatorCandidate> all = {V("a1", "acme", "eu", 900), V("a2", "acme", "us", 800),
                                         V("a3", "acme", "ap", 700), V("b1", "bolt", "eu", 600),
                                         V("c1", "core", "us", 100)};
  auto picked = SelectValidators(all, {.count = 4, .max_per_operator = 2, .max_per_region = 4, .seed = "s"});
  ASSERT_TRUE(picked.ok()) << picked.error().ToString();
  EXPECT_EQ(Dids(*picked),
            (std::vector<std::string>{"did:key:a1", "did:key:a2", "did:key:b1", "did:key:c1"}));
}

TEST(ValidatorSelection, RespectsTheRegionCap) {
  std::vector<ValidatorCandidate> all = {V("a", "1", "eu", 900), V("b", "2", "eu", 800),
                                         V("c", "3", "eu", 700), V("d", "4", "us", 1)};
  auto picked = SelectValidators(all, {.count = 3, .max_per_operator = 1, .max_per_region = 2, .seed = "s"});
  ASSERT_TRUE(picked.ok()) << picked.error().ToString();
  EXPECT_EQ(Dids(*picked), (std::vector<std::string>{"did:key:a", "did:key:b", "did:key:d"}));
}

TEST(ValidatorSelection, DeterministicForASeedAndDifferentAcrossSeeds) {
  std::vector<ValidatorCandidate> all;
  for (int i = 0; i < 12; ++i) all.push_back(V("v" + std::to_string(i), "op" + std::to_string(i), "r", 500));
  SelectionRules rules{.count = 3, .max_per_operator = 1, .max_per_region = 12, .seed = "domain-1"};
  auto first = SelectValidators(all, rules);
  auto again = SelectValidators({all.rbegin(), all.rend()}, rules);  // input order does not matter
  ASSERT_TRUE(first.ok() && again.ok());
  EXPECT_EQ(Dids(*first), Dids(*again));
  std::set<std::vector<std::string>> distinct;
  for (int s = 0; s < 8; ++s) {
    rules.seed = "domain-" + std::to_string(s);
    auto p = SelectValidators(all, rules);
    ASSERT_TRUE(p.ok());
    distinct.insert(Dids(*p));
  }
  EXPECT_GT(distinct.size(), 1u) << "equal-reputation ties should depend on the seed";
}

TEST(ValidatorSelection, NotEnoughUnderTheCapsIsRefusedWithTheReason) {
  std::vector<ValidatorCandidate> all = {V("a", "acme", "eu", 9), V("b", "acme", "eu", 8),
                                         V("c", "acme", "eu", 7)};
  auto picked = SelectValidators(all, {.count = 3, .max_per_operator = 2, .max_per_region = 3, .seed = ""});
  ASSERT_FALSE(picked.ok());
  EXPECT_EQ(picked.error().code(), Code::kNotFound);
  EXPECT_NE(picked.error().message().find("only 2 of the 3"), std::string::npos) << picked.error().message();
  EXPECT_NE(picked.error().message().find("1 skipped by the cap of 2 per operator"), std::string::npos)
      << picked.error().message();
}

TEST(ValidatorSelection, RefusesDuplicatesAndZeroCaps) {
  std::vector<ValidatorCandidate> dup = {V("a", "x", "r", 1), V("a", "y", "r", 2)};
  EXPECT_EQ(SelectValidators(dup, {.count = 1, .max_per_operator = 1, .max_per_region = 1, .seed = ""})
                .error()
                .code(),
            Code::kInvalidArgument);
  EXPECT_EQ(SelectValidators({V("a", "x", "r", 1)},
                             {.count = 1, .max_per_operator = 0, .max_per_region = 1, .seed = ""})
                .error()
                .code(),
            Code::kInvalidArgument);
}

}  // namespace
}  // namespace vouch::cli
