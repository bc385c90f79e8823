// The built-in filter and score plugins of the default profile, named and worded as kube-scheduler's.
// Internal to src/core; applications see them only through their names and weights.
#ifndef ORCH_SRC_CORE_SCHEDULER_PLUGINS_H_
#define ORCH_SRC_CORE_SCHEDULER_PLUGINS_H_

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "orch/scheduler.h"
#include "src/core/scheduler/matching.h"

namespace orch::scheduler {

// Reason texts, exactly as Kubernetes prints them.
inline constexpr char kReasonUnschedulable[] = "node(s) were unschedulable";
inline constexpr char kReasonNodeName[] = "node(s) didn't match the requested node name";
inline constexpr char kReasonNodeAffinity[] = "node(s) didn't match Pod's node affinity/selector";
inline constexpr char kReasonNodePorts[] = "node(s) didn't have free ports for the requested pod ports";
inline constexpr char kReasonTooManyPods[] = "Too many pods";
inline constexpr char kReasonAffinity[] = "node(s) didn't match pod affinity rules";
inline constexpr char kReasonAntiAffinity[] = "node(s) didn't match pod anti-affinity rules";
inline constexpr char kReasonExistingAntiAffinity[] =
    "node(s) didn't satisfy existing pods anti-affinity rules";
inline constexpr char kReasonSpread[] = "node(s) didn't match pod topology spread constraints";
inline constexpr char kReasonSpreadMissingLabel[] =
    "node(s) didn't match pod topology spread constraints (missing required label)";
inline constexpr char kLabelHostname[] = "kubernetes.io/hostname";

// spec.unschedulable, unless the pod tolerates node.kubernetes.io/unschedulable:NoSchedule.
class NodeUnschedulable final : public FilterPlugin {
 public:
  absl::string_view Name() const override { return "NodeUnschedulable"; }
  FilterStatus Filter(const PodInfo& pod, const NodeInfo& node, const ClusterSnapshot&) const override;
};

// spec.nodeName, when the pod names its node itself.
class NodeName final : public FilterPlugin {
 public:
  absl::string_view Name() const override { return "NodeName"; }
  FilterStatus PreFilter(const PodInfo& pod, const ClusterSnapshot&) override {
    return pod.nodeName.empty() ? FilterStatus::Skip() : FilterStatus::Success();
  }
  FilterStatus Filter(const PodInfo& pod, const NodeInfo& node, const ClusterSnapshot&) const override;
};

// NoSchedule and NoExecute taints must be tolerated; untolerated PreferNoSchedule taints lower the score.
class TaintToleration final : public FilterPlugin, public ScorePlugin {
 public:
  absl::string_view Name() const override { return "TaintToleration"; }
  FilterStatus Filter(const PodInfo& pod, const NodeInfo& node, const ClusterSnapshot&) const override;
  // Without a PreferNoSchedule taint on any of the nodes every node would score the same (the
  // maximum, once normalised), which moves every total by the same amount: the plugin is skipped.
  ScoreCode PreScore(const PodInfo& pod, absl::Span<const NodeInfo* const> nodes,
                     const ClusterSnapshot& snapshot) override;
  int64_t Score(const PodInfo& pod, const NodeInfo& node, const ClusterSnapshot&) const override;
  void NormalizeScores(const PodInfo& pod, absl::Span<NodeScore> scores) const override;
};

// spec.nodeSelector and required node affinity filter; preferred terms score (sum of weights).
class NodeAffinityPlugin final : public FilterPlugin, public ScorePlugin {
 public:
  absl::string_view Name() const override { return "NodeAffinity"; }
  FilterStatus PreFilter(const PodInfo& pod, const ClusterSnapshot&) override;
  FilterStatus Filter(const PodInfo& pod, const NodeInfo& node, const ClusterSnapshot&) const override;
  ScoreCode PreScore(const PodInfo& pod, absl::Span<const NodeInfo* const>, const ClusterSnapshot&) override;
  int64_t Score(const PodInfo& pod, const NodeInfo& node, const ClusterSnapshot&) const override;
  void NormalizeScores(const PodInfo& pod, absl::Span<NodeScore> scores) const override;
};

// Host ports already taken on the node.
class NodePorts final : public FilterPlugin {
 public:
  absl::string_view Name() const override { return "NodePorts"; }
  FilterStatus PreFilter(const PodInfo& pod, const ClusterSnapshot&) override {
    return pod.constraints && !pod.constraints->host_ports.empty() ? FilterStatus::Success() : FilterStatus::Skip();
  }
  FilterStatus Filter(const PodInfo& pod, const NodeInfo& node, const ClusterSnapshot&) const override;
};

// Pod count, CPU, memory and ephemeral storage against allocatable; scores by the profile's strategy.
// Scores without normalising (Scheduler::SelectHost adds the scores to the totals directly, so an
// override of NormalizeScores here would need a change there too).
class NodeResourcesFit final : public FilterPlugin, public ScorePlugin {
 public:
  explicit NodeResourcesFit(ScoringStrategy strategy) : strategy_(strategy) {}
  absl::string_view Name() const override { return "NodeResourcesFit"; }
  FilterStatus Filter(const PodInfo& pod, const NodeInfo& node, const ClusterSnapshot&) const override;
  int64_t Score(const PodInfo& pod, const NodeInfo& node, const ClusterSnapshot&) const override;

 private:
  ScoringStrategy strategy_;
};

// Prefers nodes whose CPU and memory fractions in use stay close to each other.
// Scores without normalising, as NodeResourcesFit.
class BalancedAllocation final : public ScorePlugin {
 public:
  absl::string_view Name() const override { return "NodeResourcesBalancedAllocation"; }
  int64_t Score(const PodInfo& pod, const NodeInfo& node, const ClusterSnapshot&) const override;
};

// A (topologyKey, value) domain, viewing a term's key and a node's label value: both outlive the
// scheduling attempt whose per-domain counts use it (the counts are rebuilt every attempt).
using TopologyPair = std::pair<absl::string_view, absl::string_view>;

// Required pod (anti-)affinity of the incoming pod and existing pods' required anti-affinity
// (filter), preferred terms of both sides (score). Counts are computed once per pod in PreFilter and
// PreScore by visiting pods, never per node.
class InterPodAffinity final : public FilterPlugin, public ScorePlugin {
 public:
  explicit InterPodAffinity(int64_t hard_pod_affinity_weight) : hard_weight_(hard_pod_affinity_weight) {}
  absl::string_view Name() const override { return "InterPodAffinity"; }
  FilterStatus PreFilter(const PodInfo& pod, const ClusterSnapshot& snapshot) override;
  FilterStatus Filter(const PodInfo& pod, const NodeInfo& node, const ClusterSnapshot&) const override;
  void AddPod(const PodInfo& pod, const PodInfo& other, const NodeInfo& node,
              const ClusterSnapshot& snapshot) override {
    UpdateWithPod(pod, other, node, snapshot, +1);
  }
  void RemovePod(const PodInfo& pod, const PodInfo& other, const NodeInfo& node,
                 const ClusterSnapshot& snapshot) override {
    UpdateWithPod(pod, other, node, snapshot, -1);
  }
  ScoreCode PreScore(const PodInfo& pod, absl::Span<const NodeInfo* const> nodes,
                     const ClusterSnapshot& snapshot) override;
  int64_t Score(const PodInfo& pod, const NodeInfo& node, const ClusterSnapshot&) const override;
  void NormalizeScores(const PodInfo& pod, absl::Span<NodeScore> scores) const override;

 private:
  // The PreFilter counts changed by `other` on `node`, counted `delta` times.
  void UpdateWithPod(const PodInfo& pod, const PodInfo& other, const NodeInfo& node,
                     const ClusterSnapshot& snapshot, int64_t delta);

  int64_t hard_weight_;
  // PreFilter state.
  std::vector<const PodAffinityTerm*> affinity_terms_;
  std::vector<const PodAffinityTerm*> anti_affinity_terms_;
  absl::flat_hash_map<TopologyPair, int64_t> affinity_counts_;
  absl::flat_hash_map<TopologyPair, int64_t> anti_affinity_counts_;
  absl::flat_hash_map<TopologyPair, int64_t> existing_anti_affinity_counts_;
  // TermMatchesPod for one PreFilter: of existing pods' terms against the incoming pod (by term and
  // owner's labels), and of the incoming pod's terms against existing pods (by term and target's).
  MatchMemo existing_terms_memo_;
  MatchMemo own_terms_memo_;
  bool pod_matches_own_affinity_ = false;
  // PreScore state.
  absl::flat_hash_map<TopologyPair, int64_t> topology_score_;
};

// Spreads pods matching each constraint's selector evenly over the constraint's topology domains:
// DoNotSchedule constraints filter by maxSkew, ScheduleAnyway ones score.
class PodTopologySpread final : public FilterPlugin, public ScorePlugin {
 public:
  absl::string_view Name() const override { return "PodTopologySpread"; }
  FilterStatus PreFilter(const PodInfo& pod, const ClusterSnapshot& snapshot) override;
  FilterStatus Filter(const PodInfo& pod, const NodeInfo& node, const ClusterSnapshot&) const override;
  void AddPod(const PodInfo& pod, const PodInfo& other, const NodeInfo& node,
              const ClusterSnapshot&) override {
    UpdateWithPod(pod, other, node, +1);
  }
  void RemovePod(const PodInfo& pod, const PodInfo& other, const NodeInfo& node,
                 const ClusterSnapshot&) override {
    UpdateWithPod(pod, other, node, -1);
  }
  ScoreCode PreScore(const PodInfo& pod, absl::Span<const NodeInfo* const> nodes,
                     const ClusterSnapshot& snapshot) override;
  int64_t Score(const PodInfo& pod, const NodeInfo& node, const ClusterSnapshot&) const override;
  void NormalizeScores(const PodInfo& pod, absl::Span<NodeScore> scores) const override;

  // One constraint with its selector completed by matchLabelKeys and its policies resolved.
  struct Constraint {
    int32_t max_skew = 1;
    std::string topology_key;
    std::optional<LabelSelectorSpec> selector;
    int32_t min_domains = 1;
    bool honor_node_affinity = true;  // nodeAffinityPolicy Honor (default)
    bool honor_taints = false;        // nodeTaintsPolicy Honor (default Ignore)
    // Matching pods per topology value, over eligible nodes.
    absl::flat_hash_map<std::string, int64_t> counts;
    int64_t min_count = 0;
    // Whether the selector matched a label set, by the set's (shared) address.
    mutable MatchMemo memo;
  };

 private:
  // The filter constraints' counts changed by `other` on `node`, counted `delta` times.
  void UpdateWithPod(const PodInfo& pod, const PodInfo& other, const NodeInfo& node, int64_t delta);

  std::vector<Constraint> filter_constraints_;
  std::vector<Constraint> score_constraints_;
  std::vector<double> score_weights_;
  absl::flat_hash_map<const NodeInfo*, bool> ignored_;  // feasible nodes lacking a topology key
};

}  // namespace orch::scheduler

#include "src/core/scheduler/node_plugins_inl.h"  // IWYU pragma: export

#endif  // ORCH_SRC_CORE_SCHEDULER_PLUGINS_H_
