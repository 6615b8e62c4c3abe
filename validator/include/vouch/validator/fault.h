// Fault injection for end-to-end tests: `vouchd --fault=NAME` makes this
// validator Byzantine in one specific way, so tests can show that hosts
// detect it. Never set in production; vouchd logs a warning at start.
#ifndef VOUCH_VALIDATOR_FAULT_H_
#define VOUCH_VALIDATOR_FAULT_H_

#include <string_view>

#include "vouch/core/errors.h"

namespace vouch::validator {

enum class Fault {
  kNone,
  // Approves, but re-seals a share with one byte flipped: it opens with E
  // and fails the owner's commitment.
  kWrongShare,
  // Approves, but the endorsement's signature has one bit flipped.
  kBadCountersignature,
  // Refuses every attestation (kUnavailable, HTTP 503).
  kRefuseAll,
  // Refuses every re-attestation as drift, with its signed drift verdict:
  // one Byzantine validator trying to get an honest host's guest stopped.
  kDriftAll,
};

// "none", "wrong-share", "bad-countersignature", "refuse-all", "drift-all".
std::string_view FaultName(Fault fault);
// kInvalidArgument naming the accepted values for anything else.
Result<Fault> ParseFault(std::string_view name);

}  // namespace vouch::validator

#endif  // VOUCH_VALIDATOR_FAULT_H_
