// The pieces of a node agent: PodWorker runs one pod through the runtime and writes its status;
// NodeAgent registers its node, renews its Lease and owns its pods' workers; the pool
// (node_agent_pool.cc) routes informer and runtime events to them. Internal to src/core; loop
// thread only.
#ifndef ORCH_SRC_CORE_AGENT_AGENT_H_
#define ORCH_SRC_CORE_AGENT_AGENT_H_

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "orch/api/types.h"
#include "orch/controller.h"
#include "orch/node_agent.h"

namespace orch::agent {

class NodeAgent;
class PodWorker;

// What every agent of a pool shares.
struct Shared {
  Client& client;
  EventLoop& loop;
  Informer& pods;
  Informer& nodes;
  EventRecorder& recorder;
  // Sandbox id -> its worker, so that a runtime event finds its pod.
  absl::flat_hash_map<std::string, PodWorker*> by_sandbox;
};

// One container of a pod, as its worker tracks it.
struct ContainerWorker {
  struct Termination {
    std::string id;
    int32_t exit_code = 0;
    std::string reason;
    absl::Time started_at;
    absl::Time finished_at;
  };
  std::string id;  // the current runtime container; empty while none exists
  int32_t restart_count = 0;
  bool running_seen = false;    // the Started event was recorded for `id`
  bool probes_started = false;  // StartProbes ran for `id`
  bool ready = false;
  bool started = false;    // running, and its startup probe (if any) has succeeded
  bool init = false;       // an init container: runs once to completion, before the app containers
  bool done = false;       // exited and not to be restarted
  bool succeeded = false;  // done with exit code 0
  int32_t readiness_successes = 0;
  int32_t readiness_failures = 0;
  int32_t liveness_failures = 0;
  int32_t startup_failures = 0;
  EventLoop::TimerId readiness_timer = 0;
  EventLoop::TimerId liveness_timer = 0;
  EventLoop::TimerId startup_timer = 0;
  EventLoop::TimerId backoff_timer = 0;
  absl::Duration backoff = absl::ZeroDuration();
  absl::Time backoff_updated = absl::InfinitePast();
  absl::Time backoff_recorded = absl::InfinitePast();  // the finish time whose BackOff was recorded
  std::unique_ptr<Termination> last;                   // the previous instance, once one ended
};

class PodWorker {
 public:
  PodWorker(NodeAgent& agent, ObjectKey key, std::string uid)
      : agent_(agent), key_(std::move(key)), uid_(std::move(uid)) {}
  ~PodWorker();
  PodWorker(const PodWorker&) = delete;
  PodWorker& operator=(const PodWorker&) = delete;

  const ObjectKey& key() const { return key_; }
  NodeAgent& agent() { return agent_; }
  const std::string& uid() const { return uid_; }
  // Brings the runtime in line with the pod and posts its status. false: the pod is gone and its
  // runtime state released; the worker may be dropped.
  bool Sync();
  // Cancels every timer (the agent died or is going away).
  void CancelTimers();
  // Releases the sandbox and the address.
  void Teardown();

 private:
  absl::Status EnsureSandbox(const Pod& pod);
  // Runs the init containers one at a time, in order; true once every one has exited with 0.
  bool SyncInitContainers(const Pod& pod);
  void SyncContainer(const Pod& pod, const Container& spec, ContainerWorker& worker);
  void StartContainer(const Pod& pod, const Container& spec, ContainerWorker& worker);
  void OnExited(const Pod& pod, const Container& spec, ContainerWorker& worker,
                const RuntimeContainerStatus& status);
  bool ShouldRestart(const Pod& pod, const ContainerWorker& worker, int32_t exit_code) const;
  // The startup probe first, if the container has one; readiness and liveness once it succeeded.
  void StartProbes(const Container& spec, ContainerWorker& worker, absl::Time started_at);
  void StartReadinessAndLiveness(const Container& spec, ContainerWorker& worker, absl::Time started_at);
  void StopProbes(ContainerWorker& worker);
  void ProbeTick(size_t index, ProbeType type);
  // Stops a container whose `kind` ("liveness", "startup") probe failed too often; it is restarted.
  void KillForProbe(const Pod& pod, const Container& spec, const Probe& probe, absl::string_view kind,
                    ContainerWorker& worker);
  void Terminate(const Pod& pod);
  void DeletePod();
  PodStatus ComputeStatus(const Pod& pod);
  // `not_started`: the waiting reason of a container not created yet (ContainerCreating, or
  // PodInitializing while the init containers run).
  ContainerStatus ComputeContainerStatus(const Pod& pod, const Container& spec, const ContainerWorker& worker,
                                         const char* not_started);
  std::string PodDescription(const Pod& pod) const;
  void RecordPod(absl::string_view type, absl::string_view reason, const std::string& message,
                 absl::string_view field_path = "");
  void ScheduleSyncAt(absl::Time when, EventLoop::TimerId* timer);

  NodeAgent& agent_;
  const ObjectKey key_;
  const std::string uid_;
  std::string sandbox_id_;
  std::string pod_ip_;
  std::string sandbox_error_;  // why the sandbox could not be created, until it can
  absl::Time start_time_ = absl::InfinitePast();
  std::vector<ContainerWorker> init_containers_;
  std::vector<ContainerWorker> containers_;
  EventLoop::TimerId deadline_timer_ = 0;
  bool terminating_ = false;
  bool terminal_ = false;  // Succeeded or Failed was posted and the sandbox released
  bool delete_sent_ = false;

  friend class NodeAgent;
  EventLoop::TimerId sync_timer_ = 0;
};

class NodeAgent {
 public:
  NodeAgent(Shared& shared, NodeAgentOptions options) : shared_(shared), options_(std::move(options)) {}
  ~NodeAgent();

  // Creates or takes over the Node and its Lease, then renews on a timer.
  absl::Status Register(const std::string& pod_cidr, const std::string& internal_ip);
  // A pod bound to this node changed (or was deleted: `object` is its last state).
  void OnPod(const ObjectPtr& object, bool deleted);
  void OnRuntimeEvent(PodWorker& worker) { ScheduleSync(worker); }
  void ScheduleSync(PodWorker& worker);
  void Kill();
  void Revive();
  // Releases every pod's runtime state.
  void TeardownAll();

  bool dead() const { return dead_; }
  const std::string& name() const { return options_.node_name; }
  const std::string& host_ip() const { return internal_ip_; }
  const std::string& pod_cidr() const { return pod_cidr_; }
  size_t pod_count() const { return workers_.size(); }
  RuntimeDriver& runtime() { return *options_.runtime; }
  NetworkDriver& network() { return *options_.network; }
  Shared& shared() { return shared_; }

 private:
  void Heartbeat();
  absl::Status RenewLease();
  absl::Status PostNodeStatus(bool force);
  NodeStatus DesiredStatus(const NodeStatus& current) const;
  void SyncWorker(const std::string& uid);

  Shared& shared_;
  NodeAgentOptions options_;
  std::string pod_cidr_;
  std::string internal_ip_;
  std::string node_uid_;
  std::string posted_version_;  // the Node's resourceVersion after our last status write
  absl::Time status_posted_ = absl::InfinitePast();
  EventLoop::TimerId heartbeat_timer_ = 0;
  bool dead_ = false;
  absl::flat_hash_map<std::string, std::unique_ptr<PodWorker>> workers_;  // by pod uid
};

}  // namespace orch::agent

#endif  // ORCH_SRC_CORE_AGENT_AGENT_H_
