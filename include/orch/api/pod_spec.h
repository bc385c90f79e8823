// The pod specification and status of core/v1 (PodSpec, Container, Affinity, PodStatus, ...), shared
// by Pod and by the pod templates of ReplicaSet and Deployment. Included by orch/types.h.
//
// Conventions (all of orch/types.h): members carry Kubernetes' JSON field names (`operator_` where
// the name is a C++ keyword); std::optional marks fields where Kubernetes tells unset from zero;
// decoding applies no defaults. `unknown` holds the members of that JSON object which the struct does
// not model, and also members given with a zero value (`"hostPort": 0`, `"resources": {}`, `null`), so
// that decoding then encoding gives back the same document. Plain values, safe to copy and share.
#ifndef ORCH_API_POD_SPEC_H_
#define ORCH_API_POD_SPEC_H_

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "orch/api/object.h"
#include "orch/api/quantity.h"
#include "orch/api/selector.h"

namespace orch {

// Resource name ("cpu", "memory", "nvidia.com/gpu") to amount.
using ResourceList = std::map<std::string, Quantity>;

// Lets a container be reached on a port of the pod's IP (and optionally of the host).
struct ContainerPort {
  std::string name;
  int32_t hostPort = 0;
  int32_t containerPort = 0;
  std::string protocol;  // TCP (default), UDP, SCTP
  std::string hostIP;
  UnknownFields unknown;

  friend bool operator==(const ContainerPort&, const ContainerPort&) = default;
};

// A pod field or container resource exposed to a container (downward API) or a key of a ConfigMap or
// Secret, as the source of an environment variable.
struct ObjectFieldSelector {
  std::string apiVersion;
  std::string fieldPath;  // "metadata.name", "status.podIP", ...
  UnknownFields unknown;
  friend bool operator==(const ObjectFieldSelector&, const ObjectFieldSelector&) = default;
};
struct ResourceFieldSelector {
  std::string containerName;
  std::string resource;  // "limits.cpu", "requests.memory", ...
  std::optional<Quantity> divisor;
  UnknownFields unknown;
  friend bool operator==(const ResourceFieldSelector&, const ResourceFieldSelector&) = default;
};
// configMapKeyRef and secretKeyRef.
struct KeySelector {
  std::string name;
  std::string key;
  std::optional<bool> optional;
  UnknownFields unknown;
  friend bool operator==(const KeySelector&, const KeySelector&) = default;
};
struct EnvVarSource {
  std::optional<ObjectFieldSelector> fieldRef;
  std::optional<ResourceFieldSelector> resourceFieldRef;
  std::optional<KeySelector> configMapKeyRef;
  std::optional<KeySelector> secretKeyRef;
  UnknownFields unknown;
  friend bool operator==(const EnvVarSource&, const EnvVarSource&) = default;
};

// One environment variable of a container: a literal value or a reference.
struct EnvVar {
  std::string name;
  std::string value;
  std::optional<EnvVarSource> valueFrom;
  UnknownFields unknown;

  friend bool operator==(const EnvVar&, const EnvVar&) = default;
};

// What a container asks for (requests, used to schedule) and may use at most (limits).
struct ResourceRequirements {
  ResourceList limits;
  ResourceList requests;
  UnknownFields unknown;  // claims

  bool empty() const { return limits.empty() && requests.empty() && unknown.empty(); }
  friend bool operator==(const ResourceRequirements&, const ResourceRequirements&) = default;
};

// Where a volume appears in a container's filesystem.
struct VolumeMount {
  std::string name;
  bool readOnly = false;
  std::string mountPath;
  std::string subPath;
  std::string mountPropagation;
  std::string subPathExpr;
  UnknownFields unknown;

  friend bool operator==(const VolumeMount&, const VolumeMount&) = default;
};

// The actions a probe may take.
struct ExecAction {
  std::vector<std::string> command;
  UnknownFields unknown;
  friend bool operator==(const ExecAction&, const ExecAction&) = default;
};
struct HTTPHeader {
  std::string name;
  std::string value;
  UnknownFields unknown;
  friend bool operator==(const HTTPHeader&, const HTTPHeader&) = default;
};
struct HTTPGetAction {
  std::string path;
  IntOrString port;  // a number or the name of a container port
  std::string host;
  std::string scheme;  // HTTP (default) or HTTPS
  std::vector<HTTPHeader> httpHeaders;
  UnknownFields unknown;
  friend bool operator==(const HTTPGetAction&, const HTTPGetAction&) = default;
};
struct TCPSocketAction {
  IntOrString port;
  std::string host;
  UnknownFields unknown;
  friend bool operator==(const TCPSocketAction&, const TCPSocketAction&) = default;
};

// A liveness, readiness or startup check run by the node agent. Zero counts mean "the default"
// (applied by defaulting, not by decoding).
struct Probe {
  std::optional<ExecAction> exec;
  std::optional<HTTPGetAction> httpGet;
  std::optional<TCPSocketAction> tcpSocket;
  int32_t initialDelaySeconds = 0;
  int32_t timeoutSeconds = 0;
  int32_t periodSeconds = 0;
  int32_t successThreshold = 0;
  int32_t failureThreshold = 0;
  std::optional<int64_t> terminationGracePeriodSeconds;
  UnknownFields unknown;  // grpc, ...

  friend bool operator==(const Probe&, const Probe&) = default;
};

// One container of a pod (also used for init containers).
struct Container {
  std::string name;
  std::string image;
  std::vector<std::string> command;
  std::vector<std::string> args;
  std::string workingDir;
  std::vector<ContainerPort> ports;
  std::vector<EnvVar> env;
  ResourceRequirements resources;
  std::vector<VolumeMount> volumeMounts;
  std::optional<Probe> livenessProbe;
  std::optional<Probe> readinessProbe;
  std::optional<Probe> startupProbe;
  std::string imagePullPolicy;  // Always, IfNotPresent, Never
  UnknownFields unknown;        // securityContext, lifecycle, envFrom, ...

  friend bool operator==(const Container&, const Container&) = default;
};

// The volume sources orch's node agent acts on; any other source stays in Volume::unknown.
struct KeyToPath {
  std::string key;
  std::string path;
  std::optional<int32_t> mode;
  UnknownFields unknown;
  friend bool operator==(const KeyToPath&, const KeyToPath&) = default;
};
struct HostPathVolumeSource {
  std::string path;
  std::optional<std::string> type;
  UnknownFields unknown;
  friend bool operator==(const HostPathVolumeSource&, const HostPathVolumeSource&) = default;
};
struct EmptyDirVolumeSource {
  std::string medium;
  std::optional<Quantity> sizeLimit;
  UnknownFields unknown;
  friend bool operator==(const EmptyDirVolumeSource&, const EmptyDirVolumeSource&) = default;
};
struct ConfigMapVolumeSource {
  std::string name;
  std::vector<KeyToPath> items;
  std::optional<int32_t> defaultMode;
  std::optional<bool> optional;
  UnknownFields unknown;
  friend bool operator==(const ConfigMapVolumeSource&, const ConfigMapVolumeSource&) = default;
};
struct SecretVolumeSource {
  std::string secretName;
  std::vector<KeyToPath> items;
  std::optional<int32_t> defaultMode;
  std::optional<bool> optional;
  UnknownFields unknown;
  friend bool operator==(const SecretVolumeSource&, const SecretVolumeSource&) = default;
};
struct PersistentVolumeClaimVolumeSource {
  std::string claimName;
  bool readOnly = false;
  UnknownFields unknown;
  friend bool operator==(const PersistentVolumeClaimVolumeSource&,
                         const PersistentVolumeClaimVolumeSource&) = default;
};

// A named volume of a pod; at most one source is set.
struct Volume {
  std::string name;
  std::optional<HostPathVolumeSource> hostPath;
  std::optional<EmptyDirVolumeSource> emptyDir;
  std::optional<ConfigMapVolumeSource> configMap;
  std::optional<SecretVolumeSource> secret;
  std::optional<PersistentVolumeClaimVolumeSource> persistentVolumeClaim;
  UnknownFields unknown;  // other sources (projected, nfs, csi, ...)

  friend bool operator==(const Volume&, const Volume&) = default;
};

// Node affinity: which nodes a pod may (required) or prefers to (preferred) run on.
struct NodeSelectorRequirement {
  std::string key;
  std::string operator_;  // In, NotIn, Exists, DoesNotExist, Gt, Lt
  std::vector<std::string> values;
  UnknownFields unknown;
  friend bool operator==(const NodeSelectorRequirement&, const NodeSelectorRequirement&) = default;
};
// Requirements ANDed together; matchFields select on node fields (metadata.name).
struct NodeSelectorTerm {
  std::vector<NodeSelectorRequirement> matchExpressions;
  std::vector<NodeSelectorRequirement> matchFields;
  UnknownFields unknown;
  friend bool operator==(const NodeSelectorTerm&, const NodeSelectorTerm&) = default;
};
// Terms ORed together.
struct NodeSelector {
  std::vector<NodeSelectorTerm> nodeSelectorTerms;
  UnknownFields unknown;
  friend bool operator==(const NodeSelector&, const NodeSelector&) = default;
};
struct PreferredSchedulingTerm {
  int32_t weight = 0;
  NodeSelectorTerm preference;
  UnknownFields unknown;
  friend bool operator==(const PreferredSchedulingTerm&, const PreferredSchedulingTerm&) = default;
};
struct NodeAffinity {
  std::optional<NodeSelector> requiredDuringSchedulingIgnoredDuringExecution;
  std::vector<PreferredSchedulingTerm> preferredDuringSchedulingIgnoredDuringExecution;
  UnknownFields unknown;
  friend bool operator==(const NodeAffinity&, const NodeAffinity&) = default;
};

// Inter-pod (anti-)affinity: run near (or away from) pods matching labelSelector, where "near" means
// sharing the value of the node label topologyKey. A nil labelSelector matches no pod.
struct PodAffinityTerm {
  std::optional<LabelSelectorSpec> labelSelector;
  std::vector<std::string> namespaces;
  std::string topologyKey;
  std::optional<LabelSelectorSpec> namespaceSelector;
  std::vector<std::string> matchLabelKeys;
  std::vector<std::string> mismatchLabelKeys;
  UnknownFields unknown;
  friend bool operator==(const PodAffinityTerm&, const PodAffinityTerm&) = default;
};
struct WeightedPodAffinityTerm {
  int32_t weight = 0;
  PodAffinityTerm podAffinityTerm;
  UnknownFields unknown;
  friend bool operator==(const WeightedPodAffinityTerm&, const WeightedPodAffinityTerm&) = default;
};
// Used for both podAffinity and podAntiAffinity.
struct PodAffinity {
  std::vector<PodAffinityTerm> requiredDuringSchedulingIgnoredDuringExecution;
  std::vector<WeightedPodAffinityTerm> preferredDuringSchedulingIgnoredDuringExecution;
  UnknownFields unknown;
  friend bool operator==(const PodAffinity&, const PodAffinity&) = default;
};
using PodAntiAffinity = PodAffinity;

struct Affinity {
  std::optional<NodeAffinity> nodeAffinity;
  std::optional<PodAffinity> podAffinity;
  std::optional<PodAntiAffinity> podAntiAffinity;
  UnknownFields unknown;
  friend bool operator==(const Affinity&, const Affinity&) = default;
};

// Lets a pod run on nodes with a matching taint.
struct Toleration {
  std::string key;
  std::string operator_;  // Exists or Equal (default)
  std::string value;
  std::string effect;  // NoSchedule, PreferNoSchedule, NoExecute; empty matches all
  std::optional<int64_t> tolerationSeconds;
  UnknownFields unknown;
  friend bool operator==(const Toleration&, const Toleration&) = default;
};

// Spreads matching pods evenly across the values of a node label.
struct TopologySpreadConstraint {
  int32_t maxSkew = 0;
  std::string topologyKey;
  std::string whenUnsatisfiable;  // DoNotSchedule or ScheduleAnyway
  std::optional<LabelSelectorSpec> labelSelector;
  std::optional<int32_t> minDomains;
  std::string nodeAffinityPolicy;
  std::string nodeTaintsPolicy;
  std::vector<std::string> matchLabelKeys;
  UnknownFields unknown;
  friend bool operator==(const TopologySpreadConstraint&, const TopologySpreadConstraint&) = default;
};

// What a pod runs and where it may run.
struct PodSpec {
  std::vector<Volume> volumes;
  std::vector<Container> initContainers;
  std::vector<Container> containers;
  std::string restartPolicy;  // Always, OnFailure, Never
  std::optional<int64_t> terminationGracePeriodSeconds;
  std::optional<int64_t> activeDeadlineSeconds;
  std::string dnsPolicy;
  Labels nodeSelector;
  std::string serviceAccountName;
  std::string nodeName;
  bool hostNetwork = false;
  std::string hostname;
  std::string subdomain;
  std::optional<Affinity> affinity;
  std::string schedulerName;
  std::vector<Toleration> tolerations;
  std::string priorityClassName;
  std::optional<int32_t> priority;
  // "PreemptLowerPriority" (the default) or "Never": whether the pod may evict lower-priority
  // pods when it fits nowhere.
  std::optional<std::string> preemptionPolicy;
  std::vector<TopologySpreadConstraint> topologySpreadConstraints;
  // What running the pod costs beyond its containers (set from a RuntimeClass), counted by the
  // scheduler with the containers' requests.
  ResourceList overhead;
  UnknownFields unknown;  // securityContext, imagePullSecrets, hostAliases, ...

  friend bool operator==(const PodSpec&, const PodSpec&) = default;
};

// A pod's or container's condition ("Ready", "PodScheduled", ...).
struct PodCondition {
  std::string type;
  std::string status;  // True, False, Unknown
  Time lastProbeTime;
  Time lastTransitionTime;
  std::string reason;
  std::string message;
  UnknownFields unknown;
  friend bool operator==(const PodCondition&, const PodCondition&) = default;
};

// The state of one container: at most one of waiting, running, terminated is set.
struct ContainerStateWaiting {
  std::string reason;
  std::string message;
  UnknownFields unknown;
  friend bool operator==(const ContainerStateWaiting&, const ContainerStateWaiting&) = default;
};
struct ContainerStateRunning {
  Time startedAt;
  UnknownFields unknown;
  friend bool operator==(const ContainerStateRunning&, const ContainerStateRunning&) = default;
};
struct ContainerStateTerminated {
  int32_t exitCode = 0;
  int32_t signal = 0;
  std::string reason;
  std::string message;
  Time startedAt;
  Time finishedAt;
  std::string containerID;
  UnknownFields unknown;
  friend bool operator==(const ContainerStateTerminated&, const ContainerStateTerminated&) = default;
};
struct ContainerState {
  std::optional<ContainerStateWaiting> waiting;
  std::optional<ContainerStateRunning> running;
  std::optional<ContainerStateTerminated> terminated;
  UnknownFields unknown;
  friend bool operator==(const ContainerState&, const ContainerState&) = default;
};

// What the node agent reports about one container.
struct ContainerStatus {
  std::string name;
  ContainerState state;
  ContainerState lastState;
  bool ready = false;
  int32_t restartCount = 0;
  std::string image;
  std::string imageID;
  std::string containerID;
  std::optional<bool> started;
  UnknownFields unknown;
  friend bool operator==(const ContainerStatus&, const ContainerStatus&) = default;
};

// One address of a pod (podIPs) or of its host (hostIPs).
struct PodIP {
  std::string ip;
  UnknownFields unknown;
  friend bool operator==(const PodIP&, const PodIP&) = default;
};

// What the control plane and node agent observed about a pod.
struct PodStatus {
  std::string phase;  // Pending, Running, Succeeded, Failed, Unknown
  std::vector<PodCondition> conditions;
  std::string message;
  std::string reason;
  std::string nominatedNodeName;
  std::string hostIP;
  std::vector<PodIP> hostIPs;
  std::string podIP;
  std::vector<PodIP> podIPs;
  Time startTime;
  std::vector<ContainerStatus> initContainerStatuses;
  std::vector<ContainerStatus> containerStatuses;
  std::string qosClass;
  UnknownFields unknown;
  // The condition of a type ("Ready", "PodScheduled"), or nullptr.
  const PodCondition* FindCondition(absl::string_view type) const {
    for (const PodCondition& condition : conditions) {
      if (condition.type == type) return &condition;
    }
    return nullptr;
  }
  PodCondition* FindCondition(absl::string_view type) {
    return const_cast<PodCondition*>(static_cast<const PodStatus*>(this)->FindCondition(type));
  }
  // The condition of a type, added (with only its type set) when missing.
  PodCondition& EnsureCondition(absl::string_view type) {
    if (PodCondition* found = FindCondition(type)) return *found;
    PodCondition& added = conditions.emplace_back();
    added.type = std::string(type);
    return added;
  }
  // Sets the condition of `condition.type` as Kubernetes' UpdatePodCondition does: a condition whose
  // status does not change keeps its lastTransitionTime. Whether anything changed, so that a caller
  // writes the status only then.
  bool UpdateCondition(PodCondition condition) {
    PodCondition* found = FindCondition(condition.type);
    if (found == nullptr) {
      conditions.push_back(std::move(condition));
      return true;
    }
    if (found->status == condition.status) condition.lastTransitionTime = found->lastTransitionTime;
    if (condition.unknown.empty()) condition.unknown = found->unknown;
    if (*found == condition) return false;
    *found = std::move(condition);
    return true;
  }
  // Marks the pod as one the control plane is about to delete, as Kubernetes (1.31 on) does before
  // its pod GC, taint manager or scheduler deletes a pod: DisruptionTarget, status True, with who
  // and why in reason and message. Whether anything changed.
  bool SetDisruptionTarget(std::string reason, std::string message, Time now) {
    PodCondition condition;
    condition.type = "DisruptionTarget";
    condition.status = "True";
    condition.lastTransitionTime = now;
    condition.reason = std::move(reason);
    condition.message = std::move(message);
    return UpdateCondition(std::move(condition));
  }

  friend bool operator==(const PodStatus&, const PodStatus&) = default;
};

// The pod a ReplicaSet or Deployment creates: its metadata and spec.
struct PodTemplateSpec {
  ObjectMeta metadata;
  PodSpec spec;
  UnknownFields unknown;
  friend bool operator==(const PodTemplateSpec&, const PodTemplateSpec&) = default;
};

}  // namespace orch

#endif  // ORCH_API_POD_SPEC_H_
