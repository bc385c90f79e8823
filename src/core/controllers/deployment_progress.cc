// The Progressing condition and progressDeadlineSeconds (Kubernetes' deployment progress.go).
#include "absl/strings/str_cat.h"
#include "src/core/controllers/deployment_controller.h"
#include "src/core/controllers/deployment_util.h"

namespace orch::controllers {

absl::Status DeploymentController::SyncRolloutStatus(Rollout& r, ReplicaSet* new_rs,
                                                     const std::vector<ReplicaSet*>& all) {
  const absl::Time now = context_->clock().Now();
  DeploymentStatus status = CalculateStatus(r, new_rs, all);
  const bool has_deadline = r.d.spec.progressDeadlineSeconds.has_value();
  if (!has_deadline) RemoveCondition(&status, "Progressing");

  const DeploymentCondition* current = GetCondition(r.d.status, "Progressing");
  const bool complete_before = status.replicas == status.updatedReplicas && current != nullptr &&
                               current->reason == kNewRSAvailableReason;
  const std::string subject = new_rs != nullptr ? absl::StrCat("ReplicaSet \"", new_rs->metadata.name, "\"")
                                                : absl::StrCat("Deployment \"", r.d.metadata.name, "\"");
  if (has_deadline && !complete_before) {
    if (DeploymentComplete(r.d, status)) {
      SetCondition(&status, NewCondition("Progressing", "True", kNewRSAvailableReason,
                                         absl::StrCat(subject, " has successfully progressed."), now));
    } else if (DeploymentProgressing(r.d, status)) {
      // Progress moves lastUpdateTime (and so the deadline) even when the reason stays the same.
      DeploymentCondition condition = NewCondition("Progressing", "True", kReplicaSetUpdatedReason,
                                                   absl::StrCat(subject, " is progressing."), now);
      if (current != nullptr) {
        if (current->status == "True") condition.lastTransitionTime = current->lastTransitionTime;
        RemoveCondition(&status, "Progressing");
      }
      SetCondition(&status, std::move(condition));
    } else if (DeploymentTimedOut(r.d, status, now)) {
      SetCondition(&status, NewCondition("Progressing", "False", kTimedOutReason,
                                         absl::StrCat(subject, " has timed out progressing."), now));
    }
  }

  // A ReplicaSet's ReplicaFailure condition is the deployment's (the new one's first).
  std::vector<const ReplicaSet*> failing_order;
  if (new_rs != nullptr) failing_order.push_back(new_rs);
  for (const ReplicaSet* rs : Const(all)) {
    if (rs != new_rs) failing_order.push_back(rs);
  }
  const ReplicaSetCondition* failure = nullptr;
  for (const ReplicaSet* rs : failing_order) {
    for (const ReplicaSetCondition& c : rs->status.conditions) {
      if (failure == nullptr && c.type == "ReplicaFailure") failure = &c;
    }
  }
  if (failure != nullptr) {
    DeploymentCondition condition;
    condition.type = "ReplicaFailure";
    condition.status = failure->status;
    condition.reason = failure->reason;
    condition.message = failure->message;
    condition.lastUpdateTime = condition.lastTransitionTime = failure->lastTransitionTime;
    SetCondition(&status, std::move(condition));
  } else {
    RemoveCondition(&status, "ReplicaFailure");
  }

  if (status == r.d.status) {
    RequeueStuckDeployment(r, status);
    return absl::OkStatus();
  }
  r.d.status = std::move(status);
  return WriteStatus(r);
}

void DeploymentController::RequeueStuckDeployment(const Rollout& r, const DeploymentStatus& status) {
  const DeploymentCondition* current = GetCondition(r.d.status, "Progressing");
  if (!r.d.spec.progressDeadlineSeconds.has_value() || current == nullptr) return;
  if (DeploymentComplete(r.d, status) || current->reason == kTimedOutReason) return;
  // Check again once the deadline has passed, as Kubernetes' requeueStuckDeployment: a second
  // after it, or, with less than a second left, at once with backoff.
  const ObjectKey key = ObjectKey::Of(r.d.metadata);
  const absl::Duration left = current->lastUpdateTime.value +
                              absl::Seconds(*r.d.spec.progressDeadlineSeconds) - context_->clock().Now();
  if (left < absl::Seconds(1)) {
    context_->queue().AddRateLimited(key);
  } else {
    context_->queue().AddAfter(key, left + absl::Seconds(1));
  }
}

}  // namespace orch::controllers
