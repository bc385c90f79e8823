// Recreate: scale every old ReplicaSet to zero, wait until none of their pods runs, then scale the
// new one up (Kubernetes' deployment recreate.go).
#include "src/core/controllers/deployment_controller.h"
#include "src/core/controllers/deployment_util.h"

namespace orch::controllers {

bool DeploymentController::OldPodsRunning(const Rollout& r, const ReplicaSet* new_rs,
                                          const std::vector<ReplicaSet*>& old) const {
  if (ActualReplicaCount(Const(old)) > 0) return true;
  for (const auto& [uid, pods] : r.pods_by_rs_uid) {
    if (new_rs != nullptr && new_rs->metadata.uid == uid) continue;
    for (const Pod& pod : pods) {
      // Finished pods do not count; every other phase (Unknown too) might still be running.
      if (!pod.Terminated()) return true;
    }
  }
  return false;
}

absl::Status DeploymentController::RolloutRecreate(Rollout& r) {
  // Not created yet, so that nothing scales up before the old pods are gone.
  absl::StatusOr<Sets> sets = GetAllReplicaSetsAndSyncRevision(r, false);
  if (!sets.ok()) return sets.status();
  std::vector<ReplicaSet*> all = sets->old;
  all.push_back(sets->new_rs);

  bool scaled_down = false;
  for (ReplicaSet* rs : sets->old) {
    if (Replicas(*rs) == 0) continue;
    absl::StatusOr<bool> scaled = ScaleReplicaSetAndRecordEvent(r, rs, 0);
    if (!scaled.ok()) return scaled.status();
    scaled_down |= *scaled;
  }
  if (scaled_down) return SyncRolloutStatus(r, sets->new_rs, all);
  if (OldPodsRunning(r, sets->new_rs, sets->old)) return SyncRolloutStatus(r, sets->new_rs, all);

  if (sets->new_rs == nullptr) {
    sets = GetAllReplicaSetsAndSyncRevision(r, true);
    if (!sets.ok()) return sets.status();
    all = sets->old;
    all.push_back(sets->new_rs);
  }
  if (sets->new_rs != nullptr) {
    absl::StatusOr<bool> scaled = ScaleReplicaSetAndRecordEvent(r, sets->new_rs, Replicas(r.d));
    if (!scaled.ok()) return scaled.status();
  }
  if (DeploymentComplete(r.d, r.d.status)) {
    if (absl::Status s = CleanupDeployment(r, sets->old); !s.ok()) return s;
  }
  return SyncRolloutStatus(r, sets->new_rs, all);
}

}  // namespace orch::controllers
