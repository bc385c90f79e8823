#include "src/core/controllers/controller_util.h"

#include <algorithm>
#include <tuple>

#include "absl/strings/numbers.h"
#include "orch/errors.h"

namespace orch::controllers {
namespace {

constexpr int kConflictRetries = 8;
constexpr char kPodDeletionCost[] = "controller.kubernetes.io/pod-deletion-cost";

const PodCondition* ReadyCondition(const Pod& pod) { return pod.status.FindCondition("Ready"); }

int PhaseOrdinal(const std::string& phase) {
  if (phase == "Pending") return 0;
  if (phase == "Unknown") return 1;
  if (phase == "Running") return 2;
  return 3;
}

int32_t DeletionCost(const Pod& pod) {
  auto it = pod.metadata.annotations.find(kPodDeletionCost);
  int32_t cost = 0;
  if (it == pod.metadata.annotations.end() || !absl::SimpleAtoi(it->second, &cost)) return 0;
  return cost;
}

int32_t MaxRestarts(const Pod& pod) {
  int32_t restarts = 0;
  for (const ContainerStatus& status : pod.status.containerStatuses)
    restarts = std::max(restarts, status.restartCount);
  return restarts;
}

// Kubernetes' afterOrZero: an unset time sorts as the newest.
bool AfterOrZero(const Time& a, const Time& b) {
  if (!a.IsSet() || !b.IsSet()) return !a.IsSet();
  return a.value > b.value;
}

bool DeleteFirst(const Pod& a, const Pod& b) {
  if (a.spec.nodeName.empty() != b.spec.nodeName.empty()) return a.spec.nodeName.empty();
  if (PhaseOrdinal(a.status.phase) != PhaseOrdinal(b.status.phase)) {
    return PhaseOrdinal(a.status.phase) < PhaseOrdinal(b.status.phase);
  }
  if (IsPodReady(a) != IsPodReady(b)) return !IsPodReady(a);
  if (DeletionCost(a) != DeletionCost(b)) return DeletionCost(a) < DeletionCost(b);
  if (IsPodReady(a) && IsPodReady(b)) {
    const Time ready_a = ReadyCondition(a)->lastTransitionTime;
    const Time ready_b = ReadyCondition(b)->lastTransitionTime;
    if (ready_a != ready_b) return AfterOrZero(ready_a, ready_b);
  }
  if (MaxRestarts(a) != MaxRestarts(b)) return MaxRestarts(a) > MaxRestarts(b);
  if (a.metadata.creationTimestamp != b.metadata.creationTimestamp) {
    return AfterOrZero(a.metadata.creationTimestamp, b.metadata.creationTimestamp);
  }
  // Not in Kubernetes (its sort is unstable): a fixed order for equal pods.
  return a.metadata.name > b.metadata.name;
}

}  // namespace

void AddControllerUidIndex(Informer& informer) {
  informer.AddIndex(kControllerUidIndex, [](const Object& object) {
    const OwnerReference* ref = object.metadata.ControllerRef();
    return ref == nullptr ? std::vector<std::string>{} : std::vector<std::string>{ref->uid};
  });
}

LabelSelector SelectorOf(const std::optional<LabelSelectorSpec>& spec) {
  if (!spec.has_value() || (spec->matchLabels.empty() && spec->matchExpressions.empty())) {
    return LabelSelector::Nothing();
  }
  absl::StatusOr<LabelSelector> selector = LabelSelector::FromSpec(*spec);
  return selector.ok() ? *selector : LabelSelector::Nothing();
}

bool IsPodActive(const Object& pod) {
  if (pod.metadata.deletionTimestamp.IsSet()) return false;
  const absl::string_view phase = pod.Field("status.phase");
  return phase != "Succeeded" && phase != "Failed";
}

bool IsPodReady(const Pod& pod) {
  const PodCondition* ready = ReadyCondition(pod);
  return ready != nullptr && ready->status == "True";
}

bool IsPodAvailable(const Pod& pod, int32_t min_ready_seconds, absl::Time now) {
  if (!IsPodReady(pod)) return false;
  if (min_ready_seconds <= 0) return true;
  const Time& since = ReadyCondition(pod)->lastTransitionTime;
  return since.IsSet() && since.value + absl::Seconds(min_ready_seconds) <= now;
}

std::optional<absl::Duration> TimeUntilAvailable(const Pod& pod, int32_t min_ready_seconds, absl::Time now) {
  if (!IsPodReady(pod) || IsPodAvailable(pod, min_ready_seconds, now)) return std::nullopt;
  const Time& since = ReadyCondition(pod)->lastTransitionTime;
  if (!since.IsSet()) return std::nullopt;
  return since.value + absl::Seconds(min_ready_seconds) - now;
}

void SortPodsForDeletion(std::vector<Pod>* pods) { std::sort(pods->begin(), pods->end(), DeleteFirst); }

OwnerReference ControllerRefTo(const Object& owner) {
  OwnerReference ref;
  ref.apiVersion = owner.type.apiVersion;
  ref.kind = owner.type.kind;
  ref.name = owner.metadata.name;
  ref.uid = owner.metadata.uid;
  ref.controller = true;
  ref.blockOwnerDeletion = true;
  return ref;
}

absl::Status MutateMetadata(Client& client, const ResourceType& type, absl::string_view namespace_,
                            absl::string_view name, const std::function<bool(ObjectMeta&)>& mutate) {
  for (int attempt = 0;; ++attempt) {
    absl::StatusOr<ObjectPtr> current = client.GetObject(type, namespace_, name);
    if (!current.ok()) return current.status();
    Object next = (*current)->object;
    if (!mutate(next.metadata)) return absl::OkStatus();
    absl::StatusOr<ObjectPtr> updated = client.UpdateObject(std::move(next));
    if (updated.ok()) return absl::OkStatus();
    if (!IsConflict(updated.status()) || attempt >= kConflictRetries) return updated.status();
  }
}

bool Expectations::Satisfied(const ObjectKey& key, absl::Time now) const {
  auto it = records_.find(key);
  if (it == records_.end()) return true;
  const Record& record = it->second;
  if (record.creations <= 0 && record.deletions.empty()) return true;
  return now - record.set_at > kTimeout;
}

void Expectations::ExpectCreations(const ObjectKey& key, int count, absl::Time now) {
  Record& record = records_[key];
  record.creations = count;
  record.deletions.clear();
  record.set_at = now;
}

void Expectations::ExpectDeletions(const ObjectKey& key, const std::vector<std::string>& pod_names,
                                   absl::Time now) {
  Record& record = records_[key];
  record.creations = 0;
  record.deletions = absl::flat_hash_set<std::string>(pod_names.begin(), pod_names.end());
  record.set_at = now;
}

void Expectations::CreationObserved(const ObjectKey& key) {
  auto it = records_.find(key);
  if (it != records_.end() && it->second.creations > 0) --it->second.creations;
}

void Expectations::DeletionObserved(const ObjectKey& key, const std::string& pod_name) {
  auto it = records_.find(key);
  if (it != records_.end()) it->second.deletions.erase(pod_name);
}

}  // namespace orch::controllers
