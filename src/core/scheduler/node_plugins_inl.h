// What the scheduler computes on every node it looks at for the built-in plugins, inline so that its
// loops can fold it in: the resource fit that NodeResourcesFit's filter and the scheduler's quick
// pass share, and the per-node scores (called on their final classes). Included by plugins.h only.
#ifndef ORCH_SRC_CORE_SCHEDULER_NODE_PLUGINS_INL_H_
#define ORCH_SRC_CORE_SCHEDULER_NODE_PLUGINS_INL_H_

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <string>

#include "absl/strings/str_cat.h"

namespace orch::scheduler {
namespace internal {

// part * 100 / whole for 0 <= part <= whole, in 64 bits unless the product would overflow.
inline int64_t Percent(int64_t part, int64_t whole) {
  if (whole <= std::numeric_limits<int64_t>::max() / ScorePlugin::kMaxNodeScore) {
    return part * ScorePlugin::kMaxNodeScore / whole;
  }
  return static_cast<int64_t>((static_cast<__int128>(part) * ScorePlugin::kMaxNodeScore) / whole);
}

// Fraction of `capacity` in use, as a score: how kube-scheduler's resource scorers compute.
inline int64_t LeastRequested(int64_t requested, int64_t capacity) {
  if (capacity <= 0 || requested > capacity) return 0;
  return internal::Percent(capacity - std::max<int64_t>(requested, 0), capacity);
}

inline int64_t MostRequested(int64_t requested, int64_t capacity) {
  if (capacity <= 0) return 0;
  return internal::Percent(std::clamp<int64_t>(requested, 0, capacity), capacity);
}

// Whether the pod fits the node's free resources and pod count: NodeResourcesFit passes.
inline bool ResourcesFit(const PodInfo& pod, const NodeInfo& node) {
  // Compared as free = allocatable - requested, without overflow for absurd requests.
  auto fits = [](int64_t want, int64_t alloc, int64_t used) {
    int64_t free;
    if (__builtin_sub_overflow(alloc, used, &free)) {
      return want <= 0 || static_cast<__int128>(want) <= static_cast<__int128>(alloc) - used;
    }
    return want <= 0 || want <= free;
  };
  const SchedResources& want = pod.requests;
  const SchedResources& alloc = node.allocatable();
  const SchedResources& used = node.requested();
  return static_cast<int64_t>(node.pods().size()) + 1 <= node.allowed_pods() &&
         fits(want.milli_cpu, alloc.milli_cpu, used.milli_cpu) &&
         fits(want.memory, alloc.memory, used.memory) &&
         fits(want.ephemeral_storage, alloc.ephemeral_storage, used.ephemeral_storage);
}

}  // namespace internal

[[gnu::always_inline]] inline int64_t TaintToleration::Score(const PodInfo& pod, const NodeInfo& node,
                                                             const ClusterSnapshot&) const {
  if (node.taints().empty()) return 0;
  int64_t intolerable = 0;
  for (const NodeTaint& taint : node.taints()) {
    if (taint.effect != "PreferNoSchedule") continue;
    bool tolerated = false;
    for (const Toleration& t : TolerationsOf(pod)) {
      if ((t.effect.empty() || t.effect == "PreferNoSchedule") && Tolerates(t, taint)) tolerated = true;
    }
    if (!tolerated) ++intolerable;
  }
  return intolerable;
}

[[gnu::always_inline]] inline int64_t NodeResourcesFit::Score(const PodInfo& pod, const NodeInfo& node,
                                                              const ClusterSnapshot&) const {
  const SchedResources& alloc = node.allocatable();
  SchedResources requested = node.non_zero_requested();
  requested.Add(pod.non_zero_requests);
  int64_t sum = 0;
  int64_t weights = 0;
  auto add = [&](int64_t req, int64_t cap) {
    if (cap == 0) return;
    sum += strategy_ == ScoringStrategy::kMostAllocated ? internal::MostRequested(req, cap)
                                                        : internal::LeastRequested(req, cap);
    ++weights;
  };
  add(requested.milli_cpu, alloc.milli_cpu);
  add(requested.memory, alloc.memory);
  return weights == 0 ? 0 : sum / weights;
}

[[gnu::always_inline]] inline int64_t BalancedAllocation::Score(const PodInfo& pod, const NodeInfo& node,
                                                                const ClusterSnapshot&) const {
  const SchedResources& alloc = node.allocatable();
  SchedResources requested = node.requested();
  requested.Add(pod.requests);
  double fractions[2];
  size_t count = 0;
  auto add = [&](int64_t req, int64_t cap) {
    if (cap == 0) return;
    fractions[count++] = std::min(1.0, static_cast<double>(req) / static_cast<double>(cap));
  };
  add(requested.milli_cpu, alloc.milli_cpu);
  add(requested.memory, alloc.memory);
  double std_dev = count == 2 ? std::abs(fractions[0] - fractions[1]) / 2 : 0;
  return static_cast<int64_t>((1 - std_dev) * static_cast<double>(kMaxNodeScore));
}

}  // namespace orch::scheduler

#endif  // ORCH_SRC_CORE_SCHEDULER_NODE_PLUGINS_INL_H_
