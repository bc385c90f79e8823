// The order surplus pods are deleted in (Kubernetes' ActivePodsWithRanks with LogarithmicScaleDown),
// rule by rule, and the pod-deletion-cost annotation as Kubernetes reads it.
#include "src/core/controllers/controller_util.h"

#include <doctest/doctest.h>

#include <algorithm>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace orch::controllers {
namespace {

const absl::Time kNow = absl::FromUnixSeconds(1767225600);

// What the order looks at in a pod, with the values that keep it (each rule deletes it last).
struct Candidate {
  std::string uid = "uid-z";
  std::string node = "node-1";
  std::string phase = "Running";
  bool ready = true;
  std::optional<absl::Duration> ready_for = absl::Hours(1);  // nullopt: lastTransitionTime unset
  std::optional<std::string> cost = "100";
  int rank = 1;
  int32_t restarts = 0;
  std::optional<absl::Duration> age = absl::Hours(2);  // nullopt: creationTimestamp unset

  Pod ToPod() const {
    Pod pod;
    pod.metadata.name = uid;
    pod.metadata.uid = uid;
    if (age.has_value()) pod.metadata.creationTimestamp = Time{kNow - *age};
    if (cost.has_value()) pod.metadata.annotations["controller.kubernetes.io/pod-deletion-cost"] = *cost;
    pod.spec.nodeName = node;
    pod.status.phase = phase;
    PodCondition& condition = pod.status.EnsureCondition("Ready");
    condition.status = ready ? "True" : "False";
    if (ready_for.has_value()) condition.lastTransitionTime = Time{kNow - *ready_for};
    ContainerStatus container;
    container.name = "web";
    container.restartCount = restarts;
    pod.status.containerStatuses.push_back(container);
    return pod;
  }
};

bool Before(const Candidate& a, const Candidate& b) {
  return DeleteBefore(a.ToPod(), a.rank, b.ToPod(), b.rank, kNow);
}

// The rules in Kubernetes' order, each as the change that makes a kept pod go first by that rule.
struct Rule {
  const char* name;
  std::function<void(Candidate&)> delete_first;
};
const std::vector<Rule>& Rules() {
  static const std::vector<Rule> rules = {
      {"unassigned first", [](Candidate& c) { c.node = ""; }},
      {"Pending before Running", [](Candidate& c) { c.phase = "Pending"; }},
      {"not ready first", [](Candidate& c) { c.ready = false; }},
      {"lower pod-deletion-cost first", [](Candidate& c) { c.cost = "-100"; }},
      {"more related pods on the node first", [](Candidate& c) { c.rank = 5; }},
      {"ready for less time first", [](Candidate& c) { c.ready_for = absl::Seconds(1); }},
      {"more restarts first", [](Candidate& c) { c.restarts = 9; }},
      {"newer first", [](Candidate& c) { c.age = absl::Seconds(1); }},
      {"lower uid first", [](Candidate& c) { c.uid = "uid-a"; }},
  };
  return rules;
}

TEST_CASE("each rule decides the order when the rules before it tie, whatever the rules after it say") {
  for (size_t decisive = 0; decisive < Rules().size(); ++decisive) {
    CAPTURE(Rules()[decisive].name);
    // `first` wins by the decisive rule only; `second` wins by every rule after it.
    Candidate first, second;
    Rules()[decisive].delete_first(first);
    for (size_t later = decisive + 1; later < Rules().size(); ++later) Rules()[later].delete_first(second);
    CHECK(Before(first, second));
    CHECK_FALSE(Before(second, first));
  }
}

TEST_CASE("phases: Pending < Unknown < Running, and no phase counts as Pending") {
  auto in = [](const std::string& phase, const std::string& uid) {
    Candidate c;
    c.phase = phase;
    c.uid = uid;
    return c;
  };
  CHECK(Before(in("Pending", "uid-z"), in("Unknown", "uid-a")));
  CHECK(Before(in("Unknown", "uid-z"), in("Running", "uid-a")));
  CHECK(Before(in("", "uid-z"), in("Unknown", "uid-a")));
  // "" and Pending tie, so the uid decides.
  CHECK(Before(in("", "uid-a"), in("Pending", "uid-z")));
  CHECK(Before(in("Pending", "uid-a"), in("", "uid-z")));
}

TEST_CASE("ready times in one logarithmic bucket go by uid, before restarts and creation are looked at") {
  // 40 and 50 minutes are both in [2^41, 2^42) ns; 30 minutes is in the bucket below.
  Candidate longer, shorter;
  longer.ready_for = absl::Minutes(50);
  longer.uid = "uid-a";
  shorter.ready_for = absl::Minutes(40);
  shorter.restarts = 9;
  shorter.age = absl::Seconds(1);
  CHECK(Before(longer, shorter));
  CHECK_FALSE(Before(shorter, longer));
  shorter.ready_for = absl::Minutes(30);
  CHECK(Before(shorter, longer));

  // Equal ready times are no tie of buckets: restarts decide.
  shorter.ready_for = absl::Minutes(50);
  CHECK(Before(shorter, longer));
}

TEST_CASE("creation times in one logarithmic bucket go by uid") {
  Candidate older, newer;
  older.age = absl::Minutes(50);
  older.uid = "uid-a";
  newer.age = absl::Minutes(40);
  CHECK(Before(older, newer));
  newer.age = absl::Minutes(30);
  CHECK(Before(newer, older));
}

TEST_CASE("an unset ready or creation time counts as the newest") {
  Candidate unset, recent;
  unset.ready_for = std::nullopt;
  recent.ready_for = absl::Seconds(1);
  recent.uid = "uid-a";
  CHECK(Before(unset, recent));
  CHECK_FALSE(Before(recent, unset));

  unset.ready_for = recent.ready_for;
  unset.age = std::nullopt;
  recent.age = absl::Seconds(1);
  CHECK(Before(unset, recent));
  CHECK_FALSE(Before(recent, unset));
}

TEST_CASE("pod-deletion-cost: a plain decimal int32, anything else counts as 0") {
  auto cost_of = [](const std::string& text) {
    Candidate c;
    c.cost = text;
    return PodDeletionCost(c.ToPod());
  };
  CHECK(cost_of("5") == 5);
  CHECK(cost_of("-5") == -5);
  CHECK(cost_of("0") == 0);
  CHECK(cost_of("-05") == -5);  // strconv.ParseInt takes it, and the first character is "-"
  CHECK(cost_of("2147483647") == 2147483647);
  CHECK(cost_of("-2147483648") == -2147483647 - 1);
  for (const std::string text :
       {"+5", "05", "00", " 5", "5 ", "", "-", "1e3", "abc", "2147483648", "-2147483649"}) {
    CAPTURE(text);
    CHECK(cost_of(text) == 0);
  }
  Candidate none;
  none.cost = std::nullopt;
  CHECK(PodDeletionCost(none.ToPod()) == 0);
}

ObjectPtr Stored(const Pod& pod) {
  auto stored = std::make_shared<StoredObject>();
  stored->object = ToObject(pod);
  return stored;
}

std::vector<std::string> SortedNames(std::vector<Pod> pods, const std::vector<ObjectPtr>& related) {
  SortPodsForDeletion(&pods, related, kNow);
  std::vector<std::string> names;
  for (const Pod& pod : pods) names.push_back(pod.metadata.name);
  return names;
}

TEST_CASE("a pod's rank is the number of active related pods on its node") {
  auto on = [](const std::string& uid, const std::string& node) {
    Candidate c;
    c.uid = uid;
    c.node = node;
    return c.ToPod();
  };
  const Pod a = on("uid-a", "node-a"), b = on("uid-b", "node-b");
  // Without related pods every rank is 0 and the uid decides.
  CHECK(SortedNames({b, a}, {}) == std::vector<std::string>{"uid-a", "uid-b"});

  Pod deleting = on("uid-d", "node-a");
  deleting.metadata.deletionTimestamp = Time{kNow};
  Pod succeeded = on("uid-s", "node-a");
  succeeded.status.phase = "Succeeded";
  // node-a has a and two inactive pods, node-b has b and one more: b goes first.
  const std::vector<ObjectPtr> related = {Stored(a),        Stored(b),         Stored(on("uid-c", "node-b")),
                                          Stored(deleting), Stored(succeeded), Stored(on("uid-u", ""))};
  CHECK(SortedNames({a, b}, related) == std::vector<std::string>{"uid-b", "uid-a"});
}

TEST_CASE("pods whose order forms a cycle still sort, to a permutation") {
  // x and y were ready at the same time, so restarts put x first; z is in their bucket at another
  // time, so uids put y before z and z before x.
  Candidate x, y, z;
  x.uid = "uid-3";
  x.restarts = 5;
  x.ready_for = absl::Minutes(50);
  y.uid = "uid-1";
  y.ready_for = absl::Minutes(50);
  z.uid = "uid-2";
  z.ready_for = absl::Minutes(40);
  REQUIRE(Before(x, y));
  REQUIRE(Before(y, z));
  REQUIRE(Before(z, x));
  std::vector<Pod> pods;
  for (int i = 0; i < 30; ++i) {
    for (const Candidate* c : {&x, &y, &z}) pods.push_back(c->ToPod());
  }
  SortPodsForDeletion(&pods, {}, kNow);
  CHECK(pods.size() == 90);
  for (const std::string uid : {"uid-1", "uid-2", "uid-3"}) {
    CHECK(std::count_if(pods.begin(), pods.end(), [&](const Pod& p) { return p.metadata.uid == uid; }) == 30);
  }
}

}  // namespace
}  // namespace orch::controllers
