// Reports missed leases (DESIGN §4 "Leases"): a launch this validator
// endorsed whose host stopped re-attesting past interval × grace is
// reported on the ledger as a revoke vote for the launch credential, like a
// drift, so at revoke_quorum reports the credential is revoked and a host
// cannot keep a guest running unattested by going silent.
#ifndef VOUCH_VALIDATOR_LEASE_SWEEPER_H_
#define VOUCH_VALIDATOR_LEASE_SWEEPER_H_

#include <cstddef>
#include <cstdint>
#include <string>

#include "vouch/core/bytes.h"
#include "vouch/core/ed25519.h"
#include "vouch/core/errors.h"
#include "vouch/validator/lease_store.h"
#include "vouch/validator/revocation_reporter.h"

namespace vouch::validator {

// The one-sentence reason a missed lease is reported with, e.g.
// "missed re-attestation deadline: host did:key:…, domain 6f1c…, due at
// 1000006 (reattest_s 2 × grace 3), none by 1000010".
std::string MissedDeadlineReason(const Lease& lease, int64_t now);

// The report's evidence: SHA-256("vouch-missed-deadline-v1" ‖ launch ‖ 0x00
// ‖ deadline as 8 bytes big-endian), so a reader can tell which deadline of
// which launch the vote is about.
Bytes MissedDeadlineEvidence(const Lease& lease);

struct SweepOutcome {
  size_t reported = 0;  // reports the ledger took
  size_t refused = 0;   // reports the ledger refused for good (e.g. already revoked): lease ended too
  size_t deferred = 0;  // the ledger could not be reached: kept for the next pass
};

class LeaseSweeper {
 public:
  // REQUIRES: `store`, `reporter` and `key` outlive the sweeper.
  LeaseSweeper(LeaseStore& store, RevocationReporter& reporter, const Ed25519PrivateKey& key)
      : store_(store), reporter_(reporter), key_(key) {}

  // One pass at `now`: every lease missed by `now` (at most `limit`) is
  // reported signed by `key` and ended; a report that fails kUnavailable,
  // kIo or kTimeout keeps its lease for the next pass. The store's errors.
  Result<SweepOutcome> SweepOnce(int64_t now, size_t limit = 256);

 private:
  LeaseStore& store_;
  RevocationReporter& reporter_;
  const Ed25519PrivateKey& key_;
};

}  // namespace vouch::validator

#endif  // VOUCH_VALIDATOR_LEASE_SWEEPER_H_
