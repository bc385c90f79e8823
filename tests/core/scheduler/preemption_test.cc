// DefaultPreemption: which node and which victims, never equal or higher priority.
#include <doctest/doctest.h>

#include "core/scheduler/scheduler_test_util.h"

using namespace orch;
using namespace orch::scheduler;
using namespace orch::scheduler::testing;

namespace {

std::vector<std::string> Names(const std::vector<PodInfo>& pods) {
  std::vector<std::string> out;
  for (const PodInfo& p : pods) out.push_back(p.name);
  return out;
}

Pod Started(Pod pod, int64_t seconds) {
  pod.metadata.creationTimestamp.value = absl::FromUnixSeconds(seconds);
  return pod;
}

}  // namespace

TEST_CASE("preemption picks the node needing the fewest, least important victims") {
  Cluster c;
  c.Add(MakeNode("a", "4"));
  c.Add(MakeNode("b", "4"));
  // a: two small low-priority pods must go; b: one bigger one.
  c.Bind(MakePod("a1", "2", "", 10), "a");
  c.Bind(MakePod("a2", "2", "", 10), "a");
  c.Bind(MakePod("b1", "3", "", 10), "b");
  c.Bind(MakePod("b2", "1", "", 10), "b");
  ScheduleResult r = c.Schedule(MakePod("urgent", "3", "", 100));
  REQUIRE(r.fit_error);
  REQUIRE(r.preemption);
  // Same top priority (10) on both; sum of priorities decides: b loses one pod, a two.
  CHECK(r.preemption->nominated_node == "b");
  CHECK(Names(r.preemption->victims) == std::vector<std::string>{"b1"});
  // A preemption found is not reported as a failure message.
  CHECK(r.fit_error->Message() == "0/2 nodes are available: 2 Insufficient cpu.");
}

TEST_CASE("a pod with preemptionPolicy Never waits instead of preempting, and says so") {
  Cluster c;
  c.Add(MakeNode("a", "4"));
  c.Bind(MakePod("low", "3", "", 10), "a");
  Pod patient = MakePod("patient", "3", "", 100);
  patient.spec.preemptionPolicy = "Never";
  ScheduleResult r = c.Schedule(patient);
  REQUIRE(r.fit_error);
  CHECK_FALSE(r.preemption);
  CHECK(
      r.fit_error->Message() ==
      "0/1 nodes are available: 1 Insufficient cpu. preemption: not eligible due to preemptionPolicy=Never.");
  // The default policy, spelled out, preempts.
  patient.spec.preemptionPolicy = "PreemptLowerPriority";
  CHECK(c.Schedule(patient).preemption);
}

TEST_CASE("preemption prefers the lowest highest-priority victim, and keeps what still fits") {
  Cluster c;
  c.Add(MakeNode("a", "4"));
  c.Add(MakeNode("b", "4"));
  c.Bind(MakePod("a-mid", "3", "", 50), "a");
  c.Bind(MakePod("a-low", "1", "", 1), "a");
  c.Bind(MakePod("b-low1", "2", "", 5), "b");
  c.Bind(MakePod("b-low2", "1", "", 5), "b");
  c.Bind(MakePod("b-low3", "1", "", 5), "b");
  ScheduleResult r = c.Schedule(MakePod("p", "3", "", 100));
  REQUIRE(r.preemption);
  // On a the top victim would be priority 50; on b only priority 5 pods go.
  CHECK(r.preemption->nominated_node == "b");
  // Of b's three pods, whichever are given back first, only 1 cpu of them can stay: two victims.
  CHECK(r.preemption->victims.size() == 2);
  for (const PodInfo& v : r.preemption->victims) CHECK(v.priority == 5);
}

TEST_CASE("preemption never evicts pods of equal or higher priority") {
  Cluster c;
  c.Add(MakeNode("a", "2"));
  c.Bind(MakePod("same", "1", "", 100), "a");
  c.Bind(MakePod("higher", "1", "", 200), "a");
  ScheduleResult r = c.Schedule(MakePod("p", "1", "", 100));
  CHECK_FALSE(r.preemption);
  REQUIRE(r.fit_error);
  CHECK(r.fit_error->Message() ==
        "0/1 nodes are available: 1 Insufficient cpu. preemption: 0/1 nodes are available: 1 No preemption "
        "victims found for incoming pod.");
  // A lower-priority pod that frees too little is no use either: the reason is the filter's.
  c.Bind(MakePod("tiny", "", "", 1), "a");
  r = c.Schedule(MakePod("p", "1", "", 100));
  CHECK_FALSE(r.preemption);
  CHECK(r.fit_error->Message() ==
        "0/1 nodes are available: 1 Insufficient cpu. preemption: 0/1 nodes are available: 1 Insufficient "
        "cpu.");
}

TEST_CASE("preemption: fewest victims, then the latest-started victims") {
  Cluster c;
  c.Add(MakeNode("a", "4"));
  c.Add(MakeNode("b", "4"));
  c.Add(MakeNode("c", "4"));
  c.Bind(Started(MakePod("a1", "2", "", 5), 100), "a");
  c.Bind(Started(MakePod("a2", "2", "", 5), 100), "a");
  // b and c: same priorities and counts (one victim of priority 10), c's victim started later.
  c.Bind(Started(MakePod("b1", "4", "", 10), 100), "b");
  c.Bind(Started(MakePod("c1", "4", "", 10), 500), "c");
  ScheduleResult r = c.Schedule(MakePod("p", "4", "", 100));
  REQUIRE(r.preemption);
  // a's victims have the lowest top priority (5): chosen first, whatever the count.
  CHECK(r.preemption->nominated_node == "a");
  c.cache.RemovePod("uid-a1");
  c.Bind(Started(MakePod("a1", "2", "", 20), 100), "a");
  r = c.Schedule(MakePod("p", "4", "", 100));
  REQUIRE(r.preemption);
  CHECK(r.preemption->nominated_node == "c");
  CHECK(Names(r.preemption->victims) == std::vector<std::string>{"c1"});
}

TEST_CASE("preemption is not tried on nodes it cannot help, and a nominated pod returns to its node") {
  Cluster c;
  c.Add(WithTaint(MakeNode("tainted", "8"), "k", "v", "NoSchedule"));
  c.Add(MakeNode("full", "2"));
  c.Bind(MakePod("low", "2", "", 1), "full");
  ScheduleResult r = c.Schedule(MakePod("p", "2", "", 10));
  REQUIRE(r.preemption);
  CHECK(r.preemption->nominated_node == "full");
  // The caller evicts the victim and records the nomination; the next attempt goes straight there.
  c.cache.RemovePod("uid-low");
  Pod retry = MakePod("p", "2", "", 10);
  retry.status.nominatedNodeName = "full";
  r = c.Schedule(retry);
  CHECK(r.node == "full");
  CHECK(r.evaluated_nodes == 1);
}

TEST_CASE("a terminating victim on the nominated node means wait, not evict more") {
  Cluster c;
  c.Add(MakeNode("a", "2"));
  Pod going = MakePod("going", "2", "", 1);
  going.metadata.deletionTimestamp.value = absl::FromUnixSeconds(1);
  c.Bind(going, "a");
  Pod pod = MakePod("p", "2", "", 10);
  pod.status.nominatedNodeName = "a";
  ScheduleResult r = c.Schedule(pod);
  CHECK_FALSE(r.preemption);
  CHECK(r.fit_error->postfilter_message ==
        "preemption: not eligible due to a terminating pod on the nominated node");
}

TEST_CASE("the room on a nominated node is kept for the preemptor from pods of lower priority") {
  Cluster c;
  c.Add(MakeNode("n1", "2"));
  c.Bind(MakePod("victim", "2", "", 1), "n1");
  Scheduler s({}, &c.cache);
  PodInfo preemptor = Info(MakePod("urgent", "2", "", 100));
  ScheduleResult r = s.Schedule(preemptor);
  REQUIRE(r.preemption);
  REQUIRE(r.preemption->nominated_node == "n1");
  preemptor.nominatedNodeName = "n1";
  s.nominated().Set(preemptor);

  // The victim is gone, the preemptor not yet placed: a lower-priority pod may not take its room...
  c.cache.RemovePod("uid-victim");
  ScheduleResult low = s.Schedule(Info(MakePod("low", "1", "", 50)));
  CHECK(low.node.empty());
  REQUIRE(low.fit_error);
  CHECK(low.fit_error->Message().find("Insufficient cpu") != std::string::npos);
  // ... a pod of higher priority may (the nominated pod is then the one to wait) ...
  CHECK(s.Schedule(Info(MakePod("higher", "1", "", 200))).node == "n1");
  // ... and the preemptor itself fits its own room.
  CHECK(s.Schedule(preemptor).node == "n1");

  // Once it is bound (or gone), the room is free again.
  s.nominated().Remove(preemptor.uid);
  CHECK(s.nominated().empty());
  CHECK(s.Schedule(Info(MakePod("low", "1", "", 50))).node == "n1");
}

TEST_CASE("nominations: one per pod, moved and cleared") {
  NominatedPods nominated;
  PodInfo pod = Info(MakePod("p"));
  pod.nominatedNodeName = "a";
  nominated.Set(pod);
  REQUIRE(nominated.On("a") != nullptr);
  CHECK(nominated.On("a")->size() == 1);
  pod.nominatedNodeName = "b";
  nominated.Set(pod);
  CHECK(nominated.On("a") == nullptr);
  REQUIRE(nominated.On("b") != nullptr);
  pod.nominatedNodeName.clear();
  nominated.Set(pod);
  CHECK(nominated.empty());
  CHECK(nominated.On("b") == nullptr);
}

namespace {

Pod WithAntiAffinity(Pod pod, Labels match, const std::string& topology_key = "kubernetes.io/hostname") {
  PodAffinityTerm term;
  term.labelSelector = LabelSelectorSpec{std::move(match), {}};
  term.topologyKey = topology_key;
  Affinity affinity;
  affinity.podAntiAffinity.emplace();
  affinity.podAntiAffinity->requiredDuringSchedulingIgnoredDuringExecution.push_back(term);
  pod.spec.affinity = affinity;
  return pod;
}

Pod WithZoneSpread(Pod pod, Labels match) {
  TopologySpreadConstraint spread;
  spread.maxSkew = 1;
  spread.topologyKey = "topology.kubernetes.io/zone";
  spread.whenUnsatisfiable = "DoNotSchedule";
  spread.labelSelector = LabelSelectorSpec{std::move(match), {}};
  pod.spec.topologySpreadConstraints.push_back(spread);
  return pod;
}

// Nodes a (zone-a, empty) and b (zone-b, half used by an unrelated pod): every score prefers a.
void AddZonedNodes(Cluster& c) {
  c.Add(MakeNode("a", "4", "8Gi", "110", {{"topology.kubernetes.io/zone", "zone-a"}}));
  c.Add(MakeNode("b", "4", "8Gi", "110", {{"topology.kubernetes.io/zone", "zone-b"}}));
  c.Bind(MakePod("filler", "2", "4Gi"), "b");
}

}  // namespace

TEST_CASE("a victim whose labels block the pod's anti-affinity is preempted") {
  Cluster c;
  c.Add(MakeNode("n1", "4"));
  c.Bind(MakePod("db", "1", "", 1, {{"app", "db"}}), "n1");
  ScheduleResult r = c.Schedule(WithAntiAffinity(MakePod("urgent", "1", "", 100), {{"app", "db"}}));
  REQUIRE(r.fit_error);
  CHECK(r.fit_error->Message() == "0/1 nodes are available: 1 node(s) didn't match pod anti-affinity rules.");
  REQUIRE(r.preemption);
  CHECK(r.preemption->nominated_node == "n1");
  CHECK(Names(r.preemption->victims) == std::vector<std::string>{"db"});
}

TEST_CASE("a victim whose own anti-affinity blocks the pod is preempted; a higher-priority one is not") {
  Cluster c;
  c.Add(MakeNode("n1", "4"));
  c.Add(MakeNode("n2", "4"));
  c.Bind(WithAntiAffinity(MakePod("loner", "1", "", 1), {{"app", "web"}}), "n1");
  c.Bind(WithAntiAffinity(MakePod("boss", "1", "", 500), {{"app", "web"}}), "n2");
  ScheduleResult r = c.Schedule(MakePod("web", "1", "", 100, {{"app", "web"}}));
  REQUIRE(r.fit_error);
  REQUIRE(r.preemption);
  CHECK(r.preemption->nominated_node == "n1");
  CHECK(Names(r.preemption->victims) == std::vector<std::string>{"loner"});
}

TEST_CASE("preemption restores the filters' counts between candidate nodes") {
  // Two nodes, each with a low-priority "db" pod; anti-affinity by zone puts both in one domain, so
  // neither node alone can help: removing n1's db leaves n2's, and the other way round. If the first
  // dry run left its removal in the counts, the second would wrongly find room.
  Cluster c;
  c.Add(MakeNode("n1", "4", "8Gi", "110", {{"topology.kubernetes.io/zone", "z"}}));
  c.Add(MakeNode("n2", "4", "8Gi", "110", {{"topology.kubernetes.io/zone", "z"}}));
  c.Bind(MakePod("db1", "1", "", 1, {{"app", "db"}}), "n1");
  c.Bind(MakePod("db2", "1", "", 1, {{"app", "db"}}), "n2");
  ScheduleResult r = c.Schedule(
      WithAntiAffinity(MakePod("urgent", "1", "", 100), {{"app", "db"}}, "topology.kubernetes.io/zone"));
  REQUIRE(r.fit_error);
  CHECK_FALSE(r.preemption.has_value());
}

TEST_CASE("nominated pods count in the inter-pod anti-affinity and spread of the pods filtered after them") {
  for (bool spread : {false, true}) {
    CAPTURE(spread);
    Cluster c;
    AddZonedNodes(c);
    Scheduler s({}, &c.cache);
    // A higher-priority pod of the same app, nominated to a (e.g. after a preemption there).
    PodInfo nominated = Info(MakePod("first", "1", "", 10, {{"app", "w"}}));
    nominated.nominatedNodeName = "a";
    s.nominated().Set(nominated);
    Pod pod = MakePod("second", "1", "", 0, {{"app", "w"}});
    pod = spread ? WithZoneSpread(pod, {{"app", "w"}}) : WithAntiAffinity(pod, {{"app", "w"}});
    // Without the nominated pod, a is the better node; with it, a would break the constraint.
    CHECK(c.Schedule(pod).node == "a");
    CHECK(s.Schedule(Info(pod)).node == "b");
    // Repeatedly: the counts are restored after each node, so b stays feasible.
    CHECK(s.Schedule(Info(pod)).node == "b");
    // A nominated pod of lower priority does not count.
    s.nominated().Remove(nominated.uid);
    nominated.priority = -1;
    s.nominated().Set(nominated);
    CHECK(s.Schedule(Info(pod)).node == "a");
  }
}
