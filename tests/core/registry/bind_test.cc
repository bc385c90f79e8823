// BindPod: the pods/binding subresource, on its fast path and its typed path.
#include <doctest/doctest.h>

#include "absl/strings/match.h"
#include "orch/api/types.h"
#include "orch/client.h"
#include "orch/errors.h"
#include "testing/control_plane.h"

namespace orch {
namespace {

struct Fixture : testing::ControlPlane {
  Pod Create(const std::string& name) {
    Pod pod;
    pod.metadata.name = name;
    Container container;
    container.name = "main";
    container.image = "nginx:1.27";
    pod.spec.containers.push_back(container);
    absl::StatusOr<Pod> created = orch::Create(*client, pod);
    REQUIRE(created.ok());
    return *created;
  }
};

void CheckBound(Client& client, const std::string& name, const std::string& node) {
  absl::StatusOr<Pod> pod = Get<Pod>(client, "default", name);
  REQUIRE(pod.ok());
  CHECK(pod->spec.nodeName == node);
  CHECK(pod->spec.containers.size() == 1);
  CHECK(pod->status.phase == "Pending");
  bool scheduled = false;
  for (const PodCondition& condition : pod->status.conditions) {
    if (condition.type == "PodScheduled") {
      scheduled = condition.status == "True";
      CHECK(condition.lastTransitionTime.value == absl::FromUnixSeconds(1767225600));
    }
  }
  CHECK(scheduled);
  // Field selectors see the binding.
  ListOptions options;
  options.fieldSelector = *FieldSelector::Parse("spec.nodeName=" + node);
  absl::StatusOr<TypedList<Pod>> on_node = List<Pod>(client, "default", options);
  REQUIRE(on_node.ok());
  bool listed = false;
  for (const Pod& p : on_node->items) listed |= p.metadata.name == name;
  CHECK(listed);
}

TEST_CASE("binding a new pod sets spec.nodeName and PodScheduled") {
  Fixture f;
  Pod pod = f.Create("web");
  const int64_t before = f.store->CurrentRevision();
  absl::StatusOr<ObjectPtr> bound = f.client->BindPod("default", "web", pod.metadata.uid, "node-1");
  REQUIRE_MESSAGE(bound.ok(), bound.status().ToString());
  CheckBound(*f.client, "web", "node-1");
  // One write, as the binding subresource: watchers never see a bound pod without PodScheduled.
  CHECK(f.store->CurrentRevision() == before + 1);

  absl::StatusOr<ObjectPtr> again = f.client->BindPod("default", "web", "", "node-2");
  REQUIRE(!again.ok());
  CHECK(IsConflict(again.status()));
  CHECK(absl::StrContains(again.status().message(), "already assigned to node \"node-1\""));
}

TEST_CASE("a binding's fast path writes the texts a decode and encode of the bound pod give") {
  Fixture f;
  // Members before and after nodeName, as the codec orders them, and none: the name goes in its
  // place, so the stored text is canonical (an unchanged re-apply then writes nothing).
  Pod full = f.Create("full");
  full.spec.hostNetwork = true;
  full.spec.priority = 5;
  full.spec.schedulerName = "default-scheduler";
  full.spec.tolerations.push_back({"example.com/key", "Exists", "", "NoSchedule", std::nullopt, {}});
  full.metadata.name = "full-2";
  full.metadata.uid.clear();
  full.metadata.resourceVersion.clear();
  REQUIRE(orch::Create(*f.client, full).ok());
  for (const char* name : {"full", "full-2"}) {
    absl::StatusOr<ObjectPtr> bound = f.client->BindPod("default", name, "", "node-1");
    REQUIRE_MESSAGE(bound.ok(), bound.status().ToString());
    absl::StatusOr<Pod> decoded = FromObject<Pod>((*bound)->object);
    REQUIRE(decoded.ok());
    CHECK(decoded->spec.nodeName == "node-1");
    const Object canonical = ToObject(*decoded);
    CHECK((*bound)->object.spec == canonical.spec);
    CHECK((*bound)->object.Field("spec.nodeName") == "node-1");
  }
}

TEST_CASE("binding a pod whose status already has conditions takes the typed path") {
  Fixture f;
  Pod pod = f.Create("web");
  PodCondition unschedulable;
  unschedulable.type = "PodScheduled";
  unschedulable.status = "False";
  unschedulable.reason = "Unschedulable";
  pod.status.conditions.push_back(unschedulable);
  REQUIRE(UpdateStatus(*f.client, pod).ok());
  const int64_t before = f.store->CurrentRevision();
  REQUIRE(f.client->BindPod("default", "web", "", "node-1").ok());
  CHECK(f.store->CurrentRevision() == before + 1);
  CheckBound(*f.client, "web", "node-1");
  Pod bound = *Get<Pod>(*f.client, "default", "web");
  REQUIRE(bound.status.conditions.size() == 1);
  CHECK(bound.status.conditions[0].reason.empty());
}

TEST_CASE("binding errors: wrong uid, missing pod, pod being deleted, no node") {
  Fixture f;
  Pod pod = f.Create("web");
  CHECK(absl::IsNotFound(f.client->BindPod("default", "web", "other-uid", "node-1").status()));
  CHECK(absl::IsNotFound(f.client->BindPod("default", "nosuch", "", "node-1").status()));
  CHECK(IsInvalid(f.client->BindPod("default", "web", "", "").status()));
  Pod held = *Get<Pod>(*f.client, "default", "web");
  held.metadata.finalizers = {"example.com/hold"};
  REQUIRE(Update(*f.client, held).ok());
  REQUIRE(Delete<Pod>(*f.client, "default", "web").ok());
  absl::Status deleting = f.client->BindPod("default", "web", "", "node-1").status();
  CHECK(IsConflict(deleting));
  CHECK(absl::StrContains(deleting.message(), "being deleted"));
}

}  // namespace
}  // namespace orch
