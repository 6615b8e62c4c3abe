#include "vouch/ledger/ledger_client.h"

#include <algorithm>
#include <random>
#include <thread>

#include "vouch/ledger/checkpoint.h"
#include "vouch/ledger/head_file.h"

namespace vouch::ledger {

Result<Sha256Digest> ParseGenesisPin(std::string_view what, std::string_view hex) {
  auto bytes = HexDecode(hex);
  Sha256Digest out{};
  if (!bytes.ok() || bytes->size() != out.size()) {
    return Error(Code::kInvalidArgument,
                 StrCat(what, ": '", hex, "' is not a genesis digest (64 hex digits, as 'vouch ledger init' printed)"));
  }
  std::copy(bytes->begin(), bytes->end(), out.begin());
  return out;
}

Result<std::unique_ptr<LedgerClient>> LedgerClient::Open(std::unique_ptr<Ledger> ledger,
                                                         const LedgerClientOptions& options) {
  std::unique_ptr<LedgerClient> client(new LedgerClient(std::move(ledger), options));
  VOUCH_RETURN_IF_ERROR(client->CheckPinnedGenesis());
  VOUCH_RETURN_IF_ERROR(client->Sync());
  VOUCH_RETURN_IF_ERROR(client->CheckHeadAndRecord());
  return client;
}

Result<std::unique_ptr<LedgerClient>> LedgerClient::Open(std::string_view locator,
                                                         const LedgerClientOptions& options) {
  LedgerOptions ledger_options;
  ledger_options.access = options.access;
  auto ledger = OpenLedger(locator, ledger_options);
  if (!ledger.ok()) return ledger.error().WithContext(StrCat("ledger '", locator, "'"));
  auto client = Open(std::move(ledger).value(), options);
  if (!client.ok()) return client.error().WithContext(StrCat("ledger '", locator, "'"));
  return client;
}

Result<std::unique_ptr<LedgerClient>> LedgerClient::OpenFromCheckpoint(
    std::unique_ptr<Ledger> ledger, const TrustedCheckpoint& checkpoint,
    const LedgerClientOptions& options) {
  std::unique_ptr<LedgerClient> client(new LedgerClient(std::move(ledger), options));
  VOUCH_RETURN_IF_ERROR(client->CheckPinnedGenesis());
  VOUCH_RETURN_IF_ERROR(client->SyncPinned(checkpoint));
  VOUCH_RETURN_IF_ERROR(client->Sync());
  VOUCH_RETURN_IF_ERROR(client->CheckHeadAndRecord());
  return client;
}

Status LedgerClient::CheckHeadAndRecord() {
  VOUCH_RETURN_IF_ERROR(CheckRecordedHead());
  if (!had_recorded_head_) VOUCH_RETURN_IF_ERROR(ConfirmWithValidators());
  head_checked_ = true;
  return RecordHead();
}

Status LedgerClient::ConfirmWithValidators() {
  if (options_.checkpoint_timeout.count() <= 0 || state_.genesis() == nullptr) return Ok();
  auto warn = [this](const std::string& line) {
    if (options_.on_warning) options_.on_warning(line);
  };
  std::vector<std::string> notes;
  std::vector<Checkpoint> checkpoints = FetchCheckpoints(state_, options_.checkpoint_timeout, &notes);
  // Entries appended while we asked are not a contradiction.
  VOUCH_RETURN_IF_ERROR(Sync());
  size_t quorum = std::max<uint64_t>(1, state_.genesis()->revoke_quorum);
  CheckpointVerdict verdict = ConfirmWithCheckpoints(state_, checkpoints, quorum);
  VOUCH_RETURN_IF_ERROR(verdict.status);
  notes.insert(notes.end(), verdict.notes.begin(), verdict.notes.end());
  for (const std::string& line : notes) warn(line);
  if (verdict.confirming < quorum) {
    warn(StrCat("only ", verdict.confirming, " of the ", quorum,
                " validators needed confirmed this ledger's head with a checkpoint: a reader with no "
                "head file of its own cannot tell whether entries were removed"));
  }
  return Ok();
}

// Before anything else is read: the stored entry 0, by the digest of its
// bytes (the pin vouches for them; no signature needs to verify first).
Status LedgerClient::CheckPinnedGenesis() {
  if (!options_.pinned_genesis) return Ok();
  VOUCH_ASSIGN_OR_RETURN(std::vector<RawEntry> rows, ledger_->ReadRaw(0, 1));
  const std::string pinned = HexEncode(*options_.pinned_genesis);
  if (rows.empty() || rows[0].index != 0) {
    return Error(Code::kNotFound, StrCat("it is empty, but its genesis is pinned to ", pinned,
                                         " (the wrong ledger, or it was wiped)"));
  }
  Sha256Digest found = Sha256(rows[0].encoded);
  if (found != *options_.pinned_genesis) {
    return Error(Code::kMalformed,
                 StrCat("genesis ", HexEncode(found), " is not the pinned genesis ", pinned,
                        " (another ledger, or this one rewritten): refusing to trust it"));
  }
  return Ok();
}

Status LedgerClient::CheckRecordedHead() {
  if (options_.head_file.empty()) return Ok();
  VOUCH_ASSIGN_OR_RETURN(std::optional<VerifiedHead> seen, ReadHeadFile(options_.head_file));
  std::optional<Sha256Digest> genesis = state_.DigestAt(0);
  if (seen && genesis && seen->genesis == *genesis) {
    std::optional<Sha256Digest> now = state_.DigestAt(seen->index);
    if (!now) {
      return Error(Code::kMalformed,
                   StrCat("it ends at entry ", state_.size() - 1, ", but this reader verified entry ",
                          seen->index, " before (", options_.head_file,
                          "): entries were removed or the ledger replaced"));
    }
    if (*now != seen->digest) {
      return Error(Code::kMalformed,
                   StrCat("entry ", seen->index, " is ", HexEncode(*now), ", but this reader verified ",
                          HexEncode(seen->digest), " there before (", options_.head_file,
                          "): the ledger was rewritten or forked"));
    }
    had_recorded_head_ = true;
  }
  return Ok();
}

// Append and Submit do not record: the next Sync does (a head file that
// lags behind is still a prefix the ledger must extend).
Status LedgerClient::RecordHead() {
  if (!head_checked_ || options_.head_file.empty() || state_.size() == 0 ||
      state_.size() == recorded_size_) {
    return Ok();
  }
  VerifiedHead head{*state_.DigestAt(0), state_.size() - 1, state_.head_digest()};
  VOUCH_RETURN_IF_ERROR(WriteHeadFile(options_.head_file, head));
  recorded_size_ = state_.size();
  return Ok();
}

Status LedgerClient::SyncPinned(const TrustedCheckpoint& checkpoint) {
  const uint64_t end = checkpoint.index + 1;
  const uint64_t batch = std::max<uint64_t>(1, options_.read_batch);
  while (state_.size() < end) {
    const uint64_t from = state_.size();
    VOUCH_ASSIGN_OR_RETURN(std::vector<RawEntry> rows,
                           ledger_->ReadRaw(from, std::min(end, from + batch)));
    if (rows.empty()) {
      return Error(Code::kNotFound, StrCat("ledger '", ledger_->locator(), "' ends before entry ",
                                           from, ", the trusted checkpoint is entry ", checkpoint.index));
    }
    for (const RawEntry& row : rows) {
      if (row.index != state_.size()) {
        return Error(Code::kMalformed, StrCat("ledger entry ", state_.size(), " is missing (the next "
                                              "stored entry is ", row.index, ")"));
      }
      // The checkpoint pins these bytes; what does not parse or apply is
      // junk the chain passed over, as in Sync.
      auto entry = Entry::ParsePinned(row.encoded);
      if (!entry.ok() || entry->index() != row.index) {
        if (row.index == 0) return Error(Code::kMalformed, "ledger entry 0 is not a valid genesis");
        SkipRow(row, StrCat("ledger entry ", row.index, ": ",
                            entry.ok() ? "stored at another index than it names" : entry.error().message()));
        continue;
      }
      if (entry->prev() != state_.head_digest()) return BrokenLink(*entry);
      if (Status s = state_.ApplyPinned(*entry); !s.ok()) {
        if (row.index == 0) return s.error();
        SkipRow(row, s.error().message());
      }
    }
  }
  if (state_.head_digest() != checkpoint.digest) {
    return Error(Code::kMalformed,
                 StrCat("ledger entry ", checkpoint.index, ": digest ", HexEncode(state_.head_digest()),
                        " differs from the trusted checkpoint ", HexEncode(checkpoint.digest)));
  }
  return Ok();
}

Result<uint64_t> LedgerClient::Sync() { return SyncInto(nullptr); }

Result<uint64_t> LedgerClient::SyncInto(std::vector<Entry>* applied) {
  const uint64_t start = state_.size();
  const uint64_t batch = std::max<uint64_t>(1, options_.read_batch);
  for (;;) {
    const uint64_t from = state_.size();
    VOUCH_ASSIGN_OR_RETURN(std::vector<RawEntry> rows, ledger_->ReadRaw(from, from + batch));
    for (const RawEntry& row : rows) {
      if (row.index != state_.size()) {
        return Error(Code::kMalformed, StrCat("ledger entry ", state_.size(), " is missing (the next "
                                              "stored entry is ", row.index, ")"));
      }
      VOUCH_ASSIGN_OR_RETURN(std::optional<Entry> entry, ApplyRow(row));
      if (entry && applied != nullptr) applied->push_back(std::move(entry).value());
    }
    if (rows.size() < batch) break;
  }
  if (state_.size() > 0) {
    // Entries this client has verified must still be there.
    VOUCH_ASSIGN_OR_RETURN(std::optional<uint64_t> head, ledger_->Head());
    if (!head || *head + 1 < state_.size()) {
      return Error(Code::kMalformed,
                   StrCat("ledger '", ledger_->locator(), "' ends ",
                          head ? StrCat("at entry ", *head) : std::string("empty"), " but entry ",
                          state_.size() - 1, " was verified before (entries were removed)"));
    }
  }
  VOUCH_RETURN_IF_ERROR(RecordHead());
  return state_.size() - start;
}

// Junk is skipped, a broken link is not: an entry that does not parse or
// verify, names another index, or breaks the rules is skipped (its digest
// still chains), but a well-formed entry whose prev does not name the
// entry before it means that entry was replaced — skipping it would let a
// writer hide the entry it replaced (a revocation, say).
Result<std::optional<Entry>> LedgerClient::ApplyRow(const RawEntry& row) {
  const std::string context = StrCat("ledger entry ", row.index);
  auto entry = Entry::Parse(row.encoded);
  std::string junk;
  if (!entry.ok()) {
    junk = entry.error().message();
  } else if (entry->index() != row.index) {
    junk = StrCat("stored at index ", row.index, " but it is entry ", entry->index(), " (reordered or copied)");
  } else if (entry->prev() != state_.head_digest()) {
    return BrokenLink(*entry);
  } else if (Status s = state_.Apply(*entry); !s.ok()) {
    junk = s.error().message();
  } else {
    return std::optional<Entry>(std::move(entry).value());
  }
  if (row.index == 0) return Error(Code::kMalformed, StrCat(context, " is not a valid genesis: ", junk));
  SkipRow(row, junk.rfind("ledger entry ", 0) == 0 ? junk : StrCat(context, ": ", junk));
  return std::optional<Entry>();
}

// A well-formed entry whose prev does not name the stored entry before it:
// ChainState's message (prev found and expected), and if that entry was
// skipped as junk, that it is what was replaced.
Error LedgerClient::BrokenLink(const Entry& entry) const {
  Error error = state_.Check(entry).error();
  const auto& skipped = state_.skipped();
  if (!skipped.empty() && skipped.back().index + 1 == entry.index()) {
    return Error(error.code(), StrCat(error.message(), "; entry ", skipped.back().index,
                                      " was replaced (it is junk: ", skipped.back().reason, ")"));
  }
  return error;
}

void LedgerClient::SkipRow(const RawEntry& row, std::string reason) {
  state_.Skip(Sha256(row.encoded), reason);
  if (options_.on_skipped) options_.on_skipped(row.index, reason);
}

Result<std::vector<Entry>> LedgerClient::ReadApplied(uint64_t from, uint64_t to) {
  to = std::min(to, state_.size());
  std::vector<Entry> out;
  if (from >= to) return out;
  VOUCH_ASSIGN_OR_RETURN(std::vector<RawEntry> rows, ledger_->ReadRaw(from, to));
  for (const RawEntry& row : rows) {
    if (row.index >= to) break;
    if (state_.IsSkipped(row.index)) continue;
    // The state's digests pin every entry it holds: no signature to check again.
    if (Sha256(row.encoded) != *state_.DigestAt(row.index)) {
      return Error(Code::kMalformed, StrCat("ledger entry ", row.index, " changed after it was verified"));
    }
    auto entry = Entry::ParsePinned(row.encoded);
    if (!entry.ok()) return entry.error().WithContext(StrCat("ledger entry ", row.index));
    out.push_back(std::move(entry).value());
  }
  return out;
}

Result<uint64_t> LedgerClient::WaitForEntries(std::chrono::milliseconds timeout) {
  VOUCH_ASSIGN_OR_RETURN(bool more, ledger_->WaitForIndex(state_.size(), timeout));
  if (!more) return uint64_t{0};
  return Sync();
}

Result<std::vector<Entry>> LedgerClient::WaitForNewEntries(std::chrono::milliseconds timeout) {
  std::vector<Entry> applied;
  VOUCH_ASSIGN_OR_RETURN(bool more, ledger_->WaitForIndex(state_.size(), timeout));
  if (more) VOUCH_RETURN_IF_ERROR(SyncInto(&applied));
  return applied;
}

Result<Entry> LedgerClient::Draft(const EntryBody& body, const Ed25519PrivateKey& author, int64_t at) {
  VOUCH_RETURN_IF_ERROR(Sync());
  return Entry::Sign(state_.size(), state_.head_digest(), at, body, author);
}

Result<AppendOutcome> LedgerClient::Submit(const Entry& entry) {
  VOUCH_RETURN_IF_ERROR(Sync());
  if (entry.index() < state_.size()) {
    return state_.DigestAt(entry.index()) == entry.digest() ? AppendOutcome::kAlreadyPresent
                                                            : AppendOutcome::kIndexTaken;
  }
  if (entry.index() > state_.size()) {
    return Error(Code::kInvalidArgument, StrCat("entry ", entry.index(), " cannot be appended to ledger '",
                                                ledger_->locator(), "': the next index is ", state_.size()));
  }
  VOUCH_RETURN_IF_ERROR(state_.Check(entry));
  return Store(entry);
}

Result<AppendOutcome> LedgerClient::Store(const Entry& entry) {
  if (!options_.submitter) {
    VOUCH_ASSIGN_OR_RETURN(AppendOutcome outcome, ledger_->Append(entry));
    if (outcome != AppendOutcome::kIndexTaken) VOUCH_RETURN_IF_ERROR(state_.Apply(entry));
    return outcome;
  }
  VOUCH_ASSIGN_OR_RETURN(AppendOutcome outcome, options_.submitter->Submit(entry, state_));
  // What the submitter says is stored must be what this client reads back.
  VOUCH_RETURN_IF_ERROR(Sync());
  std::optional<Sha256Digest> stored = state_.DigestAt(entry.index());
  if (outcome == AppendOutcome::kIndexTaken) return outcome;
  if (!stored) {
    return Error(Code::kMalformed, StrCat("ledger '", ledger_->locator(), "': entry ", entry.index(), " was reported ",
                                          AppendOutcomeName(outcome), ", but the ledger ends before it"));
  }
  if (*stored != entry.digest() || state_.IsSkipped(entry.index())) return AppendOutcome::kIndexTaken;
  return outcome;
}

Result<Entry> LedgerClient::Append(const EntryBody& body, const Ed25519PrivateKey& author, int64_t at,
                                   const std::vector<const Ed25519PrivateKey*>& countersigners) {
  std::minstd_rand jitter(std::random_device{}());
  const int attempts = std::max(1, options_.max_append_attempts);
  for (int attempt = 0; attempt < attempts; ++attempt) {
    VOUCH_ASSIGN_OR_RETURN(Entry entry, Draft(body, author, at));
    for (const Ed25519PrivateKey* key : countersigners) {
      VOUCH_ASSIGN_OR_RETURN(entry, entry.Countersigned(*key));
    }
    VOUCH_RETURN_IF_ERROR(state_.Check(entry));
    VOUCH_ASSIGN_OR_RETURN(AppendOutcome outcome, Store(entry));
    if (outcome != AppendOutcome::kIndexTaken) return entry;
    // Lost the race for this index: back off a little, then rebuild on the new head.
    const int cap_us = std::min(50'000, 500 << std::min(attempt, 7));
    std::this_thread::sleep_for(std::chrono::microseconds(jitter() % (cap_us + 1)));
  }
  return Error(Code::kUnavailable, StrCat("ledger '", ledger_->locator(), "': gave up appending a ",
                                          EntryTypeName(TypeOf(body)), " entry after ", attempts,
                                          " attempts (other writers kept taking the next index)"));
}

}  // namespace vouch::ledger
