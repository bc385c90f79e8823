// Container validation as pkg/apis/core/validation does it: names, images, ports, environment,
// resources, volume mounts, probes and pull policy of containers and init containers.
#include <algorithm>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "src/core/api/validation_internal.h"

namespace orch::validation {
namespace {

constexpr absl::string_view kInitProbeForbidden =
    "may not be set for init containers without restartPolicy=Always";

// A port's protocol after defaulting (empty means TCP).
std::string EffectiveProtocol(const std::string& protocol) { return protocol.empty() ? "TCP" : protocol; }

// validateContainerPorts: names (IANA_SVC_NAME, unique), numbers, protocol.
void ValidateContainerPorts(const std::vector<ContainerPort>& ports, absl::string_view path,
                            FieldErrors* errs) {
  std::set<std::string> names;
  for (size_t i = 0; i < ports.size(); ++i) {
    const ContainerPort& port = ports[i];
    std::string idx = Index(path, i);
    if (!port.name.empty()) {
      std::vector<std::string> msgs = IsValidPortName(port.name);
      for (const std::string& msg : msgs) errs->push_back(FieldInvalid(Child(idx, "name"), port.name, msg));
      if (msgs.empty() && !names.insert(port.name).second) {
        errs->push_back(FieldDuplicate(Child(idx, "name"), port.name));
      }
    }
    if (port.containerPort == 0) {
      errs->push_back(FieldRequired(Child(idx, "containerPort")));
    } else {
      for (const std::string& msg : IsValidPortNum(port.containerPort)) {
        errs->push_back(FieldInvalidInt(Child(idx, "containerPort"), port.containerPort, msg));
      }
    }
    if (port.hostPort != 0) {
      for (const std::string& msg : IsValidPortNum(port.hostPort)) {
        errs->push_back(FieldInvalidInt(Child(idx, "hostPort"), port.hostPort, msg));
      }
    }
    if (!port.protocol.empty() && port.protocol != "TCP" && port.protocol != "UDP" &&
        port.protocol != "SCTP") {
      errs->push_back(FieldNotSupported(Child(idx, "protocol"), port.protocol, {"SCTP", "TCP", "UDP"}));
    }
  }
}

// AccumulateUniqueHostPorts: one host port per hostIP/protocol across the containers given.
void CheckHostPortConflicts(const std::vector<const Container*>& containers,
                            const std::vector<size_t>& indexes, absl::string_view path,
                            std::set<std::string>* seen, FieldErrors* errs) {
  for (size_t c = 0; c < containers.size(); ++c) {
    const std::vector<ContainerPort>& ports = containers[c]->ports;
    for (size_t p = 0; p < ports.size(); ++p) {
      if (ports[p].hostPort == 0) continue;
      std::string key =
          absl::StrCat(ports[p].hostIP, "/", EffectiveProtocol(ports[p].protocol), "/", ports[p].hostPort);
      if (!seen->insert(key).second) {
        errs->push_back(
            FieldDuplicate(Child(Index(Child(Index(path, indexes[c]), "ports"), p), "hostPort"), key));
      }
    }
  }
}

// validateObjectFieldSelector for environment variables (the downward API).
void ValidateFieldRef(const ObjectFieldSelector& ref, absl::string_view path, FieldErrors* errs) {
  if (ref.fieldPath.empty()) {
    errs->push_back(FieldRequired(Child(path, "fieldPath")));
    return;
  }
  // metadata.labels['x'] and metadata.annotations['x'] select one key.
  size_t bracket = ref.fieldPath.find('[');
  if (bracket != std::string::npos && absl::EndsWith(ref.fieldPath, "']") &&
      ref.fieldPath.compare(bracket, 2, "['") == 0) {
    std::string field = ref.fieldPath.substr(0, bracket);
    std::string subscript = ref.fieldPath.substr(bracket + 2, ref.fieldPath.size() - bracket - 4);
    if (field == "metadata.annotations" || field == "metadata.labels") {
      if (field == "metadata.annotations") subscript = absl::AsciiStrToLower(subscript);
      for (const std::string& msg : IsQualifiedName(subscript))
        errs->push_back(FieldInvalid(path, subscript, msg));
    } else {
      errs->push_back(FieldInvalid(path, field, "does not support subscript"));
    }
    return;
  }
  static const std::vector<std::string> kSupported = {
      "metadata.name", "metadata.namespace", "metadata.uid", "spec.nodeName", "spec.serviceAccountName",
      "status.hostIP", "status.hostIPs",     "status.podIP", "status.podIPs"};
  for (const std::string& s : kSupported) {
    if (s == ref.fieldPath) return;
  }
  errs->push_back(FieldNotSupported(Child(path, "fieldPath"), ref.fieldPath, kSupported));
}

// validateConfigMapKeySelector / validateSecretKeySelector.
void ValidateKeySelector(const KeySelector& ref, absl::string_view path, FieldErrors* errs) {
  for (const std::string& msg : IsDns1123Subdomain(ref.name)) {
    errs->push_back(FieldInvalid(Child(path, "name"), ref.name, msg));
  }
  if (ref.key.empty()) {
    errs->push_back(FieldRequired(Child(path, "key")));
  } else {
    for (const std::string& msg : IsConfigMapKey(ref.key))
      errs->push_back(FieldInvalid(Child(path, "key"), ref.key, msg));
  }
}

// validateEnvVarValueFrom: exactly one source, and no literal value beside it.
void ValidateEnvValueFrom(const EnvVar& var, absl::string_view path, FieldErrors* errs) {
  if (!var.valueFrom.has_value()) return;
  const EnvVarSource& from = *var.valueFrom;
  int sources = 0;
  if (from.fieldRef.has_value()) {
    ++sources;
    ValidateFieldRef(*from.fieldRef, Child(path, "fieldRef"), errs);
  }
  if (from.resourceFieldRef.has_value()) {
    ++sources;
    const std::string& resource = from.resourceFieldRef->resource;
    std::string resource_path = Child(Child(path, "resourceFieldRef"), "resource");
    static const std::vector<std::string> kResources = {
        "limits.cpu",   "limits.ephemeral-storage",   "limits.memory",
        "requests.cpu", "requests.ephemeral-storage", "requests.memory"};
    bool hugepages =
        absl::StartsWith(resource, "limits.hugepages-") || absl::StartsWith(resource, "requests.hugepages-");
    if (resource.empty()) {
      errs->push_back(FieldRequired(resource_path));
    } else if (!hugepages && std::find(kResources.begin(), kResources.end(), resource) == kResources.end()) {
      errs->push_back(FieldNotSupported(resource_path, resource, kResources));
    }
  }
  if (from.configMapKeyRef.has_value()) {
    ++sources;
    ValidateKeySelector(*from.configMapKeyRef, Child(path, "configMapKeyRef"), errs);
  }
  if (from.secretKeyRef.has_value()) {
    ++sources;
    ValidateKeySelector(*from.secretKeyRef, Child(path, "secretKeyRef"), errs);
  }
  if (sources == 0) {
    errs->push_back(FieldInvalid(
        path, "",
        "must specify one of: `fieldRef`, `resourceFieldRef`, `configMapKeyRef` or `secretKeyRef`"));
  } else if (!var.value.empty()) {
    errs->push_back(FieldInvalid(path, "", "may not be specified when `value` is not empty"));
  } else if (sources > 1) {
    errs->push_back(FieldInvalid(path, "", "may not have more than one field specified at a time"));
  }
}

// ValidateEnv: names and sources of environment variables.
void ValidateEnv(const std::vector<EnvVar>& env, absl::string_view path, FieldErrors* errs) {
  for (size_t i = 0; i < env.size(); ++i) {
    std::string idx = Index(path, i);
    if (env[i].name.empty()) errs->push_back(FieldRequired(Child(idx, "name")));
    for (const std::string& msg : IsEnvVarName(env[i].name)) {
      errs->push_back(FieldInvalid(Child(idx, "name"), env[i].name, msg));
    }
    ValidateEnvValueFrom(env[i], Child(idx, "valueFrom"), errs);
  }
}

bool IsHugePages(absl::string_view name) { return absl::StartsWith(name, "hugepages-"); }
// helper.IsNativeResource: no domain, or a kubernetes.io one.
bool IsNative(absl::string_view name) {
  return !absl::StrContains(name, '/') || absl::StrContains(name, "kubernetes.io/");
}
bool IsOvercommitAllowed(absl::string_view name) { return IsNative(name) && !IsHugePages(name); }
// helper.IsExtendedResourceName: a domain-qualified name outside kubernetes.io.
bool IsExtended(absl::string_view name) {
  return !IsNative(name) && !absl::StartsWith(name, "requests.") &&
         IsQualifiedName(absl::StrCat("requests.", name)).empty();
}

// validateContainerResourceName: cpu, memory, ephemeral-storage, hugepages-* or an extended resource.
void ValidateResourceName(absl::string_view name, absl::string_view path, FieldErrors* errs) {
  std::vector<std::string> msgs = IsQualifiedName(name);
  for (const std::string& msg : msgs) errs->push_back(FieldInvalid(path, name, msg));
  bool container_standard =
      name == "cpu" || name == "memory" || name == "ephemeral-storage" || IsHugePages(name);
  if (!absl::StrContains(name, '/')) {
    static const std::set<absl::string_view> kOtherStandard = {"pods",
                                                               "services",
                                                               "replicationcontrollers",
                                                               "resourcequotas",
                                                               "secrets",
                                                               "configmaps",
                                                               "persistentvolumeclaims",
                                                               "storage",
                                                               "services.nodeports",
                                                               "services.loadbalancers"};
    bool standard = container_standard || kOtherStandard.count(name) > 0 ||
                    absl::StartsWith(name, "requests.") || absl::StartsWith(name, "limits.");
    if (msgs.empty() && !standard) {
      errs->push_back(FieldInvalid(path, name, "must be a standard resource type or fully qualified"));
    }
    if (!container_standard)
      errs->push_back(FieldInvalid(path, name, "must be a standard resource for containers"));
  } else if (!IsNative(name) && !IsExtended(name)) {
    errs->push_back(FieldInvalid(path, name, "doesn't follow extended resource name standard"));
  }
}

// ValidateResourceQuantityValue: not negative; whole numbers for extended resources.
void ValidateQuantity(absl::string_view name, const Quantity& q, absl::string_view path, FieldErrors* errs) {
  if (q.Sign() < 0) errs->push_back(FieldInvalid(path, q.CanonicalString(), kIsNegativeErrorMsg));
  if (IsExtended(name) && q.MilliValue() % 1000 != 0) {
    errs->push_back(FieldInvalidRaw(path, q.CanonicalString(), "must be an integer"));
  }
}

// ValidateContainerResourceRequirements: names, values, requests <= limits.
void ValidateResources(const ResourceRequirements& res, absl::string_view path, FieldErrors* errs) {
  std::string lim_path = Child(path, "limits");
  std::string req_path = Child(path, "requests");
  bool cpu_or_memory = false;
  bool hugepages = false;
  for (const auto& [name, q] : res.limits) {
    ValidateResourceName(name, Key(lim_path, name), errs);
    ValidateQuantity(name, q, Key(lim_path, name), errs);
    cpu_or_memory |= name == "cpu" || name == "memory";
    hugepages |= IsHugePages(name);
  }
  for (const auto& [name, q] : res.requests) {
    ValidateResourceName(name, Key(req_path, name), errs);
    ValidateQuantity(name, q, Key(req_path, name), errs);
    auto limit = res.limits.find(name);
    if (limit != res.limits.end()) {
      if (q != limit->second && !IsOvercommitAllowed(name)) {
        errs->push_back(FieldInvalid(
            req_path, q.CanonicalString(),
            absl::StrCat("must be equal to ", name, " limit of ", limit->second.CanonicalString())));
      } else if (q > limit->second) {
        errs->push_back(FieldInvalid(req_path, q.CanonicalString(),
                                     absl::StrCat("must be less than or equal to ", name, " limit of ",
                                                  limit->second.CanonicalString())));
      }
    } else if (!IsOvercommitAllowed(name)) {
      errs->push_back(FieldRequired(lim_path, "Limit must be set for non overcommitable resources"));
    }
    cpu_or_memory |= name == "cpu" || name == "memory";
    hugepages |= IsHugePages(name);
  }
  if (hugepages && !cpu_or_memory) errs->push_back(FieldForbidden(path, "HugePages require cpu or memory"));
}

// validateLocalDescendingPath: relative, without "..".
void ValidateLocalDescendingPath(absl::string_view target, absl::string_view path, FieldErrors* errs) {
  if (absl::StartsWith(target, "/")) errs->push_back(FieldInvalid(path, target, "must be a relative path"));
  for (absl::string_view part : absl::StrSplit(target, '/')) {
    if (part == "..") {
      errs->push_back(FieldInvalid(path, target, "must not contain '..'"));
      break;
    }
  }
}

// ValidateVolumeMounts: each mount names a valid volume, at a unique path.
void ValidateVolumeMounts(const std::vector<VolumeMount>& mounts, const std::set<std::string>& volumes,
                          absl::string_view path, FieldErrors* errs) {
  std::set<std::string> mount_points;
  for (size_t i = 0; i < mounts.size(); ++i) {
    const VolumeMount& m = mounts[i];
    std::string idx = Index(path, i);
    if (m.name.empty()) errs->push_back(FieldRequired(Child(idx, "name")));
    if (volumes.count(m.name) == 0) errs->push_back(FieldNotFound(Child(idx, "name"), m.name));
    if (m.mountPath.empty()) errs->push_back(FieldRequired(Child(idx, "mountPath")));
    if (!mount_points.insert(m.mountPath).second) {
      errs->push_back(FieldInvalid(Child(idx, "mountPath"), m.mountPath, "must be unique"));
    }
    // Kubernetes reports subPath problems at the list's path, not the item's.
    if (!m.subPath.empty()) ValidateLocalDescendingPath(m.subPath, Child(path, "subPath"), errs);
    if (!m.subPath.empty() && !m.subPathExpr.empty()) {
      errs->push_back(FieldInvalid(Child(idx, "subPathExpr"), m.subPathExpr,
                                   "subPathExpr and subPath are mutually exclusive"));
    }
    if (!m.mountPropagation.empty() && m.mountPropagation != "Bidirectional" &&
        m.mountPropagation != "HostToContainer" && m.mountPropagation != "None") {
      errs->push_back(FieldNotSupported(Child(idx, "mountPropagation"), m.mountPropagation,
                                        {"Bidirectional", "HostToContainer", "None"}));
    }
  }
}

// ValidatePortNumOrName: a port number 1-65535 or an IANA service name.
void ValidatePortNumOrName(const IntOrString& port, absl::string_view path, FieldErrors* errs) {
  if (port.IsInt()) {
    for (const std::string& msg : IsValidPortNum(port.intVal))
      errs->push_back(FieldInvalidInt(path, port.intVal, msg));
  } else {
    for (const std::string& msg : IsValidPortName(port.strVal))
      errs->push_back(FieldInvalid(path, port.strVal, msg));
  }
}

// validateHandler for probes: exactly one of exec, httpGet, tcpSocket, grpc.
void ValidateProbeHandler(const Probe& probe, absl::string_view path, FieldErrors* errs) {
  int handlers = 0;
  auto another = [&](absl::string_view name) {
    if (handlers++ == 0) return false;
    errs->push_back(FieldForbidden(Child(path, name), "may not specify more than 1 handler type"));
    return true;
  };
  if (probe.exec.has_value() && !another("exec") && probe.exec->command.empty()) {
    errs->push_back(FieldRequired(Child(Child(path, "exec"), "command")));
  }
  if (probe.httpGet.has_value() && !another("httpGet")) {
    const HTTPGetAction& http = *probe.httpGet;
    std::string http_path = Child(path, "httpGet");
    ValidatePortNumOrName(http.port, Child(http_path, "port"), errs);
    if (!http.scheme.empty() && http.scheme != "HTTP" && http.scheme != "HTTPS") {
      errs->push_back(FieldNotSupported(Child(http_path, "scheme"), http.scheme, {"HTTP", "HTTPS"}));
    }
    for (const HTTPHeader& header : http.httpHeaders) {
      for (const std::string& msg : IsHttpHeaderName(header.name)) {
        errs->push_back(FieldInvalid(Child(http_path, "httpHeaders"), header.name, msg));
      }
    }
  }
  if (probe.tcpSocket.has_value() && !another("tcpSocket")) {
    ValidatePortNumOrName(probe.tcpSocket->port, Child(Child(path, "tcpSocket"), "port"), errs);
  }
  if (UnknownHas(probe.unknown, "grpc")) another("grpc");
  if (handlers == 0) errs->push_back(FieldRequired(path, "must specify a handler type"));
}

// validateProbe plus the per-kind rules: liveness and startup need successThreshold 1, readiness
// probes have no terminationGracePeriodSeconds. Zero counts are the defaults (filled later).
void ValidateProbe(const std::optional<Probe>& probe, absl::string_view kind, absl::string_view path,
                   FieldErrors* errs) {
  if (!probe.has_value()) return;
  ValidateProbeHandler(*probe, path, errs);
  ValidateNonnegative(probe->initialDelaySeconds, Child(path, "initialDelaySeconds"), errs);
  ValidateNonnegative(probe->timeoutSeconds, Child(path, "timeoutSeconds"), errs);
  ValidateNonnegative(probe->periodSeconds, Child(path, "periodSeconds"), errs);
  ValidateNonnegative(probe->successThreshold, Child(path, "successThreshold"), errs);
  ValidateNonnegative(probe->failureThreshold, Child(path, "failureThreshold"), errs);
  if (probe->terminationGracePeriodSeconds.has_value() && *probe->terminationGracePeriodSeconds <= 0) {
    errs->push_back(FieldInvalidInt(Child(path, "terminationGracePeriodSeconds"),
                                    *probe->terminationGracePeriodSeconds, "must be greater than 0"));
  }
  if (kind == "readiness") {
    if (probe->terminationGracePeriodSeconds.has_value()) {
      errs->push_back(FieldInvalidInt(Child(path, "terminationGracePeriodSeconds"),
                                      *probe->terminationGracePeriodSeconds,
                                      "must not be set for readinessProbes"));
    }
  } else if (probe->successThreshold != 0 && probe->successThreshold != 1) {
    errs->push_back(FieldInvalidInt(Child(path, "successThreshold"), probe->successThreshold, "must be 1"));
  }
}

// validateContainerCommon: what regular and init containers share.
void ValidateContainerCommon(const Container& c, const std::set<std::string>& volumes, absl::string_view path,
                             FieldErrors* errs) {
  if (c.name.empty()) {
    errs->push_back(FieldRequired(Child(path, "name")));
  } else {
    for (const std::string& msg : IsDns1123Label(c.name))
      errs->push_back(FieldInvalid(Child(path, "name"), c.name, msg));
  }
  if (c.image.empty()) errs->push_back(FieldRequired(Child(path, "image")));
  std::optional<std::string> policy = UnknownString(c.unknown, "terminationMessagePolicy");
  if (policy.has_value() && !policy->empty() && *policy != "File" && *policy != "FallbackToLogsOnError") {
    errs->push_back(FieldNotSupported(Child(path, "terminationMessagePolicy"), *policy,
                                      {"File", "FallbackToLogsOnError"}));
  }
  ValidateContainerPorts(c.ports, Child(path, "ports"), errs);
  ValidateEnv(c.env, Child(path, "env"), errs);
  ValidateVolumeMounts(c.volumeMounts, volumes, Child(path, "volumeMounts"), errs);
  if (!c.imagePullPolicy.empty() && c.imagePullPolicy != "Always" && c.imagePullPolicy != "IfNotPresent" &&
      c.imagePullPolicy != "Never") {
    errs->push_back(FieldNotSupported(Child(path, "imagePullPolicy"), c.imagePullPolicy,
                                      {"Always", "IfNotPresent", "Never"}));
  }
  ValidateResources(c.resources, Child(path, "resources"), errs);
}

}  // namespace

void ValidateContainers(const std::vector<Container>& containers, const std::set<std::string>& volumes,
                        absl::string_view path, FieldErrors* errs) {
  if (containers.empty()) {
    errs->push_back(FieldRequired(path));
    return;
  }
  std::set<std::string> names;
  std::vector<const Container*> all;
  std::vector<size_t> indexes;
  for (size_t i = 0; i < containers.size(); ++i) {
    const Container& c = containers[i];
    std::string idx = Index(path, i);
    ValidateContainerCommon(c, volumes, idx, errs);
    if (!names.insert(c.name).second) errs->push_back(FieldDuplicate(Child(idx, "name"), c.name));
    ValidateProbe(c.livenessProbe, "liveness", Child(idx, "livenessProbe"), errs);
    ValidateProbe(c.readinessProbe, "readiness", Child(idx, "readinessProbe"), errs);
    ValidateProbe(c.startupProbe, "startup", Child(idx, "startupProbe"), errs);
    if (UnknownHas(c.unknown, "restartPolicy")) {
      errs->push_back(FieldForbidden(Child(idx, "restartPolicy"), "may not be set for non-init containers"));
    }
    all.push_back(&c);
    indexes.push_back(i);
  }
  std::set<std::string> host_ports;
  CheckHostPortConflicts(all, indexes, path, &host_ports, errs);
}

void ValidateInitContainers(const std::vector<Container>& init_containers,
                            const std::vector<Container>& containers, const std::set<std::string>& volumes,
                            absl::string_view path, FieldErrors* errs) {
  std::set<std::string> names;
  for (const Container& c : containers) names.insert(c.name);
  for (size_t i = 0; i < init_containers.size(); ++i) {
    const Container& c = init_containers[i];
    std::string idx = Index(path, i);
    ValidateContainerCommon(c, volumes, idx, errs);
    std::optional<std::string> restart = UnknownString(c.unknown, "restartPolicy");
    if (restart.has_value() && *restart != "Always") {
      errs->push_back(FieldNotSupported(Child(idx, "restartPolicy"), *restart, {"Always"}));
    }
    if (names.count(c.name) > 0) {
      errs->push_back(FieldDuplicate(Child(idx, "name"), c.name));
    } else if (!c.name.empty()) {
      names.insert(c.name);
    }
    // Init containers run one at a time, so host ports only conflict within one.
    std::set<std::string> host_ports;
    CheckHostPortConflicts({&c}, {i}, path, &host_ports, errs);
    if (restart == std::optional<std::string>("Always")) {
      // A sidecar: probes allowed, with the rules of regular containers.
      ValidateProbe(c.livenessProbe, "liveness", Child(idx, "livenessProbe"), errs);
      ValidateProbe(c.readinessProbe, "readiness", Child(idx, "readinessProbe"), errs);
      ValidateProbe(c.startupProbe, "startup", Child(idx, "startupProbe"), errs);
      continue;
    }
    if (UnknownHas(c.unknown, "lifecycle"))
      errs->push_back(FieldForbidden(Child(idx, "lifecycle"), kInitProbeForbidden));
    if (c.livenessProbe.has_value())
      errs->push_back(FieldForbidden(Child(idx, "livenessProbe"), kInitProbeForbidden));
    if (c.readinessProbe.has_value())
      errs->push_back(FieldForbidden(Child(idx, "readinessProbe"), kInitProbeForbidden));
    if (c.startupProbe.has_value())
      errs->push_back(FieldForbidden(Child(idx, "startupProbe"), kInitProbeForbidden));
  }
}

}  // namespace orch::validation
