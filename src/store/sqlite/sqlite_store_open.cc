// Opening a SQLite store: the file's checks and lock, the schema, and loading the current state.
#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "orch/api/codec.h"
#include "src/store/sqlite/sqlite_store.h"

namespace orch {
namespace {

// PRAGMA application_id of an orch database: "orch".
constexpr int64_t kApplicationId = 0x6f726368;
// PRAGMA user_version: the schema this code reads and writes.
constexpr int64_t kSchemaVersion = 1;
// The page size of a new file. Objects of one to a few KB fill 8 KiB pages with fewer B-tree
// splits and WAL frames than SQLite's 4 KiB; larger pages made a small commit, which writes whole
// pages, dearer (bench/store with 1 writer: 16 KiB -10%, 32 KiB -30%).
constexpr int64_t kPageSize = 8192;
// How much the WAL holds before a checkpoint copies it into the database file (4096 pages of 4 KiB
// before kPageSize was raised).
constexpr int64_t kCheckpointBytes = 16 << 20;

}  // namespace

std::string FullKey(const std::string& kind_key, const std::string& key) {
  return absl::StrCat(kind_key, "\x02", key);
}

absl::StatusOr<std::unique_ptr<Store>> OpenSqliteStore(const SqliteStoreOptions& options) {
  absl::StatusOr<std::unique_ptr<SqliteStore>> store = SqliteStore::Open(options);
  if (!store.ok()) return store.status();
  return std::unique_ptr<Store>(std::move(*store));
}

std::unique_ptr<Store> OpenMemoryStore(const MemoryStoreOptions& options) {
  return SqliteStore::OpenMemory(options);
}

SqliteStore::SqliteStore(const SqliteStoreOptions& options, bool memory)
    : options_(options), memory_(memory) {}

SqliteStore::~SqliteStore() {
  {
    absl::MutexLock lock(&state_mu_);
    for (const auto& watcher : watchers_) watcher->Stop();
  }
  {
    absl::MutexLock lock(&db_mu_);
    insert_ = sqlite::Stmt();
    begin_ = sqlite::Stmt();
    commit_ = sqlite::Stmt();
    compact_scan_ = sqlite::Stmt();
    compact_erase_ = sqlite::Stmt();
    compact_save_ = sqlite::Stmt();
    db_.reset();
  }
  if (lock_fd_ >= 0) close(lock_fd_);
}

absl::StatusOr<std::unique_ptr<SqliteStore>> SqliteStore::Open(const SqliteStoreOptions& options) {
  // At least one revision of history, as for the memory store: compacting the newest row away would
  // leave the file without its revision.
  SqliteStoreOptions clamped = options;
  clamped.history_revisions = std::max<int64_t>(options.history_revisions, 1);
  std::unique_ptr<SqliteStore> store(new SqliteStore(clamped, /*memory=*/false));
  absl::Status status = store->Init(clamped.path.empty() ? ":memory:" : clamped.path);
  if (status.ok()) status = store->Load();
  if (!status.ok()) return status;
  return store;
}

std::unique_ptr<SqliteStore> SqliteStore::OpenMemory(const MemoryStoreOptions& options) {
  SqliteStoreOptions base;
  base.path.clear();
  // The event log is the history: events leave it once history_revisions newer ones followed.
  base.history_revisions = std::max<int64_t>(options.history_revisions, 1);
  base.event_cache_size = static_cast<size_t>(base.history_revisions);
  base.watch_queue_limit = options.watch_queue_limit;
  base.bookmark_interval = options.bookmark_interval;
  return std::unique_ptr<SqliteStore>(new SqliteStore(base, /*memory=*/true));
}

absl::Status SqliteStore::Init(const std::string& path) {
  const bool in_memory = path == ":memory:";
  if (!in_memory) {
    const std::filesystem::path parent = std::filesystem::path(path).parent_path();
    const std::string dir = parent.empty() ? std::string(".") : parent.string();
    if (access(dir.c_str(), W_OK) != 0) {
      return absl::PermissionDeniedError(absl::StrCat(
          "database \"", path, "\": cannot write its directory \"", dir, "\": ", std::strerror(errno)));
    }
    lock_fd_ = open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    if (lock_fd_ < 0) {
      // EACCES, EROFS: PermissionDenied; ENOSPC, EDQUOT: ResourceExhausted; ENOENT: NotFound; ...
      const int error = errno;
      return absl::Status(absl::ErrnoToStatusCode(error),
                          absl::StrCat("database \"", path, "\": cannot open: ", std::strerror(error)));
    }
    if (flock(lock_fd_, LOCK_EX | LOCK_NB) != 0) {
      return absl::UnavailableError(
          absl::StrCat("database \"", path, "\": in use by another process (it holds the file's lock)"));
    }
  }
  absl::MutexLock lock(&db_mu_);
  absl::StatusOr<std::unique_ptr<sqlite::Db>> db = sqlite::Db::Open(path);
  if (!db.ok()) return db.status();
  db_ = std::move(*db);

  absl::StatusOr<int64_t> app_id = db_->QueryInt("PRAGMA application_id");
  if (!app_id.ok()) return app_id.status();
  absl::StatusOr<int64_t> tables = db_->QueryInt("SELECT count(*) FROM sqlite_master");
  if (!tables.ok()) return tables.status();
  if (*app_id != kApplicationId && (*app_id != 0 || *tables != 0)) {
    return absl::FailedPreconditionError(absl::StrCat("database \"", path,
                                                      "\": not an orch database (application_id ", *app_id,
                                                      ", ", *tables, " tables)"));
  }
  absl::StatusOr<int64_t> version = db_->QueryInt("PRAGMA user_version");
  if (!version.ok()) return version.status();
  if (*version > kSchemaVersion) {
    return absl::FailedPreconditionError(absl::StrCat("database \"", path, "\": schema version ", *version,
                                                      " was written by a newer orch (this one reads ",
                                                      kSchemaVersion, ")"));
  }
  // A new file gets pages of kPageSize (an existing one keeps its own); it must be set before the
  // file turns to WAL.
  if (absl::Status s = db_->Exec(absl::StrCat("PRAGMA page_size=", kPageSize)); !s.ok()) return s;
  absl::StatusOr<int64_t> page_size = db_->QueryInt("PRAGMA page_size");
  if (!page_size.ok()) return page_size.status();
  // A checkpoint syncs the database file and stalls every writer of the batch behind it: checkpoint
  // once the WAL holds kCheckpointBytes (the WAL is reused) rather than SQLite's 1000 pages.
  std::string pragmas = absl::StrCat("PRAGMA synchronous=", options_.power_loss_safe ? "FULL" : "NORMAL",
                                     "; PRAGMA foreign_keys=OFF; PRAGMA cache_size=-16384;",
                                     " PRAGMA wal_autocheckpoint=", kCheckpointBytes / *page_size, ";");
  // One connection owns the file (others are kept out by the lock above), so SQLite need not take
  // file locks per transaction nor share its WAL index through memory-mapped files.
  if (!in_memory) pragmas = absl::StrCat("PRAGMA locking_mode=EXCLUSIVE; PRAGMA journal_mode=WAL; ", pragmas);
  if (options_.max_pages > 0) absl::StrAppend(&pragmas, "PRAGMA max_page_count=", options_.max_pages, ";");
  if (absl::Status s = db_->Exec(pragmas); !s.ok()) return s;
  if (*tables == 0) {
    absl::Status s = db_->Exec(absl::StrCat(
        "BEGIN;"
        "CREATE TABLE history(rv INTEGER PRIMARY KEY, kind TEXT NOT NULL, namespace TEXT NOT NULL,"
        " name TEXT NOT NULL, event INTEGER NOT NULL, prev_rv INTEGER NOT NULL, data BLOB NOT NULL);"
        "CREATE TABLE meta(key TEXT PRIMARY KEY, value INTEGER NOT NULL);"
        "PRAGMA application_id=",
        kApplicationId, "; PRAGMA user_version=", kSchemaVersion, "; COMMIT;"));
    if (!s.ok()) return s;
  }
  absl::StatusOr<sqlite::Stmt> insert = db_->Prepare(
      "INSERT INTO history(rv, kind, namespace, name, event, prev_rv, data) VALUES(?,?,?,?,?,?,?)");
  if (!insert.ok()) return insert.status();
  insert_ = std::move(*insert);
  absl::StatusOr<sqlite::Stmt> begin = db_->Prepare("BEGIN");
  if (!begin.ok()) return begin.status();
  begin_ = std::move(*begin);
  absl::StatusOr<sqlite::Stmt> commit = db_->Prepare("COMMIT");
  if (!commit.ok()) return commit.status();
  commit_ = std::move(*commit);
  for (auto [stmt, sql] :
       {std::pair{&compact_scan_,
                  "SELECT rv, event, prev_rv FROM history WHERE rv > ? "
                  "AND rv <= ? ORDER BY rv LIMIT ?"},
        std::pair{&compact_erase_, "DELETE FROM history WHERE rv = ?"},
        std::pair{&compact_save_, "INSERT OR REPLACE INTO meta(key, value) VALUES('compacted', ?)"}}) {
    absl::StatusOr<sqlite::Stmt> prepared = db_->Prepare(sql);
    if (!prepared.ok()) return prepared.status();
    *stmt = std::move(*prepared);
  }
  return absl::OkStatus();
}

absl::Status SqliteStore::Load() {
  absl::MutexLock lock(&mu_);
  absl::WriterMutexLock state_lock(&state_mu_);
  absl::MutexLock db_lock(&db_mu_);
  // A file edited or damaged outside orch is refused with what is wrong and where, rather than
  // served: a wrong row would be a wrong object, and a wrong revision every later write's.
  auto bad_file = [&](auto&&... what) {
    return absl::FailedPreconditionError(absl::StrCat("database \"", db_->path(), "\": ", what...));
  };
  absl::StatusOr<sqlite::Stmt> meta = db_->Prepare("SELECT value FROM meta WHERE key='compacted'");
  if (!meta.ok()) return meta.status();
  absl::StatusOr<bool> has_meta = meta->Step();
  if (!has_meta.ok()) return has_meta.status();
  int64_t compacted = *has_meta ? meta->ColumnInt(0) : 0;
  if (compacted < 0) return bad_file("meta.compacted is ", compacted, ", below 0");

  // The newest row of each key decides whether it exists.
  struct Latest {
    int64_t rv;
    int64_t event;
    uint32_t id;  // the key's index, for `rows`
  };
  absl::flat_hash_map<std::string, Latest> latest;
  // Every row, in revision order: what a prev_rv may point at.
  struct Row {
    int64_t rv;
    uint32_t id;
    int64_t event;
  };
  std::vector<Row> rows;
  // Rows compaction should have removed, as files of older builds kept them: a version superseded
  // at or before the compacted revision, and a deletion at or before it (see CompactStepLocked).
  std::vector<int64_t> stale;
  int64_t revision = 0;
  absl::StatusOr<sqlite::Stmt> scan =
      db_->Prepare("SELECT rv, kind, namespace, name, event, prev_rv FROM history ORDER BY rv");
  if (!scan.ok()) return scan.status();
  constexpr int64_t kAdded = static_cast<int64_t>(WatchEventType::kAdded);
  constexpr int64_t kDeleted = static_cast<int64_t>(WatchEventType::kDeleted);
  for (;;) {
    absl::StatusOr<bool> row = scan->Step();
    if (!row.ok()) return row.status();
    if (!*row) break;
    const int64_t rv = scan->ColumnInt(0);
    const int64_t event = scan->ColumnInt(4);
    const int64_t prev_rv = scan->ColumnInt(5);
    // rv is the table's primary key and comes in order: only a revision below 1 is out of place.
    if (rv < 1) return bad_file("row rv ", rv, ": column rv: revisions start at 1");
    if (event < kAdded || event > kDeleted) {
      return bad_file("row rv ", rv, ": column event is ", event, " (not 0 ADDED, 1 MODIFIED or 2 DELETED)");
    }
    if ((event == kAdded) != (prev_rv == 0)) {
      return bad_file("row rv ", rv, ": column prev_rv is ", prev_rv, ", but a",
                      event == kAdded ? "n ADDED row has none" : " MODIFIED or DELETED row needs one");
    }
    std::string key =
        FullKey(std::string(scan->ColumnText(1)), ObjectKey(scan->ColumnText(2), scan->ColumnText(3)));
    auto [it, first] = latest.try_emplace(key, Latest{rv, event, static_cast<uint32_t>(latest.size())});
    if (prev_rv != 0) {
      // The version this row replaced: an older live row of the same key, or one compaction removed.
      auto found = std::lower_bound(rows.begin(), rows.end(), prev_rv,
                                    [](const Row& r, int64_t value) { return r.rv < value; });
      const bool present = found != rows.end() && found->rv == prev_rv;
      if (prev_rv >= rv || (present && (found->id != it->second.id || found->event == kDeleted)) ||
          (!present && prev_rv > compacted)) {
        return bad_file("row rv ", rv, ": column prev_rv ", prev_rv,
                        " is not an older version of the same object (kind \"", scan->ColumnText(1),
                        "\", namespace \"", scan->ColumnText(2), "\", name \"", scan->ColumnText(3), "\")");
      }
    }
    if (!first) {
      const Latest& before = it->second;
      const bool deletion = before.event == kDeleted;
      if (before.rv <= compacted && (rv <= compacted || deletion)) stale.push_back(before.rv);
      it->second = Latest{rv, event, before.id};
    }
    rows.push_back(Row{rv, it->second.id, event});
    revision = rv;
  }
  scan->Reset();
  // Compaction keeps each key's newest row and history_revisions >= 1 revisions, so the newest row
  // outlives it: a compacted revision past it was not written by orch.
  if (compacted > revision) {
    return bad_file("meta.compacted is ", compacted, ", past the newest revision ", revision);
  }
  rows = {};
  for (const auto& [key, newest] : latest) {
    if (newest.rv <= compacted && newest.event == kDeleted) stale.push_back(newest.rv);
  }
  if (!stale.empty()) {
    if (absl::Status s = db_->Exec("BEGIN"); !s.ok()) return s;
    for (int64_t rv : stale) {
      compact_erase_.BindInt(1, rv);  // prepared by Init
      if (absl::Status s = compact_erase_.Run(); !s.ok()) {
        db_->Exec("ROLLBACK").IgnoreError();
        return s;
      }
    }
    if (absl::Status s = db_->Exec("COMMIT"); !s.ok()) return s;
  }
  absl::StatusOr<sqlite::Stmt> fetch =
      db_->Prepare("SELECT kind, namespace, name, data FROM history WHERE rv = ?");
  if (!fetch.ok()) return fetch.status();
  for (const auto& [full_key, entry] : latest) {
    if (entry.event == kDeleted) continue;
    fetch->BindInt(1, entry.rv);
    absl::StatusOr<bool> row = fetch->Step();
    if (!row.ok()) return row.status();
    if (!*row)
      return absl::InternalError(absl::StrCat("database \"", db_->path(), "\": row ", entry.rv, " vanished"));
    std::string kind_key(fetch->ColumnText(0));
    absl::StatusOr<Object> object = DecodeObject(fetch->ColumnText(3));
    if (!object.ok()) {
      return bad_file("revision ", entry.rv, " cannot be decoded: ", object.status().message());
    }
    // The columns are the object's key: they must say what its data says.
    const ObjectMeta& data_meta = object->metadata;
    // kind_key is KindKey(group, kind), compared without building one per row.
    const absl::string_view group = object->type.Group();
    if (kind_key.size() != group.size() + 1 + object->type.kind.size() ||
        !absl::StartsWith(kind_key, group) || kind_key[group.size()] != '/' ||
        !absl::EndsWith(kind_key, object->type.kind)) {
      return bad_file("row rv ", entry.rv, ": column kind \"", kind_key,
                      "\" does not match its data (apiVersion \"", object->type.apiVersion, "\", kind \"",
                      object->type.kind, "\")");
    }
    if (fetch->ColumnText(1) != data_meta.namespace_) {
      return bad_file("row rv ", entry.rv, ": column namespace \"", fetch->ColumnText(1),
                      "\" does not match its data's metadata.namespace \"", data_meta.namespace_, "\"");
    }
    if (fetch->ColumnText(2) != data_meta.name) {
      return bad_file("row rv ", entry.rv, ": column name \"", fetch->ColumnText(2),
                      "\" does not match its data's metadata.name \"", data_meta.name, "\"");
    }
    if (int64_t data_rv = 0; !absl::SimpleAtoi(data_meta.resourceVersion, &data_rv) || data_rv != entry.rv) {
      return bad_file("row rv ", entry.rv,
                      ": column rv does not match its data's metadata.resourceVersion \"",
                      data_meta.resourceVersion, "\"");
    }
    auto stored = std::make_shared<StoredObject>();
    stored->json = std::string(fetch->ColumnText(3));
    stored->object = std::move(*object);
    stored->revision = entry.rv;
    fetch->Reset();
    std::string key = full_key.substr(full_key.find('\x02') + 1);
    kinds_[kind_key].objects[key] = std::move(stored);
  }
  revision_ = revision;
  next_revision_ = revision + 1;
  event_floor_ = revision;
  compacted_ = compacted;
  compact_cursor_ = compacted;
  return absl::OkStatus();
}

}  // namespace orch
