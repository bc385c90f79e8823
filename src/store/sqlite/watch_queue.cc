#include "src/store/sqlite/watch_queue.h"

#include "absl/strings/str_cat.h"
#include "orch/api/codec.h"
#include "orch/errors.h"

namespace orch {

std::string KindKey(absl::string_view group, absl::string_view kind) {
  return absl::StrCat(group, "/", kind);
}

std::string ObjectKey(absl::string_view namespace_, absl::string_view name) {
  return absl::StrCat(namespace_, "\x01", name);
}

absl::string_view WatchEventTypeName(WatchEventType type) {
  switch (type) {
    case WatchEventType::kAdded:
      return "ADDED";
    case WatchEventType::kModified:
      return "MODIFIED";
    case WatchEventType::kDeleted:
      return "DELETED";
    case WatchEventType::kBookmark:
      return "BOOKMARK";
    case WatchEventType::kError:
      return "ERROR";
  }
  return "ERROR";
}

WatchQueue::WatchQueue(std::string kind_key, TypeMeta type, WatchOptions options, size_t limit,
                       absl::Duration bookmark_interval)
    : kind_key_(std::move(kind_key)),
      type_(std::move(type)),
      options_(std::move(options)),
      limit_(limit),
      bookmark_interval_(bookmark_interval) {}

bool WatchQueue::Selects(const ObjectPtr& object) const {
  if (object == nullptr) return false;
  const Object& o = object->object;
  if (!options_.namespace_.empty() && o.metadata.namespace_ != options_.namespace_) return false;
  return options_.labelSelector.Matches(o.metadata.labels) && options_.fieldSelector.Matches(o);
}

std::optional<WatchEventType> WatchQueue::Translate(const ChangeEvent& event) const {
  bool now = Selects(event.object);
  switch (event.type) {
    case WatchEventType::kAdded:
      if (now) return WatchEventType::kAdded;
      return std::nullopt;
    case WatchEventType::kModified: {
      bool before = Selects(event.prev);
      if (now && before) return WatchEventType::kModified;
      if (now) return event.prev == nullptr ? WatchEventType::kModified : WatchEventType::kAdded;
      if (before) return WatchEventType::kDeleted;
      return std::nullopt;
    }
    case WatchEventType::kDeleted:
      if (now) return WatchEventType::kDeleted;
      return std::nullopt;
    default:
      return std::nullopt;
  }
}

bool WatchQueue::PushLocked(WatchEventType type, const ObjectPtr& object, int64_t revision) {
  if (stopped_ || failed_) return false;
  if (queue_.size() >= limit_) {
    queue_.clear();
    queue_.push_back(
        WatchEvent{WatchEventType::kError, nullptr,
                   GoneError(absl::StrCat("watch of ", kind_key_, " fell more than ", limit_,
                                          " events behind; restart it from revision ", last_revision_))});
    failed_ = true;
    ready_.SignalAll();
    return true;
  }
  bool was_empty = queue_.empty();
  queue_.push_back(WatchEvent{type, object, absl::OkStatus()});
  last_revision_ = revision;
  ready_.SignalAll();
  return was_empty && !held_;
}

bool WatchQueue::Offer(const ChangeEvent& event) {
  std::optional<WatchEventType> type = Translate(event);
  absl::MutexLock lock(&mu_);
  if (!type) return false;
  return PushLocked(*type, event.object, event.revision);
}

void WatchQueue::OfferInitial(const ObjectPtr& object) {
  absl::MutexLock lock(&mu_);
  PushLocked(WatchEventType::kAdded, object, object->revision);
}

bool WatchQueue::OfferBookmark(int64_t revision, absl::Time now) {
  if (!options_.allowWatchBookmarks) return false;
  absl::MutexLock lock(&mu_);
  if (revision <= last_revision_ || now - last_bookmark_ < bookmark_interval_) return false;
  last_bookmark_ = now;
  auto bookmark = std::make_shared<StoredObject>();
  bookmark->object.type = type_;
  bookmark->object.metadata.resourceVersion = std::to_string(revision);
  bookmark->json = EncodeObject(bookmark->object);
  bookmark->revision = revision;
  return PushLocked(WatchEventType::kBookmark, bookmark, revision);
}

void WatchQueue::Hold() {
  absl::MutexLock lock(&mu_);
  held_ = true;
}

void WatchQueue::Release(const std::vector<ChangeEvent>& prefix) {
  {
    absl::MutexLock lock(&mu_);
    std::deque<WatchEvent> live;
    live.swap(queue_);
    int64_t live_revision = last_revision_;
    for (const ChangeEvent& event : prefix) {
      if (std::optional<WatchEventType> type = Translate(event)) {
        queue_.push_back(WatchEvent{*type, event.object, absl::OkStatus()});
      }
    }
    for (WatchEvent& event : live) queue_.push_back(std::move(event));
    last_revision_ = std::max(live_revision, prefix.empty() ? 0 : prefix.back().revision);
    held_ = false;
    ready_.SignalAll();
  }
  Notify();
}

void WatchQueue::Fail(absl::Status error) {
  {
    absl::MutexLock lock(&mu_);
    if (stopped_ || failed_) return;
    queue_.push_back(WatchEvent{WatchEventType::kError, nullptr, std::move(error)});
    failed_ = true;
    held_ = false;
    ready_.SignalAll();
  }
  Notify();
}

std::optional<WatchEvent> WatchQueue::Next(absl::Duration timeout) {
  absl::MutexLock lock(&mu_);
  // A poll (an informer draining its queue) must not wait: even with a deadline already passed,
  // a wait costs a system call.
  if (timeout > absl::ZeroDuration()) {
    const absl::Time deadline = absl::Now() + timeout;
    while (!stopped_ && (queue_.empty() || held_)) {
      if (ready_.WaitWithDeadline(&mu_, deadline)) break;
    }
  }
  if (stopped_ || queue_.empty() || held_) return std::nullopt;
  WatchEvent event = std::move(queue_.front());
  queue_.pop_front();
  return event;
}

void WatchQueue::SetNotify(std::function<void()> notify) {
  bool pending;
  {
    absl::MutexLock lock(&mu_);
    notify_ = std::move(notify);
    pending = !queue_.empty() && !held_;
  }
  if (pending) Notify();
}

void WatchQueue::Notify() {
  std::function<void()> notify;
  {
    absl::MutexLock lock(&mu_);
    if (stopped_) return;
    notify = notify_;
  }
  if (notify) notify();
}

void WatchQueue::Stop() {
  absl::MutexLock lock(&mu_);
  stopped_ = true;
  queue_.clear();
  notify_ = nullptr;
  ready_.SignalAll();
}

bool WatchQueue::stopped() const {
  absl::MutexLock lock(&mu_);
  return stopped_;
}

}  // namespace orch
