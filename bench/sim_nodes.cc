// Memory of simulated nodes and pods: heap held by the node agents, the sim runtime and the sim
// network per node and per pod (measured as what destroying the pool gives back), and the whole
// process with the store. Usage: sim_nodes [nodes] [pods_per_node]
#include <malloc.h>

#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>

#include "orch/api/types.h"
#include "orch/controller.h"
#include "orch/network.h"
#include "orch/node_agent.h"
#include "orch/runtime.h"
#include "orch/testing/sim.h"

namespace {

size_t HeapInUse() { return mallinfo2().uordblks; }

}  // namespace

int main(int argc, char** argv) {
  const int nodes = argc > 1 ? std::atoi(argv[1]) : 1000;
  const int pods_per_node = argc > 2 ? std::atoi(argv[2]) : 10;
  orch::ManualClock clock;
  orch::ManualLoop loop(clock);
  orch::SqliteStoreOptions store_options;
  store_options.history_revisions = 1000;
  auto store = orch::OpenSqliteStore(store_options);
  if (!store.ok()) return 1;
  std::unique_ptr<orch::Client> local = orch::NewLocalClient(**store, clock);
  orch::Client& client = *local;
  if (!orch::EnsureSystemNamespaces(client).ok()) return 1;
  auto manager = orch::ControllerManager::Create(client, loop);
  orch::RuntimeOptions runtime_options;
  runtime_options.loop = &loop;
  auto runtime = orch::OpenRuntime("sim", runtime_options);
  auto network = orch::OpenNetwork("sim");
  orch::NodeAgentPoolOptions options;
  options.runtime = runtime->get();
  options.network = network->get();
  options.cluster_cidr = "10.0.0.0/8";
  auto pool = orch::NodeAgentPool::Create(client, loop, *manager, options);
  if (!pool.ok()) return 1;
  const size_t heap_start = HeapInUse();
  for (int n = 0; n < nodes; ++n) {
    if (!(*pool)->AddNode({.node_name = "node-" + std::to_string(n)}).ok()) return 1;
  }
  loop.RunUntilIdle();
  for (int n = 0; n < nodes; ++n) {
    for (int p = 0; p < pods_per_node; ++p) {
      orch::Pod pod;
      pod.metadata.name = "pod-" + std::to_string(n) + "-" + std::to_string(p);
      pod.spec.nodeName = "node-" + std::to_string(n);
      orch::Container container;
      container.name = "app";
      container.image = "nginx:1.27";
      pod.spec.containers.push_back(container);
      if (!orch::Create(client, pod).ok()) return 1;
    }
    loop.RunUntilIdle();
  }
  loop.Advance(absl::Seconds(2));
  const size_t heap_all = HeapInUse();
  const size_t pods = (*pool)->PodCount();
  const size_t containers = orch::AsSim(runtime->get())->ContainerCount();
  pool->reset();
  loop.RunUntilIdle();
  const size_t heap_without_pool = HeapInUse();
  const double agent_bytes = static_cast<double>(heap_all) - static_cast<double>(heap_without_pool);
  std::printf("nodes %d, pods %zu, sim containers %zu\n", nodes, pods, containers);
  std::printf("heap of the whole cluster (store, informers, agents): %.0f bytes/node+its pods, %.1f MiB\n",
              static_cast<double>(heap_all - heap_start) / nodes, (heap_all - heap_start) / 1048576.0);
  std::printf(
      "agents + sim runtime + sim network: %.1f MiB; %.0f bytes per (node with %d pods), ~%.0f bytes/pod\n",
      agent_bytes / 1048576.0, agent_bytes / nodes, pods_per_node,
      pods_per_node > 0 ? agent_bytes / (static_cast<double>(nodes) * pods_per_node) : 0.0);
  return 0;
}
