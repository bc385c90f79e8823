// A cluster in a test: the shared control plane (tests/testing/control_plane.h) on SQLite in memory,
// the sim runtime and network, and a node agent pool.
#ifndef ORCH_TESTS_CORE_AGENT_AGENT_TEST_UTIL_H_
#define ORCH_TESTS_CORE_AGENT_AGENT_TEST_UTIL_H_

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
#include "testing/control_plane.h"

namespace orch::testing {

// The SQLite store (in memory), so that the agents' writes go through its group commit.
inline std::unique_ptr<Store> SqliteInMemory() {
  absl::StatusOr<std::unique_ptr<Store>> opened = OpenSqliteStore({});
  REQUIRE(opened.ok());
  return std::move(*opened);
}

struct SimCluster : ControlPlane {
  SimCluster() : ControlPlane(SqliteInMemory()) {
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
    absl::StatusOr<Pod> created = Create(*client, pod);
    REQUIRE_MESSAGE(created.ok(), created.status().ToString());
    loop.RunUntilIdle();
    return *created;
  }

  Pod GetPod(const std::string& name) {
    absl::StatusOr<Pod> pod = Get<Pod>(*client, "default", name);
    REQUIRE_MESSAGE(pod.ok(), pod.status().ToString());
    return *pod;
  }

  Node GetNode(const std::string& name) {
    absl::StatusOr<Node> node = Get<Node>(*client, "", name);
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
    absl::StatusOr<TypedList<Event>> events = List<Event>(*client, "");
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

  std::unique_ptr<RuntimeDriver> runtime;
  SimControl* sim = nullptr;
  std::unique_ptr<NetworkDriver> network;
  std::unique_ptr<NodeAgentPool> pool;
  absl::Time start;
};

}  // namespace orch::testing

#endif  // ORCH_TESTS_CORE_AGENT_AGENT_TEST_UTIL_H_
