// The built-in plugins that look at one node at a time: NodeUnschedulable, NodeName, TaintToleration,
// NodeAffinity, NodePorts, NodeResourcesFit, NodeResourcesBalancedAllocation.
#include <algorithm>
#include <cstdint>
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
  if (node.taints().empty()) return FilterStatus::Success();
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

FilterStatus NodeResourcesFit::Filter(const PodInfo& pod, const NodeInfo& node,
                                      const ClusterSnapshot&) const {
  if (internal::ResourcesFit(pod, node)) return FilterStatus::Success();
  auto short_of = [](int64_t want, int64_t alloc, int64_t used) {
    return want > 0 && static_cast<__int128>(want) > static_cast<__int128>(alloc) - used;
  };
  const SchedResources& want = pod.requests;
  const SchedResources& alloc = node.allocatable();
  const SchedResources& used = node.requested();
  const int64_t pods = static_cast<int64_t>(node.pods().size());
  FilterStatus status;
  bool unresolvable = false;
  auto insufficient = [&](std::string reason, bool never_fits) {
    status.code = FilterCode::kUnschedulable;
    status.reasons.push_back(std::move(reason));
    unresolvable = unresolvable || never_fits;
  };
  if (pods + 1 > node.allowed_pods()) insufficient(kReasonTooManyPods, false);
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

ScoreCode TaintToleration::PreScore(const PodInfo&, absl::Span<const NodeInfo* const> nodes,
                                    const ClusterSnapshot&) {
  for (const NodeInfo* node : nodes) {
    for (const NodeTaint& taint : node->taints()) {
      if (taint.effect == "PreferNoSchedule") return ScoreCode::kScore;
    }
  }
  return ScoreCode::kSkip;
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

}  // namespace orch::scheduler
