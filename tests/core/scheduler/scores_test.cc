// The built-in scores, node selection and ties, percentageOfNodesToScore, an application's score.
#include <doctest/doctest.h>

#include <set>

#include "core/scheduler/scheduler_test_util.h"
#include "src/core/scheduler/plugins.h"

using namespace orch;
using namespace orch::scheduler;
using namespace orch::scheduler::testing;

namespace {

// Only the named built-in score counts (weights of the others set to 0).
SchedulerProfile Only(const std::string& plugin) {
  SchedulerProfile p;
  p.weight_taint_toleration = plugin == "TaintToleration" ? 1 : 0;
  p.weight_node_affinity = plugin == "NodeAffinity" ? 1 : 0;
  p.weight_pod_topology_spread = plugin == "PodTopologySpread" ? 1 : 0;
  p.weight_inter_pod_affinity = plugin == "InterPodAffinity" ? 1 : 0;
  p.weight_node_resources_fit = plugin == "NodeResourcesFit" ? 1 : 0;
  p.weight_balanced_allocation = plugin == "Balanced" ? 1 : 0;
  return p;
}

std::vector<int64_t> Normalized(ScorePlugin& plugin, const PodInfo& pod, const SchedulerCache& cache) {
  std::vector<NodeScore> scores;
  plugin.PreScore(pod, cache.Nodes(), cache);
  for (const NodeInfo* n : cache.Nodes()) scores.push_back(NodeScore{n, plugin.Score(pod, *n, cache)});
  plugin.NormalizeScores(pod, absl::MakeSpan(scores));
  std::vector<int64_t> out;
  for (const NodeScore& s : scores) out.push_back(s.score);
  return out;
}

}  // namespace

TEST_CASE("the default profile scores with kube-scheduler's plugins and weights, but ImageLocality") {
  Cluster c;
  Scheduler s({}, &c.cache);
  // ImageLocality would score every node the same until nodes report their images: not run.
  const std::vector<std::pair<std::string, int64_t>> expected = {
      {"TaintToleration", 3},  {"NodeAffinity", 2},     {"PodTopologySpread", 2},
      {"InterPodAffinity", 2}, {"NodeResourcesFit", 1}, {"NodeResourcesBalancedAllocation", 1}};
  CHECK(s.Scores() == expected);
}

TEST_CASE("NodeResourcesFit scores: LeastAllocated spreads, MostAllocated packs") {
  Cluster c;
  c.Add(MakeNode("empty"));
  c.Add(MakeNode("busy"));
  c.Bind(MakePod("x", "2", "4Gi"), "busy");
  PodInfo pod = Info(MakePod("p", "1", "2Gi"));
  NodeResourcesFit least(ScoringStrategy::kLeastAllocated);
  NodeResourcesFit most(ScoringStrategy::kMostAllocated);
  CHECK(least.Score(pod, *c.cache.GetNode("empty"), c.cache) == 75);
  CHECK(least.Score(pod, *c.cache.GetNode("busy"), c.cache) == 25);
  CHECK(most.Score(pod, *c.cache.GetNode("empty"), c.cache) == 25);
  CHECK(most.Score(pod, *c.cache.GetNode("busy"), c.cache) == 75);
  CHECK(c.Schedule(MakePod("p", "1", "2Gi"), Only("NodeResourcesFit")).node == "empty");
  SchedulerProfile pack = Only("NodeResourcesFit");
  pack.scoring_strategy = ScoringStrategy::kMostAllocated;
  CHECK(c.Schedule(MakePod("p", "1", "2Gi"), pack).node == "busy");
  // A pod without requests is scored as 100m / 200Mi.
  CHECK(least.Score(Info(MakePod("none")), *c.cache.GetNode("empty"), c.cache) == (97 + 97) / 2);
}

TEST_CASE("NodeResourcesBalancedAllocation prefers even cpu and memory use") {
  Cluster c;
  c.Add(MakeNode("n"));
  BalancedAllocation plugin;
  CHECK(plugin.Score(Info(MakePod("p", "1", "4Gi")), *c.cache.GetNode("n"), c.cache) == 87);
  CHECK(plugin.Score(Info(MakePod("p", "2", "4Gi")), *c.cache.GetNode("n"), c.cache) == 100);
}

TEST_CASE("NodeAffinity preferred terms: sum of matching weights, normalized by the best") {
  Cluster c;
  c.Add(MakeNode("a", "4", "8Gi", "110", {{"zone", "z1"}, {"ssd", "true"}}));
  c.Add(MakeNode("b", "4", "8Gi", "110", {{"zone", "z2"}}));
  c.Add(MakeNode("c"));
  Pod pod = MakePod("p");
  NodeAffinity na;
  NodeSelectorTerm zone;
  zone.matchExpressions.push_back({"zone", "Exists", {}, {}});
  NodeSelectorTerm ssd;
  ssd.matchExpressions.push_back({"ssd", "In", {"true"}, {}});
  na.preferredDuringSchedulingIgnoredDuringExecution = {{5, zone, {}}, {15, ssd, {}}};
  pod.spec.affinity = Affinity{na, std::nullopt, std::nullopt, {}};
  NodeAffinityPlugin plugin;
  CHECK(Normalized(plugin, Info(pod), c.cache) == std::vector<int64_t>{100, 25, 0});
  CHECK(c.Schedule(pod, Only("NodeAffinity")).node == "a");
}

TEST_CASE("TaintToleration score: fewer intolerable PreferNoSchedule taints is better") {
  Cluster c;
  Node two = WithTaint(WithTaint(MakeNode("two"), "a", "", "PreferNoSchedule"), "b", "", "PreferNoSchedule");
  c.Add(two);
  c.Add(WithTaint(MakeNode("one"), "a", "", "PreferNoSchedule"));
  c.Add(MakeNode("none"));
  TaintToleration plugin;
  CHECK(Normalized(plugin, Info(MakePod("p")), c.cache) == std::vector<int64_t>{0, 50, 100});
  Pod tolerant = MakePod("t");
  tolerant.spec.tolerations.push_back(Toleration{"a", "Exists", "", "PreferNoSchedule", {}, {}});
  tolerant.spec.tolerations.push_back(Toleration{"b", "Exists", "", "NoSchedule", {}, {}});  // wrong effect
  CHECK(Normalized(plugin, Info(tolerant), c.cache) == std::vector<int64_t>{0, 100, 100});
  CHECK(c.Schedule(MakePod("p"), Only("TaintToleration")).node == "none");
  CHECK(plugin.PreScore(Info(MakePod("p")), c.cache.Nodes(), c.cache) == ScoreCode::kScore);
  // Without any PreferNoSchedule taint every node would score 100: the plugin is skipped.
  Cluster untainted;
  untainted.Add(WithTaint(MakeNode("hard"), "a", "", "NoSchedule"));
  untainted.Add(MakeNode("plain"));
  CHECK(plugin.PreScore(Info(MakePod("p")), untainted.cache.Nodes(), untainted.cache) == ScoreCode::kSkip);
  CHECK(Normalized(plugin, Info(MakePod("p")), untainted.cache) == std::vector<int64_t>{100, 100});
}

TEST_CASE("InterPodAffinity score: preferred affinity and anti-affinity by topology, min-max normalized") {
  Cluster c;
  c.Add(MakeNode("a", "4", "8Gi", "110", {{"zone", "z1"}}));
  c.Add(MakeNode("b", "4", "8Gi", "110", {{"zone", "z2"}}));
  c.Add(MakeNode("c", "4", "8Gi", "110", {{"zone", "z3"}}));
  c.Bind(MakePod("cache", "", "", 0, {{"app", "cache"}}), "a");
  c.Bind(MakePod("noisy", "", "", 0, {{"app", "batch"}}), "b");
  Pod pod = MakePod("web");
  PodAffinityTerm near;
  near.labelSelector = LabelSelectorSpec{{{"app", "cache"}}, {}};
  near.topologyKey = "zone";
  PodAffinityTerm away;
  away.labelSelector = LabelSelectorSpec{{{"app", "batch"}}, {}};
  away.topologyKey = "zone";
  pod.spec.affinity = Affinity{};
  pod.spec.affinity->podAffinity = PodAffinity{{}, {{10, near, {}}}, {}};
  pod.spec.affinity->podAntiAffinity = PodAntiAffinity{{}, {{10, away, {}}}, {}};
  InterPodAffinity plugin(1);
  // Raw: a +10, b -10, c 0.
  CHECK(Normalized(plugin, Info(pod), c.cache) == std::vector<int64_t>{100, 0, 50});
  CHECK(c.Schedule(pod, Only("InterPodAffinity")).node == "a");

  // Existing pods' preferred anti-affinity counts against the incoming pod too.
  Cluster d;
  d.Add(MakeNode("a"));
  d.Add(MakeNode("b"));
  Pod shy = MakePod("shy");
  PodAffinityTerm avoid_web;
  avoid_web.labelSelector = LabelSelectorSpec{{{"app", "web"}}, {}};
  avoid_web.topologyKey = "kubernetes.io/hostname";
  shy.spec.affinity = Affinity{};
  shy.spec.affinity->podAntiAffinity = PodAntiAffinity{{}, {{50, avoid_web, {}}}, {}};
  d.Bind(shy, "a");
  CHECK(d.Schedule(MakePod("w", "", "", 0, {{"app", "web"}}), Only("InterPodAffinity")).node == "b");
}

TEST_CASE("PodTopologySpread score: ScheduleAnyway prefers the domain with fewer matching pods") {
  Cluster c;
  c.Add(MakeNode("a", "4", "8Gi", "110", {{"zone", "z1"}}));
  c.Add(MakeNode("b", "4", "8Gi", "110", {{"zone", "z2"}}));
  c.Add(MakeNode("nozone"));
  Labels web{{"app", "web"}};
  c.Bind(MakePod("w1", "", "", 0, web), "a");
  c.Bind(MakePod("w2", "", "", 0, web), "a");
  c.Bind(MakePod("w3", "", "", 0, web), "b");
  Pod pod = MakePod("w4", "", "", 0, web);
  TopologySpreadConstraint tsc;
  tsc.maxSkew = 1;
  tsc.topologyKey = "zone";
  tsc.whenUnsatisfiable = "ScheduleAnyway";
  tsc.labelSelector = LabelSelectorSpec{web, {}};
  pod.spec.topologySpreadConstraints.push_back(tsc);
  PodTopologySpread plugin;
  std::vector<int64_t> scores = Normalized(plugin, Info(pod), c.cache);
  CHECK(scores[1] == 100);
  CHECK(scores[0] < scores[1]);
  CHECK(scores[2] == 0);  // lacks the key
  CHECK(c.Schedule(pod, Only("PodTopologySpread")).node == "b");
}

TEST_CASE("ties are broken by a seeded choice: repeatable, and spread over the tied nodes") {
  Cluster c;
  for (int i = 0; i < 10; ++i) c.Add(MakeNode("n" + std::to_string(i)));
  auto picks = [&](uint64_t seed) {
    SchedulerProfile p;
    p.tie_break_seed = seed;
    Scheduler s(p, &c.cache);
    std::vector<std::string> out;
    for (int i = 0; i < 20; ++i) out.push_back(s.Schedule(Info(MakePod("p"))).node);
    return out;
  };
  CHECK(picks(7) == picks(7));
  std::vector<std::string> seven = picks(7);
  CHECK(std::set<std::string>(seven.begin(), seven.end()).size() > 3);
}

TEST_CASE("percentageOfNodesToScore: Kubernetes' adaptive default") {
  CHECK(NumFeasibleNodesToFind(0, 50) == 50);
  CHECK(NumFeasibleNodesToFind(0, 150) == 100);
  CHECK(NumFeasibleNodesToFind(0, 1000) == 420);
  CHECK(NumFeasibleNodesToFind(0, 5000) == 500);
  CHECK(NumFeasibleNodesToFind(0, 100000) == 5000);
  CHECK(NumFeasibleNodesToFind(10, 5000) == 500);
  CHECK(NumFeasibleNodesToFind(1, 5000) == 100);
  CHECK(NumFeasibleNodesToFind(100, 5000) == 5000);
}

namespace {

// Records the nodes it is asked about, in order.
class Recorder final : public FilterPlugin {
 public:
  absl::string_view Name() const override { return "Recorder"; }
  FilterStatus Filter(const PodInfo&, const NodeInfo& node, const ClusterSnapshot&) const override {
    seen.push_back(node.name());
    return FilterStatus::Success();
  }
  mutable std::vector<std::string> seen;
};

// Prefers nodes by a number in their "rank" label.
class RankScore final : public ScorePlugin {
 public:
  absl::string_view Name() const override { return "Rank"; }
  int64_t Score(const PodInfo&, const NodeInfo& node, const ClusterSnapshot&) const override {
    return Rank(node);
  }
  // The number in the node's "rank" label, 0 without one.
  static int64_t Rank(const NodeInfo& node) {
    auto it = node.labels().find("rank");
    return it == node.labels().end() ? 0 : std::stoll(it->second);
  }
};

}  // namespace

TEST_CASE("only a sample of nodes is filtered, from a rotating start") {
  Cluster c;
  for (int i = 0; i < 1000; ++i) c.Add(MakeNode("n" + std::to_string(i)));
  auto recorder = std::make_shared<Recorder>();
  SchedulerProfile p;
  p.extra_filters.push_back(recorder);
  Scheduler s(p, &c.cache);
  ScheduleResult first = s.Schedule(Info(MakePod("a")));
  CHECK(first.evaluated_nodes == 420);
  CHECK(first.feasible_nodes == 420);
  REQUIRE(recorder->seen.size() == 420);
  CHECK(recorder->seen.front() == "n0");
  recorder->seen.clear();
  s.Schedule(Info(MakePod("b")));
  CHECK(recorder->seen.front() == "n420");
  recorder->seen.clear();
  s.Schedule(Info(MakePod("c")));
  CHECK(recorder->seen.front() == "n840");
  CHECK(recorder->seen.back() == "n259");  // wrapped around
}

TEST_CASE("an application's score plugin, weighted") {
  Cluster c;
  c.Add(MakeNode("low", "4", "8Gi", "110", {{"rank", "10"}}));
  c.Add(MakeNode("high", "4", "8Gi", "110", {{"rank", "90"}}));
  c.Bind(MakePod("x", "3", "6Gi"), "high");  // LeastAllocated alone would pick "low"
  SchedulerProfile p;
  CHECK(c.Schedule(MakePod("p", "100m"), p).node == "low");
  p.extra_scores.push_back({std::make_shared<RankScore>(), 10});
  CHECK(c.Schedule(MakePod("p", "100m"), p).node == "high");
}

namespace {

// Skips itself for pods without the "checked" label; for others, rejects nodes labelled "bad".
class SkippingFilter final : public FilterPlugin {
 public:
  absl::string_view Name() const override { return "Skipping"; }
  FilterStatus PreFilter(const PodInfo& pod, const ClusterSnapshot&) override {
    return pod.GetLabels().contains("checked") ? FilterStatus::Success() : FilterStatus::Skip();
  }
  FilterStatus Filter(const PodInfo&, const NodeInfo& node, const ClusterSnapshot&) const override {
    ++calls;
    return node.labels().contains("bad") ? FilterStatus::Unresolvable("node(s) were bad")
                                         : FilterStatus::Success();
  }
  mutable int calls = 0;
};

// Skips itself unless asked to score; then prefers nodes by their "rank" label.
class SkippingScore final : public ScorePlugin {
 public:
  absl::string_view Name() const override { return "SkippingRank"; }
  ScoreCode PreScore(const PodInfo& pod, absl::Span<const NodeInfo* const>, const ClusterSnapshot&) override {
    return pod.GetLabels().contains("ranked") ? ScoreCode::kScore : ScoreCode::kSkip;
  }
  int64_t Score(const PodInfo&, const NodeInfo& node, const ClusterSnapshot&) const override {
    ++calls;
    return RankScore::Rank(node);
  }
  mutable int calls = 0;
};

}  // namespace

TEST_CASE("a filter that skips in PreFilter is not asked about any node") {
  Cluster c;
  c.Add(MakeNode("good"));
  c.Add(MakeNode("bad", "4", "8Gi", "110", {{"bad", "true"}}));
  auto filter = std::make_shared<SkippingFilter>();
  SchedulerProfile p;
  p.extra_filters.push_back(filter);
  Scheduler s(p, &c.cache);
  ScheduleResult skipped = s.Schedule(Info(MakePod("a")));
  CHECK(skipped.feasible_nodes == 2);
  CHECK(filter->calls == 0);
  Pod checked = MakePod("b");
  checked.metadata.labels["checked"] = "yes";
  ScheduleResult filtered = s.Schedule(Info(checked));
  CHECK(filtered.feasible_nodes == 1);
  CHECK(filtered.node == "good");
  CHECK(filter->calls == 2);
}

TEST_CASE("a score plugin that skips in PreScore adds nothing to any node") {
  Cluster c;
  c.Add(MakeNode("low", "4", "8Gi", "110", {{"rank", "10"}}));
  c.Add(MakeNode("high", "4", "8Gi", "110", {{"rank", "90"}}));
  c.Bind(MakePod("x", "3", "6Gi"), "high");  // LeastAllocated alone picks "low"
  auto score = std::make_shared<SkippingScore>();
  SchedulerProfile p;
  p.extra_scores.push_back({score, 10});
  CHECK(c.Schedule(MakePod("p", "100m"), p).node == "low");
  CHECK(score->calls == 0);
  Pod ranked = MakePod("q", "100m");
  ranked.metadata.labels["ranked"] = "yes";
  CHECK(c.Schedule(ranked, p).node == "high");
  CHECK(score->calls == 2);
}

TEST_CASE("the built-in plugins skip what a plain pod does not ask for") {
  Cluster c;
  c.Add(MakeNode("n1"));
  Scheduler s({}, &c.cache);
  PodInfo plain = Info(MakePod("a"));
  NodeName node_name;
  NodeAffinityPlugin node_affinity;
  NodePorts node_ports;
  PodTopologySpread spread;
  InterPodAffinity inter_pod(1);
  CHECK(node_name.PreFilter(plain, c.cache).code == FilterCode::kSkip);
  CHECK(node_affinity.PreFilter(plain, c.cache).code == FilterCode::kSkip);
  CHECK(node_ports.PreFilter(plain, c.cache).code == FilterCode::kSkip);
  CHECK(spread.PreFilter(plain, c.cache).code == FilterCode::kSkip);
  CHECK(inter_pod.PreFilter(plain, c.cache).code == FilterCode::kSkip);
  CHECK(node_affinity.PreScore(plain, c.cache.Nodes(), c.cache) == ScoreCode::kSkip);
  CHECK(spread.PreScore(plain, c.cache.Nodes(), c.cache) == ScoreCode::kSkip);
  CHECK(inter_pod.PreScore(plain, c.cache.Nodes(), c.cache) == ScoreCode::kSkip);

  Pod selective = MakePod("b");
  selective.spec.nodeSelector = {{"disk", "ssd"}};
  selective.spec.nodeName = "n1";
  ContainerPort port;
  port.containerPort = 80;
  port.hostPort = 8080;
  selective.spec.containers[0].ports.push_back(port);
  PodInfo info = Info(selective);
  CHECK(node_name.PreFilter(info, c.cache).ok());
  CHECK(node_affinity.PreFilter(info, c.cache).ok());
  CHECK(node_ports.PreFilter(info, c.cache).ok());
}
