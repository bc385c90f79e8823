// The Deployment controller's watches, its claim on ReplicaSets and the sync entry point
// (Kubernetes' deployment_controller.go and the top of sync.go).
#include "src/core/controllers/deployment_controller.h"

#include "absl/strings/str_cat.h"
#include "orch/controllers.h"
#include "orch/errors.h"
#include "src/core/controllers/controller_util.h"
#include "src/core/controllers/deployment_util.h"

namespace orch {
namespace controllers {
namespace {

ObjectKey KeyOf(const Object& object) { return ObjectKey::Of(object.metadata); }

}  // namespace

std::vector<const ReplicaSet*> Const(const std::vector<ReplicaSet*>& sets) {
  std::vector<const ReplicaSet*> out;
  for (ReplicaSet* rs : sets) {
    if (rs != nullptr) out.push_back(rs);
  }
  return out;
}

absl::Status DeploymentController::Setup(ControllerContext& context) {
  context_ = &context;
  deployments_ = &context.InformerFor<Deployment>();
  replica_sets_ = &context.InformerFor<ReplicaSet>();
  pods_ = &context.InformerFor<Pod>();
  AddControllerUidIndex(*replica_sets_);
  AddControllerUidIndex(*pods_);
  deployments_->AddHandler(EnqueueObject(context.queue()));
  replica_sets_->AddHandler([this](const InformerEvent& event) { OnReplicaSetEvent(event); });
  pods_->AddHandler([this](const InformerEvent& event) { OnPodEvent(event); });
  return absl::OkStatus();
}

ObjectPtr DeploymentController::DeploymentOf(const Object& rs) const {
  const OwnerReference* ref = rs.metadata.ControllerRef();
  if (ref == nullptr || ref->kind != Deployment::kKind) return nullptr;
  ObjectPtr d = deployments_->Get(rs.metadata.namespace_, ref->name);
  return d != nullptr && d->object.metadata.uid == ref->uid ? d : nullptr;
}

void DeploymentController::EnqueueMatchingDeployments(const Object& rs) {
  for (const ObjectPtr& d : deployments_->List(rs.metadata.namespace_)) {
    absl::StatusOr<Deployment> typed = FromObject<Deployment>(d->object);
    if (typed.ok() && SelectorOf(typed->spec.selector).Matches(rs.metadata.labels)) {
      context_->queue().Add(KeyOf(d->object));
    }
  }
}

void DeploymentController::OnReplicaSetEvent(const InformerEvent& event) {
  const Object& rs = event.object->object;
  if (ObjectPtr d = DeploymentOf(rs)) context_->queue().Add(KeyOf(d->object));
  if (event.old != nullptr) {
    const Object& old = event.old->object;
    if (ObjectPtr d = DeploymentOf(old)) context_->queue().Add(KeyOf(d->object));
    if (rs.metadata.ControllerRef() == nullptr &&
        (rs.metadata.labels != old.metadata.labels || old.metadata.ControllerRef() != nullptr)) {
      EnqueueMatchingDeployments(rs);
    }
  } else if (rs.metadata.ControllerRef() == nullptr && event.type == WatchEventType::kAdded) {
    EnqueueMatchingDeployments(rs);
  }
}

void DeploymentController::OnPodEvent(const InformerEvent& event) {
  // Recreate waits for the old pods to be gone: their deletion may let it go on.
  if (event.type != WatchEventType::kDeleted) return;
  const Object& pod = event.object->object;
  const OwnerReference* ref = pod.metadata.ControllerRef();
  if (ref == nullptr || ref->kind != ReplicaSet::kKind) return;
  ObjectPtr rs = replica_sets_->Get(pod.metadata.namespace_, ref->name);
  if (rs == nullptr || rs->object.metadata.uid != ref->uid) return;
  ObjectPtr d = DeploymentOf(rs->object);
  if (d == nullptr) return;
  absl::StatusOr<Deployment> typed = FromObject<Deployment>(d->object);
  if (typed.ok() && typed->spec.strategy.type == "Recreate") context_->queue().Add(KeyOf(d->object));
}

absl::Status DeploymentController::ClaimReplicaSets(Rollout& r) {
  Client& client = context_->client();
  const LabelSelector selector = SelectorOf(r.d.spec.selector);
  const std::string uid = r.d.metadata.uid;
  std::optional<bool> can_adopt;
  absl::Status first_error;
  for (const ObjectPtr& object : replica_sets_->List(r.d.metadata.namespace_)) {
    const ObjectMeta& meta = object->object.metadata;
    const OwnerReference* ref = meta.ControllerRef();
    if (ref != nullptr && ref->uid != uid) continue;
    const bool matches = selector.Matches(meta.labels);
    if (ref != nullptr && !matches) {
      absl::Status s =
          MutateMetadata(client, replica_sets_->type(), meta.namespace_, meta.name, [&uid](ObjectMeta& m) {
            return std::erase_if(m.ownerReferences,
                                 [&uid](const OwnerReference& o) { return o.uid == uid; }) > 0;
          });
      if (!s.ok() && !absl::IsNotFound(s) && first_error.ok()) first_error = s;
      continue;
    }
    absl::StatusOr<ReplicaSet> rs = FromObject<ReplicaSet>(object->object);
    if (!rs.ok()) continue;
    if (ref == nullptr) {
      if (!matches || r.d.metadata.deletionTimestamp.IsSet() || meta.deletionTimestamp.IsSet()) continue;
      if (!can_adopt.has_value()) {
        absl::StatusOr<Deployment> fresh =
            Get<Deployment>(client, r.d.metadata.namespace_, r.d.metadata.name);
        can_adopt = fresh.ok() && fresh->metadata.uid == uid && !fresh->metadata.deletionTimestamp.IsSet();
      }
      if (!*can_adopt) continue;
      const Object owner = ToObject(r.d);
      bool adopted = false;
      absl::Status s =
          MutateMetadata(client, replica_sets_->type(), meta.namespace_, meta.name, [&](ObjectMeta& m) {
            if (m.ControllerRef() != nullptr || m.deletionTimestamp.IsSet() || !selector.Matches(m.labels))
              return false;
            m.ownerReferences.push_back(ControllerRefTo(owner));
            adopted = true;
            return true;
          });
      if (!s.ok() && !absl::IsNotFound(s) && first_error.ok()) first_error = s;
      if (!s.ok() || !adopted) continue;
      rs = Get<ReplicaSet>(client, meta.namespace_, meta.name);
      if (!rs.ok()) continue;
    }
    r.storage.push_back(std::move(*rs));
    r.sets.push_back(&r.storage.back());
  }
  return first_error;
}

void DeploymentController::CollectPods(Rollout& r) {
  const LabelSelector selector = SelectorOf(r.d.spec.selector);
  for (ReplicaSet* rs : r.sets) {
    std::vector<Pod>& pods = r.pods_by_rs_uid[rs->metadata.uid];
    for (const ObjectPtr& object : pods_->ByIndex(kControllerUidIndex, rs->metadata.uid)) {
      if (object->object.metadata.namespace_ != r.d.metadata.namespace_) continue;
      if (!selector.Matches(object->object.metadata.labels)) continue;
      absl::StatusOr<std::shared_ptr<const Pod>> pod = Decoded<Pod>(*object);
      if (pod.ok()) pods.push_back(**pod);
    }
  }
}

absl::Status DeploymentController::CheckPausedConditions(Rollout& r) {
  if (!r.d.spec.progressDeadlineSeconds.has_value()) return absl::OkStatus();
  const DeploymentCondition* condition = GetCondition(r.d.status, "Progressing");
  // A reported timeout is not overwritten by a pause.
  if (condition != nullptr && condition->reason == kTimedOutReason) return absl::OkStatus();
  const bool paused_condition = condition != nullptr && condition->reason == kPausedDeployReason;
  const absl::Time now = context_->clock().Now();
  if (r.d.spec.paused && !paused_condition) {
    SetCondition(&r.d.status,
                 NewCondition("Progressing", "Unknown", kPausedDeployReason, "Deployment is paused", now));
  } else if (!r.d.spec.paused && paused_condition) {
    SetCondition(&r.d.status,
                 NewCondition("Progressing", "Unknown", kResumedDeployReason, "Deployment is resumed", now));
  } else {
    return absl::OkStatus();
  }
  return WriteStatus(r);
}

absl::StatusOr<bool> DeploymentController::IsScalingEvent(Rollout& r) {
  absl::StatusOr<Sets> sets = GetAllReplicaSetsAndSyncRevision(r, false);
  if (!sets.ok()) return sets.status();
  std::vector<ReplicaSet*> all = sets->old;
  all.push_back(sets->new_rs);
  for (const ReplicaSet* rs : FilterActive(Const(all))) {
    std::optional<int32_t> desired = DesiredReplicasAnnotation(*rs);
    if (desired.has_value() && *desired != Replicas(r.d)) return true;
  }
  return false;
}

absl::Status DeploymentController::Reconcile(const ObjectKey& key) {
  ObjectPtr object = deployments_->Get(key.namespace_, key.name);
  if (object == nullptr) return absl::OkStatus();
  absl::StatusOr<Deployment> d = FromObject<Deployment>(object->object);
  if (!d.ok()) return absl::OkStatus();  // nothing to act on until the object changes
  Rollout r;
  r.d = std::move(*d);
  if (SelectorOf(r.d.spec.selector).MatchesNothing()) {
    context_->recorder().Record(object->object, "Warning", "SelectingAll",
                                "This deployment is selecting all pods. A non-empty selector is required.");
    if (r.d.status.observedGeneration < r.d.metadata.generation) {
      r.d.status.observedGeneration = r.d.metadata.generation;
      return WriteStatus(r);
    }
    return absl::OkStatus();
  }
  if (absl::Status s = ClaimReplicaSets(r); !s.ok()) return s;
  CollectPods(r);
  if (r.d.metadata.deletionTimestamp.IsSet()) {
    absl::StatusOr<Sets> sets = GetAllReplicaSetsAndSyncRevision(r, false);
    if (!sets.ok()) return sets.status();
    std::vector<ReplicaSet*> all = sets->old;
    all.push_back(sets->new_rs);
    return SyncDeploymentStatus(r, sets->new_rs, all);
  }
  if (absl::Status s = CheckPausedConditions(r); !s.ok()) return s;
  if (r.d.spec.paused) return Sync(r);
  absl::StatusOr<bool> scaling = IsScalingEvent(r);
  if (!scaling.ok()) return scaling.status();
  if (*scaling) return Sync(r);
  if (r.d.spec.strategy.type == "Recreate") return RolloutRecreate(r);
  return RolloutRolling(r);
}

}  // namespace controllers

std::unique_ptr<Controller> NewDeploymentController() {
  return std::make_unique<controllers::DeploymentController>();
}

}  // namespace orch
