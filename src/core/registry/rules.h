// The object rules kube-apiserver's registry applies between a request and its storage, which
// the Store (etcd's contract) knows nothing of: identity and timestamps of new objects, names from
// generateName, generation, status subresources, graceful deletion and finalizers. Internal to
// src/core/registry.
#ifndef ORCH_SRC_CORE_REGISTRY_RULES_H_
#define ORCH_SRC_CORE_REGISTRY_RULES_H_

#include <string>

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "orch/api/object.h"
#include "orch/client.h"

namespace orch::registry {

// How often a write that meets a concurrent one reads and tries again before it gives up.
inline constexpr int kConflictRetries = 16;

// Whether `type` is the core/v1 kind `kind` ("Pod", "Namespace", ...).
inline bool IsCoreKind(const ResourceType& type, absl::string_view kind) {
  return type.group.empty() && type.kind == kind;
}

// Conflict when `meta` (the stored version) does not have the uid or resourceVersion `pre` asks for,
// with Kubernetes' "Precondition failed" messages.
absl::Status CheckPreconditions(const ResourceType& type, absl::string_view name, const Preconditions& pre,
                                const ObjectMeta& meta);

// The three ways to replace a stored object.
enum class WriteKind {
  kMain,           // the main resource: status kept for a kind with a status subresource
  kStatus,         // the status subresource: status alone
  kSpecAndStatus,  // both at once (pods/binding: spec.nodeName and the PodScheduled condition)
};

// A random (version 4) UUID, as Kubernetes assigns to metadata.uid.
std::string NewUid();
// Kubernetes' generateName suffix: five characters from an alphabet without vowels or look-alikes.
std::string RandomSuffix();

// The status a new object of its kind starts with (a Pod Pending, a Namespace Active, none for the
// other kinds with a status subresource), set before it is validated.
void PrepareForCreate(const ResourceType& type, Object* object);
// The system fields of a new object, set once it is admitted: a fresh uid, creationTimestamp `now`
// (whole seconds), generation 1, no resourceVersion and no deletion mark.
void StampCreate(absl::Time now, ObjectMeta* meta);

// The next version of `old` when `object` replaces it by `write`: uid, creationTimestamp,
// generateName and the deletion mark stay as stored; status stays on main-resource writes of a
// kind with a status subresource, and only status changes on status writes; generation counts
// changes of spec. resourceVersion is the old one's (the store stamps the new revision).
Object NextVersion(const ResourceType& type, Object object, const Object& old, WriteKind write);

// Whether an object marked for deletion has nothing left to wait for (no finalizers, no grace
// period), so that writing it deletes it.
bool Finalized(const ObjectMeta& meta);

// The mark graceful deletion puts on `meta`: deletionTimestamp `now` + grace, and the grace.
void MarkDeleted(ObjectMeta* meta, absl::Time now, int64_t grace_seconds);

}  // namespace orch::registry

#endif  // ORCH_SRC_CORE_REGISTRY_RULES_H_
