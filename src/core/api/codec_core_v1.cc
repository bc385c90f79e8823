// FromObject/ToObject for the core/v1 kinds: Namespace, Node, Pod, Service, Endpoints, ConfigMap, Event.
#include <string>
#include <utility>

#include "orch/api/codec.h"
#include "orch/api/types.h"
#include "src/core/api/codec_common.h"
#include "src/core/api/codec_pod.h"
#include "src/core/api/json_writer.h"
#include "src/core/api/selectable_fields.h"

namespace orch {
namespace codec {
namespace {

void DecodeNamespaceSpec(const Json& j, const std::string& path, Errors* errors, NamespaceSpec* out) {
  Reader r(j, path, errors);
  r.Read("finalizers", &out->finalizers);
  out->unknown = r.Unknown();
}

Json EncodeNamespaceSpec(const NamespaceSpec& spec) {
  Json j = json::StartObject(spec.unknown);
  json::SetIfNotEmpty(j, "finalizers", spec.finalizers);
  return j;
}

void DecodeNamespaceStatus(const Json& j, const std::string& path, Errors* errors, NamespaceStatus* out) {
  Reader r(j, path, errors);
  r.Read("phase", &out->phase);
  out->unknown = r.Unknown();
}

Json EncodeNamespaceStatus(const NamespaceStatus& status) {
  Json j = json::StartObject(status.unknown);
  json::SetIfNotEmpty(j, "phase", status.phase);
  return j;
}

void DecodeTaint(const Json& j, const std::string& path, Errors* errors, Taint* out) {
  Reader r(j, path, errors);
  r.Read("key", &out->key);
  r.Read("value", &out->value);
  r.Read("effect", &out->effect);
  r.Read("timeAdded", &out->timeAdded);
  out->unknown = r.Unknown();
}

Json EncodeTaint(const Taint& taint) {
  Json j = json::StartObject(taint.unknown);
  j["key"] = taint.key;
  json::SetIfNotEmpty(j, "value", taint.value);
  j["effect"] = taint.effect;
  json::SetIfSet(j, "timeAdded", taint.timeAdded);
  return j;
}

void DecodeNodeSpec(const Json& j, const std::string& path, Errors* errors, NodeSpec* out) {
  Reader r(j, path, errors);
  r.Read("podCIDR", &out->podCIDR);
  r.Read("podCIDRs", &out->podCIDRs);
  r.Read("providerID", &out->providerID);
  r.Read("unschedulable", &out->unschedulable);
  r.List("taints", &out->taints, DecodeTaint);
  out->unknown = r.Unknown();
}

Json EncodeNodeSpec(const NodeSpec& spec) {
  Json j = json::StartObject(spec.unknown);
  json::SetIfNotEmpty(j, "podCIDR", spec.podCIDR);
  json::SetIfNotEmpty(j, "podCIDRs", spec.podCIDRs);
  json::SetIfNotEmpty(j, "providerID", spec.providerID);
  SetBool(j, "unschedulable", spec.unschedulable);
  SetList(j, "taints", spec.taints, EncodeTaint);
  return j;
}

void DecodeNodeCondition(const Json& j, const std::string& path, Errors* errors, NodeCondition* out) {
  Reader r(j, path, errors);
  r.Read("type", &out->type);
  r.Read("status", &out->status);
  r.Read("lastHeartbeatTime", &out->lastHeartbeatTime);
  r.Read("lastTransitionTime", &out->lastTransitionTime);
  r.Read("reason", &out->reason);
  r.Read("message", &out->message);
  out->unknown = r.Unknown();
}

Json EncodeNodeCondition(const NodeCondition& c) {
  Json j = json::StartObject(c.unknown);
  j["type"] = c.type;
  j["status"] = c.status;
  json::SetIfSet(j, "lastHeartbeatTime", c.lastHeartbeatTime);
  json::SetIfSet(j, "lastTransitionTime", c.lastTransitionTime);
  json::SetIfNotEmpty(j, "reason", c.reason);
  json::SetIfNotEmpty(j, "message", c.message);
  return j;
}

void DecodeNodeAddress(const Json& j, const std::string& path, Errors* errors, NodeAddress* out) {
  Reader r(j, path, errors);
  r.Read("type", &out->type);
  r.Read("address", &out->address);
  out->unknown = r.Unknown();
}

Json EncodeNodeAddress(const NodeAddress& a) {
  Json j = json::StartObject(a.unknown);
  j["type"] = a.type;
  j["address"] = a.address;
  return j;
}

void DecodeNodeInfo(const Json& j, const std::string& path, Errors* errors, NodeSystemInfo* out) {
  Reader r(j, path, errors);
  r.Read("machineID", &out->machineID);
  r.Read("systemUUID", &out->systemUUID);
  r.Read("bootID", &out->bootID);
  r.Read("kernelVersion", &out->kernelVersion);
  r.Read("osImage", &out->osImage);
  r.Read("containerRuntimeVersion", &out->containerRuntimeVersion);
  r.Read("kubeletVersion", &out->kubeletVersion);
  r.Read("kubeProxyVersion", &out->kubeProxyVersion);
  r.Read("operatingSystem", &out->operatingSystem);
  r.Read("architecture", &out->architecture);
  out->unknown = r.Unknown();
}

Json EncodeNodeInfo(const NodeSystemInfo& info) {
  Json j = json::StartObject(info.unknown);
  json::SetIfNotEmpty(j, "machineID", info.machineID);
  json::SetIfNotEmpty(j, "systemUUID", info.systemUUID);
  json::SetIfNotEmpty(j, "bootID", info.bootID);
  json::SetIfNotEmpty(j, "kernelVersion", info.kernelVersion);
  json::SetIfNotEmpty(j, "osImage", info.osImage);
  json::SetIfNotEmpty(j, "containerRuntimeVersion", info.containerRuntimeVersion);
  json::SetIfNotEmpty(j, "kubeletVersion", info.kubeletVersion);
  json::SetIfNotEmpty(j, "kubeProxyVersion", info.kubeProxyVersion);
  json::SetIfNotEmpty(j, "operatingSystem", info.operatingSystem);
  json::SetIfNotEmpty(j, "architecture", info.architecture);
  return j;
}

void DecodeNodeStatus(const Json& j, const std::string& path, Errors* errors, NodeStatus* out) {
  Reader r(j, path, errors);
  r.Read("capacity", &out->capacity);
  r.Read("allocatable", &out->allocatable);
  r.Read("phase", &out->phase);
  r.List("conditions", &out->conditions, DecodeNodeCondition);
  r.List("addresses", &out->addresses, DecodeNodeAddress);
  r.Struct("nodeInfo", &out->nodeInfo, DecodeNodeInfo);
  out->unknown = r.Unknown();
}

Json EncodeNodeStatus(const NodeStatus& status) {
  Json j = json::StartObject(status.unknown);
  SetResourceList(j, "capacity", status.capacity);
  SetResourceList(j, "allocatable", status.allocatable);
  json::SetIfNotEmpty(j, "phase", status.phase);
  SetList(j, "conditions", status.conditions, EncodeNodeCondition);
  SetList(j, "addresses", status.addresses, EncodeNodeAddress);
  SetStruct(j, "nodeInfo", EncodeNodeInfo(status.nodeInfo));
  return j;
}

void DecodeServicePort(const Json& j, const std::string& path, Errors* errors, ServicePort* out) {
  Reader r(j, path, errors);
  r.Read("name", &out->name);
  r.Read("protocol", &out->protocol);
  r.Read("appProtocol", &out->appProtocol);
  r.Read("port", &out->port);
  r.Read("targetPort", &out->targetPort);
  r.Read("nodePort", &out->nodePort);
  out->unknown = r.Unknown();
}

Json EncodeServicePort(const ServicePort& port) {
  Json j = json::StartObject(port.unknown);
  json::SetIfNotEmpty(j, "name", port.name);
  json::SetIfNotEmpty(j, "protocol", port.protocol);
  json::SetIfNotEmpty(j, "appProtocol", port.appProtocol);
  j["port"] = port.port;
  if (!(port.targetPort.IsInt() && port.targetPort.intVal == 0))
    j["targetPort"] = EncodeIntOrString(port.targetPort);
  SetInt(j, "nodePort", port.nodePort);
  return j;
}

void DecodeServiceSpec(const Json& j, const std::string& path, Errors* errors, ServiceSpec* out) {
  Reader r(j, path, errors);
  r.List("ports", &out->ports, DecodeServicePort);
  r.Read("selector", &out->selector);
  r.Read("clusterIP", &out->clusterIP);
  r.Read("clusterIPs", &out->clusterIPs);
  r.Read("type", &out->type);
  r.Read("externalName", &out->externalName);
  r.Read("sessionAffinity", &out->sessionAffinity);
  r.Read("externalTrafficPolicy", &out->externalTrafficPolicy);
  r.Read("internalTrafficPolicy", &out->internalTrafficPolicy);
  r.Read("publishNotReadyAddresses", &out->publishNotReadyAddresses);
  r.Read("ipFamilies", &out->ipFamilies);
  r.Read("ipFamilyPolicy", &out->ipFamilyPolicy);
  out->unknown = r.Unknown();
}

Json EncodeServiceSpec(const ServiceSpec& spec) {
  Json j = json::StartObject(spec.unknown);
  SetList(j, "ports", spec.ports, EncodeServicePort);
  json::SetIfNotEmpty(j, "selector", spec.selector);
  json::SetIfNotEmpty(j, "clusterIP", spec.clusterIP);
  json::SetIfNotEmpty(j, "clusterIPs", spec.clusterIPs);
  json::SetIfNotEmpty(j, "type", spec.type);
  json::SetIfNotEmpty(j, "externalName", spec.externalName);
  json::SetIfNotEmpty(j, "sessionAffinity", spec.sessionAffinity);
  json::SetIfNotEmpty(j, "externalTrafficPolicy", spec.externalTrafficPolicy);
  json::SetIfNotEmpty(j, "internalTrafficPolicy", spec.internalTrafficPolicy);
  SetBool(j, "publishNotReadyAddresses", spec.publishNotReadyAddresses);
  json::SetIfNotEmpty(j, "ipFamilies", spec.ipFamilies);
  json::SetIfNotEmpty(j, "ipFamilyPolicy", spec.ipFamilyPolicy);
  return j;
}

void DecodeIngress(const Json& j, const std::string& path, Errors* errors, LoadBalancerIngress* out) {
  Reader r(j, path, errors);
  r.Read("ip", &out->ip);
  r.Read("hostname", &out->hostname);
  out->unknown = r.Unknown();
}

Json EncodeIngress(const LoadBalancerIngress& ingress) {
  Json j = json::StartObject(ingress.unknown);
  json::SetIfNotEmpty(j, "ip", ingress.ip);
  json::SetIfNotEmpty(j, "hostname", ingress.hostname);
  return j;
}

void DecodeLoadBalancer(const Json& j, const std::string& path, Errors* errors, LoadBalancerStatus* out) {
  Reader r(j, path, errors);
  r.List("ingress", &out->ingress, DecodeIngress);
  out->unknown = r.Unknown();
}

Json EncodeLoadBalancer(const LoadBalancerStatus& lb) {
  Json j = json::StartObject(lb.unknown);
  SetList(j, "ingress", lb.ingress, EncodeIngress);
  return j;
}

void DecodeServiceStatus(const Json& j, const std::string& path, Errors* errors, ServiceStatus* out) {
  Reader r(j, path, errors);
  r.Struct("loadBalancer", &out->loadBalancer, DecodeLoadBalancer);
  out->unknown = r.Unknown();
}

Json EncodeServiceStatus(const ServiceStatus& status) {
  Json j = json::StartObject(status.unknown);
  SetStruct(j, "loadBalancer", EncodeLoadBalancer(status.loadBalancer));
  return j;
}

void DecodeEndpointAddress(const Json& j, const std::string& path, Errors* errors, EndpointAddress* out) {
  Reader r(j, path, errors);
  r.Read("ip", &out->ip);
  r.Read("hostname", &out->hostname);
  r.Read("nodeName", &out->nodeName);
  r.Struct("targetRef", &out->targetRef, DecodeObjectReference);
  out->unknown = r.Unknown();
}

Json EncodeEndpointAddress(const EndpointAddress& a) {
  Json j = json::StartObject(a.unknown);
  j["ip"] = a.ip;
  json::SetIfNotEmpty(j, "hostname", a.hostname);
  json::SetIfNotEmpty(j, "nodeName", a.nodeName);
  SetOptional(j, "targetRef", a.targetRef, EncodeObjectReference);
  return j;
}

void DecodeEndpointPort(const Json& j, const std::string& path, Errors* errors, EndpointPort* out) {
  Reader r(j, path, errors);
  r.Read("name", &out->name);
  r.Read("port", &out->port);
  r.Read("protocol", &out->protocol);
  r.Read("appProtocol", &out->appProtocol);
  out->unknown = r.Unknown();
}

Json EncodeEndpointPort(const EndpointPort& p) {
  Json j = json::StartObject(p.unknown);
  json::SetIfNotEmpty(j, "name", p.name);
  j["port"] = p.port;
  json::SetIfNotEmpty(j, "protocol", p.protocol);
  json::SetIfNotEmpty(j, "appProtocol", p.appProtocol);
  return j;
}

void DecodeSubset(const Json& j, const std::string& path, Errors* errors, EndpointSubset* out) {
  Reader r(j, path, errors);
  r.List("addresses", &out->addresses, DecodeEndpointAddress);
  r.List("notReadyAddresses", &out->notReadyAddresses, DecodeEndpointAddress);
  r.List("ports", &out->ports, DecodeEndpointPort);
  out->unknown = r.Unknown();
}

Json EncodeSubset(const EndpointSubset& s) {
  Json j = json::StartObject(s.unknown);
  SetList(j, "addresses", s.addresses, EncodeEndpointAddress);
  SetList(j, "notReadyAddresses", s.notReadyAddresses, EncodeEndpointAddress);
  SetList(j, "ports", s.ports, EncodeEndpointPort);
  return j;
}

void DecodeEventSource(const Json& j, const std::string& path, Errors* errors, EventSource* out) {
  Reader r(j, path, errors);
  r.Read("component", &out->component);
  r.Read("host", &out->host);
  out->unknown = r.Unknown();
}

Json EncodeEventSource(const EventSource& source) {
  Json j = json::StartObject(source.unknown);
  json::SetIfNotEmpty(j, "component", source.component);
  json::SetIfNotEmpty(j, "host", source.host);
  return j;
}

void DecodeEventSeries(const Json& j, const std::string& path, Errors* errors, EventSeries* out) {
  Reader r(j, path, errors);
  r.Read("count", &out->count);
  r.Read("lastObservedTime", &out->lastObservedTime);
  out->unknown = r.Unknown();
}

Json EncodeEventSeries(const EventSeries& series) {
  Json j = json::StartObject(series.unknown);
  SetInt(j, "count", series.count);
  SetMicroTime(j, "lastObservedTime", series.lastObservedTime);
  return j;
}

}  // namespace
}  // namespace codec

template <>
absl::StatusOr<Namespace> FromObject<Namespace>(const Object& object) {
  return codec::FromSpecStatusObject<Namespace>(object, codec::DecodeNamespaceSpec,
                                                codec::DecodeNamespaceStatus);
}
template <>
Object ToObject<Namespace>(const Namespace& ns) {
  return codec::ToSpecStatusObject(ns, codec::EncodeNamespaceSpec, codec::EncodeNamespaceStatus);
}

template <>
absl::StatusOr<Node> FromObject<Node>(const Object& object) {
  return codec::FromSpecStatusObject<Node>(object, codec::DecodeNodeSpec, codec::DecodeNodeStatus);
}
template <>
Object ToObject<Node>(const Node& node) {
  return codec::ToSpecStatusObject(node, codec::EncodeNodeSpec, codec::EncodeNodeStatus);
}

template <>
absl::StatusOr<Pod> FromObject<Pod>(const Object& object) {
  return codec::FromSpecStatusObject<Pod>(object, codec::DecodePodSpec, codec::DecodePodStatus);
}
template <>
Object ToObject<Pod>(const Pod& pod) {
  return codec::ToSpecStatusObject(pod, codec::EncodePodSpec, codec::EncodePodStatus);
}

template <>
absl::StatusOr<Service> FromObject<Service>(const Object& object) {
  return codec::FromSpecStatusObject<Service>(object, codec::DecodeServiceSpec, codec::DecodeServiceStatus);
}
template <>
Object ToObject<Service>(const Service& service) {
  return codec::ToSpecStatusObject(service, codec::EncodeServiceSpec, codec::EncodeServiceStatus);
}

template <>
absl::StatusOr<Endpoints> FromObject<Endpoints>(const Object& object) {
  codec::KindParts parts;
  if (absl::Status s = codec::ParseKind(object, Endpoints::kApiVersion, Endpoints::kKind, &parts); !s.ok()) {
    return s;
  }
  Endpoints endpoints;
  endpoints.metadata = object.metadata;
  json::Errors errors;
  codec::Reader r(parts.rest, "", &errors);
  r.List("subsets", &endpoints.subsets, codec::DecodeSubset);
  endpoints.unknown = codec::KindUnknown(r, parts.status, /*kind_has_status=*/false);
  if (!errors.empty()) return errors.ToStatus();
  return endpoints;
}
template <>
Object ToObject<Endpoints>(const Endpoints& endpoints) {
  json::Json rest = json::StartObject(endpoints.unknown);
  codec::SetList(rest, "subsets", endpoints.subsets, codec::EncodeSubset);
  return codec::MakeObject(Endpoints::kApiVersion, Endpoints::kKind, endpoints.metadata, std::move(rest),
                           json::Json());
}

template <>
absl::StatusOr<ConfigMap> FromObject<ConfigMap>(const Object& object) {
  codec::KindParts parts;
  if (absl::Status s = codec::ParseKind(object, ConfigMap::kApiVersion, ConfigMap::kKind, &parts); !s.ok()) {
    return s;
  }
  ConfigMap config_map;
  config_map.metadata = object.metadata;
  json::Errors errors;
  codec::Reader r(parts.rest, "", &errors);
  r.Read("data", &config_map.data);
  r.Read("binaryData", &config_map.binaryData);
  r.Read("immutable", &config_map.immutable);
  config_map.unknown = codec::KindUnknown(r, parts.status, /*kind_has_status=*/false);
  if (!errors.empty()) return errors.ToStatus();
  return config_map;
}
template <>
Object ToObject<ConfigMap>(const ConfigMap& config_map) {
  json::Json rest = json::StartObject(config_map.unknown);
  json::SetIfNotEmpty(rest, "data", config_map.data);
  json::SetIfNotEmpty(rest, "binaryData", config_map.binaryData);
  json::SetIfSet(rest, "immutable", config_map.immutable);
  return codec::MakeObject(ConfigMap::kApiVersion, ConfigMap::kKind, config_map.metadata, std::move(rest),
                           json::Json());
}

template <>
absl::StatusOr<Event> FromObject<Event>(const Object& object) {
  codec::KindParts parts;
  if (absl::Status s = codec::ParseKind(object, Event::kApiVersion, Event::kKind, &parts); !s.ok()) return s;
  Event event;
  event.metadata = object.metadata;
  json::Errors errors;
  codec::Reader r(parts.rest, "", &errors);
  r.Struct("involvedObject", &event.involvedObject, codec::DecodeObjectReference);
  r.Read("reason", &event.reason);
  r.Read("message", &event.message);
  r.Struct("source", &event.source, codec::DecodeEventSource);
  r.Read("firstTimestamp", &event.firstTimestamp);
  r.Read("lastTimestamp", &event.lastTimestamp);
  r.Read("count", &event.count);
  r.Read("type", &event.type);
  r.Read("eventTime", &event.eventTime);
  r.Struct("series", &event.series, codec::DecodeEventSeries);
  r.Read("action", &event.action);
  r.Struct("related", &event.related, codec::DecodeObjectReference);
  r.Read("reportingComponent", &event.reportingComponent);
  r.Read("reportingInstance", &event.reportingInstance);
  event.unknown = codec::KindUnknown(r, parts.status, /*kind_has_status=*/false);
  if (!errors.empty()) return errors.ToStatus();
  return event;
}
namespace {

// An ObjectReference as JSON text, members in the order a JSON tree (sorted keys) writes them.
void WriteObjectReference(std::string* out, const ObjectReference& ref) {
  out->push_back('{');
  json::MemberWriter w(out);
  auto string = [&](absl::string_view key, const std::string& value) {
    if (!value.empty()) w.String(key, value);
  };
  string("apiVersion", ref.apiVersion);
  string("fieldPath", ref.fieldPath);
  string("kind", ref.kind);
  string("name", ref.name);
  string("namespace", ref.namespace_);
  string("resourceVersion", ref.resourceVersion);
  string("uid", ref.uid);
  out->push_back('}');
}

// An event's document written directly, without a JSON tree: the scheduler and the node agents
// record one or more per pod. Produces exactly the text and fields the tree would; an event with
// members the struct does not model (UnknownFields) takes the tree's path, which merges them.
Object EventToObjectDirect(const Event& event) {
  Object object;
  object.type.apiVersion = Event::kApiVersion;
  object.type.kind = Event::kKind;
  object.metadata = event.metadata;
  std::string& out = object.spec;
  out.clear();
  out.reserve(512);
  out.push_back('{');
  json::MemberWriter w(&out);
  if (!event.action.empty()) w.String("action", event.action);
  if (event.count != 0) w.Int("count", event.count);
  if (event.eventTime.IsSet()) w.String("eventTime", codec::MicroTimeText(event.eventTime));
  if (event.firstTimestamp.IsSet()) w.String("firstTimestamp", event.firstTimestamp.ToRfc3339());
  if (event.involvedObject != ObjectReference{})
    WriteObjectReference(w.Key("involvedObject"), event.involvedObject);
  if (event.lastTimestamp.IsSet()) w.String("lastTimestamp", event.lastTimestamp.ToRfc3339());
  if (!event.message.empty()) w.String("message", event.message);
  if (!event.reason.empty()) w.String("reason", event.reason);
  if (event.related) WriteObjectReference(w.Key("related"), *event.related);
  w.String("reportingComponent", event.reportingComponent);
  w.String("reportingInstance", event.reportingInstance);
  if (event.series) {
    std::string* series = w.Key("series");
    series->push_back('{');
    json::MemberWriter sw(series);
    if (event.series->count != 0) sw.Int("count", event.series->count);
    if (event.series->lastObservedTime.IsSet()) {
      sw.String("lastObservedTime", codec::MicroTimeText(event.series->lastObservedTime));
    }
    series->push_back('}');
  }
  if (!event.source.component.empty() || !event.source.host.empty()) {
    std::string* source = w.Key("source");
    source->push_back('{');
    json::MemberWriter sw(source);
    if (!event.source.component.empty()) sw.String("component", event.source.component);
    if (!event.source.host.empty()) sw.String("host", event.source.host);
    source->push_back('}');
  }
  if (!event.type.empty()) w.String("type", event.type);
  out.push_back('}');
  FillEventSelectableFields(&object, event);
  return object;
}

}  // namespace

template <>
Object ToObject<Event>(const Event& event) {
  const bool modelled = event.unknown.empty() && event.involvedObject.unknown.empty() &&
                        event.source.unknown.empty() && (!event.series || event.series->unknown.empty()) &&
                        (!event.related || event.related->unknown.empty());
  if (modelled) return EventToObjectDirect(event);
  json::Json rest = json::StartObject(event.unknown);
  codec::SetStruct(rest, "involvedObject", codec::EncodeObjectReference(event.involvedObject));
  json::SetIfNotEmpty(rest, "reason", event.reason);
  json::SetIfNotEmpty(rest, "message", event.message);
  codec::SetStruct(rest, "source", codec::EncodeEventSource(event.source));
  json::SetIfSet(rest, "firstTimestamp", event.firstTimestamp);
  json::SetIfSet(rest, "lastTimestamp", event.lastTimestamp);
  codec::SetInt(rest, "count", event.count);
  json::SetIfNotEmpty(rest, "type", event.type);
  codec::SetMicroTime(rest, "eventTime", event.eventTime);
  codec::SetOptional(rest, "series", event.series, codec::EncodeEventSeries);
  json::SetIfNotEmpty(rest, "action", event.action);
  codec::SetOptional(rest, "related", event.related, codec::EncodeObjectReference);
  rest["reportingComponent"] = event.reportingComponent;
  rest["reportingInstance"] = event.reportingInstance;
  return codec::MakeObject(Event::kApiVersion, Event::kKind, event.metadata, std::move(rest), json::Json());
}

}  // namespace orch
