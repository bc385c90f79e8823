// orch::Cluster: a whole control plane in the process -- a store, the controllers, the scheduler and
// simulated nodes -- driven by a manual clock in tests or by a background loop in applications.
//
//   auto cluster = orch::Cluster::Create({});          // in memory, manual clock: no thread, no file
//   orch::Create(cluster->client(), deployment);
//   cluster->RunUntilIdle();                            // everything that happens now, happens
//   cluster->Advance(absl::Seconds(30));                // ... and everything up to 30 s later
//
// With `mode = kThreaded`, a libuv loop in a background thread runs the same code on the real clock;
// the application talks to it through client() from any thread.
#ifndef ORCH_CLUSTER_H_
#define ORCH_CLUSTER_H_

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "orch/client.h"
#include "orch/controller.h"
#include "orch/controllers.h"
#include "orch/loop.h"
#include "orch/network.h"
#include "orch/node_agent.h"
#include "orch/runtime.h"
#include "orch/scheduler.h"
#include "orch/store.h"

namespace orch {

struct ClusterOptions {
  enum class Mode {
    kManual,    // nothing runs until RunUntilIdle()/Advance(); the clock is a ManualClock
    kThreaded,  // a background libuv loop on the real clock, started by Create()
  };
  Mode mode = Mode::kManual;
  // The store, by URL ("memory", "sqlite:///var/lib/orch/state.db"; see OpenStore). Ignored when
  // `store_instance` is given.
  std::string store = "memory";
  // A store the application made (or its own Store implementation). The cluster owns it.
  std::unique_ptr<Store> store_instance;
  // Manual mode: where the clock starts.
  absl::Time start_time = absl::FromUnixSeconds(1767225600);  // 2026-01-01T00:00:00Z
  // Whether to run the built-in controllers (ReplicaSet, Deployment, Endpoints, garbage collector,
  // node lifecycle, pod GC, event TTL). Off, the application adds the ones it wants with AddController.
  bool builtin_controllers = true;
  // The pod garbage collector (orphaned, unscheduled terminating and surplus terminated pods);
  // runs with the built-in controllers.
  PodGcOptions pod_gc;
  // How long an Event is kept after its last write (the API server's --event-ttl); runs with the
  // built-in controllers. Zero or less: Events are kept until deleted.
  absl::Duration event_ttl = absl::Hours(1);
  // Backoff of the controllers' work queues.
  WorkQueueOptions queue_options;
  // Whether to run a scheduler, and its profile (plugins, weights, scoring strategy).
  bool run_scheduler = true;
  SchedulerProfile scheduler;
  // The node lifecycle controller (heartbeats, unreachable taints, taint-based eviction); runs
  // with the built-in controllers.
  NodeLifecycleOptions node_lifecycle;
  // The runtime and network drivers of the nodes AddNode creates, by name: "sim" is built in,
  // others come from RegisterRuntimeDriver / RegisterNetworkDriver. `runtime_settings` are the
  // driver's own ("start-delay=1s", "ready-delay=0s" for the sim).
  std::string runtime = "sim";
  Labels runtime_settings;
  std::string network = "sim";
  // The application's own runtime driver, made when the cluster's loop exists (a runtime runs its
  // timers on it): called once by Create with the loop and `runtime_settings`. Replaces `runtime`.
  RuntimeFactory runtime_factory;
  // The application's own network driver; the cluster owns it. Replaces `network`.
  std::unique_ptr<NetworkDriver> network_instance;
  // Where nodes without a pod CIDR get one (see NodeAgentPoolOptions).
  std::string cluster_cidr = "10.244.0.0/16";
  int node_cidr_mask = 24;
};

// Thread-safety: client(), store() and the manual-mode calls may be used from any one thread at a
// time; in threaded mode client() and store() from any thread. Callbacks of controllers run on the
// loop thread.
class Cluster {
 public:
  // Opens the store, creates the system namespaces, starts the controllers. In manual mode this
  // starts no thread (the scheduler may later start helpers for attempts over 256 nodes or more;
  // see SchedulerProfile::parallelism); with an in-memory store it touches no file.
  static absl::StatusOr<std::unique_ptr<Cluster>> Create(ClusterOptions options);
  virtual ~Cluster() = default;

  virtual Client& client() = 0;
  virtual Store& store() = 0;
  virtual EventLoop& loop() = 0;
  Clock& clock() { return loop().clock(); }
  virtual ControllerManager& controllers() = 0;

  // Adds an application's controller; it is set up on the loop thread.
  virtual absl::Status AddController(std::unique_ptr<Controller> controller) = 0;

  // Adds a node run by an agent of this process on the cluster's runtime and network drivers: it
  // registers its Node and Lease and runs the pods bound to it.
  virtual absl::Status AddNode(NodeAgentOptions options) = 0;
  // The agents of the nodes added so far (KillNode, ReviveNode, RemoveNode). Loop thread (manual
  // mode: the caller's) only.
  virtual NodeAgentPool& nodes() = 0;
  virtual RuntimeDriver& runtime() = 0;

  // Applies each object of a YAML/JSON manifest (several documents allowed) with orch::Apply:
  // created, or merged into the existing object. `source` names the manifest in errors. Stops at
  // the first error.
  virtual absl::StatusOr<std::vector<ObjectPtr>> Apply(absl::string_view manifest,
                                                       absl::string_view source = "manifest") = 0;

  // Manual mode: runs everything due now until nothing is left (see ManualLoop::RunUntilIdle).
  // Returns how many callbacks ran. In threaded mode: waits until the loop has run what was
  // posted before the call, returns 0.
  virtual size_t RunUntilIdle() = 0;
  // Manual mode: moves the clock forward, running everything that falls due on the way, each at
  // its own time. In threaded mode the real clock cannot be moved: does nothing, returns 0.
  virtual size_t Advance(absl::Duration by) = 0;
  // Runs `callback` on the loop thread and returns when it has run (manual mode: at once).
  virtual void RunOnLoop(std::function<void()> callback) = 0;
  // Stops the loop (threaded mode) and the controllers. Idempotent; the destructor calls it.
  virtual void Stop() = 0;
};

}  // namespace orch

#endif  // ORCH_CLUSTER_H_
