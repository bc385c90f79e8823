// What the ReplicaSet and Deployment controllers share with Kubernetes' pkg/controller: pod
// readiness and availability, the order surplus pods are deleted in, expectations, owner references.
// Loop thread only.
#ifndef ORCH_SRC_CORE_CONTROLLERS_CONTROLLER_UTIL_H_
#define ORCH_SRC_CORE_CONTROLLERS_CONTROLLER_UTIL_H_

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/status/status.h"
#include "absl/time/time.h"
#include "orch/api/types.h"
#include "orch/client.h"
#include "orch/controller.h"

namespace orch::controllers {

// Informer index of objects by the uid of their controller (ownerReferences controller: true).
inline constexpr char kControllerUidIndex[] = "controller-uid";
void AddControllerUidIndex(Informer& informer);

// A nil or empty selector matches nothing here: validation rejects both for ReplicaSets and
// Deployments, and a controller that selected every pod of a namespace would do harm.
LabelSelector SelectorOf(const std::optional<LabelSelectorSpec>& spec);

// Not Succeeded/Failed and not being deleted (controller.IsPodActive).
bool IsPodActive(const Object& pod);
bool IsPodReady(const Pod& pod);
// Ready for at least min_ready_seconds by the Ready condition's lastTransitionTime (available at
// exactly lastTransitionTime + minReadySeconds, so a manual clock can land on it).
bool IsPodAvailable(const Pod& pod, int32_t min_ready_seconds, absl::Time now);
// For a ready pod not yet available: how long until it is; nullopt otherwise.
std::optional<absl::Duration> TimeUntilAvailable(const Pod& pod, int32_t min_ready_seconds, absl::Time now);

// The controller.kubernetes.io/pod-deletion-cost annotation as Kubernetes reads it: 0 when absent
// or not a plain decimal int32 (no "+", no leading zeros).
int32_t PodDeletionCost(const Pod& pod);

// Whether surplus pod `a` is deleted before `b`: Kubernetes' ActivePodsWithRanks.Less with
// LogarithmicScaleDown (on since 1.22). Unassigned first; Pending < Unknown < Running; not ready;
// lower pod-deletion-cost; higher rank (more related pods on its node); ready for less time; more
// restarts; newer; then by uid. When both are ready, ready times compare by their base-2
// logarithmic bucket of age at `now`, and so do creation times; equal buckets go by uid.
// Kubernetes leaves pods equal in everything unordered; here the uid orders them too.
// Not a strict weak ordering: a tie of ready times falls through to restarts while a tie of
// buckets goes by uid, so three pods can order in a cycle. Do not give it to std::sort.
bool DeleteBefore(const Pod& a, int rank_a, const Pod& b, int rank_b, absl::Time now);

// Sorts pods so that the ones to delete first come first (DeleteBefore), each ranked by the number
// of active pods among `related` on its node (Kubernetes' getPodsRankedByRelatedPodsOnSameNode).
void SortPodsForDeletion(std::vector<Pod>* pods, const std::vector<ObjectPtr>& related, absl::Time now);

// An owner reference with controller: true and blockOwnerDeletion: true.
OwnerReference ControllerRefTo(const Object& owner);

// Re-reads the object, lets `mutate` change its metadata (returning false: nothing to do) and writes
// it back conditionally, retrying on conflicts.
absl::Status MutateMetadata(Client& client, const ResourceType& type, absl::string_view namespace_,
                            absl::string_view name, const std::function<bool(ObjectMeta&)>& mutate);

// Creates and deletes a controller has asked for but not yet seen in its informer, per controller
// key (Kubernetes' UIDTrackingControllerExpectations). Expectations older than 5 minutes count as
// satisfied, so a lost event cannot stall a controller for ever.
class Expectations {
 public:
  static constexpr absl::Duration kTimeout = absl::Minutes(5);

  bool Satisfied(const ObjectKey& key, absl::Time now) const;
  void ExpectCreations(const ObjectKey& key, int count, absl::Time now);
  void ExpectDeletions(const ObjectKey& key, const std::vector<std::string>& pod_names, absl::Time now);
  void CreationObserved(const ObjectKey& key);
  void DeletionObserved(const ObjectKey& key, const std::string& pod_name);
  void Forget(const ObjectKey& key) { records_.erase(key); }

 private:
  struct Record {
    int creations = 0;
    absl::flat_hash_set<std::string> deletions;
    absl::Time set_at;
  };
  absl::flat_hash_map<ObjectKey, Record> records_;
};

}  // namespace orch::controllers

#endif  // ORCH_SRC_CORE_CONTROLLERS_CONTROLLER_UTIL_H_
