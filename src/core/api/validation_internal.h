// The pieces of orch's validation (orch/validation.h) that its files share: ObjectMeta rules
// (validation_meta.cc), the pod specification (validation_pod.cc, validation_scheduling.cc) and the
// rules of each built-in kind (validation_service.cc, validation_apps.cc, validation_kinds.cc).
//
// Every function appends Kubernetes-formatted field errors (field_errors.h) to `errs` and never
// throws. Fields that defaulting fills (a Pod's restartPolicy, a port's protocol, a Deployment's
// strategy, ...) are accepted when empty, so validation gives the same answer before and after
// ApplyDefaults. Internal to src/core.
#ifndef ORCH_SRC_CORE_API_VALIDATION_INTERNAL_H_
#define ORCH_SRC_CORE_API_VALIDATION_INTERNAL_H_

#include <optional>
#include <set>
#include <string>
#include <vector>

#include "absl/strings/string_view.h"
#include "orch/api/object.h"
#include "orch/api/types.h"
#include "src/core/api/field_errors.h"

namespace orch::validation {

// How a kind's object names are checked (apimachinery's NameIs* functions).
enum class NameRule { kDns1123Subdomain, kDns1123Label, kDns1035Label };

struct MetaRules {
  NameRule name_rule = NameRule::kDns1123Subdomain;
  // Whether the kind lives in a namespace: then metadata.namespace is required, else forbidden.
  // Unknown (an unregistered kind): a namespace is only checked for its format.
  enum class Scope { kNamespaced, kCluster, kUnknown } scope = Scope::kNamespaced;
  // Built-in kinds also reject finalizer names without a '/' that are not Kubernetes' own.
  bool builtin = true;
};

// --- validation_meta.cc

// The problems of `name` under `rule`; `prefix` is true for a generateName.
std::vector<std::string> ValidateName(NameRule rule, absl::string_view name, bool prefix);
// ValidateObjectMeta: name or generateName, namespace, labels, annotations, owner references,
// finalizers.
void ValidateObjectMeta(const ObjectMeta& meta, const MetaRules& rules, FieldErrors* errs);
// ValidateObjectMetaUpdate: name, namespace, uid and creationTimestamp are immutable; no finalizer may
// be added once deletion started; then labels, annotations, owner references and finalizers again.
void ValidateObjectMetaUpdate(const ObjectMeta& meta, const ObjectMeta& old, FieldErrors* errs);
// metav1 ValidateLabelSelector: matchLabels and matchExpressions under `path`.
void ValidateLabelSelector(const LabelSelectorSpec& selector, absl::string_view path, FieldErrors* errs);
// A finalizer name (qualified name; for built-in kinds also a standard name or one with a '/').
void ValidateFinalizerName(absl::string_view name, absl::string_view path, bool builtin, FieldErrors* errs);
// `<path>: Invalid value: "<new>": field is immutable` when the strings differ.
void ValidateImmutable(absl::string_view value, absl::string_view old, absl::string_view path,
                       FieldErrors* errs);

// --- validation_pod.cc

// A string member of unmodeled JSON (`terminationMessagePolicy` of a container, ...), if present.
std::optional<std::string> UnknownString(const UnknownFields& unknown, absl::string_view key);
// Whether unmodeled JSON has `key` with a non-null value.
bool UnknownHas(const UnknownFields& unknown, absl::string_view key);

// ValidatePodSpec, with field paths under `path` ("spec" or "spec.template.spec").
void ValidatePodSpec(const PodSpec& spec, absl::string_view path, FieldErrors* errs);
// ValidatePodTemplateSpec: template labels and annotations, then the spec under `path`.spec.
void ValidatePodTemplateSpec(const PodTemplateSpec& tmpl, absl::string_view path, FieldErrors* errs);
// The Pod update rules of ValidatePodUpdate (besides metadata and the new spec's own validity).
void ValidatePodSpecUpdate(const PodSpec& spec, const PodSpec& old, FieldErrors* errs);
// Pod status written through the status subresource.
void ValidatePodStatusUpdate(const Pod& pod, const Pod& old, FieldErrors* errs);

// --- validation_container.cc

// validateContainers: `volumes` holds the names of the pod's valid volumes.
void ValidateContainers(const std::vector<Container>& containers, const std::set<std::string>& volumes,
                        absl::string_view path, FieldErrors* errs);
// validateInitContainers: names are also unique against `containers`.
void ValidateInitContainers(const std::vector<Container>& init_containers,
                            const std::vector<Container>& containers, const std::set<std::string>& volumes,
                            absl::string_view path, FieldErrors* errs);

// --- validation_scheduling.cc

void ValidateAffinity(const Affinity& affinity, absl::string_view path, FieldErrors* errs);
void ValidateTolerations(const std::vector<Toleration>& tolerations, absl::string_view path,
                         FieldErrors* errs);
// validateOnlyAddedTolerations: existing tolerations may only change their tolerationSeconds.
void ValidateOnlyAddedTolerations(const std::vector<Toleration>& tolerations,
                                  const std::vector<Toleration>& old, absl::string_view path,
                                  FieldErrors* errs);
void ValidateTopologySpreadConstraints(const std::vector<TopologySpreadConstraint>& constraints,
                                       absl::string_view path, FieldErrors* errs);
// A taint or toleration effect; `allow_empty` for tolerations (empty matches every effect).
void ValidateTaintEffect(absl::string_view effect, bool allow_empty, absl::string_view path,
                         FieldErrors* errs);

// --- validation_service.cc

void ValidateServiceSpec(const Service& service, FieldErrors* errs);
// validateEndpointSubsets: each subset's addresses (a valid IP that is not unspecified, loopback or
// link-local; hostname and nodeName) and ports (named when there are several, number, protocol).
void ValidateEndpointSubsets(const Endpoints& endpoints, FieldErrors* errs);
void ValidateServiceUpdate(const Service& service, const Service& old, FieldErrors* errs);
void ValidateServiceStatus(const Service& service, FieldErrors* errs);

// --- validation_apps.cc

void ValidateReplicaSetSpec(const ReplicaSetSpec& spec, FieldErrors* errs);
void ValidateReplicaSetUpdate(const ReplicaSet& rs, const ReplicaSet& old, FieldErrors* errs);
void ValidateReplicaSetStatus(const ReplicaSetStatus& status, const ReplicaSetStatus& old, FieldErrors* errs);
void ValidateDeploymentSpec(const DeploymentSpec& spec, FieldErrors* errs);
void ValidateDeploymentUpdate(const Deployment& d, const Deployment& old, FieldErrors* errs);
void ValidateDeploymentStatus(const DeploymentStatus& status, const DeploymentStatus& old, FieldErrors* errs);

// --- validation_kinds.cc

void ValidateConfigMapData(const ConfigMap& config_map, FieldErrors* errs);
void ValidateConfigMapUpdate(const ConfigMap& config_map, const ConfigMap& old, FieldErrors* errs);
void ValidateNamespaceSpec(const Namespace& ns, FieldErrors* errs);
void ValidateNodeSpec(const Node& node, FieldErrors* errs);
void ValidateNodeUpdate(const Node& node, const Node& old, FieldErrors* errs);
void ValidateEventFields(const Event& event, FieldErrors* errs);

}  // namespace orch::validation

#endif  // ORCH_SRC_CORE_API_VALIDATION_INTERNAL_H_
