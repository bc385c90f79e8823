// The pod garbage collector: orphaned pods after a quarantine, unscheduled terminating pods, and the
// oldest terminated pods beyond the threshold.
#include <doctest/doctest.h>

#include "absl/strings/str_cat.h"
#include "core/controllers/controller_test_util.h"
#include "orch/controllers.h"

namespace orch {
namespace {

using testing::ControlPlane;
using testing::CreatePodWithStatus;
using testing::MakePod;

Node MakeNode(const std::string& name) {
  Node node;
  node.metadata.name = name;
  return node;
}

Pod BoundPod(const std::string& name, const std::string& node, const std::string& phase = "Running") {
  Pod pod = MakePod(name, {{"app", "web"}}, "10.0.0.1", true);
  pod.spec.nodeName = node;
  pod.status.phase = phase;
  return pod;
}

bool Exists(ControlPlane& plane, const std::string& name) {
  return Get<Pod>(*plane.client, "default", name).ok();
}

struct Fixture : ControlPlane {
  explicit Fixture(PodGcOptions options = {}) { REQUIRE(manager->Add(NewPodGcController(options)).ok()); }
};

TEST_CASE("a pod whose Node is deleted goes after the quarantine, marked Failed by PodGC") {
  Fixture f;
  REQUIRE(Create(*f.client, MakeNode("n1")).ok());
  REQUIRE(Create(*f.client, MakeNode("n2")).ok());
  CreatePodWithStatus(*f.client, BoundPod("orphan", "n1"));
  CreatePodWithStatus(*f.client, BoundPod("kept", "n2"));
  f.loop.RunUntilIdle();
  auto watch = *f.store->Watch(*FindResourceType("", "Pod"),
                               {.resourceVersion = std::to_string(f.store->CurrentRevision())});

  REQUIRE(f.client->Delete(*FindResourceType("", "Node"), "", "n1").ok());
  f.loop.Advance(absl::Seconds(39));
  CHECK(Exists(f, "orphan"));
  f.loop.Advance(absl::Seconds(2));
  CHECK_FALSE(Exists(f, "orphan"));
  CHECK(Exists(f, "kept"));
  // On its way out it was marked as Kubernetes' podgc marks it.
  std::optional<WatchEvent> marked = watch->Next(absl::ZeroDuration());
  REQUIRE(marked.has_value());
  REQUIRE(marked->type == WatchEventType::kModified);
  absl::StatusOr<Pod> pod = FromObject<Pod>(marked->object->object);
  REQUIRE(pod.ok());
  CHECK(pod->status.phase == "Failed");
  const PodCondition* disruption = pod->status.FindCondition("DisruptionTarget");
  REQUIRE(disruption != nullptr);
  CHECK(disruption->reason == "DeletionByPodGC");
  std::optional<WatchEvent> deleted = watch->Next(absl::ZeroDuration());
  REQUIRE(deleted.has_value());
  CHECK(deleted->type == WatchEventType::kDeleted);
}

TEST_CASE("a pod bound to a Node not there yet is kept when the Node comes within the quarantine") {
  Fixture f;
  CreatePodWithStatus(*f.client, BoundPod("early", "late-node", "Pending"));
  f.loop.Advance(absl::Seconds(10));
  REQUIRE(Create(*f.client, MakeNode("late-node")).ok());
  f.loop.Advance(absl::Seconds(60));
  CHECK(Exists(f, "early"));

  // Bound to a Node that never comes: deleted.
  CreatePodWithStatus(*f.client, BoundPod("never", "no-such-node", "Pending"));
  f.loop.Advance(absl::Seconds(41));
  CHECK_FALSE(Exists(f, "never"));
}

TEST_CASE("a pod being deleted that was never scheduled is deleted at once") {
  Fixture f;
  REQUIRE(Create(*f.client, MakePod("pending", {{"app", "web"}})).ok());
  // The client deletes such a pod at once itself; another writer of the store may mark it for a
  // graceful deletion instead.
  ObjectPtr current = *f.store->Get(*FindResourceType("", "Pod"), "default", "pending");
  Object marked = current->object;
  marked.metadata.deletionTimestamp = Time{f.clock.Now() + absl::Seconds(30)};
  marked.metadata.deletionGracePeriodSeconds = 30;
  REQUIRE(f.store->Update(marked, current->revision).ok());
  REQUIRE(Exists(f, "pending"));
  f.loop.RunUntilIdle();
  CHECK_FALSE(Exists(f, "pending"));
}

TEST_CASE("terminated pods beyond the threshold go, oldest first; running pods are not counted") {
  PodGcOptions options;
  options.terminated_pod_threshold = 3;
  Fixture f(options);
  REQUIRE(Create(*f.client, MakeNode("n1")).ok());
  CreatePodWithStatus(*f.client, BoundPod("running", "n1"));
  for (int i = 0; i < 5; ++i) {
    CreatePodWithStatus(*f.client,
                        BoundPod(absl::StrCat("done-", i), "n1", i % 2 == 0 ? "Succeeded" : "Failed"));
    f.loop.Advance(absl::Seconds(1));
  }
  f.loop.RunUntilIdle();
  CHECK_FALSE(Exists(f, "done-0"));
  CHECK_FALSE(Exists(f, "done-1"));
  for (const char* kept : {"done-2", "done-3", "done-4", "running"}) {
    CAPTURE(kept);
    CHECK(Exists(f, kept));
  }
}

}  // namespace
}  // namespace orch
