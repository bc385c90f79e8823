// kubectl's DeploymentRollbacker and DeploymentStatusViewer, over orch::Client.
#include "absl/strings/str_cat.h"
#include "orch/ops.h"
#include "src/core/controllers/deployment_util.h"
#include "src/core/controllers/pod_template_hash.h"

namespace orch {

absl::Status RollbackDeployment(Client& client, absl::string_view namespace_, absl::string_view name,
                                int64_t to_revision) {
  absl::StatusOr<Deployment> d = Get<Deployment>(client, namespace_, name);
  if (!d.ok()) return d.status();
  if (d->spec.paused) {
    return absl::FailedPreconditionError(
        "you cannot rollback a paused deployment; resume it first with 'kubectl rollout resume' and try "
        "again");
  }
  absl::StatusOr<TypedList<ReplicaSet>> sets = List<ReplicaSet>(client, d->metadata.namespace_);
  if (!sets.ok()) return sets.status();
  const ReplicaSet* target = nullptr;
  const ReplicaSet* latest = nullptr;
  const ReplicaSet* previous = nullptr;
  int64_t latest_revision = 0, previous_revision = 0;
  for (const ReplicaSet& rs : sets->items) {
    const OwnerReference* ref = rs.metadata.ControllerRef();
    if (ref == nullptr || ref->uid != d->metadata.uid) continue;
    const int64_t revision = controllers::Revision(rs.metadata);
    if (to_revision > 0) {
      if (revision == to_revision) target = &rs;
    } else if (revision > latest_revision) {
      previous_revision = latest_revision;
      previous = latest;
      latest_revision = revision;
      latest = &rs;
    } else if (revision > previous_revision) {
      previous_revision = revision;
      previous = &rs;
    }
  }
  if (to_revision > 0 && target == nullptr) {
    return absl::NotFoundError(
        absl::StrCat("unable to find specified revision ", to_revision, " in history"));
  }
  if (to_revision == 0) {
    if (previous == nullptr) {
      return absl::NotFoundError(absl::StrCat("no rollout history found for deployment \"", name, "\""));
    }
    target = previous;
  }
  if (controllers::EqualIgnoreHash(target->spec.template_, d->spec.template_)) return absl::OkStatus();

  Deployment next = *d;
  next.spec.template_ = target->spec.template_;
  next.spec.template_.metadata.labels.erase(controllers::kPodTemplateHashLabel);
  Labels annotations;
  for (const auto& [key, value] : d->metadata.annotations) {
    if (controllers::SkipCopyAnnotation(key)) annotations[key] = value;
  }
  for (const auto& [key, value] : target->metadata.annotations) {
    if (!controllers::SkipCopyAnnotation(key)) annotations[key] = value;
  }
  next.metadata.annotations = std::move(annotations);
  return Update(client, next).status();
}

absl::StatusOr<std::string> RolloutStatus(const Deployment& d, bool* done) {
  if (done != nullptr) *done = false;
  const std::string quoted = absl::StrCat("\"", d.metadata.name, "\"");
  if (d.metadata.generation > d.status.observedGeneration) {
    return std::string("Waiting for deployment spec update to be observed...");
  }
  const DeploymentCondition* progressing = controllers::GetCondition(d.status, "Progressing");
  if (progressing != nullptr && progressing->reason == controllers::kTimedOutReason) {
    return absl::DeadlineExceededError(
        absl::StrCat("deployment ", quoted, " exceeded its progress deadline"));
  }
  const std::string waiting = absl::StrCat("Waiting for deployment ", quoted, " rollout to finish: ");
  if (d.spec.replicas.has_value() && d.status.updatedReplicas < *d.spec.replicas) {
    return absl::StrCat(waiting, d.status.updatedReplicas, " out of ", *d.spec.replicas,
                        " new replicas have been updated...");
  }
  if (d.status.replicas > d.status.updatedReplicas) {
    return absl::StrCat(waiting, d.status.replicas - d.status.updatedReplicas,
                        " old replicas are pending termination...");
  }
  if (d.status.availableReplicas < d.status.updatedReplicas) {
    return absl::StrCat(waiting, d.status.availableReplicas, " of ", d.status.updatedReplicas,
                        " updated replicas are available...");
  }
  if (done != nullptr) *done = true;
  return absl::StrCat("deployment ", quoted, " successfully rolled out");
}

}  // namespace orch
