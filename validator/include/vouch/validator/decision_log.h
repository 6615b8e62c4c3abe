// One structured line per appraisal decision (DESIGN §4 "Every decision is
// logged as one structured line"), key=value, written to stderr by vouchd:
//
//   vouchd: decision=approved host=did:key:z6Mk… domain=5f1e… cti=1a2b… index=1 ms=3.1
//   vouchd: decision=refused code=pcr-mismatch host=did:key:z6Mk… domain=5f1e… reason="PCR 7
//   differs from reference (quoted 9a07…)"
//   vouchd: decision=refused kind=reattest code=drift host=… reason="PCR 4 changed since launch …"
//
// Values with spaces, quotes, '=' or control characters are quoted with
// backslash escapes, so a line never breaks and cannot be forged by a
// reason. Empty values are left out. The line never carries secrets: only
// DIDs, the domain UUID, the cti, codes and reasons.
#ifndef VOUCH_VALIDATOR_DECISION_LOG_H_
#define VOUCH_VALIDATOR_DECISION_LOG_H_

#include <optional>
#include <string>

#include "vouch/core/errors.h"

namespace vouch::validator {

struct Decision {
  std::string kind;  // "" for a launch attestation, "reattest" for a re-attestation
  bool approved = false;
  std::optional<Code> code;  // set when refused
  std::string host_did, domain_uuid, cti_hex;
  std::optional<uint64_t> index;
  std::string reason;       // set when refused
  double milliseconds = 0;  // appraisal time
};

// The line, without a trailing newline.
std::string FormatDecision(const Decision& decision);

// `value` as it appears after "key=": unchanged if it has no space, quote,
// backslash, '=' or byte outside printable ASCII; else in double quotes with
// \" \\ \n \t and \xHH escapes.
std::string QuoteLogValue(std::string_view value);

}  // namespace vouch::validator

#endif  // VOUCH_VALIDATOR_DECISION_LOG_H_
