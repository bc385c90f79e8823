// A cluster in a test: memory store on the manual clock, client, controller manager, sim runtime
// and network, and a node agent pool.
#ifndef ORCH_TESTS_AGENT_AGENT_TEST_UTIL_H_
#define ORCH_TESTS_AGENT_AGENT_TEST_UTIL_H_

#include <doctest/doctest.h>

#include <memory>
#include <string>
#include <vector>

#include "orch/api/types.h"
#include "orch/controller.h"
#include "orch/network.h"
#include "orch/node_agent.h"
#include "orch/runtime.h"
#include "orch/testing/sim.h"

namespace orch::testing {

struct SimCluster {
  SimCluster() {
    SqliteStoreOptions store_options;
    store_options.clock = &clock;
    absl::StatusOr<std::unique_ptr<Store>> opened = OpenSqliteStore(store_options);
    REQUIRE(opened.ok());
    store = std::move(*opened);
    REQUIRE(EnsureSystemNamespaces(*store).ok());
    client = std::make_unique<Client>(*store);
    manager = ControllerManager::Create(*client, loop);
    RuntimeOptions runtime_options;
    runtime_options.loop = &loop;
    absl::StatusOr<std::unique_ptr<RuntimeDriver>> rt = OpenRuntime("sim", runtime_options);
    REQUIRE(rt.ok());
    runtime = std::move(*rt);
    sim = AsSim(runtime.get());
    REQUIRE(sim != nullptr);
    absl::StatusOr<std::unique_ptr<NetworkDriver>> net = OpenNetwork("sim");
    REQUIRE(net.ok());
    network = std::move(*net);
    NodeAgentPoolOptions pool_options;
    pool_options.runtime = runtime.get();
    pool_options.network = network.get();
    absl::StatusOr<std::unique_ptr<NodeAgentPool>> created =
        NodeAgentPool::Create(*client, loop, *manager, pool_options);
    REQUIRE(created.ok());
    pool = std::move(*created);
    start = clock.Now();
  }
  ~SimCluster() { pool.reset(); }

  void AddNode(const std::string& name) {
    NodeAgentOptions options;
    options.node_name = name;
    REQUIRE(pool->AddNode(options).ok());
    loop.RunUntilIdle();
  }

  Pod MakePod(const std::string& name, const std::string& node, const Labels& annotations = {}) {
    Pod pod;
    pod.metadata.name = name;
    pod.metadata.annotations = annotations;
    pod.spec.nodeName = node;
    Container container;
    container.name = "app";
    container.image = "nginx:1.27";
    pod.spec.containers.push_back(container);
    return pod;
  }

  Pod CreatePod(const Pod& pod) {
    absl::StatusOr<Pod> created = client->Create(pod);
    REQUIRE_MESSAGE(created.ok(), created.status().ToString());
    loop.RunUntilIdle();
    return *created;
  }

  Pod GetPod(const std::string& name) {
    absl::StatusOr<Pod> pod = client->Get<Pod>("default", name);
    REQUIRE_MESSAGE(pod.ok(), pod.status().ToString());
    return *pod;
  }

  Node GetNode(const std::string& name) {
    absl::StatusOr<Node> node = client->Get<Node>("", name);
    REQUIRE_MESSAGE(node.ok(), node.status().ToString());
    return *node;
  }

  static std::string ConditionStatus(const Pod& pod, const std::string& type) {
    for (const PodCondition& c : pod.status.conditions) {
      if (c.type == type) return c.status;
    }
    return "";
  }
  static const NodeCondition* NodeConditionOf(const Node& node, const std::string& type) {
    for (const NodeCondition& c : node.status.conditions) {
      if (c.type == type) return &c;
    }
    return nullptr;
  }

  // The events about the named object with this reason, oldest first.
  std::vector<Event> Events(const std::string& name, const std::string& reason) {
    std::vector<Event> found;
    absl::StatusOr<TypedList<Event>> events = client->List<Event>("");
    REQUIRE(events.ok());
    for (const Event& event : events->items) {
      if (event.involvedObject.name == name && event.reason == reason) found.push_back(event);
    }
    return found;
  }

  // Advances to `at` (from the start), running what falls due.
  void AdvanceTo(absl::Duration at) {
    const absl::Duration by = start + at - clock.Now();
    REQUIRE(by >= absl::ZeroDuration());
    loop.Advance(by);
  }

  ManualClock clock;
  ManualLoop loop{&clock};
  std::unique_ptr<Store> store;
  std::unique_ptr<Client> client;
  std::unique_ptr<ControllerManager> manager;
  std::unique_ptr<RuntimeDriver> runtime;
  SimControl* sim = nullptr;
  std::unique_ptr<NetworkDriver> network;
  std::unique_ptr<NodeAgentPool> pool;
  absl::Time start;
};

}  // namespace orch::testing

#endif  // ORCH_TESTS_AGENT_AGENT_TEST_UTIL_H_
