// One re-attestation round of the guest and what follows from it (DESIGN §2
// "Guest shim"): the state files in state_dir, the guest AK, the round over
// the channel, the grace rule and the policy's action.
#ifndef VOUCH_SHIM_SHIM_H_
#define VOUCH_SHIM_SHIM_H_

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "vouch/core/guest_channel.h"
#include "vouch/measure/ak.h"
#include "vouch/measure/tpm.h"
#include "vouch/shim/config.h"
#include "vouch/shim/verify.h"

namespace vouch::shim {

// Files in state_dir.
inline constexpr char kPolicyFile[] = "policy.cbor";            // the pinned policy COSE_Sign1
inline constexpr char kAttestationFile[] = "attestation.cbor";  // the last verified endorsed VC, 0644
inline constexpr char kAttestedAtFile[] = "attested-at";        // its time, decimal seconds since the epoch
inline constexpr char kEventLogPath[] = "/sys/kernel/security/tpm0/binary_bios_measurements";

struct ShimState {
  std::optional<Bytes> pinned_policy;
  std::optional<int64_t> attested_at;
};
// Missing files are absent fields; unreadable ones kIo.
Result<ShimState> LoadState(const std::string& state_dir);

// The AK in key_dir (ak.pub/ak.priv, 0600), or a new one created under the
// vTPM's endorsement key and saved there. The blobs are wrapped by the vTPM:
// useless outside it; the same public area every round.
Result<Ak> LoadOrCreateAk(Tpm& tpm, const std::string& key_dir);

// SHA-256 of the firmware event log at `path`; of the empty string (and
// `missing` set) if the file does not exist.
Result<Bytes> EventLogDigest(const std::string& path, bool* missing);

struct RoundResult {
  std::vector<std::string> endorsers;
  int64_t attested_at = 0;
};

// One round over `fd`: hello → policy offer (AcceptOffer; the first accepted
// is pinned) → round → challenge → evidence → endorsed (VerifyEndorsed) →
// attestation.cbor and attested-at written atomically. Every read and write
// is bounded by `deadline`. Any failure leaves attestation.cbor untouched.
Result<RoundResult> RunRound(const ShimConfig& config, int fd, Tpm& tpm, const Ak& ak,
                             const std::string& event_log_path, int64_t now, guest_channel::Deadline deadline);

// The grace rule. With a pinned policy: deadline = last verified endorsement
// + reattest_s × grace, or before any, boot + guest.boot_s + reattest_s ×
// grace. Without a policy: boot + config.grace.
struct GraceDecision {
  int64_t deadline = 0;
  bool past = false;
  std::string action;  // the policy's guest.action, or config.action without a policy
  std::string rule;    // one line: which rule and the numbers
};
GraceDecision DecideGrace(const ShimConfig& config, const ShimState& state, int64_t now, int64_t boot_time);

// Runs `action` ("poweroff" | "reboot" | "none" | "exec:/PATH"). exec runs
// PATH with VOUCH_SHIM_REASON=`reason` in its environment and waits for it;
// poweroff and reboot sync and call reboot(2) (they return only on failure).
Status RunAction(const std::string& action, const std::string& reason);

// Seconds since the epoch at which the system booted (now − /proc/uptime).
int64_t BootTime(int64_t now);

}  // namespace vouch::shim

#endif  // VOUCH_SHIM_SHIM_H_
