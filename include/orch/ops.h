// What kubectl drives beyond plain reads and writes: cordon and drain of nodes, rollout undo and
// status of Deployments -- for applications and tests that do the same through an orch::Client.
#ifndef ORCH_OPS_H_
#define ORCH_OPS_H_

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "orch/api/types.h"
#include "orch/client.h"

namespace orch {

// What Apply did.
enum class ApplyOutcome { kCreated, kConfigured, kUnchanged };
struct ApplyResult {
  ObjectPtr object;
  ApplyOutcome outcome = ApplyOutcome::kCreated;
};
// Creates the object, or merges it into the existing one (JSON merge patch, RFC 7386: members it
// sets replace, members it leaves out stay -- e.g. a pod's spec.nodeName, annotations controllers
// wrote) and updates it; a merge that changes nothing writes nothing. A simple `kubectl apply`:
// fields removed from a manifest are not removed from the object (that needs server-side apply).
// A namespaced object without a namespace goes to `default_namespace`.
absl::StatusOr<ApplyResult> Apply(Client& client, Object object,
                                  absl::string_view default_namespace = "default");

// Sets (or clears) spec.unschedulable, as `kubectl cordon` / `kubectl uncordon`.
absl::Status CordonNode(Client& client, absl::string_view name, bool unschedulable = true);

struct DrainOptions {
  // Pods owned by a DaemonSet stay (their controller would put them back); false fails the drain
  // when there are any, as `kubectl drain` without --ignore-daemonsets.
  bool ignore_daemonsets = true;
  // Delete pods that no controller owns (`--force`); otherwise the drain fails naming them.
  bool force = false;
  // Delete pods with emptyDir volumes (`--delete-emptydir-data`); otherwise the drain fails.
  bool delete_emptydir_data = false;
  // Overrides each pod's terminationGracePeriodSeconds.
  std::optional<int64_t> grace_period_seconds;
};

struct DrainResult {
  std::vector<std::string> deleted;  // "namespace/name"
  std::vector<std::string> ignored;  // mirror and DaemonSet pods left in place
};

// Cordons the node, then deletes its pods except mirror pods and DaemonSet-owned ones, as
// `kubectl drain` (without PodDisruptionBudgets: pods are deleted, not evicted through the API).
// Returns once the deletions are asked for; the node agents finish them. Checks every pod before
// deleting any: FailedPrecondition naming the pods that block the drain.
absl::StatusOr<DrainResult> DrainNode(Client& client, absl::string_view name,
                                      const DrainOptions& options = {});

// Rolls the deployment back to the ReplicaSet of `to_revision` (0: the previous revision) by
// copying that ReplicaSet's pod template (without its pod-template-hash label) and annotations into
// the deployment; the deployment controller then rolls it out with a new revision number.
// FailedPrecondition for a paused deployment; NotFound when the revision is not in its history.
// OK without a change when the template already matches that revision.
absl::Status RollbackDeployment(Client& client, absl::string_view namespace_, absl::string_view name,
                                int64_t to_revision = 0);

// `kubectl rollout status`'s message for the deployment's current state, without the trailing
// newline: "Waiting for deployment \"web\" rollout to finish: 1 out of 4 new replicas have been
// updated...", ..., "deployment \"web\" successfully rolled out". `done` (if given) says whether the
// rollout is finished. DeadlineExceeded `deployment "web" exceeded its progress deadline` once the
// Progressing condition says ProgressDeadlineExceeded.
absl::StatusOr<std::string> RolloutStatus(const Deployment& deployment, bool* done = nullptr);

}  // namespace orch

#endif  // ORCH_OPS_H_
