// Codecs of PodSpec (with affinity, tolerations, topology spread), PodStatus and PodTemplateSpec.
#include "src/core/api/codec_pod.h"

#include <string>

namespace orch::codec {
namespace {

void DecodeNodeSelectorRequirement(const Json& j, const std::string& path, Errors* errors,
                                   NodeSelectorRequirement* out) {
  Reader r(j, path, errors);
  r.Read("key", &out->key);
  r.Read("operator", &out->operator_);
  r.Read("values", &out->values);
  out->unknown = r.Unknown();
}

Json EncodeNodeSelectorRequirement(const NodeSelectorRequirement& req) {
  Json j = json::StartObject(req.unknown);
  j["key"] = req.key;
  j["operator"] = req.operator_;
  json::SetIfNotEmpty(j, "values", req.values);
  return j;
}

void DecodeNodeSelectorTerm(const Json& j, const std::string& path, Errors* errors, NodeSelectorTerm* out) {
  Reader r(j, path, errors);
  r.List("matchExpressions", &out->matchExpressions, DecodeNodeSelectorRequirement);
  r.List("matchFields", &out->matchFields, DecodeNodeSelectorRequirement);
  out->unknown = r.Unknown();
}

Json EncodeNodeSelectorTerm(const NodeSelectorTerm& term) {
  Json j = json::StartObject(term.unknown);
  SetList(j, "matchExpressions", term.matchExpressions, EncodeNodeSelectorRequirement);
  SetList(j, "matchFields", term.matchFields, EncodeNodeSelectorRequirement);
  return j;
}

void DecodeNodeSelector(const Json& j, const std::string& path, Errors* errors, NodeSelector* out) {
  Reader r(j, path, errors);
  r.List("nodeSelectorTerms", &out->nodeSelectorTerms, DecodeNodeSelectorTerm);
  out->unknown = r.Unknown();
}

Json EncodeNodeSelector(const NodeSelector& selector) {
  Json j = json::StartObject(selector.unknown);
  SetList(j, "nodeSelectorTerms", selector.nodeSelectorTerms, EncodeNodeSelectorTerm);
  return j;
}

void DecodePreferredTerm(const Json& j, const std::string& path, Errors* errors,
                         PreferredSchedulingTerm* out) {
  Reader r(j, path, errors);
  r.Read("weight", &out->weight);
  r.Struct("preference", &out->preference, DecodeNodeSelectorTerm);
  out->unknown = r.Unknown();
}

Json EncodePreferredTerm(const PreferredSchedulingTerm& term) {
  Json j = json::StartObject(term.unknown);
  j["weight"] = term.weight;
  j["preference"] = EncodeNodeSelectorTerm(term.preference);
  return j;
}

void DecodeNodeAffinity(const Json& j, const std::string& path, Errors* errors, NodeAffinity* out) {
  Reader r(j, path, errors);
  r.Struct("requiredDuringSchedulingIgnoredDuringExecution",
           &out->requiredDuringSchedulingIgnoredDuringExecution, DecodeNodeSelector);
  r.List("preferredDuringSchedulingIgnoredDuringExecution",
         &out->preferredDuringSchedulingIgnoredDuringExecution, DecodePreferredTerm);
  out->unknown = r.Unknown();
}

Json EncodeNodeAffinity(const NodeAffinity& affinity) {
  Json j = json::StartObject(affinity.unknown);
  SetOptional(j, "requiredDuringSchedulingIgnoredDuringExecution",
              affinity.requiredDuringSchedulingIgnoredDuringExecution, EncodeNodeSelector);
  SetList(j, "preferredDuringSchedulingIgnoredDuringExecution",
          affinity.preferredDuringSchedulingIgnoredDuringExecution, EncodePreferredTerm);
  return j;
}

void DecodePodAffinityTerm(const Json& j, const std::string& path, Errors* errors, PodAffinityTerm* out) {
  Reader r(j, path, errors);
  r.Read("labelSelector", &out->labelSelector);
  r.Read("namespaces", &out->namespaces);
  r.Read("topologyKey", &out->topologyKey);
  r.Read("namespaceSelector", &out->namespaceSelector);
  r.Read("matchLabelKeys", &out->matchLabelKeys);
  r.Read("mismatchLabelKeys", &out->mismatchLabelKeys);
  out->unknown = r.Unknown();
}

Json EncodePodAffinityTerm(const PodAffinityTerm& term) {
  Json j = json::StartObject(term.unknown);
  SetOptional(j, "labelSelector", term.labelSelector, EncodeLabelSelector);
  json::SetIfNotEmpty(j, "namespaces", term.namespaces);
  j["topologyKey"] = term.topologyKey;
  SetOptional(j, "namespaceSelector", term.namespaceSelector, EncodeLabelSelector);
  json::SetIfNotEmpty(j, "matchLabelKeys", term.matchLabelKeys);
  json::SetIfNotEmpty(j, "mismatchLabelKeys", term.mismatchLabelKeys);
  return j;
}

void DecodeWeightedTerm(const Json& j, const std::string& path, Errors* errors,
                        WeightedPodAffinityTerm* out) {
  Reader r(j, path, errors);
  r.Read("weight", &out->weight);
  r.Struct("podAffinityTerm", &out->podAffinityTerm, DecodePodAffinityTerm);
  out->unknown = r.Unknown();
}

Json EncodeWeightedTerm(const WeightedPodAffinityTerm& term) {
  Json j = json::StartObject(term.unknown);
  j["weight"] = term.weight;
  j["podAffinityTerm"] = EncodePodAffinityTerm(term.podAffinityTerm);
  return j;
}

void DecodePodAffinity(const Json& j, const std::string& path, Errors* errors, PodAffinity* out) {
  Reader r(j, path, errors);
  r.List("requiredDuringSchedulingIgnoredDuringExecution",
         &out->requiredDuringSchedulingIgnoredDuringExecution, DecodePodAffinityTerm);
  r.List("preferredDuringSchedulingIgnoredDuringExecution",
         &out->preferredDuringSchedulingIgnoredDuringExecution, DecodeWeightedTerm);
  out->unknown = r.Unknown();
}

Json EncodePodAffinity(const PodAffinity& affinity) {
  Json j = json::StartObject(affinity.unknown);
  SetList(j, "requiredDuringSchedulingIgnoredDuringExecution",
          affinity.requiredDuringSchedulingIgnoredDuringExecution, EncodePodAffinityTerm);
  SetList(j, "preferredDuringSchedulingIgnoredDuringExecution",
          affinity.preferredDuringSchedulingIgnoredDuringExecution, EncodeWeightedTerm);
  return j;
}

void DecodeToleration(const Json& j, const std::string& path, Errors* errors, Toleration* out) {
  Reader r(j, path, errors);
  r.Read("key", &out->key);
  r.Read("operator", &out->operator_);
  r.Read("value", &out->value);
  r.Read("effect", &out->effect);
  r.Read("tolerationSeconds", &out->tolerationSeconds);
  out->unknown = r.Unknown();
}

Json EncodeToleration(const Toleration& toleration) {
  Json j = json::StartObject(toleration.unknown);
  json::SetIfNotEmpty(j, "key", toleration.key);
  json::SetIfNotEmpty(j, "operator", toleration.operator_);
  json::SetIfNotEmpty(j, "value", toleration.value);
  json::SetIfNotEmpty(j, "effect", toleration.effect);
  json::SetIfSet(j, "tolerationSeconds", toleration.tolerationSeconds);
  return j;
}

void DecodeSpreadConstraint(const Json& j, const std::string& path, Errors* errors,
                            TopologySpreadConstraint* out) {
  Reader r(j, path, errors);
  r.Read("maxSkew", &out->maxSkew);
  r.Read("topologyKey", &out->topologyKey);
  r.Read("whenUnsatisfiable", &out->whenUnsatisfiable);
  r.Read("labelSelector", &out->labelSelector);
  r.Read("minDomains", &out->minDomains);
  r.Read("nodeAffinityPolicy", &out->nodeAffinityPolicy);
  r.Read("nodeTaintsPolicy", &out->nodeTaintsPolicy);
  r.Read("matchLabelKeys", &out->matchLabelKeys);
  out->unknown = r.Unknown();
}

Json EncodeSpreadConstraint(const TopologySpreadConstraint& c) {
  Json j = json::StartObject(c.unknown);
  j["maxSkew"] = c.maxSkew;
  j["topologyKey"] = c.topologyKey;
  j["whenUnsatisfiable"] = c.whenUnsatisfiable;
  SetOptional(j, "labelSelector", c.labelSelector, EncodeLabelSelector);
  json::SetIfSet(j, "minDomains", c.minDomains);
  json::SetIfNotEmpty(j, "nodeAffinityPolicy", c.nodeAffinityPolicy);
  json::SetIfNotEmpty(j, "nodeTaintsPolicy", c.nodeTaintsPolicy);
  json::SetIfNotEmpty(j, "matchLabelKeys", c.matchLabelKeys);
  return j;
}

void DecodePodCondition(const Json& j, const std::string& path, Errors* errors, PodCondition* out) {
  Reader r(j, path, errors);
  r.Read("type", &out->type);
  r.Read("status", &out->status);
  r.Read("lastProbeTime", &out->lastProbeTime);
  r.Read("lastTransitionTime", &out->lastTransitionTime);
  r.Read("reason", &out->reason);
  r.Read("message", &out->message);
  out->unknown = r.Unknown();
}

Json EncodePodCondition(const PodCondition& c) {
  Json j = json::StartObject(c.unknown);
  j["type"] = c.type;
  j["status"] = c.status;
  json::SetIfSet(j, "lastProbeTime", c.lastProbeTime);
  json::SetIfSet(j, "lastTransitionTime", c.lastTransitionTime);
  json::SetIfNotEmpty(j, "reason", c.reason);
  json::SetIfNotEmpty(j, "message", c.message);
  return j;
}

void DecodeWaiting(const Json& j, const std::string& path, Errors* errors, ContainerStateWaiting* out) {
  Reader r(j, path, errors);
  r.Read("reason", &out->reason);
  r.Read("message", &out->message);
  out->unknown = r.Unknown();
}

Json EncodeWaiting(const ContainerStateWaiting& s) {
  Json j = json::StartObject(s.unknown);
  json::SetIfNotEmpty(j, "reason", s.reason);
  json::SetIfNotEmpty(j, "message", s.message);
  return j;
}

void DecodeRunning(const Json& j, const std::string& path, Errors* errors, ContainerStateRunning* out) {
  Reader r(j, path, errors);
  r.Read("startedAt", &out->startedAt);
  out->unknown = r.Unknown();
}

Json EncodeRunning(const ContainerStateRunning& s) {
  Json j = json::StartObject(s.unknown);
  json::SetIfSet(j, "startedAt", s.startedAt);
  return j;
}

void DecodeTerminated(const Json& j, const std::string& path, Errors* errors, ContainerStateTerminated* out) {
  Reader r(j, path, errors);
  r.Read("exitCode", &out->exitCode);
  r.Read("signal", &out->signal);
  r.Read("reason", &out->reason);
  r.Read("message", &out->message);
  r.Read("startedAt", &out->startedAt);
  r.Read("finishedAt", &out->finishedAt);
  r.Read("containerID", &out->containerID);
  out->unknown = r.Unknown();
}

Json EncodeTerminated(const ContainerStateTerminated& s) {
  Json j = json::StartObject(s.unknown);
  j["exitCode"] = s.exitCode;
  SetInt(j, "signal", s.signal);
  json::SetIfNotEmpty(j, "reason", s.reason);
  json::SetIfNotEmpty(j, "message", s.message);
  json::SetIfSet(j, "startedAt", s.startedAt);
  json::SetIfSet(j, "finishedAt", s.finishedAt);
  json::SetIfNotEmpty(j, "containerID", s.containerID);
  return j;
}

void DecodeContainerState(const Json& j, const std::string& path, Errors* errors, ContainerState* out) {
  Reader r(j, path, errors);
  r.Struct("waiting", &out->waiting, DecodeWaiting);
  r.Struct("running", &out->running, DecodeRunning);
  r.Struct("terminated", &out->terminated, DecodeTerminated);
  out->unknown = r.Unknown();
}

Json EncodeContainerState(const ContainerState& s) {
  Json j = json::StartObject(s.unknown);
  SetOptional(j, "waiting", s.waiting, EncodeWaiting);
  SetOptional(j, "running", s.running, EncodeRunning);
  SetOptional(j, "terminated", s.terminated, EncodeTerminated);
  return j;
}

void DecodeContainerStatus(const Json& j, const std::string& path, Errors* errors, ContainerStatus* out) {
  Reader r(j, path, errors);
  r.Read("name", &out->name);
  r.Struct("state", &out->state, DecodeContainerState);
  r.Struct("lastState", &out->lastState, DecodeContainerState);
  r.Read("ready", &out->ready);
  r.Read("restartCount", &out->restartCount);
  r.Read("image", &out->image);
  r.Read("imageID", &out->imageID);
  r.Read("containerID", &out->containerID);
  r.Read("started", &out->started);
  out->unknown = r.Unknown();
}

Json EncodeContainerStatus(const ContainerStatus& s) {
  Json j = json::StartObject(s.unknown);
  j["name"] = s.name;
  SetStruct(j, "state", EncodeContainerState(s.state));
  SetStruct(j, "lastState", EncodeContainerState(s.lastState));
  j["ready"] = s.ready;
  j["restartCount"] = s.restartCount;
  j["image"] = s.image;
  j["imageID"] = s.imageID;
  json::SetIfNotEmpty(j, "containerID", s.containerID);
  json::SetIfSet(j, "started", s.started);
  return j;
}

void DecodePodIP(const Json& j, const std::string& path, Errors* errors, PodIP* out) {
  Reader r(j, path, errors);
  r.Read("ip", &out->ip);
  out->unknown = r.Unknown();
}

Json EncodePodIP(const PodIP& ip) {
  Json j = json::StartObject(ip.unknown);
  j["ip"] = ip.ip;
  return j;
}

}  // namespace

void DecodeAffinity(const Json& j, const std::string& path, Errors* errors, Affinity* out) {
  Reader r(j, path, errors);
  r.Struct("nodeAffinity", &out->nodeAffinity, DecodeNodeAffinity);
  r.Struct("podAffinity", &out->podAffinity, DecodePodAffinity);
  r.Struct("podAntiAffinity", &out->podAntiAffinity, DecodePodAffinity);
  out->unknown = r.Unknown();
}

Json EncodeAffinity(const Affinity& affinity) {
  Json j = json::StartObject(affinity.unknown);
  SetOptional(j, "nodeAffinity", affinity.nodeAffinity, EncodeNodeAffinity);
  SetOptional(j, "podAffinity", affinity.podAffinity, EncodePodAffinity);
  SetOptional(j, "podAntiAffinity", affinity.podAntiAffinity, EncodePodAffinity);
  return j;
}

void DecodePodSpec(const Json& j, const std::string& path, Errors* errors, PodSpec* out) {
  Reader r(j, path, errors);
  r.List("volumes", &out->volumes, DecodeVolume);
  r.List("initContainers", &out->initContainers, DecodeContainer);
  r.List("containers", &out->containers, DecodeContainer);
  r.Read("restartPolicy", &out->restartPolicy);
  r.Read("terminationGracePeriodSeconds", &out->terminationGracePeriodSeconds);
  r.Read("activeDeadlineSeconds", &out->activeDeadlineSeconds);
  r.Read("dnsPolicy", &out->dnsPolicy);
  r.Read("nodeSelector", &out->nodeSelector);
  r.Read("serviceAccountName", &out->serviceAccountName);
  r.Read("nodeName", &out->nodeName);
  r.Read("hostNetwork", &out->hostNetwork);
  r.Read("hostname", &out->hostname);
  r.Read("subdomain", &out->subdomain);
  r.Struct("affinity", &out->affinity, DecodeAffinity);
  r.Read("schedulerName", &out->schedulerName);
  r.List("tolerations", &out->tolerations, DecodeToleration);
  r.Read("priorityClassName", &out->priorityClassName);
  r.Read("priority", &out->priority);
  r.Read("preemptionPolicy", &out->preemptionPolicy);
  r.List("topologySpreadConstraints", &out->topologySpreadConstraints, DecodeSpreadConstraint);
  r.Read("overhead", &out->overhead);
  out->unknown = r.Unknown();
}

Json EncodePodSpec(const PodSpec& spec) {
  Json j = json::StartObject(spec.unknown);
  SetList(j, "volumes", spec.volumes, EncodeVolume);
  SetList(j, "initContainers", spec.initContainers, EncodeContainer);
  SetList(j, "containers", spec.containers, EncodeContainer);
  json::SetIfNotEmpty(j, "restartPolicy", spec.restartPolicy);
  json::SetIfSet(j, "terminationGracePeriodSeconds", spec.terminationGracePeriodSeconds);
  json::SetIfSet(j, "activeDeadlineSeconds", spec.activeDeadlineSeconds);
  json::SetIfNotEmpty(j, "dnsPolicy", spec.dnsPolicy);
  json::SetIfNotEmpty(j, "nodeSelector", spec.nodeSelector);
  json::SetIfNotEmpty(j, "serviceAccountName", spec.serviceAccountName);
  json::SetIfNotEmpty(j, "nodeName", spec.nodeName);
  SetBool(j, "hostNetwork", spec.hostNetwork);
  json::SetIfNotEmpty(j, "hostname", spec.hostname);
  json::SetIfNotEmpty(j, "subdomain", spec.subdomain);
  SetOptional(j, "affinity", spec.affinity, EncodeAffinity);
  json::SetIfNotEmpty(j, "schedulerName", spec.schedulerName);
  SetList(j, "tolerations", spec.tolerations, EncodeToleration);
  json::SetIfNotEmpty(j, "priorityClassName", spec.priorityClassName);
  json::SetIfSet(j, "priority", spec.priority);
  json::SetIfSet(j, "preemptionPolicy", spec.preemptionPolicy);
  SetList(j, "topologySpreadConstraints", spec.topologySpreadConstraints, EncodeSpreadConstraint);
  SetResourceList(j, "overhead", spec.overhead);
  return j;
}

void DecodePodStatus(const Json& j, const std::string& path, Errors* errors, PodStatus* out) {
  Reader r(j, path, errors);
  r.Read("phase", &out->phase);
  r.List("conditions", &out->conditions, DecodePodCondition);
  r.Read("message", &out->message);
  r.Read("reason", &out->reason);
  r.Read("nominatedNodeName", &out->nominatedNodeName);
  r.Read("hostIP", &out->hostIP);
  r.List("hostIPs", &out->hostIPs, DecodePodIP);
  r.Read("podIP", &out->podIP);
  r.List("podIPs", &out->podIPs, DecodePodIP);
  r.Read("startTime", &out->startTime);
  r.List("initContainerStatuses", &out->initContainerStatuses, DecodeContainerStatus);
  r.List("containerStatuses", &out->containerStatuses, DecodeContainerStatus);
  r.Read("qosClass", &out->qosClass);
  out->unknown = r.Unknown();
}

Json EncodePodStatus(const PodStatus& status) {
  Json j = json::StartObject(status.unknown);
  json::SetIfNotEmpty(j, "phase", status.phase);
  SetList(j, "conditions", status.conditions, EncodePodCondition);
  json::SetIfNotEmpty(j, "message", status.message);
  json::SetIfNotEmpty(j, "reason", status.reason);
  json::SetIfNotEmpty(j, "nominatedNodeName", status.nominatedNodeName);
  json::SetIfNotEmpty(j, "hostIP", status.hostIP);
  SetList(j, "hostIPs", status.hostIPs, EncodePodIP);
  json::SetIfNotEmpty(j, "podIP", status.podIP);
  SetList(j, "podIPs", status.podIPs, EncodePodIP);
  json::SetIfSet(j, "startTime", status.startTime);
  SetList(j, "initContainerStatuses", status.initContainerStatuses, EncodeContainerStatus);
  SetList(j, "containerStatuses", status.containerStatuses, EncodeContainerStatus);
  json::SetIfNotEmpty(j, "qosClass", status.qosClass);
  return j;
}

void DecodePodTemplateSpec(const Json& j, const std::string& path, Errors* errors, PodTemplateSpec* out) {
  Reader r(j, path, errors);
  r.Struct("metadata", &out->metadata, DecodeTemplateMeta);
  r.Struct("spec", &out->spec, DecodePodSpec);
  out->unknown = r.Unknown();
}

Json EncodePodTemplateSpec(const PodTemplateSpec& spec) {
  Json j = json::StartObject(spec.unknown);
  SetStruct(j, "metadata", EncodeTemplateMeta(spec.metadata));
  SetStruct(j, "spec", EncodePodSpec(spec.spec));
  return j;
}

}  // namespace orch::codec
