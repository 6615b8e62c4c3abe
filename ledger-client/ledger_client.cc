#include "vouch/ledger/ledger_client.h"

#include <algorithm>
#include <random>
#include <thread>

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
  VOUCH_RETURN_IF_ERROR(client->CheckRecordedHead());
  return client;
}

Result<std::unique_ptr<LedgerClient>> LedgerClient::Open(std::string_view locator,
                                                         const LedgerClientOptions& options) {
  auto ledger = OpenLedger(locator);
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
  VOUCH_RETURN_IF_ERROR(client->CheckRecordedHead());
  return client;
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
  }
  head_checked_ = true;
  return RecordHead();
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
      auto entry = Entry::ParsePinned(row.encoded);
      if (!entry.ok()) return entry.error().WithContext(StrCat("ledger entry ", row.index));
      if (entry->index() != row.index) {
        return Error(Code::kMalformed, StrCat("ledger entry ", row.index, ": stored at index ",
                                              row.index, " but it is entry ", entry->index(),
                                              " (reordered or copied)"));
      }
      VOUCH_RETURN_IF_ERROR(state_.ApplyPinned(*entry));
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
    VOUCH_ASSIGN_OR_RETURN(std::vector<Entry> entries, ledger_->ReadRange(from, from + batch));
    for (Entry& entry : entries) {
      VOUCH_RETURN_IF_ERROR(state_.Apply(entry));
      if (applied != nullptr) applied->push_back(std::move(entry));
    }
    if (entries.size() < batch) break;
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
  VOUCH_ASSIGN_OR_RETURN(AppendOutcome outcome, ledger_->Append(entry));
  if (outcome != AppendOutcome::kIndexTaken) VOUCH_RETURN_IF_ERROR(state_.Apply(entry));
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
    VOUCH_ASSIGN_OR_RETURN(AppendOutcome outcome, ledger_->Append(entry));
    if (outcome != AppendOutcome::kIndexTaken) {
      VOUCH_RETURN_IF_ERROR(state_.Apply(entry));
      return entry;
    }
    // Lost the race for this index: back off a little, then rebuild on the new head.
    const int cap_us = std::min(50'000, 500 << std::min(attempt, 7));
    std::this_thread::sleep_for(std::chrono::microseconds(jitter() % (cap_us + 1)));
  }
  return Error(Code::kUnavailable, StrCat("ledger '", ledger_->locator(), "': gave up appending a ",
                                          EntryTypeName(TypeOf(body)), " entry after ", attempts,
                                          " attempts (other writers kept taking the next index)"));
}

}  // namespace vouch::ledger
