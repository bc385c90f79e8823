// Builders for nodes and pods in scheduler tests.
#ifndef ORCH_TESTS_CORE_SCHEDULER_SCHEDULER_TEST_UTIL_H_
#define ORCH_TESTS_CORE_SCHEDULER_SCHEDULER_TEST_UTIL_H_

#include <doctest/doctest.h>

#include <string>
#include <utility>
#include <vector>

#include "orch/api/core_v1.h"
#include "orch/scheduler.h"
#include "src/core/scheduler/cache.h"
#include "src/core/scheduler/scheduler.h"

namespace orch::scheduler::testing {

inline Quantity Q(const std::string& text) { return *Quantity::Parse(text); }

inline Node MakeNode(const std::string& name, const std::string& cpu = "4", const std::string& memory = "8Gi",
                     const std::string& pods = "110", Labels labels = {}) {
  Node node;
  node.metadata.name = name;
  labels.emplace("kubernetes.io/hostname", name);
  node.metadata.labels = std::move(labels);
  if (!cpu.empty()) node.status.allocatable["cpu"] = Q(cpu);
  if (!memory.empty()) node.status.allocatable["memory"] = Q(memory);
  if (!pods.empty()) node.status.allocatable["pods"] = Q(pods);
  return node;
}

inline Node WithTaint(Node node, const std::string& key, const std::string& value,
                      const std::string& effect) {
  node.spec.taints.push_back(Taint{key, value, effect, {}, {}});
  return node;
}

// A pod with one container asking for cpu/memory (empty: no request).
inline Pod MakePod(const std::string& name, const std::string& cpu = "", const std::string& memory = "",
                   int32_t priority = 0, Labels labels = {}) {
  Pod pod;
  pod.metadata.name = name;
  pod.metadata.namespace_ = "default";
  pod.metadata.uid = "uid-" + name;
  pod.metadata.labels = std::move(labels);
  Container c;
  c.name = "app";
  c.image = "busybox";
  if (!cpu.empty()) c.resources.requests["cpu"] = Q(cpu);
  if (!memory.empty()) c.resources.requests["memory"] = Q(memory);
  pod.spec.containers.push_back(std::move(c));
  if (priority != 0) pod.spec.priority = priority;
  return pod;
}

inline PodInfo Info(const Pod& pod) { return PodInfo::FromPod(pod); }

// A cache and a scheduler over it.
struct Cluster {
  SchedulerCache cache;

  void Add(const Node& node) { cache.UpsertNode(node); }
  void Bind(Pod pod, const std::string& node) {
    pod.spec.nodeName = node;
    REQUIRE(cache.AddPod(PodInfo::FromPod(pod)).ok());
  }
  ScheduleResult Schedule(const Pod& pod, SchedulerProfile profile = {}) {
    Scheduler scheduler(std::move(profile), &cache);
    return scheduler.Schedule(PodInfo::FromPod(pod));
  }
  std::string Message(const Pod& pod, SchedulerProfile profile = {}) {
    ScheduleResult r = Schedule(pod, std::move(profile));
    REQUIRE_MESSAGE(r.fit_error.has_value(), "scheduled on ", r.node);
    return r.fit_error->Message();
  }
};

}  // namespace orch::scheduler::testing

#endif  // ORCH_TESTS_CORE_SCHEDULER_SCHEDULER_TEST_UTIL_H_
