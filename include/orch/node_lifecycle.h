// Node health as the control plane sees it, and taking nodes out of service.
//
// The node lifecycle controller watches each node's heartbeat (its Lease in kube-node-lease and
// its Ready condition). When neither moves for the grace period, it sets the node's conditions to
// Unknown ("Kubelet stopped posting node status."), marks its pods not Ready, and taints it
// node.kubernetes.io/unreachable (NoExecute and NoSchedule); a Ready=False node gets
// node.kubernetes.io/not-ready instead. The taints go when the node is Ready again. Taint-based
// eviction deletes a pod on a node with a NoExecute taint it does not tolerate at once, and one
// that tolerates it for tolerationSeconds after that many seconds (every pod tolerates not-ready
// and unreachable for 300 s unless it says otherwise: the DefaultTolerationSeconds admission).
#ifndef ORCH_NODE_LIFECYCLE_H_
#define ORCH_NODE_LIFECYCLE_H_

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "orch/client.h"
#include "orch/controller.h"

namespace orch {

struct NodeLifecycleOptions {
  // How long a node's heartbeat may stand still before it is Unknown (kube-controller-manager's
  // --node-monitor-grace-period: 50 s since Kubernetes 1.32, 40 s before).
  absl::Duration node_monitor_grace_period = absl::Seconds(50);
  // The same for a node that never posted a Ready condition (--node-startup-grace-period).
  absl::Duration node_startup_grace_period = absl::Seconds(60);
  // Whether NoExecute taints evict pods (the taint-eviction-controller).
  bool taint_based_eviction = true;
};

// The node lifecycle controller and taint-based eviction, in one controller.
std::unique_ptr<Controller> NewNodeLifecycleController(NodeLifecycleOptions options = {});

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

}  // namespace orch

#endif  // ORCH_NODE_LIFECYCLE_H_
