// Node agents (kubelet's job): register a Node, renew its heartbeat Lease, run the pods bound to it
// through a RuntimeDriver and a NetworkDriver, and write their status as kubelet does (phase,
// conditions, container states, restarts with CrashLoopBackOff, probes, graceful deletion).
//
// Many agents share one NodeAgentPool: one pod informer indexed by spec.nodeName, one node
// informer, one loop, no thread or watch per node, so that a process can simulate 100,000 nodes.
// Each agent still reaches the cluster only through the Client, so the same code can later run on
// another host.
//
//   auto runtime = orch::OpenRuntime("sim", {.loop = &loop});
//   auto network = orch::OpenNetwork("sim");
//   auto pool = orch::NodeAgentPool::Create(client, loop, *manager,
//                                           {.runtime = runtime->get(), .network = network->get()});
//   (*pool)->AddNode({.node_name = "node-1"});
//
// Loop thread only.
#ifndef ORCH_NODE_AGENT_H_
#define ORCH_NODE_AGENT_H_

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "orch/api/core_v1.h"
#include "orch/client.h"
#include "orch/controller.h"
#include "orch/loop.h"
#include "orch/network.h"
#include "orch/runtime.h"

namespace orch {

struct NodeAgentOptions {
  // The Node's name (a DNS subdomain). Required.
  std::string node_name;
  // Capacity, also reported as allocatable. Defaults: 4 CPUs, 8 GiB, 110 pods (kubelet's maxPods),
  // 100 GiB of ephemeral storage (kubelet reports its root file system's size; without it, a pod
  // that requests ephemeral-storage never schedules).
  int64_t cpu_millis = 4000;
  int64_t memory_bytes = int64_t{8} << 30;
  int64_t max_pods = 110;
  int64_t ephemeral_storage_bytes = int64_t{100} << 30;
  // Added to kubernetes.io/hostname, kubernetes.io/os=linux and kubernetes.io/arch=amd64.
  Labels labels;
  // Taints the Node registers with (kubelet's --register-with-taints).
  std::vector<Taint> taints;
  // The node's pod CIDR; empty: the Node's spec.podCIDR when it has one, else the pool assigns
  // the next free subnet of NodeAgentPoolOptions::cluster_cidr.
  std::string pod_cidr;
  // The node's InternalIP; empty: the pool assigns the next address of node_ip_range.
  std::string internal_ip;
  // The Lease's leaseDurationSeconds, and how often it is renewed (kubelet: 40 s and 10 s).
  absl::Duration lease_duration = absl::Seconds(40);
  absl::Duration lease_renew_interval = absl::Seconds(10);
  // How often node status is posted when nothing changed (kubelet's nodeStatusReportFrequency); it
  // is checked at every renewal and posted at once when a condition differs.
  absl::Duration status_report_interval = absl::Minutes(5);
  // Borrowed; null: the pool's.
  RuntimeDriver* runtime = nullptr;
  NetworkDriver* network = nullptr;
};

struct NodeAgentPoolOptions {
  // Default drivers of the pool's agents. Borrowed; required unless every node names its own.
  RuntimeDriver* runtime = nullptr;
  NetworkDriver* network = nullptr;
  // Where nodes without a pod CIDR get theirs: the n-th /node_cidr_mask subnet (kube-controller-
  // manager's --cluster-cidr and --node-cidr-mask-size). 10.244.0.0/16 holds 256 nodes; a larger
  // simulation names a larger range (10.0.0.0/8 holds 65,536).
  std::string cluster_cidr = "10.244.0.0/16";
  int node_cidr_mask = 24;
  // Where nodes without an InternalIP get theirs.
  std::string node_ip_range = "172.16.0.0/12";
  // The source of the agents' events.
  std::string component = "kubelet";
};

// The agents of many nodes. Loop thread only; must be destroyed on the loop thread or while the
// loop does not run, and before the ControllerManager whose informers it reads.
class NodeAgentPool {
 public:
  virtual ~NodeAgentPool() = default;
  // `manager` provides the shared pod and node informers. `client`, `loop` and `manager` must
  // outlive the pool.
  static absl::StatusOr<std::unique_ptr<NodeAgentPool>> Create(Client& client, EventLoop& loop,
                                                               ControllerManager& manager,
                                                               NodeAgentPoolOptions options);

  // Registers the Node (or takes over an existing one), creates its Lease, and starts running the
  // pods bound to it. AlreadyExists when the pool already runs that node.
  virtual absl::Status AddNode(NodeAgentOptions options) = 0;
  // Stops the agent and removes its pods' sandboxes; the Node object stays.
  virtual absl::Status RemoveNode(absl::string_view name) = 0;
  // As if the machine died: the agent stops renewing its Lease, posting node status and touching
  // pods; its containers are left as they were. NotFound for an unknown node.
  virtual absl::Status KillNode(absl::string_view name) = 0;
  // A killed agent comes back: renews its Lease and node status at once and resyncs its pods.
  virtual absl::Status ReviveNode(absl::string_view name) = 0;
  virtual bool HasNode(absl::string_view name) const = 0;
  virtual size_t size() const = 0;
  // Pods the pool is running (has a worker for), over all nodes.
  virtual size_t PodCount() const = 0;
};

}  // namespace orch

#endif  // ORCH_NODE_AGENT_H_
