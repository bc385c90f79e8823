// The scheduler's data model and plugin seams: the compact per-pod and per-node state it decides on
// (PodInfo, NodeInfo), the read-only view of the cluster plugins see (ClusterSnapshot), the filter
// and score plugins an application adds, and the profile that configures a scheduler.
//
// Filtering and scoring follow kube-scheduler's default profile (NodeUnschedulable, NodeName,
// TaintToleration, NodeAffinity, NodePorts, NodeResourcesFit, PodTopologySpread, InterPodAffinity;
// DefaultPreemption), with Kubernetes' reason texts, so that `kubectl describe pod` reads the same.
//
// Threads: all of it belongs to the one thread of the control loop. Plugins may keep per-attempt state
// computed in PreFilter/PreScore, because one pod is scheduled at a time.
#ifndef ORCH_SCHEDULER_H_
#define ORCH_SCHEDULER_H_

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/functional/function_ref.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "absl/types/span.h"
#include "orch/api/core_v1.h"
#include "orch/api/object.h"
#include "orch/api/pod_spec.h"

namespace orch {

// The resources the scheduler accounts for. CPU in millicores, the others in bytes.
struct SchedResources {
  int64_t milli_cpu = 0;
  int64_t memory = 0;
  int64_t ephemeral_storage = 0;

  // Saturating, so that absurd requests cannot overflow the totals. Inline: the scorers add a pod's
  // requests to every node they look at.
  void Add(const SchedResources& other) {
    milli_cpu = SaturatingAdd(milli_cpu, other.milli_cpu);
    memory = SaturatingAdd(memory, other.memory);
    ephemeral_storage = SaturatingAdd(ephemeral_storage, other.ephemeral_storage);
  }
  void Sub(const SchedResources& other) {
    milli_cpu = SaturatingAdd(milli_cpu, -other.milli_cpu);
    memory = SaturatingAdd(memory, -other.memory);
    ephemeral_storage = SaturatingAdd(ephemeral_storage, -other.ephemeral_storage);
  }
  friend bool operator==(const SchedResources&, const SchedResources&) = default;

  static int64_t SaturatingAdd(int64_t a, int64_t b) {
    int64_t out;
    if (__builtin_add_overflow(a, b, &out)) return b > 0 ? INT64_MAX : INT64_MIN;
    return out;
  }
};

// One host port a pod takes: (protocol, hostIP, port). hostIP "0.0.0.0" means every address.
struct HostPort {
  enum class Protocol : uint8_t { kTCP, kUDP, kSCTP };
  Protocol protocol = Protocol::kTCP;
  int32_t port = 0;
  std::string ip = "0.0.0.0";

  // Whether both cannot be bound at once: same protocol and port, and same IP or either wildcard.
  bool ConflictsWith(const HostPort& other) const;
  friend bool operator==(const HostPort&, const HostPort&) = default;
};

// What a pod demands of where it runs. Immutable once built and shared by every PodInfo with equal
// constraints (the replicas of one workload), so a million pods cost one copy per workload.
struct PodConstraints {
  Labels nodeSelector;
  std::optional<Affinity> affinity;
  std::vector<Toleration> tolerations;
  std::vector<TopologySpreadConstraint> topologySpreadConstraints;
  std::vector<HostPort> host_ports;

  bool HasPodAffinity() const;
  bool HasRequiredPodAntiAffinity() const;
  friend bool operator==(const PodConstraints&, const PodConstraints&) = default;
};

// The compact form of a pod that the scheduler keeps (pending or assigned). Built from a Pod by
// PodInfo::FromPod; holds no JSON and shares labels and constraints with its siblings.
struct PodInfo {
  std::string namespace_;
  std::string name;
  std::string uid;
  std::shared_ptr<const Labels> labels;  // never null
  int32_t priority = 0;
  bool never_preempts = false;  // spec.preemptionPolicy: Never
  // Requests as Kubernetes computes them: the sum over containers, at least each init container's,
  // plus spec.overhead.
  SchedResources requests;
  // As `requests`, with 100m CPU and 200Mi memory for containers that ask for none (used to score).
  SchedResources non_zero_requests;
  std::shared_ptr<const PodConstraints> constraints;  // nullptr when the pod has none
  std::string nodeName;
  std::string nominatedNodeName;
  absl::Time creation_time = absl::InfinitePast();
  bool terminating = false;  // metadata.deletionTimestamp is set

  static PodInfo FromPod(const Pod& pod);
  const Labels& GetLabels() const;
  // "namespace/name", as Kubernetes names a pod in messages.
  std::string Key() const { return namespace_ + "/" + name; }
};

// A node taint in compact form.
struct NodeTaint {
  std::string key;
  std::string value;
  std::string effect;  // NoSchedule, PreferNoSchedule, NoExecute
  friend bool operator==(const NodeTaint&, const NodeTaint&) = default;
};

// The scheduler's view of one node: what it offers and what the pods on it (assigned or assumed)
// already take. Maintained incrementally by the scheduler cache.
class NodeInfo {
 public:
  NodeInfo() = default;
  explicit NodeInfo(const Node& node) { SetNode(node); }

  // Replaces the node's own fields (labels, taints, allocatable, unschedulable), keeping its pods.
  void SetNode(const Node& node);
  // Accounts a pod to this node. The pointer must outlive its membership here.
  void AddPod(const PodInfo* pod);
  // Removes a pod by uid; false if it was not here.
  bool RemovePod(absl::string_view uid);

  const std::string& name() const { return name_; }
  const Labels& labels() const { return labels_; }
  const std::vector<NodeTaint>& taints() const { return taints_; }
  bool unschedulable() const { return unschedulable_; }
  const SchedResources& allocatable() const { return allocatable_; }
  int64_t allowed_pods() const { return allowed_pods_; }
  const SchedResources& requested() const { return requested_; }
  const SchedResources& non_zero_requested() const { return non_zero_requested_; }
  const std::vector<HostPort>& used_ports() const { return used_ports_; }
  const std::vector<const PodInfo*>& pods() const { return pods_; }
  // The pods here with any pod (anti-)affinity, and with required anti-affinity: what inter-pod
  // affinity must look at, without visiting every pod.
  const std::vector<const PodInfo*>& pods_with_affinity() const { return pods_with_affinity_; }
  const std::vector<const PodInfo*>& pods_with_required_anti_affinity() const {
    return pods_with_required_anti_affinity_;
  }
  // Heap bytes owned by this NodeInfo (not counting the PodInfos it points to), for sizing.
  size_t HeapBytes() const;

 private:
  std::string name_;
  Labels labels_;
  std::vector<NodeTaint> taints_;
  bool unschedulable_ = false;
  SchedResources allocatable_;
  int64_t allowed_pods_ = 0;
  SchedResources requested_;
  SchedResources non_zero_requested_;
  std::vector<HostPort> used_ports_;
  std::vector<const PodInfo*> pods_;
  std::vector<const PodInfo*> pods_with_affinity_;
  std::vector<const PodInfo*> pods_with_required_anti_affinity_;
};

// Placed pods that share a namespace, a label set, constraints and whether they are terminating --
// the replicas of one workload -- with how many of them are on each node. Plugins that count pods
// matching a selector per topology domain match each group once instead of visiting every pod.
struct PodGroup {
  // What every pod of the group has in common: namespace_, labels, constraints, terminating. The
  // pod-specific fields (name, uid, nodeName, requests, ...) are empty.
  PodInfo exemplar;
  // The nodes with at least one pod of the group, and how many. A node may be one the snapshot no
  // longer lists (deleted while pods remain on it); such a node has no labels.
  absl::flat_hash_map<const NodeInfo*, int64_t> per_node;
};

// The read-only cluster view a plugin decides with. Valid for the duration of the call.
class ClusterSnapshot {
 public:
  virtual ~ClusterSnapshot() = default;
  // Every node, in a stable order (the order nodes were added).
  virtual absl::Span<const NodeInfo* const> Nodes() const = 0;
  // nullptr when there is no such node.
  virtual const NodeInfo* GetNode(absl::string_view name) const = 0;
  // A namespace's labels (for namespaceSelector), or nullptr when unknown.
  virtual const Labels* NamespaceLabels(absl::string_view ns) const = 0;
  // Whether any pod on any node has pod affinity or anti-affinity terms / required anti-affinity
  // terms, so that plugins can skip visiting every node when none has. A snapshot that does not
  // know says true.
  virtual bool AnyPodWithAffinity() const { return true; }
  virtual bool AnyPodWithRequiredAntiAffinity() const { return true; }
  // Calls `fn` once for each group of placed pods, in no particular order. The default groups the
  // pods of Nodes() on every call; the scheduler's own snapshot keeps its groups up to date.
  virtual void ForEachPodGroup(absl::FunctionRef<void(const PodGroup&)> fn) const;
};

// Kubernetes' framework codes for a node that does not fit.
enum class FilterCode {
  kSuccess,
  // The pod does not fit, but evicting lower-priority pods might make it fit.
  kUnschedulable,
  // The pod cannot fit here whatever is evicted (node affinity, taints, ...).
  kUnschedulableAndUnresolvable,
  // From PreFilter only: the plugin has nothing to check for this pod (no constraint of its kind), so
  // its Filter is not called during this attempt (kube-scheduler's Skip).
  kSkip,
};

// The verdict of a filter on one node: success, or the reasons it does not fit, in Kubernetes'
// words ("Insufficient cpu", "node(s) didn't match Pod's node affinity/selector").
struct FilterStatus {
  FilterCode code = FilterCode::kSuccess;
  std::vector<std::string> reasons;
  std::string plugin;  // filled by the scheduler: which plugin rejected

  bool ok() const { return code == FilterCode::kSuccess; }
  static FilterStatus Success() { return {}; }
  static FilterStatus Unschedulable(std::string reason) {
    return {FilterCode::kUnschedulable, {std::move(reason)}, {}};
  }
  static FilterStatus Unresolvable(std::string reason) {
    return {FilterCode::kUnschedulableAndUnresolvable, {std::move(reason)}, {}};
  }
  static FilterStatus Skip() { return {FilterCode::kSkip, {}, {}}; }
};

// Decides whether a pod may run on a node. Implementations must be deterministic.
class FilterPlugin {
 public:
  virtual ~FilterPlugin() = default;
  // A stable name ("NodeResourcesFit"), used in results and weights.
  virtual absl::string_view Name() const = 0;
  // Once per scheduling attempt before any Filter: lets a plugin precompute what it needs about the
  // whole cluster for this pod. Skip() means Filter would pass every node, so it is not called; any
  // other non-ok status rejects the pod on every node.
  virtual FilterStatus PreFilter(const PodInfo& /*pod*/, const ClusterSnapshot& /*snapshot*/) {
    return FilterStatus::Success();
  }
  virtual FilterStatus Filter(const PodInfo& pod, const NodeInfo& node,
                              const ClusterSnapshot& snapshot) const = 0;

  // PreFilter extensions (kube-scheduler's AddPod/RemovePod). Called only after a PreFilter that did
  // not skip, to adjust what it computed as if `other` were placed on `node` or removed from it: the
  // scheduler adds the pods nominated to a node (of equal or higher priority) before filtering that
  // node, and removes lower-priority pods while looking for preemption victims, and always undoes
  // each call with the other one before the attempt ends. A plugin whose PreFilter counts other pods
  // (inter-pod affinity, topology spread) implements both; the default does nothing.
  virtual void AddPod(const PodInfo& /*pod*/, const PodInfo& /*other*/, const NodeInfo& /*node*/,
                      const ClusterSnapshot& /*snapshot*/) {}
  virtual void RemovePod(const PodInfo& /*pod*/, const PodInfo& /*other*/, const NodeInfo& /*node*/,
                         const ClusterSnapshot& /*snapshot*/) {}
};

// What PreScore decided: score the nodes, or skip this plugin for the attempt because it would give
// every node the same score (kube-scheduler's Skip). A skipped plugin adds nothing to any node.
enum class ScoreCode { kScore, kSkip };

// A node and its score, as passed to NormalizeScores.
struct NodeScore {
  const NodeInfo* node = nullptr;
  int64_t score = 0;
};

// Ranks the nodes that passed every filter. After NormalizeScores each score must be in 0..100; the
// scheduler multiplies it by the plugin's weight and sums over plugins.
class ScorePlugin {
 public:
  static constexpr int64_t kMaxNodeScore = 100;

  virtual ~ScorePlugin() = default;
  virtual absl::string_view Name() const = 0;
  // Once per attempt before any Score, with the feasible nodes. kSkip: Score and NormalizeScores are
  // not called this attempt.
  virtual ScoreCode PreScore(const PodInfo& /*pod*/, absl::Span<const NodeInfo* const> /*nodes*/,
                             const ClusterSnapshot& /*snapshot*/) {
    return ScoreCode::kScore;
  }
  virtual int64_t Score(const PodInfo& pod, const NodeInfo& node, const ClusterSnapshot& snapshot) const = 0;
  // Rescales raw scores of all feasible nodes into 0..100; the default leaves them as they are.
  virtual void NormalizeScores(const PodInfo& /*pod*/, absl::Span<NodeScore> /*scores*/) const {}
};

// How NodeResourcesFit scores a node's CPU and memory after the pod would be placed.
enum class ScoringStrategy {
  kLeastAllocated,  // prefer emptier nodes: spread (the default)
  kMostAllocated,   // prefer fuller nodes: bin-pack
};

// Configures a scheduler: which plugins run, with what weights. Defaults are kube-scheduler's.
struct SchedulerProfile {
  // Pods whose spec.schedulerName names this profile are scheduled by it ("" means this one too).
  std::string name = "default-scheduler";
  ScoringStrategy scoring_strategy = ScoringStrategy::kLeastAllocated;
  // Score weights of the built-in plugins (kube-scheduler's defaults). 0 disables that score.
  // kube-scheduler's ImageLocality is not among them: nodes do not report the images they hold
  // (status.images), so it would score every node the same; it comes when they do.
  int64_t weight_taint_toleration = 3;
  int64_t weight_node_affinity = 2;
  int64_t weight_pod_topology_spread = 2;
  int64_t weight_inter_pod_affinity = 2;
  int64_t weight_node_resources_fit = 1;
  int64_t weight_balanced_allocation = 1;
  // Weight of existing pods' required affinity terms when scoring (hardPodAffinityWeight).
  int64_t hard_pod_affinity_weight = 1;
  // Application plugins: filters run after the built-in ones; scores add `weight` times their score.
  struct WeightedScore {
    std::shared_ptr<ScorePlugin> plugin;
    int64_t weight = 1;
  };
  std::vector<std::shared_ptr<FilterPlugin>> extra_filters;
  std::vector<WeightedScore> extra_scores;
  // Percentage of nodes to find feasible before scoring. 0 is Kubernetes' adaptive default
  // (max(5, 50 - nodes/125) percent, at least 100 nodes); 100 means every node.
  int32_t percentage_of_nodes_to_score = 0;
  // Whether a pod that fits nowhere may evict lower-priority pods (DefaultPreemption).
  bool enable_preemption = true;
  // Seeds the choice among equally scored nodes, so that runs repeat exactly.
  uint64_t tie_break_seed = 0;
  // How many threads filter and score the nodes of one attempt, the scheduler's own included
  // (kube-scheduler's parallelism). 0: one per core, at most 16; 1: the scheduler's thread alone.
  // Helper threads start on the first attempt that looks at 256 nodes or more, so a smaller cluster
  // starts none; they spin briefly between attempts and then sleep. Results are the same for any
  // value. Only the built-in filters and scores of (pod, node) alone run on helpers: an attempt with
  // nominated pods, or with a filter that has no quick check (affinity, spread, ports, an
  // application's plugin), filters on the scheduler's thread.
  int32_t parallelism = 0;
};

// How many nodes to find feasible out of `num_nodes` (kube-scheduler's numFeasibleNodesToFind).
int64_t NumFeasibleNodesToFind(int32_t percentage_of_nodes_to_score, int64_t num_nodes);

}  // namespace orch

#endif  // ORCH_SCHEDULER_H_
