// The core/v1 kinds orch acts on: Namespace, Node, Pod, Service, Endpoints, ConfigMap, Event. See
// orch/pod_spec.h for the conventions shared by all typed structs. Included by orch/types.h.
#ifndef ORCH_API_CORE_V1_H_
#define ORCH_API_CORE_V1_H_

#include <array>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "orch/api/kinds.h"
#include "orch/api/object.h"
#include "orch/api/pod_spec.h"
#include "orch/api/quantity.h"

namespace orch {

// Points at another object (an event's subject, an endpoint's pod).
struct ObjectReference {
  std::string kind;
  std::string namespace_;  // JSON "namespace"
  std::string name;
  std::string uid;
  std::string apiVersion;
  std::string resourceVersion;
  std::string fieldPath;
  UnknownFields unknown;
  friend bool operator==(const ObjectReference&, const ObjectReference&) = default;
};

// ---------------------------------------------------------------------------------------------------
// Namespace

struct NamespaceSpec {
  std::vector<std::string> finalizers;
  UnknownFields unknown;
  friend bool operator==(const NamespaceSpec&, const NamespaceSpec&) = default;
};
struct NamespaceStatus {
  std::string phase;  // Active, Terminating
  UnknownFields unknown;
  friend bool operator==(const NamespaceStatus&, const NamespaceStatus&) = default;
};
// A scope for names of namespaced objects.
struct Namespace {
  static constexpr const char* kApiVersion = "v1";
  static constexpr const char* kKind = "Namespace";
  static constexpr const char* kResource = "namespaces";
  static constexpr bool kNamespaced = false;
  static constexpr bool kStatusSubresource = true;
  static constexpr std::array<SelectableField, 1> kSelectableFields{{{"status.phase", "status.phase"}}};
  ObjectMeta metadata;
  NamespaceSpec spec;
  NamespaceStatus status;
  UnknownFields unknown;
  friend bool operator==(const Namespace&, const Namespace&) = default;
};

// ---------------------------------------------------------------------------------------------------
// Node

// Repels pods that do not tolerate it.
struct Taint {
  std::string key;
  std::string value;
  std::string effect;  // NoSchedule, PreferNoSchedule, NoExecute
  Time timeAdded;
  UnknownFields unknown;
  friend bool operator==(const Taint&, const Taint&) = default;
};
struct NodeSpec {
  std::string podCIDR;
  std::vector<std::string> podCIDRs;
  std::string providerID;
  bool unschedulable = false;
  std::vector<Taint> taints;
  UnknownFields unknown;
  friend bool operator==(const NodeSpec&, const NodeSpec&) = default;
};
// "Ready", "MemoryPressure", ... as the node agent reports them.
struct NodeCondition {
  std::string type;
  std::string status;
  Time lastHeartbeatTime;
  Time lastTransitionTime;
  std::string reason;
  std::string message;
  UnknownFields unknown;
  friend bool operator==(const NodeCondition&, const NodeCondition&) = default;
};
struct NodeAddress {
  std::string type;  // Hostname, InternalIP, ExternalIP, ...
  std::string address;
  UnknownFields unknown;
  friend bool operator==(const NodeAddress&, const NodeAddress&) = default;
};
struct NodeSystemInfo {
  std::string machineID;
  std::string systemUUID;
  std::string bootID;
  std::string kernelVersion;
  std::string osImage;
  std::string containerRuntimeVersion;
  std::string kubeletVersion;
  std::string kubeProxyVersion;
  std::string operatingSystem;
  std::string architecture;
  UnknownFields unknown;
  friend bool operator==(const NodeSystemInfo&, const NodeSystemInfo&) = default;
};
struct NodeStatus {
  ResourceList capacity;
  ResourceList allocatable;
  std::string phase;
  std::vector<NodeCondition> conditions;
  std::vector<NodeAddress> addresses;
  NodeSystemInfo nodeInfo;
  UnknownFields unknown;  // daemonEndpoints, images, volumesInUse, ...
  friend bool operator==(const NodeStatus&, const NodeStatus&) = default;
};
// A machine (or simulated one) that runs pods.
struct Node {
  static constexpr const char* kApiVersion = "v1";
  static constexpr const char* kKind = "Node";
  static constexpr const char* kResource = "nodes";
  static constexpr bool kNamespaced = false;
  static constexpr bool kStatusSubresource = true;
  static constexpr std::array<SelectableField, 1> kSelectableFields{
      {{"spec.unschedulable", "spec.unschedulable", "false"}}};
  ObjectMeta metadata;
  NodeSpec spec;
  NodeStatus status;
  UnknownFields unknown;
  friend bool operator==(const Node&, const Node&) = default;
};

// ---------------------------------------------------------------------------------------------------
// Pod

// One or more containers that share an IP and run on one node.
// Whether a pod phase is terminal (Succeeded or Failed): the pod's containers will not run again.
inline bool IsPodPhaseTerminal(absl::string_view phase) { return phase == "Succeeded" || phase == "Failed"; }
// The same for a stored pod, from its selectable status.phase (no decode).
inline bool IsPodTerminated(const Object& pod) { return IsPodPhaseTerminal(pod.Field("status.phase")); }

struct Pod {
  static constexpr const char* kApiVersion = "v1";
  static constexpr const char* kKind = "Pod";
  static constexpr const char* kResource = "pods";
  static constexpr bool kNamespaced = true;
  static constexpr bool kStatusSubresource = true;
  static constexpr std::array<SelectableField, 9> kSelectableFields{{
      {"spec.hostNetwork", "spec.hostNetwork", "false"},
      {"spec.nodeName", "spec.nodeName"},
      {"spec.restartPolicy", "spec.restartPolicy"},
      {"spec.schedulerName", "spec.schedulerName"},
      {"spec.serviceAccountName", "spec.serviceAccountName"},
      {"status.nominatedNodeName", "status.nominatedNodeName"},
      {"status.phase", "status.phase"},
      {"status.podIP", "status.podIP"},  // the first of status.podIPs (read from there)
      {"status.podIPs", nullptr},        // accepted, never set (as Kubernetes)
  }};
  // Old clients select on spec.host.
  static constexpr std::array<FieldLabelAlias, 1> kFieldLabelAliases{{{"spec.host", "spec.nodeName"}}};
  ObjectMeta metadata;
  PodSpec spec;
  PodStatus status;
  UnknownFields unknown;

  // Whether the pod has terminated (IsPodPhaseTerminal of its phase).
  bool Terminated() const { return IsPodPhaseTerminal(status.phase); }
  friend bool operator==(const Pod&, const Pod&) = default;
};

// ---------------------------------------------------------------------------------------------------
// Service

struct ServicePort {
  std::string name;
  std::string protocol;  // TCP (default), UDP, SCTP
  std::string appProtocol;
  int32_t port = 0;
  IntOrString targetPort;  // int 0 means "same as port"
  int32_t nodePort = 0;
  UnknownFields unknown;
  friend bool operator==(const ServicePort&, const ServicePort&) = default;
};
struct ServiceSpec {
  std::vector<ServicePort> ports;
  Labels selector;
  std::string clusterIP;
  std::vector<std::string> clusterIPs;
  std::string type;  // ClusterIP (default), NodePort, LoadBalancer, ExternalName
  std::string externalName;
  std::string sessionAffinity;  // None, ClientIP
  std::string externalTrafficPolicy;
  std::string internalTrafficPolicy;
  bool publishNotReadyAddresses = false;
  std::vector<std::string> ipFamilies;
  std::string ipFamilyPolicy;
  UnknownFields unknown;  // externalIPs, sessionAffinityConfig, loadBalancerIP, ...
  friend bool operator==(const ServiceSpec&, const ServiceSpec&) = default;
};
struct LoadBalancerIngress {
  std::string ip;
  std::string hostname;
  UnknownFields unknown;
  friend bool operator==(const LoadBalancerIngress&, const LoadBalancerIngress&) = default;
};
struct LoadBalancerStatus {
  std::vector<LoadBalancerIngress> ingress;
  UnknownFields unknown;
  friend bool operator==(const LoadBalancerStatus&, const LoadBalancerStatus&) = default;
};
struct ServiceStatus {
  LoadBalancerStatus loadBalancer;
  UnknownFields unknown;  // conditions
  friend bool operator==(const ServiceStatus&, const ServiceStatus&) = default;
};
// A stable virtual address and DNS name that balances over the pods its selector matches.
struct Service {
  static constexpr const char* kApiVersion = "v1";
  static constexpr const char* kKind = "Service";
  static constexpr const char* kResource = "services";
  static constexpr bool kNamespaced = true;
  static constexpr bool kStatusSubresource = true;
  static constexpr std::array<SelectableField, 0> kSelectableFields{};
  ObjectMeta metadata;
  ServiceSpec spec;
  ServiceStatus status;
  UnknownFields unknown;
  friend bool operator==(const Service&, const Service&) = default;
};

// ---------------------------------------------------------------------------------------------------
// Endpoints

struct EndpointAddress {
  std::string ip;
  std::string hostname;
  std::string nodeName;
  std::optional<ObjectReference> targetRef;
  UnknownFields unknown;
  friend bool operator==(const EndpointAddress&, const EndpointAddress&) = default;
};
struct EndpointPort {
  std::string name;
  int32_t port = 0;
  std::string protocol;
  std::string appProtocol;
  UnknownFields unknown;
  friend bool operator==(const EndpointPort&, const EndpointPort&) = default;
};
// A set of addresses that all serve the same ports.
struct EndpointSubset {
  std::vector<EndpointAddress> addresses;
  std::vector<EndpointAddress> notReadyAddresses;
  std::vector<EndpointPort> ports;
  UnknownFields unknown;
  friend bool operator==(const EndpointSubset&, const EndpointSubset&) = default;
};
// The pod addresses behind a Service, kept by the endpoints controller.
struct Endpoints {
  static constexpr const char* kApiVersion = "v1";
  static constexpr const char* kKind = "Endpoints";
  static constexpr const char* kResource = "endpoints";
  static constexpr bool kNamespaced = true;
  static constexpr bool kStatusSubresource = false;
  static constexpr std::array<SelectableField, 0> kSelectableFields{};
  ObjectMeta metadata;
  std::vector<EndpointSubset> subsets;
  UnknownFields unknown;
  friend bool operator==(const Endpoints&, const Endpoints&) = default;
};

// ---------------------------------------------------------------------------------------------------
// ConfigMap

// Configuration data for pods: text in `data`, base64 text in `binaryData` (kept encoded).
struct ConfigMap {
  static constexpr const char* kApiVersion = "v1";
  static constexpr const char* kKind = "ConfigMap";
  static constexpr const char* kResource = "configmaps";
  static constexpr bool kNamespaced = true;
  static constexpr bool kStatusSubresource = false;
  static constexpr std::array<SelectableField, 0> kSelectableFields{};
  ObjectMeta metadata;
  std::map<std::string, std::string> data;
  std::map<std::string, std::string> binaryData;
  std::optional<bool> immutable;
  UnknownFields unknown;
  friend bool operator==(const ConfigMap&, const ConfigMap&) = default;
};

// ---------------------------------------------------------------------------------------------------
// Event

struct EventSource {
  std::string component;
  std::string host;
  UnknownFields unknown;
  friend bool operator==(const EventSource&, const EventSource&) = default;
};
struct EventSeries {
  int32_t count = 0;
  Time lastObservedTime;  // MicroTime: written with microseconds
  UnknownFields unknown;
  friend bool operator==(const EventSeries&, const EventSeries&) = default;
};
// Something that happened to an object, for people to read (`kubectl get events`).
struct Event {
  static constexpr const char* kApiVersion = "v1";
  static constexpr const char* kKind = "Event";
  static constexpr const char* kResource = "events";
  static constexpr bool kNamespaced = true;
  static constexpr bool kStatusSubresource = false;
  static constexpr std::array<SelectableField, 11> kSelectableFields{{
      {"involvedObject.apiVersion", "involvedObject.apiVersion"},
      {"involvedObject.fieldPath", "involvedObject.fieldPath"},
      {"involvedObject.kind", "involvedObject.kind"},
      {"involvedObject.name", "involvedObject.name"},
      {"involvedObject.namespace", "involvedObject.namespace"},
      {"involvedObject.resourceVersion", "involvedObject.resourceVersion"},
      {"involvedObject.uid", "involvedObject.uid"},
      {"reason", "reason"},
      {"reportingComponent", "reportingComponent"},
      {"source", "source.component"},
      {"type", "type"},
  }};
  ObjectMeta metadata;
  ObjectReference involvedObject;
  std::string reason;
  std::string message;
  EventSource source;
  Time firstTimestamp;
  Time lastTimestamp;
  int32_t count = 0;
  std::string type;  // Normal, Warning
  Time eventTime;    // MicroTime: written with microseconds
  std::optional<EventSeries> series;
  std::string action;
  std::optional<ObjectReference> related;
  std::string reportingComponent;
  std::string reportingInstance;
  UnknownFields unknown;
  friend bool operator==(const Event&, const Event&) = default;
};

}  // namespace orch

#endif  // ORCH_API_CORE_V1_H_
