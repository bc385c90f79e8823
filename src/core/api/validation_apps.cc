// ReplicaSet and Deployment validation as pkg/apis/apps/validation does it, with the selector
// immutability that the apps/v1 registry strategies add on update.
#include <string>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "src/core/api/validation_internal.h"

namespace orch::validation {
namespace {

// The selector and template checks that ReplicaSets and Deployments share
// (ValidateReplicaSetSpec / ValidateDeploymentSpec and ValidatePodTemplateSpecForReplicaSet).
void ValidateSelectorAndTemplate(const std::optional<LabelSelectorSpec>& selector,
                                 const PodTemplateSpec& tmpl, FieldErrors* errs) {
  bool selector_ok = true;
  if (!selector.has_value()) {
    errs->push_back(FieldRequired("spec.selector"));
  } else {
    FieldErrors selector_errs;
    ValidateLabelSelector(*selector, "spec.selector", &selector_errs);
    selector_ok = selector_errs.empty();
    errs->insert(errs->end(), selector_errs.begin(), selector_errs.end());
    if (selector->matchLabels.empty() && selector->matchExpressions.empty()) {
      errs->push_back(FieldInvalidRaw("spec.selector", GoLabelSelector(*selector),
                                      "empty selector is invalid for deployment"));
    }
  }
  if (!selector_ok) {
    // LabelSelectorAsSelector fails, and Kubernetes then skips the template.
    errs->push_back(FieldInvalidRaw("spec.selector", GoLabelSelector(*selector), "invalid label selector"));
    return;
  }
  // A nil selector matches nothing; an empty one everything (and is reported above).
  bool matches = false;
  if (selector.has_value()) {
    absl::StatusOr<LabelSelector> parsed = LabelSelector::FromSpec(*selector, "spec.selector");
    matches = parsed.ok() && (parsed->Empty() || parsed->Matches(tmpl.metadata.labels));
  }
  if (!matches) {
    errs->push_back(FieldInvalidRaw("spec.template.metadata.labels", GoMap(tmpl.metadata.labels),
                                    "`selector` does not match template `labels`"));
  }
  ValidatePodTemplateSpec(tmpl, "spec.template", errs);
  const std::string& restart = tmpl.spec.restartPolicy;
  if (!restart.empty() && restart != "Always") {
    errs->push_back(FieldNotSupported("spec.template.spec.restartPolicy", restart, {"Always"}));
  }
  if (tmpl.spec.activeDeadlineSeconds.has_value()) {
    errs->push_back(FieldInvalidInt("spec.template.spec.activeDeadlineSeconds",
                                    *tmpl.spec.activeDeadlineSeconds,
                                    "activeDeadlineSeconds in ReplicaSet is not Supported"));
  }
}

// getPercentValue: the number of a valid "p%" string.
std::optional<int> PercentValue(const IntOrString& value) {
  if (value.IsInt() || !IsValidPercent(value.strVal).empty()) return std::nullopt;
  int percent = 0;
  if (!absl::SimpleAtoi(absl::string_view(value.strVal).substr(0, value.strVal.size() - 1), &percent)) {
    return std::nullopt;
  }
  return percent;
}

// ValidatePositiveIntOrPercent: a non-negative int or a valid percentage.
void ValidatePositiveIntOrPercent(const IntOrString& value, absl::string_view path, FieldErrors* errs) {
  if (value.IsInt()) {
    ValidateNonnegative(value.intVal, path, errs);
    return;
  }
  for (const std::string& msg : IsValidPercent(value.strVal)) {
    errs->push_back(FieldInvalidRaw(path, GoIntOrString(value), msg));
  }
}

// ValidateDeploymentStrategy and ValidateRollingUpdateDeployment. An unset type or rollingUpdate is
// what defaulting fills (RollingUpdate, 25%/25%).
void ValidateStrategy(const DeploymentStrategy& strategy, FieldErrors* errs) {
  const std::string type = strategy.type.empty() ? "RollingUpdate" : strategy.type;
  if (type == "Recreate") {
    if (strategy.rollingUpdate.has_value()) {
      errs->push_back(FieldForbidden("spec.strategy.rollingUpdate",
                                     "may not be specified when strategy `type` is 'Recreate'"));
    }
    return;
  }
  if (type != "RollingUpdate") {
    std::string raw =
        absl::StrCat("apps.DeploymentStrategy{Type:", GoQuote(strategy.type), ", RollingUpdate:",
                     strategy.rollingUpdate.has_value() ? "&apps.RollingUpdateDeployment{...}"
                                                        : "(*apps.RollingUpdateDeployment)(nil)",
                     "}");
    errs->push_back(FieldNotSupportedRaw("spec.strategy", raw, {"Recreate", "RollingUpdate"}));
    return;
  }
  if (!strategy.rollingUpdate.has_value()) return;
  const IntOrString max_unavailable =
      strategy.rollingUpdate->maxUnavailable.value_or(IntOrString::FromString("25%"));
  const IntOrString max_surge = strategy.rollingUpdate->maxSurge.value_or(IntOrString::FromString("25%"));
  const std::string path = "spec.strategy.rollingUpdate";
  ValidatePositiveIntOrPercent(max_unavailable, Child(path, "maxUnavailable"), errs);
  ValidatePositiveIntOrPercent(max_surge, Child(path, "maxSurge"), errs);
  auto int_or_percent = [](const IntOrString& v) { return PercentValue(v).value_or(v.IntValue()); };
  if (int_or_percent(max_unavailable) == 0 && int_or_percent(max_surge) == 0) {
    errs->push_back(FieldInvalidRaw(Child(path, "maxUnavailable"), GoIntOrString(max_unavailable),
                                    "may not be 0 when `maxSurge` is 0"));
  }
  std::optional<int> percent = PercentValue(max_unavailable);
  if (percent.has_value() && *percent > 100) {
    errs->push_back(FieldInvalidRaw(Child(path, "maxUnavailable"), GoIntOrString(max_unavailable),
                                    "must not be greater than 100%"));
  }
}

// The selector may not change once set (apps/v1 strategies).
void ValidateSelectorImmutable(const std::optional<LabelSelectorSpec>& selector,
                               const std::optional<LabelSelectorSpec>& old, FieldErrors* errs) {
  if (selector == old) return;
  errs->push_back(FieldInvalidRaw("spec.selector",
                                  selector.has_value() ? GoLabelSelector(*selector) : "\"null\"",
                                  kFieldImmutableErrorMsg));
}

// "cannot be greater than ..." checks of the replica counts in a status.
void ValidateAtMost(int64_t value, int64_t limit, absl::string_view path, absl::string_view what,
                    FieldErrors* errs) {
  if (value > limit)
    errs->push_back(FieldInvalidInt(path, value, absl::StrCat("cannot be greater than ", what)));
}

}  // namespace

void ValidateReplicaSetSpec(const ReplicaSetSpec& spec, FieldErrors* errs) {
  if (spec.replicas.has_value()) ValidateNonnegative(*spec.replicas, "spec.replicas", errs);
  ValidateNonnegative(spec.minReadySeconds, "spec.minReadySeconds", errs);
  ValidateSelectorAndTemplate(spec.selector, spec.template_, errs);
}

void ValidateReplicaSetUpdate(const ReplicaSet& rs, const ReplicaSet& old, FieldErrors* errs) {
  ValidateReplicaSetSpec(rs.spec, errs);
  ValidateSelectorImmutable(rs.spec.selector, old.spec.selector, errs);
}

void ValidateReplicaSetStatus(const ReplicaSetStatus& status, const ReplicaSetStatus& old,
                              FieldErrors* errs) {
  (void)old;
  ValidateNonnegative(status.replicas, "status.replicas", errs);
  ValidateNonnegative(status.fullyLabeledReplicas, "status.fullyLabeledReplicas", errs);
  ValidateNonnegative(status.readyReplicas, "status.readyReplicas", errs);
  ValidateNonnegative(status.availableReplicas, "status.availableReplicas", errs);
  ValidateNonnegative(status.observedGeneration, "status.observedGeneration", errs);
  const char* kReplicas = "status.replicas";
  ValidateAtMost(status.fullyLabeledReplicas, status.replicas, "status.fullyLabeledReplicas", kReplicas,
                 errs);
  ValidateAtMost(status.readyReplicas, status.replicas, "status.readyReplicas", kReplicas, errs);
  ValidateAtMost(status.availableReplicas, status.replicas, "status.availableReplicas", kReplicas, errs);
  ValidateAtMost(status.availableReplicas, status.readyReplicas, "status.availableReplicas", "readyReplicas",
                 errs);
}

void ValidateDeploymentSpec(const DeploymentSpec& spec, FieldErrors* errs) {
  if (spec.replicas.has_value()) ValidateNonnegative(*spec.replicas, "spec.replicas", errs);
  ValidateSelectorAndTemplate(spec.selector, spec.template_, errs);
  ValidateStrategy(spec.strategy, errs);
  ValidateNonnegative(spec.minReadySeconds, "spec.minReadySeconds", errs);
  if (spec.revisionHistoryLimit.has_value()) {
    ValidateNonnegative(*spec.revisionHistoryLimit, "spec.revisionHistoryLimit", errs);
  }
  if (spec.progressDeadlineSeconds.has_value()) {
    ValidateNonnegative(*spec.progressDeadlineSeconds, "spec.progressDeadlineSeconds", errs);
    if (*spec.progressDeadlineSeconds <= spec.minReadySeconds) {
      errs->push_back(FieldInvalidInt("spec.progressDeadlineSeconds", *spec.progressDeadlineSeconds,
                                      "must be greater than minReadySeconds"));
    }
  }
}

void ValidateDeploymentUpdate(const Deployment& d, const Deployment& old, FieldErrors* errs) {
  ValidateDeploymentSpec(d.spec, errs);
  ValidateSelectorImmutable(d.spec.selector, old.spec.selector, errs);
}

void ValidateDeploymentStatus(const DeploymentStatus& status, const DeploymentStatus& old,
                              FieldErrors* errs) {
  ValidateNonnegative(status.observedGeneration, "status.observedGeneration", errs);
  ValidateNonnegative(status.replicas, "status.replicas", errs);
  ValidateNonnegative(status.updatedReplicas, "status.updatedReplicas", errs);
  ValidateNonnegative(status.readyReplicas, "status.readyReplicas", errs);
  ValidateNonnegative(status.availableReplicas, "status.availableReplicas", errs);
  ValidateNonnegative(status.unavailableReplicas, "status.unavailableReplicas", errs);
  if (status.collisionCount.has_value()) {
    ValidateNonnegative(*status.collisionCount, "status.collisionCount", errs);
    if (old.collisionCount.has_value() && *status.collisionCount < *old.collisionCount) {
      errs->push_back(
          FieldInvalidInt("status.collisionCount", *status.collisionCount, "cannot be decremented"));
    }
  } else if (old.collisionCount.has_value()) {
    errs->push_back(FieldInvalidNull("status.collisionCount", "cannot be decremented"));
  }
  const char* kReplicas = "status.replicas";
  ValidateAtMost(status.updatedReplicas, status.replicas, "status.updatedReplicas", kReplicas, errs);
  ValidateAtMost(status.readyReplicas, status.replicas, "status.readyReplicas", kReplicas, errs);
  ValidateAtMost(status.availableReplicas, status.replicas, "status.availableReplicas", kReplicas, errs);
  ValidateAtMost(status.availableReplicas, status.readyReplicas, "status.availableReplicas", "readyReplicas",
                 errs);
}

}  // namespace orch::validation
