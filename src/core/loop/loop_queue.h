// The posted callbacks and timers of a loop, shared by the manual loop and the libuv loop.
// Internal to src/core/loop.
#ifndef ORCH_SRC_CORE_LOOP_LOOP_QUEUE_H_
#define ORCH_SRC_CORE_LOOP_LOOP_QUEUE_H_

#include <map>
#include <optional>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "orch/loop.h"

namespace orch {

// The state both loops share: posted callbacks and timers. Thread-safe.
class LoopQueue {
 public:
  void Post(EventLoop::Callback callback);
  EventLoop::TimerId PostAt(absl::Time when, EventLoop::Callback callback);
  void Cancel(EventLoop::TimerId id);
  // Takes the posted callbacks, then the timers due at `now`, in order. Empty when idle.
  std::vector<EventLoop::Callback> TakeReady(absl::Time now);
  // When the earliest timer is due; nullopt when there is none.
  std::optional<absl::Time> NextTimer() const;
  bool HasPosted() const;

 private:
  mutable absl::Mutex mu_;
  std::vector<EventLoop::Callback> posted_ ABSL_GUARDED_BY(mu_);
  // (when, id) -> callback; ids increase, so equal times run in posting order.
  std::map<std::pair<absl::Time, EventLoop::TimerId>, EventLoop::Callback> timers_ ABSL_GUARDED_BY(mu_);
  absl::flat_hash_map<EventLoop::TimerId, absl::Time> timer_times_ ABSL_GUARDED_BY(mu_);
  EventLoop::TimerId next_id_ ABSL_GUARDED_BY(mu_) = 1;
};

}  // namespace orch

#endif  // ORCH_SRC_CORE_LOOP_LOOP_QUEUE_H_
