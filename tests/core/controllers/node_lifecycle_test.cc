// The node lifecycle controller with simulated nodes: a dead node goes Unknown after the grace
// period, is tainted, its pods NotReady and evicted after their tolerationSeconds; recovery; the
// DefaultTolerationSeconds admission; cordon and drain.
#include <doctest/doctest.h>

#include "core/agent/agent_test_util.h"
#include "orch/controllers.h"
#include "orch/ops.h"

namespace orch {
namespace {

using testing::SimCluster;

struct LifecycleCluster : SimCluster {
  LifecycleCluster() {
    REQUIRE(manager->Add(NewNodeLifecycleController()).ok());
    loop.RunUntilIdle();
  }
  bool HasTaint(const std::string& node, const std::string& key, const std::string& effect) {
    for (const Taint& t : GetNode(node).spec.taints) {
      if (t.key == key && t.effect == effect) return true;
    }
    return false;
  }
};

TEST_CASE("pods get the default not-ready and unreachable tolerations of 300 s unless they have their own") {
  LifecycleCluster c;
  Pod plain = c.CreatePod(c.MakePod("plain", ""));
  REQUIRE(plain.spec.tolerations.size() == 2);
  CHECK(plain.spec.tolerations[0].key == "node.kubernetes.io/not-ready");
  CHECK(plain.spec.tolerations[0].operator_ == "Exists");
  CHECK(plain.spec.tolerations[0].effect == "NoExecute");
  CHECK(plain.spec.tolerations[0].tolerationSeconds == 300);
  CHECK(plain.spec.tolerations[1].key == "node.kubernetes.io/unreachable");
  // A replacement without them (an apply of the unchanged manifest) keeps them, as on create.
  Pod replacement = c.MakePod("plain", "");
  replacement.metadata.labels["x"] = "y";
  absl::StatusOr<Pod> replaced = Update(*c.client, replacement);
  REQUIRE_MESSAGE(replaced.ok(), replaced.status().ToString());
  CHECK(replaced->spec.tolerations == plain.spec.tolerations);

  Pod own = c.MakePod("own", "");
  own.spec.tolerations.push_back({"node.kubernetes.io/unreachable", "Exists", "", "NoExecute", 5, {}});
  Pod created = c.CreatePod(own);
  REQUIRE(created.spec.tolerations.size() == 2);
  CHECK(created.spec.tolerations[0].tolerationSeconds == 5);
  CHECK(created.spec.tolerations[1].key == "node.kubernetes.io/not-ready");
}

TEST_CASE(
    "a dead node goes Unknown after the grace period, is tainted, and its pods are evicted after 300 s") {
  LifecycleCluster c;
  c.AddNode("node-1");
  c.CreatePod(c.MakePod("web", "node-1"));
  Pod quick = c.MakePod("quick", "node-1");
  quick.spec.tolerations.push_back({"node.kubernetes.io/unreachable", "Exists", "", "NoExecute", 20, {}});
  c.CreatePod(quick);
  c.AdvanceTo(absl::Seconds(2));
  CHECK(SimCluster::ConditionStatus(c.GetPod("web"), "Ready") == "True");

  // The last renewal is at 0 s; the agent dies at 5 s.
  c.AdvanceTo(absl::Seconds(5));
  REQUIRE(c.pool->KillNode("node-1").ok());
  c.AdvanceTo(absl::Seconds(49));
  CHECK(SimCluster::NodeConditionOf(c.GetNode("node-1"), "Ready")->status == "True");
  CHECK(c.GetNode("node-1").spec.taints.empty());

  c.AdvanceTo(absl::Seconds(50));  // node_monitor_grace_period after the last renewal
  Node node = c.GetNode("node-1");
  const NodeCondition* ready = SimCluster::NodeConditionOf(node, "Ready");
  CHECK(ready->status == "Unknown");
  CHECK(ready->reason == "NodeStatusUnknown");
  CHECK(ready->message == "Kubelet stopped posting node status.");
  CHECK(SimCluster::NodeConditionOf(node, "MemoryPressure")->status == "Unknown");
  CHECK(c.HasTaint("node-1", "node.kubernetes.io/unreachable", "NoExecute"));
  CHECK(c.HasTaint("node-1", "node.kubernetes.io/unreachable", "NoSchedule"));
  CHECK(SimCluster::ConditionStatus(c.GetPod("web"), "Ready") == "False");

  c.AdvanceTo(absl::Seconds(69));
  CHECK(!c.GetPod("quick").metadata.deletionTimestamp.IsSet());
  c.AdvanceTo(absl::Seconds(70));
  CHECK(c.GetPod("quick").metadata.deletionTimestamp.IsSet());

  c.AdvanceTo(absl::Seconds(349));
  CHECK(!c.GetPod("web").metadata.deletionTimestamp.IsSet());
  c.AdvanceTo(absl::Seconds(350));
  CHECK(c.GetPod("web").metadata.deletionTimestamp.IsSet());  // the dead agent cannot finish it
  CHECK(!c.Events("web", "TaintManagerEviction").empty());
}

TEST_CASE("a node that comes back is Ready again and loses its taints; pods without tolerations go at once") {
  LifecycleCluster c;
  c.AddNode("node-1");
  REQUIRE(c.pool->KillNode("node-1").ok());
  c.AdvanceTo(absl::Seconds(50));
  CHECK(c.HasTaint("node-1", "node.kubernetes.io/unreachable", "NoExecute"));

  // A pod that tolerates nothing on a NoExecute-tainted node is deleted at once.
  Pod intolerant = c.MakePod("intolerant", "node-1");
  intolerant.spec.tolerations.push_back({"node.kubernetes.io/not-ready", "Exists", "", "NoExecute", 300, {}});
  intolerant.spec.tolerations.push_back({"other", "Exists", "", "NoExecute", std::nullopt, {}});
  Object object = ToObject(intolerant);
  REQUIRE(c.client->Create(object).ok());
  c.loop.RunUntilIdle();
  // Admission added the unreachable toleration (the pod had none for that key), so it waits 300 s.
  CHECK(!c.GetPod("intolerant").metadata.deletionTimestamp.IsSet());

  REQUIRE(c.pool->ReviveNode("node-1").ok());
  c.loop.RunUntilIdle();
  Node node = c.GetNode("node-1");
  CHECK(SimCluster::NodeConditionOf(node, "Ready")->status == "True");
  CHECK(node.spec.taints.empty());
  c.AdvanceTo(absl::Seconds(400));
  CHECK(!c.GetPod("intolerant").metadata.deletionTimestamp.IsSet());
  CHECK(SimCluster::NodeConditionOf(c.GetNode("node-1"), "Ready")->status == "True");

  // A user's NoExecute taint that the pod does not tolerate evicts it at once.
  node = c.GetNode("node-1");
  node.spec.taints.push_back({"dedicated", "gpu", "NoExecute", Time{}, {}});
  node.metadata.resourceVersion.clear();
  REQUIRE(Update(*c.client, node).ok());
  c.loop.RunUntilIdle();
  CHECK(
      absl::IsNotFound(Get<Pod>(*c.client, "default", "intolerant").status()));  // the live agent finished it
}

TEST_CASE("a pod evicted for a NoExecute taint is marked DisruptionTarget by the taint manager first") {
  LifecycleCluster c;
  c.AddNode("node-1");
  c.CreatePod(c.MakePod("web", "node-1"));
  c.AdvanceTo(absl::Seconds(2));
  REQUIRE(SimCluster::ConditionStatus(c.GetPod("web"), "Ready") == "True");
  auto watch = *c.store->Watch(*FindResourceType("", "Pod"),
                               {.resourceVersion = std::to_string(c.store->CurrentRevision())});

  Node node = c.GetNode("node-1");
  node.spec.taints.push_back({"dedicated", "gpu", "NoExecute", Time{}, {}});
  node.metadata.resourceVersion.clear();
  REQUIRE(Update(*c.client, node).ok());
  c.loop.RunUntilIdle();
  // Kubernetes' order: a status write that adds the condition, then the deletion.
  std::vector<Pod> versions;
  while (std::optional<WatchEvent> event = watch->Next(absl::ZeroDuration())) {
    absl::StatusOr<Pod> pod = FromObject<Pod>(event->object->object);
    REQUIRE(pod.ok());
    versions.push_back(*pod);
  }
  REQUIRE(versions.size() >= 2);
  const PodCondition* marked = versions[0].status.FindCondition("DisruptionTarget");
  REQUIRE(marked != nullptr);
  CHECK_FALSE(versions[0].metadata.deletionTimestamp.IsSet());
  CHECK(marked->status == "True");
  CHECK(marked->reason == "DeletionByTaintManager");
  CHECK(marked->message == "Taint manager: deleting due to NoExecute taint");
  CHECK(marked->lastTransitionTime == Time::Truncated(c.clock.Now()));
  CHECK(versions[1].metadata.deletionTimestamp.IsSet());
  CHECK(versions[1].status.FindCondition("DisruptionTarget") != nullptr);
  CHECK(absl::IsNotFound(Get<Pod>(*c.client, "default", "web").status()));  // the live agent finished it
}

TEST_CASE("cordon sets spec.unschedulable; drain deletes pods but DaemonSet and mirror pods") {
  LifecycleCluster c;
  c.AddNode("node-1");
  REQUIRE(CordonNode(*c.client, "node-1").ok());
  CHECK(c.GetNode("node-1").spec.unschedulable);
  REQUIRE(CordonNode(*c.client, "node-1", false).ok());
  CHECK(!c.GetNode("node-1").spec.unschedulable);

  Pod owned = c.MakePod("owned", "node-1");
  owned.metadata.ownerReferences.push_back({"apps/v1", "ReplicaSet", "rs", "uid-rs", true, true});
  c.CreatePod(owned);
  Pod daemon = c.MakePod("daemon", "node-1");
  daemon.metadata.ownerReferences.push_back({"apps/v1", "DaemonSet", "ds", "uid-ds", true, true});
  c.CreatePod(daemon);
  c.CreatePod(c.MakePod("bare", "node-1"));
  c.AdvanceTo(absl::Seconds(2));

  absl::StatusOr<DrainResult> refused = DrainNode(*c.client, "node-1");
  CHECK(absl::IsFailedPrecondition(refused.status()));
  CHECK(refused.status().message().find("default/bare") != absl::string_view::npos);
  CHECK(!c.GetPod("owned").metadata.deletionTimestamp.IsSet());  // nothing deleted

  absl::StatusOr<DrainResult> drained = DrainNode(*c.client, "node-1", {.force = true});
  REQUIRE(drained.ok());
  CHECK(drained->deleted == std::vector<std::string>{"default/bare", "default/owned"});
  CHECK(drained->ignored == std::vector<std::string>{"default/daemon"});
  CHECK(c.GetNode("node-1").spec.unschedulable);
  c.loop.RunUntilIdle();
  CHECK(absl::IsNotFound(Get<Pod>(*c.client, "default", "owned").status()));
  CHECK(absl::IsNotFound(Get<Pod>(*c.client, "default", "bare").status()));
  CHECK(c.GetPod("daemon").status.phase == "Running");
}

}  // namespace
}  // namespace orch
