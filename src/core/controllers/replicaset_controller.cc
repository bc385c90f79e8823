// The ReplicaSet controller, as Kubernetes' pkg/controller/replicaset: claim pods (adopt, release),
// create or delete the difference within expectations, then write status.
#include <algorithm>

#include "absl/container/flat_hash_set.h"
#include "absl/strings/str_cat.h"
#include "orch/controllers.h"
#include "orch/errors.h"
#include "src/core/controllers/controller_util.h"

namespace orch {
namespace {

using controllers::Expectations;

// At most this many pods are created or deleted by one reconcile (Kubernetes' burstReplicas).
constexpr int kBurstReplicas = 500;

ObjectKey KeyOf(const Object& object) { return ObjectKey::Of(object.metadata); }

class ReplicaSetController final : public Controller {
 public:
  absl::string_view Name() const override { return "replicaset-controller"; }

  absl::Status Setup(ControllerContext& context) override {
    context_ = &context;
    rs_informer_ = &context.InformerFor<ReplicaSet>();
    pod_informer_ = &context.InformerFor<Pod>();
    controllers::AddControllerUidIndex(*rs_informer_);
    controllers::AddControllerUidIndex(*pod_informer_);
    rs_informer_->AddHandler([this](const InformerEvent& event) {
      if (event.type == WatchEventType::kDeleted) expectations_.Forget(KeyOf(event.object->object));
      context_->queue().Add(KeyOf(event.object->object));
    });
    pod_informer_->AddHandler([this](const InformerEvent& event) { OnPodEvent(event); });
    return absl::OkStatus();
  }

  absl::Status Reconcile(const ObjectKey& key) override;

 private:
  // The ReplicaSet named by the pod's controller reference, if it is one of ours and still exists.
  ObjectPtr OwnerOf(const Object& pod) const {
    const OwnerReference* ref = pod.metadata.ControllerRef();
    if (ref == nullptr || ref->kind != ReplicaSet::kKind) return nullptr;
    ObjectPtr rs = rs_informer_->Get(pod.metadata.namespace_, ref->name);
    return rs != nullptr && rs->object.metadata.uid == ref->uid ? rs : nullptr;
  }

  // An orphan may be adopted by any ReplicaSet whose selector matches it.
  void EnqueueMatching(const Object& pod) {
    for (const ObjectPtr& rs : rs_informer_->List(pod.metadata.namespace_)) {
      absl::StatusOr<ReplicaSet> typed = FromObject<ReplicaSet>(rs->object);
      if (typed.ok() && controllers::SelectorOf(typed->spec.selector).Matches(pod.metadata.labels)) {
        context_->queue().Add(KeyOf(rs->object));
      }
    }
  }

  void OnPodDeleted(const Object& pod) {
    ObjectPtr rs = OwnerOf(pod);
    if (rs == nullptr) return;
    expectations_.DeletionObserved(KeyOf(rs->object), pod.metadata.name);
    context_->queue().Add(KeyOf(rs->object));
  }

  void OnPodEvent(const InformerEvent& event) {
    const Object& pod = event.object->object;
    if (event.type == WatchEventType::kDeleted) {
      OnPodDeleted(pod);
      return;
    }
    if (event.type == WatchEventType::kAdded) {
      // A pod that is already being deleted (seen after a relist) must not count as created.
      if (pod.metadata.deletionTimestamp.IsSet()) {
        OnPodDeleted(pod);
        return;
      }
      if (pod.metadata.ControllerRef() != nullptr) {
        if (ObjectPtr rs = OwnerOf(pod)) {
          expectations_.CreationObserved(KeyOf(rs->object));
          context_->queue().Add(KeyOf(rs->object));
        }
        return;
      }
      EnqueueMatching(pod);
      return;
    }
    const Object& old = event.old->object;
    if (pod.metadata.resourceVersion == old.metadata.resourceVersion) return;
    const bool labels_changed = pod.metadata.labels != old.metadata.labels;
    if (pod.metadata.deletionTimestamp.IsSet()) {
      // Graceful deletion: the pod is on its way out; treat it as deleted now.
      OnPodDeleted(pod);
      if (labels_changed) OnPodDeleted(old);
      return;
    }
    const OwnerReference* ref = pod.metadata.ControllerRef();
    const OwnerReference* old_ref = old.metadata.ControllerRef();
    const bool ref_changed =
        (ref == nullptr) != (old_ref == nullptr) || (ref != nullptr && !(*ref == *old_ref));
    if (ref_changed && old_ref != nullptr) {
      if (ObjectPtr rs = OwnerOf(old)) context_->queue().Add(KeyOf(rs->object));
    }
    if (ref != nullptr) {
      if (ObjectPtr rs = OwnerOf(pod)) context_->queue().Add(KeyOf(rs->object));
      return;
    }
    if (labels_changed || ref_changed) EnqueueMatching(pod);
  }

  // Adopts matching orphans and releases owned pods that no longer match; returns the active pods
  // this ReplicaSet controls afterwards (Kubernetes' PodControllerRefManager.ClaimPods).
  absl::StatusOr<std::vector<Pod>> ClaimPods(const Object& rs_object, const LabelSelector& selector);
  // The pods selected by the ReplicaSets that share this one's controller, each once (Kubernetes'
  // getIndirectlyRelatedPods); none for a ReplicaSet without a controller.
  std::vector<ObjectPtr> RelatedPods(const Object& rs_object) const;
  absl::Status ManageReplicas(const Object& rs_object, const ReplicaSet& rs, const std::vector<Pod>& pods);
  absl::Status CreatePods(const Object& rs_object, const ReplicaSet& rs, int count);
  absl::Status DeletePods(const Object& rs_object, std::vector<Pod> pods, int count);
  ReplicaSetStatus CalculateStatus(const ReplicaSet& rs, const std::vector<Pod>& pods,
                                   const absl::Status& manage_error, int diff);

  ControllerContext* context_ = nullptr;
  Informer* rs_informer_ = nullptr;
  Informer* pod_informer_ = nullptr;
  Expectations expectations_;
};

absl::StatusOr<std::vector<Pod>> ReplicaSetController::ClaimPods(const Object& rs_object,
                                                                 const LabelSelector& selector) {
  Client& client = context_->client();
  const ResourceType& pod_type = pod_informer_->type();
  const std::string& uid = rs_object.metadata.uid;
  const bool rs_deleting = rs_object.metadata.deletionTimestamp.IsSet();
  std::optional<bool> can_adopt;  // checked once against the store, as Kubernetes' RecheckDeletionTimestamp
  std::vector<Pod> claimed;
  absl::Status first_error;
  for (const ObjectPtr& pod : pod_informer_->List(rs_object.metadata.namespace_)) {
    const Object& object = pod->object;
    if (!controllers::IsPodActive(object)) continue;
    const OwnerReference* ref = object.metadata.ControllerRef();
    const bool matches = selector.Matches(object.metadata.labels);
    if (ref != nullptr && ref->uid != uid) continue;
    if (ref != nullptr && !matches) {
      absl::Status s = controllers::MutateMetadata(
          client, pod_type, object.metadata.namespace_, object.metadata.name, [&uid](ObjectMeta& meta) {
            return std::erase_if(meta.ownerReferences, [&uid](const auto& r) { return r.uid == uid; }) > 0;
          });
      if (!s.ok() && !absl::IsNotFound(s) && first_error.ok()) first_error = s;
      continue;
    }
    if (ref == nullptr) {
      if (!matches || rs_deleting) continue;
      if (!can_adopt.has_value()) {
        absl::StatusOr<ObjectPtr> fresh =
            client.Get(rs_informer_->type(), rs_object.metadata.namespace_, rs_object.metadata.name);
        can_adopt = fresh.ok() && (*fresh)->object.metadata.uid == uid &&
                    !(*fresh)->object.metadata.deletionTimestamp.IsSet();
      }
      if (!*can_adopt) continue;
      bool adopted = false;
      absl::Status s = controllers::MutateMetadata(
          client, pod_type, object.metadata.namespace_, object.metadata.name, [&](ObjectMeta& meta) {
            if (meta.ControllerRef() != nullptr || meta.deletionTimestamp.IsSet()) return false;
            if (!selector.Matches(meta.labels)) return false;
            meta.ownerReferences.push_back(controllers::ControllerRefTo(rs_object));
            adopted = true;
            return true;
          });
      if (!s.ok()) {
        if (!absl::IsNotFound(s) && first_error.ok()) first_error = s;
        continue;
      }
      if (!adopted) continue;
    }
    absl::StatusOr<std::shared_ptr<const Pod>> typed = Decoded<Pod>(*pod);
    if (typed.ok()) claimed.push_back(**typed);
  }
  if (!first_error.ok()) return first_error;
  return claimed;
}

std::vector<ObjectPtr> ReplicaSetController::RelatedPods(const Object& rs_object) const {
  std::vector<ObjectPtr> related;
  const OwnerReference* owner = rs_object.metadata.ControllerRef();
  if (owner == nullptr) return related;
  absl::flat_hash_set<std::string> seen;
  for (const ObjectPtr& rs : rs_informer_->ByIndex(controllers::kControllerUidIndex, owner->uid)) {
    absl::StatusOr<std::shared_ptr<const ReplicaSet>> typed = Decoded<ReplicaSet>(*rs);
    if (!typed.ok()) continue;
    const LabelSelector selector = controllers::SelectorOf((*typed)->spec.selector);
    if (selector.MatchesNothing()) continue;
    for (ObjectPtr& pod : pod_informer_->List(rs->object.metadata.namespace_, selector)) {
      if (seen.insert(pod->object.metadata.uid).second) related.push_back(std::move(pod));
    }
  }
  return related;
}

absl::Status ReplicaSetController::CreatePods(const Object& rs_object, const ReplicaSet& rs, int count) {
  const ObjectKey key = KeyOf(rs_object);
  expectations_.ExpectCreations(key, count, context_->clock().Now());
  Pod pod;
  pod.metadata.generateName = rs.metadata.name + "-";
  pod.metadata.namespace_ = rs.metadata.namespace_;
  pod.metadata.labels = rs.spec.template_.metadata.labels;
  pod.metadata.annotations = rs.spec.template_.metadata.annotations;
  pod.metadata.finalizers = rs.spec.template_.metadata.finalizers;
  pod.metadata.ownerReferences.push_back(controllers::ControllerRefTo(rs_object));
  pod.spec = rs.spec.template_.spec;
  pod.unknown = rs.spec.template_.unknown;

  // Slow start (1, 2, 4, ...): a template that cannot create pods fails after a few calls, not 500.
  int created = 0;
  absl::Status error;
  for (int batch = 1, remaining = count; remaining > 0 && error.ok(); batch *= 2) {
    const int size = std::min(batch, remaining);
    for (int i = 0; i < size; ++i) {
      absl::StatusOr<Pod> made = Create(context_->client(), pod);
      if (made.ok()) {
        ++created;
        context_->recorder().Record(rs_object, "Normal", "SuccessfulCreate",
                                    absl::StrCat("Created pod: ", made->metadata.name));
      } else {
        context_->recorder().Record(rs_object, "Warning", "FailedCreate",
                                    absl::StrCat("Error creating: ", made.status().message()));
        if (error.ok()) error = made.status();
      }
    }
    remaining -= size;
  }
  // The pods that failed or were never tried will not be observed.
  for (int i = created; i < count; ++i) expectations_.CreationObserved(key);
  return error;
}

absl::Status ReplicaSetController::DeletePods(const Object& rs_object, std::vector<Pod> pods, int count) {
  const ObjectKey key = KeyOf(rs_object);
  controllers::SortPodsForDeletion(&pods, RelatedPods(rs_object), context_->clock().Now());
  pods.resize(count);
  std::vector<std::string> names;
  for (const Pod& pod : pods) names.push_back(pod.metadata.name);
  expectations_.ExpectDeletions(key, names, context_->clock().Now());
  absl::Status error;
  for (const Pod& pod : pods) {
    absl::Status s = Delete<Pod>(context_->client(), pod.metadata.namespace_, pod.metadata.name);
    if (s.ok()) {
      context_->recorder().Record(rs_object, "Normal", "SuccessfulDelete",
                                  absl::StrCat("Deleted pod: ", pod.metadata.name));
      continue;
    }
    expectations_.DeletionObserved(key, pod.metadata.name);
    if (absl::IsNotFound(s)) continue;
    context_->recorder().Record(rs_object, "Warning", "FailedDelete",
                                absl::StrCat("Error deleting: ", s.message()));
    if (error.ok()) error = s;
  }
  return error;
}

absl::Status ReplicaSetController::ManageReplicas(const Object& rs_object, const ReplicaSet& rs,
                                                  const std::vector<Pod>& pods) {
  const int diff = static_cast<int>(pods.size()) - rs.spec.replicas.value_or(1);
  if (diff < 0) return CreatePods(rs_object, rs, std::min(-diff, kBurstReplicas));
  if (diff > 0) return DeletePods(rs_object, pods, std::min(diff, kBurstReplicas));
  return absl::OkStatus();
}

ReplicaSetStatus ReplicaSetController::CalculateStatus(const ReplicaSet& rs, const std::vector<Pod>& pods,
                                                       const absl::Status& manage_error, int diff) {
  ReplicaSetStatus status = rs.status;
  const absl::Time now = context_->clock().Now();
  status.replicas = static_cast<int32_t>(pods.size());
  status.fullyLabeledReplicas = status.readyReplicas = status.availableReplicas = 0;
  for (const Pod& pod : pods) {
    const bool fully_labeled =
        std::all_of(rs.spec.template_.metadata.labels.begin(), rs.spec.template_.metadata.labels.end(),
                    [&pod](const auto& label) {
                      auto it = pod.metadata.labels.find(label.first);
                      return it != pod.metadata.labels.end() && it->second == label.second;
                    });
    if (fully_labeled) ++status.fullyLabeledReplicas;
    if (controllers::IsPodReady(pod)) ++status.readyReplicas;
    if (controllers::IsPodAvailable(pod, rs.spec.minReadySeconds, now)) ++status.availableReplicas;
  }
  auto failure = std::find_if(status.conditions.begin(), status.conditions.end(),
                              [](const ReplicaSetCondition& c) { return c.type == "ReplicaFailure"; });
  if (!manage_error.ok() && failure == status.conditions.end()) {
    ReplicaSetCondition condition;
    condition.type = "ReplicaFailure";
    condition.status = "True";
    condition.reason = diff < 0 ? "FailedCreate" : "FailedDelete";
    condition.message = std::string(manage_error.message());
    condition.lastTransitionTime = Time{now};
    status.conditions.push_back(std::move(condition));
  } else if (manage_error.ok() && failure != status.conditions.end()) {
    status.conditions.erase(failure);
  }
  status.observedGeneration = rs.metadata.generation;
  return status;
}

absl::Status ReplicaSetController::Reconcile(const ObjectKey& key) {
  ObjectPtr rs_object = rs_informer_->Get(key.namespace_, key.name);
  if (rs_object == nullptr) {
    expectations_.Forget(key);
    return absl::OkStatus();
  }
  absl::StatusOr<ReplicaSet> rs = FromObject<ReplicaSet>(rs_object->object);
  if (!rs.ok()) return absl::OkStatus();  // nothing to act on until the object changes
  const absl::Time now = context_->clock().Now();
  const bool needs_sync = expectations_.Satisfied(key, now);
  const LabelSelector selector = controllers::SelectorOf(rs->spec.selector);

  // A selector that matches nothing (nil, empty or invalid: validation rejects all three) gets
  // no pods: creating them would only make pods it could never count.
  absl::StatusOr<std::vector<Pod>> pods = std::vector<Pod>{};
  if (!selector.MatchesNothing()) pods = ClaimPods(rs_object->object, selector);
  if (!pods.ok()) return pods.status();

  absl::Status manage_error;
  if (needs_sync && !rs->metadata.deletionTimestamp.IsSet() && !selector.MatchesNothing()) {
    manage_error = ManageReplicas(rs_object->object, *rs, *pods);
  }
  const int diff = static_cast<int>(pods->size()) - rs->spec.replicas.value_or(1);
  ReplicaSetStatus status = CalculateStatus(*rs, *pods, manage_error, diff);
  if (!(status == rs->status)) {
    ReplicaSet next = *rs;
    next.status = std::move(status);
    absl::StatusOr<ReplicaSet> written = UpdateStatus(context_->client(), next);
    if (!written.ok() && !absl::IsNotFound(written.status())) return written.status();
  }
  // Come back exactly when the next ready pod becomes available.
  if (rs->spec.minReadySeconds > 0) {
    std::optional<absl::Duration> next;
    for (const Pod& pod : *pods) {
      std::optional<absl::Duration> wait =
          controllers::TimeUntilAvailable(pod, rs->spec.minReadySeconds, now);
      if (wait.has_value() && (!next.has_value() || *wait < *next)) next = wait;
    }
    if (next.has_value()) context_->queue().AddAfter(key, *next);
  }
  return manage_error;
}

}  // namespace

std::unique_ptr<Controller> NewReplicaSetController() { return std::make_unique<ReplicaSetController>(); }

}  // namespace orch
