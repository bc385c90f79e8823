// The entry points of orch/validation.h, which dispatch by kind, and the rules of the smaller
// built-in kinds (ConfigMap, Namespace, Node, Event) as pkg/apis/core/validation has them.
#include <exception>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "orch/codec.h"
#include "orch/errors.h"
#include "orch/types.h"
#include "orch/validation.h"
#include "src/core/validation_internal.h"

namespace orch {
namespace validation {
namespace {

constexpr int64_t kMaxConfigMapSize = 1024 * 1024;
constexpr size_t kEventReasonLimit = 128;
constexpr size_t kEventActionLimit = 128;
constexpr size_t kEventReportingInstanceLimit = 128;
constexpr size_t kEventNoteLimit = 1024;

// The number of bytes that base64 text decodes to.
int64_t DecodedBase64Size(const std::string& text) {
  int64_t chars = 0;
  for (char c : text) {
    if (c != '=' && c != '\n' && c != '\r' && c != ' ') ++chars;
  }
  return chars * 3 / 4;
}

// `invalid` for a name longer than `limit` bytes (the events' "can have at most" rule).
void ValidateEventLength(const std::string& value, size_t limit, absl::string_view path, FieldErrors* errs) {
  if (value.size() > limit) {
    errs->push_back(FieldInvalid(path, "", absl::StrCat("can have at most ", limit, " characters")));
  }
}

}  // namespace

void ValidateConfigMapData(const ConfigMap& config_map, FieldErrors* errs) {
  int64_t total = 0;
  for (const auto& [key, value] : config_map.data) {
    std::string path = Key("data", key);
    for (const std::string& msg : IsConfigMapKey(key)) errs->push_back(FieldInvalid(path, key, msg));
    if (config_map.binaryData.count(key) > 0) {
      errs->push_back(FieldInvalid(path, key, "duplicate of key present in binaryData"));
    }
    total += static_cast<int64_t>(value.size());
  }
  for (const auto& [key, value] : config_map.binaryData) {
    std::string path = Key("binaryData", key);
    for (const std::string& msg : IsConfigMapKey(key)) errs->push_back(FieldInvalid(path, key, msg));
    if (config_map.data.count(key) > 0) {
      errs->push_back(FieldInvalid(path, key, "duplicate of key present in data"));
    }
    total += DecodedBase64Size(value);
  }
  // The path "" stands for the whole object, as in Kubernetes.
  if (total > kMaxConfigMapSize) errs->push_back(FieldTooLong("", kMaxConfigMapSize));
}

void ValidateConfigMapUpdate(const ConfigMap& config_map, const ConfigMap& old, FieldErrors* errs) {
  if (old.immutable.value_or(false)) {
    constexpr absl::string_view kMsg = "field is immutable when `immutable` is set";
    if (!config_map.immutable.value_or(false)) errs->push_back(FieldForbidden("immutable", kMsg));
    if (config_map.data != old.data) errs->push_back(FieldForbidden("data", kMsg));
    if (config_map.binaryData != old.binaryData) errs->push_back(FieldForbidden("binaryData", kMsg));
  }
  ValidateConfigMapData(config_map, errs);
}

void ValidateNamespaceSpec(const Namespace& ns, FieldErrors* errs) {
  for (const std::string& finalizer : ns.spec.finalizers) {
    for (const std::string& msg : IsQualifiedName(finalizer)) {
      errs->push_back(FieldInvalid("spec.finalizers", finalizer, msg));
    }
    ValidateFinalizerName(finalizer, "spec.finalizers", /*builtin=*/true, errs);
  }
}

void ValidateNodeSpec(const Node& node, FieldErrors* errs) {
  std::set<std::pair<std::string, std::string>> seen;
  for (size_t i = 0; i < node.spec.taints.size(); ++i) {
    const Taint& taint = node.spec.taints[i];
    std::string idx = Index("spec.taints", i);
    for (const std::string& msg : IsQualifiedName(taint.key))
      errs->push_back(FieldInvalid(Child(idx, "key"), taint.key, msg));
    std::vector<std::string> value_errs = IsValidLabelValue(taint.value);
    if (!value_errs.empty()) {
      std::string joined;
      for (const std::string& e : value_errs) joined += (joined.empty() ? "" : ";") + e;
      errs->push_back(FieldInvalid(Child(idx, "value"), taint.value, joined));
    }
    ValidateTaintEffect(taint.effect, false, Child(idx, "effect"), errs);
    if (!seen.insert({taint.effect, taint.key}).second) {
      errs->push_back(FieldDuplicateRaw(
          idx,
          absl::StrCat("core.Taint{Key:", GoQuote(taint.key), ", Value:", GoQuote(taint.value),
                       ", Effect:", GoQuote(taint.effect), ", TimeAdded:(*v1.Time)(nil)}"),
          "taints must be unique by key and effect pair"));
    }
  }
  for (const auto& [list, name] :
       {std::pair<const ResourceList*, const char*>{&node.status.capacity, "capacity"},
        {&node.status.allocatable, "allocatable"}}) {
    for (const auto& [resource, quantity] : *list) {
      if (quantity.Sign() < 0) {
        errs->push_back(FieldInvalid(Child(Child("status", name), resource), quantity.CanonicalString(),
                                     kIsNegativeErrorMsg));
      }
    }
  }
  constexpr absl::string_view kCidrMsg = "must be a valid CIDR value, (e.g. 10.9.8.0/24 or 2001:db8::/64)";
  if (!node.spec.podCIDR.empty() && !IsValidCidr(node.spec.podCIDR)) {
    errs->push_back(FieldInvalid("spec.podCIDR", node.spec.podCIDR, kCidrMsg));
  }
  for (size_t i = 0; i < node.spec.podCIDRs.size(); ++i) {
    if (!IsValidCidr(node.spec.podCIDRs[i])) {
      errs->push_back(FieldInvalid(Index("spec.podCIDRs", i), node.spec.podCIDRs[i], kCidrMsg));
    }
  }
}

void ValidateNodeUpdate(const Node& node, const Node& old, FieldErrors* errs) {
  if (!old.spec.podCIDR.empty() && node.spec.podCIDR != old.spec.podCIDR) {
    errs->push_back(
        FieldForbidden("spec.podCIDR", "node updates may not change podCIDR except from \"\" to valid"));
  }
  if (!old.spec.podCIDRs.empty() && node.spec.podCIDRs != old.spec.podCIDRs) {
    errs->push_back(
        FieldForbidden("spec.podCIDRs", "node updates may not change podCIDR except from \"\" to valid"));
  }
  if (!old.spec.providerID.empty() && node.spec.providerID != old.spec.providerID) {
    errs->push_back(FieldForbidden("spec.providerID",
                                   "node updates may not change providerID except from \"\" to valid"));
  }
  ValidateNodeSpec(node, errs);
}

void ValidateEventFields(const Event& event, FieldErrors* errs) {
  const ObjectReference& involved = event.involvedObject;
  if (involved.kind.empty()) errs->push_back(FieldRequired("involvedObject.kind"));
  if (involved.name.empty()) errs->push_back(FieldRequired("involvedObject.name"));
  const std::string& ns = event.metadata.namespace_;
  constexpr absl::string_view kMismatch = "does not match event.namespace";
  if (!event.eventTime.IsSet()) {
    // An object outside namespaces has its events in "default" (or none).
    if (involved.namespace_.empty() ? (!ns.empty() && ns != "default") : ns != involved.namespace_) {
      errs->push_back(FieldInvalid("involvedObject.namespace", involved.namespace_, kMismatch));
    }
  } else {
    if (involved.namespace_.empty() && ns != "default" && ns != "kube-system") {
      errs->push_back(FieldInvalid("involvedObject.namespace", involved.namespace_, kMismatch));
    }
    if (event.reportingComponent.empty()) errs->push_back(FieldRequired("reportingComponent"));
    for (const std::string& msg : IsQualifiedName(event.reportingComponent)) {
      errs->push_back(FieldInvalid("reportingComponent", event.reportingComponent, msg));
    }
    if (event.reportingInstance.empty()) errs->push_back(FieldRequired("reportingInstance"));
    ValidateEventLength(event.reportingInstance, kEventReportingInstanceLimit, "reportingInstance", errs);
    if (event.action.empty()) errs->push_back(FieldRequired("action"));
    ValidateEventLength(event.action, kEventActionLimit, "action", errs);
    if (event.reason.empty()) errs->push_back(FieldRequired("reason"));
    ValidateEventLength(event.message, kEventNoteLimit, "message", errs);
  }
  ValidateEventLength(event.reason, kEventReasonLimit, "reason", errs);
  if (!event.type.empty() && event.type != "Normal" && event.type != "Warning") {
    errs->push_back(FieldNotSupported("type", event.type, {"Normal", "Warning"}));
  }
}

namespace {

enum class Op { kCreate, kUpdate, kStatus };

// Decodes the typed view; a decode error is recorded as a field error (it names its path).
template <class T>
bool Decode(const Object& object, T* out, FieldErrors* errs) {
  absl::StatusOr<T> typed = FromObject<T>(object);
  if (!typed.ok()) {
    errs->push_back(std::string(typed.status().message()));
    return false;
  }
  *out = *std::move(typed);
  return true;
}

// Decodes the new and (for updates) old objects, then runs `check(typed, old_typed)`.
template <class T, class Check>
void Run(const Object& object, const Object* old, FieldErrors* errs, Check check) {
  T typed;
  T old_typed;
  if (!Decode(object, &typed, errs)) return;
  if (old != nullptr && !Decode(*old, &old_typed, errs)) return;
  check(typed, old_typed);
}

// Whether the object is the built-in kind T (same group, version and kind).
template <class T>
bool Is(const Object& object) {
  return object.type.kind == T::kKind && object.type.apiVersion == T::kApiVersion;
}

// The metadata rules of the object's kind: name format and scope.
MetaRules RulesFor(const Object& object) {
  MetaRules rules;
  const ResourceType* type = FindResourceTypeFor(object.type);
  rules.scope = type == nullptr
                    ? MetaRules::Scope::kUnknown
                    : (type->namespaced ? MetaRules::Scope::kNamespaced : MetaRules::Scope::kCluster);
  rules.builtin = type != nullptr && (type->group.empty() || type->group == "apps") && type->version == "v1";
  if (Is<Namespace>(object)) rules.name_rule = NameRule::kDns1123Label;
  if (Is<Service>(object)) rules.name_rule = NameRule::kDns1035Label;
  return rules;
}

// The kind-specific rules for one operation.
void ValidateKind(const Object& object, const Object* old, Op op, FieldErrors* errs) {
  const bool update = op == Op::kUpdate;
  const bool status = op == Op::kStatus;
  if (Is<Pod>(object)) {
    Run<Pod>(object, old, errs, [&](const Pod& pod, const Pod& old_pod) {
      if (status) return ValidatePodStatusUpdate(pod, old_pod, errs);
      ValidatePodSpec(pod.spec, "spec", errs);
      if (update) ValidatePodSpecUpdate(pod.spec, old_pod.spec, errs);
    });
  } else if (Is<Service>(object)) {
    Run<Service>(object, old, errs, [&](const Service& svc, const Service& old_svc) {
      if (status) return ValidateServiceStatus(svc, errs);
      update ? ValidateServiceUpdate(svc, old_svc, errs) : ValidateServiceSpec(svc, errs);
    });
  } else if (Is<ReplicaSet>(object)) {
    Run<ReplicaSet>(object, old, errs, [&](const ReplicaSet& rs, const ReplicaSet& old_rs) {
      if (status) return ValidateReplicaSetStatus(rs.status, old_rs.status, errs);
      update ? ValidateReplicaSetUpdate(rs, old_rs, errs) : ValidateReplicaSetSpec(rs.spec, errs);
    });
  } else if (Is<Deployment>(object)) {
    Run<Deployment>(object, old, errs, [&](const Deployment& d, const Deployment& old_d) {
      if (status) return ValidateDeploymentStatus(d.status, old_d.status, errs);
      update ? ValidateDeploymentUpdate(d, old_d, errs) : ValidateDeploymentSpec(d.spec, errs);
    });
  } else if (Is<ConfigMap>(object)) {
    Run<ConfigMap>(object, old, errs, [&](const ConfigMap& cm, const ConfigMap& old_cm) {
      update ? ValidateConfigMapUpdate(cm, old_cm, errs) : ValidateConfigMapData(cm, errs);
    });
  } else if (Is<Namespace>(object)) {
    Run<Namespace>(object, old, errs, [&](const Namespace& ns, const Namespace&) {
      if (!status) return ValidateNamespaceSpec(ns, errs);
      const std::string& phase = ns.status.phase;
      if (!ns.metadata.deletionTimestamp.IsSet() && !phase.empty() && phase != "Active") {
        errs->push_back(
            FieldInvalid("status.Phase", phase, "may only be 'Active' if `deletionTimestamp` is empty"));
      } else if (ns.metadata.deletionTimestamp.IsSet() && !phase.empty() && phase != "Terminating") {
        errs->push_back(FieldInvalid("status.Phase", phase,
                                     "may only be 'Terminating' if `deletionTimestamp` is not empty"));
      }
    });
  } else if (Is<Node>(object)) {
    Run<Node>(object, old, errs, [&](const Node& node, const Node& old_node) {
      old != nullptr ? ValidateNodeUpdate(node, old_node, errs) : ValidateNodeSpec(node, errs);
    });
  } else if (Is<Event>(object)) {
    Run<Event>(object, old, errs,
               [&](const Event& event, const Event&) { ValidateEventFields(event, errs); });
  }
}

// "Deployment.apps" or "Pod": the qualified kind Kubernetes names in Invalid errors.
std::string QualifiedKind(const Object& object) {
  absl::string_view group = object.type.Group();
  return group.empty() ? object.type.kind : absl::StrCat(object.type.kind, ".", group);
}

// OK, or the Invalid error that lists `errs` as Kubernetes aggregates them.
absl::Status ToStatus(const Object& object, const FieldErrors& errs) {
  if (errs.empty()) return absl::OkStatus();
  const ObjectMeta& meta = object.metadata;
  return InvalidError(QualifiedKind(object), meta.name.empty() ? meta.generateName : meta.name,
                      AggregateErrors(errs));
}

// Metadata first (create or update rules), then the kind's own rules.
absl::Status Validate(const Object& object, const Object* old, Op op) {
  FieldErrors errs;
  if (old == nullptr) {
    ValidateObjectMeta(object.metadata, RulesFor(object), &errs);
  } else {
    ValidateObjectMetaUpdate(object.metadata, old->metadata, &errs);
  }
  ValidateKind(object, old, op, &errs);
  return ToStatus(object, errs);
}

// Runs `body`, turning anything thrown below (a bug) into an Internal error.
template <class Body>
absl::Status NoThrow(Body body) {
  try {
    return body();
  } catch (const std::exception& e) {
    return absl::InternalError(absl::StrCat("validation failed: ", e.what()));
  } catch (...) {
    return absl::InternalError("validation failed");
  }
}

}  // namespace
}  // namespace validation

absl::Status ValidateCreate(const Object& object) {
  return validation::NoThrow([&] { return validation::Validate(object, nullptr, validation::Op::kCreate); });
}

absl::Status ValidateUpdate(const Object& object, const Object& old) {
  return validation::NoThrow([&] { return validation::Validate(object, &old, validation::Op::kUpdate); });
}

absl::Status ValidateStatusUpdate(const Object& object, const Object& old) {
  return validation::NoThrow([&] { return validation::Validate(object, &old, validation::Op::kStatus); });
}

}  // namespace orch
