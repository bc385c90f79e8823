// The Deployment controller, as Kubernetes' pkg/controller/deployment, split along its files there:
// deployment_controller.cc (watches, claiming ReplicaSets, the sync entry point), deployment_sync.cc
// (new/old ReplicaSets, revisions, scaling, status), deployment_rolling.cc, deployment_recreate.cc,
// deployment_progress.cc (Progressing condition and deadline). Loop thread only.
#ifndef ORCH_SRC_CORE_CONTROLLERS_DEPLOYMENT_CONTROLLER_H_
#define ORCH_SRC_CORE_CONTROLLERS_DEPLOYMENT_CONTROLLER_H_

#include <deque>
#include <map>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "orch/api/types.h"
#include "orch/controller.h"

namespace orch::controllers {

// One sync's view: the deployment (updated in place as the sync writes it) and its ReplicaSets.
struct Rollout {
  Deployment d;
  std::deque<ReplicaSet> storage;  // stable addresses for the pointers below
  std::vector<ReplicaSet*> sets;   // every ReplicaSet the deployment controls
  std::map<std::string, std::vector<Pod>> pods_by_rs_uid;
};

class DeploymentController final : public Controller {
 public:
  absl::string_view Name() const override { return "deployment-controller"; }
  absl::Status Setup(ControllerContext& context) override;
  absl::Status Reconcile(const ObjectKey& key) override;

 private:
  // Watches (deployment_controller.cc).
  void OnReplicaSetEvent(const InformerEvent& event);
  void OnPodEvent(const InformerEvent& event);
  ObjectPtr DeploymentOf(const Object& rs) const;
  void EnqueueMatchingDeployments(const Object& rs);
  absl::Status ClaimReplicaSets(Rollout& r);
  void CollectPods(Rollout& r);
  absl::Status CheckPausedConditions(Rollout& r);
  absl::StatusOr<bool> IsScalingEvent(Rollout& r);

  // deployment_sync.cc
  struct Sets {
    ReplicaSet* new_rs = nullptr;
    std::vector<ReplicaSet*> old;  // every ReplicaSet but the new one
  };
  absl::StatusOr<Sets> GetAllReplicaSetsAndSyncRevision(Rollout& r, bool create_if_missing);
  absl::StatusOr<ReplicaSet*> GetNewReplicaSet(Rollout& r, const std::vector<ReplicaSet*>& old, bool create);
  absl::Status Sync(Rollout& r);
  absl::Status Scale(Rollout& r, ReplicaSet* new_rs, std::vector<ReplicaSet*> old);
  // Returns whether the size changed.
  absl::StatusOr<bool> ScaleReplicaSetAndRecordEvent(Rollout& r, ReplicaSet* rs, int32_t new_scale);
  absl::StatusOr<bool> ScaleReplicaSet(Rollout& r, ReplicaSet* rs, int32_t new_scale,
                                       const std::string& operation);
  absl::Status CleanupDeployment(Rollout& r, const std::vector<ReplicaSet*>& old);
  absl::Status SyncDeploymentStatus(Rollout& r, ReplicaSet* new_rs, const std::vector<ReplicaSet*>& all);
  DeploymentStatus CalculateStatus(const Rollout& r, const ReplicaSet* new_rs,
                                   const std::vector<ReplicaSet*>& all);
  // Writes r.d's status (and, first, its revision annotation if `revision` differs).
  absl::Status WriteStatus(Rollout& r);
  absl::Status WriteRevision(Rollout& r, const std::string& revision);

  // deployment_rolling.cc
  absl::Status RolloutRolling(Rollout& r);
  absl::StatusOr<bool> ReconcileNewReplicaSet(Rollout& r, const std::vector<ReplicaSet*>& all,
                                              ReplicaSet* new_rs);
  absl::StatusOr<bool> ReconcileOldReplicaSets(Rollout& r, const std::vector<ReplicaSet*>& all,
                                               std::vector<ReplicaSet*> old, ReplicaSet* new_rs);
  absl::StatusOr<int32_t> CleanupUnhealthyReplicas(Rollout& r, std::vector<ReplicaSet*>& old,
                                                   int32_t max_cleanup);
  absl::StatusOr<int32_t> ScaleDownOldForRollingUpdate(Rollout& r, const std::vector<ReplicaSet*>& all,
                                                       std::vector<ReplicaSet*> old);

  // deployment_recreate.cc
  absl::Status RolloutRecreate(Rollout& r);
  bool OldPodsRunning(const Rollout& r, const ReplicaSet* new_rs, const std::vector<ReplicaSet*>& old) const;

  // deployment_progress.cc
  absl::Status SyncRolloutStatus(Rollout& r, ReplicaSet* new_rs, const std::vector<ReplicaSet*>& all);
  void RequeueStuckDeployment(const Rollout& r, const DeploymentStatus& status);

  ControllerContext* context_ = nullptr;
  Informer* deployments_ = nullptr;
  Informer* replica_sets_ = nullptr;
  Informer* pods_ = nullptr;
};

std::vector<const ReplicaSet*> Const(const std::vector<ReplicaSet*>& sets);

}  // namespace orch::controllers

#endif  // ORCH_SRC_CORE_CONTROLLERS_DEPLOYMENT_CONTROLLER_H_
