// The defaults kube-apiserver fills on the built-in kinds, after pkg/apis/core/v1/defaults.go and
// pkg/apis/apps/v1/defaults.go (SetDefaults_* and the declarative defaults of the generated code),
// on the typed structs (admission::Default, which Client's writes apply) and on Objects
// (ApplyDefaults, orch/validation.h: FromObject -> admission::Default -> ToObject). Fields orch does
// not model travel through untouched; the few modeled-nowhere fields Kubernetes defaults
// (securityContext, enableServiceLinks, terminationMessagePath, ...) are set in UnknownFields.
#include <string>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "orch/api/codec.h"
#include "orch/api/types.h"
#include "orch/api/validation.h"
#include "src/core/api/admission.h"
#include "src/core/api/json_util.h"

namespace orch {
namespace {

using json::Json;

// Sets `key` in unmodeled JSON when it is absent, null or an empty string, as Kubernetes defaults
// a nil pointer or empty string.
void DefaultUnknown(UnknownFields* unknown, const char* key, Json value) {
  Json j = Json::object();
  if (!unknown->json.empty() && (!json::Parse(unknown->json, "unknown", &j).ok() || !j.is_object())) return;
  auto it = j.find(key);
  if (it != j.end() && !it->is_null() && !(it->is_string() && it->get_ref<const std::string&>().empty()))
    return;
  j[key] = std::move(value);
  unknown->json = json::Dump(j);
}

// Removes `key` from unmodeled JSON.
void EraseUnknown(UnknownFields* unknown, const char* key) {
  Json j;
  if (unknown->empty() || !json::Parse(unknown->json, "unknown", &j).ok() || !j.is_object()) return;
  if (j.erase(key) == 0) return;
  unknown->json = j.empty() ? "" : json::Dump(j);
}

// parsers.ParseImageName's answer to "is the tag latest?": a missing tag (and no digest) means latest;
// a name that does not parse has no tag.
bool IsLatestTag(absl::string_view image) {
  if (image.empty()) return false;
  size_t at = image.find('@');
  bool has_digest = at != absl::string_view::npos;
  absl::string_view name = image.substr(0, at);
  size_t slash = name.rfind('/');
  absl::string_view last = slash == absl::string_view::npos ? name : name.substr(slash + 1);
  size_t colon = last.find(':');
  absl::string_view repository = last.substr(0, colon);
  absl::string_view tag = colon == absl::string_view::npos ? "" : last.substr(colon + 1);
  for (char c : repository) {
    if (absl::ascii_isupper(static_cast<unsigned char>(c)) ||
        absl::ascii_isspace(static_cast<unsigned char>(c))) {
      return false;  // not a valid reference
    }
  }
  if (tag.empty() && !has_digest) return true;
  return tag == "latest";
}

// SetDefaults_Probe and SetDefaults_HTTPGetAction.
void DefaultProbe(std::optional<Probe>* probe) {
  if (!probe->has_value()) return;
  Probe& p = **probe;
  if (p.timeoutSeconds == 0) p.timeoutSeconds = 1;
  if (p.periodSeconds == 0) p.periodSeconds = 10;
  if (p.successThreshold == 0) p.successThreshold = 1;
  if (p.failureThreshold == 0) p.failureThreshold = 3;
  if (p.httpGet.has_value()) {
    if (p.httpGet->path.empty()) p.httpGet->path = "/";
    if (p.httpGet->scheme.empty()) p.httpGet->scheme = "HTTP";
  }
}

// SetDefaults_ResourceList: every quantity rounded up to a whole milli unit ("1n" of cpu is stored as
// "1m"), as kube-apiserver does to every v1 resource list it decodes.
void DefaultResourceList(ResourceList* list) {
  for (auto& [name, quantity] : *list) quantity.RoundUp(-3);
}

// SetDefaults_Container plus the declarative defaults of its ports, probes, env and resources.
void DefaultContainer(Container* c) {
  DefaultResourceList(&c->resources.limits);
  DefaultResourceList(&c->resources.requests);
  if (c->imagePullPolicy.empty()) c->imagePullPolicy = IsLatestTag(c->image) ? "Always" : "IfNotPresent";
  DefaultUnknown(&c->unknown, "terminationMessagePath", "/dev/termination-log");
  DefaultUnknown(&c->unknown, "terminationMessagePolicy", "File");
  for (ContainerPort& port : c->ports) {
    if (port.protocol.empty()) port.protocol = "TCP";
  }
  for (EnvVar& var : c->env) {
    if (var.valueFrom.has_value() && var.valueFrom->fieldRef.has_value() &&
        var.valueFrom->fieldRef->apiVersion.empty()) {
      var.valueFrom->fieldRef->apiVersion = "v1";
    }
  }
  DefaultProbe(&c->livenessProbe);
  DefaultProbe(&c->readinessProbe);
  DefaultProbe(&c->startupProbe);
}

// SetDefaults_Volume and the volume sources' defaults.
void DefaultVolume(Volume* v) {
  constexpr int32_t kDefaultMode = 0644;
  bool has_source = v->hostPath.has_value() || v->emptyDir.has_value() || v->configMap.has_value() ||
                    v->secret.has_value() || v->persistentVolumeClaim.has_value();
  if (!has_source && !v->unknown.empty()) {
    Json j;
    if (json::Parse(v->unknown.json, "unknown", &j).ok() && j.is_object()) {
      for (auto it = j.begin(); it != j.end(); ++it) has_source |= it.key() != "name" && !it->is_null();
    }
  }
  if (!has_source) v->emptyDir.emplace();
  if (v->hostPath.has_value() && !v->hostPath->type.has_value()) v->hostPath->type = "";
  if (v->configMap.has_value() && !v->configMap->defaultMode.has_value())
    v->configMap->defaultMode = kDefaultMode;
  if (v->secret.has_value() && !v->secret->defaultMode.has_value()) v->secret->defaultMode = kDefaultMode;
}

// SetDefaults_PodSpec and what the generated defaulters apply beneath it (pods and templates).
void DefaultPodSpec(PodSpec* spec) {
  if (spec->dnsPolicy.empty()) spec->dnsPolicy = "ClusterFirst";
  if (spec->restartPolicy.empty()) spec->restartPolicy = "Always";
  DefaultUnknown(&spec->unknown, "securityContext", Json::object());
  if (!spec->terminationGracePeriodSeconds.has_value()) spec->terminationGracePeriodSeconds = 30;
  if (spec->schedulerName.empty()) spec->schedulerName = "default-scheduler";
  DefaultResourceList(&spec->overhead);
  for (Volume& v : spec->volumes) DefaultVolume(&v);
  for (Container& c : spec->initContainers) DefaultContainer(&c);
  for (Container& c : spec->containers) DefaultContainer(&c);
}

}  // namespace

namespace admission {

// SetDefaults_Pod: what only Pods (not templates) get.
void Default(Pod* pod) {
  for (auto* list : {&pod->spec.containers, &pod->spec.initContainers}) {
    for (Container& c : *list) {
      for (const auto& [name, limit] : c.resources.limits) c.resources.requests.emplace(name, limit);
      if (pod->spec.hostNetwork) {
        for (ContainerPort& port : c.ports) {
          if (port.hostPort == 0) port.hostPort = port.containerPort;
        }
      }
    }
  }
  DefaultUnknown(&pod->spec.unknown, "enableServiceLinks", true);
  DefaultPodSpec(&pod->spec);
}

// SetDefaults_Service.
void Default(Service* service) {
  ServiceSpec& spec = service->spec;
  if (spec.sessionAffinity.empty()) spec.sessionAffinity = "None";
  if (spec.sessionAffinity == "None") EraseUnknown(&spec.unknown, "sessionAffinityConfig");
  if (spec.sessionAffinity == "ClientIP") {
    Json j;
    bool has_timeout = false;
    if (!spec.unknown.empty() && json::Parse(spec.unknown.json, "unknown", &j).ok() && j.is_object()) {
      const Json* config = j.contains("sessionAffinityConfig") ? &j["sessionAffinityConfig"] : nullptr;
      has_timeout = config != nullptr && config->is_object() && config->contains("clientIP") &&
                    (*config)["clientIP"].is_object() && (*config)["clientIP"].contains("timeoutSeconds") &&
                    !(*config)["clientIP"]["timeoutSeconds"].is_null();
    }
    if (!has_timeout) {
      EraseUnknown(&spec.unknown, "sessionAffinityConfig");
      DefaultUnknown(&spec.unknown, "sessionAffinityConfig", Json{{"clientIP", {{"timeoutSeconds", 10800}}}});
    }
  }
  if (spec.type.empty()) spec.type = "ClusterIP";
  for (ServicePort& port : spec.ports) {
    if (port.protocol.empty()) port.protocol = "TCP";
    bool unset = port.targetPort.IsInt() ? port.targetPort.intVal == 0 : port.targetPort.strVal.empty();
    if (unset) port.targetPort = IntOrString::FromInt(port.port);
  }
  bool external = spec.type == "NodePort" || spec.type == "LoadBalancer";
  if (spec.type == "ClusterIP") {
    Json j;
    external = !spec.unknown.empty() && json::Parse(spec.unknown.json, "unknown", &j).ok() && j.is_object() &&
               j.contains("externalIPs") && j["externalIPs"].is_array() && !j["externalIPs"].empty();
  }
  if (external && spec.externalTrafficPolicy.empty()) spec.externalTrafficPolicy = "Cluster";
  if (spec.internalTrafficPolicy.empty() &&
      (spec.type == "NodePort" || spec.type == "LoadBalancer" || spec.type == "ClusterIP")) {
    spec.internalTrafficPolicy = "Cluster";
  }
  if (spec.type == "LoadBalancer") DefaultUnknown(&spec.unknown, "allocateLoadBalancerNodePorts", true);
}

// SetDefaults_Deployment and the template's pod defaults.
void Default(Deployment* d) {
  DeploymentSpec& spec = d->spec;
  if (!spec.replicas.has_value()) spec.replicas = 1;
  if (spec.strategy.type.empty()) spec.strategy.type = "RollingUpdate";
  if (spec.strategy.type == "RollingUpdate") {
    RollingUpdateDeployment& rolling = spec.strategy.rollingUpdate.has_value()
                                           ? *spec.strategy.rollingUpdate
                                           : spec.strategy.rollingUpdate.emplace();
    if (!rolling.maxUnavailable.has_value()) rolling.maxUnavailable = IntOrString::FromString("25%");
    if (!rolling.maxSurge.has_value()) rolling.maxSurge = IntOrString::FromString("25%");
  }
  if (!spec.revisionHistoryLimit.has_value()) spec.revisionHistoryLimit = 10;
  if (!spec.progressDeadlineSeconds.has_value()) spec.progressDeadlineSeconds = 600;
  DefaultPodSpec(&spec.template_.spec);
}

// SetDefaults_ReplicaSet (apps/v1 does not default the selector from the template).
void Default(ReplicaSet* rs) {
  if (!rs->spec.replicas.has_value()) rs->spec.replicas = 1;
  DefaultPodSpec(&rs->spec.template_.spec);
}

// SetDefaults_Namespace: the label that lets selectors pick namespaces by name.
void Default(Namespace* ns) {
  if (!ns->metadata.name.empty()) ns->metadata.labels["kubernetes.io/metadata.name"] = ns->metadata.name;
}

// SetDefaults_NodeStatus: allocatable defaults to capacity; both are resource lists.
void Default(Node* node) {
  if (node->status.allocatable.empty() && !node->status.capacity.empty()) {
    node->status.allocatable = node->status.capacity;
  }
  DefaultResourceList(&node->status.capacity);
  DefaultResourceList(&node->status.allocatable);
}

// SetDefaults_Endpoints: port protocol.
void Default(Endpoints* endpoints) {
  for (EndpointSubset& subset : endpoints->subsets) {
    for (EndpointPort& port : subset.ports) {
      if (port.protocol.empty()) port.protocol = "TCP";
    }
  }
}

}  // namespace admission

absl::Status ApplyDefaults(Object* object) {
  return admission::NoThrow("defaulting", [&] {
    return admission::VisitKind(
        object->type,
        [&]<class T>(std::type_identity<T>) {
          if constexpr (admission::kDefaulted<T>) {
            absl::StatusOr<T> typed = FromObject<T>(*object);
            if (!typed.ok()) return typed.status();
            admission::Default(&*typed);
            *object = ToObject(*typed);
          }
          return absl::OkStatus();
        },
        [] { return absl::OkStatus(); });
  });
}

}  // namespace orch
