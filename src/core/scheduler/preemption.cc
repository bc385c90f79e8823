// DefaultPreemption: when a pod fits nowhere, find the node where evicting the fewest and least
// important lower-priority pods makes it fit, choosing among candidates as kube-scheduler does.
#include <algorithm>
#include <cstdint>
#include <limits>

#include "absl/strings/str_cat.h"
#include "src/core/scheduler/scheduler.h"

namespace orch::scheduler {
namespace {

constexpr char kNotHelpful[] = "Preemption is not helpful for scheduling";
constexpr char kNoVictims[] = "No preemption victims found for incoming pod";

// MoreImportantPod: higher priority first, then the one created earlier.
bool MoreImportant(const PodInfo* a, const PodInfo* b) {
  if (a->priority != b->priority) return a->priority > b->priority;
  if (a->creation_time != b->creation_time) return a->creation_time < b->creation_time;
  return a->uid < b->uid;  // a repeatable order
}

struct Candidate {
  const NodeInfo* node;
  std::vector<const PodInfo*> victims;  // most important first
};

// Earliest start among the victims of the highest priority (GetEarliestPodStartTime).
absl::Time EarliestStartOfTopVictims(const Candidate& c) {
  absl::Time earliest = absl::InfiniteFuture();
  for (const PodInfo* v : c.victims) {
    if (v->priority == c.victims.front()->priority) earliest = std::min(earliest, v->creation_time);
  }
  return earliest;
}

int64_t PrioritySum(const Candidate& c) {
  int64_t sum = 0;
  // Offset so that negative priorities still count as "more" than none (as Kubernetes does).
  for (const PodInfo* v : c.victims)
    sum += int64_t{v->priority} + int64_t{std::numeric_limits<int32_t>::max()} + 1;
  return sum;
}

// pickOneNodeForPreemption, without PodDisruptionBudgets: lowest top victim priority, smallest sum of
// priorities, fewest victims, latest start of the top victims, then the first found.
const Candidate* PickOne(const std::vector<Candidate>& candidates) {
  const Candidate* best = nullptr;
  for (const Candidate& c : candidates) {
    if (!best) {
      best = &c;
      continue;
    }
    int32_t top = c.victims.front()->priority;
    int32_t best_top = best->victims.front()->priority;
    if (top != best_top) {
      if (top < best_top) best = &c;
      continue;
    }
    int64_t sum = PrioritySum(c);
    int64_t best_sum = PrioritySum(*best);
    if (sum != best_sum) {
      if (sum < best_sum) best = &c;
      continue;
    }
    if (c.victims.size() != best->victims.size()) {
      if (c.victims.size() < best->victims.size()) best = &c;
      continue;
    }
    if (EarliestStartOfTopVictims(c) > EarliestStartOfTopVictims(*best)) best = &c;
  }
  return best;
}

}  // namespace

FilterStatus Scheduler::SelectVictims(const PodInfo& pod, const NodeInfo& node,
                                      std::vector<const PodInfo*>* victims) {
  std::vector<const PodInfo*> lower;
  for (const PodInfo* p : node.pods()) {
    if (p->priority < pod.priority) lower.push_back(p);
  }
  if (lower.empty()) return FilterStatus::Unresolvable(kNoVictims);
  std::sort(lower.begin(), lower.end(), MoreImportant);
  // Without every lower-priority pod, on the node and in the filters' PreFilter counts (a victim's
  // labels may be what blocks the pod's anti-affinity, or its anti-affinity what blocks the pod).
  NodeInfo trial = node;
  for (const PodInfo* p : lower) {
    trial.RemovePod(p->uid);
    RemoveFromFilterState(pod, *p, node);
  }
  if (FilterStatus status = RunFilters(pod, trial); !status.ok()) {
    for (const PodInfo* p : lower) AddToFilterState(pod, *p, node);
    return status;
  }
  // Give back as many pods as still leave room, most important first; the rest are the victims.
  for (const PodInfo* p : lower) {
    trial.AddPod(p);
    AddToFilterState(pod, *p, node);
    if (!RunFilters(pod, trial).ok()) {
      trial.RemovePod(p->uid);
      RemoveFromFilterState(pod, *p, node);
      victims->push_back(p);
    }
  }
  // The counts as PreFilter left them, for the next candidate node.
  for (const PodInfo* p : *victims) AddToFilterState(pod, *p, node);
  return FilterStatus::Success();
}

void Scheduler::Preempt(const PodInfo& pod, ScheduleResult* result) {
  FitError& error = *result->fit_error;
  if (pod.never_preempts) {
    error.postfilter_message = "preemption: not eligible due to preemptionPolicy=Never";
    return;
  }
  // Victims already on their way out of the nominated node: wait for them rather than evict more.
  if (const NodeInfo* nominated = snapshot_->GetNode(pod.nominatedNodeName)) {
    for (const PodInfo* p : nominated->pods()) {
      if (p->terminating && p->priority < pod.priority) {
        error.postfilter_message = "preemption: not eligible due to a terminating pod on the nominated node";
        return;
      }
    }
  }
  std::vector<std::pair<std::string, FilterStatus>> statuses;
  std::vector<const NodeInfo*> potential;
  if (!error.prefilter_message.empty()) {
    statuses.emplace_back("", FilterStatus::Unresolvable(kNotHelpful));
  }
  for (const auto& [name, status] : error.node_statuses) {
    const NodeInfo* node = snapshot_->GetNode(name);
    if (status.code == FilterCode::kUnschedulable && node) {
      potential.push_back(node);
    } else {
      statuses.emplace_back(name, FilterStatus::Unresolvable(kNotHelpful));
    }
  }
  // Dry-run on at least 10% of the potential nodes (at least 100), like kube-scheduler, in order.
  const size_t wanted = std::min(potential.size(), std::max<size_t>(100, potential.size() / 10));
  std::vector<Candidate> candidates;
  for (const NodeInfo* node : potential) {
    if (candidates.size() >= wanted) break;
    std::vector<const PodInfo*> victims;
    FilterStatus status = SelectVictims(pod, *node, &victims);
    if (status.ok() && !victims.empty()) {
      candidates.push_back(Candidate{node, std::move(victims)});
    } else {
      if (status.ok()) status = FilterStatus::Unresolvable(kNoVictims);
      statuses.emplace_back(node->name(), std::move(status));
    }
  }
  if (const Candidate* best = PickOne(candidates)) {
    Preemption preemption;
    preemption.nominated_node = best->node->name();
    for (const PodInfo* v : best->victims) preemption.victims.push_back(*v);
    result->preemption = std::move(preemption);
    return;
  }
  if (!error.prefilter_message.empty()) {
    // A PreFilter rejection leaves nothing per node: every node is "not helpful".
    statuses.assign(static_cast<size_t>(error.num_all_nodes), {"", FilterStatus::Unresolvable(kNotHelpful)});
  }
  error.postfilter_message = absl::StrCat("preemption: 0/", error.num_all_nodes,
                                          " nodes are available: ", ReasonHistogram(statuses));
}

}  // namespace orch::scheduler
