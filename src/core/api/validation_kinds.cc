// The entry points of validation: on Objects (orch/validation.h), which dispatch by kind and decode,
// and on the structs of the built-in kinds (admission::Validate, which Client's writes use); and the
// rules of the smaller built-in kinds (ConfigMap, Namespace, Node, Event) as
// pkg/apis/core/validation has them.
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "orch/api/codec.h"
#include "orch/api/types.h"
#include "orch/api/validation.h"
#include "orch/errors.h"
#include "src/core/api/admission.h"
#include "src/core/api/validation_internal.h"

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

using admission::Op;

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

// The metadata rules of a kind: name format and scope.
MetaRules RulesFor(const TypeMeta& type) {
  MetaRules rules;
  const ResourceType* found = FindResourceTypeFor(type);
  rules.scope = found == nullptr
                    ? MetaRules::Scope::kUnknown
                    : (found->namespaced ? MetaRules::Scope::kNamespaced : MetaRules::Scope::kCluster);
  rules.builtin =
      found != nullptr && (found->group.empty() || found->group == "apps") && found->version == "v1";
  if (admission::Is<Namespace>(type)) rules.name_rule = NameRule::kDns1123Label;
  if (admission::Is<Service>(type)) rules.name_rule = NameRule::kDns1035Label;
  return rules;
}

// The metadata rules of a create (`old` null) or an update.
void ValidateMeta(const TypeMeta& type, const ObjectMeta& meta, const ObjectMeta* old, FieldErrors* errs) {
  if (old == nullptr) {
    ValidateObjectMeta(meta, RulesFor(type), errs);
  } else {
    ValidateObjectMetaUpdate(meta, *old, errs);
  }
}

// The kind-specific rules for one operation; `old` is null on create.
void ValidateKind(const Pod& pod, const Pod* old, Op op, FieldErrors* errs) {
  if (op == Op::kStatus) return ValidatePodStatusUpdate(pod, *old, errs);
  ValidatePodSpec(pod.spec, "spec", errs);
  if (op == Op::kUpdate) ValidatePodSpecUpdate(pod.spec, old->spec, errs);
}

void ValidateKind(const Service& svc, const Service* old, Op op, FieldErrors* errs) {
  if (op == Op::kStatus) return ValidateServiceStatus(svc, errs);
  op == Op::kUpdate ? ValidateServiceUpdate(svc, *old, errs) : ValidateServiceSpec(svc, errs);
}

void ValidateKind(const ReplicaSet& rs, const ReplicaSet* old, Op op, FieldErrors* errs) {
  if (op == Op::kStatus) return ValidateReplicaSetStatus(rs.status, old->status, errs);
  op == Op::kUpdate ? ValidateReplicaSetUpdate(rs, *old, errs) : ValidateReplicaSetSpec(rs.spec, errs);
}

void ValidateKind(const Deployment& d, const Deployment* old, Op op, FieldErrors* errs) {
  if (op == Op::kStatus) return ValidateDeploymentStatus(d.status, old->status, errs);
  op == Op::kUpdate ? ValidateDeploymentUpdate(d, *old, errs) : ValidateDeploymentSpec(d.spec, errs);
}

void ValidateKind(const ConfigMap& cm, const ConfigMap* old, Op op, FieldErrors* errs) {
  op == Op::kUpdate ? ValidateConfigMapUpdate(cm, *old, errs) : ValidateConfigMapData(cm, errs);
}

void ValidateKind(const Namespace& ns, const Namespace*, Op op, FieldErrors* errs) {
  if (op != Op::kStatus) return ValidateNamespaceSpec(ns, errs);
  const std::string& phase = ns.status.phase;
  if (!ns.metadata.deletionTimestamp.IsSet() && !phase.empty() && phase != "Active") {
    errs->push_back(
        FieldInvalid("status.Phase", phase, "may only be 'Active' if `deletionTimestamp` is empty"));
  } else if (ns.metadata.deletionTimestamp.IsSet() && !phase.empty() && phase != "Terminating") {
    errs->push_back(
        FieldInvalid("status.Phase", phase, "may only be 'Terminating' if `deletionTimestamp` is not empty"));
  }
}

void ValidateKind(const Node& node, const Node* old, Op, FieldErrors* errs) {
  old != nullptr ? ValidateNodeUpdate(node, *old, errs) : ValidateNodeSpec(node, errs);
}

void ValidateKind(const Endpoints& endpoints, const Endpoints*, Op, FieldErrors* errs) {
  ValidateEndpointSubsets(endpoints, errs);
}

void ValidateKind(const Event& event, const Event*, Op, FieldErrors* errs) {
  ValidateEventFields(event, errs);
}

// A Lease has the metadata rules only (the fields kube-apiserver checks of its spec are all optional
// and orch's agents write them).
void ValidateKind(const Lease&, const Lease*, Op, FieldErrors*) {}

// The kind's rules on `object`, after decoding `old` (for updates) as T; an old object that does
// not decode is recorded instead.
template <class T>
void ValidateKindAgainst(const T& object, const Object* old, Op op, FieldErrors* errs) {
  if (old == nullptr) return ValidateKind(object, nullptr, op, errs);
  T old_typed;
  if (Decode(*old, &old_typed, errs)) ValidateKind(object, &old_typed, op, errs);
}

// "Deployment.apps" or "Pod": the qualified kind Kubernetes names in Invalid errors.
std::string QualifiedKind(const TypeMeta& type) {
  absl::string_view group = type.Group();
  return group.empty() ? type.kind : absl::StrCat(type.kind, ".", group);
}

// OK, or the Invalid error that lists `errs` as Kubernetes aggregates them.
absl::Status ToStatus(const TypeMeta& type, const ObjectMeta& meta, const FieldErrors& errs) {
  if (errs.empty()) return absl::OkStatus();
  return InvalidError(QualifiedKind(type), meta.name.empty() ? meta.generateName : meta.name,
                      AggregateErrors(errs));
}

// Metadata first (create or update rules), then the kind's own rules, for which a built-in kind is
// decoded as its struct.
absl::Status Validate(const Object& object, const Object* old, Op op) {
  return admission::NoThrow("validation", [&] {
    FieldErrors errs;
    ValidateMeta(object.type, object.metadata, old == nullptr ? nullptr : &old->metadata, &errs);
    admission::VisitKind(
        object.type,
        [&]<class T>(std::type_identity<T>) {
          T typed;
          if (Decode(object, &typed, &errs)) ValidateKindAgainst(typed, old, op, &errs);
        },
        [] {});
    return ToStatus(object.type, object.metadata, errs);
  });
}

}  // namespace
}  // namespace validation

namespace admission {

template <class T>
absl::Status Validate(const T& object, const Object* old, Op op) {
  return NoThrow("validation", [&] {
    const TypeMeta type{T::kApiVersion, T::kKind};
    validation::FieldErrors errs;
    validation::ValidateMeta(type, object.metadata, old == nullptr ? nullptr : &old->metadata, &errs);
    validation::ValidateKindAgainst(object, old, op, &errs);
    return validation::ToStatus(type, object.metadata, errs);
  });
}

// Every built-in kind (BuiltinKinds).
template absl::Status Validate(const Pod&, const Object*, Op);
template absl::Status Validate(const Event&, const Object*, Op);
template absl::Status Validate(const Node&, const Object*, Op);
template absl::Status Validate(const Namespace&, const Object*, Op);
template absl::Status Validate(const Service&, const Object*, Op);
template absl::Status Validate(const Endpoints&, const Object*, Op);
template absl::Status Validate(const ConfigMap&, const Object*, Op);
template absl::Status Validate(const ReplicaSet&, const Object*, Op);
template absl::Status Validate(const Deployment&, const Object*, Op);
template absl::Status Validate(const Lease&, const Object*, Op);

}  // namespace admission

absl::Status ValidateCreate(const Object& object) {
  return validation::Validate(object, nullptr, admission::Op::kCreate);
}

absl::Status ValidateUpdate(const Object& object, const Object& old) {
  return validation::Validate(object, &old, admission::Op::kUpdate);
}

absl::Status ValidateStatusUpdate(const Object& object, const Object& old) {
  return validation::Validate(object, &old, admission::Op::kStatus);
}

}  // namespace orch
