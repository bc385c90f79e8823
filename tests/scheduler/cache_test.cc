// The scheduler cache: incremental nodes and pods, assumed pods, sharing, and the size of its entries.
#include <doctest/doctest.h>

#include <cstdio>

#include "scheduler/scheduler_test_util.h"

using namespace orch;
using namespace orch::scheduler;
using namespace orch::scheduler::testing;

TEST_CASE("pods count on their node at once when assumed, and until removed") {
  SchedulerCache cache;
  cache.UpsertNode(MakeNode("n1", "2"));
  PodInfo pod = Info(MakePod("p", "1500m"));
  REQUIRE(cache.AssumePod(pod, "n1").ok());
  CHECK(cache.IsAssumed("uid-p"));
  CHECK(cache.GetNode("n1")->requested().milli_cpu == 1500);
  CHECK(cache.AssumePod(pod, "n1").code() == absl::StatusCode::kAlreadyExists);
  // The next pod sees the assumed one.
  Scheduler scheduler({}, &cache);
  CHECK(scheduler.Schedule(Info(MakePod("q", "1"))).fit_error);
  // Binding failed: forget it.
  REQUIRE(cache.ForgetPod("uid-p").ok());
  CHECK(cache.GetNode("n1")->requested().milli_cpu == 0);
  CHECK(cache.ForgetPod("uid-p").code() == absl::StatusCode::kFailedPrecondition);
  // Binding succeeded: the store's event confirms it.
  REQUIRE(cache.AssumePod(pod, "n1").ok());
  pod.nodeName = "n1";
  REQUIRE(cache.AddPod(pod).ok());
  CHECK_FALSE(cache.IsAssumed("uid-p"));
  CHECK(cache.GetNode("n1")->pods().size() == 1);
  CHECK(cache.GetNode("n1")->requested().milli_cpu == 1500);
  cache.RemovePod("uid-p");
  CHECK(cache.GetNode("n1")->pods().empty());
  CHECK(cache.NumPods() == 0);
}

TEST_CASE("a pod that moves node, a pod before its node, a node removed and re-added") {
  SchedulerCache cache;
  cache.UpsertNode(MakeNode("a"));
  Pod pod = MakePod("p", "1");
  pod.spec.nodeName = "a";
  REQUIRE(cache.AddPod(Info(pod)).ok());
  pod.spec.nodeName = "b";  // node b not known yet
  REQUIRE(cache.UpdatePod(Info(pod)).ok());
  CHECK(cache.GetNode("a")->requested().milli_cpu == 0);
  CHECK(cache.GetNode("b") == nullptr);
  CHECK(cache.Nodes().size() == 1);
  cache.UpsertNode(MakeNode("b"));
  CHECK(cache.GetNode("b")->requested().milli_cpu == 1000);
  cache.RemoveNode("b");
  CHECK(cache.GetNode("b") == nullptr);
  cache.UpsertNode(MakeNode("b"));
  CHECK(cache.GetNode("b")->pods().size() == 1);
  // Updating the node keeps its pods.
  Node b = MakeNode("b", "8");
  cache.UpsertNode(b);
  CHECK(cache.GetNode("b")->allocatable().milli_cpu == 8000);
  CHECK(cache.GetNode("b")->pods().size() == 1);
  CHECK(cache.AddPod(Info(MakePod("unbound"))).code() == absl::StatusCode::kInvalidArgument);
}

TEST_CASE("replicas share labels and constraints") {
  SchedulerCache cache;
  cache.UpsertNode(MakeNode("a"));
  auto replica = [](int i) {
    Pod pod =
        MakePod("web-" + std::to_string(i), "100m", "", 0, {{"app", "web"}, {"pod-template-hash", "abc"}});
    pod.spec.nodeSelector = {{"disk", "ssd"}};
    pod.spec.tolerations.push_back(Toleration{"k", "Exists", "", "NoSchedule", {}, {}});
    pod.spec.nodeName = "a";
    return pod;
  };
  REQUIRE(cache.AddPod(Info(replica(1))).ok());
  REQUIRE(cache.AddPod(Info(replica(2))).ok());
  const PodInfo* one = cache.GetPod("uid-web-1");
  const PodInfo* two = cache.GetPod("uid-web-2");
  CHECK(one->labels.get() == two->labels.get());
  CHECK(one->constraints.get() == two->constraints.get());
}

TEST_CASE("sizes: NodeInfo and PodInfo per entry") {
  SchedulerCache cache;
  Node node = MakeNode("node-000123.zone-a.example.com", "32", "128Gi", "110",
                       {{"topology.kubernetes.io/zone", "zone-a"},
                        {"topology.kubernetes.io/region", "region-1"},
                        {"node.kubernetes.io/instance-type", "m5.8xlarge"},
                        {"kubernetes.io/os", "linux"},
                        {"kubernetes.io/arch", "amd64"}});
  cache.UpsertNode(node);
  for (int i = 0; i < 10; ++i) {
    Pod pod = MakePod("web-7d9c6f5b4-" + std::to_string(10000 + i), "100m", "128Mi", 0,
                      {{"app", "web"}, {"pod-template-hash", "7d9c6f5b4"}});
    pod.metadata.uid = "0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f" + std::to_string(i);
    pod.spec.nodeName = node.metadata.name;
    REQUIRE(cache.AddPod(Info(pod)).ok());
  }
  const NodeInfo* n = cache.GetNode(node.metadata.name);
  const PodInfo* p = cache.GetPod("0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0");
  // Heap per pod: its own strings (name, uid; namespace fits inline); labels are shared.
  size_t pod_heap = (p->name.capacity() + 1) + (p->uid.capacity() + 1);
  std::printf("sizeof(NodeInfo)=%zu heap(node, 6 labels, 10 pods)=%zu sizeof(PodInfo)=%zu heap(pod)=%zu\n",
              sizeof(NodeInfo), n->HeapBytes(), sizeof(PodInfo), pod_heap);
  CHECK(sizeof(PodInfo) <= 320);
  CHECK(n->HeapBytes() < 4096);
}
