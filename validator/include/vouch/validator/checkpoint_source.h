// What GET /v1/checkpoint serves (DESIGN §6 "Trust anchor"): this
// validator's signature on the ledger head it has verified, so that readers
// starting with no head file of their own can tell a truncated or rewritten
// ledger (vouch/ledger/checkpoint.h).
#ifndef VOUCH_VALIDATOR_CHECKPOINT_SOURCE_H_
#define VOUCH_VALIDATOR_CHECKPOINT_SOURCE_H_

#include <cstdint>

#include "vouch/core/bytes.h"
#include "vouch/core/ed25519.h"
#include "vouch/core/errors.h"

namespace vouch::validator {

class CheckpointSource {
 public:
  virtual ~CheckpointSource() = default;
  // The encoded checkpoint of the verified head (after a sync if the ledger
  // can be read and verified; else the head verified last), signed by
  // `key` and dated `at`. Thread-safe.
  virtual Result<Bytes> SignedCheckpoint(const Ed25519PrivateKey& key, int64_t at) = 0;
};

}  // namespace vouch::validator

#endif  // VOUCH_VALIDATOR_CHECKPOINT_SOURCE_H_
