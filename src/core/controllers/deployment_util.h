// Kubernetes' pkg/controller/deployment/util: revisions and annotations, maxSurge/maxUnavailable,
// replica counts over ReplicaSets, the new and old ReplicaSets of a Deployment, conditions.
// Pure functions on values; loop thread only only because their callers are.
#ifndef ORCH_SRC_CORE_CONTROLLERS_DEPLOYMENT_UTIL_H_
#define ORCH_SRC_CORE_CONTROLLERS_DEPLOYMENT_UTIL_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/time/time.h"
#include "orch/api/types.h"

namespace orch::controllers {

inline constexpr char kRevisionAnnotation[] = "deployment.kubernetes.io/revision";
inline constexpr char kRevisionHistoryAnnotation[] = "deployment.kubernetes.io/revision-history";
inline constexpr char kDesiredReplicasAnnotation[] = "deployment.kubernetes.io/desired-replicas";
inline constexpr char kMaxReplicasAnnotation[] = "deployment.kubernetes.io/max-replicas";
inline constexpr char kLastAppliedAnnotation[] = "kubectl.kubernetes.io/last-applied-configuration";

// Condition reasons, as Kubernetes spells them.
inline constexpr char kReplicaSetUpdatedReason[] = "ReplicaSetUpdated";
inline constexpr char kFailedRSCreateReason[] = "ReplicaSetCreateError";
inline constexpr char kNewReplicaSetReason[] = "NewReplicaSetCreated";
inline constexpr char kFoundNewRSReason[] = "FoundNewReplicaSet";
inline constexpr char kNewRSAvailableReason[] = "NewReplicaSetAvailable";
inline constexpr char kTimedOutReason[] = "ProgressDeadlineExceeded";
inline constexpr char kPausedDeployReason[] = "DeploymentPaused";
inline constexpr char kResumedDeployReason[] = "DeploymentResumed";
inline constexpr char kMinimumReplicasAvailable[] = "MinimumReplicasAvailable";
inline constexpr char kMinimumReplicasUnavailable[] = "MinimumReplicasUnavailable";

inline int32_t Replicas(const ReplicaSet& rs) { return rs.spec.replicas.value_or(1); }
inline int32_t Replicas(const Deployment& d) { return d.spec.replicas.value_or(1); }
bool IsRollingUpdate(const Deployment& d);

// The revision annotation as a number (0 when absent or not a number).
int64_t Revision(const ObjectMeta& meta);
int64_t MaxRevision(const std::vector<const ReplicaSet*>& sets);
// Annotations a Deployment never copies to its ReplicaSets (and a rollback never copies back).
bool SkipCopyAnnotation(const std::string& key);
// Copies the deployment's annotations, raises the revision to new_revision (keeping the old one in
// the revision history), and for a ReplicaSet about to be created sets the replica annotations.
// Returns whether anything changed.
bool SetNewReplicaSetAnnotations(const Deployment& d, ReplicaSet* rs, int64_t new_revision, bool exists);
bool SetReplicasAnnotations(ReplicaSet* rs, int32_t desired, int32_t max);
bool ReplicasAnnotationsNeedUpdate(const ReplicaSet& rs, int32_t desired, int32_t max);
// The desired-replicas annotation, if present and a number.
std::optional<int32_t> DesiredReplicasAnnotation(const ReplicaSet& rs);

// maxSurge and maxUnavailable resolved against spec.replicas (surge rounds up, unavailable down;
// both zero makes unavailable 1). MaxUnavailable never exceeds spec.replicas.
int32_t MaxSurge(const Deployment& d);
int32_t MaxUnavailable(const Deployment& d);

int32_t SpecReplicaCount(const std::vector<const ReplicaSet*>& sets);
int32_t ActualReplicaCount(const std::vector<const ReplicaSet*>& sets);
int32_t ReadyReplicaCount(const std::vector<const ReplicaSet*>& sets);
int32_t AvailableReplicaCount(const std::vector<const ReplicaSet*>& sets);
// Those with spec.replicas > 0.
std::vector<const ReplicaSet*> FilterActive(const std::vector<const ReplicaSet*>& sets);

// Oldest first (ties by name): Kubernetes' ReplicaSetsByCreationTimestamp.
bool OlderFirst(const ReplicaSet* a, const ReplicaSet* b);

// How many replicas the new ReplicaSet should have now (NewRSNewReplicas).
int32_t NewRSNewReplicas(const Deployment& d, const std::vector<const ReplicaSet*>& all,
                         const ReplicaSet& new_rs);
// The replicas to add to (or remove from) rs when the deployment is scaled proportionally.
int32_t GetProportion(const ReplicaSet& rs, const Deployment& d, int32_t to_add, int32_t added);
bool IsSaturated(const Deployment& d, const ReplicaSet* rs);

bool DeploymentComplete(const Deployment& d, const DeploymentStatus& status);
bool DeploymentProgressing(const Deployment& d, const DeploymentStatus& status);
// Timed out once past lastUpdateTime + progressDeadlineSeconds: not at that instant, as Kubernetes'
// DeploymentTimedOut (from.Add(delta).Before(now)).
bool DeploymentTimedOut(const Deployment& d, const DeploymentStatus& status, absl::Time now);

const DeploymentCondition* GetCondition(const DeploymentStatus& status, const std::string& type);
DeploymentCondition NewCondition(const std::string& type, const std::string& status,
                                 const std::string& reason, const std::string& message, absl::Time now);
// Keeps lastTransitionTime when the status does not change; does nothing when status and reason
// are both unchanged.
void SetCondition(DeploymentStatus* status, DeploymentCondition condition);
void RemoveCondition(DeploymentStatus* status, const std::string& type);

}  // namespace orch::controllers

#endif  // ORCH_SRC_CORE_CONTROLLERS_DEPLOYMENT_UTIL_H_
