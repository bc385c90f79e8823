// The scheduling algorithm: filter a sample of nodes, score the feasible ones, pick the best; when no
// node fits, say why in kube-scheduler's words and find which lower-priority pods to preempt.
// Pure computation over a ClusterSnapshot: it binds, evicts and records nothing itself. Internal to
// src/core (the control loop drives it); belongs to the loop's thread, and shares the filtering and
// scoring of a large attempt with helper threads of its own (SchedulerProfile::parallelism).
#ifndef ORCH_SRC_CORE_SCHEDULER_SCHEDULER_H_
#define ORCH_SRC_CORE_SCHEDULER_SCHEDULER_H_

#include <memory>
#include <optional>
#include <random>
#include <string>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "orch/scheduler.h"
#include "src/core/scheduler/parallelizer.h"
#include "src/core/scheduler/plugins.h"

namespace orch::scheduler {

// Why a pod fits on no node. Message() is kube-scheduler's FitError text, e.g.
// `0/3 nodes are available: 1 node(s) had untolerated taint {node-role.kubernetes.io/control-plane: },
// 2 Insufficient cpu. preemption: 0/3 nodes are available: 1 Preemption is not helpful for scheduling,
// 2 No preemption victims found for incoming pod.`
struct FitError {
  int64_t num_all_nodes = 0;
  // Set when a PreFilter rejected the pod outright; then node_statuses is empty.
  std::string prefilter_message;
  // Each node that failed, with the first plugin's verdict.
  std::vector<std::pair<std::string, FilterStatus>> node_statuses;
  // "preemption: ..." when preemption ran and found nothing; empty otherwise.
  std::string postfilter_message;
  // Plugins that rejected some node: the cluster events that may help are the ones they care about.
  std::vector<std::string> unschedulable_plugins;

  std::string Message() const;
};

// Which pods to evict so that the pod fits on `nominated_node`.
struct Preemption {
  std::string nominated_node;
  std::vector<PodInfo> victims;  // most important first
};

struct ScheduleResult {
  std::string node;  // the chosen node; empty when none fits
  int64_t evaluated_nodes = 0;
  int64_t feasible_nodes = 0;
  std::optional<FitError> fit_error;     // set when no node fits; unset when there are no nodes
  std::optional<Preemption> preemption;  // set when evicting lower-priority pods would make it fit
};

// "<count> <reason>" for each reason over the nodes, sorted as text and joined by ", ", as
// kube-scheduler prints them.
std::string ReasonHistogram(const std::vector<std::pair<std::string, FilterStatus>>& statuses);

// Pods nominated to a node by an earlier preemption, waiting for their victims to leave. While they
// wait, the room they will take is kept for them: a pod of no higher priority is filtered as if they
// were already there (kube-scheduler's nominator and RunFilterPluginsWithNominatedPods).
class NominatedPods {
 public:
  // Records `pod` on pod.nominatedNodeName, replacing an earlier nomination of the same uid; a pod
  // without a nominated node is removed.
  void Set(const PodInfo& pod);
  void Remove(absl::string_view uid);
  // The pods nominated to `node`, or nullptr.
  const std::vector<PodInfo>* On(absl::string_view node) const;
  bool empty() const { return node_of_.empty(); }

 private:
  absl::flat_hash_map<std::string, std::vector<PodInfo>> by_node_;
  absl::flat_hash_map<std::string, std::string> node_of_;  // uid -> node
};

class Scheduler {
 public:
  // `snapshot` must outlive the scheduler and not change during a Schedule call.
  Scheduler(SchedulerProfile profile, const ClusterSnapshot* snapshot);

  // Picks a node for `pod`. On success the caller assumes the pod in the cache (so the next pod sees
  // it) and binds it. On failure the result says why and, if preemption is enabled and could help,
  // which pods to evict (the caller evicts them and sets the pod's nominatedNodeName).
  ScheduleResult Schedule(const PodInfo& pod);

  const SchedulerProfile& profile() const { return profile_; }
  // The scores this scheduler adds up: plugin name and weight, in the order they run.
  std::vector<std::pair<std::string, int64_t>> Scores() const {
    std::vector<std::pair<std::string, int64_t>> scores;
    for (const WeightedScorer& s : scorers_) scores.emplace_back(std::string(s.plugin->Name()), s.weight);
    return scores;
  }
  // The pods nominated by preemptions, kept by the caller as pods are nominated, bound or deleted.
  NominatedPods& nominated() { return nominated_; }

 private:
  struct WeightedScorer {
    ScorePlugin* plugin;
    int64_t weight;
  };

  // The built-in filters that have a cheap sufficient condition for passing (QuickPass).
  enum class QuickFilter : uint8_t {
    kNone,
    kNodeUnschedulable,
    kNodeName,
    kTaintToleration,
    kNodeResourcesFit
  };
  static bool QuickPass(QuickFilter quick, const PodInfo& pod, const NodeInfo& node);
  // Runs the filters of this attempt (those whose PreFilter did not skip) in order and stops at the
  // first that rejects.
  FilterStatus RunFilters(const PodInfo& pod, const NodeInfo& node) const;
  // RunFilters with the node's nominated pods of equal or higher priority (other than `pod`) counted
  // as if placed, then without them, as kube-scheduler: both must pass.
  FilterStatus RunFiltersWithNominated(const PodInfo& pod, const NodeInfo& node);
  // The active filters' AddPod / RemovePod: their PreFilter state as if `other` were on / off `node`.
  void AddToFilterState(const PodInfo& pod, const PodInfo& other, const NodeInfo& node);
  void RemoveFromFilterState(const PodInfo& pod, const PodInfo& other, const NodeInfo& node);
  // Runs every PreFilter and chooses the filters of this attempt; a rejection names the plugin.
  FilterStatus RunPreFilters(const PodInfo& pod);
  // Which quick checks apply to this attempt; `only`: every active filter has one and no pod is
  // nominated, so a node that passes them is feasible.
  struct QuickChecks {
    bool only = false;
    bool unschedulable = false, node_name = false, taints = false, resources = false;
    bool Pass(const PodInfo& pod, const NodeInfo& node) const;
  };
  // The filtered nodes of one block of a parallel attempt, with positions from the rotating start.
  struct NodeBlock {
    std::vector<std::pair<uint32_t, const NodeInfo*>> feasible;
    std::vector<int64_t> scores;  // InlineScore of each feasible node
    std::vector<std::pair<uint32_t, FilterStatus>> failures;
  };
  // An attempt looks at this many nodes at least before its filtering is worth sharing out.
  static constexpr size_t kParallelMinNodes = 256;
  static constexpr size_t kNodesPerBlock = 64;

  // The weighted scores that need no PreScore or normalising (NodeResourcesFit, BalancedAllocation)
  // of one node: what a parallel attempt computes beside filtering.
  int64_t InlineScore(const PodInfo& pod, const NodeInfo& node) const;
  // The filter loop on every thread of parallelizer_ (when quick.only): the same feasible nodes,
  // failures and count of nodes processed as the sequential loop, plus their InlineScores.
  size_t FilterInParallel(const PodInfo& pod, const QuickChecks& quick, int64_t to_find,
                          std::vector<const NodeInfo*>* feasible, std::vector<int64_t>* inline_totals,
                          FitError* error, absl::flat_hash_set<std::string>* failed_plugins);
  // Scores the feasible nodes and picks one. `inline_totals`, when given, holds their InlineScores.
  std::string SelectHost(const PodInfo& pod, const std::vector<const NodeInfo*>& feasible,
                         const std::vector<int64_t>* inline_totals);
  // DefaultPreemption: fills result->preemption, or the "preemption: ..." message when nothing helps.
  void Preempt(const PodInfo& pod, ScheduleResult* result);
  // The pods to evict from `node` for `pod` to fit, most important first, or the reason none will do.
  FilterStatus SelectVictims(const PodInfo& pod, const NodeInfo& node, std::vector<const PodInfo*>* victims);

  SchedulerProfile profile_;
  const ClusterSnapshot* snapshot_;
  NodeUnschedulable node_unschedulable_;
  NodeName node_name_;
  TaintToleration taint_toleration_;
  NodeAffinityPlugin node_affinity_;
  NodePorts node_ports_;
  NodeResourcesFit node_resources_fit_;
  BalancedAllocation balanced_allocation_;
  PodTopologySpread pod_topology_spread_;
  InterPodAffinity inter_pod_affinity_;
  std::vector<FilterPlugin*> filters_;         // built-in in kube-scheduler's order, then the application's
  std::vector<FilterPlugin*> active_filters_;  // this attempt's: filters_ less those that skipped
  std::vector<QuickFilter> quick_filters_;     // one per active filter
  std::vector<WeightedScorer> scorers_;
  NominatedPods nominated_;
  size_t next_start_node_ = 0;
  std::mt19937_64 rng_;
  int64_t weight_node_resources_fit_ = 0;
  int64_t weight_balanced_allocation_ = 0;
  std::vector<NodeBlock> blocks_;  // reused by every parallel attempt
  Parallelizer parallelizer_;
};

}  // namespace orch::scheduler

#endif  // ORCH_SRC_CORE_SCHEDULER_SCHEDULER_H_
