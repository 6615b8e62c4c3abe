// Which validators a policy seals to (DESIGN §6 "Selection"): active,
// unrevoked validators from the ledger's registry, best reputation first,
// picked greedily so that no operator and no region holds more than its cap,
// with ties broken by SHA-256(seed ‖ DID) so that the same registry and seed
// always give the same selection.
//
// The operator cap matters for security: with at most t-1 shares per
// operator, no single operator can release a key on its own. The region cap
// is for availability (one region's outage does not take t validators down).
#ifndef VOUCH_CLI_VALIDATOR_SELECTION_H_
#define VOUCH_CLI_VALIDATOR_SELECTION_H_

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "vouch/core/bytes.h"
#include "vouch/core/errors.h"

namespace vouch::cli {

struct ValidatorCandidate {
  std::string did;
  Bytes hpke_public_key;
  std::string endpoint, operator_name, region;
  uint64_t reputation = 0;
};

struct SelectionRules {
  size_t count = 0;             // n, how many to pick (>= 1)
  size_t max_per_operator = 0;  // >= 1
  size_t max_per_region = 0;    // >= 1
  std::string seed;             // e.g. the domain's UUID
};

// Picks rules.count of `candidates` (the caller passes only active,
// unrevoked ones). kInvalidArgument for zero counts or caps, or a duplicate
// DID; kNotFound when the caps leave fewer than rules.count eligible, with a
// message naming how many could be picked and which cap stopped the rest.
Result<std::vector<ValidatorCandidate>> SelectValidators(std::vector<ValidatorCandidate> candidates,
                                                         const SelectionRules& rules);

}  // namespace vouch::cli

#endif  // VOUCH_CLI_VALIDATOR_SELECTION_H_
