// The scheduler on the control loop: binding, FailedScheduling, retry on cluster changes,
// preemption, anti-affinity spreading.
#include <doctest/doctest.h>

#include <set>

#include "absl/strings/match.h"
#include "core/controllers/controller_test_util.h"
#include "orch/controllers.h"

namespace orch {
namespace {

using testing::ControlPlane;

Node MakeNode(const std::string& name, const std::string& cpu, std::vector<Taint> taints = {}) {
  Node node;
  node.metadata.name = name;
  node.metadata.labels = {{"kubernetes.io/hostname", name}};
  node.spec.taints = std::move(taints);
  node.status.capacity = {
      {"cpu", *Quantity::Parse(cpu)}, {"memory", *Quantity::Parse("8Gi")}, {"pods", *Quantity::Parse("110")}};
  node.status.allocatable = node.status.capacity;
  return node;
}

Pod MakePod(const std::string& name, const std::string& cpu, int32_t priority = 0,
            const Labels& labels = {}) {
  Pod pod;
  pod.metadata.name = name;
  pod.metadata.namespace_ = "default";
  pod.metadata.labels = labels;
  Container container;
  container.name = "main";
  container.image = "nginx:1.27";
  container.resources.requests = {{"cpu", *Quantity::Parse(cpu)}};
  pod.spec.containers.push_back(container);
  pod.spec.priority = priority;
  return pod;
}

struct Fixture : ControlPlane {
  Fixture() { REQUIRE(manager->Add(NewScheduler()).ok()); }
  std::string NodeOf(const std::string& pod) {
    absl::StatusOr<Pod> got = Get<Pod>(*client, "default", pod);
    REQUIRE(got.ok());
    return got->spec.nodeName;
  }
  std::vector<Event> EventsOf(const std::string& pod, const std::string& reason) {
    std::vector<Event> found;
    absl::StatusOr<TypedList<Event>> events = List<Event>(*client, "default");
    REQUIRE(events.ok());
    for (const Event& event : events->items) {
      if (event.involvedObject.name == pod && event.reason == reason) found.push_back(event);
    }
    return found;
  }
  const PodCondition* Scheduled(const Pod& pod) {
    for (const PodCondition& condition : pod.status.conditions) {
      if (condition.type == "PodScheduled") return &condition;
    }
    return nullptr;
  }
};

TEST_CASE("a pending pod is bound to the node that fits, with an event and a condition") {
  Fixture f;
  Taint taint;
  taint.key = "dedicated";
  taint.value = "gpu";
  taint.effect = "NoSchedule";
  REQUIRE(Create(*f.client, MakeNode("small", "500m")).ok());
  REQUIRE(Create(*f.client, MakeNode("tainted", "8", {taint})).ok());
  REQUIRE(Create(*f.client, MakeNode("big", "4")).ok());
  REQUIRE(Create(*f.client, MakePod("web", "1")).ok());
  f.loop.RunUntilIdle();
  CHECK(f.NodeOf("web") == "big");
  std::vector<Event> scheduled = f.EventsOf("web", "Scheduled");
  REQUIRE(scheduled.size() == 1);
  CHECK(scheduled[0].message == "Successfully assigned default/web to big");
  CHECK(scheduled[0].source.component == "default-scheduler");
  Pod pod = *Get<Pod>(*f.client, "default", "web");
  REQUIRE(f.Scheduled(pod) != nullptr);
  CHECK(f.Scheduled(pod)->status == "True");
}

TEST_CASE("a pod that fits nowhere says why, and is bound once the cluster changes") {
  Fixture f;
  Taint taint;
  taint.key = "dedicated";
  taint.value = "gpu";
  taint.effect = "NoSchedule";
  REQUIRE(Create(*f.client, MakeNode("small", "500m")).ok());
  REQUIRE(Create(*f.client, MakeNode("tainted", "8", {taint})).ok());
  REQUIRE(Create(*f.client, MakePod("web", "1")).ok());
  f.loop.RunUntilIdle();
  CHECK(f.NodeOf("web").empty());
  std::vector<Event> failed = f.EventsOf("web", "FailedScheduling");
  REQUIRE(failed.size() == 1);
  CHECK(failed[0].type == "Warning");
  CHECK(absl::StartsWith(failed[0].message,
                         "0/2 nodes are available: 1 Insufficient cpu, 1 node(s) had untolerated "
                         "taint {dedicated: gpu}."));
  Pod pod = *Get<Pod>(*f.client, "default", "web");
  REQUIRE(f.Scheduled(pod) != nullptr);
  CHECK(f.Scheduled(pod)->status == "False");
  CHECK(f.Scheduled(pod)->reason == "Unschedulable");

  // Nothing changes: no retry spins (the pod waits in the unschedulable pool).
  f.loop.Advance(absl::Seconds(20));
  CHECK(f.EventsOf("web", "FailedScheduling")[0].count <= 2);

  REQUIRE(Create(*f.client, MakeNode("big", "4")).ok());
  f.loop.Advance(absl::Seconds(10));  // at most the pod's backoff
  CHECK(f.NodeOf("web") == "big");
}

TEST_CASE("with no nodes at all the pod waits, says so as kube-scheduler does, and is bound to the first") {
  Fixture f;
  REQUIRE(Create(*f.client, MakePod("web", "1")).ok());
  f.loop.RunUntilIdle();
  std::vector<Event> failed = f.EventsOf("web", "FailedScheduling");
  REQUIRE(failed.size() == 1);
  CHECK(failed[0].message == "no nodes available to schedule pods");
  Pod pod = *Get<Pod>(*f.client, "default", "web");
  REQUIRE(f.Scheduled(pod) != nullptr);
  CHECK(f.Scheduled(pod)->reason == "Unschedulable");
  CHECK(f.Scheduled(pod)->message == "no nodes available to schedule pods");

  REQUIRE(Create(*f.client, MakeNode("first", "4")).ok());
  f.loop.Advance(absl::Seconds(10));  // at most the pod's backoff
  CHECK(f.NodeOf("web") == "first");
}

TEST_CASE("a high-priority pod that fits nowhere preempts the lower-priority pod") {
  Fixture f;
  REQUIRE(Create(*f.client, MakeNode("only", "1")).ok());
  REQUIRE(Create(*f.client, MakePod("low", "800m", 10)).ok());
  f.loop.RunUntilIdle();
  REQUIRE(f.NodeOf("low") == "only");

  REQUIRE(Create(*f.client, MakePod("high", "800m", 1000)).ok());
  f.loop.RunUntilIdle();
  absl::StatusOr<Pod> low = Get<Pod>(*f.client, "default", "low");
  REQUIRE(low.ok());
  CHECK(low->metadata.deletionTimestamp.IsSet());  // evicted, gracefully
  CHECK(Get<Pod>(*f.client, "default", "high")->status.nominatedNodeName == "only");
  CHECK(f.EventsOf("low", "Preempted").size() == 1);

  // The node agent finishes the deletion; the preemptor then takes the room.
  REQUIRE(Delete<Pod>(*f.client, "default", "low", {.gracePeriodSeconds = 0}).ok());
  f.loop.Advance(absl::Seconds(10));
  CHECK(f.NodeOf("high") == "only");
}

TEST_CASE("a preempted pod is marked DisruptionTarget by the scheduler before it is deleted") {
  Fixture f;
  REQUIRE(Create(*f.client, MakeNode("only", "1")).ok());
  REQUIRE(Create(*f.client, MakePod("low", "800m", 10)).ok());
  f.loop.RunUntilIdle();
  REQUIRE(f.NodeOf("low") == "only");
  auto watch = *f.store->Watch(*FindResourceType("", "Pod"),
                               {.resourceVersion = std::to_string(f.store->CurrentRevision())});

  f.clock.Advance(absl::Seconds(7));
  const Time preempted_at = Time::Truncated(f.clock.Now());
  REQUIRE(Create(*f.client, MakePod("high", "800m", 1000)).ok());
  f.loop.RunUntilIdle();
  // Kubernetes' order: a status write that adds the condition, then the deletion.
  std::vector<Pod> low_versions;
  while (std::optional<WatchEvent> event = watch->Next(absl::ZeroDuration())) {
    if (event->object->object.metadata.name != "low") continue;
    absl::StatusOr<Pod> pod = FromObject<Pod>(event->object->object);
    REQUIRE(pod.ok());
    low_versions.push_back(*pod);
  }
  REQUIRE(low_versions.size() == 2);
  const PodCondition* marked = low_versions[0].status.FindCondition("DisruptionTarget");
  REQUIRE(marked != nullptr);
  CHECK_FALSE(low_versions[0].metadata.deletionTimestamp.IsSet());
  CHECK(marked->status == "True");
  CHECK(marked->reason == "PreemptionByScheduler");
  CHECK(marked->message == "default-scheduler: preempting to accommodate a higher priority pod");
  CHECK(marked->lastTransitionTime == preempted_at);
  CHECK(low_versions[1].metadata.deletionTimestamp.IsSet());
  CHECK(low_versions[1].status.FindCondition("DisruptionTarget") != nullptr);
  CHECK(f.EventsOf("low", "Preempted").size() == 1);
}

TEST_CASE("required anti-affinity spreads replicas one per node") {
  Fixture f;
  for (const char* name : {"a", "b", "c"}) REQUIRE(Create(*f.client, MakeNode(name, "4")).ok());
  for (int i = 0; i < 4; ++i) {
    Pod pod = MakePod("web-" + std::to_string(i), "100m", 0, {{"app", "web"}});
    PodAffinityTerm term;
    term.labelSelector = LabelSelectorSpec{{{"app", "web"}}, {}};
    term.topologyKey = "kubernetes.io/hostname";
    pod.spec.affinity.emplace()
        .podAntiAffinity.emplace()
        .requiredDuringSchedulingIgnoredDuringExecution.push_back(term);
    REQUIRE(Create(*f.client, pod).ok());
  }
  f.loop.RunUntilIdle();
  std::set<std::string> used;
  int unbound = 0;
  for (int i = 0; i < 4; ++i) {
    std::string node = f.NodeOf("web-" + std::to_string(i));
    if (node.empty()) {
      ++unbound;
    } else {
      CHECK(used.insert(node).second);
    }
  }
  CHECK(used.size() == 3);
  CHECK(unbound == 1);
}

TEST_CASE("pods for another scheduler are left alone") {
  Fixture f;
  REQUIRE(Create(*f.client, MakeNode("n", "4")).ok());
  Pod pod = MakePod("custom", "100m");
  pod.spec.schedulerName = "my-scheduler";
  REQUIRE(Create(*f.client, pod).ok());
  f.loop.RunUntilIdle();
  CHECK(f.NodeOf("custom").empty());
}

}  // namespace
}  // namespace orch
