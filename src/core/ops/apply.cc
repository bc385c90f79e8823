// A simple `kubectl apply`: create, or merge a manifest into what exists.
#include "absl/strings/str_cat.h"
#include "orch/api/codec.h"
#include "orch/errors.h"
#include "orch/ops.h"

namespace orch {
namespace {

constexpr int kApplyRetries = 16;

// The manifest as a merge patch: what it says, less what belongs to the system (status, and the
// metadata the store assigns).
std::string ManifestPatch(Object object) {
  object.status.clear();
  object.metadata.resourceVersion.clear();
  object.metadata.uid.clear();
  object.metadata.creationTimestamp = Time{};
  object.fields.clear();
  return EncodeObject(object);
}

}  // namespace

absl::StatusOr<ApplyResult> Apply(Client& client, Object object, absl::string_view default_namespace) {
  absl::StatusOr<const ResourceType*> type = ResolveType(object.type);
  if (!type.ok()) return type.status();
  if ((*type)->namespaced && object.metadata.namespace_.empty()) {
    object.metadata.namespace_ = std::string(default_namespace);
  }
  if (object.metadata.name.empty()) {
    return InvalidError((*type)->kind, "", "metadata.name: Required value: apply needs a name");
  }
  const std::string patch = ManifestPatch(object);
  for (int attempt = 0; attempt < kApplyRetries; ++attempt) {
    absl::StatusOr<ObjectPtr> existing = client.Get(**type, object.metadata.namespace_, object.metadata.name);
    if (absl::IsNotFound(existing.status())) {
      absl::StatusOr<ObjectPtr> created = client.Create(object);
      if (absl::IsAlreadyExists(created.status())) continue;  // created meanwhile: merge into it
      if (!created.ok()) return created.status();
      return ApplyResult{*created, ApplyOutcome::kCreated};
    }
    if (!existing.ok()) return existing.status();
    absl::StatusOr<ObjectPtr> patched =
        client.Patch(**type, object.metadata.namespace_, object.metadata.name, PatchType::kMerge, patch);
    if (absl::IsNotFound(patched.status())) continue;  // deleted meanwhile: create it
    if (!patched.ok()) return patched.status();
    const bool unchanged = (*patched)->revision == (*existing)->revision;
    return ApplyResult{*patched, unchanged ? ApplyOutcome::kUnchanged : ApplyOutcome::kConfigured};
  }
  return ConflictError((*type)->QualifiedResource(), object.metadata.name, "the object keeps changing");
}

}  // namespace orch
