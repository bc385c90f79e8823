// The Deployment controller, with the ReplicaSet controller, under the manual loop: rolling updates
// step by step, Recreate, rollback, pause and resume, the progress deadline, history cleanup and
// the messages of `kubectl rollout status`.
#include <doctest/doctest.h>

#include <utility>

#include "core/controllers/apps_test_util.h"
#include "orch/ops.h"

namespace orch {
namespace {

using testing::AppsFixture;

struct DeployFixture : AppsFixture {
  DeployFixture() {
    REQUIRE(manager->Add(NewReplicaSetController()).ok());
    REQUIRE(manager->Add(NewDeploymentController()).ok());
  }

  static Deployment Make(const std::string& name, int32_t replicas, const std::string& image = "nginx:1.0") {
    Deployment d;
    d.metadata.name = name;
    d.spec.replicas = replicas;
    d.spec.selector = LabelSelectorSpec{{{"app", name}}, {}};
    d.spec.template_ = Template({{"app", name}}, image);
    return d;
  }
  static Deployment Rolling(Deployment d, IntOrString surge, IntOrString unavailable) {
    d.spec.strategy.type = "RollingUpdate";
    d.spec.strategy.rollingUpdate = RollingUpdateDeployment{unavailable, surge, {}};
    return d;
  }
  Deployment Create(const Deployment& d) {
    absl::StatusOr<Deployment> created = orch::Create(*client, d);
    INFO(created.status().ToString());
    REQUIRE(created.ok());
    return *created;
  }
  Deployment Get(const std::string& name = "web") {
    absl::StatusOr<Deployment> d = orch::Get<Deployment>(*client, "default", name);
    REQUIRE(d.ok());
    return *d;
  }
  void Change(const std::function<void(Deployment&)>& change, const std::string& name = "web") {
    Deployment d = Get(name);
    change(d);
    absl::StatusOr<Deployment> updated = orch::Update(*client, d);
    INFO(updated.status().ToString());
    REQUIRE(updated.ok());
  }
  void SetImage(const std::string& image) {
    Change([&](Deployment& d) { d.spec.template_.spec.containers[0].image = image; });
  }
  // The deployment's ReplicaSets, oldest first.
  std::vector<ReplicaSet> Sets(const std::string& name = "web") {
    const std::string uid = Get(name).metadata.uid;
    absl::StatusOr<TypedList<ReplicaSet>> all = orch::List<ReplicaSet>(*client, "default");
    REQUIRE(all.ok());
    std::vector<ReplicaSet> owned;
    for (ReplicaSet& rs : all->items) {
      const OwnerReference* ref = rs.metadata.ControllerRef();
      if (ref != nullptr && ref->uid == uid) owned.push_back(rs);
    }
    std::sort(owned.begin(), owned.end(), [](const ReplicaSet& a, const ReplicaSet& b) {
      if (a.metadata.creationTimestamp != b.metadata.creationTimestamp) {
        return a.metadata.creationTimestamp.value < b.metadata.creationTimestamp.value;
      }
      return a.metadata.name < b.metadata.name;
    });
    return owned;
  }
  ReplicaSet SetWithImage(const std::string& image, const std::string& name = "web") {
    for (ReplicaSet& rs : Sets(name)) {
      if (rs.spec.template_.spec.containers[0].image == image) return rs;
    }
    FAIL("no ReplicaSet runs " << image);
    return {};
  }
  int32_t ReplicasOf(const std::string& image) {
    for (ReplicaSet& rs : Sets()) {
      if (rs.spec.template_.spec.containers[0].image == image) return rs.spec.replicas.value_or(1);
    }
    return -1;
  }
  std::pair<int32_t, int32_t> Pair(const std::string& new_image, const std::string& old_image) {
    return {ReplicasOf(new_image), ReplicasOf(old_image)};
  }
  // A node agent's round: every pod of `image`'s ReplicaSet becomes ready, then the controllers run.
  void ReadyRound(const std::string& image) {
    loop.RunUntilIdle();
    MarkAllReady(SetWithImage(image).metadata.uid);
    loop.RunUntilIdle();
  }
  std::string Status(const std::string& name = "web") {
    absl::StatusOr<std::string> status = RolloutStatus(Get(name));
    return status.ok() ? *status : status.status().ToString();
  }
  const DeploymentCondition* Condition(const Deployment& d, const std::string& type) {
    for (const DeploymentCondition& c : d.status.conditions) {
      if (c.type == type) return &c;
    }
    return nullptr;
  }
  std::string Annotation(const ObjectMeta& meta, const std::string& key) {
    auto it = meta.annotations.find(key);
    return it == meta.annotations.end() ? "" : it->second;
  }
};

constexpr char kRevision[] = "deployment.kubernetes.io/revision";

TEST_CASE("a new deployment makes one ReplicaSet named by its template hash, and rolls out") {
  DeployFixture f;
  Deployment d = f.Create(f.Make("web", 3));
  f.loop.RunUntilIdle();
  std::vector<ReplicaSet> sets = f.Sets();
  REQUIRE(sets.size() == 1);
  const ReplicaSet& rs = sets[0];
  const std::string hash = rs.metadata.labels.at("pod-template-hash");
  CHECK(hash.size() >= 6);
  CHECK(hash.find_first_not_of("bcdfghjklmnpqrstvwxz2456789") == std::string::npos);
  CHECK(rs.metadata.name == "web-" + hash);
  CHECK(rs.spec.selector->matchLabels == Labels{{"app", "web"}, {"pod-template-hash", hash}});
  CHECK(rs.spec.template_.metadata.labels == Labels{{"app", "web"}, {"pod-template-hash", hash}});
  CHECK(rs.spec.replicas == 3);
  CHECK(f.Annotation(rs.metadata, kRevision) == "1");
  CHECK(f.Annotation(rs.metadata, "deployment.kubernetes.io/desired-replicas") == "3");
  CHECK(f.Annotation(rs.metadata, "deployment.kubernetes.io/max-replicas") == "4");
  CHECK(rs.metadata.ownerReferences.at(0).kind == "Deployment");
  CHECK(f.Annotation(f.Get().metadata, kRevision) == "1");
  CHECK(f.PodsOwnedBy(rs.metadata.uid).size() == 3);
  CHECK(f.EventsAbout("web") ==
        std::vector<std::string>{"ScalingReplicaSet: Scaled up replica set " + rs.metadata.name + " to 3"});
  CHECK(f.Status() ==
        "Waiting for deployment \"web\" rollout to finish: 0 of 3 updated replicas are available...");

  Deployment got = f.Get();
  CHECK(got.status.replicas == 3);
  CHECK(got.status.updatedReplicas == 3);
  CHECK(got.status.unavailableReplicas == 3);
  REQUIRE(f.Condition(got, "Available") != nullptr);
  CHECK(f.Condition(got, "Available")->reason == "MinimumReplicasUnavailable");
  CHECK(f.Condition(got, "Progressing")->reason == "ReplicaSetUpdated");

  f.ReadyRound("nginx:1.0");
  got = f.Get();
  CHECK(got.status.availableReplicas == 3);
  CHECK(got.status.readyReplicas == 3);
  CHECK(got.status.unavailableReplicas == 0);
  CHECK(got.status.observedGeneration == got.metadata.generation);
  CHECK(f.Condition(got, "Available")->status == "True");
  CHECK(f.Condition(got, "Available")->reason == "MinimumReplicasAvailable");
  CHECK(f.Condition(got, "Progressing")->status == "True");
  CHECK(f.Condition(got, "Progressing")->reason == "NewReplicaSetAvailable");
  CHECK(f.Condition(got, "Progressing")->message ==
        "ReplicaSet \"" + rs.metadata.name + "\" has successfully progressed.");
  CHECK(f.Status() == "deployment \"web\" successfully rolled out");

  // Same template, same hash: a second deployment with it gets the same suffix.
  Deployment twin = f.Make("twin", 1);
  twin.spec.template_ = f.Make("web", 1).spec.template_;
  twin.spec.selector = f.Make("web", 1).spec.selector;
  f.Create(twin);
  f.loop.RunUntilIdle();
  REQUIRE(f.Sets("twin").size() == 1);
  CHECK(f.Sets("twin")[0].metadata.name == "twin-" + hash);
}

TEST_CASE("rolling update with maxSurge=1, maxUnavailable=0 on 4 replicas, step by step") {
  DeployFixture f;
  f.Create(f.Rolling(f.Make("web", 4), IntOrString::FromInt(1), IntOrString::FromInt(0)));
  f.loop.RunUntilIdle();
  f.ReadyRound("nginx:1.0");
  REQUIRE(f.Status() == "deployment \"web\" successfully rolled out");
  const std::string old_name = f.SetWithImage("nginx:1.0").metadata.name;

  f.SetImage("nginx:2.0");
  f.loop.RunUntilIdle();
  using P = std::pair<int32_t, int32_t>;
  CHECK(f.Pair("nginx:2.0", "nginx:1.0") == P{1, 4});
  CHECK(f.Status() ==
        "Waiting for deployment \"web\" rollout to finish: 1 out of 4 new replicas have been updated...");
  const std::vector<P> expected = {{2, 3}, {3, 2}, {4, 1}, {4, 0}};
  const std::vector<std::string> messages = {
      "Waiting for deployment \"web\" rollout to finish: 2 out of 4 new replicas have been updated...",
      "Waiting for deployment \"web\" rollout to finish: 3 out of 4 new replicas have been updated...",
      "Waiting for deployment \"web\" rollout to finish: 1 old replicas are pending termination...",
      "deployment \"web\" successfully rolled out"};
  for (size_t i = 0; i < expected.size(); ++i) {
    f.ReadyRound("nginx:2.0");
    CHECK(f.Pair("nginx:2.0", "nginx:1.0") == expected[i]);
    CHECK(f.Status() == messages[i]);
  }
  const ReplicaSet new_rs = f.SetWithImage("nginx:2.0");
  CHECK(f.Annotation(new_rs.metadata, kRevision) == "2");
  CHECK(f.Annotation(f.Get().metadata, kRevision) == "2");
  std::vector<std::string> events = f.EventsAbout("web");
  CHECK(std::find(events.begin(), events.end(),
                  "ScalingReplicaSet: Scaled down replica set " + old_name + " to 3 from 4") != events.end());
  CHECK(std::find(events.begin(), events.end(),
                  "ScalingReplicaSet: Scaled up replica set " + new_rs.metadata.name + " to 2 from 1") !=
        events.end());
  // Never fewer than 4 available pods, never more than 5 pods.
  Deployment got = f.Get();
  CHECK(got.status.replicas == 4);
  CHECK(got.status.availableReplicas == 4);
}

TEST_CASE("a rolling update scales away first the old pod that shares a node with new pods") {
  DeployFixture f;
  f.Create(f.Rolling(f.Make("web", 2), IntOrString::FromInt(1), IntOrString::FromInt(0)));
  f.loop.RunUntilIdle();
  const std::string old_uid = f.SetWithImage("nginx:1.0").metadata.uid;
  std::vector<Pod> old_pods = f.PodsOwnedBy(old_uid);
  REQUIRE(old_pods.size() == 2);
  const Pod& crowded = old_pods[0];
  const Pod& alone = old_pods[1];
  REQUIRE(f.client->BindPod("default", crowded.metadata.name, "", "node-b").ok());
  REQUIRE(f.client->BindPod("default", alone.metadata.name, "", "node-a").ok());
  // By restarts alone, `alone` would go first.
  f.SetPodStatus(crowded.metadata.name, true);
  f.SetPodStatus(alone.metadata.name, true, "Running", 3);
  f.loop.RunUntilIdle();

  f.SetImage("nginx:2.0");
  f.loop.RunUntilIdle();
  std::vector<Pod> new_pods = f.PodsOwnedBy(f.SetWithImage("nginx:2.0").metadata.uid);
  REQUIRE(new_pods.size() == 1);
  REQUIRE(f.client->BindPod("default", new_pods[0].metadata.name, "", "node-b").ok());
  f.MarkReady(new_pods[0].metadata.name);
  f.loop.RunUntilIdle();
  CHECK(f.Pair("nginx:2.0", "nginx:1.0") == std::pair<int32_t, int32_t>{2, 1});
  std::vector<Pod> left = f.PodsOwnedBy(old_uid);
  REQUIRE(left.size() == 1);
  CHECK(left[0].metadata.name == alone.metadata.name);
}

TEST_CASE("rolling update with maxSurge=0, maxUnavailable=1 scales down first") {
  DeployFixture f;
  f.Create(f.Rolling(f.Make("web", 4), IntOrString::FromInt(0), IntOrString::FromInt(1)));
  f.loop.RunUntilIdle();
  f.ReadyRound("nginx:1.0");
  f.SetImage("nginx:2.0");
  f.loop.RunUntilIdle();
  using P = std::pair<int32_t, int32_t>;
  CHECK(f.Pair("nginx:2.0", "nginx:1.0") == P{1, 3});
  for (const P& step : std::vector<P>{{2, 2}, {3, 1}, {4, 0}}) {
    f.ReadyRound("nginx:2.0");
    CHECK(f.Pair("nginx:2.0", "nginx:1.0") == step);
  }
  f.ReadyRound("nginx:2.0");
  CHECK(f.Status() == "deployment \"web\" successfully rolled out");
}

TEST_CASE("percentages: maxSurge rounds up, maxUnavailable rounds down") {
  DeployFixture f;
  f.Create(f.Make("web", 10));  // defaults 25%/25%: surge 3, unavailable 2
  f.loop.RunUntilIdle();
  f.ReadyRound("nginx:1.0");
  CHECK(f.Annotation(f.SetWithImage("nginx:1.0").metadata, "deployment.kubernetes.io/max-replicas") == "13");
  f.SetImage("nginx:2.0");
  f.loop.RunUntilIdle();
  // New to 3 (surge), old down by 2 to 8 (unavailable), then new up to 13 - 8.
  CHECK(f.Pair("nginx:2.0", "nginx:1.0") == std::pair<int32_t, int32_t>{5, 8});
  std::vector<std::string> events = f.EventsAbout("web");
  REQUIRE(events.size() == 4);
  CHECK(events[1].find(" to 3") != std::string::npos);
  CHECK(events[2].find(" to 8 from 10") != std::string::npos);
  CHECK(events[3].find(" to 5 from 3") != std::string::npos);
  Deployment got = f.Get();
  CHECK(got.status.replicas == 13);
  CHECK(got.status.unavailableReplicas == 5);
  CHECK(f.Condition(got, "Available")->status == "True");  // 8 available >= 10 - 2
}

TEST_CASE("Recreate scales the old pods away before the new ReplicaSet starts") {
  DeployFixture f;
  Deployment d = f.Make("web", 3);
  d.spec.strategy.type = "Recreate";
  d.spec.template_.spec.nodeName = "node-1";  // bound pods are deleted gracefully, as by a node agent
  f.Create(d);
  f.loop.RunUntilIdle();
  f.ReadyRound("nginx:1.0");
  const ReplicaSet old_rs = f.SetWithImage("nginx:1.0");

  f.SetImage("nginx:2.0");
  f.loop.RunUntilIdle();
  CHECK(f.ReplicasOf("nginx:1.0") == 0);
  CHECK(f.ReplicasOf("nginx:2.0") == -1);  // not created while old pods terminate
  absl::StatusOr<TypedList<Pod>> pods = List<Pod>(*f.client, "default");
  REQUIRE(pods->items.size() == 3);
  for (const Pod& pod : pods->items) {
    CHECK(pod.metadata.deletionTimestamp.IsSet());
    DeleteOptions now;
    now.gracePeriodSeconds = 0;
    REQUIRE(Delete<Pod>(*f.client, "default", pod.metadata.name, now).ok());
    f.loop.RunUntilIdle();
  }
  CHECK(f.ReplicasOf("nginx:2.0") == 3);
  CHECK(f.Status() ==
        "Waiting for deployment \"web\" rollout to finish: 0 of 3 updated replicas are available...");
  std::vector<std::string> events = f.EventsAbout("web");
  REQUIRE(events.size() == 3);
  CHECK(events[1] == "ScalingReplicaSet: Scaled down replica set " + old_rs.metadata.name + " to 0 from 3");
  CHECK(events[2].rfind("ScalingReplicaSet: Scaled up replica set web-", 0) == 0);
  f.ReadyRound("nginx:2.0");
  CHECK(f.Status() == "deployment \"web\" successfully rolled out");
}

TEST_CASE("rollback to the previous revision reuses its ReplicaSet under a new revision") {
  DeployFixture f;
  f.Create(f.Make("web", 2));
  f.loop.RunUntilIdle();
  f.ReadyRound("nginx:1.0");
  const std::string v1 = f.SetWithImage("nginx:1.0").metadata.name;
  f.SetImage("nginx:2.0");
  for (int i = 0; i < 4; ++i) f.ReadyRound("nginx:2.0");
  REQUIRE(f.Status() == "deployment \"web\" successfully rolled out");
  CHECK(f.Annotation(f.Get().metadata, kRevision) == "2");

  CHECK(absl::IsNotFound(RollbackDeployment(*f.client, "default", "web", 7)));
  REQUIRE(RollbackDeployment(*f.client, "default", "web").ok());
  CHECK(f.Get().spec.template_.spec.containers[0].image == "nginx:1.0");
  CHECK(f.Get().spec.template_.metadata.labels.count("pod-template-hash") == 0);
  for (int i = 0; i < 4; ++i) f.ReadyRound("nginx:1.0");
  CHECK(f.Sets().size() == 2);
  const ReplicaSet back = f.SetWithImage("nginx:1.0");
  CHECK(back.metadata.name == v1);
  CHECK(back.spec.replicas == 2);
  CHECK(f.ReplicasOf("nginx:2.0") == 0);
  CHECK(f.Annotation(back.metadata, kRevision) == "3");
  CHECK(f.Annotation(back.metadata, "deployment.kubernetes.io/revision-history") == "1");
  CHECK(f.Annotation(f.Get().metadata, kRevision) == "3");
  CHECK(f.Status() == "deployment \"web\" successfully rolled out");

  // To an explicit revision: 2 again.
  REQUIRE(RollbackDeployment(*f.client, "default", "web", 2).ok());
  for (int i = 0; i < 4; ++i) f.ReadyRound("nginx:2.0");
  CHECK(f.Annotation(f.SetWithImage("nginx:2.0").metadata, kRevision) == "4");
  CHECK(f.Annotation(f.SetWithImage("nginx:2.0").metadata, "deployment.kubernetes.io/revision-history") ==
        "2");
}

TEST_CASE("a paused deployment scales but does not roll out; resume continues") {
  DeployFixture f;
  f.Create(f.Make("web", 2));
  f.loop.RunUntilIdle();
  f.ReadyRound("nginx:1.0");
  f.Change([](Deployment& d) { d.spec.paused = true; });
  f.loop.RunUntilIdle();
  CHECK(f.Condition(f.Get(), "Progressing")->reason == "DeploymentPaused");
  CHECK(f.Condition(f.Get(), "Progressing")->status == "Unknown");
  CHECK(absl::IsFailedPrecondition(RollbackDeployment(*f.client, "default", "web")));

  f.SetImage("nginx:2.0");
  f.Change([](Deployment& d) { d.spec.replicas = 3; });
  f.loop.RunUntilIdle();
  CHECK(f.Sets().size() == 1);
  CHECK(f.ReplicasOf("nginx:1.0") == 3);
  CHECK(f.Get().status.observedGeneration == f.Get().metadata.generation);

  absl::StatusOr<std::unique_ptr<TypedWatch<Deployment>>> watch =
      Watch<Deployment>(*f.client, "default", {.resourceVersion = f.Get().metadata.resourceVersion});
  REQUIRE(watch.ok());
  f.Change([](Deployment& d) { d.spec.paused = false; });
  f.loop.RunUntilIdle();
  std::vector<std::string> reasons;
  while (auto event = (*watch)->Next(absl::ZeroDuration())) {
    const DeploymentCondition* c = f.Condition(event->object, "Progressing");
    if (c != nullptr && (reasons.empty() || reasons.back() != c->reason)) reasons.push_back(c->reason);
  }
  CHECK(std::find(reasons.begin(), reasons.end(), "DeploymentResumed") != reasons.end());
  CHECK(f.ReplicasOf("nginx:2.0") >= 1);
  for (int i = 0; i < 5; ++i) f.ReadyRound("nginx:2.0");
  CHECK(f.Pair("nginx:2.0", "nginx:1.0") == std::pair<int32_t, int32_t>{3, 0});
  CHECK(f.Status() == "deployment \"web\" successfully rolled out");
}

TEST_CASE("the progress deadline has not passed at progressDeadlineSeconds, only just after") {
  DeployFixture f;
  Deployment d = f.Make("web", 2);
  d.spec.progressDeadlineSeconds = 60;
  f.Create(d);
  f.loop.RunUntilIdle();
  Deployment got = f.Get();
  REQUIRE(f.Condition(got, "Progressing") != nullptr);
  CHECK(f.Condition(got, "Progressing")->status == "True");
  f.loop.Advance(absl::Seconds(60));
  // A check at exactly the deadline (an edit of the deployment makes one) finds no timeout...
  f.Change([](Deployment& d) { d.metadata.annotations["touched"] = "at the deadline"; });
  f.loop.RunUntilIdle();
  CHECK(f.Condition(f.Get(), "Progressing")->status == "True");
  // ...and, with less than a second left, comes back at once (with backoff) and finds one.
  f.loop.Advance(absl::Milliseconds(100));
  got = f.Get();
  CHECK(f.Condition(got, "Progressing")->status == "False");
  CHECK(f.Condition(got, "Progressing")->reason == "ProgressDeadlineExceeded");
  CHECK(f.Condition(got, "Progressing")->message ==
        "ReplicaSet \"" + f.Sets()[0].metadata.name + "\" has timed out progressing.");
  CHECK(f.Condition(got, "Available")->reason == "MinimumReplicasUnavailable");
  absl::StatusOr<std::string> status = RolloutStatus(got);
  CHECK(absl::IsDeadlineExceeded(status.status()));
  CHECK(status.status().message() == "deployment \"web\" exceeded its progress deadline");
}

TEST_CASE("a stuck deployment is checked again a second after its progress deadline") {
  DeployFixture f;
  Deployment d = f.Make("web", 2);
  d.spec.progressDeadlineSeconds = 60;
  f.Create(d);
  f.loop.RunUntilIdle();
  f.loop.Advance(absl::Seconds(60) + absl::Milliseconds(999));
  CHECK(f.Condition(f.Get(), "Progressing")->status == "True");
  f.loop.Advance(absl::Milliseconds(1));
  CHECK(f.Condition(f.Get(), "Progressing")->reason == "ProgressDeadlineExceeded");
}

TEST_CASE("progress moves the deadline") {
  DeployFixture f;
  Deployment d = f.Make("web", 2);
  d.spec.progressDeadlineSeconds = 60;
  f.Create(d);
  f.loop.RunUntilIdle();
  f.loop.Advance(absl::Seconds(50));
  f.MarkReady(f.PodsOwnedBy(f.Sets()[0].metadata.uid)[0].metadata.name);
  f.loop.RunUntilIdle();
  f.loop.Advance(absl::Seconds(60));
  CHECK(f.Condition(f.Get(), "Progressing")->status == "True");
  f.loop.Advance(absl::Seconds(1));
  CHECK(f.Condition(f.Get(), "Progressing")->reason == "ProgressDeadlineExceeded");
}

TEST_CASE("revisionHistoryLimit deletes the oldest scaled-down ReplicaSets") {
  DeployFixture f;
  Deployment d = f.Make("web", 1);
  d.spec.revisionHistoryLimit = 1;
  f.Create(d);
  f.loop.RunUntilIdle();
  f.ReadyRound("nginx:1.0");
  for (const std::string image : {"nginx:2.0", "nginx:3.0", "nginx:4.0"}) {
    f.clock.Advance(absl::Seconds(1));
    f.SetImage(image);
    for (int i = 0; i < 3; ++i) f.ReadyRound(image);
  }
  std::vector<ReplicaSet> sets = f.Sets();
  REQUIRE(sets.size() == 2);
  CHECK(f.ReplicasOf("nginx:4.0") == 1);
  CHECK(f.ReplicasOf("nginx:3.0") == 0);
  CHECK(f.Annotation(f.Get().metadata, kRevision) == "4");
}

TEST_CASE("scaling mid-rollout is proportional") {
  DeployFixture f;
  f.Create(f.Make("web", 10));
  f.loop.RunUntilIdle();
  f.ReadyRound("nginx:1.0");
  f.SetImage("nginx:2.0");
  f.loop.RunUntilIdle();
  REQUIRE(f.Pair("nginx:2.0", "nginx:1.0") == std::pair<int32_t, int32_t>{5, 8});
  f.Change([](Deployment& d) { d.spec.replicas = 20; });  // max 13 -> 25: +12 spread 5:8
  f.loop.RunUntilIdle();
  CHECK(f.Pair("nginx:2.0", "nginx:1.0") == std::pair<int32_t, int32_t>{10, 15});
  CHECK(f.Annotation(f.SetWithImage("nginx:1.0").metadata, "deployment.kubernetes.io/desired-replicas") ==
        "20");
}

TEST_CASE("odd deployments: replicas unset means 1; an empty selector selects nothing") {
  DeployFixture f;
  Deployment one = f.Make("one", 1);
  one.spec.replicas.reset();
  f.Create(one);
  Deployment all = f.Make("all", 2);
  all.spec.selector = LabelSelectorSpec{};
  all.metadata.namespace_ = "default";
  all.metadata.uid = "all-uid";
  all.metadata.generation = 1;
  REQUIRE(f.store->Create(ToObject(all)).ok());
  f.loop.RunUntilIdle();
  CHECK(f.Sets("one").size() == 1);
  CHECK(f.Sets("one")[0].spec.replicas == 1);
  CHECK(f.Sets("all").empty());
  std::vector<std::string> events = f.EventsAbout("all");
  REQUIRE(!events.empty());
  CHECK(events[0] ==
        "SelectingAll: This deployment is selecting all pods. A non-empty selector is required.");
}

}  // namespace
}  // namespace orch
