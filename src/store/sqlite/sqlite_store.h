// The SQLite store: current state in memory, every change appended to one history table in
// revision order (the log watches resume from), writes from many threads grouped into shared
// transactions, history compacted in small steps. Internal to src/store; users reach it through
// OpenSqliteStore (orch/store.h).
//
// Opened without a database (OpenMemoryStore), the same code is the memory store: a batch is
// published as soon as it is gathered, and the in-memory event log is the whole history.
//
// Locks, always taken in this order:
//   mu_        the write path: staged writes, the pending batch, who commits.
//   state_mu_  the committed state that reads are served from, the event log, the watchers.
//   db_mu_     the SQLite connection.
#ifndef ORCH_SRC_STORE_SQLITE_SQLITE_STORE_H_
#define ORCH_SRC_STORE_SQLITE_SQLITE_STORE_H_

#include <atomic>
#include <cstdint>
#include <deque>
#include <memory>
#include <string>
#include <vector>

#include "absl/container/btree_map.h"
#include "absl/container/flat_hash_map.h"
#include "absl/synchronization/mutex.h"
#include "orch/store.h"
#include "src/store/sqlite/sqlite_db.h"
#include "src/store/sqlite/watch_queue.h"

namespace orch {

// The key of an object across kinds: KindKey + "\x02" + ObjectKey.
std::string FullKey(const std::string& kind_key, const std::string& key);

class SqliteStore final : public Store {
 public:
  static absl::StatusOr<std::unique_ptr<SqliteStore>> Open(const SqliteStoreOptions& options);
  static std::unique_ptr<SqliteStore> OpenMemory(const MemoryStoreOptions& options);
  ~SqliteStore() override;

  absl::StatusOr<ObjectPtr> Create(Object object) override;
  absl::StatusOr<ObjectPtr> Get(const ResourceType& type, absl::string_view namespace_,
                                absl::string_view name, const GetOptions& options) override;
  absl::StatusOr<ListResult> List(const ResourceType& type, absl::string_view namespace_,
                                  const ListOptions& options) override;
  absl::StatusOr<ObjectPtr> Update(Object object, int64_t revision) override;
  absl::StatusOr<ObjectPtr> Delete(const ResourceType& type, absl::string_view namespace_,
                                   absl::string_view name, int64_t revision) override;
  absl::StatusOr<std::unique_ptr<Watcher>> Watch(const ResourceType& type,
                                                 const WatchOptions& options) override;
  int64_t CurrentRevision() const override;
  int64_t CompactedRevision() const override;

  // How many batches (transactions, on a file) have committed: for tests of the group commit.
  int64_t committed_batches() const { return committed_batches_.load(std::memory_order_relaxed); }

 private:
  // One write in a batch. The event is built before its revision is known and shared, once
  // committed, by the event log.
  struct Op {
    std::shared_ptr<ChangeEvent> event;
    int64_t prev_revision = 0;
    std::string full_key;  // FullKey(event->kind_key, event->key), the key in staged_
  };
  // Writes that commit in one transaction; everyone waiting on it learns the result together.
  struct Batch {
    std::vector<Op> ops;
    absl::Status result;  // set before `state` says done
    // Bit 0: done. The rest counts offers to lead the commit of this batch. Waiters sleep on it
    // (a futex) without touching the store's lock.
    std::atomic<uint32_t> state{0};
    // Set (for good) before a waiter first reads `state` to sleep on it; a change of `state` needs
    // a wake-up only then. Both are accessed sequentially consistent, so that either the waiter sees
    // the change or the changer sees the sleeper.
    std::atomic<bool> sleeping{false};
    bool done() const { return (state.load(std::memory_order_acquire) & 1) != 0; }
  };
  // An object encoded before its revision is known: the JSON is head + revision + tail.
  struct Encoded {
    std::string head;
    std::string tail;
  };
  // What a write read of its key before taking mu_: the committed version, which is still the
  // latest one under mu_ if the key has nothing staged and no staged write was retired since.
  struct KeyLookup {
    std::string kind_key;
    std::string key;
    std::string full_key;
    ObjectPtr committed;
    uint64_t retired = 0;  // retired_ before `committed` was read
  };
  // A write built before taking mu_: all but its revision, which StageLocked stamps.
  struct Staging {
    Op op;
    std::shared_ptr<StoredObject> stored;  // the JSON holds the head; the revision and tail follow
    std::string tail;
    std::string staged_key;  // a copy of op.full_key for staged_
  };
  // Everything committed of one kind.
  struct KindState {
    absl::btree_map<std::string, ObjectPtr> objects;  // by ObjectKey(namespace, name)
  };

  SqliteStore(const SqliteStoreOptions& options, bool memory);
  absl::Status Init(const std::string& path);
  absl::Status Load();

  // The write path.
  // The key of a write of `object` (its namespace dropped for a cluster-scoped kind), and its kind
  // in *type; InvalidArgument when the kind is unknown or the key incomplete.
  absl::StatusOr<KeyLookup> LookUpKey(Object* object, const ResourceType** type) const
      ABSL_LOCKS_EXCLUDED(mu_, state_mu_);
  // Refuses a write that `latest` (the latest version, maybe staged) conflicts with: releases mu_,
  // leaves the write call, and returns `status` once `latest` is readable.
  absl::Status Refuse(absl::Status status, const ObjectPtr& latest) ABSL_UNLOCK_FUNCTION(mu_);
  // Waits until `revision` is published, or a batch failed after `failed` had (failed_batches_).
  void AwaitPublished(int64_t revision, uint64_t failed) const ABSL_LOCKS_EXCLUDED(mu_, state_mu_);
  // Reads the committed version of a key (without mu_), for LatestLocked to trust if it can.
  KeyLookup LookUp(std::string kind_key, std::string key) const ABSL_LOCKS_EXCLUDED(mu_, state_mu_);
  void Refresh(KeyLookup* lookup) const ABSL_LOCKS_EXCLUDED(mu_, state_mu_);
  ObjectPtr Committed(const std::string& kind_key, const std::string& key) const
      ABSL_LOCKS_EXCLUDED(state_mu_);
  // The latest version of a key, including writes not yet committed. Null when absent.
  ObjectPtr LatestLocked(const KeyLookup& lookup) const ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  ObjectPtr Latest(const KeyLookup& lookup) const ABSL_LOCKS_EXCLUDED(mu_);
  static Encoded Encode(const Object& object);
  // Builds a write of `object` (encoded as `encoded`) to the looked-up key, replacing `prev`.
  static Staging Prepare(WatchEventType type, const KeyLookup& lookup, Object object, Encoded encoded,
                         const ObjectPtr& prev);
  // Stamps the revision and queues the write into the pending batch: the only work of a write
  // done under mu_, kept small because every writer passes through it.
  ObjectPtr StageLocked(Staging* staging) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // Waits until the batch holding the caller's write has committed (leading the commit when it is
  // this batch's turn), and returns its result. Called with mu_ held; returns with it released.
  absl::Status AwaitCommit(std::shared_ptr<Batch> batch) ABSL_UNLOCK_FUNCTION(mu_);
  // Whether the leader may take the pending batch (see Lead).
  bool Gathered() const ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // Commits `batch` and the batches that gather meanwhile (a few), then offers the lead of the next.
  // Called with mu_ held; returns with it released.
  void Lead(std::shared_ptr<Batch> batch) ABSL_UNLOCK_FUNCTION(mu_);
  // Writes one batch to the file and publishes it; the batch is finished but its writers are not
  // woken. Returns the batch if it committed, null if it failed.
  std::shared_ptr<Batch> CommitUnlocked(const std::shared_ptr<Batch>& batch) ABSL_LOCKS_EXCLUDED(mu_);
  // Sets a batch's result and marks it done.
  static void Finish(Batch& batch, absl::Status result);
  static void WakeWaiters(Batch& batch);
  static void MarkDone(Batch& batch, absl::Status result);  // Finish, then WakeWaiters
  absl::Status WriteBatch(const Batch& batch, int64_t* compacted_to);
  absl::Status CompactStepLocked(const Batch& batch, int64_t* compacted_to)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(db_mu_);
  // Makes a committed batch visible to reads and watchers.
  void Publish(const Batch& batch, int64_t compacted_to, std::vector<std::shared_ptr<WatchQueue>>* to_notify)
      ABSL_LOCKS_EXCLUDED(mu_, state_mu_);

  // The read path.
  absl::StatusOr<int64_t> ListRevision(const ListOptions& options, std::string* start_after) const;
  // The oldest revision a list can be served at: the compacted one (older events come from the
  // file), or for the memory store the start of its event log.
  int64_t OldestListable() const;
  // Objects of one kind in key range [from, to) as of `revision`: the current ones with the changes
  // after `revision` undone, from the event log and, before it, `older` (the kind's events in
  // (revision, event_floor_] read from the file, in revision order; null when revision >=
  // event_floor_).
  void CollectAt(const std::string& kind_key, const std::string& from, const std::string& to,
                 int64_t revision, const std::vector<ChangeEvent>* older,
                 const std::function<bool(const ObjectPtr&)>& visit) const;
  // Events of one kind with revision in (from, to], read from the file (for watches and lists that
  // start before the in-memory event log).
  absl::StatusOr<std::vector<ChangeEvent>> ReadHistory(const std::string& kind_key, int64_t from, int64_t to);

  const SqliteStoreOptions options_;
  // No database: nothing is written, and events leaving the log are compacted (OpenMemoryStore).
  const bool memory_;

  mutable absl::Mutex mu_ ABSL_ACQUIRED_BEFORE(state_mu_);
  int64_t next_revision_ ABSL_GUARDED_BY(mu_) = 1;
  std::shared_ptr<Batch> pending_ ABSL_GUARDED_BY(mu_);
  bool committing_ ABSL_GUARDED_BY(mu_) = false;
  // Writes of the batch the leader committed last and has not yet woken the writers of.
  int64_t unwoken_ ABSL_GUARDED_BY(mu_) = 0;
  // Writes inside a write call, from their encoding until their caller is answered (or until they
  // leave without staging). Changed without mu_.
  std::atomic<int64_t> inside_{0};
  // Uncommitted writes by kind and object key: the revision and the object (null for a delete).
  absl::flat_hash_map<std::string, std::pair<int64_t, ObjectPtr>> staged_ ABSL_GUARDED_BY(mu_);
  // Counts removals from staged_ (after a batch is published, or when it fails). Raised under mu_,
  // read before a KeyLookup, so that a lookup older than a removal is not trusted.
  std::atomic<uint64_t> retired_{0};
  std::atomic<int64_t> committed_batches_{0};
  // Counts batches that failed to commit (their writes are never published).
  std::atomic<uint64_t> failed_batches_{0};

  mutable absl::Mutex state_mu_ ABSL_ACQUIRED_BEFORE(db_mu_);
  absl::flat_hash_map<std::string, KindState> kinds_ ABSL_GUARDED_BY(state_mu_);
  int64_t revision_ ABSL_GUARDED_BY(state_mu_) = 0;
  int64_t compacted_ ABSL_GUARDED_BY(state_mu_) = 0;
  // Recent events, in revision order; every event after event_floor_ is here.
  std::deque<std::shared_ptr<const ChangeEvent>> events_ ABSL_GUARDED_BY(state_mu_);
  int64_t event_floor_ ABSL_GUARDED_BY(state_mu_) = 0;
  std::vector<std::shared_ptr<WatchQueue>> watchers_ ABSL_GUARDED_BY(state_mu_);

  mutable absl::Mutex db_mu_;
  std::unique_ptr<sqlite::Db> db_ ABSL_GUARDED_BY(db_mu_);
  sqlite::Stmt insert_ ABSL_GUARDED_BY(db_mu_);
  sqlite::Stmt begin_ ABSL_GUARDED_BY(db_mu_);
  sqlite::Stmt commit_ ABSL_GUARDED_BY(db_mu_);
  // A compaction step's statements, prepared once: preparing them per step cost more than the step.
  sqlite::Stmt compact_scan_ ABSL_GUARDED_BY(db_mu_);
  sqlite::Stmt compact_erase_ ABSL_GUARDED_BY(db_mu_);
  sqlite::Stmt compact_save_ ABSL_GUARDED_BY(db_mu_);
  int64_t compact_cursor_ ABSL_GUARDED_BY(db_mu_) = 0;
  int lock_fd_ = -1;
};

}  // namespace orch

#endif  // ORCH_SRC_STORE_SQLITE_SQLITE_STORE_H_
