// kubectl cordon and drain, as library calls.
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "orch/api/types.h"
#include "orch/errors.h"
#include "orch/ops.h"

namespace orch {

absl::Status CordonNode(Client& client, absl::string_view name, bool unschedulable) {
  for (int attempt = 0;; ++attempt) {
    absl::StatusOr<Node> node = Get<Node>(client, "", name);
    if (!node.ok()) return node.status();
    if (node->spec.unschedulable == unschedulable) return absl::OkStatus();
    node->spec.unschedulable = unschedulable;
    absl::StatusOr<Node> written = Update(client, *node);
    if (written.ok()) return absl::OkStatus();
    if (!IsConflict(written.status()) || attempt >= 5) return written.status();
  }
}

absl::StatusOr<DrainResult> DrainNode(Client& client, absl::string_view name, const DrainOptions& options) {
  if (absl::Status s = CordonNode(client, name, true); !s.ok()) return s;
  ListOptions list_options;
  absl::StatusOr<FieldSelector> selector = FieldSelector::Parse(absl::StrCat("spec.nodeName=", name));
  if (!selector.ok()) return selector.status();
  list_options.fieldSelector = *std::move(selector);
  absl::StatusOr<TypedList<Pod>> pods = List<Pod>(client, "", list_options);
  if (!pods.ok()) return pods.status();

  DrainResult result;
  std::vector<const Pod*> to_delete;
  std::vector<std::string> unmanaged, daemonsets, local_storage;
  for (const Pod& pod : pods->items) {
    const std::string key = absl::StrCat(pod.metadata.namespace_, "/", pod.metadata.name);
    if (pod.metadata.annotations.contains("kubernetes.io/config.mirror")) {
      result.ignored.push_back(key);
      continue;
    }
    const bool finished = pod.Terminated();
    const OwnerReference* owner = pod.metadata.ControllerRef();
    if (owner != nullptr && owner->kind == "DaemonSet") {
      if (!options.ignore_daemonsets) daemonsets.push_back(key);
      result.ignored.push_back(key);
      continue;
    }
    if (owner == nullptr && !finished && !options.force) unmanaged.push_back(key);
    bool empty_dir = false;
    for (const Volume& volume : pod.spec.volumes) empty_dir = empty_dir || volume.emptyDir.has_value();
    if (empty_dir && !finished && !options.delete_emptydir_data) local_storage.push_back(key);
    to_delete.push_back(&pod);
  }
  std::vector<std::string> problems;
  if (!unmanaged.empty()) {
    problems.push_back(
        absl::StrCat("cannot delete Pods that declare no controller (use --force to override): ",
                     absl::StrJoin(unmanaged, ", ")));
  }
  if (!daemonsets.empty()) {
    problems.push_back(
        absl::StrCat("cannot delete DaemonSet-managed Pods (use --ignore-daemonsets to ignore): ",
                     absl::StrJoin(daemonsets, ", ")));
  }
  if (!local_storage.empty()) {
    problems.push_back(
        absl::StrCat("cannot delete Pods with local storage (use --delete-emptydir-data to override): ",
                     absl::StrJoin(local_storage, ", ")));
  }
  if (!problems.empty()) {
    return absl::FailedPreconditionError(
        absl::StrCat("node \"", name, "\" cannot be drained: ", absl::StrJoin(problems, "; ")));
  }
  for (const Pod* pod : to_delete) {
    DeleteOptions delete_options;
    delete_options.gracePeriodSeconds = options.grace_period_seconds;
    delete_options.preconditions.uid = pod->metadata.uid;
    absl::Status s = Delete<Pod>(client, pod->metadata.namespace_, pod->metadata.name, delete_options);
    if (!s.ok() && !absl::IsNotFound(s)) return s;
    result.deleted.push_back(absl::StrCat(pod->metadata.namespace_, "/", pod->metadata.name));
  }
  return result;
}

}  // namespace orch
