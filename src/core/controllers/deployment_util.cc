#include "src/core/controllers/deployment_util.h"

#include <algorithm>
#include <cmath>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"

namespace orch::controllers {
namespace {

// Kubernetes keeps the revision history annotation under this many characters.
constexpr size_t kMaxRevisionHistoryChars = 2000;

int32_t Scaled(const std::optional<IntOrString>& value, const std::string& fallback, int32_t total,
               bool round_up) {
  const IntOrString v = value.value_or(IntOrString::FromString(fallback));
  absl::StatusOr<int> scaled = v.GetScaledValueFromIntOrPercent(total, round_up);
  return scaled.ok() ? std::max(0, *scaled) : 0;
}

// ResolveFenceposts.
std::pair<int32_t, int32_t> Fenceposts(const Deployment& d) {
  const int32_t desired = Replicas(d);
  const RollingUpdateDeployment rolling = d.spec.strategy.rollingUpdate.value_or(RollingUpdateDeployment{});
  const int32_t surge = Scaled(rolling.maxSurge, "25%", desired, true);
  int32_t unavailable = Scaled(rolling.maxUnavailable, "25%", desired, false);
  if (surge == 0 && unavailable == 0) unavailable = 1;
  return {surge, unavailable};
}

std::optional<int32_t> IntAnnotation(const ReplicaSet& rs, const char* key) {
  auto it = rs.metadata.annotations.find(key);
  int32_t value = 0;
  if (it == rs.metadata.annotations.end() || !absl::SimpleAtoi(it->second, &value)) return std::nullopt;
  return value;
}

}  // namespace

bool IsRollingUpdate(const Deployment& d) {
  return d.spec.strategy.type.empty() || d.spec.strategy.type == "RollingUpdate";
}

int64_t Revision(const ObjectMeta& meta) {
  auto it = meta.annotations.find(kRevisionAnnotation);
  int64_t revision = 0;
  if (it == meta.annotations.end() || !absl::SimpleAtoi(it->second, &revision)) return 0;
  return revision;
}

int64_t MaxRevision(const std::vector<const ReplicaSet*>& sets) {
  int64_t max = 0;
  for (const ReplicaSet* rs : sets) max = std::max(max, Revision(rs->metadata));
  return max;
}

bool SkipCopyAnnotation(const std::string& key) {
  return key == kLastAppliedAnnotation || key == kRevisionAnnotation || key == kRevisionHistoryAnnotation ||
         key == kDesiredReplicasAnnotation || key == kMaxReplicasAnnotation ||
         key == "deprecated.deployment.rollback.to";
}

bool SetNewReplicaSetAnnotations(const Deployment& d, ReplicaSet* rs, int64_t new_revision, bool exists) {
  bool changed = false;
  Labels& annotations = rs->metadata.annotations;
  for (const auto& [key, value] : d.metadata.annotations) {
    if (SkipCopyAnnotation(key)) continue;
    auto it = annotations.find(key);
    if (it != annotations.end() && it->second == value) continue;
    annotations[key] = value;
    changed = true;
  }
  auto old = annotations.find(kRevisionAnnotation);
  const bool had_revision = old != annotations.end();
  const std::string old_text = had_revision ? old->second : "";
  int64_t old_revision = 0;
  if (had_revision && !absl::SimpleAtoi(old_text, &old_revision)) return changed;
  if (old_revision < new_revision) {
    annotations[kRevisionAnnotation] = absl::StrCat(new_revision);
    changed = true;
    // A ReplicaSet that had a revision and gets a newer one is being rolled back to: keep history.
    if (had_revision) {
      std::string& history = annotations[kRevisionHistoryAnnotation];
      std::vector<std::string> revisions =
          history.empty() ? std::vector<std::string>{} : absl::StrSplit(history, ',');
      revisions.push_back(old_text);
      size_t total = 0;
      for (const std::string& r : revisions) total += r.size() + 1;
      size_t start = 0;
      while (total - 1 > kMaxRevisionHistoryChars && start + 1 < revisions.size())
        total -= revisions[start++].size() + 1;
      history = absl::StrJoin(revisions.begin() + start, revisions.end(), ",");
    }
  }
  if (!exists && SetReplicasAnnotations(rs, Replicas(d), Replicas(d) + MaxSurge(d))) changed = true;
  return changed;
}

bool SetReplicasAnnotations(ReplicaSet* rs, int32_t desired, int32_t max) {
  if (!ReplicasAnnotationsNeedUpdate(*rs, desired, max)) return false;
  rs->metadata.annotations[kDesiredReplicasAnnotation] = absl::StrCat(desired);
  rs->metadata.annotations[kMaxReplicasAnnotation] = absl::StrCat(max);
  return true;
}

bool ReplicasAnnotationsNeedUpdate(const ReplicaSet& rs, int32_t desired, int32_t max) {
  auto desired_it = rs.metadata.annotations.find(kDesiredReplicasAnnotation);
  auto max_it = rs.metadata.annotations.find(kMaxReplicasAnnotation);
  return desired_it == rs.metadata.annotations.end() || desired_it->second != absl::StrCat(desired) ||
         max_it == rs.metadata.annotations.end() || max_it->second != absl::StrCat(max);
}

std::optional<int32_t> DesiredReplicasAnnotation(const ReplicaSet& rs) {
  return IntAnnotation(rs, kDesiredReplicasAnnotation);
}

int32_t MaxSurge(const Deployment& d) {
  if (!IsRollingUpdate(d)) return 0;
  return Fenceposts(d).first;
}

int32_t MaxUnavailable(const Deployment& d) {
  if (!IsRollingUpdate(d) || Replicas(d) == 0) return 0;
  return std::min(Fenceposts(d).second, Replicas(d));
}

int32_t SpecReplicaCount(const std::vector<const ReplicaSet*>& sets) {
  int32_t total = 0;
  for (const ReplicaSet* rs : sets) total += Replicas(*rs);
  return total;
}

int32_t ActualReplicaCount(const std::vector<const ReplicaSet*>& sets) {
  int32_t total = 0;
  for (const ReplicaSet* rs : sets) total += rs->status.replicas;
  return total;
}

int32_t ReadyReplicaCount(const std::vector<const ReplicaSet*>& sets) {
  int32_t total = 0;
  for (const ReplicaSet* rs : sets) total += rs->status.readyReplicas;
  return total;
}

int32_t AvailableReplicaCount(const std::vector<const ReplicaSet*>& sets) {
  int32_t total = 0;
  for (const ReplicaSet* rs : sets) total += rs->status.availableReplicas;
  return total;
}

std::vector<const ReplicaSet*> FilterActive(const std::vector<const ReplicaSet*>& sets) {
  std::vector<const ReplicaSet*> active;
  for (const ReplicaSet* rs : sets) {
    if (rs != nullptr && Replicas(*rs) > 0) active.push_back(rs);
  }
  return active;
}

bool OlderFirst(const ReplicaSet* a, const ReplicaSet* b) {
  if (a->metadata.creationTimestamp != b->metadata.creationTimestamp) {
    return a->metadata.creationTimestamp.value < b->metadata.creationTimestamp.value;
  }
  return a->metadata.name < b->metadata.name;
}

int32_t NewRSNewReplicas(const Deployment& d, const std::vector<const ReplicaSet*>& all,
                         const ReplicaSet& new_rs) {
  if (!IsRollingUpdate(d)) return Replicas(d);
  const int32_t current = SpecReplicaCount(all);
  const int32_t max_total = Replicas(d) + MaxSurge(d);
  if (current >= max_total) return Replicas(new_rs);
  const int32_t scale_up = std::min(max_total - current, Replicas(d) - Replicas(new_rs));
  return Replicas(new_rs) + scale_up;
}

int32_t GetProportion(const ReplicaSet& rs, const Deployment& d, int32_t to_add, int32_t added) {
  if (Replicas(rs) == 0 || to_add == 0 || to_add == added) return 0;
  int32_t fraction = 0;
  if (Replicas(d) == 0) {
    fraction = -Replicas(rs);
  } else {
    const int32_t max_replicas = Replicas(d) + MaxSurge(d);
    int32_t before = IntAnnotation(rs, kMaxReplicasAnnotation).value_or(0);
    if (before == 0) before = d.status.replicas;
    if (before != 0) {
      const double size = static_cast<double>(Replicas(rs)) * max_replicas / before;
      fraction = static_cast<int32_t>(std::round(size)) - Replicas(rs);
    }
  }
  const int32_t allowed = to_add - added;
  return to_add > 0 ? std::min(fraction, allowed) : std::max(fraction, allowed);
}

bool IsSaturated(const Deployment& d, const ReplicaSet* rs) {
  if (rs == nullptr) return false;
  std::optional<int32_t> desired = DesiredReplicasAnnotation(*rs);
  return desired.has_value() && *desired == Replicas(d) && Replicas(*rs) == Replicas(d) &&
         rs->status.availableReplicas == Replicas(d);
}

bool DeploymentComplete(const Deployment& d, const DeploymentStatus& status) {
  return status.updatedReplicas == Replicas(d) && status.replicas == Replicas(d) &&
         status.availableReplicas == Replicas(d) && status.observedGeneration >= d.metadata.generation;
}

bool DeploymentProgressing(const Deployment& d, const DeploymentStatus& status) {
  const DeploymentStatus& old = d.status;
  const int32_t old_old_replicas = old.replicas - old.updatedReplicas;
  const int32_t new_old_replicas = status.replicas - status.updatedReplicas;
  return status.updatedReplicas > old.updatedReplicas || new_old_replicas < old_old_replicas ||
         status.readyReplicas > old.readyReplicas || status.availableReplicas > old.availableReplicas;
}

bool DeploymentTimedOut(const Deployment& d, const DeploymentStatus& status, absl::Time now) {
  if (!d.spec.progressDeadlineSeconds.has_value()) return false;
  const DeploymentCondition* condition = GetCondition(status, "Progressing");
  if (condition == nullptr || condition->reason == kNewRSAvailableReason) return false;
  if (condition->reason == kTimedOutReason) return true;
  return condition->lastUpdateTime.value + absl::Seconds(*d.spec.progressDeadlineSeconds) < now;
}

const DeploymentCondition* GetCondition(const DeploymentStatus& status, const std::string& type) {
  for (const DeploymentCondition& condition : status.conditions) {
    if (condition.type == type) return &condition;
  }
  return nullptr;
}

DeploymentCondition NewCondition(const std::string& type, const std::string& status,
                                 const std::string& reason, const std::string& message, absl::Time now) {
  DeploymentCondition condition;
  condition.type = type;
  condition.status = status;
  condition.reason = reason;
  condition.message = message;
  // Conditions are stored with whole seconds; keep them so, or a re-read would differ.
  condition.lastUpdateTime = condition.lastTransitionTime =
      Time::Truncated(now);
  return condition;
}

void SetCondition(DeploymentStatus* status, DeploymentCondition condition) {
  const DeploymentCondition* current = GetCondition(*status, condition.type);
  if (current != nullptr && current->status == condition.status && current->reason == condition.reason)
    return;
  if (current != nullptr && current->status == condition.status) {
    condition.lastTransitionTime = current->lastTransitionTime;
  }
  RemoveCondition(status, condition.type);
  status->conditions.push_back(std::move(condition));
}

void RemoveCondition(DeploymentStatus* status, const std::string& type) {
  std::erase_if(status->conditions, [&type](const DeploymentCondition& c) { return c.type == type; });
}

}  // namespace orch::controllers
