// A verified view of one Ledger: reads and checks every entry (signatures,
// chain, authorization) into a ChainState, keeps it current, and appends
// new entries without ever forking the chain (DESIGN §6).
//
//   auto ledger = OpenLedger("sqlite:///var/lib/vouch/ledger.db");
//   auto client = LedgerClient::Open(std::move(*ledger));   // verifies from genesis
//   client->Append(RevokeBody{host_did, "PCR 7 drift", evidence}, validator_key, now);
//   if (client->state().IsRevoked(did)) …
//
// Append signs a body at the current head and appends it if absent at that
// index; when another writer got there first it re-reads, re-checks and
// re-signs on the new head (bounded retries with jittered backoff). Entries
// that need countersignatures from other parties go through Draft (sign at
// the head), Entry::Countersigned (each party), Submit. With a submitter
// (LedgerClientOptions::submitter) Append and Submit store through it (a
// host appending through a validator) instead of through the backend, which
// this client then only reads.
//
// Not thread-safe: one LedgerClient per thread (the Ledger it owns is).
#ifndef VOUCH_LEDGER_LEDGER_CLIENT_H_
#define VOUCH_LEDGER_LEDGER_CLIENT_H_

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "vouch/core/ed25519.h"
#include "vouch/core/errors.h"
#include "vouch/ledger/chain_state.h"
#include "vouch/ledger/entry.h"
#include "vouch/ledger/entry_submitter.h"
#include "vouch/ledger/ledger.h"

namespace vouch::ledger {

// An (index, digest) pair the caller trusts, e.g. from a checkpoint entry
// cosigned by validators it trusts, or from its own earlier verification.
struct TrustedCheckpoint {
  uint64_t index = 0;
  Sha256Digest digest{};
};

struct LedgerClientOptions {
  // Attempts of Append before it gives up with kUnavailable.
  int max_append_attempts = 200;
  // Entries read per ReadRange call while syncing.
  uint64_t read_batch = 512;
  // The digest of entry 0 this reader trusts (DESIGN §6 "Trust anchor"):
  // the one `vouch ledger init` printed, from the reader's configuration.
  // The genesis authorises itself, so without a pin whoever can rewrite the
  // backend can name their own governance, TPM CAs and validators. Open
  // refuses an empty ledger or one whose entry 0 differs, naming both
  // digests. nullopt only for `vouch ledger init` and tests.
  std::optional<Sha256Digest> pinned_genesis;
  // This reader's head file (head_file.h), or empty for none. Open refuses
  // a ledger that does not contain the head recorded there (rewritten,
  // forked or truncated since this reader last saw it); each Sync that
  // moves the head records the new one.
  std::string head_file;
  // Called once for each entry skipped as junk (chain_state.h SkippedEntry)
  // while syncing, with its index and why: for the reader's log and metrics.
  std::function<void(uint64_t index, const std::string& reason)> on_skipped;
  // A reader with no recorded head (no head file, or an empty one) cannot
  // tell a ledger truncated or rewritten after the genesis by itself. With
  // a timeout, Open then asks every active validator of its view for its
  // checkpoint (checkpoint.h), each within this time, re-syncs, and refuses
  // the ledger when genesis.revoke_quorum of them verified a head it does
  // not extend; the head is recorded only after that. 0: not asked.
  std::chrono::milliseconds checkpoint_timeout{0};
  // Receives each line about checkpoints not counted, and the warning when
  // fewer than revoke_quorum validators confirmed the head.
  std::function<void(const std::string& line)> on_warning;
  // TLS and etcd authentication for Open(locator, …) (ledger_access.h).
  LedgerAccess access{};
  // Where Append and Submit store entries; the backend itself if null.
  std::shared_ptr<EntrySubmitter> submitter{};
};

// "64 hex digits" (a genesis digest as `vouch ledger init` prints it) →
// the digest. kInvalidArgument naming `what` (e.g. "--genesis").
Result<Sha256Digest> ParseGenesisPin(std::string_view what, std::string_view hex);

class LedgerClient {
 public:
  // Reads and verifies `ledger` from genesis. An empty ledger is fine (the
  // next append must be a genesis) unless a genesis is pinned. Errors:
  // kMalformed "genesis … is not the pinned genesis …" and kNotFound for an
  // empty ledger with a pin; kMalformed naming the entry if the ledger does
  // not extend the head file's head; those of Ledger::ReadRange and
  // ChainState::Apply, naming the first entry that fails; the head file's.
  static Result<std::unique_ptr<LedgerClient>> Open(std::unique_ptr<Ledger> ledger,
                                                    const LedgerClientOptions& options = {});

  // Opens the ledger `locator` names (OpenLedger) and then Open; errors
  // name the locator.
  static Result<std::unique_ptr<LedgerClient>> Open(std::string_view locator,
                                                    const LedgerClientOptions& options);

  // Reads entries 0..checkpoint.index checking only that they parse and
  // link by `prev` (their signatures are not checked: the checkpoint's
  // digest pins them), then verifies every later entry fully. kMalformed
  // "ledger entry <i>: digest … differs from the trusted checkpoint …" if
  // the stored entry does not match, kNotFound if the ledger ends before
  // checkpoint.index; otherwise the errors of Open.
  static Result<std::unique_ptr<LedgerClient>> OpenFromCheckpoint(
      std::unique_ptr<Ledger> ledger, const TrustedCheckpoint& checkpoint,
      const LedgerClientOptions& options = {});

  // Reads and verifies the entries appended since the last read; returns
  // how many (skipped ones included). An entry that does not parse, verify
  // or pass ChainState is skipped (state().skipped(), options' on_skipped)
  // and the chain continues past it; a well-formed entry whose prev does
  // not name the entry before it is an error (kMalformed: that entry was
  // replaced). On error the state keeps every entry before the failing one.
  Result<uint64_t> Sync();

  // Waits (polling the backend) until an entry beyond the current head
  // exists or `timeout` passes, then syncs; returns the number of new
  // entries (0 on timeout).
  Result<uint64_t> WaitForEntries(std::chrono::milliseconds timeout);

  // As WaitForEntries, but returns the new entries themselves, verified and
  // applied, in index order (empty on timeout). For a watcher: on SQLite it
  // polls, on etcd it waits on a watch of the next index (Ledger::WaitForIndex).
  // On error (naming the entry) the state keeps every entry before the
  // failing one, and the entries applied before it are not returned.
  Result<std::vector<Entry>> WaitForNewEntries(std::chrono::milliseconds timeout);

  // The applied (not skipped) entries with index in [from, min(to, size)),
  // read again and checked against the digests the state holds. kMalformed
  // if one changed since; the backend's errors.
  Result<std::vector<Entry>> ReadApplied(uint64_t from, uint64_t to);

  // Signs `body` by `author` at the head, dated `at`, adds a
  // countersignature by each of `countersigners` (validator-register,
  // checkpoint), checks it against the state and appends it; retries on a
  // lost race. Returns the appended entry. Errors: ChainState's refusal of
  // the entry (kBadSignature unauthorized, kRevoked, kInvalidArgument, …);
  // Entry::Sign's; kUnavailable after max_append_attempts lost races;
  // the backend's.
  Result<Entry> Append(const EntryBody& body, const Ed25519PrivateKey& author, int64_t at,
                       const std::vector<const Ed25519PrivateKey*>& countersigners = {});

  // Syncs and signs `body` as the next entry, without appending it.
  Result<Entry> Draft(const EntryBody& body, const Ed25519PrivateKey& author, int64_t at);

  // Syncs, checks `entry` against the state and appends it. Returns
  // kAppended (or kAlreadyPresent for a retry of an entry that landed);
  // kIndexTaken if another entry holds its index (Draft again). Errors:
  // ChainState's refusal, kInvalidArgument if entry.index() is beyond the
  // next index, the backend's or the submitter's; kMalformed if the
  // submitter reports an entry stored that the backend does not hold.
  Result<AppendOutcome> Submit(const Entry& entry);

  const ChainState& state() const { return state_; }
  Ledger& ledger() { return *ledger_; }

 private:
  LedgerClient(std::unique_ptr<Ledger> ledger, const LedgerClientOptions& options)
      : ledger_(std::move(ledger)), options_(options) {}
  Status SyncPinned(const TrustedCheckpoint& checkpoint);
  // The trust-anchor checks of Open (see LedgerClientOptions).
  Status CheckPinnedGenesis();
  Status CheckRecordedHead();
  // Open's step for a reader with no recorded head (checkpoint_timeout).
  Status ConfirmWithValidators();
  // The steps of Open after the first sync.
  Status CheckHeadAndRecord();
  // Records the head in the head file if it moved since the last record.
  Status RecordHead();
  // Verifies and applies one stored row at the next index: the entry, or
  // nullopt if it was skipped as junk; an error if it breaks the chain.
  Result<std::optional<Entry>> ApplyRow(const RawEntry& row);
  void SkipRow(const RawEntry& row, std::string reason);
  Error BrokenLink(const Entry& entry) const;
  // Sync, appending each applied entry to `applied` if it is not null.
  Result<uint64_t> SyncInto(std::vector<Entry>* applied);
  // Stores `entry` (checked, at the next index) through the backend or the
  // submitter; unless kIndexTaken, the state then holds it.
  Result<AppendOutcome> Store(const Entry& entry);

  std::unique_ptr<Ledger> ledger_;
  LedgerClientOptions options_;
  ChainState state_;
  bool head_checked_ = false;  // CheckRecordedHead passed: RecordHead may write
  bool had_recorded_head_ = false;  // the head file named a head of this genesis
  uint64_t recorded_size_ = 0;
};

}  // namespace vouch::ledger

#endif  // VOUCH_LEDGER_LEDGER_CLIENT_H_
