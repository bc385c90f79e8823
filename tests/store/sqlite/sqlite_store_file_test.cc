// The SQLite store on a file: restart persistence, group commit under many threads, compaction that
// bounds the file, and bad files (corrupt, foreign, locked, unwritable, full).
#include <doctest/doctest.h>
#include <sched.h>
#include <sqlite3.h>
#include <sys/mount.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <map>
#include <mutex>
#include <set>
#include <thread>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "orch/errors.h"
#include "orch/store.h"
#include "src/store/sqlite/sqlite_store.h"
#include "store/sqlite/store_test_util.h"

namespace orch {
namespace {

using testing::MustOpen;
using testing::PodObject;
using testing::Replace;
using testing::TempDir;

const ResourceType& Pods() { return *FindResourceType("", "Pod"); }

SqliteStoreOptions OnFile(const std::string& path) {
  SqliteStoreOptions options;
  options.path = path;
  return options;
}

// The first column of the first row of `sql` on the database file at `path` (the store closed).
int64_t QueryFileInt(const std::string& path, const char* sql) {
  sqlite3* db = nullptr;
  REQUIRE(sqlite3_open(path.c_str(), &db) == SQLITE_OK);
  sqlite3_stmt* stmt = nullptr;
  REQUIRE(sqlite3_prepare_v2(db, sql, -1, &stmt, nullptr) == SQLITE_OK);
  REQUIRE(sqlite3_step(stmt) == SQLITE_ROW);
  const int64_t value = sqlite3_column_int64(stmt, 0);
  sqlite3_finalize(stmt);
  sqlite3_close(db);
  return value;
}

TEST_CASE("a restart reopens the file with everything acknowledged") {
  TempDir dir;
  std::string path = dir.File("state.db");
  std::string uid;
  {
    auto store = MustOpen(OnFile(path));
    Object a = PodObject("ns", "a", {{"app", "web"}});
    a.metadata.uid = uid = "6b0f6a4e-7a43-4a1e-9c57-2c4f2a7c1d11";
    REQUIRE(store->Create(a).ok());
    REQUIRE(store->Create(PodObject("ns", "b")).ok());
    REQUIRE(store->Create(PodObject("ns", "c")).ok());
    Object a2 = PodObject("ns", "a", {{"app", "web"}, {"v", "2"}});
    a2.metadata.uid = uid;
    REQUIRE(Replace(*store, a2).ok());
    REQUIRE(store->Delete(Pods(), "ns", "b").ok());
  }
  auto store = MustOpen(OnFile(path));
  CHECK(store->CurrentRevision() == 5);
  absl::StatusOr<ListResult> list = store->List(Pods(), "ns");
  REQUIRE(list.ok());
  REQUIRE(list->items.size() == 2);
  CHECK(list->items[0]->object.metadata.uid == uid);
  CHECK(list->items[0]->object.metadata.labels.at("v") == "2");
  CHECK(list->items[0]->object.metadata.resourceVersion == "4");
  CHECK(IsNotFound(store->Get(Pods(), "ns", "b").status()));

  // Revisions go on from where they were; a watch resumes across the restart from the file.
  CHECK((*store->Create(PodObject("ns", "d")))->revision == 6);
  auto watch = *store->Watch(Pods(), {.resourceVersion = "3"});
  std::vector<std::string> events;
  while (auto event = watch->Next(absl::ZeroDuration())) {
    events.push_back(absl::StrCat(WatchEventTypeName(event->type), " ", event->object->object.metadata.name));
  }
  CHECK(events == std::vector<std::string>{"MODIFIED a", "DELETED b", "ADDED d"});
}

TEST_CASE("a killed process loses nothing it acknowledged") {
  TempDir dir;
  std::string path = dir.File("state.db");
  int ready[2];
  REQUIRE(pipe(ready) == 0);
  pid_t child = fork();
  REQUIRE(child >= 0);
  if (child == 0) {
    close(ready[0]);
    SqliteStoreOptions options;
    options.path = path;
    absl::StatusOr<std::unique_ptr<Store>> store = OpenSqliteStore(options);
    if (!store.ok()) _exit(2);
    for (int i = 0; i < 200; ++i) {
      if (!(*store)->Create(PodObject("ns", absl::StrCat("p", i))).ok()) _exit(3);
    }
    char done = 1;
    if (write(ready[1], &done, 1) != 1) _exit(4);
    pause();  // killed here, without closing the store
    _exit(0);
  }
  close(ready[1]);
  char done = 0;
  REQUIRE(read(ready[0], &done, 1) == 1);
  close(ready[0]);
  kill(child, SIGKILL);
  int status = 0;
  waitpid(child, &status, 0);
  auto store = MustOpen(OnFile(path));
  CHECK(store->List(Pods(), "ns")->items.size() == 200);
  CHECK(store->CurrentRevision() == 200);
}

TEST_CASE("many writers share transactions and every write is acknowledged once") {
  TempDir dir;
  SqliteStoreOptions options = OnFile(dir.File("state.db"));
  // Each commit takes at least 2 ms, as on a slow disk: the writers answered by the last one stage
  // into the next batch meanwhile, however busy the machine is (on a loaded machine, without it,
  // writers could be scheduled one at a time and each write commit alone).
  options.on_commit = [](int64_t, int64_t) { std::this_thread::sleep_for(std::chrono::milliseconds(2)); };
  auto store = MustOpen(options);
  auto watch = *store->Watch(Pods(), {.resourceVersion = "0"});
  constexpr int kThreads = 16, kEach = 50;
  std::vector<std::thread> threads;
  std::atomic<int> failures{0};
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kEach; ++i) {
        if (!store->Create(PodObject("ns", absl::StrCat("t", t, "-", i))).ok()) failures++;
      }
    });
  }
  for (auto& thread : threads) thread.join();
  CHECK(failures.load() == 0);
  CHECK(store->CurrentRevision() == kThreads * kEach);
  // Writes waiting while a batch commits join the next one: far fewer transactions than writes
  // (one per write would be 800; with 16 writers a batch holds several at a time).
  const int64_t transactions = dynamic_cast<SqliteStore&>(*store).committed_batches();
  CHECK(transactions >= 1);
  CHECK(transactions <= kThreads * kEach / 2);
  // The watcher sees every revision once, in order.
  int64_t last = 0;
  int count = 0;
  while (auto event = watch->Next(absl::ZeroDuration())) {
    CHECK(event->object->revision == last + 1);
    last = event->object->revision;
    ++count;
  }
  CHECK(count == kThreads * kEach);
}

TEST_CASE("on_commit reports every committed revision once, before its writer or watcher hears of it") {
  TempDir dir;
  SqliteStoreOptions options = OnFile(dir.File("state.db"));
  std::mutex mu;
  std::vector<std::pair<int64_t, int64_t>> ranges;
  std::atomic<int64_t> reported{0};  // the highest revision reported so far
  options.on_commit = [&](int64_t first, int64_t last) {
    std::lock_guard<std::mutex> lock(mu);
    ranges.emplace_back(first, last);
    reported.store(last);
  };
  auto store = MustOpen(options);
  auto watch = *store->Watch(Pods(), {.resourceVersion = "0"});
  constexpr int kThreads = 8, kEach = 40;
  std::atomic<int> early{0};  // acknowledgements or events of a revision not reported yet
  std::thread watcher([&] {
    for (int seen = 0; seen < kThreads * kEach;) {
      std::optional<WatchEvent> event = watch->Next(absl::Seconds(10));
      if (!event) break;
      if (event->object->revision > reported.load()) early++;
      ++seen;
    }
  });
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kEach; ++i) {
        absl::StatusOr<ObjectPtr> created = store->Create(PodObject("ns", absl::StrCat("t", t, "-", i)));
        if (!created.ok() || (*created)->revision > reported.load()) early++;
      }
    });
  }
  for (auto& thread : threads) thread.join();
  watcher.join();
  CHECK(early.load() == 0);
  // Ranges in order, without gaps or overlaps, covering every revision written.
  std::lock_guard<std::mutex> lock(mu);
  int64_t next = 1;
  for (const auto& [first, last] : ranges) {
    CHECK(first == next);
    CHECK(last >= first);
    next = last + 1;
  }
  CHECK(next == kThreads * kEach + 1);
}

TEST_CASE("on_commit does not report a batch that failed to commit") {
  TempDir dir;
  SqliteStoreOptions options = OnFile(dir.File("full.db"));
  options.max_pages = 40;
  int64_t highest = 0;
  options.on_commit = [&](int64_t, int64_t last) { highest = last; };
  auto store = MustOpen(options);
  absl::Status failure;
  for (int i = 0; i < 500 && failure.ok(); ++i) {
    failure = store->Create(PodObject("ns", absl::StrCat("p", i), {}, "", 2000)).status();
  }
  REQUIRE_FALSE(failure.ok());
  CHECK(highest > 0);
  CHECK(highest == store->CurrentRevision());
}

TEST_CASE("concurrent updates of one object: exactly one wins per version") {
  auto store = MustOpen();
  ObjectPtr base = *store->Create(PodObject("ns", "a"));
  std::atomic<int> wins{0}, conflicts{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&, t] {
      Object next = base->object;
      next.metadata.labels["writer"] = std::to_string(t);
      absl::Status status = store->Update(next, base->revision).status();
      if (status.ok()) wins++;
      if (IsConflict(status)) conflicts++;
    });
  }
  for (auto& thread : threads) thread.join();
  CHECK(wins.load() == 1);
  CHECK(conflicts.load() == 7);
}

TEST_CASE("after a conflict, a read sees the version that caused it") {
  // Writers update one object as a registry does: read it, then compare-and-swap on the version
  // read. A conflict with a write still being committed answers once that write is readable, so
  // reading again never returns the version that just lost (etcd's reads are linearizable).
  TempDir dir;
  auto store = MustOpen(OnFile(dir.File("state.db")));
  REQUIRE(store->Create(PodObject("ns", "a")).ok());
  constexpr int kThreads = 8, kEach = 40;
  std::atomic<int> stale_reads{0}, failures{0}, conflicts{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kEach; ++i) {
        ObjectPtr current = *store->Get(Pods(), "ns", "a");
        for (;;) {
          Object next = current->object;
          next.metadata.labels["writer"] = absl::StrCat(t, "-", i);
          absl::StatusOr<ObjectPtr> updated = store->Update(next, current->revision);
          if (updated.ok()) break;
          if (!IsConflict(updated.status())) {
            failures++;
            break;
          }
          conflicts++;
          ObjectPtr again = *store->Get(Pods(), "ns", "a");
          if (again->revision <= current->revision) stale_reads++;
          current = again;
        }
      }
    });
  }
  for (auto& thread : threads) thread.join();
  CHECK(failures.load() == 0);
  CHECK(stale_reads.load() == 0);
  CHECK(store->CurrentRevision() == 1 + kThreads * kEach);
  MESSAGE("conflicts met: ", conflicts.load());
}

TEST_CASE("compaction keeps the file bounded under a steady churn of updates") {
  TempDir dir;
  std::string path = dir.File("state.db");
  SqliteStoreOptions options = OnFile(path);
  options.history_revisions = 200;
  options.compaction_step = 100;
  auto store = MustOpen(options);
  for (int i = 0; i < 20; ++i)
    REQUIRE(store->Create(PodObject("ns", absl::StrCat("p", i), {}, "", 1000)).ok());
  auto file_size = [&] {
    return std::filesystem::file_size(path) + std::filesystem::file_size(path + "-wal");
  };
  uintmax_t after_warmup = 0;
  for (int round = 0; round < 3000; ++round) {
    Object next =
        PodObject("ns", absl::StrCat("p", round % 20), {{"round", std::to_string(round)}}, "", 1000);
    REQUIRE(Replace(*store, next).ok());
    if (round == 1000) after_warmup = file_size();
  }
  CHECK(store->CompactedRevision() >= store->CurrentRevision() - 200 - 100);
  // The history holds ~200 revisions of ~1.2 KB: the file stops growing once compaction keeps up.
  CHECK(file_size() <= after_warmup + after_warmup / 2);
  // Every object is still there, at its newest version.
  absl::StatusOr<ListResult> list = store->List(Pods(), "ns");
  REQUIRE(list->items.size() == 20);
  CHECK(list->items[0]->object.metadata.labels.at("round") == "2980");
  store.reset();  // the store holds the file exclusively while open
  CHECK(QueryFileInt(path, "SELECT count(*) FROM history") <= 200 + 100 + 20);
}

TEST_CASE("objects older than the history: their updates and deletes survive compaction and restart") {
  TempDir dir;
  std::string path = dir.File("state.db");
  SqliteStoreOptions options = OnFile(path);
  options.history_revisions = 50;
  options.compaction_step = 10;
  {
    auto store = MustOpen(options);
    // "old" and "kept" are created, then compaction passes their rows while they are current.
    REQUIRE(store->Create(PodObject("ns", "old")).ok());
    REQUIRE(store->Create(PodObject("ns", "kept")).ok());
    REQUIRE(store->Create(PodObject("ns", "churn")).ok());
    for (int i = 0; i < 200; ++i)
      REQUIRE(Replace(*store, PodObject("ns", "churn", {{"i", std::to_string(i)}})).ok());
    REQUIRE(store->CompactedRevision() > 2);
    // Then "old" is deleted and "kept" updated, and compaction passes those writes too.
    REQUIRE(store->Delete(Pods(), "ns", "old").ok());
    REQUIRE(Replace(*store, PodObject("ns", "kept", {{"v", "2"}})).ok());
    for (int i = 0; i < 200; ++i)
      REQUIRE(Replace(*store, PodObject("ns", "churn", {{"j", std::to_string(i)}})).ok());
  }
  // The rows they replaced went with them: only the live versions and the history are left.
  CHECK(QueryFileInt(path, "SELECT count(*) FROM history WHERE name = 'old'") == 0);
  CHECK(QueryFileInt(path, "SELECT count(*) FROM history WHERE name = 'kept'") == 1);
  auto store = MustOpen(options);
  CHECK(IsNotFound(store->Get(Pods(), "ns", "old").status()));
  absl::StatusOr<ObjectPtr> kept = store->Get(Pods(), "ns", "kept");
  REQUIRE(kept.ok());
  CHECK((*kept)->object.metadata.labels.at("v") == "2");
}

// A file at `path` whose history compaction has passed: pod "a" created and updated 20 times
// (revisions 1..21), 5 revisions of history kept. Returns the options it was written with.
SqliteStoreOptions CompactedFile(const std::string& path) {
  SqliteStoreOptions options = OnFile(path);
  options.history_revisions = 5;
  options.compaction_step = 10;
  auto store = MustOpen(options);
  REQUIRE(store->Create(PodObject("ns", "a")).ok());
  for (int i = 0; i < 20; ++i)
    REQUIRE(Replace(*store, PodObject("ns", "a", {{"i", std::to_string(i)}})).ok());
  REQUIRE(store->CompactedRevision() >= 8);
  return options;
}

TEST_CASE("a file whose compaction left replaced rows behind is cleaned when opened") {
  TempDir dir;
  std::string path = dir.File("state.db");
  SqliteStoreOptions options = CompactedFile(path);
  // Rows at or below the compacted revision that are not their key's newest, as an older orch left
  // them: put one back.
  {
    sqlite3* db = nullptr;
    REQUIRE(sqlite3_open(path.c_str(), &db) == SQLITE_OK);
    REQUIRE(sqlite3_exec(db,
                         "INSERT INTO history(rv, kind, namespace, name, event, prev_rv, data) "
                         "SELECT 1, kind, namespace, name, 0, 0, data FROM history ORDER BY rv DESC LIMIT 1",
                         nullptr, nullptr, nullptr) == SQLITE_OK);
    sqlite3_close(db);
  }
  REQUIRE(QueryFileInt(path, "SELECT count(*) FROM history WHERE rv = 1") == 1);
  { auto store = MustOpen(options); }
  CHECK(QueryFileInt(path, "SELECT count(*) FROM history WHERE rv = 1") == 0);
}

TEST_CASE("opening a file removes the versions and deletions an older compaction should have taken") {
  TempDir dir;
  std::string path = dir.File("state.db");
  SqliteStoreOptions options = CompactedFile(path);
  // Rows below the compacted revision, as an older build could leave them (the revisions were
  // compacted away, so they are free): z created (2) and deleted (3); y created (4) and updated
  // (5); w created (6), deleted (7) and created again after the compacted revision (30).
  {
    sqlite3* db = nullptr;
    REQUIRE(sqlite3_open(path.c_str(), &db) == SQLITE_OK);
    sqlite3_stmt* insert = nullptr;
    REQUIRE(sqlite3_prepare_v2(db, "INSERT INTO history VALUES(?, '/Pod', 'ns', ?, ?, ?, ?)", -1, &insert,
                               nullptr) == SQLITE_OK);
    struct Row {
      int64_t rv;
      const char* name;
      WatchEventType event;
      int64_t prev;
    };
    for (const Row& row : {Row{2, "z", WatchEventType::kAdded, 0}, Row{3, "z", WatchEventType::kDeleted, 2},
                           Row{4, "y", WatchEventType::kAdded, 0}, Row{5, "y", WatchEventType::kModified, 4},
                           Row{6, "w", WatchEventType::kAdded, 0}, Row{7, "w", WatchEventType::kDeleted, 6},
                           Row{30, "w", WatchEventType::kAdded, 0}}) {
      Object pod = PodObject("ns", row.name);
      pod.metadata.uid = absl::StrCat("uid-", row.name);
      pod.metadata.resourceVersion = std::to_string(row.rv);
      const std::string data = EncodeObject(pod);
      sqlite3_bind_int64(insert, 1, row.rv);
      sqlite3_bind_text(insert, 2, row.name, -1, SQLITE_STATIC);
      sqlite3_bind_int64(insert, 3, static_cast<int64_t>(row.event));
      sqlite3_bind_int64(insert, 4, row.prev);
      sqlite3_bind_blob(insert, 5, data.data(), static_cast<int>(data.size()), SQLITE_TRANSIENT);
      REQUIRE(sqlite3_step(insert) == SQLITE_DONE);
      sqlite3_reset(insert);
    }
    sqlite3_finalize(insert);
    sqlite3_close(db);
  }
  {
    auto store = MustOpen(options);
    CHECK(IsNotFound(store->Get(Pods(), "ns", "z").status()));
    CHECK(store->Get(Pods(), "ns", "y").ok());
    CHECK(store->Get(Pods(), "ns", "w").ok());
    CHECK(store->Get(Pods(), "ns", "a").ok());
  }
  // Superseded at or before the compacted revision, or a deletion at or before it: gone. Each
  // key's version at the compacted revision (y's 5) and what came after it (w's 30) stay.
  CHECK(QueryFileInt(path, "SELECT count(*) FROM history WHERE name = 'z'") == 0);
  CHECK(QueryFileInt(path, "SELECT group_concat(rv) FROM history WHERE name = 'y'") == 5);
  CHECK(QueryFileInt(path, "SELECT group_concat(rv) FROM history WHERE name = 'w'") == 30);
}

// Opens the file at `path` after `sql` edited it, as a hostile or damaged file would be: the file
// holds pod a (created at 1, updated at 2), b (created at 3, deleted at 4) and c (created at 5).
absl::Status OpenEdited(const std::string& path, const char* sql) {
  {
    auto store = MustOpen(OnFile(path));
    REQUIRE(store->Create(PodObject("ns", "a")).ok());
    REQUIRE(Replace(*store, PodObject("ns", "a", {{"v", "2"}})).ok());
    REQUIRE(store->Create(PodObject("ns", "b")).ok());
    REQUIRE(store->Delete(Pods(), "ns", "b").ok());
    REQUIRE(store->Create(PodObject("ns", "c")).ok());
  }
  sqlite3* db = nullptr;
  REQUIRE(sqlite3_open(path.c_str(), &db) == SQLITE_OK);
  REQUIRE(sqlite3_exec(db, sql, nullptr, nullptr, nullptr) == SQLITE_OK);
  sqlite3_close(db);
  return OpenSqliteStore(OnFile(path)).status();
}

TEST_CASE("bad files are clear errors that name the file") {
  TempDir dir;
  SUBCASE("a corrupt file") {
    std::string path = dir.File("corrupt.db");
    std::ofstream(path) << std::string(8192, 'z');
    absl::Status status = OpenSqliteStore(OnFile(path)).status();
    CHECK(status.code() == absl::StatusCode::kFailedPrecondition);
    CHECK(absl::StrContains(status.message(), path));
  }
  SUBCASE("another program's database") {
    std::string path = dir.File("foreign.db");
    sqlite3* db = nullptr;
    REQUIRE(sqlite3_open(path.c_str(), &db) == SQLITE_OK);
    REQUIRE(sqlite3_exec(db, "CREATE TABLE t(x); INSERT INTO t VALUES(1);", nullptr, nullptr, nullptr) ==
            SQLITE_OK);
    sqlite3_close(db);
    absl::Status status = OpenSqliteStore(OnFile(path)).status();
    CHECK(status.code() == absl::StatusCode::kFailedPrecondition);
    CHECK(absl::StrContains(status.message(), "not an orch database"));
    CHECK(absl::StrContains(status.message(), path));
  }
  SUBCASE("a row that does not decode") {
    std::string path = dir.File("bad-row.db");
    {
      auto store = MustOpen(OnFile(path));
      REQUIRE(store->Create(PodObject("ns", "a")).ok());
    }
    sqlite3* db = nullptr;
    REQUIRE(sqlite3_open(path.c_str(), &db) == SQLITE_OK);
    REQUIRE(sqlite3_exec(db, "UPDATE history SET data='{not json'", nullptr, nullptr, nullptr) == SQLITE_OK);
    sqlite3_close(db);
    absl::Status status = OpenSqliteStore(OnFile(path)).status();
    CHECK(status.code() == absl::StatusCode::kFailedPrecondition);
    CHECK(absl::StrContains(status.message(), "revision 1 cannot be decoded"));
    CHECK(absl::StrContains(status.message(), absl::StrCat("database \"", path, "\"")));
  }
  // Each edit is refused at open, naming the file, the row and the column, instead of being served.
  struct Edit {
    const char* what;
    const char* sql;
    const char* error;
  };
  for (const Edit& edit : {
           Edit{"a compacted revision past the newest",
                "INSERT OR REPLACE INTO meta VALUES('compacted', 9e12)",
                "meta.compacted is 9000000000000, past the newest revision 5"},
           Edit{"a compacted revision below 0", "INSERT OR REPLACE INTO meta VALUES('compacted', -1)",
                "meta.compacted is -1, below 0"},
           Edit{"the kind of a live row", "UPDATE history SET kind = '/ConfigMap' WHERE rv = 5",
                "row rv 5: column kind \"/ConfigMap\" does not match its data (apiVersion \"v1\", kind "
                "\"Pod\")"},
           Edit{"the kind of an update, which served the previous version",
                "UPDATE history SET kind = '/ConfigMap' WHERE rv = 2",
                "row rv 2: column prev_rv 1 is not an older version of the same object (kind \"/ConfigMap\""},
           Edit{"the kind of a deletion, which served the deleted object",
                "UPDATE history SET kind = '/ConfigMap' WHERE rv = 4",
                "row rv 4: column prev_rv 3 is not an older version of the same object"},
           Edit{"the namespace of a live row", "UPDATE history SET namespace = 'other' WHERE rv = 5",
                "row rv 5: column namespace \"other\" does not match its data's metadata.namespace \"ns\""},
           Edit{"the name of a live row", "UPDATE history SET name = 'd' WHERE rv = 5",
                "row rv 5: column name \"d\" does not match its data's metadata.name \"c\""},
           Edit{"the revision of a live row", "UPDATE history SET rv = 9 WHERE rv = 5",
                "row rv 9: column rv does not match its data's metadata.resourceVersion \"5\""},
           Edit{"a revision below 1", "UPDATE history SET rv = 0 WHERE rv = 1", "row rv 0: column rv"},
           Edit{"an event that is none", "UPDATE history SET event = 7 WHERE rv = 2",
                "row rv 2: column event is 7 (not 0 ADDED, 1 MODIFIED or 2 DELETED)"},
           Edit{"a create that replaces a version", "UPDATE history SET prev_rv = 2 WHERE rv = 5",
                "row rv 5: column prev_rv is 2, but an ADDED row has none"},
           Edit{"an update that replaces nothing", "UPDATE history SET prev_rv = 0 WHERE rv = 2",
                "row rv 2: column prev_rv is 0, but a MODIFIED or DELETED row needs one"},
           Edit{"a previous version of another object", "UPDATE history SET prev_rv = 1 WHERE rv = 4",
                "row rv 4: column prev_rv 1 is not an older version of the same object (kind \"/Pod\", "
                "namespace \"ns\", name \"b\")"},
           Edit{"a previous version that is newer", "UPDATE history SET prev_rv = 3 WHERE rv = 2",
                "row rv 2: column prev_rv 3 is not an older version"},
           Edit{"a previous version that was never compacted away",
                "UPDATE history SET prev_rv = 0, event = 0 WHERE rv = 1; DELETE FROM history WHERE rv = 1",
                "row rv 2: column prev_rv 1 is not an older version"},
       }) {
    CAPTURE(edit.what);
    std::string path = dir.File(absl::StrCat("edited-", edit.what, ".db"));
    absl::Status status = OpenEdited(path, edit.sql);
    CHECK(status.code() == absl::StatusCode::kFailedPrecondition);
    CHECK_MESSAGE(absl::StrContains(status.message(), edit.error), status.message());
    CHECK(absl::StrContains(status.message(), absl::StrCat("database \"", path, "\"")));
  }
  SUBCASE("a file another store holds") {
    std::string path = dir.File("held.db");
    auto holder = MustOpen(OnFile(path));
    absl::Status status = OpenSqliteStore(OnFile(path)).status();
    CHECK(status.code() == absl::StatusCode::kUnavailable);
    CHECK(absl::StrContains(status.message(), "in use by another process"));
    CHECK(absl::StrContains(status.message(), path));
  }
  SUBCASE("a file another process holds") {
    std::string path = dir.File("held-by-child.db");
    int ready[2];
    REQUIRE(pipe(ready) == 0);
    pid_t child = fork();
    REQUIRE(child >= 0);
    if (child == 0) {
      close(ready[0]);
      absl::StatusOr<std::unique_ptr<Store>> store = OpenSqliteStore(OnFile(path));
      char ok = store.ok() ? 1 : 0;
      if (write(ready[1], &ok, 1) != 1) _exit(1);
      pause();
      _exit(0);
    }
    close(ready[1]);
    char ok = 0;
    REQUIRE(read(ready[0], &ok, 1) == 1);
    close(ready[0]);
    absl::Status status = OpenSqliteStore(OnFile(path)).status();
    kill(child, SIGKILL);
    waitpid(child, nullptr, 0);
    REQUIRE(ok == 1);
    CHECK(status.code() == absl::StatusCode::kUnavailable);
    CHECK(absl::StrContains(status.message(), path));
  }
  SUBCASE("a directory that cannot be written") {
    // /proc refuses new files even to root, so this holds whoever runs the test: root passes the
    // directory's access check, and the create fails with ENOENT (not root: EACCES before that).
    absl::Status status = OpenSqliteStore(OnFile("/proc/orch-test-state.db")).status();
    CHECK((status.code() == absl::StatusCode::kPermissionDenied ||
           status.code() == absl::StatusCode::kNotFound));
    CHECK(absl::StrContains(status.message(), "/proc/orch-test-state.db"));
    absl::Status missing = OpenSqliteStore(OnFile(dir.File("no/such/dir/state.db"))).status();
    CHECK(missing.code() == absl::StatusCode::kPermissionDenied);
    CHECK(absl::StrContains(missing.message(), "no/such/dir"));
  }
}

// In a child with its own mount namespace, mounts a tmpfs with `mount_options` on `dir`, opens a
// store on `dir`/state.db and writes the status code and message to `out`. Returns false (with
// the reason in `why`) when mounts are not allowed here.
bool OpenOnTmpfs(const std::string& dir, const char* mount_options, absl::Status* out, std::string* why) {
  int pipe_fds[2];
  REQUIRE(pipe(pipe_fds) == 0);
  pid_t child = fork();
  REQUIRE(child >= 0);
  if (child == 0) {
    close(pipe_fds[0]);
    std::string result;
    if (unshare(CLONE_NEWNS) != 0 || mount("none", "/", nullptr, MS_REC | MS_PRIVATE, nullptr) != 0 ||
        mount("tmpfs", dir.c_str(), "tmpfs", (absl::StrContains(mount_options, "ro") ? MS_RDONLY : 0),
              mount_options) != 0) {
      result = absl::StrCat("skip:", std::strerror(errno));
    } else {
      absl::Status status = OpenSqliteStore(OnFile(dir + "/state.db")).status();
      result = absl::StrCat(static_cast<int>(status.code()), ":", status.message());
    }
    (void)!write(pipe_fds[1], result.data(), result.size());
    _exit(0);
  }
  close(pipe_fds[1]);
  std::string result;
  char buffer[512];
  for (ssize_t n; (n = read(pipe_fds[0], buffer, sizeof(buffer))) > 0;)
    result.append(buffer, static_cast<size_t>(n));
  close(pipe_fds[0]);
  waitpid(child, nullptr, 0);
  if (absl::StartsWith(result, "skip:")) {
    *why = result.substr(5);
    return false;
  }
  const size_t colon = result.find(':');
  REQUIRE(colon != std::string::npos);
  *out = absl::Status(static_cast<absl::StatusCode>(std::stoi(result.substr(0, colon))),
                      result.substr(colon + 1));
  return true;
}

TEST_CASE("a read-only file system and one with no room for the file are clear errors") {
  if (geteuid() != 0) {
    MESSAGE("skipped: mounting a tmpfs in a private mount namespace needs root");
    return;
  }
  TempDir dir;
  absl::Status status;
  std::string why;
  if (!OpenOnTmpfs(dir.path().string(), "ro", &status, &why)) {
    MESSAGE("skipped: cannot mount a tmpfs in a private mount namespace here: ", why);
    return;
  }
  CHECK(status.code() == absl::StatusCode::kPermissionDenied);
  CHECK(absl::StrContains(status.message(), dir.File("state.db")));
  CHECK(absl::StrContains(status.message(), "Read-only file system"));
  // No inode left for the file (the root directory takes the only one).
  REQUIRE(OpenOnTmpfs(dir.path().string(), "nr_inodes=1", &status, &why));
  CHECK(status.code() == absl::StatusCode::kResourceExhausted);
  CHECK(absl::StrContains(status.message(), dir.File("state.db")));
  CHECK(absl::StrContains(status.message(), "No space left on device"));
}

TEST_CASE("a full disk fails the write, keeps what was acknowledged, and recovers") {
  TempDir dir;
  std::string path = dir.File("full.db");
  SqliteStoreOptions options = OnFile(path);
  options.max_pages = 40;  // 160 KiB with 4 KiB pages
  std::set<std::string> acknowledged;
  {
    auto store = MustOpen(options);
    absl::Status failure;
    for (int i = 0; i < 500 && failure.ok(); ++i) {
      std::string name = absl::StrCat("p", i);
      absl::StatusOr<ObjectPtr> created = store->Create(PodObject("ns", name, {}, "", 2000));
      if (created.ok()) {
        acknowledged.insert(name);
      } else {
        failure = created.status();
      }
    }
    REQUIRE_FALSE(failure.ok());
    CHECK(failure.code() == absl::StatusCode::kUnavailable);
    CHECK(absl::StrContains(failure.message(), "full"));
    CHECK(absl::StrContains(failure.message(), path));
    // Reads go on, and the failed write left no trace.
    CHECK(store->List(Pods(), "ns")->items.size() == acknowledged.size());
    CHECK(store->CurrentRevision() == static_cast<int64_t>(acknowledged.size()));
  }
  // With room again (a bigger disk), the store reopens with everything acknowledged and writes on.
  options.max_pages = 0;
  auto store = MustOpen(options);
  REQUIRE(store->Create(PodObject("ns", "after")).ok());
  acknowledged.insert("after");
  absl::StatusOr<ListResult> list = store->List(Pods(), "ns");
  REQUIRE(list.ok());
  std::set<std::string> found;
  for (const ObjectPtr& item : list->items) found.insert(item->object.metadata.name);
  CHECK(found == acknowledged);
}

TEST_CASE("a full disk under many writers: every writer hears back, and only failures are lost") {
  // With 64 writers, batches commit while the writers of the one before are still to be woken, so
  // the disk fills with a batch written, one failing and one pending.
  int kThreads = 8, kEach = 60;
  SUBCASE("8 writers") {}
  SUBCASE("64 writers") {
    kThreads = 64;
    kEach = 10;
  }
  TempDir dir;
  std::string path = dir.File("full.db");
  SqliteStoreOptions options = OnFile(path);
  options.max_pages = 40;
  std::mutex mu;
  std::set<std::string> acknowledged;
  std::atomic<int> failures{0};
  {
    auto store = MustOpen(options);
    std::vector<std::thread> threads;
    for (int t = 0; t < kThreads; ++t) {
      threads.emplace_back([&, t] {
        for (int i = 0; i < kEach; ++i) {
          std::string name = absl::StrCat("t", t, "-", i);
          absl::StatusOr<ObjectPtr> created = store->Create(PodObject("ns", name, {}, "", 2000));
          if (created.ok()) {
            std::lock_guard<std::mutex> lock(mu);
            acknowledged.insert(name);
          } else {
            CHECK(created.status().code() == absl::StatusCode::kUnavailable);
            failures++;
          }
        }
      });
    }
    for (auto& thread : threads) thread.join();  // a waiter left without an answer hangs here
    CHECK(failures.load() > 0);
    CHECK(store->List(Pods(), "ns")->items.size() == acknowledged.size());
  }
  options.max_pages = 0;
  auto store = MustOpen(options);
  absl::StatusOr<ListResult> list = store->List(Pods(), "ns");
  REQUIRE(list.ok());
  std::set<std::string> found;
  for (const ObjectPtr& item : list->items) found.insert(item->object.metadata.name);
  CHECK(found == acknowledged);
}

TEST_CASE("writers that update and delete what they just created see their own writes") {
  TempDir dir;
  std::string path = dir.File("state.db");
  constexpr int kThreads = 8, kEach = 40;
  {
    auto store = MustOpen(OnFile(path));
    auto watch = *store->Watch(Pods(), {.resourceVersion = "0"});
    std::atomic<int> failures{0};
    std::vector<std::thread> threads;
    for (int t = 0; t < kThreads; ++t) {
      threads.emplace_back([&, t] {
        for (int i = 0; i < kEach; ++i) {
          std::string name = absl::StrCat("t", t, "-", i);
          absl::StatusOr<ObjectPtr> created = store->Create(PodObject("ns", name));
          if (!created.ok()) {
            failures++;
            continue;
          }
          Object next = (*created)->object;
          next.metadata.labels["step"] = "updated";
          absl::StatusOr<ObjectPtr> updated = store->Update(next, (*created)->revision);
          if (!updated.ok() || (*updated)->revision <= (*created)->revision) failures++;
          if (i % 2 == 0 && !store->Delete(Pods(), "ns", name).ok()) failures++;
        }
      });
    }
    for (auto& thread : threads) thread.join();
    CHECK(failures.load() == 0);
    const int64_t writes = kThreads * kEach * 2 + kThreads * kEach / 2;
    CHECK(store->CurrentRevision() == writes);
    int64_t last = 0;
    while (auto event = watch->Next(absl::ZeroDuration())) {
      CHECK(event->object->revision == last + 1);
      last = event->object->revision;
    }
    CHECK(last == writes);
  }
  auto store = MustOpen(OnFile(path));
  absl::StatusOr<ListResult> list = store->List(Pods(), "ns");
  REQUIRE(list.ok());
  CHECK(list->items.size() == static_cast<size_t>(kThreads * kEach / 2));
  for (const ObjectPtr& item : list->items) CHECK(item->object.metadata.labels.at("step") == "updated");
}

TEST_CASE("racing creates and deletes of the same names: a name is created once until it is deleted") {
  // Writers read a key's committed version before they encode and take the store's lock; this
  // checks that a version published meanwhile is never missed. Half the writers create large
  // objects, so that other writers' small ones commit while the large ones are being encoded.
  TempDir dir;
  auto store = MustOpen(OnFile(dir.File("state.db")));
  auto watch = *store->Watch(Pods(), {.resourceVersion = "0"});
  constexpr int kThreads = 8, kEach = 100, kNames = 4;
  std::atomic<int> created{0}, deleted{0}, failures{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kEach; ++i) {
        std::string name = absl::StrCat("n", (i * 7 + t) % kNames);
        if ((i + t) % 3 != 0) {
          absl::Status status =
              store->Create(PodObject("ns", name, {}, "", t % 2 == 0 ? 200000 : 0)).status();
          if (status.ok()) {
            created++;
          } else if (!IsAlreadyExists(status)) {
            failures++;
          }
        } else {
          absl::StatusOr<ObjectPtr> result = store->Delete(Pods(), "ns", name);
          if (result.ok()) {
            deleted++;
          } else if (!result.ok() && !IsNotFound(result.status())) {
            failures++;
          }
        }
      }
    });
  }
  for (auto& thread : threads) thread.join();
  CHECK(failures.load() == 0);
  CHECK(created.load() > kNames);
  std::map<std::string, bool> exists;
  int added = 0, removed = 0;
  while (auto event = watch->Next(absl::ZeroDuration())) {
    const std::string& name = event->object->object.metadata.name;
    if (event->type == WatchEventType::kAdded) {
      CHECK_MESSAGE(!exists[name], name, " created twice at revision ", event->object->revision);
      exists[name] = true;
      ++added;
    } else if (event->type == WatchEventType::kDeleted) {
      CHECK_MESSAGE(exists[name], name, " deleted while absent at revision ", event->object->revision);
      exists[name] = false;
      ++removed;
    }
  }
  CHECK(added == created.load());
  CHECK(removed == deleted.load());
  size_t live = 0;
  for (const auto& [name, present] : exists) live += present ? 1 : 0;
  CHECK(store->List(Pods(), "ns")->items.size() == live);
}

// PRAGMA page_size of the database file at `path`.
int64_t PageSize(const std::string& path) { return QueryFileInt(path, "PRAGMA page_size"); }

TEST_CASE("a new file gets 8 KiB pages; an existing file keeps its own") {
  TempDir dir;
  std::string fresh = dir.File("fresh.db");
  {
    auto store = MustOpen(OnFile(fresh));
    REQUIRE(store->Create(PodObject("ns", "a")).ok());
  }
  CHECK(PageSize(fresh) == 8192);

  // A file whose page size was fixed at 4 KiB (as orch made them before) stays so and works.
  std::string old = dir.File("old.db");
  sqlite3* db = nullptr;
  REQUIRE(sqlite3_open(old.c_str(), &db) == SQLITE_OK);
  REQUIRE(sqlite3_exec(db, "PRAGMA page_size=4096; PRAGMA journal_mode=WAL;", nullptr, nullptr, nullptr) ==
          SQLITE_OK);
  sqlite3_close(db);
  {
    auto store = MustOpen(OnFile(old));
    for (int i = 0; i < 50; ++i)
      REQUIRE(store->Create(PodObject("ns", absl::StrCat("p", i), {}, "", 3000)).ok());
  }
  CHECK(PageSize(old) == 4096);
  auto store = MustOpen(OnFile(old));
  CHECK(store->List(Pods(), "ns")->items.size() == 50);
}

TEST_CASE("store URLs") {
  CHECK(OpenStore("memory").ok());
  CHECK(OpenStore("sqlite::memory:").ok());
  TempDir dir;
  CHECK(OpenStore(absl::StrCat("sqlite://", dir.File("url.db"))).ok());
  absl::Status bad = OpenStore("etcd://localhost:2379").status();
  CHECK(bad.code() == absl::StatusCode::kInvalidArgument);
  CHECK(bad.message() ==
        "store URL \"etcd://localhost:2379\": no store driver \"etcd\" is registered (there are: memory, "
        "sqlite)");
  CHECK(absl::IsInvalidArgument(OpenStore("sqlite://").status()));
  CHECK(absl::IsInvalidArgument(OpenStore("memory://x").status()));
  RegisterStoreDriver("test", [](absl::string_view) { return OpenStore("memory"); });
  CHECK(OpenStore("test://anything").ok());
}

// Every SQLite connection opened while one exists, through sqlite3_auto_extension (which SQLite runs
// for each new connection): a store's connection settings are not in its file, so a test reads them
// on the store's own connection.
class OpenedConnections {
 public:
  OpenedConnections() {
    Handles().clear();
    REQUIRE(sqlite3_auto_extension(reinterpret_cast<void (*)()>(&Capture)) == SQLITE_OK);
  }
  ~OpenedConnections() { sqlite3_cancel_auto_extension(reinterpret_cast<void (*)()>(&Capture)); }
  const std::vector<sqlite3*>& handles() const { return Handles(); }

 private:
  static std::vector<sqlite3*>& Handles() {
    static std::vector<sqlite3*> handles;
    return handles;
  }
  static int Capture(sqlite3* db, char** /*error*/, const sqlite3_api_routines* /*api*/) {
    Handles().push_back(db);
    return SQLITE_OK;
  }
};

// `PRAGMA synchronous` on the connection the store at `path` opened (0 OFF, 1 NORMAL, 2 FULL). The
// store must be idle: its connection is not shared between threads.
int64_t StoreSynchronous(const OpenedConnections& opened, const std::string& path) {
  REQUIRE(opened.handles().size() == 1);
  sqlite3* db = opened.handles()[0];
  const char* file = sqlite3_db_filename(db, "main");
  REQUIRE(file != nullptr);
  CHECK(absl::EndsWith(file, std::filesystem::path(path).filename().string()));
  sqlite3_stmt* stmt = nullptr;
  REQUIRE(sqlite3_prepare_v2(db, "PRAGMA synchronous", -1, &stmt, nullptr) == SQLITE_OK);
  REQUIRE(sqlite3_step(stmt) == SQLITE_ROW);
  const int64_t value = sqlite3_column_int64(stmt, 0);
  sqlite3_finalize(stmt);
  return value;
}

TEST_CASE("power_loss_safe runs SQLite with synchronous=FULL; the default with NORMAL") {
  TempDir dir;
  const std::string path = dir.File("sync.db");
  SqliteStoreOptions safe = OnFile(path);
  safe.power_loss_safe = true;
  {
    OpenedConnections opened;
    auto store = MustOpen(safe);
    REQUIRE(store->Create(PodObject("ns", "a")).ok());
    CHECK(StoreSynchronous(opened, path) == 2);
  }
  // The setting is the connection's, not the file's: the same file opened by default is NORMAL.
  {
    OpenedConnections opened;
    auto store = MustOpen(OnFile(path));
    REQUIRE(store->Create(PodObject("ns", "b")).ok());
    CHECK(StoreSynchronous(opened, path) == 1);
  }
  {
    OpenedConnections opened;
    auto store = MustOpen(safe);
    CHECK(store->List(Pods(), "ns")->items.size() == 2);
    CHECK(StoreSynchronous(opened, path) == 2);
  }
}
}  // namespace
}  // namespace orch
