// Internal to hook/: what the launch release (release.cc) and the
// re-attestation (reattest.cc) share when they talk to a policy's validators
// in parallel: calls on detached threads whose results arrive in a Mailbox,
// so the caller stops waiting at its deadline or as soon as it has enough.
#ifndef VOUCH_HOST_VALIDATOR_EXCHANGE_H_
#define VOUCH_HOST_VALIDATOR_EXCHANGE_H_

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "vouch/core/bytes.h"
#include "vouch/core/endorsement.h"
#include "vouch/core/errors.h"
#include "vouch/core/host_vc.h"
#include "vouch/core/owner_policy.h"

namespace vouch::host::internal {

using Clock = std::chrono::steady_clock;

// Short name of a validator for messages: its endpoint without the scheme.
std::string ShortName(const PolicyValidator& v);

// Time left until `deadline`, at least 1 ms (a timeout of 0 means "none").
std::chrono::milliseconds Remaining(Clock::time_point deadline);

template <typename T>
class Mailbox {
 public:
  void Put(size_t index, Result<T> result) {
    std::lock_guard<std::mutex> lock(mu_);
    done_.emplace_back(index, std::move(result));
    cv_.notify_all();
  }
  // Waits for the next result until `deadline`; nullopt on timeout.
  std::optional<std::pair<size_t, Result<T>>> Next(Clock::time_point deadline) {
    std::unique_lock<std::mutex> lock(mu_);
    if (!cv_.wait_until(lock, deadline, [&] { return taken_ < done_.size(); })) return std::nullopt;
    return std::move(done_[taken_++]);
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  std::vector<std::pair<size_t, Result<T>>> done_;
  size_t taken_ = 0;
};

// Step 3 of DESIGN §2 "Start" (and of a re-attestation): a challenge from
// every validator of `policy`, in parallel, until `deadline`.
struct Challenges {
  std::vector<Bytes> nonces;          // in policy order, of those that answered
  std::vector<size_t> asked;          // their indices, aligned with nonces
  std::vector<std::string> failures;  // per validator: "" or "endpoint: reason"

  // The non-empty failures, in policy order.
  std::vector<std::string> Collected() const;
};
Challenges GatherChallenges(const OwnerPolicy& policy, const std::string& host_did,
                            Clock::time_point deadline);

// A validator's answer `encoded` (a COSE_Countersignature over `vc`), checked
// as an ok endorsement by policy validator `v`: a Byzantine validator may
// answer anything. The error's message says what was wrong ("unreadable
// endorsement (…)", "bad countersignature (…)", "endorsement is not by the
// policy's validator or not ok").
Result<Endorsement> CheckEndorsementAnswer(const HostVc& vc, ByteView encoded,
                                           const PolicyValidator& v);

// "NAME: why" failures joined as "a; b; c", those with the same why named
// once ("A, B, C: why; D: other", in first-seen order): five validators
// refusing for one reason fit in libvirt's 1,024-byte error message
// (VIR_ERROR_MAX_LENGTH), which is all virsh shows of a refused start.
std::string JoinFailures(const std::vector<std::string>& failures);

}  // namespace vouch::host::internal

#endif  // VOUCH_HOST_VALIDATOR_EXCHANGE_H_
