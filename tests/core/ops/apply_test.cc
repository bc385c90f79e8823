// orch::Apply: create, or merge a manifest into the existing object.
#include <doctest/doctest.h>

#include "orch/api/codec.h"
#include "orch/api/types.h"
#include "orch/client.h"
#include "orch/errors.h"
#include "orch/ops.h"
#include "testing/control_plane.h"

namespace orch {
namespace {

Object Manifest(const std::string& yaml) {
  absl::StatusOr<std::vector<Object>> objects = DecodeManifests(yaml, "test.yaml");
  REQUIRE(objects.ok());
  REQUIRE(objects->size() == 1);
  return (*objects)[0];
}

TEST_CASE("re-applying an unchanged manifest to a bound pod writes nothing") {
  testing::ControlPlane plane;
  Client& client = *plane.client;
  const std::string pod = R"(apiVersion: v1
kind: Pod
metadata: {name: web, labels: {app: web}}
spec: {containers: [{name: main, image: "nginx:1.27"}], restartPolicy: Always, priority: 10}
)";
  REQUIRE(Apply(client, Manifest(pod)).ok());
  REQUIRE(client.BindPod("default", "web", "", "node-1").ok());
  const ObjectPtr bound = *client.Get(**TypeOf<Pod>(), "default", "web");
  CHECK(bound->object.metadata.generation == 2);

  absl::StatusOr<ApplyResult> again = Apply(client, Manifest(pod));
  REQUIRE_MESSAGE(again.ok(), again.status().ToString());
  CHECK(again->outcome == ApplyOutcome::kUnchanged);
  CHECK(again->object->revision == bound->revision);
  CHECK(again->object->object.metadata.generation == 2);
}

TEST_CASE("apply creates, keeps what the system set, and reports unchanged and configured") {
  absl::StatusOr<std::unique_ptr<Store>> store = OpenStore("memory");
  REQUIRE(store.ok());
  testing::ControlPlane plane(std::move(*store));
  Client& client = *plane.client;
  const std::string pod = R"(apiVersion: v1
kind: Pod
metadata: {name: web, labels: {app: web}}
spec: {containers: [{name: main, image: "nginx:1.27"}]}
)";
  absl::StatusOr<ApplyResult> created = Apply(client, Manifest(pod));
  REQUIRE(created.ok());
  CHECK(created->outcome == ApplyOutcome::kCreated);

  // The scheduler binds it and a controller annotates it.
  REQUIRE(client.BindPod("default", "web", "", "node-1").ok());
  Pod bound = *Get<Pod>(client, "default", "web");
  bound.metadata.annotations["example.com/seen"] = "yes";
  REQUIRE(Update(client, bound).ok());

  absl::StatusOr<ApplyResult> again = Apply(client, Manifest(pod));
  REQUIRE_MESSAGE(again.ok(), again.status().ToString());
  CHECK(again->outcome == ApplyOutcome::kUnchanged);

  std::string relabelled = pod;
  relabelled.replace(relabelled.find("app: web"), 8, "app: api");
  absl::StatusOr<ApplyResult> changed = Apply(client, Manifest(relabelled));
  REQUIRE(changed.ok());
  CHECK(changed->outcome == ApplyOutcome::kConfigured);
  Pod after = *Get<Pod>(client, "default", "web");
  CHECK(after.metadata.labels.at("app") == "api");
  CHECK(after.spec.nodeName == "node-1");
  CHECK(after.metadata.annotations.at("example.com/seen") == "yes");

  // Invalid content is refused with the field, and nothing changes.
  std::string invalid = pod;
  invalid.replace(invalid.find("nginx:1.27"), 10, "");
  absl::StatusOr<ApplyResult> refused = Apply(client, Manifest(invalid));
  CHECK(!refused.ok());
  CHECK(Get<Pod>(client, "default", "web")->spec.containers[0].image == "nginx:1.27");
}

}  // namespace
}  // namespace orch
