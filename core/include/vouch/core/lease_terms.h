// The lease a policy with grace asks of each validator that endorses a launch
// of it (DESIGN §4 "Leases"): the launch is due to re-attest within
// reattest_s × grace of the endorsement (plus the guest's boot time for the
// first round when the policy expects guest evidence), and again within
// reattest_s × grace of each endorsed round. Validators hold leases by these
// terms; the host reads its own deadline (`vouch status`) by the same ones.
#ifndef VOUCH_CORE_LEASE_TERMS_H_
#define VOUCH_CORE_LEASE_TERMS_H_

#include <cstdint>
#include <optional>

#include "vouch/core/owner_policy.h"

namespace vouch {

struct LeaseTerms {
  uint32_t interval_s = 0;  // the policy's reattest_s, clamped to 32 bits
  uint32_t grace = 0;
  int64_t boot_s = 0;  // the first round's allowance: the guest's boot_s (at most an hour), 0 without guest evidence
};

// The terms of `policy`; nullopt when it sets no grace (no lease).
std::optional<LeaseTerms> LeaseTermsOf(const OwnerPolicy& policy);

// at + interval_s × grace, saturating at INT64_MAX (never wraps into the past).
int64_t LeaseDeadline(int64_t at, uint32_t interval_s, uint32_t grace);

}  // namespace vouch

#endif  // VOUCH_CORE_LEASE_TERMS_H_
