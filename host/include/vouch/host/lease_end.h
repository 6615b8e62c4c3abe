// Ending the validators' leases of a launch when its domain stops (DESIGN §4
// "Leases"): a stop notice signed by the host key to every validator of the
// policy, in parallel, so that none reports the stopped domain as a missed
// re-attestation. Nothing depends on the answers: a validator that does not
// hear of the stop reports the launch once its deadline passes, which takes
// revoke_quorum validators to revoke it.
#ifndef VOUCH_HOST_LEASE_END_H_
#define VOUCH_HOST_LEASE_END_H_

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

#include "vouch/core/bytes.h"
#include "vouch/core/ed25519.h"
#include "vouch/core/owner_policy.h"

namespace vouch::host {

// Each list in policy order.
struct LeaseEndReport {
  std::vector<std::string> ended;     // "endpoint" of validators that ended their lease
  std::vector<std::string> not_held;  // those holding none (they did not endorse the launch)
  std::vector<std::string> failures;  // "endpoint: reason", and those silent until the deadline
};

// Sends the notice that launch `launch` (its cti) of `host_key`'s DID stopped
// at `at` to every validator of `policy`, waiting for answers until `timeout`.
LeaseEndReport EndLeases(const OwnerPolicy& policy, const Ed25519PrivateKey& host_key, ByteView launch,
                         int64_t at, std::chrono::milliseconds timeout);

}  // namespace vouch::host

#endif  // VOUCH_HOST_LEASE_END_H_
