#include "vouch/validator/lease_store.h"

#include <fcntl.h>
#include <sqlite3.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <limits>

#include "vouch/core/lease_terms.h"
#include "vouch/core/private_file.h"
#include "vouch/core/unique_fd.h"

namespace vouch::validator {

namespace {

using ledger::internal::SqliteDb;
using ledger::internal::SqliteStmt;

constexpr int kLeaseStoreApplicationId = 0x766c7365;  // "vlse"
// Format 2 added `renewed` (0 until the first renewal, which ends a guest's
// boot allowance), format 3 `owner` (the policy's owner DID, named in a
// missed-deadline report); older stores are migrated in place.
constexpr int kLeaseStoreFormatVersion = 3;

constexpr const char* kSchema =
    "CREATE TABLE leases (launch TEXT PRIMARY KEY NOT NULL, host TEXT NOT NULL, "
    "domain TEXT NOT NULL, interval_s INTEGER NOT NULL, grace INTEGER NOT NULL, "
    "deadline INTEGER NOT NULL, renewed INTEGER NOT NULL DEFAULT 0, owner TEXT NOT NULL DEFAULT '');"
    "CREATE INDEX leases_by_deadline ON leases (deadline);"
    "CREATE INDEX leases_by_host ON leases (host);";

Code CodeOf(int rc) {
  if (rc == SQLITE_BUSY || rc == SQLITE_LOCKED) return Code::kUnavailable;
  if (rc == SQLITE_NOTADB || rc == SQLITE_CORRUPT) return Code::kMalformed;
  return Code::kIo;
}

// Creates `path` with mode 0600 before SQLite does (it would use the umask);
// its journal inherits the mode.
Status CreatePrivate(const std::string& path) {
  UniqueFd fd(open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600));
  if (!fd.valid() && errno != EEXIST) {
    return Error(Code::kIo, StrCat("lease store '", path, "': cannot create: ", strerror(errno)));
  }
  return Status();
}

// The lease of the current row of a "SELECT launch, host, domain, interval_s,
// grace, deadline, owner" statement.
Lease RowLease(sqlite3_stmt* stmt) {
  auto text = [stmt](int col) {
    const unsigned char* s = sqlite3_column_text(stmt, col);
    return s == nullptr ? std::string() : std::string(reinterpret_cast<const char*>(s));
  };
  Lease lease;
  lease.launch = text(0);
  lease.host = text(1);
  lease.domain = text(2);
  lease.interval_s = static_cast<uint32_t>(sqlite3_column_int64(stmt, 3));
  lease.grace = static_cast<uint32_t>(sqlite3_column_int64(stmt, 4));
  lease.deadline = sqlite3_column_int64(stmt, 5);
  lease.owner = text(6);
  return lease;
}

void BindText(sqlite3_stmt* stmt, int index, std::string_view s) {
  sqlite3_bind_text(stmt, index, s.data(), static_cast<int>(s.size()), SQLITE_TRANSIENT);
}

}  // namespace

int64_t Lease::DeadlineAfter(int64_t at) const { return LeaseDeadline(at, interval_s, grace); }

LeaseStore::LeaseStore(std::string path, SqliteDb db, size_t capacity, size_t per_host)
    : path_(std::move(path)), capacity_(capacity), per_host_(per_host), db_(std::move(db)) {}

Result<std::unique_ptr<LeaseStore>> LeaseStore::Open(const std::string& path, size_t capacity,
                                                     size_t per_host) {
  if (path.empty() || path[0] != '/') {
    return Error(Code::kInvalidArgument, StrCat("lease store path '", path, "' is not absolute"));
  }
  VOUCH_RETURN_IF_ERROR(CreatePrivate(path));
  struct stat st;
  if (lstat(path.c_str(), &st) != 0 || !S_ISREG(st.st_mode)) {
    return Error(Code::kInvalidArgument, StrCat("lease store '", path, "' is not a regular file"));
  }
  VOUCH_RETURN_IF_ERROR(CheckPrivateFile(path, "lease store"));
  sqlite3* raw = nullptr;
  int rc = sqlite3_open_v2(path.c_str(), &raw, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX, nullptr);
  SqliteDb db(raw);
  if (rc != SQLITE_OK) {
    return Error(Code::kIo, StrCat("lease store '", path, "': cannot open: ",
                                   raw != nullptr ? sqlite3_errmsg(raw) : sqlite3_errstr(rc)));
  }
  sqlite3_busy_timeout(db.get(), 2000);
  std::unique_ptr<LeaseStore> store(new LeaseStore(path, std::move(db), capacity, per_host));
  VOUCH_RETURN_IF_ERROR(store->Initialize());
  return store;
}

Error LeaseStore::SqlError(std::string_view what) const {
  int rc = sqlite3_errcode(db_.get());
  return Error(CodeOf(rc), StrCat("lease store '", path_, "': ", what, ": ", sqlite3_errmsg(db_.get())));
}

Status LeaseStore::Initialize() {
  sqlite3* db = db_.get();
  auto pragma = [&](const char* sql) -> Result<int64_t> {
    sqlite3_stmt* raw = nullptr;
    int rc = sqlite3_prepare_v2(db, sql, -1, &raw, nullptr);
    SqliteStmt stmt(raw);
    if (rc == SQLITE_OK) rc = sqlite3_step(stmt.get());
    if (rc != SQLITE_ROW) return SqlError(sql);
    return sqlite3_column_int64(stmt.get(), 0);
  };
  VOUCH_ASSIGN_OR_RETURN(int64_t app_id, pragma("PRAGMA application_id"));
  if (app_id == 0) {
    VOUCH_ASSIGN_OR_RETURN(int64_t tables, pragma("SELECT count(*) FROM sqlite_schema"));
    if (tables != 0) {
      return Error(Code::kMalformed, StrCat("lease store '", path_,
                                            "' is another application's SQLite database"));
    }
    std::string sql = StrCat("BEGIN IMMEDIATE;", kSchema, "PRAGMA application_id = ",
                             kLeaseStoreApplicationId, "; PRAGMA user_version = ",
                             kLeaseStoreFormatVersion, "; COMMIT;");
    if (sqlite3_exec(db, sql.c_str(), nullptr, nullptr, nullptr) != SQLITE_OK) {
      Error error = SqlError("cannot create the leases table");
      sqlite3_exec(db, "ROLLBACK", nullptr, nullptr, nullptr);
      return error;
    }
    app_id = kLeaseStoreApplicationId;
  }
  if (app_id != kLeaseStoreApplicationId) {
    return Error(Code::kMalformed, StrCat("lease store '", path_, "' is another application's SQLite "
                                          "database (application_id ", app_id, ")"));
  }
  VOUCH_ASSIGN_OR_RETURN(int64_t version, pragma("PRAGMA user_version"));
  if (version == 1) {
    if (sqlite3_exec(db,
                     "BEGIN IMMEDIATE; ALTER TABLE leases ADD COLUMN renewed INTEGER NOT NULL DEFAULT 0; "
                     "PRAGMA user_version = 2; COMMIT;",
                     nullptr, nullptr, nullptr) != SQLITE_OK) {
      Error error = SqlError("cannot migrate format 1 to 2");
      sqlite3_exec(db, "ROLLBACK", nullptr, nullptr, nullptr);
      return error;
    }
    version = 2;
  }
  if (version == 2) {
    if (sqlite3_exec(db,
                     "BEGIN IMMEDIATE; ALTER TABLE leases ADD COLUMN owner TEXT NOT NULL DEFAULT ''; "
                     "PRAGMA user_version = 3; COMMIT;",
                     nullptr, nullptr, nullptr) != SQLITE_OK) {
      Error error = SqlError("cannot migrate format 2 to 3");
      sqlite3_exec(db, "ROLLBACK", nullptr, nullptr, nullptr);
      return error;
    }
    version = 3;
  }
  if (version != kLeaseStoreFormatVersion) {
    return Error(Code::kMalformed, StrCat("lease store '", path_, "' has format version ", version,
                                          ", this vouchd reads version ", kLeaseStoreFormatVersion));
  }
  return Status();
}

Result<int64_t> LeaseStore::CountWhere(std::string_view sql, std::string_view arg) const {
  sqlite3_stmt* raw = nullptr;
  if (sqlite3_prepare_v2(db_.get(), sql.data(), static_cast<int>(sql.size()), &raw, nullptr) != SQLITE_OK) {
    return SqlError("cannot count leases");
  }
  SqliteStmt stmt(raw);
  if (!arg.empty()) BindText(stmt.get(), 1, arg);
  if (sqlite3_step(stmt.get()) != SQLITE_ROW) return SqlError("cannot count leases");
  return sqlite3_column_int64(stmt.get(), 0);
}

Status LeaseStore::Grant(const Lease& lease) {
  if (lease.launch.empty() || lease.host.empty() || lease.interval_s == 0 || lease.grace == 0) {
    return Error(Code::kInvalidArgument,
                 "lease: launch, host, interval and grace must all be set (interval and grace > 0)");
  }
  std::lock_guard<std::mutex> lock(mu_);
  VOUCH_ASSIGN_OR_RETURN(std::optional<Lease> held, FindLocked(lease.launch));
  // A replacement of this host's own lease takes no new room.
  if (!held.has_value() || held->host != lease.host) {
    VOUCH_ASSIGN_OR_RETURN(int64_t of_host,
                           CountWhere("SELECT count(*) FROM leases WHERE host = ?1", lease.host));
    if (static_cast<size_t>(of_host) >= per_host_) {
      return Error(Code::kRateLimited, StrCat("host ", lease.host, " already holds ", of_host,
                                              " leases (the per-host limit); stop a domain first"));
    }
    if (!held.has_value()) {
      VOUCH_ASSIGN_OR_RETURN(int64_t all, CountWhere("SELECT count(*) FROM leases", ""));
      if (static_cast<size_t>(all) >= capacity_) {
        return Error(Code::kUnavailable,
                     StrCat("lease store '", path_, "' is full (", all, " leases); no new launch is endorsed"));
      }
    }
  }
  sqlite3_stmt* raw = nullptr;
  if (sqlite3_prepare_v2(db_.get(),
                         "INSERT OR REPLACE INTO leases (launch, host, domain, interval_s, grace, deadline, owner) "
                         "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
                         -1, &raw, nullptr) != SQLITE_OK) {
    return SqlError("cannot record a lease");
  }
  SqliteStmt stmt(raw);
  BindText(stmt.get(), 1, lease.launch);
  BindText(stmt.get(), 2, lease.host);
  BindText(stmt.get(), 3, lease.domain);
  sqlite3_bind_int64(stmt.get(), 4, lease.interval_s);
  sqlite3_bind_int64(stmt.get(), 5, lease.grace);
  sqlite3_bind_int64(stmt.get(), 6, lease.deadline);
  BindText(stmt.get(), 7, lease.owner);
  if (sqlite3_step(stmt.get()) != SQLITE_DONE) return SqlError("cannot record a lease");
  return Status();
}

Status LeaseStore::Renew(std::string_view launch, int64_t at) {
  std::lock_guard<std::mutex> lock(mu_);
  VOUCH_ASSIGN_OR_RETURN(std::optional<Lease> held, FindLocked(launch));
  if (!held.has_value()) return Error(Code::kNotFound, StrCat("no lease of launch ", launch, " is held"));
  // The first renewal ends the boot allowance the grant may have added;
  // later ones only move the deadline forward.
  sqlite3_stmt* raw = nullptr;
  if (sqlite3_prepare_v2(db_.get(),
                         "UPDATE leases SET deadline = CASE WHEN renewed = 0 THEN ?2 ELSE max(deadline, ?2) END, "
                         "renewed = 1 WHERE launch = ?1",
                         -1, &raw, nullptr) != SQLITE_OK) {
    return SqlError("cannot renew a lease");
  }
  SqliteStmt stmt(raw);
  BindText(stmt.get(), 1, launch);
  sqlite3_bind_int64(stmt.get(), 2, held->DeadlineAfter(at));
  if (sqlite3_step(stmt.get()) != SQLITE_DONE) return SqlError("cannot renew a lease");
  return Status();
}

Status LeaseStore::End(std::string_view launch) {
  std::lock_guard<std::mutex> lock(mu_);
  sqlite3_stmt* raw = nullptr;
  if (sqlite3_prepare_v2(db_.get(), "DELETE FROM leases WHERE launch = ?1", -1, &raw, nullptr) != SQLITE_OK) {
    return SqlError("cannot end a lease");
  }
  SqliteStmt stmt(raw);
  BindText(stmt.get(), 1, launch);
  if (sqlite3_step(stmt.get()) != SQLITE_DONE) return SqlError("cannot end a lease");
  return Status();
}

Result<std::optional<Lease>> LeaseStore::Find(std::string_view launch) const {
  std::lock_guard<std::mutex> lock(mu_);
  return FindLocked(launch);
}

Result<std::optional<Lease>> LeaseStore::FindLocked(std::string_view launch) const {
  sqlite3_stmt* raw = nullptr;
  if (sqlite3_prepare_v2(db_.get(),
                         "SELECT launch, host, domain, interval_s, grace, deadline, owner FROM leases WHERE launch = ?1",
                         -1, &raw, nullptr) != SQLITE_OK) {
    return SqlError("cannot look up a lease");
  }
  SqliteStmt stmt(raw);
  BindText(stmt.get(), 1, launch);
  int rc = sqlite3_step(stmt.get());
  if (rc == SQLITE_DONE) return std::optional<Lease>();
  if (rc != SQLITE_ROW) return SqlError("cannot look up a lease");
  return std::optional<Lease>(RowLease(stmt.get()));
}

Result<std::vector<Lease>> LeaseStore::Missed(int64_t now, size_t limit) const {
  std::lock_guard<std::mutex> lock(mu_);
  sqlite3_stmt* raw = nullptr;
  if (sqlite3_prepare_v2(db_.get(),
                         "SELECT launch, host, domain, interval_s, grace, deadline, owner FROM leases "
                         "WHERE deadline < ?1 ORDER BY deadline, launch LIMIT ?2",
                         -1, &raw, nullptr) != SQLITE_OK) {
    return SqlError("cannot list missed leases");
  }
  SqliteStmt stmt(raw);
  sqlite3_bind_int64(stmt.get(), 1, now);
  sqlite3_bind_int64(stmt.get(), 2, static_cast<int64_t>(std::min<size_t>(limit, INT64_MAX)));
  std::vector<Lease> missed;
  int rc;
  while ((rc = sqlite3_step(stmt.get())) == SQLITE_ROW) missed.push_back(RowLease(stmt.get()));
  if (rc != SQLITE_DONE) return SqlError("cannot list missed leases");
  return missed;
}

Result<size_t> LeaseStore::Count() const {
  std::lock_guard<std::mutex> lock(mu_);
  VOUCH_ASSIGN_OR_RETURN(int64_t all, CountWhere("SELECT count(*) FROM leases", ""));
  return static_cast<size_t>(all);
}

}  // namespace vouch::validator
