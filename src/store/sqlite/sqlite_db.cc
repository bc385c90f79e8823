#include "src/store/sqlite/sqlite_db.h"

#include "absl/strings/str_cat.h"

namespace orch::sqlite {

Stmt& Stmt::operator=(Stmt&& other) noexcept {
  if (this != &other) {
    if (stmt_ != nullptr) sqlite3_finalize(stmt_);
    db_ = other.db_;
    stmt_ = other.stmt_;
    other.stmt_ = nullptr;
  }
  return *this;
}

Stmt::~Stmt() {
  if (stmt_ != nullptr) sqlite3_finalize(stmt_);
}

absl::StatusOr<bool> Stmt::Step() {
  int rc = sqlite3_step(stmt_);
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  absl::Status error = db_->Error(rc, sqlite3_sql(stmt_));
  sqlite3_reset(stmt_);
  return error;
}

absl::Status Stmt::Run() {
  absl::StatusOr<bool> row = Step();
  while (row.ok() && *row) row = Step();
  Reset();
  return row.status();
}

absl::string_view Stmt::ColumnText(int index) const {
  const void* data = sqlite3_column_blob(stmt_, index);
  int size = sqlite3_column_bytes(stmt_, index);
  if (data == nullptr) return {};
  return absl::string_view(static_cast<const char*>(data), static_cast<size_t>(size));
}

absl::StatusOr<std::unique_ptr<Db>> Db::Open(const std::string& path) {
  sqlite3* handle = nullptr;
  int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX;
  int rc = sqlite3_open_v2(path.c_str(), &handle, flags, nullptr);
  std::unique_ptr<Db> db(new Db(handle, path));
  if (rc != SQLITE_OK) return db->Error(rc, "open");
  sqlite3_extended_result_codes(handle, 1);
  return db;
}

Db::~Db() { sqlite3_close_v2(db_); }

absl::Status Db::Exec(absl::string_view sql) {
  char* message = nullptr;
  int rc = sqlite3_exec(db_, std::string(sql).c_str(), nullptr, nullptr, &message);
  sqlite3_free(message);
  if (rc != SQLITE_OK) return Error(rc, sql);
  return absl::OkStatus();
}

absl::StatusOr<Stmt> Db::Prepare(absl::string_view sql) {
  sqlite3_stmt* stmt = nullptr;
  int rc = sqlite3_prepare_v3(db_, sql.data(), static_cast<int>(sql.size()), SQLITE_PREPARE_PERSISTENT, &stmt,
                              nullptr);
  if (rc != SQLITE_OK) return Error(rc, sql);
  return Stmt(this, stmt);
}

absl::StatusOr<int64_t> Db::QueryInt(absl::string_view sql) {
  absl::StatusOr<Stmt> stmt = Prepare(sql);
  if (!stmt.ok()) return stmt.status();
  absl::StatusOr<bool> row = stmt->Step();
  if (!row.ok()) return row.status();
  if (!*row) return absl::InternalError(absl::StrCat("database ", path_, ": no result for ", sql));
  return stmt->ColumnInt(0);
}

absl::Status Db::Error(int rc, absl::string_view what) const {
  const char* detail = db_ != nullptr ? sqlite3_errmsg(db_) : sqlite3_errstr(rc);
  std::string message = absl::StrCat("database \"", path_, "\": ", detail, " (", sqlite3_errstr(rc),
                                     ", code ", rc, ") during ", what.substr(0, 80));
  switch (rc & 0xff) {
    case SQLITE_FULL:
      return absl::UnavailableError(absl::StrCat(message, ": the disk or the database is full"));
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
      return absl::UnavailableError(absl::StrCat(message, ": the database is in use by another process"));
    case SQLITE_CORRUPT:
    case SQLITE_NOTADB:
      return absl::FailedPreconditionError(
          absl::StrCat(message, ": the file is corrupt or not an orch database"));
    case SQLITE_READONLY:
    case SQLITE_PERM:
    case SQLITE_CANTOPEN:
      return absl::PermissionDeniedError(
          absl::StrCat(message, ": the file or its directory cannot be written"));
    case SQLITE_IOERR:
      return absl::UnavailableError(absl::StrCat(message, ": I/O error"));
    default:
      return absl::InternalError(message);
  }
}

}  // namespace orch::sqlite
