// RAII owners for SQLite handles (private to vouch_ledger): a connection is
// closed and a statement finalized when its owner goes away.
#ifndef VOUCH_LEDGER_INTERNAL_SQLITE_HANDLE_H_
#define VOUCH_LEDGER_INTERNAL_SQLITE_HANDLE_H_

#include <memory>

struct sqlite3;
struct sqlite3_stmt;

namespace vouch::ledger::internal {

struct SqliteCloser {
  void operator()(sqlite3* db) const;  // sqlite3_close_v2
};
struct SqliteFinalizer {
  void operator()(sqlite3_stmt* stmt) const;  // sqlite3_finalize
};

using SqliteDb = std::unique_ptr<sqlite3, SqliteCloser>;
using SqliteStmt = std::unique_ptr<sqlite3_stmt, SqliteFinalizer>;

}  // namespace vouch::ledger::internal

#endif  // VOUCH_LEDGER_INTERNAL_SQLITE_HANDLE_H_
