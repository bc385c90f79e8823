// RollingUpdate: scale the new ReplicaSet up within maxSurge, the old ones down within
// maxUnavailable, unhealthy old replicas first (Kubernetes' deployment rolling.go).
#include <algorithm>

#include "src/core/controllers/deployment_controller.h"
#include "src/core/controllers/deployment_util.h"

namespace orch::controllers {

absl::Status DeploymentController::RolloutRolling(Rollout& r) {
  absl::StatusOr<Sets> sets = GetAllReplicaSetsAndSyncRevision(r, true);
  if (!sets.ok()) return sets.status();
  ReplicaSet* new_rs = sets->new_rs;
  std::vector<ReplicaSet*> all = sets->old;
  all.push_back(new_rs);

  absl::StatusOr<bool> scaled_up = ReconcileNewReplicaSet(r, all, new_rs);
  if (!scaled_up.ok()) return scaled_up.status();
  if (*scaled_up) return SyncRolloutStatus(r, new_rs, all);

  std::vector<ReplicaSet*> active_old;
  for (ReplicaSet* rs : sets->old) {
    if (Replicas(*rs) > 0) active_old.push_back(rs);
  }
  absl::StatusOr<bool> scaled_down = ReconcileOldReplicaSets(r, all, active_old, new_rs);
  if (!scaled_down.ok()) return scaled_down.status();
  if (*scaled_down) return SyncRolloutStatus(r, new_rs, all);

  if (DeploymentComplete(r.d, r.d.status)) {
    if (absl::Status s = CleanupDeployment(r, sets->old); !s.ok()) return s;
  }
  return SyncRolloutStatus(r, new_rs, all);
}

absl::StatusOr<bool> DeploymentController::ReconcileNewReplicaSet(Rollout& r,
                                                                  const std::vector<ReplicaSet*>& all,
                                                                  ReplicaSet* new_rs) {
  if (new_rs == nullptr) return false;
  if (Replicas(*new_rs) == Replicas(r.d)) return false;
  if (Replicas(*new_rs) > Replicas(r.d)) return ScaleReplicaSetAndRecordEvent(r, new_rs, Replicas(r.d));
  return ScaleReplicaSetAndRecordEvent(r, new_rs, NewRSNewReplicas(r.d, Const(all), *new_rs));
}

absl::StatusOr<bool> DeploymentController::ReconcileOldReplicaSets(Rollout& r,
                                                                   const std::vector<ReplicaSet*>& all,
                                                                   std::vector<ReplicaSet*> old,
                                                                   ReplicaSet* new_rs) {
  if (SpecReplicaCount(Const(old)) == 0) return false;
  const int32_t all_pods = SpecReplicaCount(Const(all));
  const int32_t min_available = Replicas(r.d) - MaxUnavailable(r.d);
  const int32_t new_unavailable =
      new_rs == nullptr ? 0 : Replicas(*new_rs) - new_rs->status.availableReplicas;
  const int32_t max_scaled_down = all_pods - min_available - new_unavailable;
  if (max_scaled_down <= 0) return false;

  // Unhealthy old replicas first: they would otherwise block the rollout until the deadline.
  absl::StatusOr<int32_t> cleaned = CleanupUnhealthyReplicas(r, old, max_scaled_down);
  if (!cleaned.ok()) return cleaned.status();
  std::vector<ReplicaSet*> after_cleanup = old;
  if (new_rs != nullptr) after_cleanup.push_back(new_rs);
  absl::StatusOr<int32_t> scaled = ScaleDownOldForRollingUpdate(r, after_cleanup, old);
  if (!scaled.ok()) return scaled.status();
  return *cleaned + *scaled > 0;
}

absl::StatusOr<int32_t> DeploymentController::CleanupUnhealthyReplicas(Rollout& r,
                                                                       std::vector<ReplicaSet*>& old,
                                                                       int32_t max_cleanup) {
  std::sort(old.begin(), old.end(), OlderFirst);
  int32_t total = 0;
  for (ReplicaSet* rs : old) {
    if (total >= max_cleanup) break;
    if (Replicas(*rs) == 0 || Replicas(*rs) == rs->status.availableReplicas) continue;
    const int32_t count = std::min(max_cleanup - total, Replicas(*rs) - rs->status.availableReplicas);
    if (count <= 0) continue;  // more available than wanted: nothing unhealthy to remove
    absl::StatusOr<bool> scaled = ScaleReplicaSetAndRecordEvent(r, rs, Replicas(*rs) - count);
    if (!scaled.ok()) return scaled.status();
    total += count;
  }
  return total;
}

absl::StatusOr<int32_t> DeploymentController::ScaleDownOldForRollingUpdate(
    Rollout& r, const std::vector<ReplicaSet*>& all, std::vector<ReplicaSet*> old) {
  const int32_t min_available = Replicas(r.d) - MaxUnavailable(r.d);
  const int32_t available = AvailableReplicaCount(Const(all));
  if (available <= min_available) return 0;
  std::sort(old.begin(), old.end(), OlderFirst);
  const int32_t to_scale_down = available - min_available;
  int32_t total = 0;
  for (ReplicaSet* rs : old) {
    if (total >= to_scale_down) break;
    if (Replicas(*rs) == 0) continue;
    const int32_t count = std::min(Replicas(*rs), to_scale_down - total);
    absl::StatusOr<bool> scaled = ScaleReplicaSetAndRecordEvent(r, rs, Replicas(*rs) - count);
    if (!scaled.ok()) return scaled.status();
    total += count;
  }
  return total;
}

}  // namespace orch::controllers
