// The write path of the SQLite store (see sqlite_store.h): staging, group commit, compaction.
#include "src/store/sqlite/sqlite_store.h"

#include <fcntl.h>
#include <linux/futex.h>
#include <sys/file.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <random>

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

std::mt19937_64& Random() {
  thread_local std::mt19937_64 rng(std::random_device{}());
  return rng;
}

// A random (version 4) UUID, as Kubernetes assigns to metadata.uid.
std::string NewUid() {
  uint64_t hi = Random()();
  uint64_t lo = Random()();
  hi = (hi & 0xffffffffffff0fffULL) | 0x0000000000004000ULL;
  lo = (lo & 0x3fffffffffffffffULL) | 0x8000000000000000ULL;
  return absl::StrFormat("%08x-%04x-%04x-%04x-%012x", hi >> 32, (hi >> 16) & 0xffff, hi & 0xffff, lo >> 48,
                         lo & 0xffffffffffffULL);
}

// Kubernetes' generateName suffix: five characters from an alphabet without vowels or look-alikes.
std::string RandomSuffix() {
  static constexpr char kAlphabet[] = "bcdfghjklmnpqrstvwxz2456789";
  std::string suffix(5, ' ');
  for (char& c : suffix) c = kAlphabet[Random()() % (sizeof(kAlphabet) - 1)];
  return suffix;
}

// Sleeps while *word == expected. A bare futex: std::atomic::wait spins and yields first, which with
// dozens of writers waiting on two cores costs more than the wait itself.
void FutexWait(std::atomic<uint32_t>* word, uint32_t expected) {
  syscall(SYS_futex, reinterpret_cast<uint32_t*>(word), FUTEX_WAIT_PRIVATE, expected, nullptr, nullptr, 0);
}

void FutexWake(std::atomic<uint32_t>* word, int count) {
  syscall(SYS_futex, reinterpret_cast<uint32_t*>(word), FUTEX_WAKE_PRIVATE, count, nullptr, nullptr, 0);
}

// Field values under "status." come from `status_source`, the others from `spec_source`.
std::vector<std::pair<std::string, std::string>> MergeFields(const Object& spec_source,
                                                             const Object& status_source) {
  std::vector<std::pair<std::string, std::string>> fields;
  for (const auto& field : spec_source.fields) {
    if (!absl::StartsWith(field.first, "status.")) fields.push_back(field);
  }
  for (const auto& field : status_source.fields) {
    if (absl::StartsWith(field.first, "status.")) fields.push_back(field);
  }
  std::sort(fields.begin(), fields.end());
  return fields;
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

absl::StatusOr<ObjectPtr> SqliteStore::Create(Object object) {
  absl::StatusOr<const ResourceType*> type = ResolveKind(object.type);
  if (!type.ok()) return type.status();
  if (absl::Status s = CheckScope(**type, &object.metadata.namespace_); !s.ok()) return s;
  const std::string kind_key = KindKey((*type)->group, (*type)->kind);
  ObjectMeta& meta = object.metadata;
  if (meta.name.empty() && meta.generateName.empty()) {
    return InvalidError((*type)->kind, "", "metadata.name: Required value: name or generateName is required");
  }
  meta.uid = NewUid();
  meta.creationTimestamp = Time::Truncated(clock_->Now());
  meta.generation = 1;
  meta.deletionTimestamp = Time{};
  meta.deletionGracePeriodSeconds.reset();
  // The write is built and encoded before taking the lock; a name from generateName is tried the
  // same way, and another one when it is taken.
  const bool generated = meta.name.empty();
  const std::string generate_name = meta.generateName;
  for (int attempt = 0;; ++attempt) {
    if (generated) object.metadata.name = generate_name + RandomSuffix();
    KeyLookup lookup = LookUp(kind_key, ObjectKey(object.metadata.namespace_, object.metadata.name));
    inside_.fetch_add(1, std::memory_order_relaxed);
    Encoded encoded = Encode(object);
    Staging staging = Prepare(WatchEventType::kAdded, lookup, std::move(object), std::move(encoded), nullptr);
    mu_.Lock();
    if (LatestLocked(lookup) == nullptr) {
      ObjectPtr stored = StageLocked(&staging);
      absl::Status status = AwaitCommit(pending_);
      if (!status.ok()) return status;
      return stored;
    }
    mu_.Unlock();
    inside_.fetch_sub(1, std::memory_order_relaxed);
    object = std::move(staging.stored->object);
    if (!generated) return AlreadyExistsError((*type)->QualifiedResource(), object.metadata.name);
    if (attempt == 7) return AlreadyExistsError((*type)->QualifiedResource(), generate_name + "*");
  }
}

absl::StatusOr<ObjectPtr> SqliteStore::Update(Object object) {
  return DoUpdate(std::move(object), UpdateKind::kMain);
}

absl::StatusOr<ObjectPtr> SqliteStore::UpdateStatus(Object object) {
  return DoUpdate(std::move(object), UpdateKind::kStatus);
}

absl::StatusOr<ObjectPtr> SqliteStore::UpdateSpecAndStatus(Object object) {
  return DoUpdate(std::move(object), UpdateKind::kSpecAndStatus);
}

absl::StatusOr<ObjectPtr> SqliteStore::DoUpdate(Object object, UpdateKind update_kind) {
  absl::StatusOr<const ResourceType*> type = ResolveKind(object.type);
  if (!type.ok()) return type.status();
  if (absl::Status s = CheckScope(**type, &object.metadata.namespace_); !s.ok()) return s;
  const std::string kind_key = KindKey((*type)->group, (*type)->kind);
  KeyLookup lookup = LookUp(kind_key, ObjectKey(object.metadata.namespace_, object.metadata.name));
  // Build and encode the new version outside the lock, then stage it if the version it was built
  // on is still the latest; else build again on the newer one.
  for (int attempt = 0;; ++attempt) {
    if (attempt > 0) Refresh(&lookup);
    ObjectPtr current = Latest(lookup);
    if (current == nullptr) return NotFoundError((*type)->QualifiedResource(), object.metadata.name);
    const Object& old = current->object;
    if (!object.metadata.resourceVersion.empty() &&
        object.metadata.resourceVersion != old.metadata.resourceVersion) {
      return ConflictError(
          (*type)->QualifiedResource(), object.metadata.name,
          "the object has been modified; please apply your changes to the latest version and try "
          "again");
    }
    if (!object.metadata.uid.empty() && object.metadata.uid != old.metadata.uid) {
      return ConflictError((*type)->QualifiedResource(), object.metadata.name,
                           absl::StrCat("Precondition failed: UID in precondition: ", object.metadata.uid,
                                        ", UID in object meta: ", old.metadata.uid));
    }
    Object next;
    if (update_kind == UpdateKind::kStatus) {
      next = old;
      next.status = object.status;
      next.fields = MergeFields(old, object);
    } else {
      next = object;
      next.type = old.type;
      ObjectMeta& meta = next.metadata;
      meta.uid = old.metadata.uid;
      meta.creationTimestamp = old.metadata.creationTimestamp;
      meta.deletionTimestamp = old.metadata.deletionTimestamp;
      meta.deletionGracePeriodSeconds = old.metadata.deletionGracePeriodSeconds;
      if (meta.generateName.empty()) meta.generateName = old.metadata.generateName;
      meta.generation = old.metadata.generation + (next.spec != old.spec ? 1 : 0);
      if ((*type)->status_subresource && update_kind == UpdateKind::kMain) {
        next.status = old.status;
        next.fields = MergeFields(next, old);
      }
    }
    next.metadata.resourceVersion = old.metadata.resourceVersion;
    if (next == old) return current;
    const ObjectMeta& meta = next.metadata;
    const bool finalized = meta.deletionTimestamp.IsSet() && meta.finalizers.empty() &&
                           meta.deletionGracePeriodSeconds.value_or(0) == 0;
    inside_.fetch_add(1, std::memory_order_relaxed);
    Encoded encoded = Encode(next);
    Staging staging = Prepare(finalized ? WatchEventType::kDeleted : WatchEventType::kModified, lookup,
                              std::move(next), std::move(encoded), current);
    Refresh(&lookup);
    mu_.Lock();
    if (LatestLocked(lookup) != current) {
      mu_.Unlock();
      inside_.fetch_sub(1, std::memory_order_relaxed);
      continue;
    }
    ObjectPtr stored = StageLocked(&staging);
    absl::Status status = AwaitCommit(pending_);
    if (!status.ok()) return status;
    return stored;
  }
}

absl::StatusOr<DeleteResult> SqliteStore::Delete(const ResourceType& type, absl::string_view namespace_,
                                                 absl::string_view name, const DeleteOptions& options) {
  std::string ns(namespace_);
  if (absl::Status s = CheckScope(type, &ns); !s.ok()) return s;
  const std::string kind_key = KindKey(type.group, type.kind);
  KeyLookup lookup = LookUp(kind_key, ObjectKey(ns, name));
  for (int attempt = 0;; ++attempt) {
    if (attempt > 0) Refresh(&lookup);
    ObjectPtr current = Latest(lookup);
    if (current == nullptr) return NotFoundError(type.QualifiedResource(), name);
    const ObjectMeta& old = current->object.metadata;
    const Preconditions& pre = options.preconditions;
    if (pre.uid && *pre.uid != old.uid) {
      return ConflictError(type.QualifiedResource(), name,
                           absl::StrCat("Precondition failed: UID in precondition: ", *pre.uid,
                                        ", UID in object meta: ", old.uid));
    }
    if (pre.resourceVersion && *pre.resourceVersion != old.resourceVersion) {
      return ConflictError(
          type.QualifiedResource(), name,
          absl::StrCat("Precondition failed: ResourceVersion in precondition: ", *pre.resourceVersion,
                       ", ResourceVersion in object meta: ", old.resourceVersion));
    }
    const int64_t grace = std::max<int64_t>(0, options.gracePeriodSeconds.value_or(0));
    WatchEventType change = WatchEventType::kDeleted;
    Object next = current->object;
    if (!old.finalizers.empty() || grace > 0) {
      // Only mark: finalizers or the owner finish the deletion. A second delete may only shorten
      // the grace period.
      int64_t old_grace = old.deletionGracePeriodSeconds.value_or(0);
      if (old.deletionTimestamp.IsSet() && (old_grace <= grace || !old.finalizers.empty())) {
        return DeleteResult{current, false};
      }
      next.metadata.deletionTimestamp = Time{Time::Truncated(clock_->Now()).value + absl::Seconds(grace)};
      next.metadata.deletionGracePeriodSeconds = grace;
      change = WatchEventType::kModified;
    }
    inside_.fetch_add(1, std::memory_order_relaxed);
    Encoded encoded = Encode(next);
    Staging staging = Prepare(change, lookup, std::move(next), std::move(encoded), current);
    Refresh(&lookup);
    mu_.Lock();
    if (LatestLocked(lookup) != current) {
      mu_.Unlock();
      inside_.fetch_sub(1, std::memory_order_relaxed);
      continue;
    }
    ObjectPtr stored = StageLocked(&staging);
    absl::Status status = AwaitCommit(pending_);
    if (!status.ok()) return status;
    return DeleteResult{stored, change == WatchEventType::kDeleted};
  }
}

}  // namespace orch
