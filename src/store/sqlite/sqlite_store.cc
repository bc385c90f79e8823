// The write path of the SQLite store (see sqlite_store.h): staging, group commit, compaction.
#include "src/store/sqlite/sqlite_store.h"

#include <fcntl.h>
#include <linux/futex.h>
#include <sys/file.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "orch/api/codec.h"
#include "orch/errors.h"

namespace orch {
namespace {

// How many batches one writer commits in a row before handing the lead on.
constexpr int kMaxBatchesPerLeader = 8;
// How long a leader waits at most for writes under way to join its batch.
constexpr absl::Duration kMaxGatherWait = absl::Microseconds(200);

// Sleeps while *word == expected. A bare futex: std::atomic::wait spins and yields first, which with
// dozens of writers waiting on two cores costs more than the wait itself.
void FutexWait(std::atomic<uint32_t>* word, uint32_t expected) {
  syscall(SYS_futex, reinterpret_cast<uint32_t*>(word), FUTEX_WAIT_PRIVATE, expected, nullptr, nullptr, 0);
}

void FutexWake(std::atomic<uint32_t>* word, int count) {
  syscall(SYS_futex, reinterpret_cast<uint32_t*>(word), FUTEX_WAKE_PRIVATE, count, nullptr, nullptr, 0);
}

// The registered kind of an object, or BadRequest naming its apiVersion and kind.
absl::StatusOr<const ResourceType*> ResolveKind(const TypeMeta& type_meta) {
  const ResourceType* type = FindResourceTypeFor(type_meta);
  if (type == nullptr) {
    return BadRequestError(absl::StrCat("no kind \"", type_meta.kind, "\" is registered for version \"",
                                        type_meta.apiVersion, "\""));
  }
  return type;
}

// Namespaced kinds need a namespace; cluster-scoped kinds drop one.
absl::Status CheckScope(const ResourceType& type, std::string* namespace_) {
  if (!type.namespaced) {
    namespace_->clear();
    return absl::OkStatus();
  }
  if (namespace_->empty()) {
    return BadRequestError(absl::StrCat(type.QualifiedResource(), ": metadata.namespace: Required value: ",
                                        type.kind, " is a namespaced kind"));
  }
  return absl::OkStatus();
}

}  // namespace

ObjectPtr SqliteStore::Committed(const std::string& kind_key, const std::string& key) const {
  absl::ReaderMutexLock state_lock(&state_mu_);
  auto kind = kinds_.find(kind_key);
  if (kind == kinds_.end()) return nullptr;
  auto it = kind->second.objects.find(key);
  return it == kind->second.objects.end() ? nullptr : it->second;
}

SqliteStore::KeyLookup SqliteStore::LookUp(std::string kind_key, std::string key) const {
  KeyLookup lookup;
  lookup.full_key = FullKey(kind_key, key);
  lookup.kind_key = std::move(kind_key);
  lookup.key = std::move(key);
  Refresh(&lookup);
  return lookup;
}

void SqliteStore::Refresh(KeyLookup* lookup) const {
  lookup->retired = retired_.load(std::memory_order_acquire);
  lookup->committed = Committed(lookup->kind_key, lookup->key);
}

ObjectPtr SqliteStore::LatestLocked(const KeyLookup& lookup) const {
  if (auto it = staged_.find(lookup.full_key); it != staged_.end()) return it->second.second;
  // With nothing staged for the key, its committed version changes only when a staged write of it
  // is published, and that write stays in staged_ until it is retired: if none was retired since
  // the lookup, the lookup's version is still the latest. Then no writer waits here on a publish.
  if (retired_.load(std::memory_order_relaxed) == lookup.retired) return lookup.committed;
  return Committed(lookup.kind_key, lookup.key);
}

ObjectPtr SqliteStore::Latest(const KeyLookup& lookup) const {
  absl::MutexLock lock(&mu_);
  return LatestLocked(lookup);
}

SqliteStore::Encoded SqliteStore::Encode(const Object& object) {
  Encoded encoded;
  EncodeObjectAroundRevision(object, &encoded.head, &encoded.tail);
  return encoded;
}

SqliteStore::Staging SqliteStore::Prepare(WatchEventType type, const KeyLookup& lookup, Object object,
                                          Encoded encoded, const ObjectPtr& prev) {
  Staging staging;
  staging.stored = std::make_shared<StoredObject>();
  StoredObject& stored = *staging.stored;
  stored.json = std::move(encoded.head);
  // Room for the revision and the tail, so that stamping it allocates nothing.
  stored.json.reserve(stored.json.size() + 20 + encoded.tail.size());
  stored.object = std::move(object);
  // The version lives as long as it is current or in the event log: keep its texts no larger than
  // they are (a text built by appending has room to spare, ~1 KiB per pod).
  stored.object.spec.shrink_to_fit();
  stored.object.status.shrink_to_fit();
  staging.tail = std::move(encoded.tail);
  staging.op.event =
      std::make_shared<ChangeEvent>(ChangeEvent{0, type, lookup.kind_key, lookup.key, staging.stored, prev});
  staging.op.prev_revision = prev == nullptr ? 0 : prev->revision;
  staging.op.full_key = lookup.full_key;
  staging.staged_key = lookup.full_key;
  return staging;
}

ObjectPtr SqliteStore::StageLocked(Staging* staging) {
  const int64_t revision = next_revision_++;
  StoredObject& stored = *staging->stored;
  stored.revision = revision;
  stored.object.metadata.resourceVersion = absl::StrCat(revision);
  absl::StrAppend(&stored.json, stored.object.metadata.resourceVersion, staging->tail);
  staging->op.event->revision = revision;
  const bool deleted = staging->op.event->type == WatchEventType::kDeleted;
  staged_.insert_or_assign(std::move(staging->staged_key),
                           std::pair<int64_t, ObjectPtr>(revision, deleted ? nullptr : staging->stored));
  if (pending_ == nullptr) pending_ = std::make_shared<Batch>();
  pending_->ops.push_back(std::move(staging->op));
  return staging->stored;
}

void SqliteStore::Finish(Batch& batch, absl::Status result) {
  batch.result = std::move(result);
  batch.state.fetch_or(1, std::memory_order_seq_cst);
}

void SqliteStore::WakeWaiters(Batch& batch) {
  // A writer alone (the common case in one thread) has no one to wake: skip the system call.
  if (batch.sleeping.load(std::memory_order_seq_cst)) FutexWake(&batch.state, INT32_MAX);
}

void SqliteStore::MarkDone(Batch& batch, absl::Status result) {
  Finish(batch, std::move(result));
  WakeWaiters(batch);
}

absl::Status SqliteStore::AwaitCommit(std::shared_ptr<Batch> batch) {
  // mu_ is held on entry and at the top of each round.
  uint32_t seen = 0;
  for (;;) {
    if (!batch->done() && !committing_ && batch == pending_) {
      Lead(batch);  // commits this batch first
      inside_.fetch_sub(1, std::memory_order_relaxed);
      return batch->result;
    }
    mu_.Unlock();
    // Sleep until the batch is done or its lead is offered (the state changes either way).
    batch->sleeping.store(true, std::memory_order_seq_cst);
    uint32_t state = batch->state.load(std::memory_order_seq_cst);
    while ((state & 1) == 0 && state == seen) {
      FutexWait(&batch->state, seen);
      state = batch->state.load(std::memory_order_acquire);
    }
    if ((state & 1) != 0) {
      inside_.fetch_sub(1, std::memory_order_relaxed);
      return batch->result;
    }
    seen = state;
    mu_.Lock();
  }
}

bool SqliteStore::Gathered() const {
  if (memory_) return true;  // a batch costs nothing to write: no reason to wait for a larger one
  // The writes that could be in the pending batch: those inside a write call, less those of the
  // committed batch whose writers are not woken yet.
  const int64_t pending = static_cast<int64_t>(pending_->ops.size());
  return pending * 2 >= inside_.load(std::memory_order_relaxed) - unwoken_;
}

void SqliteStore::Lead(std::shared_ptr<Batch> batch) {
  committing_ = true;
  // The last batch committed, whose writers are woken only once the next batch is taken: they
  // then stage into the one after and encode while this one is written, so the file and the
  // encoding keep a CPU each. Woken first, they would join the next batch and leave the file idle
  // while they encode (and the leader, sharing its CPU with them, would wait for them anyway).
  std::shared_ptr<Batch> written;
  // The leader, already running, also commits the batches that gather meanwhile (a few at most,
  // to bound its own caller's wait): handing the lead to a sleeping writer would leave the file
  // idle until the scheduler runs it.
  for (int led = 0; batch != nullptr && led < kMaxBatchesPerLeader; ++led) {
    // Writes being encoded now would otherwise make the next, smaller batch: each batch costs a
    // transaction and rewrites the pages it shares with the last one. Waiting yields the CPU to
    // them, but only until the batch holds half of the writes that could join it, so that busy
    // writers settle into two groups that take turns (one written while the other encodes).
    if (!Gathered()) mu_.AwaitWithTimeout(absl::Condition(this, &SqliteStore::Gathered), kMaxGatherWait);
    pending_ = nullptr;
    mu_.Unlock();
    if (written != nullptr) WakeWaiters(*written);
    written = CommitUnlocked(batch);
    mu_.Lock();
    unwoken_ = written != nullptr ? static_cast<int64_t>(written->ops.size()) : 0;
    if (written != nullptr) {
      for (const Op& op : batch->ops) {
        auto it = staged_.find(op.full_key);
        if (it != staged_.end() && it->second.first == op.event->revision) staged_.erase(it);
      }
      retired_.fetch_add(1, std::memory_order_release);
    } else {
      // Writes staged after the failed batch were checked against its state: they fail with it.
      if (pending_ != nullptr) {
        MarkDone(*pending_, batch->result);
        pending_ = nullptr;
      }
      staged_.clear();
      retired_.fetch_add(1, std::memory_order_release);
      failed_batches_.fetch_add(1, std::memory_order_release);
      { absl::MutexLock wake(&state_mu_); }  // writers in AwaitPublished look again
      WakeWaiters(*batch);
    }
    batch = pending_;
  }
  committing_ = false;
  unwoken_ = 0;
  if (pending_ != nullptr) {
    pending_->state.fetch_add(2, std::memory_order_seq_cst);
    // One of its writers leads the next commit.
    if (pending_->sleeping.load(std::memory_order_seq_cst)) FutexWake(&pending_->state, 1);
  }
  mu_.Unlock();
  if (written != nullptr) WakeWaiters(*written);
}

std::shared_ptr<SqliteStore::Batch> SqliteStore::CommitUnlocked(const std::shared_ptr<Batch>& batch) {
  int64_t compacted_to = -1;
  absl::Status status = WriteBatch(*batch, &compacted_to);
  if (status.ok() && options_.on_commit) {
    options_.on_commit(batch->ops.front().event->revision, batch->ops.back().event->revision);
  }
  // Publish without mu_, so writers go on staging meanwhile; staged versions stay visible to
  // them until the published ones replace them.
  std::vector<std::shared_ptr<WatchQueue>> to_notify;
  if (status.ok()) Publish(*batch, compacted_to, &to_notify);
  for (const auto& watcher : to_notify) watcher->Notify();
  const bool ok = status.ok();
  if (ok) committed_batches_.fetch_add(1, std::memory_order_relaxed);
  Finish(*batch, std::move(status));
  return ok ? batch : nullptr;
}

absl::Status SqliteStore::WriteBatch(const Batch& batch, int64_t* compacted_to) {
  if (memory_) return absl::OkStatus();
  const int64_t last = batch.ops.back().event->revision;
  absl::MutexLock lock(&db_mu_);
  if (absl::Status s = begin_.Run(); !s.ok()) return s;
  const int64_t cursor_before = compact_cursor_;
  absl::Status status;
  for (const Op& op : batch.ops) {
    const ChangeEvent& event = *op.event;
    const ObjectMeta& meta = event.object->object.metadata;
    insert_.BindInt(1, event.revision);
    insert_.BindText(2, event.kind_key);
    insert_.BindText(3, meta.namespace_);
    insert_.BindText(4, meta.name);
    insert_.BindInt(5, static_cast<int64_t>(event.type));
    insert_.BindInt(6, op.prev_revision);
    insert_.BindBlob(7, event.object->json);
    status = insert_.Run();
    if (!status.ok()) break;
  }
  if (status.ok() && last - options_.history_revisions > compact_cursor_) {
    status = CompactStepLocked(batch, compacted_to);
  }
  if (status.ok()) status = commit_.Run();
  if (!status.ok()) {
    // Nothing of the transaction happened, the compaction step included.
    db_->Exec("ROLLBACK").IgnoreError();
    compact_cursor_ = cursor_before;
    *compacted_to = -1;
  }
  return status;
}

absl::Status SqliteStore::CompactStepLocked(const Batch& batch, int64_t* compacted_to) {
  // etcd's compaction to revision C: every version superseded at or before C goes, and so does every
  // deletion at or before C; each key's version at C stays (a list at any revision from C on needs
  // it). Walking the rows of (cursor, target] in order, a row's predecessor (prev_rv) was superseded
  // by it, and a deletion's row is superseded by nothing.
  const int64_t target = batch.ops.back().event->revision - options_.history_revisions;
  sqlite::Stmt* scan = &compact_scan_;
  scan->BindInt(1, compact_cursor_);
  scan->BindInt(2, target);
  scan->BindInt(3, options_.compaction_step);
  std::vector<int64_t> dead;
  int64_t cursor = compact_cursor_;
  int rows = 0;
  for (;;) {
    absl::StatusOr<bool> row = scan->Step();
    if (!row.ok()) return row.status();
    if (!*row) break;
    ++rows;
    cursor = scan->ColumnInt(0);
    if (const int64_t prev = scan->ColumnInt(2); prev > 0) dead.push_back(prev);
    if (scan->ColumnInt(1) == static_cast<int64_t>(WatchEventType::kDeleted)) dead.push_back(cursor);
  }
  scan->Reset();
  if (rows < options_.compaction_step) cursor = target;
  for (int64_t rv : dead) {
    compact_erase_.BindInt(1, rv);
    if (absl::Status s = compact_erase_.Run(); !s.ok()) return s;
  }
  compact_save_.BindInt(1, cursor);
  if (absl::Status s = compact_save_.Run(); !s.ok()) return s;
  compact_cursor_ = cursor;
  *compacted_to = cursor;
  return absl::OkStatus();
}

void SqliteStore::Publish(const Batch& batch, int64_t compacted_to,
                          std::vector<std::shared_ptr<WatchQueue>>* to_notify) {
  // Events that leave the log are freed after the lock: every reader and writer waits on it.
  std::vector<std::shared_ptr<const ChangeEvent>> evicted;
  absl::WriterMutexLock state_lock(&state_mu_);
  const std::string* kind_key = nullptr;
  KindState* kind = nullptr;  // of *kind_key; looked up again when the kind changes
  for (const Op& op : batch.ops) {
    const ChangeEvent& event = *op.event;
    if (kind_key == nullptr || *kind_key != event.kind_key) {
      kind_key = &event.kind_key;
      kind = &kinds_[event.kind_key];
    }
    if (event.type == WatchEventType::kDeleted) {
      kind->objects.erase(event.key);
    } else {
      kind->objects.insert_or_assign(event.key, event.object);
    }
    events_.push_back(op.event);
    revision_ = event.revision;
  }
  while (events_.size() > options_.event_cache_size) {
    event_floor_ = events_.front()->revision;
    evicted.push_back(std::move(events_.front()));
    events_.pop_front();
  }
  if (compacted_to >= 0) compacted_ = compacted_to;
  if (memory_) compacted_ = event_floor_;  // no history beyond the log
  // Hand the changes to the watchers; drop the ones that stopped.
  if (watchers_.empty()) return;
  const absl::Time now = absl::Now();
  std::erase_if(watchers_, [](const std::shared_ptr<WatchQueue>& w) { return w->stopped(); });
  for (const auto& watcher : watchers_) {
    bool notify = false;
    for (const Op& op : batch.ops) {
      if (op.event->kind_key == watcher->kind_key()) notify |= watcher->Offer(*op.event);
    }
    notify |= watcher->OfferBookmark(revision_, now);
    if (notify) to_notify->push_back(watcher);
  }
}

void SqliteStore::AwaitPublished(int64_t revision, uint64_t failed) const {
  // A failed batch publishes nothing; it counts itself in failed_batches_ (and passes through
  // state_mu_, so this wait looks again). The bound is a safety net, not the way out.
  struct Wait {
    const SqliteStore* store;
    int64_t revision;
    uint64_t failed;
    static bool Done(Wait* w) ABSL_NO_THREAD_SAFETY_ANALYSIS {
      return w->store->revision_ >= w->revision ||
             w->store->failed_batches_.load(std::memory_order_acquire) != w->failed;
    }
  } wait{this, revision, failed};
  state_mu_.ReaderLockWhenWithTimeout(absl::Condition(&Wait::Done, &wait), absl::Seconds(10));
  state_mu_.ReaderUnlock();
}

absl::Status SqliteStore::Refuse(absl::Status status, const ObjectPtr& latest) {
  // A staged version that is not readable yet: wait until it is, so that whoever reads again after
  // this error sees it (etcd's reads are linearizable; ours follow the commit).
  const int64_t revision = latest->revision;
  const uint64_t failed = failed_batches_.load(std::memory_order_acquire);
  mu_.Unlock();
  inside_.fetch_sub(1, std::memory_order_relaxed);
  if (CurrentRevision() < revision) AwaitPublished(revision, failed);
  return status;
}

absl::StatusOr<SqliteStore::KeyLookup> SqliteStore::LookUpKey(Object* object,
                                                              const ResourceType** type_out) const {
  absl::StatusOr<const ResourceType*> type = ResolveKind(object->type);
  if (!type.ok()) return type.status();
  *type_out = *type;
  if (absl::Status s = CheckScope(**type, &object->metadata.namespace_); !s.ok()) return s;
  if (object->metadata.name.empty()) {
    return InvalidError((*type)->kind, "", "metadata.name: Required value: name or generateName is required");
  }
  return LookUp(KindKey((*type)->group, (*type)->kind),
                ObjectKey(object->metadata.namespace_, object->metadata.name));
}

absl::StatusOr<ObjectPtr> SqliteStore::Create(Object object) {
  const ResourceType* type = nullptr;
  absl::StatusOr<KeyLookup> lookup = LookUpKey(&object, &type);
  if (!lookup.ok()) return lookup.status();
  // The write is built and encoded before taking the lock.
  inside_.fetch_add(1, std::memory_order_relaxed);
  Encoded encoded = Encode(object);
  Staging staging = Prepare(WatchEventType::kAdded, *lookup, std::move(object), std::move(encoded), nullptr);
  mu_.Lock();
  if (ObjectPtr latest = LatestLocked(*lookup); latest != nullptr) {
    return Refuse(AlreadyExistsError(type->QualifiedResource(), latest->object.metadata.name), latest);
  }
  ObjectPtr stored = StageLocked(&staging);
  absl::Status status = AwaitCommit(pending_);
  if (!status.ok()) return status;
  return stored;
}

absl::StatusOr<ObjectPtr> SqliteStore::Update(Object object, int64_t revision) {
  const ResourceType* type = nullptr;
  absl::StatusOr<KeyLookup> lookup = LookUpKey(&object, &type);
  if (!lookup.ok()) return lookup.status();
  inside_.fetch_add(1, std::memory_order_relaxed);
  Encoded encoded = Encode(object);
  Staging staging =
      Prepare(WatchEventType::kModified, *lookup, std::move(object), std::move(encoded), nullptr);
  mu_.Lock();
  ObjectPtr current = LatestLocked(*lookup);
  if (current == nullptr) {
    mu_.Unlock();
    inside_.fetch_sub(1, std::memory_order_relaxed);
    return NotFoundError(type->QualifiedResource(), staging.stored->object.metadata.name);
  }
  if (current->revision != revision) {
    return Refuse(
        ConflictError(type->QualifiedResource(), staging.stored->object.metadata.name,
                      "the object has been modified; please apply your changes to the latest version "
                      "and try again"),
        current);
  }
  staging.op.event->prev = current;
  staging.op.prev_revision = current->revision;
  ObjectPtr stored = StageLocked(&staging);
  absl::Status status = AwaitCommit(pending_);
  if (!status.ok()) return status;
  return stored;
}

absl::StatusOr<ObjectPtr> SqliteStore::Delete(const ResourceType& type, absl::string_view namespace_,
                                              absl::string_view name, int64_t revision) {
  std::string ns(namespace_);
  if (absl::Status s = CheckScope(type, &ns); !s.ok()) return s;
  KeyLookup lookup = LookUp(KindKey(type.group, type.kind), ObjectKey(ns, name));
  for (;;) {
    ObjectPtr current = Latest(lookup);
    if (current == nullptr) return NotFoundError(type.QualifiedResource(), name);
    // The deletion's event carries the last version, encoded again with the deletion's revision.
    inside_.fetch_add(1, std::memory_order_relaxed);
    Encoded encoded = Encode(current->object);
    Staging staging = Prepare(WatchEventType::kDeleted, lookup, current->object, std::move(encoded), current);
    Refresh(&lookup);
    mu_.Lock();
    ObjectPtr latest = LatestLocked(lookup);
    if (latest != nullptr && revision != 0 && latest->revision != revision) {
      return Refuse(
          ConflictError(type.QualifiedResource(), name,
                        absl::StrCat("Precondition failed: ResourceVersion in precondition: ", revision,
                                     ", ResourceVersion in object meta: ", latest->revision)),
          latest);
    }
    if (latest != current) {
      mu_.Unlock();
      inside_.fetch_sub(1, std::memory_order_relaxed);
      continue;  // look again: gone meanwhile, or changed and any version (or the one asked) may go
    }
    ObjectPtr stored = StageLocked(&staging);
    absl::Status status = AwaitCommit(pending_);
    if (!status.ok()) return status;
    return stored;
  }
}

}  // namespace orch
