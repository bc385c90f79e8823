#include "src/core/controllers/controller_util.h"

#include <algorithm>
#include <cmath>
#include <numeric>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/strip.h"
#include "orch/errors.h"

namespace orch::controllers {
namespace {

constexpr int kConflictRetries = 8;
constexpr char kPodDeletionCost[] = "controller.kubernetes.io/pod-deletion-cost";

const PodCondition* ReadyCondition(const Pod& pod) { return pod.status.FindCondition("Ready"); }

// Kubernetes' podPhaseToOrdinal, where a phase missing from the map (none yet) counts as Pending.
int PhaseOrdinal(const std::string& phase) {
  if (phase == "Unknown") return 1;
  if (phase == "Running") return 2;
  return 0;
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

// The base-2 logarithm of the age in nanoseconds, truncated, in floating point as Kubernetes'
// logarithmicRankDiff; -1 for no age.
int64_t AgeBucket(absl::Time since, absl::Time now) {
  const int64_t age = absl::ToInt64Nanoseconds(now - since);
  return age > 0 ? static_cast<int64_t>(std::log2(static_cast<double>(age))) : -1;
}

// For two different times of pods a and b: the newer first, by logarithmic bucket when both are
// set, and by uid within one bucket.
bool NewerBefore(const Time& a, const Time& b, const Pod& pod_a, const Pod& pod_b, absl::Time now) {
  if (!a.IsSet() || !b.IsSet()) return AfterOrZero(a, b);
  const int64_t younger = AgeBucket(a.value, now) - AgeBucket(b.value, now);
  return younger == 0 ? pod_a.metadata.uid < pod_b.metadata.uid : younger < 0;
}

// Sorts indexes by `before` with a merge sort, which is defined for any comparison: std::sort and
// std::stable_sort require a strict weak ordering, and DeleteBefore is not one.
template <typename Before>
void MergeSort(std::vector<size_t>& items, Before before) {
  std::vector<size_t> merged(items.size());
  for (size_t width = 1; width < items.size(); width *= 2) {
    for (size_t low = 0; low < items.size(); low += 2 * width) {
      const size_t mid = std::min(low + width, items.size());
      const size_t high = std::min(low + 2 * width, items.size());
      size_t left = low, right = mid, out = low;
      while (left < mid && right < high) {
        merged[out++] = before(items[right], items[left]) ? items[right++] : items[left++];
      }
      while (left < mid) merged[out++] = items[left++];
      while (right < high) merged[out++] = items[right++];
    }
    items.swap(merged);
  }
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
  return !pod.metadata.deletionTimestamp.IsSet() && !IsPodTerminated(pod);
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

int32_t PodDeletionCost(const Pod& pod) {
  auto it = pod.metadata.annotations.find(kPodDeletionCost);
  if (it == pod.metadata.annotations.end()) return 0;
  const absl::string_view text = it->second;
  // An optional "-" then digits; a leading zero only in "0" itself ("-05" passes, as in Kubernetes).
  const absl::string_view digits = absl::StripPrefix(text, "-");
  if (digits.empty() || !std::all_of(digits.begin(), digits.end(), absl::ascii_isdigit)) return 0;
  if (text[0] == '0' && text != "0") return 0;
  int32_t cost = 0;
  return absl::SimpleAtoi(text, &cost) ? cost : 0;
}

bool DeleteBefore(const Pod& a, int rank_a, const Pod& b, int rank_b, absl::Time now) {
  if (a.spec.nodeName.empty() != b.spec.nodeName.empty()) return a.spec.nodeName.empty();
  if (PhaseOrdinal(a.status.phase) != PhaseOrdinal(b.status.phase)) {
    return PhaseOrdinal(a.status.phase) < PhaseOrdinal(b.status.phase);
  }
  if (IsPodReady(a) != IsPodReady(b)) return !IsPodReady(a);
  if (PodDeletionCost(a) != PodDeletionCost(b)) return PodDeletionCost(a) < PodDeletionCost(b);
  if (rank_a != rank_b) return rank_a > rank_b;
  if (IsPodReady(a) && IsPodReady(b)) {
    const Time& ready_a = ReadyCondition(a)->lastTransitionTime;
    const Time& ready_b = ReadyCondition(b)->lastTransitionTime;
    if (ready_a != ready_b) return NewerBefore(ready_a, ready_b, a, b, now);
  }
  if (MaxRestarts(a) != MaxRestarts(b)) return MaxRestarts(a) > MaxRestarts(b);
  if (a.metadata.creationTimestamp != b.metadata.creationTimestamp) {
    return NewerBefore(a.metadata.creationTimestamp, b.metadata.creationTimestamp, a, b, now);
  }
  return a.metadata.uid < b.metadata.uid;
}

void SortPodsForDeletion(std::vector<Pod>* pods, const std::vector<ObjectPtr>& related, absl::Time now) {
  absl::flat_hash_map<std::string, int> active_on_node;
  for (const ObjectPtr& pod : related) {
    if (IsPodActive(pod->object)) ++active_on_node[std::string(pod->object.Field("spec.nodeName"))];
  }
  std::vector<int> ranks;
  ranks.reserve(pods->size());
  for (const Pod& pod : *pods) {
    auto it = active_on_node.find(pod.spec.nodeName);
    ranks.push_back(it == active_on_node.end() ? 0 : it->second);
  }
  std::vector<size_t> order(pods->size());
  std::iota(order.begin(), order.end(), size_t{0});
  MergeSort(order, [&](size_t a, size_t b) {
    return DeleteBefore((*pods)[a], ranks[a], (*pods)[b], ranks[b], now);
  });
  std::vector<Pod> sorted;
  sorted.reserve(pods->size());
  for (size_t index : order) sorted.push_back(std::move((*pods)[index]));
  *pods = std::move(sorted);
}

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
    absl::StatusOr<ObjectPtr> current = client.Get(type, namespace_, name);
    if (!current.ok()) return current.status();
    Object next = (*current)->object;
    if (!mutate(next.metadata)) return absl::OkStatus();
    absl::StatusOr<ObjectPtr> updated = client.Update(std::move(next));
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
