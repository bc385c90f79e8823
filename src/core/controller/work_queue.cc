#include "src/core/controller/work_queue.h"

#include <algorithm>
#include <cmath>

namespace orch {

LoopWorkQueue::~LoopWorkQueue() { Clear(); }

void LoopWorkQueue::Add(const ObjectKey& key) {
  if (!queued_.insert(key).second) return;
  queue_.push_back(key);
  if (queue_.size() == 1 && on_ready_) on_ready_();
}

void LoopWorkQueue::AddAfter(const ObjectKey& key, absl::Duration delay) {
  if (delay <= absl::ZeroDuration()) {
    Add(key);
    return;
  }
  const absl::Time when = loop_.clock().Now() + delay;
  auto it = delayed_.find(key);
  if (it != delayed_.end()) {
    if (it->second.when <= when) return;  // an earlier add is already waiting
    loop_.Cancel(it->second.timer);
  }
  const EventLoop::TimerId timer = loop_.PostAt(when, [this, key] {
    delayed_.erase(key);
    Add(key);
  });
  delayed_[key] = Delayed{when, timer};
}

void LoopWorkQueue::AddRateLimited(const ObjectKey& key) {
  const int failures = failures_[key]++;
  const double factor = std::ldexp(1.0, std::min(failures, 62));
  const absl::Duration backoff = std::min(options_.base_delay * factor, options_.max_delay);
  AddAfter(key, backoff);
}

int LoopWorkQueue::NumRequeues(const ObjectKey& key) const {
  auto it = failures_.find(key);
  return it == failures_.end() ? 0 : it->second;
}

std::optional<ObjectKey> LoopWorkQueue::Pop() {
  if (queue_.empty()) return std::nullopt;
  ObjectKey key = std::move(queue_.front());
  queue_.pop_front();
  queued_.erase(key);
  return key;
}

void LoopWorkQueue::Clear() {
  for (const auto& [key, delayed] : delayed_) loop_.Cancel(delayed.timer);
  delayed_.clear();
  queue_.clear();
  queued_.clear();
}

}  // namespace orch
