// The WorkQueue behind each controller: dedup of keys, delayed adds on the loop's timers, and a
// per-key exponential backoff. Loop thread only.
#ifndef ORCH_SRC_CORE_CONTROLLER_WORK_QUEUE_H_
#define ORCH_SRC_CORE_CONTROLLER_WORK_QUEUE_H_

#include <deque>
#include <functional>
#include <optional>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "orch/controller.h"

namespace orch {

class LoopWorkQueue final : public WorkQueue {
 public:
  // `on_ready` is called when a key is added to an empty queue.
  LoopWorkQueue(EventLoop& loop, WorkQueueOptions options, std::function<void()> on_ready)
      : loop_(loop), options_(options), on_ready_(std::move(on_ready)) {}
  ~LoopWorkQueue() override;

  void Add(const ObjectKey& key) override;
  void AddAfter(const ObjectKey& key, absl::Duration delay) override;
  void AddRateLimited(const ObjectKey& key) override;
  void Forget(const ObjectKey& key) override { failures_.erase(key); }
  int NumRequeues(const ObjectKey& key) const override;
  size_t size() const override { return queue_.size(); }

  // The next key to reconcile, if any.
  std::optional<ObjectKey> Pop();
  // Drops every queued and delayed key.
  void Clear();

 private:
  struct Delayed {
    absl::Time when;
    EventLoop::TimerId timer;
  };

  EventLoop& loop_;
  const WorkQueueOptions options_;
  std::function<void()> on_ready_;
  std::deque<ObjectKey> queue_;
  absl::flat_hash_set<ObjectKey> queued_;
  absl::flat_hash_map<ObjectKey, Delayed> delayed_;
  absl::flat_hash_map<ObjectKey, int> failures_;
};

}  // namespace orch

#endif  // ORCH_SRC_CORE_CONTROLLER_WORK_QUEUE_H_
