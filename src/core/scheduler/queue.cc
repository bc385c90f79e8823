#include "src/core/scheduler/queue.h"

#include <algorithm>
#include <utility>

namespace orch::scheduler {
namespace {

// The events each built-in plugin's rejection can be lifted by (kube-scheduler's EventsToRegister).
bool PluginCares(absl::string_view plugin, ClusterEvent event) {
  const bool node_change = event == ClusterEvent::kNodeAdd || event == ClusterEvent::kNodeUpdate;
  if (plugin == "NodeUnschedulable" || plugin == "NodeName" || plugin == "TaintToleration" ||
      plugin == "NodeAffinity") {
    return node_change;
  }
  if (plugin == "NodePorts" || plugin == "NodeResourcesFit") {
    return node_change || event == ClusterEvent::kAssignedPodDelete;
  }
  if (plugin == "PodTopologySpread" || plugin == "InterPodAffinity") {
    return node_change || event == ClusterEvent::kNodeDelete || event == ClusterEvent::kAssignedPodAdd ||
           event == ClusterEvent::kAssignedPodUpdate || event == ClusterEvent::kAssignedPodDelete;
  }
  return true;  // an application's plugin: any event may help
}

}  // namespace

absl::Duration SchedulingQueue::BackoffDuration(int32_t attempts) const {
  absl::Duration d = options_.initial_backoff;
  for (int32_t i = 1; i < attempts && d < options_.max_backoff; ++i) d *= 2;
  return std::min(d, options_.max_backoff);
}

absl::Time SchedulingQueue::BackoffExpiry(const QueuedPod& q) const {
  return q.timestamp + BackoffDuration(q.attempts);
}

SchedulingQueue::ActiveKey SchedulingQueue::KeyOf(const Entry& e) const {
  return ActiveKey(-int64_t{e.queued.pod.priority}, e.queued.timestamp, e.seq);
}

void SchedulingQueue::Unlink(Entry& e) {
  const std::string& uid = e.queued.pod.uid;
  switch (e.where) {
    case Where::kActive:
      active_.erase({KeyOf(e), uid});
      break;
    case Where::kBackoff:
      backoff_.erase({BackoffKey(BackoffExpiry(e.queued), e.seq), uid});
      break;
    case Where::kUnschedulable:
      unschedulable_.erase(uid);
      break;
  }
}

void SchedulingQueue::PushActive(Entry& e) {
  e.where = Where::kActive;
  e.seq = next_seq_++;
  active_.insert({KeyOf(e), e.queued.pod.uid});
}

void SchedulingQueue::PushBackoff(Entry& e) {
  e.where = Where::kBackoff;
  e.seq = next_seq_++;
  backoff_.insert({BackoffKey(BackoffExpiry(e.queued), e.seq), e.queued.pod.uid});
}

void SchedulingQueue::PushUnschedulable(Entry& e) {
  e.where = Where::kUnschedulable;
  unschedulable_[e.queued.pod.uid] = e.queued.timestamp;
}

void SchedulingQueue::Requeue(Entry& e, absl::Time now) {
  Unlink(e);
  if (e.queued.attempts > 0 && now < BackoffExpiry(e.queued)) {
    PushBackoff(e);
  } else {
    e.queued.timestamp = now;
    PushActive(e);
  }
}

void SchedulingQueue::Add(PodInfo pod, absl::Time now) {
  if (entries_.contains(pod.uid)) return Update(std::move(pod), now);
  std::string uid = pod.uid;
  Entry& e = entries_[uid];
  e.queued.pod = std::move(pod);
  e.queued.timestamp = now;
  PushActive(e);
}

void SchedulingQueue::Update(PodInfo pod, absl::Time now) {
  auto it = entries_.find(pod.uid);
  if (it == entries_.end()) {
    if (!in_flight_.contains(pod.uid)) Add(std::move(pod), now);
    return;
  }
  Entry& e = it->second;
  Unlink(e);
  e.queued.pod = std::move(pod);
  switch (e.where) {
    case Where::kActive:
      PushActive(e);
      break;
    case Where::kBackoff:
      PushBackoff(e);
      break;
    case Where::kUnschedulable:
      // The spec changed: what rejected it may no longer apply.
      if (e.queued.attempts > 0 && now < BackoffExpiry(e.queued)) {
        PushBackoff(e);
      } else {
        e.queued.timestamp = now;
        PushActive(e);
      }
      break;
  }
}

void SchedulingQueue::Delete(absl::string_view uid) {
  in_flight_.erase(uid);
  auto it = entries_.find(uid);
  if (it == entries_.end()) return;
  Unlink(it->second);
  entries_.erase(it);
}

std::optional<QueuedPod> SchedulingQueue::Pop(absl::Time now) {
  FlushBackoffCompleted(now);
  if (active_.empty()) return std::nullopt;
  std::string uid = active_.begin()->second;
  active_.erase(active_.begin());
  auto it = entries_.find(uid);
  QueuedPod q = std::move(it->second.queued);
  entries_.erase(it);
  ++q.attempts;
  if (q.first_attempt == absl::InfinitePast()) q.first_attempt = now;
  q.cycle = ++scheduling_cycle_;
  in_flight_[uid] = q.cycle;
  return q;
}

void SchedulingQueue::AddUnschedulable(QueuedPod pod, absl::Time now) {
  auto flight = in_flight_.find(pod.pod.uid);
  if (flight == in_flight_.end()) return;  // deleted while in flight
  in_flight_.erase(flight);
  std::string uid = pod.pod.uid;
  pod.timestamp = now;
  const bool moved_meanwhile = move_request_cycle_ >= pod.cycle;
  Entry& e = entries_[uid];
  e.queued = std::move(pod);
  if (moved_meanwhile) {
    PushBackoff(e);
  } else {
    PushUnschedulable(e);
  }
}

void SchedulingQueue::AddBackoff(QueuedPod pod, absl::Time now) {
  auto flight = in_flight_.find(pod.pod.uid);
  if (flight == in_flight_.end()) return;
  in_flight_.erase(flight);
  std::string uid = pod.pod.uid;
  pod.timestamp = now;
  Entry& e = entries_[uid];
  e.queued = std::move(pod);
  PushBackoff(e);
}

bool SchedulingQueue::Interested(const QueuedPod& q, ClusterEvent event) const {
  if (event == ClusterEvent::kForceActivate || q.unschedulable_plugins.empty()) return true;
  return std::any_of(q.unschedulable_plugins.begin(), q.unschedulable_plugins.end(),
                     [&](const std::string& p) { return PluginCares(p, event); });
}

void SchedulingQueue::MoveAllToActiveOrBackoff(ClusterEvent event, absl::Time now) {
  std::vector<std::string> moving;
  for (const auto& [uid, since] : unschedulable_) {
    if (Interested(entries_.at(uid).queued, event)) moving.push_back(uid);
  }
  std::sort(moving.begin(), moving.end());  // a repeatable order among equal timestamps
  for (const std::string& uid : moving) Requeue(entries_.at(uid), now);
  move_request_cycle_ = scheduling_cycle_;
}

void SchedulingQueue::FlushBackoffCompleted(absl::Time now) {
  while (!backoff_.empty() && std::get<0>(backoff_.begin()->first) <= now) {
    std::string uid = backoff_.begin()->second;
    backoff_.erase(backoff_.begin());
    Entry& e = entries_.at(uid);
    e.queued.timestamp = now;
    PushActive(e);
  }
}

void SchedulingQueue::FlushUnschedulableLeftover(absl::Time now) {
  std::vector<std::string> stale;
  for (const auto& [uid, since] : unschedulable_) {
    if (now - since > options_.max_unschedulable) stale.push_back(uid);
  }
  std::sort(stale.begin(), stale.end());
  for (const std::string& uid : stale) Requeue(entries_.at(uid), now);
}

std::optional<absl::Time> SchedulingQueue::NextBackoffExpiry() const {
  if (backoff_.empty()) return std::nullopt;
  return std::get<0>(backoff_.begin()->first);
}

}  // namespace orch::scheduler
