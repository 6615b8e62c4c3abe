// Where a validator reports a credential it judged drifted (DESIGN §2
// "Revoke"): on the ledger, a revoke entry signed with the validator's own
// key. A validator's report is one vote; the subject is revoked once
// revoke_quorum distinct admitted validators reported it (ledger-client's
// ChainState), after which every validator refuses it.
#ifndef VOUCH_VALIDATOR_REVOCATION_REPORTER_H_
#define VOUCH_VALIDATOR_REVOCATION_REPORTER_H_

#include <cstdint>
#include <string>

#include "vouch/core/bytes.h"
#include "vouch/core/ed25519.h"
#include "vouch/core/errors.h"

namespace vouch::validator {

// A launch credential judged drifted or silent, with the host and domain it
// launched: at revoke_quorum its revocation also quarantines that host for
// that domain (ledger-client's ChainState::FindQuarantine).
struct LaunchReport {
  std::string launch;  // "cti:<hex>"
  std::string host;    // the launch VC's issuer DID
  std::string domain;  // the launch VC's domain UUID
  std::string reason;  // one sentence
  Bytes evidence;      // e.g. the digest of the VC that showed the drift
  std::string owner{};  // the DID that signed the launch's owner policy ("" if unknown)
};

class RevocationReporter {
 public:
  virtual ~RevocationReporter() = default;
  // Appends a revoke report of `report`, signed by `key` at `at`. The
  // ledger's refusal (already reported by this validator, already revoked)
  // or kUnavailable.
  virtual Status Report(const LaunchReport& report, const Ed25519PrivateKey& key, int64_t at) = 0;
};

}  // namespace vouch::validator

#endif  // VOUCH_VALIDATOR_REVOCATION_REPORTER_H_
