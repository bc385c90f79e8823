// Client::Apply: create, or merge a manifest into what exists.
#include "orch/api/codec.h"
#include "orch/client.h"
#include "orch/errors.h"
#include "src/core/api/json_util.h"

namespace orch {

absl::StatusOr<Client::ApplyResult> Client::Apply(Object object) {
  absl::StatusOr<const ResourceType*> type = ResolveType(object.type);
  if (!type.ok()) return type.status();
  if ((*type)->namespaced && object.metadata.namespace_.empty())
    object.metadata.namespace_ = options_.default_namespace;
  for (int attempt = 0; attempt < 16; ++attempt) {
    absl::StatusOr<ObjectPtr> existing = store_.Get(**type, object.metadata.namespace_, object.metadata.name);
    if (absl::IsNotFound(existing.status())) {
      absl::StatusOr<ObjectPtr> created = CreateObject(object);
      if (absl::IsAlreadyExists(created.status())) continue;  // created meanwhile: merge into it
      if (!created.ok()) return created.status();
      return ApplyResult{*created, ApplyOutcome::kCreated};
    }
    if (!existing.ok()) return existing.status();
    json::Json merged = json::Json::parse((*existing)->json, nullptr, /*allow_exceptions=*/false);
    json::Json patch = json::Json::parse(EncodeObject(object), nullptr, /*allow_exceptions=*/false);
    if (merged.is_discarded() || patch.is_discarded())
      return absl::InternalError("cannot re-read an encoded object");
    patch.erase("status");  // status belongs to the system
    if (auto meta = patch.find("metadata"); meta != patch.end() && meta->is_object()) {
      meta->erase("resourceVersion");
      meta->erase("uid");
      meta->erase("creationTimestamp");
    }
    merged.merge_patch(patch);
    absl::StatusOr<Object> decoded = DecodeObject(merged.dump());
    if (!decoded.ok()) return decoded.status();
    decoded->metadata.resourceVersion = (*existing)->object.metadata.resourceVersion;
    absl::StatusOr<ObjectPtr> updated = UpdateObject(std::move(*decoded));
    if (IsConflict(updated.status())) continue;  // changed meanwhile: merge again
    if (!updated.ok()) return updated.status();
    const bool unchanged = (*updated)->revision == (*existing)->revision;
    return ApplyResult{*updated, unchanged ? ApplyOutcome::kUnchanged : ApplyOutcome::kConfigured};
  }
  return ConflictError((*type)->QualifiedResource(), object.metadata.name, "the object keeps changing");
}

}  // namespace orch
