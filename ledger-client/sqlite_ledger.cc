#include "vouch/ledger/sqlite_ledger.h"

#include <sqlite3.h>
#include <sys/stat.h>

#include <algorithm>
#include <limits>
#include <thread>

namespace vouch::ledger {

namespace internal {
void SqliteCloser::operator()(sqlite3* db) const { sqlite3_close_v2(db); }
void SqliteFinalizer::operator()(sqlite3_stmt* stmt) const { sqlite3_finalize(stmt); }
}  // namespace internal

namespace {

constexpr int64_t kMaxIndex = std::numeric_limits<int64_t>::max();

// Resets a cached statement (and its bindings) when the scope ends.
class ScopedReset {
 public:
  explicit ScopedReset(sqlite3_stmt* stmt) : stmt_(stmt) {}
  ~ScopedReset() {
    sqlite3_reset(stmt_);
    sqlite3_clear_bindings(stmt_);
  }
  ScopedReset(const ScopedReset&) = delete;
  ScopedReset& operator=(const ScopedReset&) = delete;

 private:
  sqlite3_stmt* stmt_;
};

// BEGIN IMMEDIATE … COMMIT; rolls back unless committed.
class Transaction {
 public:
  explicit Transaction(sqlite3* db) : db_(db) {}
  ~Transaction() {
    if (open_) sqlite3_exec(db_, "ROLLBACK", nullptr, nullptr, nullptr);
  }
  Transaction(const Transaction&) = delete;
  Transaction& operator=(const Transaction&) = delete;

  int Begin() {
    int rc = sqlite3_exec(db_, "BEGIN IMMEDIATE", nullptr, nullptr, nullptr);
    open_ = rc == SQLITE_OK;
    return rc;
  }
  int Commit() {
    int rc = sqlite3_exec(db_, "COMMIT", nullptr, nullptr, nullptr);
    if (rc == SQLITE_OK) open_ = false;
    return rc;
  }

 private:
  sqlite3* db_;
  bool open_ = false;
};

int64_t ClampIndex(uint64_t i) { return i > static_cast<uint64_t>(kMaxIndex) ? kMaxIndex : static_cast<int64_t>(i); }

// The single integer a pragma query returns.
Result<int64_t> PragmaInt(sqlite3* db, const char* sql, const std::string& path) {
  sqlite3_stmt* raw = nullptr;
  int rc = sqlite3_prepare_v2(db, sql, -1, &raw, nullptr);
  internal::SqliteStmt stmt(raw);
  if (rc == SQLITE_OK) rc = sqlite3_step(stmt.get());
  if (rc != SQLITE_ROW) {
    Code code = (rc == SQLITE_NOTADB || rc == SQLITE_CORRUPT) ? Code::kMalformed
                : (rc == SQLITE_BUSY || rc == SQLITE_LOCKED) ? Code::kUnavailable
                                                            : Code::kIo;
    return Error(code, StrCat("ledger '", path, "': ", sql, " failed: ", sqlite3_errmsg(db)));
  }
  return sqlite3_column_int64(stmt.get(), 0);
}

}  // namespace

SqliteLedger::SqliteLedger(std::string path, LedgerOptions options, internal::SqliteDb db)
    : path_(std::move(path)),
      locator_("sqlite://" + path_),
      options_(options),
      db_(std::move(db)) {}

Error SqliteLedger::SqlError(int rc, std::string_view what) const {
  Code code = Code::kIo;
  if (rc == SQLITE_BUSY || rc == SQLITE_LOCKED) code = Code::kUnavailable;
  if (rc == SQLITE_NOTADB || rc == SQLITE_CORRUPT) code = Code::kMalformed;
  std::string detail = sqlite3_errmsg(db_.get());
  if (code == Code::kUnavailable) {
    detail = StrCat(detail, " (still busy after ", options_.busy_timeout.count(), " ms)");
  }
  return Error(code, StrCat("ledger '", path_, "': ", what, ": ", detail));
}

Result<std::unique_ptr<SqliteLedger>> SqliteLedger::Open(const std::string& path,
                                                        const LedgerOptions& options) {
  if (path.empty() || path[0] != '/') {
    return Error(Code::kInvalidArgument, StrCat("ledger path '", path, "' is not absolute"));
  }
  struct stat st;
  if (stat(path.c_str(), &st) != 0) {
    if (!options.create_if_missing) {
      return Error(Code::kNotFound,
                   StrCat("ledger '", path, "' does not exist (run 'vouch ledger init' first)"));
    }
  } else if (!S_ISREG(st.st_mode)) {
    return Error(Code::kInvalidArgument, StrCat("ledger '", path, "' is not a regular file"));
  }
  int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX;
  if (options.create_if_missing) flags |= SQLITE_OPEN_CREATE;
  sqlite3* raw = nullptr;
  int rc = sqlite3_open_v2(path.c_str(), &raw, flags, nullptr);
  internal::SqliteDb db(raw);
  if (rc != SQLITE_OK) {
    return Error(rc == SQLITE_CANTOPEN ? Code::kNotFound : Code::kIo,
                 StrCat("ledger '", path, "': cannot open: ",
                        raw != nullptr ? sqlite3_errmsg(raw) : sqlite3_errstr(rc)));
  }
  sqlite3_extended_result_codes(db.get(), 0);
  sqlite3_busy_timeout(db.get(), static_cast<int>(options.busy_timeout.count()));
  std::unique_ptr<SqliteLedger> ledger(new SqliteLedger(path, options, std::move(db)));
  VOUCH_RETURN_IF_ERROR(ledger->Initialize());
  VOUCH_RETURN_IF_ERROR(ledger->Prepare());
  return ledger;
}

Status SqliteLedger::Initialize() {
  sqlite3* db = db_.get();
  // Reading the header first tells "not a database" apart from the rest.
  VOUCH_ASSIGN_OR_RETURN(int64_t app_id, PragmaInt(db, "PRAGMA application_id", path_));
  if (app_id == 0) {
    if (!options_.create_if_missing) {
      return Error(Code::kMalformed, StrCat("ledger '", path_, "' is an empty SQLite database, not a "
                                            "vouch ledger (run 'vouch ledger init' first)"));
    }
    Transaction txn(db);
    if (int rc = txn.Begin(); rc != SQLITE_OK) return SqlError(rc, "cannot start creating the ledger");
    VOUCH_ASSIGN_OR_RETURN(app_id, PragmaInt(db, "PRAGMA application_id", path_));
    if (app_id == 0) {
      VOUCH_ASSIGN_OR_RETURN(int64_t tables,
                             PragmaInt(db, "SELECT count(*) FROM sqlite_schema", path_));
      if (tables != 0) {
        return Error(Code::kMalformed, StrCat("ledger '", path_, "' is another application's SQLite "
                                              "database (it has tables but no vouch mark)"));
      }
      std::string sql = StrCat(
          "CREATE TABLE entries (idx INTEGER PRIMARY KEY NOT NULL CHECK (idx >= 0), "
          "entry BLOB NOT NULL);"
          "PRAGMA application_id = ", kSqliteLedgerApplicationId, ";"
          "PRAGMA user_version = ", kSqliteLedgerFormatVersion, ";");
      if (int rc = sqlite3_exec(db, sql.c_str(), nullptr, nullptr, nullptr); rc != SQLITE_OK) {
        return SqlError(rc, "cannot create the entries table");
      }
      app_id = kSqliteLedgerApplicationId;
    }
    if (int rc = txn.Commit(); rc != SQLITE_OK) return SqlError(rc, "cannot commit the new ledger");
  }
  if (app_id != kSqliteLedgerApplicationId) {
    return Error(Code::kMalformed, StrCat("ledger '", path_, "' is another application's SQLite "
                                          "database (application_id ", app_id, ")"));
  }
  VOUCH_ASSIGN_OR_RETURN(int64_t version, PragmaInt(db, "PRAGMA user_version", path_));
  if (version != kSqliteLedgerFormatVersion) {
    return Error(Code::kMalformed, StrCat("ledger '", path_, "' has format version ", version,
                                          ", this vouch reads version ", kSqliteLedgerFormatVersion));
  }
  // WAL lets readers run while one process appends; FULL makes every
  // committed append durable.
  sqlite3_stmt* raw = nullptr;
  int rc = sqlite3_prepare_v2(db, "PRAGMA journal_mode = WAL", -1, &raw, nullptr);
  internal::SqliteStmt wal(raw);
  if (rc == SQLITE_OK) rc = sqlite3_step(wal.get());
  if (rc != SQLITE_ROW) return SqlError(rc, "cannot switch to WAL mode");
  std::string mode = reinterpret_cast<const char*>(sqlite3_column_text(wal.get(), 0));
  if (mode != "wal") {
    return Error(Code::kIo, StrCat("ledger '", path_, "': journal mode is '", mode, "', not 'wal'"));
  }
  if (int rc2 = sqlite3_exec(db, "PRAGMA synchronous = FULL", nullptr, nullptr, nullptr); rc2 != SQLITE_OK) {
    return SqlError(rc2, "cannot set synchronous = FULL");
  }
  return Ok();
}

Status SqliteLedger::Prepare() {
  struct {
    internal::SqliteStmt* stmt;
    const char* sql;
  } statements[] = {
      {&head_stmt_, "SELECT max(idx) FROM entries"},
      {&get_stmt_, "SELECT entry FROM entries WHERE idx = ?1"},
      {&range_stmt_, "SELECT idx, entry FROM entries WHERE idx >= ?1 AND idx < ?2 ORDER BY idx"},
      {&insert_stmt_, "INSERT INTO entries (idx, entry) VALUES (?1, ?2)"},
  };
  for (auto& s : statements) {
    sqlite3_stmt* raw = nullptr;
    int rc = sqlite3_prepare_v3(db_.get(), s.sql, -1, SQLITE_PREPARE_PERSISTENT, &raw, nullptr);
    s.stmt->reset(raw);
    if (rc != SQLITE_OK) return SqlError(rc, StrCat("cannot prepare \"", s.sql, "\""));
  }
  return Ok();
}

Result<std::optional<uint64_t>> SqliteLedger::HeadLocked() {
  sqlite3_stmt* stmt = head_stmt_.get();
  ScopedReset reset(stmt);
  int rc = sqlite3_step(stmt);
  if (rc != SQLITE_ROW) return SqlError(rc, "cannot read the head index");
  if (sqlite3_column_type(stmt, 0) == SQLITE_NULL) return std::optional<uint64_t>();
  return std::optional<uint64_t>(static_cast<uint64_t>(sqlite3_column_int64(stmt, 0)));
}

Result<std::optional<Bytes>> SqliteLedger::EntryAtLocked(uint64_t index) {
  sqlite3_stmt* stmt = get_stmt_.get();
  ScopedReset reset(stmt);
  sqlite3_bind_int64(stmt, 1, ClampIndex(index));
  int rc = sqlite3_step(stmt);
  if (rc == SQLITE_DONE) return std::optional<Bytes>();
  if (rc != SQLITE_ROW) return SqlError(rc, StrCat("cannot read entry ", index));
  const auto* data = static_cast<const uint8_t*>(sqlite3_column_blob(stmt, 0));
  int size = sqlite3_column_bytes(stmt, 0);
  return std::optional<Bytes>(Bytes(data, data + size));
}

Result<std::optional<uint64_t>> SqliteLedger::Head() {
  std::lock_guard<std::mutex> lock(mu_);
  return HeadLocked();
}

Result<std::vector<RawEntry>> SqliteLedger::ReadRaw(uint64_t from, uint64_t to) {
  std::lock_guard<std::mutex> lock(mu_);
  std::vector<RawEntry> out;
  if (from >= to) return out;
  sqlite3_stmt* stmt = range_stmt_.get();
  ScopedReset reset(stmt);
  sqlite3_bind_int64(stmt, 1, ClampIndex(from));
  sqlite3_bind_int64(stmt, 2, ClampIndex(to));
  int rc;
  while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
    RawEntry row;
    row.index = static_cast<uint64_t>(sqlite3_column_int64(stmt, 0));
    const auto* data = static_cast<const uint8_t*>(sqlite3_column_blob(stmt, 1));
    row.encoded.assign(data, data + sqlite3_column_bytes(stmt, 1));
    out.push_back(std::move(row));
  }
  if (rc != SQLITE_DONE) return SqlError(rc, StrCat("cannot read entries ", from, ".."));
  return out;
}

Result<bool> SqliteLedger::WaitForIndex(uint64_t index, std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    {
      std::lock_guard<std::mutex> lock(mu_);
      VOUCH_ASSIGN_OR_RETURN(std::optional<uint64_t> head, HeadLocked());
      if (head && *head >= index) return true;
    }
    auto now = std::chrono::steady_clock::now();
    if (now >= deadline) return false;
    std::this_thread::sleep_for(
        std::min<std::chrono::steady_clock::duration>(options_.poll_interval, deadline - now));
  }
}

Result<AppendOutcome> SqliteLedger::AppendEncoded(uint64_t index, const Sha256Digest& prev,
                                                  ByteView encoded) {
  std::lock_guard<std::mutex> lock(mu_);
  if (index > static_cast<uint64_t>(kMaxIndex)) {
    return Error(Code::kInvalidArgument, StrCat("ledger '", path_, "': index ", index, " is out of range"));
  }
  Transaction txn(db_.get());
  if (int rc = txn.Begin(); rc != SQLITE_OK) {
    return SqlError(rc, StrCat("cannot start appending entry ", index));
  }
  VOUCH_ASSIGN_OR_RETURN(std::optional<uint64_t> head, HeadLocked());
  const uint64_t next = head ? *head + 1 : 0;
  if (index < next) {
    VOUCH_ASSIGN_OR_RETURN(std::optional<Bytes> stored, EntryAtLocked(index));
    if (stored && std::equal(stored->begin(), stored->end(), encoded.begin(), encoded.end())) {
      return AppendOutcome::kAlreadyPresent;
    }
    return AppendOutcome::kIndexTaken;
  }
  if (index > next) {
    return Error(Code::kInvalidArgument,
                 StrCat("ledger '", path_, "': cannot append entry ", index, ", the next index is ", next));
  }
  if (index > 0) {
    VOUCH_ASSIGN_OR_RETURN(std::optional<Bytes> before, EntryAtLocked(index - 1));
    if (!before || Sha256(*before) != prev) {
      return Error(Code::kInvalidArgument,
                   StrCat("ledger '", path_, "': entry ", index, "'s prev is not the digest of the stored "
                          "entry ", index - 1, " (it was built on another view of the chain)"));
    }
  }
  {
    sqlite3_stmt* stmt = insert_stmt_.get();
    ScopedReset reset(stmt);
    sqlite3_bind_int64(stmt, 1, static_cast<int64_t>(index));
    sqlite3_bind_blob(stmt, 2, encoded.data(), static_cast<int>(encoded.size()), SQLITE_STATIC);
    int rc = sqlite3_step(stmt);
    if (rc == SQLITE_CONSTRAINT) return AppendOutcome::kIndexTaken;  // cannot happen under the lock
    if (rc != SQLITE_DONE) return SqlError(rc, StrCat("cannot insert entry ", index));
  }
  if (int rc = txn.Commit(); rc != SQLITE_OK) return SqlError(rc, StrCat("cannot commit entry ", index));
  return AppendOutcome::kAppended;
}

}  // namespace vouch::ledger
