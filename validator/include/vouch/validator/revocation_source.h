// What GET /v1/status/revocation serves from (DESIGN §4, §3 "Revocation as
// a status list"): the revocations of this validator's verified view of the
// ledger, which the server renders as a Bitstring Status List credential
// signed with its key (vouch/w3c/revocation_list.h).
#ifndef VOUCH_VALIDATOR_REVOCATION_SOURCE_H_
#define VOUCH_VALIDATOR_REVOCATION_SOURCE_H_

#include <string>
#include <vector>

#include "vouch/core/errors.h"

namespace vouch::validator {

class RevocationSource {
 public:
  virtual ~RevocationSource() = default;
  // Every revoked subject (DIDs and "cti:<hex>") after a sync, sorted;
  // kUnavailable if the ledger cannot be read or no longer verifies (a list
  // from a stale view would say "not revoked" about what is). Thread-safe.
  virtual Result<std::vector<std::string>> RevokedSubjects() = 0;
};

}  // namespace vouch::validator

#endif  // VOUCH_VALIDATOR_REVOCATION_SOURCE_H_
