// Client::BindPod: the pods/binding subresource.
#include "absl/strings/str_cat.h"
#include "orch/client.h"
#include "orch/errors.h"
#include "orch/types.h"

namespace orch {

absl::StatusOr<ObjectPtr> Client::BindPod(absl::string_view namespace_, absl::string_view name, absl::string_view uid,
                                          absl::string_view node_name) {
  absl::StatusOr<const ResourceType*> type = TypeOf<Pod>();
  if (!type.ok()) return type.status();
  if (node_name.empty()) return InvalidError("Binding", name, "target.name: Required value");
  Clock& clock = options_.clock != nullptr ? *options_.clock : *RealClock();
  for (int attempt = 0; attempt < 16; ++attempt) {
    absl::StatusOr<ObjectPtr> stored = store_.Get(**type, namespace_, name);
    if (!stored.ok()) return stored.status();
    if (!uid.empty() && (*stored)->object.metadata.uid != uid) {
      return absl::NotFoundError(absl::StrCat("pods \"", name, "\" with uid ", uid, " not found"));
    }
    absl::StatusOr<Pod> pod = FromObject<Pod>((*stored)->object);
    if (!pod.ok()) return pod.status();
    if (!pod->spec.nodeName.empty()) {
      return ConflictError("pods", name, absl::StrCat("pod ", name, " is already assigned to node \"",
                                                      pod->spec.nodeName, "\""));
    }
    if (pod->metadata.deletionTimestamp.IsSet()) {
      return ConflictError("pods", name, absl::StrCat("pod ", name, " is being deleted, cannot be assigned to a host"));
    }
    pod->spec.nodeName = std::string(node_name);
    absl::StatusOr<ObjectPtr> bound = store_.Update(ToObject(*pod));
    if (IsConflict(bound.status())) continue;  // a status write raced us: look again
    if (!bound.ok()) return bound.status();

    // The PodScheduled condition, as the binding registry sets it.
    absl::StatusOr<Pod> current = FromObject<Pod>((*bound)->object);
    if (!current.ok()) return current.status();
    PodCondition* scheduled = nullptr;
    for (PodCondition& condition : current->status.conditions) {
      if (condition.type == "PodScheduled") scheduled = &condition;
    }
    if (scheduled == nullptr) {
      scheduled = &current->status.conditions.emplace_back();
      scheduled->type = "PodScheduled";
    }
    if (scheduled->status != "True") {
      scheduled->status = "True";
      scheduled->reason.clear();
      scheduled->message.clear();
      scheduled->lastTransitionTime = Time{absl::FromUnixSeconds(absl::ToUnixSeconds(clock.Now()))};
    }
    for (int status_attempt = 0; status_attempt < 16; ++status_attempt) {
      absl::StatusOr<ObjectPtr> written = store_.UpdateStatus(ToObject(*current));
      if (!IsConflict(written.status())) return written;
      absl::StatusOr<ObjectPtr> latest = store_.Get(**type, namespace_, name);
      if (!latest.ok()) return latest.status();
      absl::StatusOr<Pod> fresh = FromObject<Pod>((*latest)->object);
      if (!fresh.ok()) return fresh.status();
      fresh->status.conditions = current->status.conditions;
      current = std::move(fresh);
    }
    return ConflictError("pods", name, "the pod's status keeps changing");
  }
  return ConflictError("pods", name, "the pod keeps changing");
}

}  // namespace orch
