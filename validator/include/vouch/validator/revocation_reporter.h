// Where a validator reports a credential it judged drifted (DESIGN §2
// "Revoke"): on the ledger, a revoke entry signed with the validator's own
// key. A validator's report is one vote; the subject is revoked once
// revoke_quorum distinct admitted validators reported it (ledger-client's
// ChainState), after which every validator refuses it.
#ifndef VOUCH_VALIDATOR_REVOCATION_REPORTER_H_
#define VOUCH_VALIDATOR_REVOCATION_REPORTER_H_

#include <cstdint>
#include <string_view>

#include "vouch/core/bytes.h"
#include "vouch/core/ed25519.h"
#include "vouch/core/errors.h"

namespace vouch::validator {

class RevocationReporter {
 public:
  virtual ~RevocationReporter() = default;
  // Appends a revoke report of `subject` ("cti:<hex>" or a DID) with
  // `reason` (one sentence) and `evidence` (e.g. the digest of the VC that
  // showed the drift), signed by `key` at `at`. The ledger's refusal
  // (already reported by this validator, already revoked) or kUnavailable.
  virtual Status Report(std::string_view subject, std::string_view reason, ByteView evidence,
                        const Ed25519PrivateKey& key, int64_t at) = 0;
};

}  // namespace vouch::validator

#endif  // VOUCH_VALIDATOR_REVOCATION_REPORTER_H_
