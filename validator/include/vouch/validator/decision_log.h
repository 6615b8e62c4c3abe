// One structured line per appraisal decision (DESIGN §4 "Every decision is
// logged as one structured line"), key=value, written to vouchd's log
// (logger.h adds the time and level in front):
//
//   vouchd: decision=approved host=did:key:z6Mk… domain=5f1e… cti=1a2b… index=1 ms=3.1 peer=10.0.0.7
//   request_id=9f2c4e1a0b3d5f67
//   vouchd: decision=refused code=pcr-mismatch host=did:key:z6Mk… domain=5f1e… ms=2.0 peer=… request_id=…
//   reason="PCR 7 differs from reference (quoted 9a07…)"
//   vouchd: decision=refused kind=reattest code=drift host=… reason="PCR 4 changed since launch …"
//
// Values follow QuoteLogValue (logger.h), so a line never breaks and cannot
// be forged by a reason. Empty values are left out. The line never carries
// secrets: only DIDs, the domain UUID, the cti, codes, reasons, the peer's
// address and the request id.
#ifndef VOUCH_VALIDATOR_DECISION_LOG_H_
#define VOUCH_VALIDATOR_DECISION_LOG_H_

#include <cstdint>
#include <optional>
#include <string>

#include "vouch/core/errors.h"
#include "vouch/validator/logger.h"

namespace vouch::validator {

struct Decision {
  std::string kind;  // "" for a launch attestation, "reattest" for a re-attestation
  bool approved = false;
  std::optional<Code> code;  // set when refused
  std::string host_did, domain_uuid, cti_hex;
  std::optional<uint64_t> index;
  std::string reason;       // set when refused
  double milliseconds = 0;  // appraisal time
  int64_t at = 0;           // when decided, seconds since the epoch (not in the line: the logger dates it)
  std::string peer;         // the client's address
  std::string request_id;   // as in the answer's X-Request-Id
};

// The line, without a trailing newline, time or level.
std::string FormatDecision(const Decision& decision);

// info for an approval, warn for a refusal.
LogLevel DecisionLevel(const Decision& decision);

}  // namespace vouch::validator

#endif  // VOUCH_VALIDATOR_DECISION_LOG_H_
