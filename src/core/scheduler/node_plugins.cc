// The built-in plugins that look at one node at a time: NodeUnschedulable, NodeName, TaintToleration,
// NodeAffinity, NodePorts, NodeResourcesFit, NodeResourcesBalancedAllocation.
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <string>

#include "absl/strings/str_cat.h"
#include "src/core/scheduler/matching.h"
#include "src/core/scheduler/plugins.h"

namespace orch::scheduler {
namespace {

// DefaultNormalizeScore: scales to 0..100 by the maximum; `reverse` makes fewer better.
void DefaultNormalize(absl::Span<NodeScore> scores, bool reverse) {
  int64_t max_count = 0;
  for (const NodeScore& s : scores) max_count = std::max(max_count, s.score);
  if (max_count == 0) {
    if (reverse) {
      for (NodeScore& s : scores) s.score = ScorePlugin::kMaxNodeScore;
    }
    return;
  }
  for (NodeScore& s : scores) {
    int64_t score = ScorePlugin::kMaxNodeScore * s.score / max_count;
    s.score = reverse ? ScorePlugin::kMaxNodeScore - score : score;
  }
}

// part * 100 / whole for 0 <= part <= whole, in 64 bits unless the product would overflow.
int64_t Percent(int64_t part, int64_t whole) {
  if (whole <= std::numeric_limits<int64_t>::max() / ScorePlugin::kMaxNodeScore) {
    return part * ScorePlugin::kMaxNodeScore / whole;
  }
  return static_cast<int64_t>((static_cast<__int128>(part) * ScorePlugin::kMaxNodeScore) / whole);
}

// Fraction of `capacity` in use, as a score: how kube-scheduler's resource scorers compute.
int64_t LeastRequested(int64_t requested, int64_t capacity) {
  if (capacity <= 0 || requested > capacity) return 0;
  return Percent(capacity - std::max<int64_t>(requested, 0), capacity);
}

int64_t MostRequested(int64_t requested, int64_t capacity) {
  if (capacity <= 0) return 0;
  return Percent(std::clamp<int64_t>(requested, 0, capacity), capacity);
}

}  // namespace

FilterStatus NodeUnschedulable::Filter(const PodInfo& pod, const NodeInfo& node,
                                       const ClusterSnapshot&) const {
  if (!node.unschedulable()) return FilterStatus::Success();
  static const NodeTaint kUnschedulableTaint{"node.kubernetes.io/unschedulable", "", "NoSchedule"};
  if (AnyTolerates(TolerationsOf(pod), kUnschedulableTaint)) return FilterStatus::Success();
  return FilterStatus::Unresolvable(kReasonUnschedulable);
}

FilterStatus NodeName::Filter(const PodInfo& pod, const NodeInfo& node, const ClusterSnapshot&) const {
  if (pod.nodeName.empty() || pod.nodeName == node.name()) return FilterStatus::Success();
  return FilterStatus::Unresolvable(kReasonNodeName);
}

FilterStatus TaintToleration::Filter(const PodInfo& pod, const NodeInfo& node, const ClusterSnapshot&) const {
  const std::vector<Toleration>& tolerations = TolerationsOf(pod);
  for (const NodeTaint& taint : node.taints()) {
    if (taint.effect != "NoSchedule" && taint.effect != "NoExecute") continue;
    if (!AnyTolerates(tolerations, taint)) {
      return FilterStatus::Unresolvable(
          absl::StrCat("node(s) had untolerated taint {", taint.key, ": ", taint.value, "}"));
    }
  }
  return FilterStatus::Success();
}

int64_t TaintToleration::Score(const PodInfo& pod, const NodeInfo& node, const ClusterSnapshot&) const {
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

void TaintToleration::NormalizeScores(const PodInfo&, absl::Span<NodeScore> scores) const {
  DefaultNormalize(scores, /*reverse=*/true);
}

// Nothing to check without a nodeSelector or required node affinity.
FilterStatus NodeAffinityPlugin::PreFilter(const PodInfo& pod, const ClusterSnapshot&) {
  if (!pod.constraints) return FilterStatus::Skip();
  const std::optional<Affinity>& affinity = pod.constraints->affinity;
  const bool required = affinity && affinity->nodeAffinity &&
                        affinity->nodeAffinity->requiredDuringSchedulingIgnoredDuringExecution;
  return pod.constraints->nodeSelector.empty() && !required ? FilterStatus::Skip() : FilterStatus::Success();
}

FilterStatus NodeAffinityPlugin::Filter(const PodInfo& pod, const NodeInfo& node,
                                        const ClusterSnapshot&) const {
  if (MatchesRequiredNodeAffinity(pod, node)) return FilterStatus::Success();
  return FilterStatus::Unresolvable(kReasonNodeAffinity);
}

// Without preferred terms every node scores 0.
ScoreCode NodeAffinityPlugin::PreScore(const PodInfo& pod, absl::Span<const NodeInfo* const>,
                                       const ClusterSnapshot&) {
  if (!pod.constraints || !pod.constraints->affinity || !pod.constraints->affinity->nodeAffinity) {
    return ScoreCode::kSkip;
  }
  return pod.constraints->affinity->nodeAffinity->preferredDuringSchedulingIgnoredDuringExecution.empty()
             ? ScoreCode::kSkip
             : ScoreCode::kScore;
}

int64_t NodeAffinityPlugin::Score(const PodInfo& pod, const NodeInfo& node, const ClusterSnapshot&) const {
  if (!pod.constraints || !pod.constraints->affinity || !pod.constraints->affinity->nodeAffinity) return 0;
  int64_t score = 0;
  for (const PreferredSchedulingTerm& term :
       pod.constraints->affinity->nodeAffinity->preferredDuringSchedulingIgnoredDuringExecution) {
    if (term.weight != 0 && MatchesNodeSelectorTerm(term.preference, node)) score += term.weight;
  }
  return score;
}

void NodeAffinityPlugin::NormalizeScores(const PodInfo&, absl::Span<NodeScore> scores) const {
  DefaultNormalize(scores, /*reverse=*/false);
}

FilterStatus NodePorts::Filter(const PodInfo& pod, const NodeInfo& node, const ClusterSnapshot&) const {
  if (!pod.constraints) return FilterStatus::Success();
  for (const HostPort& want : pod.constraints->host_ports) {
    for (const HostPort& used : node.used_ports()) {
      if (want.ConflictsWith(used)) return FilterStatus::Unschedulable(kReasonNodePorts);
    }
  }
  return FilterStatus::Success();
}

FilterStatus NodeResourcesFit::Filter(const PodInfo& pod, const NodeInfo& node,
                                      const ClusterSnapshot&) const {
  FilterStatus status;
  bool unresolvable = false;
  auto insufficient = [&](std::string reason, bool never_fits) {
    status.code = FilterCode::kUnschedulable;
    status.reasons.push_back(std::move(reason));
    unresolvable = unresolvable || never_fits;
  };
  int64_t pods = static_cast<int64_t>(node.pods().size());
  if (pods + 1 > node.allowed_pods()) insufficient(kReasonTooManyPods, false);
  const SchedResources& want = pod.requests;
  const SchedResources& alloc = node.allocatable();
  const SchedResources& used = node.requested();
  // Compared as free = allocatable - requested, without overflow for absurd requests.
  auto short_of = [](int64_t want, int64_t alloc, int64_t used) {
    return want > 0 && static_cast<__int128>(want) > static_cast<__int128>(alloc) - used;
  };
  if (short_of(want.milli_cpu, alloc.milli_cpu, used.milli_cpu)) {
    insufficient("Insufficient cpu", want.milli_cpu > alloc.milli_cpu);
  }
  if (short_of(want.memory, alloc.memory, used.memory)) {
    insufficient("Insufficient memory", want.memory > alloc.memory);
  }
  if (short_of(want.ephemeral_storage, alloc.ephemeral_storage, used.ephemeral_storage)) {
    insufficient("Insufficient ephemeral-storage", want.ephemeral_storage > alloc.ephemeral_storage);
  }
  // A request larger than the whole node cannot be helped by preemption (as kube-scheduler 1.30+).
  if (unresolvable) status.code = FilterCode::kUnschedulableAndUnresolvable;
  return status;
}

int64_t NodeResourcesFit::Score(const PodInfo& pod, const NodeInfo& node, const ClusterSnapshot&) const {
  const SchedResources& alloc = node.allocatable();
  SchedResources requested = node.non_zero_requested();
  requested.Add(pod.non_zero_requests);
  int64_t sum = 0;
  int64_t weights = 0;
  auto add = [&](int64_t req, int64_t cap) {
    if (cap == 0) return;
    sum += strategy_ == ScoringStrategy::kMostAllocated ? MostRequested(req, cap) : LeastRequested(req, cap);
    ++weights;
  };
  add(requested.milli_cpu, alloc.milli_cpu);
  add(requested.memory, alloc.memory);
  return weights == 0 ? 0 : sum / weights;
}

int64_t BalancedAllocation::Score(const PodInfo& pod, const NodeInfo& node, const ClusterSnapshot&) const {
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
