// The queue of pods waiting to be scheduled, as kube-scheduler's PriorityQueue: an active queue
// (higher priority first, then first come), a backoff queue for pods that failed recently
// (exponential per pod: 1s, 2s, 4s ... 10s), and an unschedulable pool that cluster events empty back
// into the other two. A pure data structure: time is always passed in, nothing reads a clock.
// Internal to src/core; belongs to the loop's thread.
#ifndef ORCH_SRC_CORE_SCHEDULER_QUEUE_H_
#define ORCH_SRC_CORE_SCHEDULER_QUEUE_H_

#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <tuple>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/time/time.h"
#include "orch/scheduler.h"

namespace orch::scheduler {

// What changed in the cluster, deciding which unschedulable pods deserve another attempt.
enum class ClusterEvent {
  kNodeAdd,
  kNodeUpdate,
  kNodeDelete,
  kAssignedPodAdd,
  kAssignedPodUpdate,
  kAssignedPodDelete,
  kForceActivate,  // move every pod, whatever rejected it
};

// A pending pod with its queueing history.
struct QueuedPod {
  PodInfo pod;
  absl::Time timestamp;  // when it last entered a queue: orders pods of equal priority
  absl::Time first_attempt = absl::InfinitePast();
  int32_t attempts = 0;  // scheduling attempts so far (counted at Pop)
  int64_t cycle = 0;     // the scheduling cycle of its last Pop
  // The plugins that rejected it last time; the events they care about are the ones that move it.
  std::vector<std::string> unschedulable_plugins;
};

class SchedulingQueue {
 public:
  struct Options {
    absl::Duration initial_backoff = absl::Seconds(1);
    absl::Duration max_backoff = absl::Seconds(10);
    // A pod left this long in the unschedulable pool is retried whatever happened.
    absl::Duration max_unschedulable = absl::Minutes(5);
  };

  SchedulingQueue() : SchedulingQueue(Options()) {}
  explicit SchedulingQueue(Options options) : options_(options) {}

  // A new pending pod: straight to the active queue. A pod already queued is updated instead.
  void Add(PodInfo pod, absl::Time now);
  // A new version of a queued pod: its place in the active queue follows its priority; an
  // unschedulable one gets another chance (to backoff or active). Unknown pods are added; a pod in
  // flight is left alone (its attempt decides).
  void Update(PodInfo pod, absl::Time now);
  // The pod was deleted or bound by someone else: forget it wherever it is.
  void Delete(absl::string_view uid);

  // Moves pods whose backoff ended to the active queue, then takes the first active pod, counting
  // an attempt. nullopt when no pod is ready. The pod is in flight until it is handed back with
  // AddUnschedulable, or forgotten with Done.
  std::optional<QueuedPod> Pop(absl::Time now);
  // The attempt for a popped pod failed. It waits in the unschedulable pool, unless a cluster event
  // came while it was in flight (then the backoff queue, so that the event is not missed).
  void AddUnschedulable(QueuedPod pod, absl::Time now);
  // The attempt for a popped pod failed for a reason other than fit (an API error): backoff queue.
  void AddBackoff(QueuedPod pod, absl::Time now);
  // The popped pod was bound: nothing left to track.
  void Done(absl::string_view uid) { in_flight_.erase(uid); }

  // Something changed that may let unschedulable pods fit: each pod rejected by a plugin that cares
  // about `event` moves to the backoff queue if still backing off, else to the active queue.
  void MoveAllToActiveOrBackoff(ClusterEvent event, absl::Time now);
  void FlushBackoffCompleted(absl::Time now);
  // Retries pods that stayed in the unschedulable pool longer than max_unschedulable.
  void FlushUnschedulableLeftover(absl::Time now);

  // When the next backoff ends, for the loop's timer; nullopt when the backoff queue is empty.
  std::optional<absl::Time> NextBackoffExpiry() const;
  // The backoff a pod with this many attempts gets: initial * 2^(attempts-1), at most max.
  absl::Duration BackoffDuration(int32_t attempts) const;

  size_t ActiveSize() const { return active_.size(); }
  size_t BackoffSize() const { return backoff_.size(); }
  size_t UnschedulableSize() const { return unschedulable_.size(); }
  bool Contains(absl::string_view uid) const { return entries_.contains(uid); }

 private:
  enum class Where { kActive, kBackoff, kUnschedulable };
  struct Entry {
    QueuedPod queued;
    Where where = Where::kActive;
    uint64_t seq = 0;  // insertion order among equal keys
  };
  // (-priority, timestamp, seq): begin() is the next pod to schedule.
  using ActiveKey = std::tuple<int64_t, absl::Time, uint64_t>;
  // (backoff expiry, seq).
  using BackoffKey = std::tuple<absl::Time, uint64_t>;

  ActiveKey KeyOf(const Entry& e) const;
  absl::Time BackoffExpiry(const QueuedPod& q) const;
  void Unlink(Entry& e);
  void PushActive(Entry& e);
  void PushBackoff(Entry& e);
  void PushUnschedulable(Entry& e);
  // To the backoff queue while backing off, else to the active queue.
  void Requeue(Entry& e, absl::Time now);
  bool Interested(const QueuedPod& q, ClusterEvent event) const;

  Options options_;
  absl::flat_hash_map<std::string, Entry> entries_;
  std::set<std::pair<ActiveKey, std::string>> active_;
  std::set<std::pair<BackoffKey, std::string>> backoff_;
  absl::flat_hash_map<std::string, absl::Time> unschedulable_;  // uid -> when it entered the pool
  absl::flat_hash_map<std::string, int64_t> in_flight_;         // uid -> cycle of its Pop
  uint64_t next_seq_ = 0;
  int64_t scheduling_cycle_ = 0;
  int64_t move_request_cycle_ = -1;
};

}  // namespace orch::scheduler

#endif  // ORCH_SRC_CORE_SCHEDULER_QUEUE_H_
