// Direct access to a ledger's SQLite file, bypassing vouch: what an attacker
// (or a careless operator) with write access to the file can do.
#ifndef VOUCH_LEDGER_TESTING_RAW_SQLITE_H_
#define VOUCH_LEDGER_TESTING_RAW_SQLITE_H_

#include <sqlite3.h>

#include <cstdlib>
#include <stdexcept>
#include <string>

#include "vouch/core/bytes.h"

namespace vouch::ledger::testing {

class RawSqlite {
 public:
  explicit RawSqlite(const std::string& path) {
    if (sqlite3_open_v2(path.c_str(), &db_, SQLITE_OPEN_READWRITE, nullptr) != SQLITE_OK) std::abort();
    sqlite3_busy_timeout(db_, 5000);
  }
  ~RawSqlite() { sqlite3_close_v2(db_); }
  RawSqlite(const RawSqlite&) = delete;
  RawSqlite& operator=(const RawSqlite&) = delete;

  void Exec(const std::string& sql) {
    char* err = nullptr;
    if (sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, &err) != SQLITE_OK) {
      std::string message = err ? err : "?";
      sqlite3_free(err);
      throw std::runtime_error(message);
    }
  }

  std::string Text(const std::string& sql) {
    sqlite3_stmt* s = nullptr;
    sqlite3_prepare_v2(db_, sql.c_str(), -1, &s, nullptr);
    std::string out;
    if (sqlite3_step(s) == SQLITE_ROW && sqlite3_column_text(s, 0) != nullptr) {
      out = reinterpret_cast<const char*>(sqlite3_column_text(s, 0));
    }
    sqlite3_finalize(s);
    return out;
  }

  Bytes Row(int64_t idx) {
    sqlite3_stmt* s = nullptr;
    sqlite3_prepare_v2(db_, "SELECT entry FROM entries WHERE idx = ?", -1, &s, nullptr);
    sqlite3_bind_int64(s, 1, idx);
    Bytes out;
    if (sqlite3_step(s) == SQLITE_ROW) {
      const auto* p = static_cast<const uint8_t*>(sqlite3_column_blob(s, 0));
      out.assign(p, p + sqlite3_column_bytes(s, 0));
    }
    sqlite3_finalize(s);
    return out;
  }

  // INSERT OR REPLACE the row at `idx`.
  void Put(int64_t idx, const Bytes& entry) {
    sqlite3_stmt* s = nullptr;
    sqlite3_prepare_v2(db_, "INSERT OR REPLACE INTO entries (idx, entry) VALUES (?, ?)", -1, &s, nullptr);
    sqlite3_bind_int64(s, 1, idx);
    sqlite3_bind_blob(s, 2, entry.data(), static_cast<int>(entry.size()), SQLITE_TRANSIENT);
    int rc = sqlite3_step(s);
    sqlite3_finalize(s);
    if (rc != SQLITE_DONE) throw std::runtime_error(sqlite3_errmsg(db_));
  }

 private:
  sqlite3* db_ = nullptr;
};

}  // namespace vouch::ledger::testing

#endif  // VOUCH_LEDGER_TESTING_RAW_SQLITE_H_
