// Validator-signed checkpoints of a ledger's head (DESIGN §6 "Trust
// anchor"): what lets a reader that starts with no head file of its own see
// a ledger truncated or rewritten after its pinned genesis.
//
// Each vouchd serves its own verified head at GET /v1/checkpoint:
//   {"validator": DID, "genesis": bstr32, "index": uint, "head": bstr32,
//    "at": int, "sig": bstr64}
// sig = Ed25519 by the validator's DID key over the deterministic CBOR of
//   ["vouch-checkpoint-v1", validator, genesis, index, head, at].
// A fresh reader asks every active validator of its (verified) view,
// re-syncs, and ConfirmWithCheckpoints judges the answers.
#ifndef VOUCH_LEDGER_CHECKPOINT_H_
#define VOUCH_LEDGER_CHECKPOINT_H_

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

#include "vouch/core/digest.h"
#include "vouch/core/ed25519.h"
#include "vouch/core/errors.h"
#include "vouch/ledger/chain_state.h"

namespace vouch::ledger {

// How long the readers vouch ships (vouchd, the hook, `vouch`) wait for
// each validator's checkpoint when they start with no head of their own.
inline constexpr std::chrono::milliseconds kReaderCheckpointTimeout{2000};

struct Checkpoint {
  std::string validator;  // did:key of the signer
  Sha256Digest genesis{};
  uint64_t index = 0;     // the head entry's index
  Sha256Digest head{};    // its digest
  int64_t at = 0;         // seconds since the epoch
  Bytes signature;
};

// The checkpoint of `state`'s head by `key`. REQUIRES: state.size() > 0.
Checkpoint SignCheckpoint(const ChainState& state, const Ed25519PrivateKey& key, int64_t at);

Bytes EncodeCheckpoint(const Checkpoint& checkpoint);
// Strict: the map above and nothing else, `validator` a did:key, and the
// signature verifies with that DID's key. kMalformed / kBadSignature, one
// sentence.
Result<Checkpoint> DecodeCheckpoint(ByteView encoded);

// What a set of checkpoints says about `state`.
struct CheckpointVerdict {
  // kMalformed when at least `quorum` distinct active validators signed a
  // head that `state` does not extend (it ends before their index, or holds
  // another entry there): truncated or rewritten. Ok otherwise.
  Status status;
  size_t confirming = 0;           // distinct active validators whose head `state` holds
  std::vector<std::string> notes;  // one line per checkpoint not counted, and why
};

// Judges `checkpoints` (decoded) against `state`. Counted are only those by
// a validator active in `state` and for its genesis, one per validator
// (its highest index). `quorum` ≥ 1: how many contradicting validators
// prove the ledger was cut, so that fewer rogue validators cannot make a
// reader refuse an honest ledger.
CheckpointVerdict ConfirmWithCheckpoints(const ChainState& state, const std::vector<Checkpoint>& checkpoints,
                                         size_t quorum);

// GET ENDPOINT/v1/checkpoint of every active validator of `state`, in
// parallel, each within `timeout`. Returns the decoded ones; a validator
// that does not answer or answers badly adds a line to `notes`.
std::vector<Checkpoint> FetchCheckpoints(const ChainState& state, std::chrono::milliseconds timeout,
                                         std::vector<std::string>* notes);

}  // namespace vouch::ledger

#endif  // VOUCH_LEDGER_CHECKPOINT_H_
