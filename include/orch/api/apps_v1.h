// The apps/v1 kinds orch acts on: ReplicaSet and Deployment. See orch/pod_spec.h for the conventions
// shared by all typed structs. Included by orch/types.h.
#ifndef ORCH_API_APPS_V1_H_
#define ORCH_API_APPS_V1_H_

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "orch/api/kinds.h"
#include "orch/api/object.h"
#include "orch/api/pod_spec.h"
#include "orch/api/quantity.h"
#include "orch/api/selector.h"

namespace orch {

// ---------------------------------------------------------------------------------------------------
// ReplicaSet

struct ReplicaSetSpec {
  std::optional<int32_t> replicas;  // unset means 1 (after defaulting)
  int32_t minReadySeconds = 0;
  std::optional<LabelSelectorSpec> selector;
  PodTemplateSpec template_;  // JSON "template"
  UnknownFields unknown;
  friend bool operator==(const ReplicaSetSpec&, const ReplicaSetSpec&) = default;
};
struct ReplicaSetCondition {
  std::string type;
  std::string status;
  Time lastTransitionTime;
  std::string reason;
  std::string message;
  UnknownFields unknown;
  friend bool operator==(const ReplicaSetCondition&, const ReplicaSetCondition&) = default;
};
struct ReplicaSetStatus {
  int32_t replicas = 0;  // always written
  int32_t fullyLabeledReplicas = 0;
  int32_t readyReplicas = 0;
  int32_t availableReplicas = 0;
  int64_t observedGeneration = 0;
  std::vector<ReplicaSetCondition> conditions;
  UnknownFields unknown;
  friend bool operator==(const ReplicaSetStatus&, const ReplicaSetStatus&) = default;
};
// Keeps a number of identical pods running.
struct ReplicaSet {
  static constexpr const char* kApiVersion = "apps/v1";
  static constexpr const char* kKind = "ReplicaSet";
  static constexpr const char* kResource = "replicasets";
  static constexpr bool kNamespaced = true;
  static constexpr bool kStatusSubresource = true;
  static constexpr std::array<SelectableField, 1> kSelectableFields{
      {{"status.replicas", "status.replicas", "0"}}};
  ObjectMeta metadata;
  ReplicaSetSpec spec;
  ReplicaSetStatus status;
  UnknownFields unknown;
  friend bool operator==(const ReplicaSet&, const ReplicaSet&) = default;
};

// ---------------------------------------------------------------------------------------------------
// Deployment

struct RollingUpdateDeployment {
  std::optional<IntOrString> maxUnavailable;
  std::optional<IntOrString> maxSurge;
  UnknownFields unknown;
  friend bool operator==(const RollingUpdateDeployment&, const RollingUpdateDeployment&) = default;
};
struct DeploymentStrategy {
  std::string type;  // RollingUpdate (default) or Recreate
  std::optional<RollingUpdateDeployment> rollingUpdate;
  UnknownFields unknown;
  friend bool operator==(const DeploymentStrategy&, const DeploymentStrategy&) = default;
};
struct DeploymentSpec {
  std::optional<int32_t> replicas;
  std::optional<LabelSelectorSpec> selector;
  PodTemplateSpec template_;  // JSON "template"
  DeploymentStrategy strategy;
  int32_t minReadySeconds = 0;
  std::optional<int32_t> revisionHistoryLimit;
  bool paused = false;
  std::optional<int32_t> progressDeadlineSeconds;
  UnknownFields unknown;
  friend bool operator==(const DeploymentSpec&, const DeploymentSpec&) = default;
};
struct DeploymentCondition {
  std::string type;  // Available, Progressing, ReplicaFailure
  std::string status;
  Time lastUpdateTime;
  Time lastTransitionTime;
  std::string reason;
  std::string message;
  UnknownFields unknown;
  friend bool operator==(const DeploymentCondition&, const DeploymentCondition&) = default;
};
struct DeploymentStatus {
  int64_t observedGeneration = 0;
  int32_t replicas = 0;
  int32_t updatedReplicas = 0;
  int32_t readyReplicas = 0;
  int32_t availableReplicas = 0;
  int32_t unavailableReplicas = 0;
  std::vector<DeploymentCondition> conditions;
  std::optional<int32_t> collisionCount;
  UnknownFields unknown;
  friend bool operator==(const DeploymentStatus&, const DeploymentStatus&) = default;
};
// Rolls a pod template out through ReplicaSets, with rollback.
struct Deployment {
  static constexpr const char* kApiVersion = "apps/v1";
  static constexpr const char* kKind = "Deployment";
  static constexpr const char* kResource = "deployments";
  static constexpr bool kNamespaced = true;
  static constexpr bool kStatusSubresource = true;
  static constexpr std::array<SelectableField, 0> kSelectableFields{};
  ObjectMeta metadata;
  DeploymentSpec spec;
  DeploymentStatus status;
  UnknownFields unknown;
  friend bool operator==(const Deployment&, const Deployment&) = default;
};

}  // namespace orch

#endif  // ORCH_API_APPS_V1_H_
