// The built-in controllers. orch::Cluster registers them all; a custom control plane picks the ones
// it wants and adds them to its own ControllerManager.
#ifndef ORCH_CONTROLLERS_H_
#define ORCH_CONTROLLERS_H_

#include <memory>

#include "absl/time/time.h"
#include "orch/controller.h"
#include "orch/scheduler.h"

namespace orch {

// Keeps spec.replicas pods matching each ReplicaSet's selector: creates them from its template,
// owns them (ownerReferences, controller: true), adopts matching orphans, releases pods that stop
// matching, deletes surplus pods in Kubernetes' order; writes status (replicas, readyReplicas,
// availableReplicas after minReadySeconds, fullyLabeledReplicas, observedGeneration).
std::unique_ptr<Controller> NewReplicaSetController();

// Rolls Deployments out through ReplicaSets named <deployment>-<pod-template-hash>: RollingUpdate
// (maxSurge, maxUnavailable) and Recreate, revision annotations and history limit, rollback, pause,
// progressDeadlineSeconds with the Progressing condition, and status as `kubectl rollout status`
// reads it.
std::unique_ptr<Controller> NewDeploymentController();

// Keeps one Endpoints object per Service with a selector: the ready and not-ready addresses of the
// matching pods, with the Service's ports resolved (targetPort by number or by container port name).
std::unique_ptr<Controller> NewEndpointsController();

// Deletes objects whose owners are gone (background propagation), deletes an owner's dependents
// before it (foreground: the "foregroundDeletion" finalizer), or releases them (the "orphan"
// finalizer).
std::unique_ptr<Controller> NewGarbageCollector();

// Deletes each Event `ttl` after it was last written (its newest timestamp), as the Kubernetes API
// server's --event-ttl (default one hour) does, so recorded Events do not grow the store forever.
std::unique_ptr<Controller> NewEventTtlController(absl::Duration ttl = absl::Hours(1));

struct PodGcOptions {
  // How long a pod bound to a Node that does not exist waits before it is deleted (a Node may be
  // on its way): Kubernetes' 40 s quarantine.
  absl::Duration quarantine = absl::Seconds(40);
  // How many terminated (Succeeded or Failed) pods are kept; beyond it the oldest are deleted.
  // kube-controller-manager's --terminated-pod-gc-threshold (12,500). 0 keeps them all.
  int64_t terminated_pod_threshold = 12500;
};

// Kubernetes' pod garbage collector: deletes pods bound to a Node that no longer exists (marked
// Failed with a DisruptionTarget condition, reason DeletionByPodGC), pods being deleted that were
// never scheduled (no agent would finish them), and the oldest terminated pods beyond a threshold.
std::unique_ptr<Controller> NewPodGcController(PodGcOptions options = {});

// The scheduler for pods whose spec.schedulerName is the profile's name (or empty): binds pending
// pods to nodes by the profile's filters and scores, records Scheduled / FailedScheduling events,
// preempts lower-priority pods when nothing fits, and retries unschedulable pods when the cluster
// changes. It runs from its own priority queue (its Reconcile does nothing).
std::unique_ptr<Controller> NewScheduler(SchedulerProfile profile = {});

// The node lifecycle controller watches each node's heartbeat (its Lease in kube-node-lease and
// its Ready condition). When neither moves for the grace period, it sets the node's conditions to
// Unknown ("Kubelet stopped posting node status."), marks its pods not Ready, and taints it
// node.kubernetes.io/unreachable (NoExecute and NoSchedule); a Ready=False node gets
// node.kubernetes.io/not-ready instead. The taints go when the node is Ready again. Taint-based
// eviction deletes a pod on a node with a NoExecute taint it does not tolerate at once, and one
// that tolerates it for tolerationSeconds after that many seconds (every pod tolerates not-ready
// and unreachable for 300 s unless it says otherwise: the DefaultTolerationSeconds admission).
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

}  // namespace orch

#endif  // ORCH_CONTROLLERS_H_
