// The embedded SQLite backend of Ledger (DESIGN §6): one file, shared by
// every process on the machine that opens it.
//
// Schema: table entries(idx INTEGER PRIMARY KEY, entry BLOB); the primary
// key is the index, so the database itself refuses two entries at one
// index. The file is marked as a vouch ledger (PRAGMA application_id
// 0x766f7563 "vouc", user_version 1) and runs in WAL mode with
// synchronous=FULL (an appended revocation survives a power cut) and a busy
// timeout. Append runs in a BEGIN IMMEDIATE transaction: it reads the head,
// compares, and inserts while holding the write lock, so concurrent
// appenders in several processes serialize and never fork the chain.
//
// Thread-safe (one connection, guarded by a mutex). Open one SqliteLedger
// per process; never share one across fork().
#ifndef VOUCH_LEDGER_SQLITE_LEDGER_H_
#define VOUCH_LEDGER_SQLITE_LEDGER_H_

#include <memory>
#include <mutex>
#include <string>

#include "vouch/ledger/internal/sqlite_handle.h"
#include "vouch/ledger/ledger.h"

namespace vouch::ledger {

inline constexpr int kSqliteLedgerApplicationId = 0x766f7563;  // "vouc"
inline constexpr int kSqliteLedgerFormatVersion = 1;

class SqliteLedger final : public Ledger {
 public:
  // Opens the ledger file at `path` (absolute), creating an empty ledger if
  // options.create_if_missing and the file does not exist or is an empty
  // database. Returns kNotFound "ledger '<path>' does not exist (run 'vouch
  // ledger init' first)"; kMalformed if the file is not an SQLite database,
  // is another application's database, or has another format version;
  // kUnavailable if it stays locked past the busy timeout; kIo otherwise.
  static Result<std::unique_ptr<SqliteLedger>> Open(const std::string& path,
                                                   const LedgerOptions& options = {});

  const std::string& locator() const override { return locator_; }
  const std::string& path() const { return path_; }

  Result<std::vector<RawEntry>> ReadRaw(uint64_t from, uint64_t to) override;
  Result<std::optional<uint64_t>> Head() override;
  Result<bool> WaitForIndex(uint64_t index, std::chrono::milliseconds timeout) override;

 protected:
  Result<AppendOutcome> AppendEncoded(uint64_t index, const Sha256Digest& prev,
                                      ByteView encoded) override;

 private:
  SqliteLedger(std::string path, LedgerOptions options, internal::SqliteDb db);
  Status Prepare();
  Status Initialize();
  Result<std::optional<uint64_t>> HeadLocked();
  Result<std::optional<Bytes>> EntryAtLocked(uint64_t index);
  Error SqlError(int rc, std::string_view what) const;

  std::string path_;
  std::string locator_;
  LedgerOptions options_;
  std::mutex mu_;
  internal::SqliteDb db_;
  internal::SqliteStmt head_stmt_;
  internal::SqliteStmt get_stmt_;
  internal::SqliteStmt range_stmt_;
  internal::SqliteStmt insert_stmt_;
};

}  // namespace vouch::ledger

#endif  // VOUCH_LEDGER_SQLITE_LEDGER_H_
