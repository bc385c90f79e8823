// The scheduler cache: every node and every assigned or assumed pod, kept incrementally from store
// events, and read directly by the plugins as the ClusterSnapshot. Internal to src/core.
//
// Belongs to the one thread of the control loop (the scheduler reads it between updates, so no copy
// per scheduling cycle is needed).
#ifndef ORCH_SRC_CORE_SCHEDULER_CACHE_H_
#define ORCH_SRC_CORE_SCHEDULER_CACHE_H_

#include <memory>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"
#include "orch/scheduler.h"

namespace orch::scheduler {

// Shares equal label sets and constraints between pods, so replicas of a workload store one copy.
class PodInterner {
 public:
  void Intern(PodInfo& pod);
  size_t size() const { return labels_.size() + constraints_.size(); }

 private:
  template <typename T>
  using Table = absl::flat_hash_map<size_t, std::vector<std::weak_ptr<const T>>>;
  template <typename T>
  static std::shared_ptr<const T> InternIn(Table<T>& table, size_t& inserts, size_t hash,
                                           std::shared_ptr<const T> value);

  Table<Labels> labels_;
  Table<PodConstraints> constraints_;
  size_t label_inserts_ = 0;
  size_t constraint_inserts_ = 0;
};

// Which PodGroup a pod belongs to: namespace, interned labels and constraints, terminating.
struct PodGroupKey {
  std::string namespace_;
  const Labels* labels = nullptr;
  const PodConstraints* constraints = nullptr;
  bool terminating = false;

  static PodGroupKey Of(const PodInfo& pod) {
    return {pod.namespace_, pod.labels.get(), pod.constraints.get(), pod.terminating};
  }
  // The group's exemplar: what its pods have in common.
  static PodInfo Exemplar(const PodInfo& pod);
  friend bool operator==(const PodGroupKey&, const PodGroupKey&) = default;
  template <typename H>
  friend H AbslHashValue(H h, const PodGroupKey& k) {
    return H::combine(std::move(h), k.namespace_, k.labels, k.constraints, k.terminating);
  }
};

class SchedulerCache final : public ClusterSnapshot {
 public:
  SchedulerCache() = default;
  SchedulerCache(const SchedulerCache&) = delete;
  SchedulerCache& operator=(const SchedulerCache&) = delete;

  // Adds a node or replaces its fields (labels, taints, allocatable), keeping the pods on it.
  void UpsertNode(const Node& node);
  // Forgets a node. Pods still assigned to it stay accounted (as Kubernetes' cache does) until
  // removed, so a node that comes back sees them.
  void RemoveNode(absl::string_view name);

  // A pod the store says is bound (pod.nodeName set). Confirms it if it was assumed, moves it if its
  // node changed. InvalidArgument when nodeName is empty.
  absl::Status AddPod(PodInfo pod);
  // Same as AddPod: the latest version of a bound pod.
  absl::Status UpdatePod(PodInfo pod) { return AddPod(std::move(pod)); }
  // Forgets a pod (deleted, or no longer bound). No-op when unknown.
  void RemovePod(absl::string_view uid);

  // The scheduler's decision to bind `pod` to `node_name`, counted at once so that the next pods see
  // it, before the store confirms. AlreadyExists if the pod is already in the cache.
  absl::Status AssumePod(PodInfo pod, absl::string_view node_name);
  // Undoes AssumePod (the binding failed). FailedPrecondition if the pod is not assumed.
  absl::Status ForgetPod(absl::string_view uid);
  bool IsAssumed(absl::string_view uid) const;
  // nullptr when the pod is not in the cache.
  const PodInfo* GetPod(absl::string_view uid) const;
  size_t NumPods() const { return pods_.size(); }

  void SetNamespaceLabels(absl::string_view ns, Labels labels);
  void RemoveNamespace(absl::string_view ns) { namespaces_.erase(ns); }

  // ClusterSnapshot.
  absl::Span<const NodeInfo* const> Nodes() const override { return node_list_; }
  const NodeInfo* GetNode(absl::string_view name) const override;
  const Labels* NamespaceLabels(absl::string_view ns) const override;
  bool AnyPodWithAffinity() const override { return pods_with_affinity_ > 0; }
  bool AnyPodWithRequiredAntiAffinity() const override { return pods_with_required_anti_affinity_ > 0; }
  void ForEachPodGroup(absl::FunctionRef<void(const PodGroup&)> fn) const override;
  size_t NumPodGroups() const { return groups_.size(); }

 private:
  struct NodeEntry {
    NodeInfo info;
    bool present = false;  // false: only pods refer to it, the node itself is not (yet) known
  };
  struct PodEntry {
    PodInfo info;
    bool assumed = false;
  };

  NodeEntry& EntryFor(absl::string_view node_name);
  void Place(PodEntry& entry);
  void Unplace(const PodEntry& entry);
  void DropIfEmpty(absl::string_view node_name);

  absl::flat_hash_map<std::string, std::unique_ptr<NodeEntry>> nodes_;
  std::vector<const NodeInfo*> node_list_;  // present nodes, in the order they were added
  absl::flat_hash_map<std::string, std::unique_ptr<PodEntry>> pods_;
  absl::flat_hash_map<std::string, Labels> namespaces_;
  PodInterner interner_;
  absl::flat_hash_map<PodGroupKey, std::unique_ptr<PodGroup>> groups_;
  // Placed pods with any pod (anti-)affinity, and with required anti-affinity.
  int64_t pods_with_affinity_ = 0;
  int64_t pods_with_required_anti_affinity_ = 0;
};

}  // namespace orch::scheduler

#endif  // ORCH_SRC_CORE_SCHEDULER_CACHE_H_
