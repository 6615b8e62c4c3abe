// Test helper: a lease as a launch under reattest_s 2, grace 3 gets it
// (deadline 6 s after `granted_at`). Header-only.
#ifndef VOUCH_VALIDATOR_TESTING_TEST_LEASE_H_
#define VOUCH_VALIDATOR_TESTING_TEST_LEASE_H_

#include <cstdint>
#include <string>
#include <utility>

#include "vouch/validator/lease_store.h"

namespace vouch::validator::testing {

inline Lease TestLease(std::string launch, std::string host, int64_t granted_at) {
  Lease lease;
  lease.launch = std::move(launch);
  lease.host = std::move(host);
  lease.domain = "6f1c2e0a-0000-4000-8000-000000000001";
  lease.interval_s = 2;
  lease.grace = 3;
  lease.deadline = lease.DeadlineAfter(granted_at);
  return lease;
}

}  // namespace vouch::validator::testing

#endif  // VOUCH_VALIDATOR_TESTING_TEST_LEASE_H_
