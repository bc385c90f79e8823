// What `kubectl rollout undo` and `kubectl rollout status` do for a Deployment, for applications and
// tests that drive rollouts through orch::Client.
#ifndef ORCH_ROLLOUT_H_
#define ORCH_ROLLOUT_H_

#include <cstdint>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "orch/client.h"
#include "orch/types.h"

namespace orch {

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

#endif  // ORCH_ROLLOUT_H_
