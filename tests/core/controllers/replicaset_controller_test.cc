// The ReplicaSet controller: pods from the template, adoption and release, the order surplus pods go
// in, expectations against lagging caches, status with minReadySeconds, events.
#include <doctest/doctest.h>

#include "core/controllers/apps_test_util.h"

namespace orch {
namespace {

using testing::AppsFixture;

struct RsFixture : AppsFixture {
  RsFixture() { REQUIRE(manager->Add(NewReplicaSetController()).ok()); }

  ReplicaSet MakeRs(const std::string& name, int32_t replicas, int32_t min_ready_seconds = 0) {
    return MakeRsStatic(name, replicas, min_ready_seconds);
  }
  static ReplicaSet MakeRsStatic(const std::string& name, int32_t replicas, int32_t min_ready_seconds = 0) {
    ReplicaSet rs;
    rs.metadata.name = name;
    rs.spec.replicas = replicas;
    rs.spec.minReadySeconds = min_ready_seconds;
    rs.spec.selector = LabelSelectorSpec{{{"app", name}}, {}};
    rs.spec.template_ = Template({{"app", name}, {"tier", "front"}});
    return rs;
  }
  ReplicaSet Create(const ReplicaSet& rs) {
    absl::StatusOr<ReplicaSet> created = orch::Create(*client, rs);
    REQUIRE(created.ok());
    return *created;
  }
  ReplicaSet Get(const std::string& name) {
    absl::StatusOr<ReplicaSet> rs = orch::Get<ReplicaSet>(*client, "default", name);
    REQUIRE(rs.ok());
    return *rs;
  }
  void Scale(const std::string& name, int32_t replicas) {
    ReplicaSet rs = Get(name);
    rs.spec.replicas = replicas;
    REQUIRE(orch::Update(*client, rs).ok());
  }
  Pod MakeOrphan(const std::string& name, const Labels& labels) {
    Pod pod;
    pod.metadata.name = name;
    pod.metadata.labels = labels;
    pod.spec = Template(labels).spec;
    absl::StatusOr<Pod> created = orch::Create(*client, pod);
    REQUIRE(created.ok());
    return *created;
  }
  static bool Contains(const std::vector<Pod>& pods, const Pod& pod) {
    return std::any_of(pods.begin(), pods.end(),
                       [&](const Pod& p) { return p.metadata.name == pod.metadata.name; });
  }
  std::vector<std::string> Names(const std::vector<Pod>& pods) {
    std::vector<std::string> names;
    for (const Pod& pod : pods) names.push_back(pod.metadata.name);
    std::sort(names.begin(), names.end());
    return names;
  }
};

TEST_CASE("a new ReplicaSet gets its pods, owned, labelled from the template, with events and status") {
  RsFixture f;
  ReplicaSet rs = f.Create(f.MakeRs("web", 3));
  f.loop.RunUntilIdle();
  std::vector<Pod> pods = f.PodsOwnedBy(rs.metadata.uid);
  REQUIRE(pods.size() == 3);
  for (const Pod& pod : pods) {
    CHECK(pod.metadata.name.rfind("web-", 0) == 0);
    CHECK(pod.metadata.name.size() == 9);
    CHECK(pod.metadata.labels == Labels{{"app", "web"}, {"tier", "front"}});
    REQUIRE(pod.metadata.ownerReferences.size() == 1);
    const OwnerReference& ref = pod.metadata.ownerReferences[0];
    CHECK(ref.apiVersion == "apps/v1");
    CHECK(ref.kind == "ReplicaSet");
    CHECK(ref.name == "web");
    CHECK(ref.controller == true);
    CHECK(ref.blockOwnerDeletion == true);
    CHECK(pod.spec.containers.at(0).image == "nginx:1.0");
  }
  std::vector<std::string> events = f.EventsAbout("web");
  REQUIRE(events.size() == 3);
  for (const std::string& event : events) CHECK(event.rfind("SuccessfulCreate: Created pod: web-", 0) == 0);

  ReplicaSet got = f.Get("web");
  CHECK(got.status.replicas == 3);
  CHECK(got.status.fullyLabeledReplicas == 3);
  CHECK(got.status.readyReplicas == 0);
  CHECK(got.status.availableReplicas == 0);
  CHECK(got.status.observedGeneration == got.metadata.generation);

  f.MarkReady(pods[0].metadata.name);
  f.loop.RunUntilIdle();
  got = f.Get("web");
  CHECK(got.status.readyReplicas == 1);
  CHECK(got.status.availableReplicas == 1);
}

TEST_CASE("expectations: reconciles before the cache catches up never over-create") {
  AppsFixture f;
  // The ReplicaSet exists before the controller starts, so the test can reconcile it directly while
  // the loop, which delivers the pod events, does not run.
  absl::StatusOr<ReplicaSet> created = Create(*f.client, RsFixture::MakeRsStatic("web", 5));
  REQUIRE(created.ok());
  std::unique_ptr<Controller> owned = NewReplicaSetController();
  Controller& controller = *owned;
  REQUIRE(f.manager->Add(std::move(owned)).ok());
  // The first creates the pods; the next ones see none in the cache and must wait (their status
  // writes, from the stale cache, may conflict: that is retried later).
  for (int i = 0; i < 3; ++i) (void)controller.Reconcile({"default", "web"});
  CHECK(f.PodsOwnedBy(created->metadata.uid).size() == 5);
  f.loop.RunUntilIdle();
  CHECK(f.PodsOwnedBy(created->metadata.uid).size() == 5);

  // Deletions are observed and replaced, all in one go.
  for (const Pod& pod : f.PodsOwnedBy(created->metadata.uid)) {
    REQUIRE(Delete<Pod>(*f.client, "default", pod.metadata.name).ok());
  }
  f.loop.RunUntilIdle();
  CHECK(f.PodsOwnedBy(created->metadata.uid).size() == 5);
}

TEST_CASE("expectations lapse after 5 minutes, so a lost event cannot stall a ReplicaSet") {
  AppsFixture f;
  absl::StatusOr<ReplicaSet> created = Create(*f.client, RsFixture::MakeRsStatic("web", 2));
  REQUIRE(created.ok());
  std::unique_ptr<Controller> owned = NewReplicaSetController();
  Controller& controller = *owned;
  REQUIRE(f.manager->Add(std::move(owned)).ok());
  (void)controller.Reconcile({"default", "web"});
  f.clock.Advance(absl::Minutes(4));
  (void)controller.Reconcile({"default", "web"});
  CHECK(f.PodsOwnedBy(created->metadata.uid).size() == 2);
  // Past the timeout the controller trusts its (still stale) cache again and creates anew.
  f.clock.Advance(absl::Minutes(1) + absl::Seconds(1));
  (void)controller.Reconcile({"default", "web"});
  CHECK(f.PodsOwnedBy(created->metadata.uid).size() == 4);
  // Once the events arrive, the surplus goes.
  f.loop.RunUntilIdle();
  CHECK(f.PodsOwnedBy(created->metadata.uid).size() == 2);
}

TEST_CASE("expectations hold a second reconcile back until the created pods are observed") {
  RsFixture f;
  Informer& pods = f.manager->InformerFor(**TypeOf<Pod>());
  ReplicaSet rs = f.Create(f.MakeRs("web", 4));
  f.loop.RunUntilIdle();
  REQUIRE(f.PodsOwnedBy(rs.metadata.uid).size() == 4);
  CHECK(pods.List("default").size() == 4);
  // Delete one pod behind the controller's back: it is replaced once, not more.
  REQUIRE(Delete<Pod>(*f.client, "default", f.PodsOwnedBy(rs.metadata.uid)[0].metadata.name).ok());
  f.loop.RunUntilIdle();
  CHECK(f.PodsOwnedBy(rs.metadata.uid).size() == 4);
  std::vector<std::string> events = f.EventsAbout("web");
  CHECK(std::count_if(events.begin(), events.end(),
                      [](const std::string& e) { return e.rfind("SuccessfulCreate", 0) == 0; }) == 5);
}

TEST_CASE("scaling down deletes pods in Kubernetes' order") {
  RsFixture f;
  ReplicaSet rs = f.Create(f.MakeRs("web", 5));
  f.loop.RunUntilIdle();
  std::vector<Pod> pods = f.PodsOwnedBy(rs.metadata.uid);
  REQUIRE(pods.size() == 5);
  // p0: Running ready since long; p1: Running ready recently; p2: Running not ready;
  // p3: Pending; p4: Running ready since long with restarts.
  const std::string p0 = pods[0].metadata.name, p1 = pods[1].metadata.name, p2 = pods[2].metadata.name,
                    p3 = pods[3].metadata.name, p4 = pods[4].metadata.name;
  f.SetPodStatus(p0, true);
  f.SetPodStatus(p4, true, "Running", 3);
  f.clock.Advance(absl::Seconds(60));
  f.SetPodStatus(p1, true);
  f.SetPodStatus(p2, false);
  f.loop.RunUntilIdle();

  f.Scale("web", 4);
  f.loop.RunUntilIdle();
  CHECK(f.Names(f.PodsOwnedBy(rs.metadata.uid)) ==
        f.Names({pods[0], pods[1], pods[2], pods[4]}));  // Pending first
  f.Scale("web", 3);
  f.loop.RunUntilIdle();
  CHECK(f.Names(f.PodsOwnedBy(rs.metadata.uid)) == f.Names({pods[0], pods[1], pods[4]}));  // then not ready
  f.Scale("web", 2);
  f.loop.RunUntilIdle();
  CHECK(f.Names(f.PodsOwnedBy(rs.metadata.uid)) == f.Names({pods[0], pods[4]}));  // then ready for less time
  f.Scale("web", 1);
  f.loop.RunUntilIdle();
  CHECK(f.Names(f.PodsOwnedBy(rs.metadata.uid)) == f.Names({pods[0]}));  // then more restarts
  std::vector<std::string> events = f.EventsAbout("web");
  CHECK(std::find(events.begin(), events.end(), "SuccessfulDelete: Deleted pod: " + p3) != events.end());
  CHECK(f.Get("web").status.replicas == 1);
}

TEST_CASE("scaling down deletes an unassigned pod before an assigned one, even an older one") {
  RsFixture f;
  ReplicaSet rs = f.Create(f.MakeRs("web", 1));
  f.loop.RunUntilIdle();
  const Pod older = f.PodsOwnedBy(rs.metadata.uid).at(0);
  f.loop.Advance(absl::Hours(1));
  f.Scale("web", 2);
  f.loop.RunUntilIdle();
  std::vector<Pod> pods = f.PodsOwnedBy(rs.metadata.uid);
  REQUIRE(pods.size() == 2);
  const Pod newer = f.Contains({older}, pods[0]) ? pods[1] : pods[0];
  REQUIRE(f.client->BindPod("default", newer.metadata.name, "", "node-1").ok());
  f.loop.RunUntilIdle();

  f.Scale("web", 1);
  f.loop.RunUntilIdle();
  CHECK(f.Names(f.PodsOwnedBy(rs.metadata.uid)) == f.Names({newer}));
}

TEST_CASE("scaling down deletes the newest pods first, by logarithmic bucket of age") {
  RsFixture f;
  ReplicaSet rs = f.Create(f.MakeRs("web", 1));
  f.loop.RunUntilIdle();
  // Pods created 128, 32, 8 and 2 minutes before the scale down, and one just then: five buckets.
  std::vector<Pod> by_age = f.PodsOwnedBy(rs.metadata.uid);
  for (const absl::Duration wait :
       {absl::Minutes(96), absl::Minutes(24), absl::Minutes(6), absl::Minutes(2)}) {
    f.loop.Advance(wait);
    f.Scale("web", static_cast<int32_t>(by_age.size()) + 1);
    f.loop.RunUntilIdle();
    for (const Pod& pod : f.PodsOwnedBy(rs.metadata.uid)) {
      if (!f.Contains(by_age, pod)) by_age.push_back(pod);
    }
  }
  REQUIRE(by_age.size() == 5);
  for (int32_t replicas = 4; replicas >= 1; --replicas) {
    f.Scale("web", replicas);
    f.loop.RunUntilIdle();
    CHECK(f.Names(f.PodsOwnedBy(rs.metadata.uid)) ==
          f.Names(std::vector<Pod>(by_age.begin(), by_age.begin() + replicas)));
  }
}

TEST_CASE("scaling down deletes first the pod on the node with most pods of the sets of its controller") {
  RsFixture f;
  // Two ReplicaSets of one Deployment (the Deployment controller does not run here).
  OwnerReference deployment;
  deployment.apiVersion = "apps/v1";
  deployment.kind = "Deployment";
  deployment.name = "web";
  deployment.uid = "deployment-uid";
  deployment.controller = true;
  ReplicaSet old_spec = f.MakeRs("web-old", 1);
  ReplicaSet new_spec = f.MakeRs("web-new", 1);
  for (ReplicaSet* spec : {&old_spec, &new_spec}) {
    spec->spec.selector->matchLabels["app"] = "web";
    spec->spec.selector->matchLabels["set"] = spec->metadata.name;
    spec->spec.template_.metadata.labels = {{"app", "web"}, {"set", spec->metadata.name}};
    spec->metadata.ownerReferences.push_back(deployment);
  }
  ReplicaSet old_rs = f.Create(old_spec);
  f.loop.RunUntilIdle();
  const Pod crowded = f.PodsOwnedBy(old_rs.metadata.uid).at(0);
  f.loop.Advance(absl::Hours(1));
  f.Scale("web-old", 2);
  ReplicaSet new_rs = f.Create(new_spec);
  f.loop.RunUntilIdle();
  std::vector<Pod> old_pods = f.PodsOwnedBy(old_rs.metadata.uid);
  REQUIRE(old_pods.size() == 2);
  const Pod alone = f.Contains({crowded}, old_pods[0]) ? old_pods[1] : old_pods[0];
  const Pod sibling = f.PodsOwnedBy(new_rs.metadata.uid).at(0);
  // The older old pod shares node-b with the new pod; the newer one is alone on node-a.
  REQUIRE(f.client->BindPod("default", crowded.metadata.name, "", "node-b").ok());
  REQUIRE(f.client->BindPod("default", sibling.metadata.name, "", "node-b").ok());
  REQUIRE(f.client->BindPod("default", alone.metadata.name, "", "node-a").ok());
  f.loop.RunUntilIdle();

  f.Scale("web-old", 1);
  f.loop.RunUntilIdle();
  CHECK(f.Names(f.PodsOwnedBy(old_rs.metadata.uid)) == f.Names({alone}));
}

TEST_CASE("a ReplicaSet without a controller ranks no pod by its node, as in Kubernetes") {
  RsFixture f;
  ReplicaSet rs = f.Create(f.MakeRs("web", 2));
  f.loop.RunUntilIdle();
  const std::vector<Pod> doubled = f.PodsOwnedBy(rs.metadata.uid);
  REQUIRE(doubled.size() == 2);
  f.loop.Advance(absl::Hours(1));
  f.Scale("web", 3);
  f.loop.RunUntilIdle();
  Pod single;
  for (const Pod& pod : f.PodsOwnedBy(rs.metadata.uid)) {
    if (!f.Contains(doubled, pod)) single = pod;
  }
  REQUIRE(!single.metadata.name.empty());
  for (const Pod& pod : doubled) REQUIRE(f.client->BindPod("default", pod.metadata.name, "", "node-b").ok());
  REQUIRE(f.client->BindPod("default", single.metadata.name, "", "node-a").ok());
  f.loop.RunUntilIdle();

  // No related sets, so no ranks: the newest pod goes, though the others share a node.
  f.Scale("web", 2);
  f.loop.RunUntilIdle();
  CHECK(f.Names(f.PodsOwnedBy(rs.metadata.uid)) == f.Names(doubled));
}

TEST_CASE("scaling up after a scale down; deleted pods are replaced") {
  RsFixture f;
  ReplicaSet rs = f.Create(f.MakeRs("web", 2));
  f.loop.RunUntilIdle();
  f.Scale("web", 6);
  f.loop.RunUntilIdle();
  CHECK(f.PodsOwnedBy(rs.metadata.uid).size() == 6);
  for (const Pod& pod : f.PodsOwnedBy(rs.metadata.uid)) {
    REQUIRE(Delete<Pod>(*f.client, "default", pod.metadata.name).ok());
  }
  f.loop.RunUntilIdle();
  CHECK(f.PodsOwnedBy(rs.metadata.uid).size() == 6);
  CHECK(f.Get("web").status.replicas == 6);
}

TEST_CASE("matching orphans are adopted, pods that stop matching are released") {
  RsFixture f;
  Pod orphan = f.MakeOrphan("stray", {{"app", "web"}});
  Pod other = f.MakeOrphan("other", {{"app", "db"}});
  ReplicaSet rs = f.Create(f.MakeRs("web", 2));
  f.loop.RunUntilIdle();
  std::vector<Pod> owned = f.PodsOwnedBy(rs.metadata.uid);
  REQUIRE(owned.size() == 2);  // the orphan plus one new pod
  CHECK(std::any_of(owned.begin(), owned.end(), [](const Pod& p) { return p.metadata.name == "stray"; }));
  CHECK(Get<Pod>(*f.client, "default", "other")->metadata.ownerReferences.empty());
  // An orphan counts only once: the ReplicaSet's status says it is not fully labelled.
  CHECK(f.Get("web").status.fullyLabeledReplicas == 1);

  // Relabel the adopted pod: released, and a replacement is made.
  Pod stray = *Get<Pod>(*f.client, "default", "stray");
  stray.metadata.labels["app"] = "moved";
  REQUIRE(Update(*f.client, stray).ok());
  f.loop.RunUntilIdle();
  CHECK(Get<Pod>(*f.client, "default", "stray")->metadata.ownerReferences.empty());
  owned = f.PodsOwnedBy(rs.metadata.uid);
  CHECK(owned.size() == 2);
  CHECK(std::none_of(owned.begin(), owned.end(), [](const Pod& p) { return p.metadata.name == "stray"; }));

  // An orphan that appears later is adopted and the surplus deleted.
  f.MakeOrphan("late", {{"app", "web"}});
  f.loop.RunUntilIdle();
  CHECK(f.PodsOwnedBy(rs.metadata.uid).size() == 2);
}

TEST_CASE("pods being deleted or finished do not count") {
  RsFixture f;
  ReplicaSet rs = f.Create(f.MakeRs("web", 2));
  f.loop.RunUntilIdle();
  std::vector<Pod> pods = f.PodsOwnedBy(rs.metadata.uid);
  REQUIRE(pods.size() == 2);
  f.SetPodStatus(pods[0].metadata.name, false, "Failed");
  f.loop.RunUntilIdle();
  CHECK(f.PodsOwnedBy(rs.metadata.uid).size() == 3);  // the failed pod stays, a new one replaces it
  CHECK(f.Get("web").status.replicas == 2);
}

TEST_CASE("availableReplicas counts pods ready for minReadySeconds, at exactly that time") {
  RsFixture f;
  ReplicaSet rs = f.Create(f.MakeRs("web", 2, /*min_ready_seconds=*/10));
  f.loop.RunUntilIdle();
  std::vector<Pod> pods = f.PodsOwnedBy(rs.metadata.uid);
  REQUIRE(pods.size() == 2);
  f.MarkReady(pods[0].metadata.name);
  f.loop.RunUntilIdle();
  f.loop.Advance(absl::Seconds(4));
  f.MarkReady(pods[1].metadata.name);
  f.loop.RunUntilIdle();
  CHECK(f.Get("web").status.readyReplicas == 2);
  CHECK(f.Get("web").status.availableReplicas == 0);
  f.loop.Advance(absl::Seconds(5));
  CHECK(f.Get("web").status.availableReplicas == 0);
  f.loop.Advance(absl::Seconds(1));  // 10 s after the first became ready
  CHECK(f.Get("web").status.availableReplicas == 1);
  f.loop.Advance(absl::Seconds(3));
  CHECK(f.Get("web").status.availableReplicas == 1);
  f.loop.Advance(absl::Seconds(1));
  CHECK(f.Get("web").status.availableReplicas == 2);
}

TEST_CASE("status is written only when it changes") {
  RsFixture f;
  f.Create(f.MakeRs("web", 1));
  f.loop.RunUntilIdle();
  const std::string version = f.Get("web").metadata.resourceVersion;
  ReplicaSet rs = f.Get("web");
  rs.metadata.annotations["note"] = "x";  // wakes the controller, changes no status
  REQUIRE(Update(*f.client, rs).ok());
  f.loop.RunUntilIdle();
  const std::string after_note = f.Get("web").metadata.resourceVersion;
  CHECK(after_note != version);
  f.Scale("web", 1);
  f.loop.RunUntilIdle();
  CHECK(f.Get("web").metadata.resourceVersion == after_note);
}

TEST_CASE("odd objects: unset replicas means 1; an empty selector matches nothing") {
  RsFixture f;
  ReplicaSet one = f.MakeRs("one", 1);
  one.spec.replicas.reset();
  ReplicaSet created = f.Create(one);
  ReplicaSet empty = f.MakeRs("empty", 2);
  empty.spec.selector = LabelSelectorSpec{};
  empty.metadata.uid = "empty-uid";
  empty.metadata.namespace_ = "default";
  // Validation rejects an empty selector, so write it past the client.
  absl::StatusOr<ObjectPtr> stored = f.store->Create(ToObject(empty));
  INFO(stored.status().ToString());
  REQUIRE(stored.ok());
  f.MakeOrphan("stray", {{"app", "empty"}});
  f.loop.RunUntilIdle();
  CHECK(f.PodsOwnedBy(created.metadata.uid).size() == 1);
  ReplicaSet got = f.Get("empty");
  CHECK(f.PodsOwnedBy(got.metadata.uid).empty());  // neither creates nor adopts
  CHECK(Get<Pod>(*f.client, "default", "stray")->metadata.ownerReferences.empty());
  CHECK(got.status.replicas == 0);
  CHECK(got.status.observedGeneration == got.metadata.generation);
}

TEST_CASE("a failing create records FailedCreate and the ReplicaFailure condition") {
  RsFixture f;
  ReplicaSet rs = f.MakeRs("web", 2);
  rs.metadata.uid = "rs-uid";
  rs.metadata.namespace_ = "default";
  rs.spec.template_.spec.containers[0].image = "";  // pods fail validation
  REQUIRE(f.store->Create(ToObject(rs)).ok());
  f.loop.RunUntilIdle();
  std::vector<std::string> events = f.EventsAbout("web");
  REQUIRE(!events.empty());
  CHECK(events[0].rfind("FailedCreate: Error creating: ", 0) == 0);
  ReplicaSet got = f.Get("web");
  REQUIRE(got.status.conditions.size() == 1);
  CHECK(got.status.conditions[0].type == "ReplicaFailure");
  CHECK(got.status.conditions[0].reason == "FailedCreate");
}

}  // namespace
}  // namespace orch
