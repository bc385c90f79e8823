// FromObject/ToObject for the apps/v1 kinds: ReplicaSet and Deployment.
#include <string>

#include "orch/api/codec.h"
#include "orch/api/types.h"
#include "src/core/api/codec_common.h"
#include "src/core/api/codec_pod.h"

namespace orch {
namespace codec {
namespace {

void DecodeReplicaSetSpec(const Json& j, const std::string& path, Errors* errors, ReplicaSetSpec* out) {
  Reader r(j, path, errors);
  r.Read("replicas", &out->replicas);
  r.Read("minReadySeconds", &out->minReadySeconds);
  r.Read("selector", &out->selector);
  r.Struct("template", &out->template_, DecodePodTemplateSpec);
  out->unknown = r.Unknown();
}

Json EncodeReplicaSetSpec(const ReplicaSetSpec& spec) {
  Json j = json::StartObject(spec.unknown);
  json::SetIfSet(j, "replicas", spec.replicas);
  SetInt(j, "minReadySeconds", spec.minReadySeconds);
  SetOptional(j, "selector", spec.selector, EncodeLabelSelector);
  SetStruct(j, "template", EncodePodTemplateSpec(spec.template_));
  return j;
}

void DecodeReplicaSetCondition(const Json& j, const std::string& path, Errors* errors,
                               ReplicaSetCondition* out) {
  Reader r(j, path, errors);
  r.Read("type", &out->type);
  r.Read("status", &out->status);
  r.Read("lastTransitionTime", &out->lastTransitionTime);
  r.Read("reason", &out->reason);
  r.Read("message", &out->message);
  out->unknown = r.Unknown();
}

Json EncodeReplicaSetCondition(const ReplicaSetCondition& c) {
  Json j = json::StartObject(c.unknown);
  j["type"] = c.type;
  j["status"] = c.status;
  json::SetIfSet(j, "lastTransitionTime", c.lastTransitionTime);
  json::SetIfNotEmpty(j, "reason", c.reason);
  json::SetIfNotEmpty(j, "message", c.message);
  return j;
}

void DecodeReplicaSetStatus(const Json& j, const std::string& path, Errors* errors, ReplicaSetStatus* out) {
  Reader r(j, path, errors);
  r.Read("replicas", &out->replicas);
  r.Read("fullyLabeledReplicas", &out->fullyLabeledReplicas);
  r.Read("readyReplicas", &out->readyReplicas);
  r.Read("availableReplicas", &out->availableReplicas);
  r.Read("observedGeneration", &out->observedGeneration);
  r.List("conditions", &out->conditions, DecodeReplicaSetCondition);
  out->unknown = r.Unknown();
}

// Kubernetes always writes status.replicas, so a ReplicaSet's status is never {} once encoded.
Json EncodeReplicaSetStatus(const ReplicaSetStatus& status) {
  Json j = json::StartObject(status.unknown);
  j["replicas"] = status.replicas;
  SetInt(j, "fullyLabeledReplicas", status.fullyLabeledReplicas);
  SetInt(j, "readyReplicas", status.readyReplicas);
  SetInt(j, "availableReplicas", status.availableReplicas);
  SetInt(j, "observedGeneration", status.observedGeneration);
  SetList(j, "conditions", status.conditions, EncodeReplicaSetCondition);
  return j;
}

void DecodeRollingUpdate(const Json& j, const std::string& path, Errors* errors,
                         RollingUpdateDeployment* out) {
  Reader r(j, path, errors);
  r.Read("maxUnavailable", &out->maxUnavailable);
  r.Read("maxSurge", &out->maxSurge);
  out->unknown = r.Unknown();
}

Json EncodeRollingUpdate(const RollingUpdateDeployment& update) {
  Json j = json::StartObject(update.unknown);
  if (update.maxUnavailable) j["maxUnavailable"] = EncodeIntOrString(*update.maxUnavailable);
  if (update.maxSurge) j["maxSurge"] = EncodeIntOrString(*update.maxSurge);
  return j;
}

void DecodeStrategy(const Json& j, const std::string& path, Errors* errors, DeploymentStrategy* out) {
  Reader r(j, path, errors);
  r.Read("type", &out->type);
  r.Struct("rollingUpdate", &out->rollingUpdate, DecodeRollingUpdate);
  out->unknown = r.Unknown();
}

Json EncodeStrategy(const DeploymentStrategy& strategy) {
  Json j = json::StartObject(strategy.unknown);
  json::SetIfNotEmpty(j, "type", strategy.type);
  SetOptional(j, "rollingUpdate", strategy.rollingUpdate, EncodeRollingUpdate);
  return j;
}

void DecodeDeploymentSpec(const Json& j, const std::string& path, Errors* errors, DeploymentSpec* out) {
  Reader r(j, path, errors);
  r.Read("replicas", &out->replicas);
  r.Read("selector", &out->selector);
  r.Struct("template", &out->template_, DecodePodTemplateSpec);
  r.Struct("strategy", &out->strategy, DecodeStrategy);
  r.Read("minReadySeconds", &out->minReadySeconds);
  r.Read("revisionHistoryLimit", &out->revisionHistoryLimit);
  r.Read("paused", &out->paused);
  r.Read("progressDeadlineSeconds", &out->progressDeadlineSeconds);
  out->unknown = r.Unknown();
}

Json EncodeDeploymentSpec(const DeploymentSpec& spec) {
  Json j = json::StartObject(spec.unknown);
  json::SetIfSet(j, "replicas", spec.replicas);
  SetOptional(j, "selector", spec.selector, EncodeLabelSelector);
  SetStruct(j, "template", EncodePodTemplateSpec(spec.template_));
  SetStruct(j, "strategy", EncodeStrategy(spec.strategy));
  SetInt(j, "minReadySeconds", spec.minReadySeconds);
  json::SetIfSet(j, "revisionHistoryLimit", spec.revisionHistoryLimit);
  SetBool(j, "paused", spec.paused);
  json::SetIfSet(j, "progressDeadlineSeconds", spec.progressDeadlineSeconds);
  return j;
}

void DecodeDeploymentCondition(const Json& j, const std::string& path, Errors* errors,
                               DeploymentCondition* out) {
  Reader r(j, path, errors);
  r.Read("type", &out->type);
  r.Read("status", &out->status);
  r.Read("lastUpdateTime", &out->lastUpdateTime);
  r.Read("lastTransitionTime", &out->lastTransitionTime);
  r.Read("reason", &out->reason);
  r.Read("message", &out->message);
  out->unknown = r.Unknown();
}

Json EncodeDeploymentCondition(const DeploymentCondition& c) {
  Json j = json::StartObject(c.unknown);
  j["type"] = c.type;
  j["status"] = c.status;
  json::SetIfSet(j, "lastUpdateTime", c.lastUpdateTime);
  json::SetIfSet(j, "lastTransitionTime", c.lastTransitionTime);
  json::SetIfNotEmpty(j, "reason", c.reason);
  json::SetIfNotEmpty(j, "message", c.message);
  return j;
}

void DecodeDeploymentStatus(const Json& j, const std::string& path, Errors* errors, DeploymentStatus* out) {
  Reader r(j, path, errors);
  r.Read("observedGeneration", &out->observedGeneration);
  r.Read("replicas", &out->replicas);
  r.Read("updatedReplicas", &out->updatedReplicas);
  r.Read("readyReplicas", &out->readyReplicas);
  r.Read("availableReplicas", &out->availableReplicas);
  r.Read("unavailableReplicas", &out->unavailableReplicas);
  r.List("conditions", &out->conditions, DecodeDeploymentCondition);
  r.Read("collisionCount", &out->collisionCount);
  out->unknown = r.Unknown();
}

Json EncodeDeploymentStatus(const DeploymentStatus& status) {
  Json j = json::StartObject(status.unknown);
  SetInt(j, "observedGeneration", status.observedGeneration);
  SetInt(j, "replicas", status.replicas);
  SetInt(j, "updatedReplicas", status.updatedReplicas);
  SetInt(j, "readyReplicas", status.readyReplicas);
  SetInt(j, "availableReplicas", status.availableReplicas);
  SetInt(j, "unavailableReplicas", status.unavailableReplicas);
  SetList(j, "conditions", status.conditions, EncodeDeploymentCondition);
  json::SetIfSet(j, "collisionCount", status.collisionCount);
  return j;
}

}  // namespace
}  // namespace codec

template <>
absl::StatusOr<ReplicaSet> FromObject<ReplicaSet>(const Object& object) {
  return codec::FromSpecStatusObject<ReplicaSet>(object, codec::DecodeReplicaSetSpec,
                                                 codec::DecodeReplicaSetStatus);
}
template <>
Object ToObject<ReplicaSet>(const ReplicaSet& rs) {
  return codec::ToSpecStatusObject(rs, codec::EncodeReplicaSetSpec, codec::EncodeReplicaSetStatus);
}

template <>
absl::StatusOr<Deployment> FromObject<Deployment>(const Object& object) {
  return codec::FromSpecStatusObject<Deployment>(object, codec::DecodeDeploymentSpec,
                                                 codec::DecodeDeploymentStatus);
}
template <>
Object ToObject<Deployment>(const Deployment& deployment) {
  return codec::ToSpecStatusObject(deployment, codec::EncodeDeploymentSpec, codec::EncodeDeploymentStatus);
}

}  // namespace orch
