// The typed views of the built-in kinds: Namespace, Node, Pod, Service, Endpoints, ConfigMap, Event
// (core/v1), ReplicaSet, Deployment (apps/v1) and Lease (coordination.k8s.io/v1). Convert with
// FromObject<T> / ToObject (orch/codec.h).
//
// The structs keep Kubernetes' field names and meaning; see orch/pod_spec.h for the conventions.
#ifndef ORCH_API_TYPES_H_
#define ORCH_API_TYPES_H_

#include "absl/status/statusor.h"
#include "orch/api/apps_v1.h"
#include "orch/api/codec.h"
#include "orch/api/coordination_v1.h"
#include "orch/api/core_v1.h"
#include "orch/api/object.h"
#include "orch/api/pod_spec.h"
#include "orch/api/quantity.h"

namespace orch {

// The typed codecs (defined in src/core/codec_*.cc). FromObject<T> fails with InvalidArgument when the
// object is of another kind (`object is apps/v1 Deployment, expected v1 Pod`) or a field has the wrong
// type (`spec.containers[0].ports[1].containerPort: expected integer, got string`). ToObject fills
// the object's type, metadata, spec, status (empty when the status is) and selectable fields.
template <>
absl::StatusOr<Namespace> FromObject<Namespace>(const Object& object);
template <>
Object ToObject<Namespace>(const Namespace& typed);
template <>
absl::StatusOr<Node> FromObject<Node>(const Object& object);
template <>
Object ToObject<Node>(const Node& typed);
template <>
absl::StatusOr<Pod> FromObject<Pod>(const Object& object);
template <>
Object ToObject<Pod>(const Pod& typed);
template <>
absl::StatusOr<Service> FromObject<Service>(const Object& object);
template <>
Object ToObject<Service>(const Service& typed);
template <>
absl::StatusOr<Endpoints> FromObject<Endpoints>(const Object& object);
template <>
Object ToObject<Endpoints>(const Endpoints& typed);
template <>
absl::StatusOr<ConfigMap> FromObject<ConfigMap>(const Object& object);
template <>
Object ToObject<ConfigMap>(const ConfigMap& typed);
template <>
absl::StatusOr<Event> FromObject<Event>(const Object& object);
template <>
Object ToObject<Event>(const Event& typed);
template <>
absl::StatusOr<ReplicaSet> FromObject<ReplicaSet>(const Object& object);
template <>
Object ToObject<ReplicaSet>(const ReplicaSet& typed);
template <>
absl::StatusOr<Deployment> FromObject<Deployment>(const Object& object);
template <>
Object ToObject<Deployment>(const Deployment& typed);
template <>
absl::StatusOr<Lease> FromObject<Lease>(const Object& object);
template <>
Object ToObject<Lease>(const Lease& typed);

}  // namespace orch

#endif  // ORCH_API_TYPES_H_
