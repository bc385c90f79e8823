// The in-process client: typed calls over a store with the API server's semantics.
#include <doctest/doctest.h>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "orch/client.h"
#include "orch/errors.h"
#include "orch/types.h"

namespace orch {
namespace {

std::unique_ptr<Store> NewStore() {
  absl::StatusOr<std::unique_ptr<Store>> store = OpenStore("memory");
  REQUIRE(store.ok());
  REQUIRE(EnsureSystemNamespaces(**store).ok());
  return std::move(*store);
}

Pod MakePod(const std::string& name, const Labels& labels = {}, const std::string& node = "") {
  Pod pod;
  pod.metadata.name = name;
  pod.metadata.labels = labels;
  Container container;
  container.name = "main";
  container.image = "nginx:1.27";
  pod.spec.containers.push_back(container);
  pod.spec.nodeName = node;
  return pod;
}

Deployment MakeDeployment(const std::string& name, int replicas) {
  Deployment deployment;
  deployment.metadata.name = name;
  deployment.spec.replicas = replicas;
  deployment.spec.selector = LabelSelectorSpec{{{"app", name}}, {}};
  deployment.spec.template_.metadata.labels = {{"app", name}};
  Container container;
  container.name = "web";
  container.image = "nginx:1.27";
  deployment.spec.template_.spec.containers.push_back(container);
  return deployment;
}

TEST_CASE("create applies defaults and the kind's initial status, and validates") {
  auto store = NewStore();
  Client client(*store);
  Deployment deployment = MakeDeployment("web", 3);
  deployment.status.replicas = 99;  // a client cannot set status on create
  absl::StatusOr<Deployment> created = client.Create(deployment);
  REQUIRE_MESSAGE(created.ok(), created.status().ToString());
  CHECK(created->metadata.namespace_ == "default");
  CHECK(created->metadata.generation == 1);
  CHECK(created->metadata.uid.size() == 36);
  CHECK(created->spec.strategy.type == "RollingUpdate");
  CHECK(created->spec.revisionHistoryLimit == 10);
  CHECK(created->spec.progressDeadlineSeconds == 600);
  CHECK(created->spec.template_.spec.restartPolicy == "Always");
  CHECK(created->status.replicas == 0);

  absl::StatusOr<Pod> pod = client.Create(MakePod("p"));
  REQUIRE(pod.ok());
  CHECK(pod->status.phase == "Pending");
  CHECK(pod->spec.terminationGracePeriodSeconds == 30);

  Pod invalid = MakePod("Bad_Name");
  invalid.spec.containers[0].image.clear();
  absl::Status status = client.Create(invalid).status();
  CHECK(IsInvalid(status));
  CHECK(HttpCode(status) == 422);
  CHECK(absl::StrContains(status.message(), "Pod \"Bad_Name\" is invalid"));
  CHECK(absl::StrContains(status.message(), "metadata.name: Invalid value: \"Bad_Name\""));
  CHECK(absl::StrContains(status.message(), "spec.containers[0].image: Required value"));
}

TEST_CASE("namespaces must exist and not be terminating") {
  auto store = NewStore();
  Client client(*store);
  Pod pod = MakePod("p");
  pod.metadata.namespace_ = "nope";
  absl::Status status = client.Create(pod).status();
  CHECK(absl::IsNotFound(status));
  CHECK(status.message() == "namespaces \"nope\" not found");
}

TEST_CASE("typed get, list with selectors, update, status update") {
  auto store = NewStore();
  Client client(*store);
  REQUIRE(client.Create(MakePod("web-1", {{"app", "web"}})).ok());
  REQUIRE(client.Create(MakePod("web-2", {{"app", "web"}}, "node-1")).ok());
  REQUIRE(client.Create(MakePod("db-1", {{"app", "db"}})).ok());

  absl::StatusOr<TypedList<Pod>> web = client.List<Pod>("default", "app=web");
  REQUIRE(web.ok());
  REQUIRE(web->items.size() == 2);
  CHECK(web->items[0].metadata.name == "web-1");
  CHECK(web->revision == store->CurrentRevision());
  CHECK(client.List<Pod>("default", "app in (").status().code() == absl::StatusCode::kInvalidArgument);
  ListOptions on_node;
  on_node.fieldSelector = *FieldSelector::Parse("spec.nodeName=node-1");
  CHECK(client.List<Pod>("default", on_node)->items.size() == 1);

  absl::StatusOr<Pod> got = client.Get<Pod>("default", "web-1");
  REQUIRE(got.ok());
  Pod stale = *got;
  got->metadata.labels["tier"] = "front";
  absl::StatusOr<Pod> updated = client.Update(*got);
  REQUIRE(updated.ok());
  CHECK(updated->metadata.labels.at("tier") == "front");
  stale.metadata.labels["x"] = "y";
  CHECK(IsConflict(client.Update(stale).status()));

  // Without a resourceVersion an update is unconditional.
  Pod blind = *updated;
  blind.metadata.resourceVersion.clear();
  blind.metadata.annotations["note"] = "blind";
  CHECK(client.Update(blind).ok());

  // A pod's spec is immutable except for a few fields.
  Pod moved = *client.Get<Pod>("default", "web-1");
  moved.spec.restartPolicy = "Never";
  CHECK(IsInvalid(client.Update(moved).status()));

  Pod running = *client.Get<Pod>("default", "web-1");
  running.status.phase = "Running";
  running.status.podIP = "10.0.0.5";
  absl::StatusOr<Pod> with_status = client.UpdateStatus(running);
  REQUIRE(with_status.ok());
  CHECK(with_status->status.phase == "Running");
  ListOptions by_phase;
  by_phase.fieldSelector = *FieldSelector::Parse("status.phase=Running");
  CHECK(client.List<Pod>("default", by_phase)->items.size() == 1);
}

TEST_CASE("delete: pods on a node are graceful; propagation policies add finalizers") {
  auto store = NewStore();
  Client client(*store);
  REQUIRE(client.Create(MakePod("unbound")).ok());
  REQUIRE(client.Create(MakePod("bound", {}, "node-1")).ok());
  CHECK(client.Delete<Pod>("default", "unbound").ok());
  CHECK(absl::IsNotFound(client.Get<Pod>("default", "unbound").status()));

  CHECK(client.Delete<Pod>("default", "bound").ok());
  absl::StatusOr<Pod> terminating = client.Get<Pod>("default", "bound");
  REQUIRE(terminating.ok());
  CHECK(terminating->metadata.deletionTimestamp.IsSet());
  CHECK(terminating->metadata.deletionGracePeriodSeconds == 30);
  ClientDeleteOptions now;
  now.gracePeriodSeconds = 0;
  CHECK(client.Delete<Pod>("default", "bound", now).ok());
  CHECK(absl::IsNotFound(client.Get<Pod>("default", "bound").status()));

  REQUIRE(client.Create(MakeDeployment("web", 1)).ok());
  ClientDeleteOptions foreground;
  foreground.propagationPolicy = "Foreground";
  CHECK(client.Delete<Deployment>("default", "web", foreground).ok());
  absl::StatusOr<Deployment> marked = client.Get<Deployment>("default", "web");
  REQUIRE(marked.ok());
  CHECK(marked->metadata.finalizers == std::vector<std::string>{"foregroundDeletion"});
  CHECK(marked->metadata.deletionTimestamp.IsSet());

  ClientDeleteOptions bad;
  bad.propagationPolicy = "Sideways";
  CHECK(IsInvalid(client.Delete<Deployment>("default", "web", bad)));
}

TEST_CASE("typed watch sees changes; deleting a namespace deletes its contents") {
  auto store = NewStore();
  Client client(*store);
  Namespace team;
  team.metadata.name = "team";
  REQUIRE(client.Create(team).ok());
  absl::StatusOr<std::unique_ptr<TypedWatch<Deployment>>> watch =
      client.Watch<Deployment>("team", {.resourceVersion = "0"});
  REQUIRE(watch.ok());
  Deployment deployment = MakeDeployment("api", 2);
  deployment.metadata.namespace_ = "team";
  REQUIRE(client.Create(deployment).ok());
  Deployment scaled = *client.Get<Deployment>("team", "api");
  scaled.spec.replicas = 5;
  absl::StatusOr<Deployment> after = client.Update(scaled);
  REQUIRE(after.ok());
  CHECK(after->metadata.generation == 2);

  std::optional<TypedWatchEvent<Deployment>> added = (*watch)->Next(absl::ZeroDuration());
  REQUIRE(added.has_value());
  CHECK(added->type == WatchEventType::kAdded);
  CHECK(added->object.spec.replicas == 2);
  std::optional<TypedWatchEvent<Deployment>> modified = (*watch)->Next(absl::ZeroDuration());
  REQUIRE(modified.has_value());
  CHECK(modified->type == WatchEventType::kModified);
  CHECK(modified->object.spec.replicas == 5);

  CHECK(client.Delete<Namespace>("", "team").ok());
  CHECK(absl::IsNotFound(client.Get<Deployment>("team", "api").status()));
  CHECK(absl::IsNotFound(client.Get<Namespace>("", "team").status()));
  std::optional<TypedWatchEvent<Deployment>> deleted = (*watch)->Next(absl::ZeroDuration());
  REQUIRE(deleted.has_value());
  CHECK(deleted->type == WatchEventType::kDeleted);
}

TEST_CASE("dry run validates and defaults without writing; unknown kinds are a clear error") {
  auto store = NewStore();
  Client client(*store);
  int64_t before = store->CurrentRevision();
  absl::StatusOr<Pod> preview = client.Create(MakePod("p"), {.dry_run = true});
  REQUIRE(preview.ok());
  CHECK(preview->spec.restartPolicy == "Always");
  CHECK(store->CurrentRevision() == before);
  CHECK(absl::IsNotFound(client.Get<Pod>("default", "p").status()));

  Object widget;
  widget.type = {"example.com/v1", "Gadget"};
  widget.metadata.name = "g";
  absl::Status status = client.CreateObject(widget).status();
  CHECK(status.code() == absl::StatusCode::kInvalidArgument);
  CHECK(absl::StrContains(status.message(), "no kind \"Gadget\" is registered for version \"example.com/v1\""));
}

}  // namespace
}  // namespace orch
