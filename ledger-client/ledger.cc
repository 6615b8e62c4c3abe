#include "vouch/ledger/ledger.h"

#include "vouch/ledger/etcd_ledger.h"
#include "vouch/ledger/sqlite_ledger.h"

namespace vouch::ledger {
namespace {

// "1a2b3c4d5e6f7a8b…", as ChainState writes digests in messages.
std::string Short(const Sha256Digest& digest) {
  return HexEncode(ByteView(digest).subspan(0, 8)) + "…";
}

}  // namespace

std::string_view AppendOutcomeName(AppendOutcome outcome) {
  switch (outcome) {
    case AppendOutcome::kAppended: return "appended";
    case AppendOutcome::kAlreadyPresent: return "already present";
    case AppendOutcome::kIndexTaken: return "index taken";
  }
  return "?";
}

Result<AppendOutcome> Ledger::Append(const Entry& entry) {
  return AppendEncoded(entry.index(), entry.prev(), entry.encoded());
}

Result<std::vector<Entry>> Ledger::ReadRange(uint64_t from, uint64_t to) {
  VOUCH_ASSIGN_OR_RETURN(std::vector<RawEntry> rows, ReadRaw(from, to));
  std::vector<Entry> out;
  out.reserve(rows.size());
  uint64_t expected = from;
  for (const RawEntry& row : rows) {
    if (row.index != expected) {
      return Error(Code::kMalformed, StrCat("ledger entry ", expected, " is missing (the next stored "
                                            "entry is ", row.index, ")"));
    }
    auto entry = Entry::Parse(row.encoded);
    if (!entry.ok()) return entry.error().WithContext(StrCat("ledger entry ", row.index));
    if (entry->index() != row.index) {
      return Error(Code::kMalformed, StrCat("ledger entry ", row.index, ": stored at index ", row.index,
                                            " but it is entry ", entry->index(),
                                            " (reordered or copied)"));
    }
    if (!out.empty() && entry->prev() != out.back().digest()) {
      return Error(Code::kMalformed,
                   StrCat("ledger entry ", row.index, " (", EntryTypeName(entry->type()), "): prev is ",
                          Short(entry->prev()), ", expected ", Short(out.back().digest()),
                          " (the digest of entry ", row.index - 1, ")"));
    }
    out.push_back(std::move(entry).value());
    ++expected;
  }
  return out;
}

Result<std::unique_ptr<Ledger>> OpenLedger(std::string_view locator, const LedgerOptions& options) {
  constexpr std::string_view kSqlite = "sqlite://";
  if (locator.substr(0, kSqlite.size()) == kSqlite) {
    std::string path(locator.substr(kSqlite.size()));
    if (!options.access.empty()) {
      return Error(Code::kInvalidArgument,
                   StrCat("ledger '", locator, "' is a local file: ledger_ca, ledger_cert, ledger_key, ledger_user "
                          "and ledger_password_file apply to etcds:// ledgers only"));
    }
    if (path.empty() || path[0] != '/') {
      return Error(Code::kInvalidArgument,
                   StrCat("ledger locator '", locator, "': expected sqlite:///ABSOLUTE/PATH (three slashes)"));
    }
    VOUCH_ASSIGN_OR_RETURN(std::unique_ptr<SqliteLedger> ledger, SqliteLedger::Open(path, options));
    return std::unique_ptr<Ledger>(std::move(ledger));
  }
  if (locator.substr(0, 7) == "etcd://" || locator.substr(0, 8) == "etcds://") {
    EtcdOptions etcd;
    etcd.access = options.access;
    VOUCH_ASSIGN_OR_RETURN(std::unique_ptr<EtcdLedger> ledger, EtcdLedger::Open(locator, etcd));
    return std::unique_ptr<Ledger>(std::move(ledger));
  }
  return Error(Code::kInvalidArgument,
               StrCat("ledger locator '", locator, "': expected sqlite:///ABSOLUTE/PATH or "
                      "etcd[s]://HOST:PORT[,HOST:PORT…][/PREFIX]"));
}

}  // namespace vouch::ledger
