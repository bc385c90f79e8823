// Deletion as the registry does it: pods' grace periods, propagation policies, graceful deletion
// and finalizers, over the store's compare-and-swap delete.
#include <algorithm>

#include "absl/strings/str_cat.h"
#include "orch/api/core_v1.h"
#include "orch/errors.h"
#include "src/core/api/json_util.h"
#include "src/core/registry/local_client.h"

namespace orch::registry {
namespace {

using json::Json;

// A pod not bound to a node, or finished, has no agent to stop it: it goes at once, whatever grace
// period was asked (Kubernetes' podStrategy.CheckGracefulDelete).
bool PodDeletedAtOnce(const Object& pod) {
  return pod.Field("spec.nodeName").empty() || IsPodTerminated(pod);
}

// The default grace period of a pod bound to a node and not finished (so its node agent can stop
// it): the pod's terminationGracePeriodSeconds, 30 when unset.
int64_t PodGracePeriod(const Object& pod) {
  Json spec = Json::parse(pod.spec, nullptr, /*allow_exceptions=*/false);
  if (spec.is_object()) {
    auto inner = spec.find("spec");
    if (inner != spec.end() && inner->is_object()) {
      auto grace = inner->find("terminationGracePeriodSeconds");
      if (grace != inner->end() && grace->is_number_integer())
        return std::max<int64_t>(0, grace->get<int64_t>());
    }
  }
  return 30;
}

}  // namespace

absl::StatusOr<DeleteResult> LocalClient::DeleteWithRules(const ResourceType& type,
                                                          const std::string& namespace_,
                                                          absl::string_view name,
                                                          const DeleteOptions& options) {
  const std::string& policy = options.propagationPolicy;
  // Read, decide, and write conditionally on the version read: a write in between makes it decide
  // again (or, with a resourceVersion precondition, fail).
  for (int attempt = 0;; ++attempt) {
    absl::StatusOr<ObjectPtr> read = store_.Get(type, namespace_, name);
    if (!read.ok()) return read.status();
    ObjectPtr current = *read;
    if (absl::Status s = CheckPreconditions(type, name, options.preconditions, current->object.metadata);
        !s.ok()) {
      return s;
    }
    // Only pods are deleted gracefully (their agent stops them first): other kinds go at once, or
    // wait for their finalizers, whatever grace period was asked (as Kubernetes).
    std::optional<int64_t> requested = 0;
    if (IsCoreKind(type, "Pod")) {
      requested = options.gracePeriodSeconds;
      if (PodDeletedAtOnce(current->object)) {
        requested = 0;
      } else if (!requested) {
        requested = PodGracePeriod(current->object);
      }
    }
    absl::StatusOr<ObjectPtr> written;
    bool deleted = false;
    if (policy == "Foreground" || policy == "Orphan") {
      // The garbage collector finishes these: it deletes (or releases) the dependents, then
      // removes the finalizer, which deletes the object.
      const char* finalizer = policy == "Foreground" ? "foregroundDeletion" : "orphan";
      std::vector<std::string> finalizers = current->object.metadata.finalizers;
      if (std::find(finalizers.begin(), finalizers.end(), finalizer) == finalizers.end()) {
        Object marked = current->object;
        marked.metadata.finalizers.push_back(finalizer);
        written = store_.Update(std::move(marked), current->revision);
        if (IsConflict(written.status()) && !options.preconditions.resourceVersion &&
            attempt < kConflictRetries)
          continue;
        if (!written.ok()) return written.status();
        current = *written;
      }
    }
    const ObjectMeta& meta = current->object.metadata;
    const int64_t grace = std::max<int64_t>(0, requested.value_or(0));
    if (!meta.finalizers.empty() || grace > 0) {
      // Only mark: finalizers or the owner finish the deletion. A second delete may only shorten
      // the grace period.
      const int64_t old_grace = meta.deletionGracePeriodSeconds.value_or(0);
      if (meta.deletionTimestamp.IsSet() && (old_grace <= grace || !meta.finalizers.empty())) {
        return DeleteResult{current, false};
      }
      Object marked = current->object;
      MarkDeleted(&marked.metadata, clock_.Now(), grace);
      written = store_.Update(std::move(marked), current->revision);
    } else {
      written = store_.Delete(type, namespace_, name, current->revision);
      deleted = true;
    }
    if (IsConflict(written.status()) && !options.preconditions.resourceVersion && attempt < kConflictRetries)
      continue;
    if (!written.ok()) return written.status();
    return DeleteResult{*written, deleted};
  }
}

}  // namespace orch::registry
