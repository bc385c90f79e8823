// The pods/binding subresource.
#include <algorithm>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "orch/api/types.h"
#include "orch/errors.h"
#include "src/core/registry/local_client.h"

namespace orch::registry {
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

// The typed way, for any other shape: Conflict when the pod is already assigned.
absl::StatusOr<Object> BindTyped(const Object& current, absl::string_view node_name, absl::Time now) {
  absl::StatusOr<Pod> pod = FromObject<Pod>(current);
  if (!pod.ok()) return pod.status();
  if (!pod->spec.nodeName.empty()) {
    return ConflictError("pods", pod->metadata.name,
                         absl::StrCat("pod ", pod->metadata.name, " is already assigned to node \"",
                                      pod->spec.nodeName, "\""));
  }
  pod->spec.nodeName = std::string(node_name);
  PodCondition& scheduled = pod->status.EnsureCondition("PodScheduled");
  if (scheduled.status != "True") {
    scheduled.status = "True";
    scheduled.reason.clear();
    scheduled.message.clear();
    scheduled.lastTransitionTime = Time::Truncated(now);
  }
  return ToObject(*pod);
}

}  // namespace

absl::StatusOr<ObjectPtr> LocalClient::BindPod(absl::string_view namespace_, absl::string_view name,
                                               absl::string_view uid, absl::string_view node_name) {
  absl::StatusOr<const ResourceType*> type = TypeOf<Pod>();
  if (!type.ok()) return type.status();
  if (node_name.empty()) return InvalidError("Binding", name, "target.name: Required value");
  // One write of spec.nodeName and the PodScheduled condition together, conditional on the version
  // read: a write in between (a status update by someone else) makes it look again.
  for (int attempt = 0; attempt < 16; ++attempt) {
    absl::StatusOr<ObjectPtr> stored = store_.Get(**type, namespace_, name);
    if (!stored.ok()) return stored.status();
    const Object& current = (*stored)->object;
    if (!uid.empty() && current.metadata.uid != uid) {
      return absl::NotFoundError(absl::StrCat("pods \"", name, "\" with uid ", uid, " not found"));
    }
    if (current.metadata.deletionTimestamp.IsSet()) {
      return ConflictError("pods", name,
                           absl::StrCat("pod ", name, " is being deleted, cannot be assigned to a host"));
    }
    const absl::Time now = clock_.Now();
    Object next = current;
    if (!SpliceNodeName(next, node_name) || !SpliceScheduledCondition(next, now)) {
      absl::StatusOr<Object> typed = BindTyped(current, node_name, now);
      if (!typed.ok()) return typed.status();
      next = *std::move(typed);
    }
    absl::StatusOr<ObjectPtr> bound = store_.Update(
        NextVersion(**type, std::move(next), current, WriteKind::kSpecAndStatus), (*stored)->revision);
    if (IsConflict(bound.status())) continue;
    return bound;
  }
  return ConflictError("pods", name, "the pod keeps changing");
}

}  // namespace orch::registry
