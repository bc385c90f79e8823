// Validation and defaulting of objects with Kubernetes' rules, as the API server applies them
// before anything reaches the store. orch::Client applies the same rules (to the decoded struct of
// a built-in kind); an application that writes to a Store directly may call these itself.
//
// Errors are InvalidError (reason Invalid, HTTP 422) that list every problem with its field path,
// formatted as Kubernetes does: one error `Pod "web" is invalid: spec.containers[0].image: Required
// value`, several `Pod "web" is invalid: [spec.containers[0].name: Required value, metadata.labels:
// Invalid value: "-x": ...]`. Fields that ApplyDefaults fills (a Pod's restartPolicy, a port's
// protocol, ...) are accepted when empty, so validating before or after defaulting gives the same
// answer. Thread-safe; never throws.
#ifndef ORCH_API_VALIDATION_H_
#define ORCH_API_VALIDATION_H_

#include "absl/status/status.h"
#include "orch/api/object.h"

namespace orch {

// Checks an object about to be created: metadata (name or generateName as DNS names per kind,
// namespace, labels, annotations, owner references, finalizers) for every kind, and the spec of
// the built-in kinds.
absl::Status ValidateCreate(const Object& object);
// Checks a replacement of `old`: everything ValidateCreate checks, plus the fields Kubernetes
// makes immutable (metadata.name/namespace/uid/creationTimestamp, a Pod's spec except the few
// mutable fields, selectors of ReplicaSet and Deployment, a Service's clusterIP, an immutable
// ConfigMap's data).
absl::Status ValidateUpdate(const Object& object, const Object& old);
// Checks a status written through the status subresource.
absl::Status ValidateStatusUpdate(const Object& object, const Object& old);

// Fills the defaults the Kubernetes API server sets on the built-in kinds (a Pod's restartPolicy,
// dnsPolicy, terminationGracePeriodSeconds, schedulerName, container protocol and
// imagePullPolicy, ...; a Deployment's replicas, strategy, revisionHistoryLimit,
// progressDeadlineSeconds; a Service's type, sessionAffinity, port protocol and targetPort; ...).
// Fields already set are kept. InvalidArgument if the object's spec does not decode.
absl::Status ApplyDefaults(Object* object);

}  // namespace orch

#endif  // ORCH_API_VALIDATION_H_
