// PodSpec validation as pkg/apis/core/validation does it: volumes, the pod-level fields, the pod
// template of controllers, and the rules of Pod updates (spec and status).
#include <algorithm>
#include <iterator>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "orch/api/codec.h"
#include "src/core/api/json_util.h"
#include "src/core/api/validation_internal.h"

namespace orch::validation {
namespace {

constexpr int64_t kMaxInt32 = 2147483647;
constexpr absl::string_view kFileModeErrorMsg = "must be a number between 0 and 0777 (octal), both inclusive";
constexpr absl::string_view kUpdatablePodSpecFields =
    "`spec.containers[*].image`,`spec.initContainers[*].image`,`spec.activeDeadlineSeconds`,`spec."
    "tolerations` "
    "(only additions to existing tolerations),`spec.terminationGracePeriodSeconds` (allow it to be set to 1 "
    "if it "
    "was previously negative)";

// Volume sources orch does not model (they stay in Volume::unknown), as Kubernetes names them.
constexpr const char* kOtherVolumeSources[] = {"awsElasticBlockStore",
                                               "azureDisk",
                                               "azureFile",
                                               "cephfs",
                                               "cinder",
                                               "csi",
                                               "downwardAPI",
                                               "ephemeral",
                                               "fc",
                                               "flexVolume",
                                               "flocker",
                                               "gcePersistentDisk",
                                               "gitRepo",
                                               "glusterfs",
                                               "image",
                                               "iscsi",
                                               "nfs",
                                               "photonPersistentDisk",
                                               "portworxVolume",
                                               "projected",
                                               "quobyte",
                                               "rbd",
                                               "scaleIO",
                                               "storageos",
                                               "vsphereVolume"};

// ValidateLocalNonReservedPath: a relative path without "..", not starting with "..".
void ValidateLocalNonReservedPath(absl::string_view target, absl::string_view path, FieldErrors* errs) {
  if (absl::StartsWith(target, "/")) errs->push_back(FieldInvalid(path, target, "must be a relative path"));
  for (absl::string_view part : absl::StrSplit(target, '/')) {
    if (part == "..") {
      errs->push_back(FieldInvalid(path, target, "must not contain '..'"));
      break;
    }
  }
  if (absl::StartsWith(target, "..") && !absl::StartsWith(target, "../")) {
    errs->push_back(FieldInvalid(path, target, "must not start with '..'"));
  }
}

// validateKeyToPath and the mode of configMap and secret volumes.
void ValidateItemsAndMode(const std::vector<KeyToPath>& items, const std::optional<int32_t>& default_mode,
                          absl::string_view path, FieldErrors* errs) {
  if (default_mode.has_value() && (*default_mode > 0777 || *default_mode < 0)) {
    errs->push_back(FieldInvalidInt(Child(path, "defaultMode"), *default_mode, kFileModeErrorMsg));
  }
  for (size_t i = 0; i < items.size(); ++i) {
    std::string idx = Index(Child(path, "items"), i);
    if (items[i].key.empty()) errs->push_back(FieldRequired(Child(idx, "key")));
    if (items[i].path.empty()) errs->push_back(FieldRequired(Child(idx, "path")));
    ValidateLocalNonReservedPath(items[i].path, Child(idx, "path"), errs);
    if (items[i].mode.has_value() && (*items[i].mode > 0777 || *items[i].mode < 0)) {
      errs->push_back(FieldInvalidInt(Child(idx, "mode"), *items[i].mode, kFileModeErrorMsg));
    }
  }
}

// validateVolumeSource: exactly one source, each with its required fields.
void ValidateVolumeSource(const Volume& v, absl::string_view path, FieldErrors* errs) {
  std::vector<std::string> sources;
  if (v.hostPath.has_value()) sources.push_back("hostPath");
  if (v.emptyDir.has_value()) sources.push_back("emptyDir");
  if (v.configMap.has_value()) sources.push_back("configMap");
  if (v.secret.has_value()) sources.push_back("secret");
  if (v.persistentVolumeClaim.has_value()) sources.push_back("persistentVolumeClaim");
  json::Json unknown;
  if (!v.unknown.empty() && json::Parse(v.unknown.json, "unknown", &unknown).ok() && unknown.is_object()) {
    for (const char* other : kOtherVolumeSources) {
      auto it = unknown.find(other);
      if (it != unknown.end() && !it->is_null()) sources.push_back(other);
    }
  }
  if (sources.empty()) {
    // An unset source means emptyDir after defaulting.
    return;
  }
  if (sources.size() > 1) {
    errs->push_back(FieldForbidden(Child(path, sources[1]), "may not specify more than 1 volume type"));
  }
  if (v.hostPath.has_value()) {
    std::string hp = Child(path, "hostPath");
    if (v.hostPath->path.empty()) errs->push_back(FieldRequired(Child(hp, "path")));
    for (absl::string_view part : absl::StrSplit(v.hostPath->path, '/')) {
      if (part == "..") {
        errs->push_back(FieldInvalid(Child(hp, "path"), v.hostPath->path, "must not contain '..'"));
        break;
      }
    }
    static const std::vector<std::string> kTypes = {
        "", "BlockDevice", "CharDevice", "Directory", "DirectoryOrCreate", "File", "FileOrCreate", "Socket"};
    if (v.hostPath->type.has_value() &&
        std::find(kTypes.begin(), kTypes.end(), *v.hostPath->type) == kTypes.end()) {
      errs->push_back(FieldNotSupported(Child(hp, "type"), *v.hostPath->type, kTypes));
    }
  }
  if (v.emptyDir.has_value() && v.emptyDir->sizeLimit.has_value() && v.emptyDir->sizeLimit->Sign() < 0) {
    errs->push_back(FieldForbidden(Child(Child(path, "emptyDir"), "sizeLimit"),
                                   "SizeLimit field must be a valid resource quantity"));
  }
  if (v.configMap.has_value()) {
    std::string cm = Child(path, "configMap");
    if (v.configMap->name.empty()) errs->push_back(FieldRequired(Child(cm, "name")));
    ValidateItemsAndMode(v.configMap->items, v.configMap->defaultMode, cm, errs);
  }
  if (v.secret.has_value()) {
    std::string secret = Child(path, "secret");
    if (v.secret->secretName.empty()) errs->push_back(FieldRequired(Child(secret, "secretName")));
    ValidateItemsAndMode(v.secret->items, v.secret->defaultMode, secret, errs);
  }
  if (v.persistentVolumeClaim.has_value() && v.persistentVolumeClaim->claimName.empty()) {
    errs->push_back(FieldRequired(Child(Child(path, "persistentVolumeClaim"), "claimName")));
  }
}

// ValidateVolumes: unique DNS-label names and valid sources; returns the names of valid volumes.
std::set<std::string> ValidateVolumes(const std::vector<Volume>& volumes, absl::string_view path,
                                      FieldErrors* errs) {
  std::set<std::string> names;
  for (size_t i = 0; i < volumes.size(); ++i) {
    const Volume& v = volumes[i];
    std::string idx = Index(path, i);
    std::string name_path = Child(idx, "name");
    FieldErrors el;
    ValidateVolumeSource(v, idx, &el);
    if (v.name.empty()) {
      el.push_back(FieldRequired(name_path));
    } else {
      for (const std::string& msg : IsDns1123Label(v.name))
        el.push_back(FieldInvalid(name_path, v.name, msg));
    }
    if (names.count(v.name) > 0) el.push_back(FieldDuplicate(name_path, v.name));
    if (el.empty()) {
      names.insert(v.name);
    } else {
      errs->insert(errs->end(), el.begin(), el.end());
    }
  }
  return names;
}

// validatePodHostNetworkDeps: with hostNetwork, a host port must be the container port.
void ValidateHostNetworkPorts(const PodSpec& spec, absl::string_view path, FieldErrors* errs) {
  if (!spec.hostNetwork) return;
  auto check = [&](const std::vector<Container>& containers, absl::string_view list) {
    for (size_t c = 0; c < containers.size(); ++c) {
      for (size_t p = 0; p < containers[c].ports.size(); ++p) {
        const ContainerPort& port = containers[c].ports[p];
        if (port.hostPort != 0 && port.hostPort != port.containerPort) {
          errs->push_back(
              FieldInvalidInt(Child(Index(Child(Index(Child(path, list), c), "ports"), p), "hostPort"),
                              port.hostPort, "must match `containerPort` when `hostNetwork` is true"));
        }
      }
    }
  };
  check(spec.containers, "containers");
  check(spec.initContainers, "initContainers");
}

// Drops members that hold nothing (null, "", 0, false, {}, []), recursively, so that documents
// compare as Kubernetes' semantic equality compares structs (a zero value equals an absent one).
void PruneEmpty(json::Json* j) {
  if (j->is_array()) {
    for (json::Json& item : *j) PruneEmpty(&item);
    return;
  }
  if (!j->is_object()) return;
  for (auto it = j->begin(); it != j->end();) {
    PruneEmpty(&it.value());
    const json::Json& v = it.value();
    bool empty = v.is_null() || ((v.is_object() || v.is_array()) && v.empty()) ||
                 (v.is_string() && v.get_ref<const std::string&>().empty()) ||
                 (v.is_boolean() && !v.get<bool>()) || (v.is_number() && v == 0);
    it = empty ? j->erase(it) : std::next(it);
  }
}

// The Pod spec as pruned JSON members, for comparing specs and describing what changed.
json::Json SpecMembers(const PodSpec& spec) {
  Pod pod;
  pod.spec = spec;
  json::Json rest;
  if (!json::Parse(ToObject(pod).spec, "spec", &rest).ok() || !rest.is_object()) return json::Json::object();
  auto it = rest.find("spec");
  if (it == rest.end() || !it->is_object()) return json::Json::object();
  json::Json members = *it;
  PruneEmpty(&members);
  return members;
}

// A short account of what changed, standing in for the cmp.Diff Kubernetes appends.
std::string SpecDiff(const json::Json& a, const json::Json& b) {
  std::set<std::string> keys;
  for (auto it = a.begin(); it != a.end(); ++it) keys.insert(it.key());
  for (auto it = b.begin(); it != b.end(); ++it) keys.insert(it.key());
  std::vector<std::string> lines;
  for (const std::string& key : keys) {
    json::Json before = a.contains(key) ? a[key] : json::Json();
    json::Json after = b.contains(key) ? b[key] : json::Json();
    if (before == after) continue;
    lines.push_back(absl::StrCat("  spec.", key, ": ", json::Dump(before), " -> ", json::Dump(after)));
  }
  return absl::StrJoin(lines, "\n");
}

// ValidateContainerUpdates: same number of containers, each with an image.
bool ValidateContainerUpdates(const std::vector<Container>& containers, const std::vector<Container>& old,
                              absl::string_view path, FieldErrors* errs) {
  if (containers.size() != old.size()) {
    errs->push_back(FieldForbidden(path, "pod updates may not add or remove containers"));
    return false;
  }
  for (size_t i = 0; i < containers.size(); ++i) {
    const std::string& image = containers[i].image;
    if (image.empty()) errs->push_back(FieldRequired(Child(Index(path, i), "image")));
    if (!image.empty() && (absl::ascii_isspace(static_cast<unsigned char>(image.front())) ||
                           absl::ascii_isspace(static_cast<unsigned char>(image.back())))) {
      errs->push_back(FieldInvalid(Child(Index(path, i), "image"), image,
                                   "must not have leading or trailing whitespace"));
    }
  }
  return true;
}

}  // namespace

std::optional<std::string> UnknownString(const UnknownFields& unknown, absl::string_view key) {
  if (unknown.empty()) return std::nullopt;
  json::Json j;
  if (!json::Parse(unknown.json, "unknown", &j).ok() || !j.is_object()) return std::nullopt;
  auto it = j.find(std::string(key));
  if (it == j.end() || !it->is_string()) return std::nullopt;
  return it->get<std::string>();
}

bool UnknownHas(const UnknownFields& unknown, absl::string_view key) {
  if (unknown.empty()) return false;
  json::Json j;
  if (!json::Parse(unknown.json, "unknown", &j).ok() || !j.is_object()) return false;
  auto it = j.find(std::string(key));
  return it != j.end() && !it->is_null();
}

void ValidatePodSpec(const PodSpec& spec, absl::string_view path, FieldErrors* errs) {
  std::set<std::string> volumes = ValidateVolumes(spec.volumes, Child(path, "volumes"), errs);
  ValidateContainers(spec.containers, volumes, Child(path, "containers"), errs);
  ValidateInitContainers(spec.initContainers, spec.containers, volumes, Child(path, "initContainers"), errs);
  ValidateHostNetworkPorts(spec, path, errs);
  const std::string& restart = spec.restartPolicy;
  if (!restart.empty() && restart != "Always" && restart != "OnFailure" && restart != "Never") {
    errs->push_back(
        FieldNotSupported(Child(path, "restartPolicy"), restart, {"Always", "OnFailure", "Never"}));
  }
  const std::string& dns = spec.dnsPolicy;
  if (!dns.empty() && dns != "ClusterFirstWithHostNet" && dns != "ClusterFirst" && dns != "Default" &&
      dns != "None") {
    errs->push_back(FieldNotSupported(Child(path, "dnsPolicy"), dns,
                                      {"ClusterFirstWithHostNet", "ClusterFirst", "Default", "None"}));
  }
  for (std::string& e : ValidateLabels(spec.nodeSelector, Child(path, "nodeSelector")))
    errs->push_back(std::move(e));
  if (spec.affinity.has_value()) ValidateAffinity(*spec.affinity, Child(path, "affinity"), errs);
  if (dns == "None" && !UnknownHas(spec.unknown, "dnsConfig")) {
    errs->push_back(
        FieldRequired(Child(path, "dnsConfig"), "must provide `dnsConfig` when `dnsPolicy` is None"));
  }
  ValidateTopologySpreadConstraints(spec.topologySpreadConstraints, Child(path, "topologySpreadConstraints"),
                                    errs);
  auto subdomain_field = [&](const std::string& value, absl::string_view name) {
    if (value.empty()) return;
    for (const std::string& msg : IsDns1123Subdomain(value))
      errs->push_back(FieldInvalid(Child(path, name), value, msg));
  };
  subdomain_field(spec.serviceAccountName, "serviceAccountName");
  subdomain_field(spec.nodeName, "nodeName");
  if (spec.activeDeadlineSeconds.has_value() &&
      (*spec.activeDeadlineSeconds < 1 || *spec.activeDeadlineSeconds > kMaxInt32)) {
    errs->push_back(FieldInvalidInt(Child(path, "activeDeadlineSeconds"), *spec.activeDeadlineSeconds,
                                    InclusiveRangeError(1, kMaxInt32)));
  }
  for (const auto& [value, name] : {std::pair<const std::string*, const char*>{&spec.hostname, "hostname"},
                                    {&spec.subdomain, "subdomain"}}) {
    if (value->empty()) continue;
    for (const std::string& msg : IsDns1123Label(*value))
      errs->push_back(FieldInvalid(Child(path, name), *value, msg));
  }
  ValidateTolerations(spec.tolerations, Child(path, "tolerations"), errs);
  subdomain_field(spec.priorityClassName, "priorityClassName");
  if (spec.preemptionPolicy.has_value() && *spec.preemptionPolicy != "Never" &&
      *spec.preemptionPolicy != "PreemptLowerPriority") {
    errs->push_back(FieldNotSupported(Child(path, "preemptionPolicy"), *spec.preemptionPolicy,
                                      {"Never", "PreemptLowerPriority"}));
  }
  if (spec.terminationGracePeriodSeconds.has_value()) {
    ValidateNonnegative(*spec.terminationGracePeriodSeconds, Child(path, "terminationGracePeriodSeconds"),
                        errs);
  }
}

void ValidatePodTemplateSpec(const PodTemplateSpec& tmpl, absl::string_view path, FieldErrors* errs) {
  for (std::string& e : ValidateLabels(tmpl.metadata.labels, Child(path, "labels")))
    errs->push_back(std::move(e));
  for (const std::string& e : ValidateAnnotations(tmpl.metadata.annotations, Child(path, "annotations"))) {
    errs->push_back(absl::StrContains(e, ": Too long:")
                        ? FieldTooLong(Child(path, "annotations"), kTotalAnnotationSizeLimitBytes)
                        : e);
  }
  ValidatePodSpec(tmpl.spec, Child(path, "spec"), errs);
  if (UnknownHas(tmpl.spec.unknown, "ephemeralContainers")) {
    errs->push_back(FieldForbidden(Child(Child(path, "spec"), "ephemeralContainers"),
                                   "ephemeral containers not allowed in pod template"));
  }
}

void ValidatePodSpecUpdate(const PodSpec& spec, const PodSpec& old, FieldErrors* errs) {
  if (!ValidateContainerUpdates(spec.containers, old.containers, "spec.containers", errs)) return;
  if (!ValidateContainerUpdates(spec.initContainers, old.initContainers, "spec.initContainers", errs)) return;
  if (spec.activeDeadlineSeconds.has_value()) {
    int64_t value = *spec.activeDeadlineSeconds;
    if (value < 0 || value > kMaxInt32) {
      errs->push_back(
          FieldInvalidInt("spec.activeDeadlineSeconds", value, InclusiveRangeError(0, kMaxInt32)));
      return;
    }
    if (old.activeDeadlineSeconds.has_value() && *old.activeDeadlineSeconds < value) {
      errs->push_back(FieldInvalidInt("spec.activeDeadlineSeconds", value,
                                      "must be less than or equal to previous value"));
      return;
    }
  } else if (old.activeDeadlineSeconds.has_value()) {
    errs->push_back(FieldInvalidNull("spec.activeDeadlineSeconds",
                                     "must not update from a positive integer to nil value"));
  }
  ValidateOnlyAddedTolerations(spec.tolerations, old.tolerations, "spec.tolerations", errs);
  json::Json old_members = SpecMembers(old);
  if (SpecMembers(spec) == old_members) return;
  // Everything but the updatable fields must be as it was.
  PodSpec munged = spec;
  for (size_t i = 0; i < munged.containers.size(); ++i) munged.containers[i].image = old.containers[i].image;
  for (size_t i = 0; i < munged.initContainers.size(); ++i) {
    munged.initContainers[i].image = old.initContainers[i].image;
  }
  munged.activeDeadlineSeconds = old.activeDeadlineSeconds;
  munged.tolerations = old.tolerations;
  if (old.terminationGracePeriodSeconds.has_value() && *old.terminationGracePeriodSeconds < 0 &&
      munged.terminationGracePeriodSeconds == std::optional<int64_t>(1)) {
    munged.terminationGracePeriodSeconds = old.terminationGracePeriodSeconds;
  }
  json::Json munged_members = SpecMembers(munged);
  if (munged_members != old_members) {
    errs->push_back(FieldForbidden(
        "spec", absl::StrCat("pod updates may not change fields other than ", kUpdatablePodSpecFields, "\n",
                             SpecDiff(old_members, munged_members))));
  }
}

void ValidatePodStatusUpdate(const Pod& pod, const Pod& old, FieldErrors* errs) {
  const PodStatus& status = pod.status;
  for (size_t i = 0; i < status.conditions.size(); ++i) {
    const std::string& type = status.conditions[i].type;
    if (type == "PodScheduled" || type == "Ready" || type == "Initialized") continue;
    for (const std::string& msg : IsQualifiedName(type)) {
      errs->push_back(FieldInvalid(Child(Index("metadata.conditions", i), "Type"), type, msg));
    }
  }
  if (!status.nominatedNodeName.empty() && status.nominatedNodeName != old.status.nominatedNodeName) {
    for (const std::string& msg : IsDns1123Subdomain(status.nominatedNodeName)) {
      errs->push_back(FieldInvalid("status.nominatedNodeName", status.nominatedNodeName, msg));
    }
  }
  if (!old.status.qosClass.empty() && status.qosClass != old.status.qosClass) {
    ValidateImmutable(status.qosClass, old.status.qosClass, "status.qosClass", errs);
  }
  for (size_t i = 0; i < status.podIPs.size(); ++i) {
    if (!IsValidIp(status.podIPs[i].ip)) {
      errs->push_back(FieldInvalid(Child(Index("status.podIPs", i), "ip"), status.podIPs[i].ip,
                                   "must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)"));
    }
  }
  // A container that ended for good may not come back unless the pod restarts it.
  const std::string& restart =
      old.spec.restartPolicy.empty() ? std::string("Always") : old.spec.restartPolicy;
  if (restart == "Always") return;
  for (size_t i = 0; i < old.status.containerStatuses.size(); ++i) {
    const ContainerStatus& was = old.status.containerStatuses[i];
    if (!was.state.terminated.has_value()) continue;
    if (was.state.terminated->exitCode != 0 && restart == "OnFailure") continue;
    for (const ContainerStatus& now : status.containerStatuses) {
      if (now.name == was.name && !now.state.terminated.has_value()) {
        errs->push_back(FieldForbidden(Child(Index("status.containerStatuses", i), "state"),
                                       "may not be transitioned to non-terminated state"));
      }
    }
  }
}

}  // namespace orch::validation
