#include "vouch/validator/lease_sweeper.h"

#include <array>

#include "vouch/core/digest.h"

namespace vouch::validator {

namespace {

// Errors that say the ledger could not take the report now, not that it
// refused it.
bool IsTransient(Code code) {
  return code == Code::kUnavailable || code == Code::kIo || code == Code::kTimeout;
}

}  // namespace

std::string MissedDeadlineReason(const Lease& lease, int64_t now) {
  return StrCat("missed re-attestation deadline: host ", lease.host, ", domain ", lease.domain,
                ", due at ", lease.deadline, " (reattest_s ", lease.interval_s, " x grace ",
                lease.grace, "), none by ", now);
}

Bytes MissedDeadlineEvidence(const Lease& lease) {
  std::array<uint8_t, 8> deadline;
  const uint64_t d = static_cast<uint64_t>(lease.deadline);
  for (size_t i = 0; i < deadline.size(); ++i) deadline[i] = static_cast<uint8_t>(d >> (56 - 8 * i));
  const uint8_t separator = 0;
  return ToBytes(Sha256({AsBytes("vouch-missed-deadline-v1"), AsBytes(lease.launch),
                         ByteView(&separator, 1), ByteView(deadline)}));
}

Result<SweepOutcome> LeaseSweeper::SweepOnce(int64_t now, size_t limit) {
  VOUCH_ASSIGN_OR_RETURN(std::vector<Lease> missed, store_.Missed(now, limit));
  SweepOutcome outcome;
  for (const Lease& lease : missed) {
    LaunchReport report{lease.launch, lease.host, lease.domain, MissedDeadlineReason(lease, now),
                        MissedDeadlineEvidence(lease), lease.owner};
    Status reported = reporter_.Report(report, key_, now);
    if (!reported.ok() && IsTransient(reported.error().code())) {
      ++outcome.deferred;
      continue;
    }
    ++(reported.ok() ? outcome.reported : outcome.refused);
    VOUCH_RETURN_IF_ERROR(store_.End(lease.launch));
  }
  return outcome;
}

}  // namespace vouch::validator
