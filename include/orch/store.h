// The Store: where every object lives, with exactly the contract etcd v3 gives. One cluster-wide
// increasing revision (resourceVersion); create if absent; compare-and-swap update and delete on an
// object's last revision; list at the latest or an older revision; watches that resume from any
// revision still in history; compaction that makes older revisions "gone" (410).
//
// The store holds any kind (orch::Object, see orch/api/object.h) and needs a ResourceType only for
// its scope. It applies no API rules: uid, names from generateName, generation, timestamps, status
// subresources, graceful deletion and finalizers are the in-process Client's (orch/client.h), as
// kube-apiserver's registry applies them above etcd. So another backend (etcd) can implement it
// unchanged, and the store contract tests (tests/store) run on every backend.
#ifndef ORCH_STORE_H_
#define ORCH_STORE_H_

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <typeinfo>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "orch/api/codec.h"
#include "orch/api/object.h"
#include "orch/api/selector.h"

namespace orch {

// A set-once slot for one typed view of an object (a Pod, ...), shared by the threads that read it.
// The first value offered stays; later offers get it back. Copies share the value. Thread-safe.
class DecodedCache {
 public:
  DecodedCache() = default;
  DecodedCache(const DecodedCache& other) : entry_(other.entry_.load()) {}
  DecodedCache& operator=(const DecodedCache& other) {
    entry_.store(other.entry_.load());
    return *this;
  }

  // The value if it is a T, else nullptr.
  template <class T>
  std::shared_ptr<const T> Get() const {
    std::shared_ptr<const Entry> entry = entry_.load(std::memory_order_acquire);
    if (entry == nullptr || *entry->type != typeid(T)) return nullptr;
    return std::static_pointer_cast<const T>(entry->value);
  }
  // Keeps `value` unless the slot holds one already; returns what the slot holds if that is a T,
  // else `value`.
  template <class T>
  std::shared_ptr<const T> Offer(std::shared_ptr<const T> value) const {
    auto entry = std::make_shared<const Entry>(Entry{&typeid(T), value});
    std::shared_ptr<const Entry> expected;
    if (entry_.compare_exchange_strong(expected, entry, std::memory_order_acq_rel)) return value;
    if (*expected->type != typeid(T)) return value;
    return std::static_pointer_cast<const T>(expected->value);
  }

 private:
  struct Entry {
    const std::type_info* type;
    std::shared_ptr<const void> value;
  };
  mutable std::atomic<std::shared_ptr<const Entry>> entry_;
};

// One immutable version of an object, as written by the store: the object with its store-assigned
// metadata, and its JSON encoding, made once and shared by every read, list and watcher.
struct StoredObject {
  Object object;
  std::string json;  // EncodeObject(object)
  int64_t revision = 0;
  // The typed view (a Pod, ...), made at most once per version: by the first reader that asks for it
  // through Decoded<T>, or by the writer that had the struct in hand (orch::Client's typed writes).
  // A cache only: it holds FromObject<T>(object) and is not part of the object's value.
  DecodedCache decoded;
};
using ObjectPtr = std::shared_ptr<const StoredObject>;

// FromObject<T>(stored.object), decoded once per stored version and shared by every in-process
// reader of it (informers, controllers, the scheduler), instead of a decode each. The struct is
// immutable; copy it to change it.
template <class T>
absl::StatusOr<std::shared_ptr<const T>> Decoded(const StoredObject& stored) {
  if (std::shared_ptr<const T> cached = stored.decoded.Get<T>()) return cached;
  absl::StatusOr<T> typed = FromObject<T>(stored.object);
  if (!typed.ok()) return typed.status();
  return stored.decoded.Offer(std::make_shared<const T>(*std::move(typed)));
}

// FromObject<T>(stored.object) as a struct of one's own: a copy of the shared typed view when there
// is one, else a decode that is not kept (for reads that should not grow the stored object).
template <class T>
absl::StatusOr<T> TypedCopy(const StoredObject& stored) {
  if (std::shared_ptr<const T> cached = stored.decoded.Get<T>()) return *cached;
  return FromObject<T>(stored.object);
}

// How a read relates to the resourceVersion asked for (Kubernetes' resourceVersionMatch).
enum class ResourceVersionMatch {
  kDefault,       // "" or "0": the latest; "N": not older than N (for lists as for gets)
  kNotOlderThan,  // the latest, which must be at least N
  kExact,         // exactly revision N (lists only), if still in history; else 410 Gone
};

struct GetOptions {
  std::string resourceVersion;  // "" or "0": latest; "N": must not be newer than the store
};

struct ListOptions {
  LabelSelector labelSelector;
  FieldSelector fieldSelector;
  // Page size; 0 means everything. When more remain, ListResult::continue_token is set.
  int64_t limit = 0;
  // A token from an earlier page: the list goes on at the same revision. Expired (410) once that
  // revision has left the store's history.
  std::string continue_token;
  std::string resourceVersion;
  ResourceVersionMatch resourceVersionMatch = ResourceVersionMatch::kDefault;
};

struct ListResult {
  std::vector<ObjectPtr> items;  // sorted by namespace, then name
  int64_t revision = 0;          // the revision the list reflects (the list's metadata.resourceVersion)
  std::string continue_token;    // empty on the last page
};

enum class WatchEventType { kAdded, kModified, kDeleted, kBookmark, kError };
absl::string_view WatchEventTypeName(WatchEventType type);  // "ADDED", "MODIFIED", ...

struct WatchEvent {
  WatchEventType type = WatchEventType::kAdded;
  // The object (for DELETED its last state, with the deletion's resourceVersion). For BOOKMARK an
  // object of the watched kind whose metadata carries only resourceVersion. Null for ERROR.
  ObjectPtr object;
  // For ERROR: why the watch ended (e.g. Gone when the watcher fell too far behind).
  absl::Status error;
};

struct WatchOptions {
  std::string namespace_;  // empty: all namespaces
  LabelSelector labelSelector;
  FieldSelector fieldSelector;
  // "" or "0": first an ADDED event for every current object, then changes. "N": every change after
  // revision N; Gone (410) when N has been compacted.
  std::string resourceVersion;
  // Whether to send BOOKMARK events that advance the watcher's revision while nothing it selects
  // changes.
  bool allowWatchBookmarks = false;
};

// A stream of events of one watch, in revision order. An object that stops matching the selectors
// arrives as DELETED, one that starts matching as ADDED. Thread-safe.
class Watcher {
 public:
  virtual ~Watcher() = default;
  // The next event, waiting up to `timeout` (zero: do not wait). nullopt on timeout or after Stop().
  // After an ERROR event the watch has ended.
  virtual std::optional<WatchEvent> Next(absl::Duration timeout) = 0;
  // `notify` is called (from a store thread, without store locks held) whenever an event becomes
  // available while the queue was empty. It must be cheap (e.g. uv_async_send).
  virtual void SetNotify(std::function<void()> notify) = 0;
  // Ends the watch; later Next() calls return nullopt at once. Idempotent.
  virtual void Stop() = 0;
};

// The storage interface. Implementations are thread-safe: any number of threads may call any
// method at once. A write returns once it is durable (as the backend defines it) and visible to
// reads; after a Conflict or AlreadyExists, a Get returns the version that caused it, or a newer one.
class Store {
 public:
  virtual ~Store() = default;

  // Stores `object` under (kind, namespace, name) at a new revision, which it stamps in
  // metadata.resourceVersion; everything else is stored as given. Requires type, metadata.name, and
  // a namespace exactly when the kind is namespaced (InvalidArgument otherwise). AlreadyExists if
  // the key holds an object.
  virtual absl::StatusOr<ObjectPtr> Create(Object object) = 0;
  virtual absl::StatusOr<ObjectPtr> Get(const ResourceType& type, absl::string_view namespace_,
                                        absl::string_view name, const GetOptions& options = {}) = 0;
  // Lists one kind, in one namespace or (namespace_ empty) in all.
  virtual absl::StatusOr<ListResult> List(const ResourceType& type, absl::string_view namespace_,
                                          const ListOptions& options = {}) = 0;
  // Compare-and-swap: replaces the object at its key with `object` at a new revision if the stored
  // version's revision is `revision`; Conflict if it is another, NotFound if there is none.
  virtual absl::StatusOr<ObjectPtr> Update(Object object, int64_t revision) = 0;
  // Compare-and-swap delete: removes the object if its revision is `revision` (0: whatever version
  // is stored). Returns its last version, with the deletion's revision. Conflict, NotFound as Update.
  virtual absl::StatusOr<ObjectPtr> Delete(const ResourceType& type, absl::string_view namespace_,
                                           absl::string_view name, int64_t revision = 0) = 0;
  virtual absl::StatusOr<std::unique_ptr<Watcher>> Watch(const ResourceType& type,
                                                         const WatchOptions& options = {}) = 0;

  // The revision of the last committed write.
  virtual int64_t CurrentRevision() const = 0;
  // The oldest revision a watch may start from; older ones are Gone.
  virtual int64_t CompactedRevision() const = 0;
};

struct SqliteStoreOptions {
  // A file path, or ":memory:" for a store that lives only as long as the process. A file is opened
  // in WAL mode and locked against other processes. Default: in memory.
  std::string path = ":memory:";
  // false: synchronous=NORMAL, an acknowledged write survives the process being killed (kill -9)
  // but not a power loss. true: synchronous=FULL, it survives a power loss too.
  bool power_loss_safe = false;
  // How many revisions of history are kept for watches to resume from and lists at a past revision
  // (continue tokens, Exact) to read. Older ones are compacted in small steps as writes go on, as
  // etcd compacts: each object's version at the compacted revision is kept. At least 1 is kept.
  int64_t history_revisions = 100000;
  // How many rows one compaction step deletes at most, so a step never holds writers up for long.
  int compaction_step = 1000;
  // How many recent events are kept in memory for watches and consistent pages; older ones are read
  // from the file.
  size_t event_cache_size = 10000;
  // How many undelivered events a watcher may have queued before its watch ends with Gone.
  size_t watch_queue_limit = 100000;
  // Minimum time between two bookmarks sent to one watcher, on the real clock (bookmarks pace a
  // transport; they stamp nothing).
  absl::Duration bookmark_interval = absl::Seconds(1);
  // For tests: caps the database size in pages (SQLite max_page_count), to simulate a full disk.
  int64_t max_pages = 0;
  // Called on the committing thread each time a batch of writes has committed (is durable), before
  // its watchers are notified and its writers answered, with the batch's revisions [first, last].
  // For metrics such as commit latency and commit-to-watcher delivery. It must be cheap and must
  // not call the store.
  std::function<void(int64_t first_revision, int64_t last_revision)> on_commit;
};

// Opens (creating if needed) a SQLite store. Errors name the file: a corrupt or foreign database
// (FailedPrecondition), a file another process holds (Unavailable), a directory that cannot be
// written (PermissionDenied); a file that cannot be created has its errno's code (ResourceExhausted
// for a full file system).
absl::StatusOr<std::unique_ptr<Store>> OpenSqliteStore(const SqliteStoreOptions& options);

struct MemoryStoreOptions {
  // How many revisions of history are kept for watches and consistent pages to resume from. It is
  // held in memory (the changed versions themselves), so the bound is also the store's memory
  // beyond its current objects; older revisions are Gone (410).
  int64_t history_revisions = 10000;
  // How many undelivered events a watcher may have queued before its watch ends with Gone.
  size_t watch_queue_limit = 100000;
  // Minimum time between two bookmarks sent to one watcher, on the real clock (bookmarks pace a
  // transport; they stamp nothing).
  absl::Duration bookmark_interval = absl::Seconds(1);
};

// A store with no database behind it: the SQLite store's state, watches and write path, with
// nothing written anywhere, so nothing outlives the process. For tests and for control planes
// that rebuild their state on start. The same contract as the SQLite store; a write costs about
// half as much as one to SQLite's ":memory:" database.
std::unique_ptr<Store> OpenMemoryStore(const MemoryStoreOptions& options = {});

// Opens a store from a URL: "sqlite:///var/lib/orch/state.db", "sqlite://relative.db",
// "sqlite::memory:" (SQLite's in-memory database) or "memory" (OpenMemoryStore). Other schemes are
// for drivers registered with RegisterStoreDriver. InvalidArgument naming the URL when no driver
// has its scheme.
absl::StatusOr<std::unique_ptr<Store>> OpenStore(absl::string_view url);

using StoreFactory = std::function<absl::StatusOr<std::unique_ptr<Store>>(absl::string_view url)>;
// Registers (or replaces) a store driver for URLs "<scheme>://...". Thread-safe.
void RegisterStoreDriver(absl::string_view scheme, StoreFactory factory);

}  // namespace orch

#endif  // ORCH_STORE_H_
