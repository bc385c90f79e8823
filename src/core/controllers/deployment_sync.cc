// The new and old ReplicaSets, revisions, scaling (proportional too), history cleanup and status
// (Kubernetes' deployment sync.go).
#include <algorithm>

#include "absl/strings/str_cat.h"
#include "orch/errors.h"
#include "src/core/controllers/controller_util.h"
#include "src/core/controllers/deployment_controller.h"
#include "src/core/controllers/deployment_util.h"
#include "src/core/controllers/pod_template_hash.h"

namespace orch::controllers {
namespace {

// The oldest ReplicaSet whose template equals the deployment's (FindNewReplicaSet).
ReplicaSet* FindNewReplicaSet(const Deployment& d, std::vector<ReplicaSet*> sets) {
  std::sort(sets.begin(), sets.end(), OlderFirst);
  for (ReplicaSet* rs : sets) {
    if (EqualIgnoreHash(rs->spec.template_, d.spec.template_)) return rs;
  }
  return nullptr;
}

}  // namespace

absl::Status DeploymentController::WriteStatus(Rollout& r) {
  absl::StatusOr<Deployment> written = UpdateStatus(context_->client(), r.d);
  if (!written.ok()) return written.status();
  r.d = std::move(*written);
  return absl::OkStatus();
}

// Kubernetes writes the deployment's revision annotation through the status subresource; here
// status updates keep metadata, so it is a metadata update of its own.
absl::Status DeploymentController::WriteRevision(Rollout& r, const std::string& revision) {
  auto it = r.d.metadata.annotations.find(kRevisionAnnotation);
  if (it != r.d.metadata.annotations.end() && it->second == revision) return absl::OkStatus();
  Deployment next = r.d;
  next.metadata.annotations[kRevisionAnnotation] = revision;
  absl::StatusOr<Deployment> written = Update(context_->client(), next);
  if (!written.ok()) return written.status();
  r.d.metadata = written->metadata;  // keep the status this sync is computing
  return absl::OkStatus();
}

absl::StatusOr<DeploymentController::Sets> DeploymentController::GetAllReplicaSetsAndSyncRevision(
    Rollout& r, bool create_if_missing) {
  Sets sets;
  ReplicaSet* found = FindNewReplicaSet(r.d, r.sets);
  for (ReplicaSet* rs : r.sets) {
    if (rs != found) sets.old.push_back(rs);
  }
  absl::StatusOr<ReplicaSet*> new_rs = GetNewReplicaSet(r, sets.old, create_if_missing);
  if (!new_rs.ok()) return new_rs.status();
  sets.new_rs = *new_rs;
  return sets;
}

absl::StatusOr<ReplicaSet*> DeploymentController::GetNewReplicaSet(Rollout& r,
                                                                   const std::vector<ReplicaSet*>& old,
                                                                   bool create) {
  const absl::Time now = context_->clock().Now();
  ReplicaSet* existing = FindNewReplicaSet(r.d, r.sets);
  const int64_t new_revision = MaxRevision(Const(old)) + 1;
  const bool has_deadline = r.d.spec.progressDeadlineSeconds.has_value();
  if (existing != nullptr) {
    ReplicaSet copy = *existing;
    const bool annotations_changed = SetNewReplicaSetAnnotations(r.d, &copy, new_revision, true);
    if (annotations_changed || copy.spec.minReadySeconds != r.d.spec.minReadySeconds) {
      copy.spec.minReadySeconds = r.d.spec.minReadySeconds;
      absl::StatusOr<ReplicaSet> written = Update(context_->client(), copy);
      if (!written.ok()) return written.status();
      *existing = std::move(*written);
      return existing;
    }
    auto revision = existing->metadata.annotations.find(kRevisionAnnotation);
    if (revision != existing->metadata.annotations.end()) {
      if (absl::Status s = WriteRevision(r, revision->second); !s.ok()) return s;
    }
    if (has_deadline && GetCondition(r.d.status, "Progressing") == nullptr) {
      SetCondition(
          &r.d.status,
          NewCondition("Progressing", "True", kFoundNewRSReason,
                       absl::StrCat("Found new replica set \"", existing->metadata.name, "\""), now));
      if (absl::Status s = WriteStatus(r); !s.ok()) return s;
    }
    return existing;
  }
  if (!create) return nullptr;

  ReplicaSet rs;
  const std::string hash = ComputeHash(r.d.spec.template_, r.d.status.collisionCount);
  rs.metadata.name = absl::StrCat(r.d.metadata.name, "-", hash);
  rs.metadata.namespace_ = r.d.metadata.namespace_;
  rs.metadata.ownerReferences.push_back(ControllerRefTo(ToObject(r.d)));
  rs.spec.template_ = r.d.spec.template_;
  rs.spec.template_.metadata.labels[kPodTemplateHashLabel] = hash;
  rs.metadata.labels = rs.spec.template_.metadata.labels;
  rs.spec.selector = r.d.spec.selector.value_or(LabelSelectorSpec{});
  rs.spec.selector->matchLabels[kPodTemplateHashLabel] = hash;
  rs.spec.minReadySeconds = r.d.spec.minReadySeconds;
  rs.spec.replicas = 0;
  std::vector<const ReplicaSet*> all = Const(old);
  all.push_back(&rs);
  const int32_t replicas = NewRSNewReplicas(r.d, all, rs);
  rs.spec.replicas = replicas;
  SetNewReplicaSetAnnotations(r.d, &rs, new_revision, false);

  bool already_exists = false;
  absl::StatusOr<ReplicaSet> created = Create(context_->client(), rs);
  if (absl::IsAlreadyExists(created.status())) {
    // A slow cache, or a hash collision with a ReplicaSet that is not ours.
    already_exists = true;
    created = Get<ReplicaSet>(context_->client(), rs.metadata.namespace_, rs.metadata.name);
    if (!created.ok()) return created.status();
    const OwnerReference* ref = created->metadata.ControllerRef();
    if (ref == nullptr || ref->uid != r.d.metadata.uid ||
        !EqualIgnoreHash(created->spec.template_, r.d.spec.template_)) {
      r.d.status.collisionCount = r.d.status.collisionCount.value_or(0) + 1;
      (void)WriteStatus(r);
      return absl::AlreadyExistsError(
          absl::StrCat("replicasets.apps \"", rs.metadata.name, "\" already exists"));
    }
  } else if (!created.ok()) {
    const std::string message = absl::StrCat("Failed to create new replica set \"", rs.metadata.name,
                                             "\": ", created.status().message());
    if (has_deadline) {
      SetCondition(&r.d.status, NewCondition("Progressing", "False", kFailedRSCreateReason, message, now));
      (void)WriteStatus(r);
    }
    context_->recorder().Record(ToObject(r.d), "Warning", kFailedRSCreateReason, message);
    return created.status();
  }
  if (!already_exists && replicas > 0) {
    context_->recorder().Record(
        ToObject(r.d), "Normal", "ScalingReplicaSet",
        absl::StrCat("Scaled up replica set ", created->metadata.name, " to ", replicas));
  }
  r.storage.push_back(std::move(*created));
  ReplicaSet* stored = &r.storage.back();
  r.sets.push_back(stored);
  if (absl::Status s = WriteRevision(r, absl::StrCat(new_revision)); !s.ok()) return s;
  if (!already_exists && has_deadline) {
    SetCondition(&r.d.status,
                 NewCondition("Progressing", "True", kNewReplicaSetReason,
                              absl::StrCat("Created new replica set \"", stored->metadata.name, "\""), now));
    if (absl::Status s = WriteStatus(r); !s.ok()) return s;
  }
  return stored;
}

absl::StatusOr<bool> DeploymentController::ScaleReplicaSetAndRecordEvent(Rollout& r, ReplicaSet* rs,
                                                                         int32_t new_scale) {
  if (Replicas(*rs) == new_scale) return false;
  return ScaleReplicaSet(r, rs, new_scale, Replicas(*rs) < new_scale ? "up" : "down");
}

absl::StatusOr<bool> DeploymentController::ScaleReplicaSet(Rollout& r, ReplicaSet* rs, int32_t new_scale,
                                                           const std::string& operation) {
  const int32_t old_scale = Replicas(*rs);
  const bool size_changes = old_scale != new_scale;
  const int32_t desired = Replicas(r.d);
  const int32_t max = desired + MaxSurge(r.d);
  if (!size_changes && !ReplicasAnnotationsNeedUpdate(*rs, desired, max)) return false;
  ReplicaSet copy = *rs;
  copy.spec.replicas = new_scale;
  SetReplicasAnnotations(&copy, desired, max);
  absl::StatusOr<ReplicaSet> written = Update(context_->client(), copy);
  if (!written.ok()) return written.status();
  *rs = std::move(*written);
  if (size_changes) {
    context_->recorder().Record(ToObject(r.d), "Normal", "ScalingReplicaSet",
                                absl::StrCat("Scaled ", operation, " replica set ", rs->metadata.name, " to ",
                                             new_scale, " from ", old_scale));
  }
  return size_changes;
}

absl::Status DeploymentController::Scale(Rollout& r, ReplicaSet* new_rs, std::vector<ReplicaSet*> old) {
  const int32_t desired = Replicas(r.d);
  // FindActiveOrLatest: one active ReplicaSet (or none: the newest) takes the whole count.
  std::vector<ReplicaSet*> all = old;
  if (new_rs != nullptr) all.push_back(new_rs);
  std::vector<ReplicaSet*> active;
  for (ReplicaSet* rs : all) {
    if (Replicas(*rs) > 0) active.push_back(rs);
  }
  if (!all.empty() && active.size() <= 1) {
    ReplicaSet* target = active.empty() ? new_rs : active[0];
    if (target == nullptr) {
      std::sort(old.begin(), old.end(), OlderFirst);
      target = old.back();
    }
    if (Replicas(*target) == desired) return absl::OkStatus();
    return ScaleReplicaSetAndRecordEvent(r, target, desired).status();
  }
  if (all.empty()) return absl::OkStatus();
  if (IsSaturated(r.d, new_rs)) {
    for (ReplicaSet* rs : old) {
      if (Replicas(*rs) == 0) continue;
      if (absl::Status s = ScaleReplicaSetAndRecordEvent(r, rs, 0).status(); !s.ok()) return s;
    }
    return absl::OkStatus();
  }
  if (!IsRollingUpdate(r.d)) return absl::OkStatus();
  // Proportional scaling: spread the change over the active ReplicaSets by their size.
  const int32_t allowed = desired > 0 ? desired + MaxSurge(r.d) : 0;
  const int32_t to_add = allowed - SpecReplicaCount(Const(active));
  std::string operation;
  if (to_add > 0) {
    operation = "up";
    std::sort(active.begin(), active.end(), [](const ReplicaSet* a, const ReplicaSet* b) {
      if (Replicas(*a) != Replicas(*b)) return Replicas(*a) > Replicas(*b);
      return OlderFirst(b, a);
    });
  } else if (to_add < 0) {
    operation = "down";
    std::sort(active.begin(), active.end(), [](const ReplicaSet* a, const ReplicaSet* b) {
      if (Replicas(*a) != Replicas(*b)) return Replicas(*a) > Replicas(*b);
      return OlderFirst(a, b);
    });
  }
  int32_t added = 0;
  std::vector<int32_t> sizes;
  for (ReplicaSet* rs : active) {
    const int32_t proportion = to_add != 0 ? GetProportion(*rs, r.d, to_add, added) : 0;
    sizes.push_back(Replicas(*rs) + proportion);
    added += proportion;
  }
  for (size_t i = 0; i < active.size(); ++i) {
    if (i == 0 && to_add != 0) sizes[0] = std::max(0, sizes[0] + to_add - added);  // leftovers to the largest
    if (absl::Status s = ScaleReplicaSet(r, active[i], sizes[i], operation).status(); !s.ok()) return s;
  }
  return absl::OkStatus();
}

absl::Status DeploymentController::Sync(Rollout& r) {
  absl::StatusOr<Sets> sets = GetAllReplicaSetsAndSyncRevision(r, false);
  if (!sets.ok()) return sets.status();
  if (absl::Status s = Scale(r, sets->new_rs, sets->old); !s.ok()) return s;
  if (r.d.spec.paused) {
    if (absl::Status s = CleanupDeployment(r, sets->old); !s.ok()) return s;
  }
  std::vector<ReplicaSet*> all = sets->old;
  all.push_back(sets->new_rs);
  return SyncDeploymentStatus(r, sets->new_rs, all);
}

absl::Status DeploymentController::CleanupDeployment(Rollout& r, const std::vector<ReplicaSet*>& old) {
  if (!r.d.spec.revisionHistoryLimit.has_value()) return absl::OkStatus();
  std::vector<ReplicaSet*> cleanable;
  for (ReplicaSet* rs : old) {
    if (!rs->metadata.deletionTimestamp.IsSet()) cleanable.push_back(rs);
  }
  const int diff = static_cast<int>(cleanable.size()) - *r.d.spec.revisionHistoryLimit;
  if (diff <= 0) return absl::OkStatus();
  std::sort(cleanable.begin(), cleanable.end(), [](const ReplicaSet* a, const ReplicaSet* b) {
    if (Revision(a->metadata) != Revision(b->metadata)) return Revision(a->metadata) < Revision(b->metadata);
    return OlderFirst(a, b);
  });
  for (int i = 0; i < diff; ++i) {
    const ReplicaSet* rs = cleanable[i];
    // Only ReplicaSets that are scaled down and whose controller has seen it.
    if (rs->status.replicas != 0 || Replicas(*rs) != 0 ||
        rs->metadata.generation > rs->status.observedGeneration) {
      continue;
    }
    absl::Status s = Delete<ReplicaSet>(context_->client(), rs->metadata.namespace_, rs->metadata.name);
    if (!s.ok() && !absl::IsNotFound(s)) return s;
  }
  return absl::OkStatus();
}

DeploymentStatus DeploymentController::CalculateStatus(const Rollout& r, const ReplicaSet* new_rs,
                                                       const std::vector<ReplicaSet*>& all) {
  const std::vector<const ReplicaSet*> sets = Const(all);
  DeploymentStatus status;
  status.observedGeneration = r.d.metadata.generation;
  status.replicas = ActualReplicaCount(sets);
  status.updatedReplicas = new_rs != nullptr ? new_rs->status.replicas : 0;
  status.readyReplicas = ReadyReplicaCount(sets);
  status.availableReplicas = AvailableReplicaCount(sets);
  status.unavailableReplicas = std::max(0, SpecReplicaCount(sets) - status.availableReplicas);
  status.collisionCount = r.d.status.collisionCount;
  status.conditions = r.d.status.conditions;
  status.unknown = r.d.status.unknown;
  const absl::Time now = context_->clock().Now();
  if (status.availableReplicas >= Replicas(r.d) - MaxUnavailable(r.d)) {
    SetCondition(&status, NewCondition("Available", "True", kMinimumReplicasAvailable,
                                       "Deployment has minimum availability.", now));
  } else {
    SetCondition(&status, NewCondition("Available", "False", kMinimumReplicasUnavailable,
                                       "Deployment does not have minimum availability.", now));
  }
  return status;
}

absl::Status DeploymentController::SyncDeploymentStatus(Rollout& r, ReplicaSet* new_rs,
                                                        const std::vector<ReplicaSet*>& all) {
  DeploymentStatus status = CalculateStatus(r, new_rs, all);
  if (status == r.d.status) return absl::OkStatus();
  r.d.status = std::move(status);
  return WriteStatus(r);
}

}  // namespace orch::controllers
