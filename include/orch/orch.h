// The index of orch's public API: one line per header. Include the headers you use; this one
// includes them all.
#ifndef ORCH_ORCH_H_
#define ORCH_ORCH_H_

// The facade: a whole control plane in the process, on a manual clock or a background loop.
#include "orch/cluster.h"

// The seams, each an interface with the implementations orch has behind a factory.
#include "orch/client.h"      // what everything talks to: the API's verbs, typed calls, NewLocalClient
#include "orch/clock.h"       // real and manual time
#include "orch/controller.h"  // controllers, informers, work queues, events, the controller manager
#include "orch/loop.h"        // where work runs: the manual loop and the threaded (libuv) loop
#include "orch/network.h"     // pod networks by name (OpenNetwork)
#include "orch/runtime.h"     // container runtimes by name (OpenRuntime)
#include "orch/scheduler.h"   // scheduler plugins and profiles
#include "orch/store.h"       // etcd's contract; SQLite and memory stores, stores by URL (OpenStore)

// Built on the seams.
#include "orch/controllers.h"  // the built-in controllers: ReplicaSet, Deployment, Endpoints, GC, ...
#include "orch/errors.h"       // error codes with Kubernetes' reasons and HTTP codes
#include "orch/node_agent.h"   // node agents that run pods on a runtime and a network
#include "orch/ops.h"          // what kubectl drives: apply, cordon, drain, rollout undo and status

// The object model (orch/api/).
#include "orch/api/codec.h"       // JSON and YAML, generic and typed
#include "orch/api/object.h"      // ObjectMeta, the kind-agnostic Object, the registry of kinds
#include "orch/api/quantity.h"    // resource quantities ("500m", "1Gi")
#include "orch/api/selector.h"    // label and field selectors
#include "orch/api/types.h"       // the built-in kinds (core/v1, apps/v1, coordination.k8s.io/v1)
#include "orch/api/validation.h"  // defaults and validation, as kube-apiserver applies them

// Test hooks (orch/testing/).
#include "orch/testing/sim.h"  // the simulated runtime: crash, hang, fail probes

#endif  // ORCH_ORCH_H_
