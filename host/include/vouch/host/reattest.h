// Re-attestation of a running protected domain (DESIGN §2 "Run"), host side:
// challenges from the policy's validators, a fresh TPM quote bound to them
// and to the live config digest, a "reattest" host VC, and POST /v1/reattest
// to every validator in parallel with the domain's endorsed launch VC as the
// baseline. Every endorsement is verified; t of them re-endorse the domain.
// No key is involved.
#ifndef VOUCH_HOST_REATTEST_H_
#define VOUCH_HOST_REATTEST_H_

#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "vouch/core/host_vc.h"
#include "vouch/core/owner_policy.h"
#include "vouch/host/release.h"

namespace vouch::host {

struct ReattestInput {
  std::string domain_name;  // for messages
  const SignedPolicy* policy = nullptr;
  Bytes domain_config;      // the live domain's canonical config (ReleaseRequest::domain_config)
  Bytes baseline;           // the endorsed launch VC (the hook's audit store keeps it)
  // The guest's first endorsed report of this launch (validator
  // guest_appraisal.h), empty for the first round or without a guest.
  Bytes guest_baseline;
  // How many distinct policy validators must sign a drift verdict over the
  // VC for the outcome to be kDrift (the ledger's revoke_quorum); 0: the
  // policy's t.
  size_t drift_quorum = 0;
  std::chrono::milliseconds deadline{5000};
  std::function<int64_t()> now;  // seconds; defaults to the system clock
};

struct ReattestOutcome {
  HostVc endorsed_vc;                  // the reattest VC with the endorsements
  std::vector<std::string> endorsers;  // their DIDs
  std::vector<std::string> failures;   // "endpoint: reason" for those that did not endorse
};

// One round in two steps, for a relay of the guest's evidence: the
// validators' challenges first (Begin; the guest's vTPM quotes them), then
// the reattest VC with the host's fresh quote and the guest's evidence
// (Finish). `input` and `host` must outlive the round; each step has
// input.deadline.
class ReattestRound {
 public:
  static ReattestRound Begin(const ReattestInput& input, const HostContext& host);
  ReattestRound(ReattestRound&&) noexcept;
  ~ReattestRound();

  // The challenges in policy order (the VC's eat_nonce), of the validators
  // that answered; fewer than t makes Finish fail as kUnavailable.
  const std::vector<Bytes>& nonces() const;
  // The VC, its endorsements and their verification, as Reattest below.
  // Call once.
  Result<ReattestOutcome> Finish(std::optional<GuestEvidence> guest);

 private:
  struct State;
  explicit ReattestRound(std::unique_ptr<State> state);
  std::unique_ptr<State> state_;
};

// Runs the exchange (Begin, then Finish without guest evidence). Fewer than
// t verified endorsements is an error whose message names each validator's
// reason ("domain 'web1' not re-endorsed: 0 of 3 endorsements
// (127.0.0.1:7401: PCR 4 changed since launch …)"); its code is kDrift only
// if at least drift_quorum distinct policy validators refused on the
// evidence with a drift verdict signed over this VC (core/drift_verdict.h),
// else kUnavailable: validators unreachable, slow, or too few signed
// verdicts (one Byzantine validator, a forged refusal) judge nothing, and
// the message then says how many signed.
Result<ReattestOutcome> Reattest(const ReattestInput& input, const HostContext& host);

}  // namespace vouch::host

#endif  // VOUCH_HOST_REATTEST_H_
