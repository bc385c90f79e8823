// Helpers of the controller tests, over the shared control plane (tests/testing/control_plane.h).
#ifndef ORCH_TESTS_CORE_CONTROLLERS_CONTROLLER_TEST_UTIL_H_
#define ORCH_TESTS_CORE_CONTROLLERS_CONTROLLER_TEST_UTIL_H_

#include <doctest/doctest.h>

#include <memory>
#include <string>

#include "orch/api/types.h"
#include "orch/controller.h"
#include "testing/control_plane.h"

namespace orch::testing {

inline Pod MakePod(const std::string& name, const Labels& labels, const std::string& ip = "",
                   bool ready = false) {
  Pod pod;
  pod.metadata.name = name;
  pod.metadata.namespace_ = "default";
  pod.metadata.labels = labels;
  Container container;
  container.name = "main";
  container.image = "nginx:1.27";
  ContainerPort http;
  http.name = "http";
  http.containerPort = 8080;
  container.ports.push_back(http);
  pod.spec.containers.push_back(container);
  pod.status.podIP = ip;
  pod.status.phase = ip.empty() ? "Pending" : "Running";
  PodCondition condition;
  condition.type = "Ready";
  condition.status = ready ? "True" : "False";
  pod.status.conditions.push_back(condition);
  return pod;
}

// Creates a pod and writes its status as a node agent would.
inline Pod CreatePodWithStatus(Client& client, const Pod& pod) {
  absl::StatusOr<Pod> created = Create(client, pod);
  REQUIRE_MESSAGE(created.ok(), created.status().ToString());
  created->status = pod.status;
  absl::StatusOr<Pod> updated = UpdateStatus(client, *created);
  REQUIRE_MESSAGE(updated.ok(), updated.status().ToString());
  return *updated;
}

}  // namespace orch::testing

#endif  // ORCH_TESTS_CORE_CONTROLLERS_CONTROLLER_TEST_UTIL_H_
