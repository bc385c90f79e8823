// Client::BindPod: the pods/binding subresource.
#include <algorithm>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "orch/client.h"
#include "orch/errors.h"
#include "orch/types.h"

namespace orch {
namespace {

// Binding is the scheduler's hot path: for the common shape of a pending pod (its document as the
// codec writes it, status {"phase":"Pending"}) the node name and the PodScheduled condition are
// spliced into the stored texts, instead of decoding and re-encoding the whole pod (about 10x less
// work). Anything else takes the typed path.
bool SpliceNodeName(Object& pod, absl::string_view node_name) {
  constexpr absl::string_view kPrefix = R"({"spec":{)";
  if (!absl::StartsWith(pod.spec, kPrefix) || absl::StrContains(pod.spec, R"("nodeName":)")) return false;
  for (char c : node_name) {
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '.')) return false;
  }
  const bool empty = pod.spec.size() > kPrefix.size() && pod.spec[kPrefix.size()] == '}';
  pod.spec.insert(kPrefix.size(), absl::StrCat(R"("nodeName":")", node_name, empty ? "\"" : "\","));
  bool found = false;
  for (auto& [field, value] : pod.fields) {
    if (field == "spec.nodeName") {
      value = std::string(node_name);
      found = true;
    }
  }
  if (!found) {
    pod.fields.emplace_back("spec.nodeName", std::string(node_name));
    std::sort(pod.fields.begin(), pod.fields.end());
  }
  return true;
}

bool SpliceScheduledCondition(Object& pod, absl::Time now) {
  if (pod.status != R"({"phase":"Pending"})") return false;
  pod.status = absl::StrCat(R"({"conditions":[{"lastProbeTime":null,"lastTransitionTime":")",
                            Time::Truncated(now).ToRfc3339(),
                            R"(","status":"True","type":"PodScheduled"}],"phase":"Pending"})");
  return true;
}

// Sets PodScheduled=True on a bound pod the typed way, retrying on conflicts with status writers.
absl::StatusOr<ObjectPtr> SetScheduledCondition(Store& store, const ResourceType& type, absl::string_view namespace_,
                                                absl::string_view name, const ObjectPtr& bound, absl::Time now) {
  absl::StatusOr<Pod> current = FromObject<Pod>(bound->object);
  if (!current.ok()) return current.status();
  PodCondition& scheduled = current->status.EnsureCondition("PodScheduled");
  if (scheduled.status != "True") {
    scheduled.status = "True";
    scheduled.reason.clear();
    scheduled.message.clear();
    scheduled.lastTransitionTime = Time::Truncated(now);
  }
  for (int attempt = 0; attempt < 16; ++attempt) {
    absl::StatusOr<ObjectPtr> written = store.UpdateStatus(ToObject(*current));
    if (!IsConflict(written.status())) return written;
    absl::StatusOr<ObjectPtr> latest = store.Get(type, namespace_, name);
    if (!latest.ok()) return latest.status();
    absl::StatusOr<Pod> fresh = FromObject<Pod>((*latest)->object);
    if (!fresh.ok()) return fresh.status();
    fresh->status.conditions = current->status.conditions;
    current = std::move(fresh);
  }
  return ConflictError("pods", name, "the pod's status keeps changing");
}

}  // namespace

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
    const Object& current_object = (*stored)->object;
    if (current_object.metadata.deletionTimestamp.IsSet()) {
      return ConflictError("pods", name, absl::StrCat("pod ", name, " is being deleted, cannot be assigned to a host"));
    }
    Object spliced = current_object;
    if (SpliceNodeName(spliced, node_name)) {
      absl::StatusOr<ObjectPtr> bound = store_.Update(spliced);
      if (IsConflict(bound.status())) continue;
      if (!bound.ok()) return bound.status();
      Object with_status = (*bound)->object;
      if (SpliceScheduledCondition(with_status, clock.Now())) {
        absl::StatusOr<ObjectPtr> written = store_.UpdateStatus(std::move(with_status));
        if (!IsConflict(written.status())) return written;
      }
      // A status other than the plain new one: set the condition the typed way.
      return SetScheduledCondition(store_, **type, namespace_, name, *bound, clock.Now());
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

    return SetScheduledCondition(store_, **type, namespace_, name, *bound, clock.Now());
  }
  return ConflictError("pods", name, "the pod keeps changing");
}

}  // namespace orch
