// The scheduler cache: incremental nodes and pods, assumed pods, sharing, and the size of its entries.
#include <doctest/doctest.h>

#include <cstdio>
#include <map>

#include "core/scheduler/scheduler_test_util.h"

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

namespace {

// group labels ("app=web") -> node name -> count, as a snapshot reports its pod groups.
std::map<std::string, std::map<std::string, int64_t>> Groups(const ClusterSnapshot& snapshot) {
  std::map<std::string, std::map<std::string, int64_t>> out;
  snapshot.ForEachPodGroup([&](const PodGroup& group) {
    std::string key;
    for (const auto& [k, v] : group.exemplar.GetLabels()) key += k + "=" + v + ",";
    if (group.exemplar.terminating) key += "terminating";
    for (const auto& [node, count] : group.per_node) out[key][node->name()] += count;
  });
  return out;
}

// A snapshot that only lists nodes: the default ForEachPodGroup groups their pods on every call.
class ListOnly final : public ClusterSnapshot {
 public:
  explicit ListOnly(const SchedulerCache& cache) : cache_(cache) {}
  absl::Span<const NodeInfo* const> Nodes() const override { return cache_.Nodes(); }
  const NodeInfo* GetNode(absl::string_view name) const override { return cache_.GetNode(name); }
  const Labels* NamespaceLabels(absl::string_view ns) const override { return cache_.NamespaceLabels(ns); }

 private:
  const SchedulerCache& cache_;
};

Pod Labelled(const std::string& name, const std::string& app) {
  Pod pod = MakePod(name);
  pod.metadata.labels = {{"app", app}};
  return pod;
}

}  // namespace

TEST_CASE("pod groups: replicas grouped by labels, counted per node, kept up to date") {
  SchedulerCache cache;
  cache.UpsertNode(MakeNode("n1"));
  cache.UpsertNode(MakeNode("n2"));
  REQUIRE(cache.AssumePod(Info(Labelled("a1", "a")), "n1").ok());
  REQUIRE(cache.AssumePod(Info(Labelled("a2", "a")), "n1").ok());
  REQUIRE(cache.AssumePod(Info(Labelled("a3", "a")), "n2").ok());
  REQUIRE(cache.AssumePod(Info(Labelled("b1", "b")), "n2").ok());
  using Want = std::map<std::string, std::map<std::string, int64_t>>;
  CHECK(Groups(cache) == Want{{"app=a,", {{"n1", 2}, {"n2", 1}}}, {"app=b,", {{"n2", 1}}}});
  CHECK(cache.NumPodGroups() == 2);
  CHECK(Groups(ListOnly(cache)) == Groups(cache));

  // Removed, forgotten, moved, terminating: each leaves the counts right.
  cache.RemovePod("uid-a2");
  REQUIRE(cache.ForgetPod("uid-b1").ok());
  PodInfo moved = Info(Labelled("a3", "a"));
  moved.nodeName = "n1";
  REQUIRE(cache.AddPod(moved).ok());
  PodInfo terminating = Info(Labelled("a1", "a"));
  terminating.nodeName = "n1";
  terminating.terminating = true;
  REQUIRE(cache.AddPod(terminating).ok());
  CHECK(Groups(cache) == Want{{"app=a,", {{"n1", 1}}}, {"app=a,terminating", {{"n1", 1}}}});
  CHECK(Groups(ListOnly(cache)) == Groups(cache));
  cache.RemovePod("uid-a1");
  cache.RemovePod("uid-a3");
  CHECK(Groups(cache).empty());
  CHECK(cache.NumPodGroups() == 0);
}

TEST_CASE("the pods of a deleted node are in no topology domain") {
  SchedulerCache cache;
  Node zoned = MakeNode("n1");
  zoned.metadata.labels["topology.kubernetes.io/zone"] = "z1";
  cache.UpsertNode(zoned);
  REQUIRE(cache.AssumePod(Info(Labelled("a1", "a")), "n1").ok());
  cache.RemoveNode("n1");
  bool seen = false;
  cache.ForEachPodGroup([&](const PodGroup& group) {
    for (const auto& [node, count] : group.per_node) {
      seen = true;
      CHECK(node->labels().empty());
    }
  });
  CHECK(seen);
  // Back again: its labels and its pods.
  cache.UpsertNode(zoned);
  REQUIRE(cache.GetNode("n1") != nullptr);
  CHECK(cache.GetNode("n1")->labels().at("topology.kubernetes.io/zone") == "z1");
  CHECK(cache.GetNode("n1")->pods().size() == 1);
}
