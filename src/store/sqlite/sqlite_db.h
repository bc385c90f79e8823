// A thin RAII layer over the SQLite C API whose errors name the database file. Internal to
// src/store. Not thread-safe: each Db belongs to whoever holds its owner's lock.
#ifndef ORCH_SRC_STORE_SQLITE_SQLITE_DB_H_
#define ORCH_SRC_STORE_SQLITE_SQLITE_DB_H_

#include <sqlite3.h>

#include <cstdint>
#include <memory>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace orch::sqlite {

class Db;

// A prepared statement. Bind* and Column* indexes are as in SQLite (bind from 1, columns from 0).
class Stmt {
 public:
  Stmt() = default;
  Stmt(Db* db, sqlite3_stmt* stmt) : db_(db), stmt_(stmt) {}
  Stmt(Stmt&& other) noexcept : db_(other.db_), stmt_(other.stmt_) { other.stmt_ = nullptr; }
  Stmt& operator=(Stmt&& other) noexcept;
  ~Stmt();

  void BindInt(int index, int64_t value) { sqlite3_bind_int64(stmt_, index, value); }
  // The text must stay alive until the statement is reset.
  void BindText(int index, absl::string_view text) {
    sqlite3_bind_text(stmt_, index, text.data(), static_cast<int>(text.size()), SQLITE_STATIC);
  }
  void BindBlob(int index, absl::string_view bytes) {
    sqlite3_bind_blob(stmt_, index, bytes.data(), static_cast<int>(bytes.size()), SQLITE_STATIC);
  }
  // Steps once: true with a row, false when done, or an error naming the file.
  absl::StatusOr<bool> Step();
  // Steps to completion (for statements without rows) and resets.
  absl::Status Run();
  void Reset() {
    sqlite3_reset(stmt_);
    sqlite3_clear_bindings(stmt_);
  }

  int64_t ColumnInt(int index) const { return sqlite3_column_int64(stmt_, index); }
  absl::string_view ColumnText(int index) const;

 private:
  Db* db_ = nullptr;
  sqlite3_stmt* stmt_ = nullptr;
};

class Db {
 public:
  // Opens or creates the database at `path` (":memory:" allowed).
  static absl::StatusOr<std::unique_ptr<Db>> Open(const std::string& path);
  ~Db();

  const std::string& path() const { return path_; }
  sqlite3* handle() { return db_; }

  absl::Status Exec(absl::string_view sql);
  absl::StatusOr<Stmt> Prepare(absl::string_view sql);
  // An integer from a one-row query (e.g. a PRAGMA), or an error.
  absl::StatusOr<int64_t> QueryInt(absl::string_view sql);

  // The status for SQLite result `rc` while doing `what`: the message names the file, and the
  // code says what a caller can do (Unavailable for full/busy, FailedPrecondition for corrupt).
  absl::Status Error(int rc, absl::string_view what) const;

 private:
  Db(sqlite3* db, std::string path) : db_(db), path_(std::move(path)) {}
  sqlite3* db_;
  std::string path_;
};

}  // namespace orch::sqlite

#endif  // ORCH_SRC_STORE_SQLITE_SQLITE_DB_H_
