// The queue behind one watch: filters committed changes by namespace and selectors, turns selector
// transitions into ADDED/DELETED, and hands events to the watcher's thread. Internal to src/store.
#ifndef ORCH_SRC_STORE_SQLITE_WATCH_QUEUE_H_
#define ORCH_SRC_STORE_SQLITE_WATCH_QUEUE_H_

#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "absl/synchronization/mutex.h"
#include "orch/store.h"

namespace orch {

// One committed change, as the store's event log and its watchers see it.
struct ChangeEvent {
  int64_t revision = 0;
  WatchEventType type = WatchEventType::kAdded;  // kAdded, kModified or kDeleted
  std::string kind_key;                          // "group/Kind"
  std::string key;                               // ObjectKey(namespace, name)
  ObjectPtr object;                              // the new state; for kDeleted the last state
  ObjectPtr prev;                                // the state before; null when none or unknown
};

// "group/Kind", the key of a kind in the store.
std::string KindKey(absl::string_view group, absl::string_view kind);
// "namespace\x01name", the key of an object within its kind. The separator sorts before every
// character a name may have, so keys sort by namespace, then name.
std::string ObjectKey(absl::string_view namespace_, absl::string_view name);

// Shared between the store (which offers events under its lock) and the watcher's thread (which
// takes them). Thread-safe.
class WatchQueue {
 public:
  WatchQueue(std::string kind_key, TypeMeta type, WatchOptions options, size_t limit,
             absl::Duration bookmark_interval);

  const std::string& kind_key() const { return kind_key_; }
  // Whether an object is selected by this watch.
  bool Selects(const ObjectPtr& object) const;

  // Queues what `event` means to this watcher (maybe nothing). Returns true when the watcher should
  // be notified (its queue was empty). Events must come in revision order.
  bool Offer(const ChangeEvent& event);
  // Queues an ADDED event for an object of the initial state.
  void OfferInitial(const ObjectPtr& object);
  // Queues a BOOKMARK at `revision` if bookmarks are on, nothing was sent at it yet, and the last
  // bookmark is older than the interval. Returns true when the watcher should be notified.
  bool OfferBookmark(int64_t revision, absl::Time now);
  // While held, queued events are not handed out; Release puts `prefix` before them and lets go.
  void Hold();
  void Release(const std::vector<ChangeEvent>& prefix);
  // Ends the watch with an ERROR event carrying `error`.
  void Fail(absl::Status error);

  std::optional<WatchEvent> Next(absl::Duration timeout);
  void SetNotify(std::function<void()> notify);
  // Calls the notify function, if any. Must be called without store locks held.
  void Notify();
  void Stop();
  bool stopped() const;

 private:
  bool PushLocked(WatchEventType type, const ObjectPtr& object, int64_t revision)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  std::optional<WatchEventType> Translate(const ChangeEvent& event) const;

  const std::string kind_key_;
  const TypeMeta type_;
  const WatchOptions options_;
  const size_t limit_;
  const absl::Duration bookmark_interval_;

  mutable absl::Mutex mu_;
  absl::CondVar ready_;
  std::deque<WatchEvent> queue_ ABSL_GUARDED_BY(mu_);
  std::function<void()> notify_ ABSL_GUARDED_BY(mu_);
  bool stopped_ ABSL_GUARDED_BY(mu_) = false;
  bool failed_ ABSL_GUARDED_BY(mu_) = false;
  bool held_ ABSL_GUARDED_BY(mu_) = false;
  int64_t last_revision_ ABSL_GUARDED_BY(mu_) = 0;
  absl::Time last_bookmark_ ABSL_GUARDED_BY(mu_) = absl::InfinitePast();
};

// The handle a caller owns; stops the queue when dropped.
class WatchHandle final : public Watcher {
 public:
  explicit WatchHandle(std::shared_ptr<WatchQueue> queue) : queue_(std::move(queue)) {}
  ~WatchHandle() override { queue_->Stop(); }
  std::optional<WatchEvent> Next(absl::Duration timeout) override { return queue_->Next(timeout); }
  void SetNotify(std::function<void()> notify) override { queue_->SetNotify(std::move(notify)); }
  void Stop() override { queue_->Stop(); }

 private:
  std::shared_ptr<WatchQueue> queue_;
};

}  // namespace orch

#endif  // ORCH_SRC_STORE_SQLITE_WATCH_QUEUE_H_
