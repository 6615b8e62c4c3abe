#include "vouch/core/lease_terms.h"

#include <algorithm>
#include <limits>

namespace vouch {

std::optional<LeaseTerms> LeaseTermsOf(const OwnerPolicy& policy) {
  if (!policy.grace) return std::nullopt;
  LeaseTerms terms;
  terms.interval_s = static_cast<uint32_t>(std::min<uint64_t>(policy.reattest_s, UINT32_MAX));
  terms.grace = *policy.grace;
  if (policy.guest) terms.boot_s = static_cast<int64_t>(std::min<uint64_t>(policy.guest->boot_s, 3600));
  return terms;
}

int64_t LeaseDeadline(int64_t at, uint32_t interval_s, uint32_t grace) {
  // Two 32-bit factors can exceed int64_t, so the span saturates as well.
  int64_t span = 0;
  int64_t deadline = 0;
  if (__builtin_mul_overflow(static_cast<int64_t>(interval_s), static_cast<int64_t>(grace), &span) ||
      __builtin_add_overflow(at, span, &deadline)) {
    return std::numeric_limits<int64_t>::max();
  }
  return deadline;
}

}  // namespace vouch
