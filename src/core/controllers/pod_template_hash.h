// The pod-template-hash label value that names a Deployment's ReplicaSets, computed as Kubernetes'
// controller.ComputeHash does (FNV-32a, then rand.SafeEncodeString of the decimal sum) over a
// canonical JSON encoding of the template instead of Go's spew dump.
#ifndef ORCH_SRC_CORE_CONTROLLERS_POD_TEMPLATE_HASH_H_
#define ORCH_SRC_CORE_CONTROLLERS_POD_TEMPLATE_HASH_H_

#include <cstdint>
#include <optional>
#include <string>

#include "orch/api/types.h"

namespace orch::controllers {

inline constexpr char kPodTemplateHashLabel[] = "pod-template-hash";

// The template as canonical JSON: equal templates encode equally.
std::string CanonicalTemplate(const PodTemplateSpec& pod_template);
// Whether two templates are equal once their pod-template-hash labels are removed.
bool EqualIgnoreHash(const PodTemplateSpec& a, const PodTemplateSpec& b);
// E.g. "5d4f8c7b9"; collision_count (status.collisionCount) perturbs it after a name collision.
std::string ComputeHash(const PodTemplateSpec& pod_template, std::optional<int32_t> collision_count);

}  // namespace orch::controllers

#endif  // ORCH_SRC_CORE_CONTROLLERS_POD_TEMPLATE_HASH_H_
