// Typed codecs: real-world manifests survive JSON -> Object -> typed -> Object -> JSON unchanged, typed
// fields hold what the manifest says, and wrong types are reported with their full field path.
#include <doctest/doctest.h>

#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>

#include "orch/api/codec.h"
#include "orch/api/types.h"

namespace orch {
namespace {

using Json = nlohmann::json;

std::string ReadManifest(const std::string& name) {
  std::ifstream in(std::string(ORCH_TESTDATA_DIR) + "/manifests/" + name);
  REQUIRE_MESSAGE(in.good(), "cannot open ", name);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

// Decodes `text` as a T, checks that encoding it back gives the same JSON and the same typed value,
// and returns the typed value.
template <class T>
T RoundTrip(const std::string& text, const std::string& what) {
  absl::StatusOr<Object> object = DecodeObject(text);
  REQUIRE_MESSAGE(object.ok(), what, ": ", object.status().ToString());
  absl::StatusOr<T> typed = FromObject<T>(*object);
  REQUIRE_MESSAGE(typed.ok(), what, ": ", typed.status().ToString());
  Object back = ToObject(*typed);
  CHECK(back.type == object->type);
  CHECK(back.fields == object->fields);
  CHECK(back.status.empty() == object->status.empty());
  Json original = Json::parse(text);
  Json encoded = Json::parse(EncodeObject(back));
  CHECK_MESSAGE(encoded == original, what, " differs: ", Json::diff(original, encoded).dump());
  absl::StatusOr<T> again = FromObject<T>(back);
  REQUIRE(again.ok());
  CHECK(*again == *typed);
  return *typed;
}

template <class T>
T RoundTripFile(const std::string& name) {
  return RoundTrip<T>(ReadManifest(name), name);
}

std::string Field(const Object& object, const std::string& name) {
  for (const auto& [field, value] : object.fields) {
    if (field == name) return value;
  }
  return "<absent>";
}

// The error of decoding `text` as a T.
template <class T>
std::string DecodeError(const std::string& text) {
  absl::StatusOr<Object> object = DecodeObject(text);
  REQUIRE_MESSAGE(object.ok(), object.status().ToString());
  absl::StatusOr<T> typed = FromObject<T>(*object);
  REQUIRE(!typed.ok());
  CHECK(typed.status().code() == absl::StatusCode::kInvalidArgument);
  return std::string(typed.status().message());
}

// The manifest with one value replaced (a JSON pointer), as text.
std::string Patched(const std::string& name, const std::string& pointer, const Json& value) {
  Json j = Json::parse(ReadManifest(name));
  j[Json::json_pointer(pointer)] = value;
  return j.dump();
}

TEST_CASE("nginx Deployment with resources and probes") {
  Deployment d = RoundTripFile<Deployment>("deployment-nginx.json");
  CHECK(d.metadata.name == "nginx-deployment");
  CHECK(d.spec.replicas == 3);
  CHECK(d.spec.revisionHistoryLimit == 10);
  CHECK(d.spec.progressDeadlineSeconds == 600);
  REQUIRE(d.spec.selector.has_value());
  CHECK(d.spec.selector->matchLabels.at("app") == "nginx");
  CHECK(d.spec.strategy.type == "RollingUpdate");
  REQUIRE(d.spec.strategy.rollingUpdate.has_value());
  CHECK(d.spec.strategy.rollingUpdate->maxSurge == IntOrString::FromString("25%"));
  CHECK(*d.spec.strategy.rollingUpdate->maxUnavailable->GetScaledValueFromIntOrPercent(3, false) == 0);
  CHECK(d.spec.template_.metadata.labels.at("app") == "nginx");
  REQUIRE(d.spec.template_.spec.containers.size() == 1);
  const Container& nginx = d.spec.template_.spec.containers[0];
  CHECK(nginx.image == "nginx:1.14.2");
  CHECK(nginx.ports[0].containerPort == 80);
  CHECK(nginx.resources.limits.at("cpu").MilliValue() == 500);
  CHECK(nginx.resources.limits.at("memory").Value() == 128 * 1024 * 1024);
  CHECK(nginx.resources.requests.at("cpu") == Quantity::FromMilli(250));
  REQUIRE(nginx.livenessProbe.has_value());
  CHECK(nginx.livenessProbe->httpGet->port == IntOrString::FromInt(80));
  CHECK(nginx.livenessProbe->httpGet->httpHeaders[0].name == "Custom-Header");
  CHECK(nginx.livenessProbe->initialDelaySeconds == 3);
  CHECK(nginx.readinessProbe->tcpSocket->port == IntOrString::FromString("http"));
  CHECK(nginx.unknown.json.find("terminationMessagePath") != std::string::npos);
  CHECK(d.spec.template_.spec.unknown.json.find("securityContext") != std::string::npos);
  CHECK(d.metadata.unknown.json.find("managedFields") != std::string::npos);
  CHECK(d.status.availableReplicas == 3);
  CHECK(d.status.observedGeneration == 1);
  REQUIRE(d.status.conditions.size() == 2);
  CHECK(d.status.conditions[0].type == "Available");
  CHECK(d.status.conditions[0].lastUpdateTime.IsSet());
}

TEST_CASE("quantities are written in Kubernetes' canonical form, as kube-apiserver returns them") {
  Json pod = Json::parse(ReadManifest("pod-init-affinity.json"));
  Json& requests = pod["spec"]["initContainers"][1]["resources"]["requests"];
  requests = Json::parse(R"({"cpu":"0.1","memory":"1.5Gi","ephemeral-storage":"1e3","example.com/a":"12E"})");
  absl::StatusOr<Object> object = DecodeObject(pod.dump());
  REQUIRE(object.ok());
  absl::StatusOr<Pod> typed = FromObject<Pod>(*object);
  REQUIRE(typed.ok());
  Json encoded = Json::parse(EncodeObject(ToObject(*typed)));
  CHECK(encoded["spec"]["initContainers"][1]["resources"]["requests"] ==
        Json::parse(R"({"cpu":"100m","memory":"1536Mi","ephemeral-storage":"1e3","example.com/a":"12E"})"));
}

TEST_CASE("Deployment as written in the docs") {
  Deployment d = RoundTripFile<Deployment>("deployment-docs.json");
  CHECK(d.spec.replicas == 3);
  CHECK(d.spec.template_.spec.containers[0].ports[0].containerPort == 80);
  CHECK(ToObject(d).status.empty());
}

TEST_CASE("Pod with init containers, volumes, securityContext, affinity and tolerations") {
  Pod pod = RoundTripFile<Pod>("pod-init-affinity.json");
  const PodSpec& spec = pod.spec;
  REQUIRE(spec.initContainers.size() == 2);
  CHECK(spec.initContainers[1].args == std::vector<std::string>{"--db", "mydb"});
  CHECK(spec.initContainers[1].workingDir == "/work");
  CHECK(spec.initContainers[1].resources.requests.at("cpu").MilliValue() == 100);
  CHECK(spec.initContainers[1].resources.requests.at("memory").Value() == 1610612736);
  const Container& app = spec.containers[0];
  CHECK(app.env[1].valueFrom->fieldRef->fieldPath == "status.podIP");
  CHECK(app.env[2].valueFrom->resourceFieldRef->divisor == Quantity::FromMilli(1));
  CHECK(app.env[3].valueFrom->configMapKeyRef->key == "player_initial_lives");
  CHECK(app.startupProbe->exec->command.size() == 2);
  CHECK(app.startupProbe->failureThreshold == 30);
  CHECK(app.volumeMounts[1].readOnly);
  CHECK(app.unknown.json.find("securityContext") != std::string::npos);
  CHECK(app.unknown.json.find("envFrom") != std::string::npos);

  REQUIRE(spec.volumes.size() == 4);
  CHECK(spec.volumes[0].emptyDir->sizeLimit == Quantity::FromValue(500 * 1024 * 1024));
  CHECK(spec.volumes[1].configMap->defaultMode == 420);
  CHECK(spec.volumes[1].configMap->items[0].key == "game.properties");
  CHECK(spec.volumes[2].hostPath->type == "Directory");
  CHECK(spec.volumes[3].unknown.json.find("projected") != std::string::npos);

  REQUIRE(spec.affinity.has_value());
  const NodeSelector& required = *spec.affinity->nodeAffinity->requiredDuringSchedulingIgnoredDuringExecution;
  REQUIRE(required.nodeSelectorTerms.size() == 2);
  CHECK(required.nodeSelectorTerms[0].matchExpressions[0].values.size() == 2);
  CHECK(required.nodeSelectorTerms[1].matchFields[0].operator_ == "NotIn");
  CHECK(spec.affinity->nodeAffinity->preferredDuringSchedulingIgnoredDuringExecution[0].weight == 1);
  const PodAffinityTerm& together =
      spec.affinity->podAffinity->requiredDuringSchedulingIgnoredDuringExecution[0];
  CHECK(together.topologyKey == "topology.kubernetes.io/zone");
  CHECK(together.labelSelector->matchExpressions[0].key == "security");
  const WeightedPodAffinityTerm& apart =
      spec.affinity->podAntiAffinity->preferredDuringSchedulingIgnoredDuringExecution[0];
  CHECK(apart.weight == 100);
  CHECK(apart.podAffinityTerm.namespaces == std::vector<std::string>{"default", "other"});

  REQUIRE(spec.tolerations.size() == 3);
  CHECK(spec.tolerations[0].operator_ == "Equal");
  CHECK(spec.tolerations[1].tolerationSeconds == 300);
  CHECK(spec.topologySpreadConstraints[0].maxSkew == 1);
  CHECK(spec.topologySpreadConstraints[0].labelSelector->matchLabels.size() == 1);
  CHECK(spec.nodeSelector.at("disktype") == "ssd");
  CHECK(spec.priority == 0);  // set to zero, not unset
  CHECK(spec.terminationGracePeriodSeconds == 30);
  CHECK(spec.unknown.json.find("securityContext") != std::string::npos);

  const PodStatus& status = pod.status;
  CHECK(status.phase == "Running");
  CHECK(status.podIPs[0].ip == "10.244.0.5");
  CHECK(status.conditions[1].type == "Ready");
  CHECK(!status.conditions[1].lastProbeTime.IsSet());
  CHECK(status.containerStatuses[0].restartCount == 1);
  CHECK(status.containerStatuses[0].started == true);
  CHECK(status.containerStatuses[0].state.running->startedAt.IsSet());
  CHECK(status.containerStatuses[0].lastState.terminated->exitCode == 137);
  CHECK(status.initContainerStatuses[0].state.terminated->reason == "Completed");
  CHECK(status.initContainerStatuses[1].state.waiting->reason == "PodInitializing");

  Object object = ToObject(pod);
  CHECK(Field(object, "spec.nodeName") == "node-1");
  CHECK(Field(object, "spec.restartPolicy") == "Always");
  CHECK(Field(object, "spec.schedulerName") == "default-scheduler");
  CHECK(Field(object, "spec.serviceAccountName") == "default");
  CHECK(Field(object, "status.phase") == "Running");
  CHECK(Field(object, "status.podIP") == "10.244.0.5");
  CHECK(Field(object, "status.nominatedNodeName") == "<absent>");
}

TEST_CASE("Service with a named targetPort") {
  Service service = RoundTripFile<Service>("service-named-port.json");
  REQUIRE(service.spec.ports.size() == 2);
  CHECK(service.spec.ports[0].targetPort == IntOrString::FromString("http-web-svc"));
  CHECK(service.spec.ports[0].port == 80);
  CHECK(service.spec.ports[1].targetPort == IntOrString::FromInt(9113));
  CHECK(service.spec.ports[1].nodePort == 30007);
  CHECK(service.spec.type == "NodePort");
  CHECK(service.spec.clusterIPs == std::vector<std::string>{"10.96.120.15"});
  CHECK(service.spec.selector.at("app.kubernetes.io/name") == "proxy");
  CHECK(service.status.loadBalancer.ingress.empty());
}

TEST_CASE("ConfigMap") {
  ConfigMap cm = RoundTripFile<ConfigMap>("configmap-game-demo.json");
  CHECK(cm.data.size() == 4);
  CHECK(cm.data.at("player_initial_lives") == "3");
  CHECK(cm.binaryData.count("logo.png") == 1);
  CHECK(cm.immutable == false);
  CHECK(ToObject(cm).status.empty());
}

TEST_CASE("Node as the kubelet reports it") {
  Node node = RoundTripFile<Node>("node-kubelet.json");
  CHECK(node.spec.podCIDR == "10.244.0.0/24");
  CHECK(node.spec.unschedulable);
  REQUIRE(node.spec.taints.size() == 2);
  CHECK(node.spec.taints[0].effect == "NoSchedule");
  CHECK(node.spec.taints[1].timeAdded.IsSet());
  CHECK(node.status.capacity.at("cpu").MilliValue() == 8000);
  CHECK(node.status.allocatable.at("memory").Value() == 32657356LL * 1024);
  CHECK(node.status.allocatable.at("pods").Value() == 110);
  CHECK(node.status.capacity.at("hugepages-2Mi").IsZero());
  CHECK(node.status.conditions[3].type == "Ready");
  CHECK(node.status.conditions[3].status == "True");
  CHECK(node.status.addresses[0].address == "192.168.49.2");
  CHECK(node.status.nodeInfo.kubeletVersion == "v1.29.2");
  CHECK(node.status.unknown.json.find("daemonEndpoints") != std::string::npos);
  CHECK(Field(ToObject(node), "spec.unschedulable") == "true");
  node.spec.unschedulable = false;
  CHECK(Field(ToObject(node), "spec.unschedulable") == "false");
}

TEST_CASE("Events, old style and with a series") {
  Event scheduled = RoundTripFile<Event>("event-scheduled.json");
  CHECK(scheduled.involvedObject.kind == "Pod");
  CHECK(scheduled.involvedObject.name == "myapp-pod");
  CHECK(scheduled.reason == "Scheduled");
  CHECK(scheduled.count == 1);
  CHECK(scheduled.source.component == "default-scheduler");
  CHECK(scheduled.firstTimestamp.IsSet());
  CHECK(!scheduled.eventTime.IsSet());
  Object object = ToObject(scheduled);
  CHECK(Field(object, "involvedObject.kind") == "Pod");
  CHECK(Field(object, "involvedObject.name") == "myapp-pod");
  CHECK(Field(object, "involvedObject.namespace") == "default");
  CHECK(Field(object, "involvedObject.uid") == "9f8e7d6c-5b4a-4392-8170-6f5e4d3c2b1a");
  CHECK(Field(object, "involvedObject.resourceVersion") == "1195");
  CHECK(Field(object, "source") == "default-scheduler");
  CHECK(Field(object, "reportingComponent") == "default-scheduler");
  CHECK(Field(object, "reason") == "Scheduled");
  CHECK(Field(object, "type") == "Normal");

  Event backoff = RoundTripFile<Event>("event-series.json");
  CHECK(backoff.series->count == 12);
  CHECK(backoff.eventTime.value == absl::FromUnixMicros(1709290800123456));
  CHECK(backoff.related->kind == "Node");
  CHECK(backoff.involvedObject.fieldPath == "spec.containers{nginx}");
  CHECK(Field(ToObject(backoff), "involvedObject.fieldPath") == "spec.containers{nginx}");
}

// Events are encoded without a JSON tree; the text and fields must be what decoding that text gives
// (the tree's canonical dump, keys sorted), for every shape an event can take.
TEST_CASE("an Event's direct encoding is the tree's, byte for byte") {
  auto check = [](const Event& event, const std::string& what) {
    CAPTURE(what);
    Object direct = ToObject(event);
    absl::StatusOr<Object> decoded = DecodeObject(EncodeObject(direct));
    REQUIRE_MESSAGE(decoded.ok(), decoded.status().ToString());
    CHECK(direct.spec == decoded->spec);
    CHECK(direct.status == decoded->status);
    CHECK(direct.fields == decoded->fields);
    absl::StatusOr<Event> back = FromObject<Event>(direct);
    REQUIRE(back.ok());
    // (An empty reportingComponent/Instance is written, as Kubernetes does, and read back as an
    // unknown member, so only events with both set compare equal as structs.)
    if (!event.reportingComponent.empty() && !event.reportingInstance.empty()) CHECK(*back == event);
  };
  Event empty;
  check(empty, "empty");
  Event scheduled = RoundTripFile<Event>("event-scheduled.json");
  check(scheduled, "event-scheduled.json");
  Event series = RoundTripFile<Event>("event-series.json");
  check(series, "event-series.json");
  Event odd = scheduled;
  odd.message = "quote \" backslash \\ newline \n tab \t nul " + std::string(1, '\0') + " \x01 \u00e9 \u2603";
  odd.reason = "";
  odd.type = "";
  odd.source = {};
  odd.count = 0;
  odd.series = EventSeries{};
  odd.related = ObjectReference{};
  odd.action = "Binding";
  odd.eventTime = Time{absl::FromUnixMicros(1709290800000001)};
  check(odd, "escapes, empty strings, empty series and related");
  odd.reportingInstance = "";
  check(odd, "an empty reportingInstance");
  Event host_only = scheduled;
  host_only.source.component = "";
  host_only.source.host = "node-1";
  host_only.involvedObject = {};
  check(host_only, "a source with only a host, no involvedObject");

  // Members the struct does not model take the tree's path and are kept.
  Event unknown = scheduled;
  unknown.unknown.json = R"({"zeta":1,"alpha":{"b":2}})";
  Object object = ToObject(unknown);
  Json spec = Json::parse(object.spec);
  CHECK(spec["zeta"] == 1);
  CHECK(spec["alpha"]["b"] == 2);
  CHECK(Field(object, "reason") == "Scheduled");
}

TEST_CASE("Endpoints, ReplicaSet and Namespace") {
  Endpoints endpoints = RoundTripFile<Endpoints>("endpoints-nginx.json");
  REQUIRE(endpoints.subsets.size() == 1);
  CHECK(endpoints.subsets[0].addresses[0].targetRef->name == "nginx-deployment-66b6c48dd5-4jw2p");
  CHECK(endpoints.subsets[0].addresses[1].hostname == "web-0");
  CHECK(endpoints.subsets[0].notReadyAddresses[0].nodeName == "node-3");
  CHECK(endpoints.subsets[0].ports[1].appProtocol == "http");

  ReplicaSet rs = RoundTripFile<ReplicaSet>("replicaset-frontend.json");
  CHECK(rs.spec.replicas == 3);
  CHECK(rs.spec.selector->matchExpressions[0].values[0] == "frontend");
  CHECK(rs.metadata.ControllerRef()->name == "nginx-deployment");
  CHECK(rs.status.fullyLabeledReplicas == 3);
  CHECK(Field(ToObject(rs), "status.replicas") == "3");

  Namespace ns = RoundTripFile<Namespace>("namespace-terminating.json");
  CHECK(ns.spec.finalizers == std::vector<std::string>{"kubernetes"});
  CHECK(ns.status.phase == "Terminating");
  CHECK(Field(ToObject(ns), "status.phase") == "Terminating");
}

TEST_CASE("zero values, nulls and empty status survive as written") {
  RoundTrip<Pod>(R"({"apiVersion":"v1","kind":"Pod","metadata":{"name":"p"},
      "spec":{"containers":[{"name":"a","image":"b","args":[],"ports":[{"containerPort":80,"hostPort":0}],
      "resources":{},"livenessProbe":{}}],"hostNetwork":false,"nodeName":"","affinity":{},
      "volumes":[{"name":"v","emptyDir":{}}],"priority":null},"status":{}})",
                 "zero values");
  RoundTrip<Service>(R"({"apiVersion":"v1","kind":"Service","metadata":{"name":"s"},
      "spec":{"ports":[{"port":53,"targetPort":0,"protocol":"UDP"}]}})",
                     "targetPort 0");
  RoundTrip<ConfigMap>(R"({"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"c"},"data":{},
      "status":{"odd":true}})",
                       "configmap with status");
  RoundTrip<Deployment>(R"({"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"d"},
      "spec":{"replicas":0,"selector":{},"template":{"metadata":{"labels":{},"creationTimestamp":null},
      "spec":{"containers":[]}},"strategy":{"type":"Recreate"},"paused":false}})",
                        "deployment zero values");
}

TEST_CASE("quantities given as JSON numbers are written as strings, as Kubernetes does") {
  absl::StatusOr<Pod> pod = DecodeJson<Pod>(R"({"apiVersion":"v1","kind":"Pod","metadata":{"name":"p"},
      "spec":{"containers":[{"name":"a","resources":{"limits":{"cpu":0.5,"memory":1073741824}}}]}})");
  REQUIRE(pod.ok());
  const ResourceList& limits = pod->spec.containers[0].resources.limits;
  CHECK(limits.at("cpu").MilliValue() == 500);
  CHECK(limits.at("memory").Value() == 1073741824);
  Json encoded = Json::parse(EncodeJson(*pod));
  CHECK(encoded["spec"]["containers"][0]["resources"]["limits"]["cpu"] == "500m");
  CHECK(encoded["spec"]["containers"][0]["resources"]["limits"]["memory"] == "1073741824");
}

TEST_CASE("typed objects built in code encode as Kubernetes would") {
  Pod pod;
  pod.metadata.name = "web";
  pod.metadata.namespace_ = "default";
  Container c;
  c.name = "web";
  c.image = "nginx";
  c.ports.emplace_back().containerPort = 8080;
  c.resources.requests["cpu"] = Quantity::FromMilli(100);
  c.resources.requests["memory"] = Quantity::FromValue(64 * 1024 * 1024, Quantity::Format::kBinarySI);
  pod.spec.containers.push_back(c);
  Object object = ToObject(pod);
  CHECK(object.type.apiVersion == "v1");
  CHECK(object.type.kind == "Pod");
  CHECK(object.status.empty());
  // The selectable fields with a value: spec.hostNetwork reads "false" when unset, as in Kubernetes.
  CHECK(object.fields == std::vector<std::pair<std::string, std::string>>{{"spec.hostNetwork", "false"}});
  CHECK(Json::parse(object.spec) ==
        Json::parse(R"({"spec":{"containers":[{"name":"web","image":"nginx","ports":[{"containerPort":8080}],
            "resources":{"requests":{"cpu":"100m","memory":"64Mi"}}}]}})"));

  ReplicaSet rs;
  rs.metadata.name = "rs";
  Object rs_object = ToObject(rs);
  CHECK(Json::parse(rs_object.status) == Json::parse(R"({"replicas":0})"));
  CHECK(Field(rs_object, "status.replicas") == "0");

  Event event;
  event.metadata.name = "e";
  event.eventTime.value = absl::FromUnixMicros(1709290800000001);
  Json event_json = Json::parse(ToObject(event).spec);
  CHECK(event_json["eventTime"] == "2024-03-01T11:00:00.000001Z");
  CHECK(event_json["reportingComponent"] == "");
}

TEST_CASE("FromObject rejects another kind") {
  absl::StatusOr<Object> deployment = DecodeObject(ReadManifest("deployment-nginx.json"));
  REQUIRE(deployment.ok());
  absl::StatusOr<Pod> pod = FromObject<Pod>(*deployment);
  CHECK(pod.status().code() == absl::StatusCode::kInvalidArgument);
  CHECK(pod.status().message() == "object is apps/v1 Deployment, expected v1 Pod");
  Object v2 = *deployment;
  v2.type.apiVersion = "apps/v2";
  CHECK(!FromObject<Deployment>(v2).ok());
  CHECK(!FromObject<ReplicaSet>(*deployment).ok());
}

TEST_CASE("wrong types are reported with their full field path") {
  const std::string deployment = "deployment-nginx.json";
  Json ports = Json::parse(R"([{"containerPort":80},{"containerPort":"8080"}])");
  CHECK(DecodeError<Deployment>(Patched(deployment, "/spec/template/spec/containers/0/ports", ports)) ==
        "spec.template.spec.containers[0].ports[1].containerPort: expected integer, got string");
  CHECK(DecodeError<Deployment>(Patched(deployment, "/spec/replicas", "3")) ==
        "spec.replicas: expected integer, got string");
  CHECK(DecodeError<Deployment>(
            Patched(deployment, "/spec/template/spec/containers/0/resources/limits/cpu", "lots")) ==
        "spec.template.spec.containers[0].resources.limits.cpu: quantity \"lots\": quantities must match the "
        "regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'");
  CHECK(DecodeError<Deployment>(Patched(deployment, "/spec/template/metadata/labels/app", 7)) ==
        "spec.template.metadata.labels.app: expected string, got number");
  CHECK(DecodeError<Deployment>(Patched(deployment, "/spec/strategy/rollingUpdate/maxSurge", 1.5)) ==
        "spec.strategy.rollingUpdate.maxSurge: expected integer or string, got number");
  CHECK(DecodeError<Deployment>(Patched(deployment, "/status/conditions", Json::object())) ==
        "status.conditions: expected array, got object");
  CHECK(DecodeError<Deployment>(
            Patched(deployment, "/spec/template/spec/containers/0/livenessProbe/httpGet", "/healthz")) ==
        "spec.template.spec.containers[0].livenessProbe.httpGet: expected object, got string");

  const std::string pod = "pod-init-affinity.json";
  CHECK(DecodeError<Pod>(Patched(pod, "/status/containerStatuses/0/ready", "yes")) ==
        "status.containerStatuses[0].ready: expected boolean, got string");
  CHECK(DecodeError<Pod>(Patched(pod, "/spec/tolerations/1/tolerationSeconds", "300")) ==
        "spec.tolerations[1].tolerationSeconds: expected integer, got string");
  CHECK(DecodeError<Pod>(Patched(pod,
                                 "/spec/affinity/nodeAffinity/requiredDuringSchedulingIgnoredDuringExecution/"
                                 "nodeSelectorTerms/0/matchExpressions/0/values",
                                 "zone-a")) ==
        "spec.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms[0]."
        "matchExpressions[0].values: expected array, got string");
  CHECK(DecodeError<Pod>(Patched(pod, "/status/startTime", "yesterday")) ==
        "status.startTime: Invalid value: \"yesterday\": expected an RFC 3339 time");
  CHECK(DecodeError<Pod>(
            Patched(pod, "/spec/containers/0/ports", Json::parse(R"([{"containerPort":1e12}])"))) ==
        "spec.containers[0].ports[0].containerPort: expected integer, got number");

  // Every error is reported, joined by "; ".
  Json both = Json::parse(ReadManifest("service-named-port.json"));
  both["spec"]["ports"][0]["port"] = "80";
  both["spec"]["ports"][1]["targetPort"] = true;
  CHECK(DecodeError<Service>(both.dump()) ==
        "spec.ports[0].port: expected integer, got string; "
        "spec.ports[1].targetPort: expected integer or string, got boolean");
  CHECK(DecodeError<Event>(Patched("event-scheduled.json", "/count", "1")) ==
        "count: expected integer, got string");
  CHECK(DecodeError<Node>(Patched("node-kubelet.json", "/status/capacity/cpu", "8 cores")) ==
        "status.capacity.cpu: quantity \"8 cores\": quantities must match the regular expression "
        "'^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'");
  CHECK(DecodeError<Node>(Patched("node-kubelet.json", "/status", "Ready")) ==
        "status: expected object, got string");
}

}  // namespace
}  // namespace orch
