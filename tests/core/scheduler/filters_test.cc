// The built-in filters and the FitError message, as kube-scheduler words them.
#include <doctest/doctest.h>

#include "core/scheduler/scheduler_test_util.h"
#include "src/core/scheduler/plugins.h"

using namespace orch;
using namespace orch::scheduler;
using namespace orch::scheduler::testing;

namespace {

SchedulerProfile NoPreemption() {
  SchedulerProfile p;
  p.enable_preemption = false;
  return p;
}

NodeSelectorRequirement Req(std::string key, std::string op, std::vector<std::string> values = {}) {
  return NodeSelectorRequirement{std::move(key), std::move(op), std::move(values), {}};
}

Pod WithRequiredNodeAffinity(Pod pod, std::vector<NodeSelectorTerm> terms) {
  NodeAffinity na;
  na.requiredDuringSchedulingIgnoredDuringExecution = NodeSelector{std::move(terms), {}};
  pod.spec.affinity = Affinity{na, std::nullopt, std::nullopt, {}};
  return pod;
}

Pod WithHostPort(Pod pod, int32_t port, std::string ip = "", std::string protocol = "") {
  ContainerPort p;
  p.containerPort = port;
  p.hostPort = port;
  p.hostIP = std::move(ip);
  p.protocol = std::move(protocol);
  pod.spec.containers[0].ports.push_back(p);
  return pod;
}

PodAffinityTerm Term(Labels match, std::string topology_key) {
  PodAffinityTerm t;
  t.labelSelector = LabelSelectorSpec{std::move(match), {}};
  t.topologyKey = std::move(topology_key);
  return t;
}

}  // namespace

TEST_CASE("the FitError message counts reasons per node, sorted as kube-scheduler prints them") {
  Cluster c;
  c.Add(MakeNode("n1", "2"));
  c.Add(MakeNode("n2", "2"));
  c.Bind(MakePod("x1", "1"), "n1");
  c.Bind(MakePod("x2", "1"), "n2");
  c.Add(WithTaint(MakeNode("cp", "8"), "node-role.kubernetes.io/control-plane", "", "NoSchedule"));
  Pod pod = MakePod("big", "2");
  CHECK(c.Message(pod, NoPreemption()) ==
        "0/3 nodes are available: 1 node(s) had untolerated taint {node-role.kubernetes.io/control-plane: }, "
        "2 Insufficient cpu.");
  // With preemption: no lower-priority pod to evict, and the taint cannot be helped.
  CHECK(
      c.Message(pod) ==
      "0/3 nodes are available: 1 node(s) had untolerated taint {node-role.kubernetes.io/control-plane: }, "
      "2 Insufficient cpu. preemption: 0/3 nodes are available: 1 Preemption is not helpful for scheduling, "
      "2 No preemption victims found for incoming pod.");
}

TEST_CASE("no nodes at all is no fit error") {
  Cluster c;
  ScheduleResult result = c.Schedule(MakePod("p"));
  CHECK(result.node.empty());
  CHECK_FALSE(result.fit_error.has_value());
  CHECK_FALSE(result.preemption.has_value());
}

TEST_CASE("NodeResourcesFit: cpu, memory, ephemeral-storage and pod count, several reasons per node") {
  Cluster c;
  c.Add(MakeNode("n1", "2", "1Gi", "1"));
  c.Bind(MakePod("a", "1500m", "512Mi"), "n1");
  CHECK(c.Message(MakePod("p", "1", "1Gi"), NoPreemption()) ==
        "0/1 nodes are available: 1 Insufficient cpu, 1 Insufficient memory, 1 Too many pods.");
  Pod eph = MakePod("e");
  eph.spec.containers[0].resources.requests["ephemeral-storage"] = Q("1Gi");
  Cluster d;
  d.Add(MakeNode("n1"));
  CHECK(d.Message(eph, NoPreemption()) == "0/1 nodes are available: 1 Insufficient ephemeral-storage.");
  CHECK(d.Schedule(MakePod("fits", "4", "8Gi")).node == "n1");
}

TEST_CASE("NodeResourcesFit: requests sum containers, take the max of init containers, add overhead") {
  Pod pod = MakePod("p", "500m", "100Mi");
  Container second;
  second.resources.requests["cpu"] = Q("250m");
  pod.spec.containers.push_back(second);
  Container init;
  init.resources.requests["memory"] = Q("1Gi");
  init.resources.requests["cpu"] = Q("100m");
  pod.spec.initContainers.push_back(init);
  pod.spec.overhead = {{"cpu", Q("50m")}, {"memory", Q("10Mi")}};
  PodInfo info = PodInfo::FromPod(pod);
  CHECK(info.requests.milli_cpu == 800);
  CHECK(info.requests.memory == (1024 + 10) * 1024 * 1024);
  // The second container asks for no memory: scored as 200Mi.
  CHECK(info.non_zero_requests.memory == (1024 + 10) * 1024 * 1024);
  CHECK(PodInfo::FromPod(MakePod("none")).non_zero_requests.milli_cpu == 100);
  CHECK(PodInfo::FromPod(MakePod("none")).requests.milli_cpu == 0);
}

TEST_CASE("bad input: huge requests and nodes without allocatable") {
  Cluster c;
  c.Add(MakeNode("empty", "", "", ""));
  c.Add(MakeNode("n1"));
  Pod huge = MakePod("huge", "9000000000000", "9000Ei");
  ScheduleResult r = c.Schedule(huge);
  REQUIRE(r.fit_error);
  // Larger than any node: preemption cannot help, and the node without allocatable takes no pod.
  CHECK(
      r.fit_error->Message() ==
      "0/2 nodes are available: 1 Too many pods, 2 Insufficient cpu, 2 Insufficient memory. preemption: 0/2 "
      "nodes are available: 2 Preemption is not helpful for scheduling.");
  CHECK(c.Schedule(MakePod("small", "1")).node == "n1");
  // A pod asking for nothing still needs a pod slot.
  Cluster only_empty;
  only_empty.Add(MakeNode("empty", "", "", ""));
  CHECK(only_empty.Message(MakePod("p"), NoPreemption()) == "0/1 nodes are available: 1 Too many pods.");
}

// The scheduler passes a node without calling NodeResourcesFit::Filter when ResourcesFit holds; the
// two must agree for every value, the extremes included.
TEST_CASE("NodeResourcesFit: the quick check agrees with the filter, extremes included") {
  const std::vector<int64_t> values = {INT64_MIN, INT64_MIN + 1, -1000,         -1,       0, 1, 999, 1000,
                                       1001,      INT64_MAX / 2, INT64_MAX - 1, INT64_MAX};
  NodeResourcesFit fit(ScoringStrategy::kLeastAllocated);
  SchedulerCache snapshot;  // not read by this filter
  int checked = 0;
  for (int64_t want : values) {
    for (int64_t alloc : values) {
      for (int64_t used : values) {
        PodInfo pod;
        pod.requests.milli_cpu = want;
        pod.requests.memory = want == INT64_MIN ? 0 : 1;
        Node node = MakeNode("n", "1", "1Gi", "10");
        NodeInfo info(node);
        // Set what the cache would have accounted, by hand, through a placed pod.
        PodInfo placed;
        placed.uid = "placed";
        placed.requests.milli_cpu = used;
        info.AddPod(&placed);
        Node with_alloc = node;
        with_alloc.status.allocatable["cpu"] = Quantity::FromMilli(alloc);
        info.SetNode(with_alloc);
        CAPTURE(want);
        CAPTURE(alloc);
        CAPTURE(used);
        CHECK(internal::ResourcesFit(pod, info) == fit.Filter(pod, info, snapshot).ok());
        ++checked;
      }
    }
  }
  CHECK(checked == 12 * 12 * 12);
}

TEST_CASE("NodeUnschedulable unless tolerated") {
  Cluster c;
  Node node = MakeNode("n1");
  node.spec.unschedulable = true;
  c.Add(node);
  CHECK(c.Message(MakePod("p")) ==
        "0/1 nodes are available: 1 node(s) were unschedulable. preemption: 0/1 nodes are available: 1 "
        "Preemption is not helpful for scheduling.");
  Pod tolerant = MakePod("t");
  tolerant.spec.tolerations.push_back(
      Toleration{"node.kubernetes.io/unschedulable", "Exists", "", "NoSchedule", {}, {}});
  CHECK(c.Schedule(tolerant).node == "n1");
}

TEST_CASE("NodeName") {
  Cluster c;
  c.Add(MakeNode("n1"));
  c.Add(MakeNode("n2"));
  Pod pod = MakePod("p");
  pod.spec.nodeName = "n2";
  CHECK(c.Schedule(pod).node == "n2");
  pod.spec.nodeName = "n3";
  CHECK(c.Message(pod, NoPreemption()) ==
        "0/2 nodes are available: 2 node(s) didn't match the requested node name.");
}

TEST_CASE("TaintToleration: NoSchedule and NoExecute must be tolerated, PreferNoSchedule need not") {
  Cluster c;
  c.Add(WithTaint(MakeNode("a"), "dedicated", "gpu", "NoSchedule"));
  c.Add(WithTaint(MakeNode("b"), "evict", "", "NoExecute"));
  CHECK(
      c.Message(MakePod("p"), NoPreemption()) ==
      "0/2 nodes are available: 1 node(s) had untolerated taint {dedicated: gpu}, 1 node(s) had untolerated "
      "taint {evict: }.");
  c.Add(WithTaint(MakeNode("c"), "soft", "", "PreferNoSchedule"));
  CHECK(c.Schedule(MakePod("p")).node == "c");

  Pod equal = MakePod("eq");
  equal.spec.tolerations.push_back(Toleration{"dedicated", "Equal", "gpu", "NoSchedule", {}, {}});
  equal.spec.tolerations.push_back(Toleration{"evict", "Exists", "", "", {}, {}});
  PodInfo info = PodInfo::FromPod(equal);
  TaintToleration plugin;
  CHECK(plugin.Filter(info, *c.cache.GetNode("a"), c.cache).ok());
  CHECK(plugin.Filter(info, *c.cache.GetNode("b"), c.cache).ok());
  Pod wrong_value = MakePod("wv");
  wrong_value.spec.tolerations.push_back(Toleration{"dedicated", "Equal", "cpu", "NoSchedule", {}, {}});
  CHECK_FALSE(plugin.Filter(PodInfo::FromPod(wrong_value), *c.cache.GetNode("a"), c.cache).ok());
  Pod everything = MakePod("all");
  everything.spec.tolerations.push_back(Toleration{"", "Exists", "", "", {}, {}});
  CHECK(plugin.Filter(PodInfo::FromPod(everything), *c.cache.GetNode("a"), c.cache).ok());
}

TEST_CASE("NodeAffinity: nodeSelector and required terms, every operator, matchFields") {
  Cluster c;
  c.Add(MakeNode("a", "4", "8Gi", "110", {{"zone", "z1"}, {"gen", "3"}}));
  c.Add(MakeNode("b", "4", "8Gi", "110", {{"zone", "z2"}, {"gen", "5"}}));
  c.Add(MakeNode("c", "4", "8Gi", "110", {}));
  auto fits = [&](const Pod& pod) {
    std::vector<std::string> out;
    NodeAffinityPlugin plugin;
    PodInfo info = PodInfo::FromPod(pod);
    for (const NodeInfo* n : c.cache.Nodes()) {
      if (plugin.Filter(info, *n, c.cache).ok()) out.push_back(n->name());
    }
    return out;
  };
  Pod sel = MakePod("s");
  sel.spec.nodeSelector = {{"zone", "z2"}};
  CHECK(fits(sel) == std::vector<std::string>{"b"});
  using V = std::vector<std::string>;
  CHECK(fits(WithRequiredNodeAffinity(MakePod("p"), {{{Req("zone", "In", {"z1", "z3"})}, {}, {}}})) ==
        V{"a"});
  CHECK(fits(WithRequiredNodeAffinity(MakePod("p"), {{{Req("zone", "NotIn", {"z1"})}, {}, {}}})) ==
        V{"b", "c"});
  CHECK(fits(WithRequiredNodeAffinity(MakePod("p"), {{{Req("zone", "Exists")}, {}, {}}})) == V{"a", "b"});
  CHECK(fits(WithRequiredNodeAffinity(MakePod("p"), {{{Req("zone", "DoesNotExist")}, {}, {}}})) == V{"c"});
  CHECK(fits(WithRequiredNodeAffinity(MakePod("p"), {{{Req("gen", "Gt", {"4"})}, {}, {}}})) == V{"b"});
  CHECK(fits(WithRequiredNodeAffinity(MakePod("p"), {{{Req("gen", "Lt", {"4"})}, {}, {}}})) == V{"a"});
  CHECK(fits(WithRequiredNodeAffinity(MakePod("p"), {{{Req("gen", "Lt", {"x"})}, {}, {}}})).empty());
  // Requirements of a term ANDed, terms ORed.
  CHECK(fits(WithRequiredNodeAffinity(
            MakePod("p"), {{{Req("zone", "Exists"), Req("gen", "Gt", {"4"})}, {}, {}}})) == V{"b"});
  CHECK(fits(WithRequiredNodeAffinity(MakePod("p"), {{{Req("zone", "In", {"z1"})}, {}, {}},
                                                     {{}, {Req("metadata.name", "In", {"c"})}, {}}})) ==
        V{"a", "c"});
  // An empty term, or no terms, matches nothing.
  CHECK(fits(WithRequiredNodeAffinity(MakePod("p"), {NodeSelectorTerm{}})).empty());
  CHECK(fits(WithRequiredNodeAffinity(MakePod("p"), {})).empty());
  // nodeSelector and affinity must both hold.
  Pod both = WithRequiredNodeAffinity(MakePod("p"), {{{Req("zone", "Exists")}, {}, {}}});
  both.spec.nodeSelector = {{"gen", "3"}};
  CHECK(fits(both) == V{"a"});
  sel.spec.nodeSelector = {{"zone", "nowhere"}};
  CHECK(c.Message(sel, NoPreemption()) ==
        "0/3 nodes are available: 3 node(s) didn't match Pod's node affinity/selector.");
}

TEST_CASE("NodePorts: same protocol and port conflict unless both host IPs are specific and differ") {
  Cluster c;
  c.Add(MakeNode("n1"));
  c.Bind(WithHostPort(MakePod("web"), 8080), "n1");
  c.Bind(WithHostPort(MakePod("dns"), 53, "10.0.0.1", "UDP"), "n1");
  CHECK(c.Message(WithHostPort(MakePod("p"), 8080), NoPreemption()) ==
        "0/1 nodes are available: 1 node(s) didn't have free ports for the requested pod ports.");
  CHECK(c.Schedule(WithHostPort(MakePod("udp"), 8080, "", "UDP")).node == "n1");
  CHECK(c.Schedule(WithHostPort(MakePod("other-ip"), 53, "10.0.0.2", "UDP")).node == "n1");
  CHECK(c.Schedule(WithHostPort(MakePod("wild"), 53, "0.0.0.0", "UDP")).fit_error);
  CHECK(c.Schedule(WithHostPort(MakePod("tcp53"), 53, "10.0.0.1")).node == "n1");
  // Removing the pod frees its port.
  c.cache.RemovePod("uid-web");
  CHECK(c.Schedule(WithHostPort(MakePod("p"), 8080)).node == "n1");
}

TEST_CASE("InterPodAffinity: required affinity by topology key, and the first pod of a self-affine group") {
  Cluster c;
  c.Add(MakeNode("a", "4", "8Gi", "110", {{"zone", "z1"}}));
  c.Add(MakeNode("b", "4", "8Gi", "110", {{"zone", "z1"}}));
  c.Add(MakeNode("c", "4", "8Gi", "110", {{"zone", "z2"}}));
  c.Add(MakeNode("nozone"));
  Pod web = MakePod("web", "", "", 0, {{"app", "web"}});
  web.spec.affinity = Affinity{};
  web.spec.affinity->podAffinity = PodAffinity{{Term({{"app", "web"}}, "zone")}, {}, {}};
  // No pod matches anywhere yet and the pod matches its own term: it may go anywhere with the key.
  ScheduleResult first = c.Schedule(web);
  CHECK(first.feasible_nodes == 3);
  c.Bind(MakePod("w0", "", "", 0, {{"app", "web"}}), "c");
  CHECK(c.Schedule(web).node == "c");
  // A pod that does not match its own term needs a matching pod.
  Pod cache_pod = MakePod("cache", "", "", 0, {{"app", "cache"}});
  cache_pod.spec.affinity = Affinity{};
  cache_pod.spec.affinity->podAffinity = PodAffinity{{Term({{"app", "db"}}, "zone")}, {}, {}};
  CHECK(c.Message(cache_pod, NoPreemption()) ==
        "0/4 nodes are available: 4 node(s) didn't match pod affinity rules.");
  // Other namespaces do not count unless listed.
  Pod other = MakePod("db", "", "", 0, {{"app", "db"}});
  other.metadata.namespace_ = "prod";
  c.Bind(other, "a");
  CHECK(c.Schedule(cache_pod).fit_error);
  cache_pod.spec.affinity->podAffinity->requiredDuringSchedulingIgnoredDuringExecution[0].namespaces = {
      "prod"};
  ScheduleResult r = c.Schedule(cache_pod);
  CHECK(r.feasible_nodes == 2);
  CHECK((r.node == "a" || r.node == "b"));
  // An empty namespaceSelector selects every namespace.
  cache_pod.spec.affinity->podAffinity->requiredDuringSchedulingIgnoredDuringExecution[0].namespaces.clear();
  cache_pod.spec.affinity->podAffinity->requiredDuringSchedulingIgnoredDuringExecution[0].namespaceSelector =
      LabelSelectorSpec{};
  CHECK(c.Schedule(cache_pod).feasible_nodes == 2);
}

TEST_CASE("InterPodAffinity: required anti-affinity, both the pod's and existing pods'") {
  Cluster c;
  c.Add(MakeNode("a"));
  c.Add(MakeNode("b"));
  Pod replica = MakePod("r1", "", "", 0, {{"app", "db"}});
  replica.spec.affinity = Affinity{};
  replica.spec.affinity->podAntiAffinity =
      PodAntiAffinity{{Term({{"app", "db"}}, "kubernetes.io/hostname")}, {}, {}};
  c.Bind(replica, "a");
  Pod second = replica;
  second.metadata.name = "r2";
  second.metadata.uid = "uid-r2";
  CHECK(c.Schedule(second).node == "b");
  c.Bind(second, "b");
  Pod third = replica;
  third.metadata.name = "r3";
  third.metadata.uid = "uid-r3";
  CHECK(c.Message(third, NoPreemption()) ==
        "0/2 nodes are available: 2 node(s) didn't match pod anti-affinity rules.");
  // A plain pod with the label is kept away by the existing pods' anti-affinity.
  CHECK(c.Message(MakePod("plain", "", "", 0, {{"app", "db"}}), NoPreemption()) ==
        "0/2 nodes are available: 2 node(s) didn't satisfy existing pods anti-affinity rules.");
  CHECK(c.Schedule(MakePod("unrelated", "", "", 0, {{"app", "web"}})).node != "");
}

TEST_CASE("PodTopologySpread: DoNotSchedule by maxSkew, nodes without the key excluded") {
  Cluster c;
  c.Add(MakeNode("a1", "4", "8Gi", "110", {{"zone", "a"}}));
  c.Add(MakeNode("a2", "4", "8Gi", "110", {{"zone", "a"}}));
  c.Add(MakeNode("b1", "4", "8Gi", "110", {{"zone", "b"}}));
  c.Add(MakeNode("nozone"));
  Labels web{{"app", "web"}};
  c.Bind(MakePod("w1", "", "", 0, web), "a1");
  c.Bind(MakePod("w2", "", "", 0, web), "a2");
  c.Bind(MakePod("w3", "", "", 0, web), "b1");
  Pod pod = MakePod("w4", "", "", 0, web);
  TopologySpreadConstraint tsc;
  tsc.maxSkew = 1;
  tsc.topologyKey = "zone";
  tsc.whenUnsatisfiable = "DoNotSchedule";
  tsc.labelSelector = LabelSelectorSpec{web, {}};
  pod.spec.topologySpreadConstraints.push_back(tsc);
  // zone a has 2, zone b 1: only zone b keeps the skew within 1.
  CHECK(c.Schedule(pod).node == "b1");
  c.Bind(MakePod("w5", "", "", 0, web), "b1");
  ScheduleResult r = c.Schedule(pod);
  CHECK(r.feasible_nodes == 3);
  // Other pods and namespaces do not count.
  c.Bind(MakePod("x", "", "", 0, {{"app", "other"}}), "a1");
  CHECK(c.Schedule(pod).feasible_nodes == 3);
  // minDomains above the number of domains makes the minimum 0: every domain already has 2.
  pod.spec.topologySpreadConstraints[0].minDomains = 3;
  CHECK(c.Message(pod, NoPreemption()) ==
        "0/4 nodes are available: 1 node(s) didn't match pod topology spread constraints (missing required "
        "label), 3 node(s) didn't match pod topology spread constraints.");
}

TEST_CASE("PodTopologySpread: nodeAffinityPolicy Honor ignores domains the pod cannot use") {
  Cluster c;
  c.Add(MakeNode("a", "4", "8Gi", "110", {{"zone", "a"}, {"pool", "x"}}));
  c.Add(MakeNode("b", "4", "8Gi", "110", {{"zone", "b"}, {"pool", "y"}}));
  Labels web{{"app", "web"}};
  c.Bind(MakePod("w1", "", "", 0, web), "a");
  c.Bind(MakePod("w2", "", "", 0, web), "a");
  Pod pod = MakePod("w3", "", "", 0, web);
  pod.spec.nodeSelector = {{"pool", "x"}};
  TopologySpreadConstraint tsc;
  tsc.maxSkew = 1;
  tsc.topologyKey = "zone";
  tsc.whenUnsatisfiable = "DoNotSchedule";
  tsc.labelSelector = LabelSelectorSpec{web, {}};
  pod.spec.topologySpreadConstraints.push_back(tsc);
  // Zone b is not a domain for this pod (Honor), so zone a is the minimum and the pod fits there.
  CHECK(c.Schedule(pod).node == "a");
  pod.spec.topologySpreadConstraints[0].nodeAffinityPolicy = "Ignore";
  CHECK(c.Schedule(pod).fit_error);
}

namespace {

// Rejects nodes labelled "maintenance".
class NoMaintenance final : public FilterPlugin {
 public:
  absl::string_view Name() const override { return "NoMaintenance"; }
  FilterStatus Filter(const PodInfo&, const NodeInfo& node, const ClusterSnapshot&) const override {
    if (node.labels().contains("maintenance"))
      return FilterStatus::Unresolvable("node(s) were in maintenance");
    return FilterStatus::Success();
  }
};

}  // namespace

TEST_CASE("an application's filter plugin runs after the built-in ones") {
  Cluster c;
  c.Add(MakeNode("a", "4", "8Gi", "110", {{"maintenance", "true"}}));
  c.Add(MakeNode("b", "1"));
  SchedulerProfile profile = NoPreemption();
  profile.extra_filters.push_back(std::make_shared<NoMaintenance>());
  CHECK(c.Schedule(MakePod("p"), profile).node == "b");
  ScheduleResult r = c.Schedule(MakePod("big", "2"), profile);
  REQUIRE(r.fit_error);
  CHECK(r.fit_error->Message() ==
        "0/2 nodes are available: 1 Insufficient cpu, 1 node(s) were in maintenance.");
  CHECK(r.fit_error->unschedulable_plugins == std::vector<std::string>{"NoMaintenance", "NodeResourcesFit"});
}
