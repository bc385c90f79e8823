// The garbage collector: background, foreground and orphan propagation along ownerReferences.
#include <doctest/doctest.h>

#include "core/controllers/controller_test_util.h"
#include "orch/controllers.h"

namespace orch {
namespace {

using testing::ControlPlane;

ConfigMap Make(const std::string& name, const std::vector<ConfigMap>& owners = {}, bool block = false) {
  ConfigMap map;
  map.metadata.name = name;
  map.metadata.namespace_ = "default";
  for (const ConfigMap& owner : owners) {
    OwnerReference reference;
    reference.apiVersion = "v1";
    reference.kind = "ConfigMap";
    reference.name = owner.metadata.name;
    reference.uid = owner.metadata.uid;
    if (block) reference.blockOwnerDeletion = true;
    map.metadata.ownerReferences.push_back(reference);
  }
  return map;
}

struct Fixture : ControlPlane {
  Fixture() { REQUIRE(manager->Add(NewGarbageCollector()).ok()); }
  ConfigMap Create(const ConfigMap& map) {
    absl::StatusOr<ConfigMap> created = orch::Create(*client, map);
    REQUIRE_MESSAGE(created.ok(), created.status().ToString());
    return *created;
  }
  bool Exists(const std::string& name) { return orch::Get<ConfigMap>(*client, "default", name).ok(); }
};

TEST_CASE("background: dependents of a deleted owner are deleted, down the chain") {
  Fixture f;
  ConfigMap owner = f.Create(Make("owner"));
  ConfigMap child = f.Create(Make("child", {owner}));
  f.Create(Make("grandchild", {child}));
  f.loop.RunUntilIdle();
  CHECK(f.Exists("child"));
  REQUIRE(Delete<ConfigMap>(*f.client, "default", "owner").ok());
  f.loop.RunUntilIdle();
  CHECK(!f.Exists("child"));
  CHECK(!f.Exists("grandchild"));
}

TEST_CASE("orphan: dependents stay, released from the deleted owner") {
  Fixture f;
  ConfigMap owner = f.Create(Make("owner"));
  f.Create(Make("child", {owner}));
  REQUIRE(Delete<ConfigMap>(*f.client, "default", "owner", {.propagationPolicy = "Orphan"}).ok());
  f.loop.RunUntilIdle();
  CHECK(!f.Exists("owner"));
  absl::StatusOr<ConfigMap> child = Get<ConfigMap>(*f.client, "default", "child");
  REQUIRE(child.ok());
  CHECK(child->metadata.ownerReferences.empty());
}

TEST_CASE("foreground: the owner goes only after its blocking dependents") {
  Fixture f;
  ConfigMap owner = f.Create(Make("owner"));
  ConfigMap child = f.Create(Make("child", {owner}, /*block=*/true));
  // The grandchild holds a finalizer of someone else: it, and so the chain above it, waits.
  ConfigMap grandchild = Make("grandchild", {child}, /*block=*/true);
  grandchild.metadata.finalizers = {"example.com/hold"};
  f.Create(grandchild);
  REQUIRE(Delete<ConfigMap>(*f.client, "default", "owner", {.propagationPolicy = "Foreground"}).ok());
  f.loop.RunUntilIdle();
  absl::StatusOr<ConfigMap> waiting = Get<ConfigMap>(*f.client, "default", "owner");
  REQUIRE(waiting.ok());
  CHECK(waiting->metadata.deletionTimestamp.IsSet());
  CHECK(Get<ConfigMap>(*f.client, "default", "child")->metadata.deletionTimestamp.IsSet());
  CHECK(Get<ConfigMap>(*f.client, "default", "grandchild")->metadata.deletionTimestamp.IsSet());

  ConfigMap held = *Get<ConfigMap>(*f.client, "default", "grandchild");
  held.metadata.finalizers.clear();
  REQUIRE(Update(*f.client, held).ok());
  f.loop.RunUntilIdle();
  CHECK(!f.Exists("grandchild"));
  CHECK(!f.Exists("child"));
  CHECK(!f.Exists("owner"));
}

TEST_CASE("dangling owner references: all gone deletes, some gone drops them") {
  Fixture f;
  ConfigMap owner = f.Create(Make("owner"));
  ConfigMap ghost = Make("ghost");
  ghost.metadata.uid = "00000000-0000-0000-0000-000000000000";
  f.Create(Make("orphaned", {ghost}));
  f.Create(Make("half", {owner, ghost}));
  f.loop.RunUntilIdle();
  CHECK(!f.Exists("orphaned"));
  absl::StatusOr<ConfigMap> half = Get<ConfigMap>(*f.client, "default", "half");
  REQUIRE(half.ok());
  REQUIRE(half->metadata.ownerReferences.size() == 1);
  CHECK(half->metadata.ownerReferences[0].name == "owner");
}

TEST_CASE("an owner recreated under the same name is a different owner") {
  Fixture f;
  ConfigMap owner = f.Create(Make("owner"));
  f.Create(Make("child", {owner}));
  f.loop.RunUntilIdle();
  REQUIRE(Delete<ConfigMap>(*f.client, "default", "owner").ok());
  f.Create(Make("owner"));  // a new uid before the collector runs
  f.loop.RunUntilIdle();
  CHECK(!f.Exists("child"));
}

TEST_CASE("two owners, one deleted in the background: the dependent stays, released from it") {
  Fixture f;
  ConfigMap gone = f.Create(Make("gone"));
  ConfigMap kept = f.Create(Make("kept"));
  f.Create(Make("child", {gone, kept}));
  f.loop.RunUntilIdle();
  REQUIRE(Delete<ConfigMap>(*f.client, "default", "gone").ok());
  f.loop.RunUntilIdle();
  absl::StatusOr<ConfigMap> child = Get<ConfigMap>(*f.client, "default", "child");
  REQUIRE(child.ok());
  REQUIRE(child->metadata.ownerReferences.size() == 1);
  CHECK(child->metadata.ownerReferences[0].uid == kept.metadata.uid);
}

TEST_CASE("two owners, one deleted in the foreground: the dependent stays, released, and the owner goes") {
  Fixture f;
  ConfigMap gone = f.Create(Make("gone"));
  ConfigMap kept = f.Create(Make("kept"));
  f.Create(Make("child", {gone, kept}, /*block=*/true));
  f.loop.RunUntilIdle();
  REQUIRE(Delete<ConfigMap>(*f.client, "default", "gone", {.propagationPolicy = "Foreground"}).ok());
  f.loop.RunUntilIdle();
  CHECK(!f.Exists("gone"));
  absl::StatusOr<ConfigMap> child = Get<ConfigMap>(*f.client, "default", "child");
  REQUIRE(child.ok());
  CHECK(!child->metadata.deletionTimestamp.IsSet());
  REQUIRE(child->metadata.ownerReferences.size() == 1);
  CHECK(child->metadata.ownerReferences[0].uid == kept.metadata.uid);
}

TEST_CASE("foreground: non-blocking dependents do not hold the owner; one another owner keeps stays") {
  Fixture f;
  ConfigMap owner = f.Create(Make("owner"));
  ConfigMap kept = f.Create(Make("kept"));
  ConfigMap loose = Make("loose", {owner}, /*block=*/false);
  loose.metadata.finalizers = {"example.com/hold"};
  f.Create(loose);
  f.Create(Make("shared", {owner, kept}, /*block=*/false));
  REQUIRE(Delete<ConfigMap>(*f.client, "default", "owner", {.propagationPolicy = "Foreground"}).ok());
  f.loop.RunUntilIdle();
  CHECK(!f.Exists("owner"));
  absl::StatusOr<ConfigMap> deleting = Get<ConfigMap>(*f.client, "default", "loose");
  REQUIRE(deleting.ok());
  CHECK(deleting->metadata.deletionTimestamp.IsSet());
  CHECK(deleting->metadata.finalizers == std::vector<std::string>{"example.com/hold"});
  absl::StatusOr<ConfigMap> shared = Get<ConfigMap>(*f.client, "default", "shared");
  REQUIRE(shared.ok());
  CHECK(!shared->metadata.deletionTimestamp.IsSet());
  REQUIRE(shared->metadata.ownerReferences.size() == 1);
  CHECK(shared->metadata.ownerReferences[0].uid == kept.metadata.uid);
}

TEST_CASE("two owners, both deleted (background, then foreground): the dependent is deleted") {
  Fixture f;
  ConfigMap first = f.Create(Make("first"));
  ConfigMap second = f.Create(Make("second"));
  f.Create(Make("child", {first, second}, /*block=*/true));
  f.loop.RunUntilIdle();
  REQUIRE(Delete<ConfigMap>(*f.client, "default", "first").ok());
  f.loop.RunUntilIdle();
  CHECK(f.Exists("child"));
  REQUIRE(Delete<ConfigMap>(*f.client, "default", "second", {.propagationPolicy = "Foreground"}).ok());
  f.loop.RunUntilIdle();
  CHECK(!f.Exists("child"));
  CHECK(!f.Exists("second"));
}

TEST_CASE("two owners, both deleted in the foreground: the dependent is deleted, then both owners") {
  Fixture f;
  ConfigMap first = f.Create(Make("first"));
  ConfigMap second = f.Create(Make("second"));
  ConfigMap child = Make("child", {first, second}, /*block=*/true);
  child.metadata.finalizers = {"example.com/hold"};
  f.Create(child);
  f.loop.RunUntilIdle();
  REQUIRE(Delete<ConfigMap>(*f.client, "default", "first", {.propagationPolicy = "Foreground"}).ok());
  REQUIRE(Delete<ConfigMap>(*f.client, "default", "second", {.propagationPolicy = "Foreground"}).ok());
  f.loop.RunUntilIdle();
  CHECK(f.Exists("first"));
  CHECK(f.Exists("second"));
  ConfigMap held = *Get<ConfigMap>(*f.client, "default", "child");
  CHECK(held.metadata.deletionTimestamp.IsSet());
  held.metadata.finalizers.clear();
  REQUIRE(Update(*f.client, held).ok());
  f.loop.RunUntilIdle();
  CHECK(!f.Exists("child"));
  CHECK(!f.Exists("first"));
  CHECK(!f.Exists("second"));
}

TEST_CASE("an owner of a kind not registered is not gone: the dependent stays, and is retried") {
  Fixture f;
  ConfigMap child = Make("child");
  child.metadata.ownerReferences.push_back({.apiVersion = "batch/v1",
                                            .kind = "Job",
                                            .name = "job",
                                            .uid = "11111111-1111-1111-1111-111111111111"});
  f.Create(child);
  f.loop.RunUntilIdle();
  f.loop.Advance(absl::Hours(1));
  CHECK(f.Exists("child"));
}

TEST_CASE("an owner kind registered later is followed: its missing owner is then gone") {
  Fixture f;
  ConfigMap child = Make("child");
  child.metadata.ownerReferences.push_back(
      {.apiVersion = "gc-test.orch.dev/v1", .kind = "Gadget", .name = "gadget", .uid = "22222222"});
  f.Create(child);
  f.loop.RunUntilIdle();
  f.loop.Advance(absl::Seconds(1));
  CHECK(f.Exists("child"));
  RegisterResourceType({"gc-test.orch.dev", "v1", "Gadget", "gadgets", true, false, {}});
  f.loop.Advance(absl::Seconds(20));
  CHECK(!f.Exists("child"));
}

}  // namespace
}  // namespace orch
