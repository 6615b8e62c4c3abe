#include "validator_selection.h"

#include <algorithm>
#include <map>
#include <set>

#include "vouch/core/digest.h"

namespace vouch::cli {

Result<std::vector<ValidatorCandidate>> SelectValidators(std::vector<ValidatorCandidate> candidates,
                                                         const SelectionRules& rules) {
  if (rules.count == 0 || rules.max_per_operator == 0 || rules.max_per_region == 0) {
    return Error(Code::kInvalidArgument,
                 "validator selection: count and the per-operator and per-region caps must be at least 1");
  }
  std::set<std::string> seen;
  for (const ValidatorCandidate& c : candidates) {
    if (!seen.insert(c.did).second) {
      return Error(Code::kInvalidArgument, StrCat("validator selection: '", c.did, "' is listed twice"));
    }
  }
  auto tiebreak = [&rules](const ValidatorCandidate& c) {
    return Sha256(AsBytes(rules.seed + "\n" + c.did));
  };
  std::vector<std::pair<Sha256Digest, size_t>> order;
  order.reserve(candidates.size());
  for (size_t i = 0; i < candidates.size(); ++i) order.emplace_back(tiebreak(candidates[i]), i);
  std::sort(order.begin(), order.end(), [&candidates](const auto& a, const auto& b) {
    const ValidatorCandidate& x = candidates[a.second];
    const ValidatorCandidate& y = candidates[b.second];
    if (x.reputation != y.reputation) return x.reputation > y.reputation;
    return a.first < b.first;
  });

  std::map<std::string, size_t> per_operator, per_region;
  std::vector<ValidatorCandidate> picked;
  size_t capped_by_operator = 0, capped_by_region = 0;
  for (const auto& [digest, i] : order) {
    if (picked.size() == rules.count) break;
    ValidatorCandidate& c = candidates[i];
    if (per_operator[c.operator_name] >= rules.max_per_operator) {
      ++capped_by_operator;
      continue;
    }
    if (per_region[c.region] >= rules.max_per_region) {
      ++capped_by_region;
      continue;
    }
    ++per_operator[c.operator_name];
    ++per_region[c.region];
    picked.push_back(std::move(c));
  }
  if (picked.size() < rules.count) {
    return Error(Code::kNotFound,
                 StrCat("validator selection: only ", picked.size(), " of the ", rules.count,
                        " validators asked for can be picked from ", candidates.size(),
                        " active ones (", capped_by_operator, " skipped by the cap of ",
                        rules.max_per_operator, " per operator, ", capped_by_region,
                        " by the cap of ", rules.max_per_region, " per region)"));
  }
  return picked;
}

}  // namespace vouch::cli
