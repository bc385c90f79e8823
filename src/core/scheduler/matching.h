// The matching rules the scheduler plugins share: tolerations against taints, node selectors against
// nodes, and pod affinity terms against pods, with Kubernetes' semantics. Internal to src/core.
#ifndef ORCH_SRC_CORE_SCHEDULER_MATCHING_H_
#define ORCH_SRC_CORE_SCHEDULER_MATCHING_H_

#include <optional>
#include <utility>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "orch/scheduler.h"

namespace orch::scheduler {

// Remembers, for one scheduling attempt, whether a selector matched a pod, by the pointers of what
// the answer depends on (a term or selector, and a pod's shared labels): the replicas of a workload
// share their labels and constraints, so thousands of pods cost a few real matches. The namespace
// travels with the entry; a pod of another namespace is matched directly.
class MatchMemo {
 public:
  template <typename Compute>
  bool Get(const void* a, const void* b, const std::string& namespace_, Compute compute) {
    auto [it, inserted] = memo_.try_emplace(std::make_pair(a, b));
    if (inserted) {
      it->second = {namespace_, compute()};
      return it->second.second;
    }
    return it->second.first == namespace_ ? it->second.second : compute();
  }
  void Clear() { memo_.clear(); }

 private:
  absl::flat_hash_map<std::pair<const void*, const void*>, std::pair<std::string, bool>> memo_;
};

// v1.Toleration.ToleratesTaint.
bool Tolerates(const Toleration& toleration, const NodeTaint& taint);
bool AnyTolerates(const std::vector<Toleration>& tolerations, const NodeTaint& taint);
// The pod's tolerations, or an empty list.
const std::vector<Toleration>& TolerationsOf(const PodInfo& pod);

// One term: every matchExpression (on labels) and matchField (metadata.name) holds. An empty term
// matches no node, as in Kubernetes.
bool MatchesNodeSelectorTerm(const NodeSelectorTerm& term, const NodeInfo& node);
// spec.nodeSelector and requiredDuringScheduling node affinity (terms ORed) both hold.
bool MatchesRequiredNodeAffinity(const PodInfo& pod, const NodeInfo& node);

// A metav1.LabelSelector: nullopt matches nothing, an empty one everything.
bool MatchesLabelSelector(const std::optional<LabelSelectorSpec>& selector, const Labels& labels);

// Whether `term`, written in `owner`'s spec, selects `target`: namespaces (the list, the
// namespaceSelector, or owner's own namespace), labelSelector, and matchLabelKeys/mismatchLabelKeys.
bool TermMatchesPod(const PodAffinityTerm& term, const PodInfo& owner, const PodInfo& target,
                    const ClusterSnapshot& snapshot);

// The node's value for a topology key, or nullptr when the node lacks the label.
const std::string* TopologyValue(const NodeInfo& node, const std::string& key);

}  // namespace orch::scheduler

#endif  // ORCH_SRC_CORE_SCHEDULER_MATCHING_H_
