// The in-process client: typed calls over a store with the API server's semantics.
#include "orch/client.h"

#include <doctest/doctest.h>

#include <functional>
#include <nlohmann/json.hpp>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "orch/api/types.h"
#include "orch/errors.h"
#include "testing/control_plane.h"

namespace orch {

// An application's own kind with a typed view, as an application would write one.
struct Widget {
  static constexpr const char* kApiVersion = "example.com/v1";
  static constexpr const char* kKind = "Widget";
  ObjectMeta metadata;
  std::string size;
};

template <>
absl::StatusOr<Widget> FromObject<Widget>(const Object& object) {
  nlohmann::json spec = nlohmann::json::parse(object.spec, nullptr, /*allow_exceptions=*/false);
  if (!spec.is_object() || !spec.value("size", nlohmann::json("")).is_string()) {
    return absl::InvalidArgumentError("size: expected string");
  }
  Widget widget;
  widget.metadata = object.metadata;
  widget.size = spec.value("size", "");
  return widget;
}

template <>
Object ToObject<Widget>(const Widget& widget) {
  Object object;
  object.type = {Widget::kApiVersion, Widget::kKind};
  object.metadata = widget.metadata;
  object.spec = nlohmann::json{{"size", widget.size}}.dump();
  return object;
}

namespace {

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
  testing::ControlPlane plane;
  Client& client = *plane.client;
  Deployment deployment = MakeDeployment("web", 3);
  deployment.status.replicas = 99;  // a client cannot set status on create
  absl::StatusOr<Deployment> created = Create(client, deployment);
  REQUIRE_MESSAGE(created.ok(), created.status().ToString());
  CHECK(created->metadata.namespace_ == "default");
  CHECK(created->metadata.generation == 1);
  CHECK(created->metadata.uid.size() == 36);
  CHECK(created->spec.strategy.type == "RollingUpdate");
  CHECK(created->spec.revisionHistoryLimit == 10);
  CHECK(created->spec.progressDeadlineSeconds == 600);
  CHECK(created->spec.template_.spec.restartPolicy == "Always");
  CHECK(created->status.replicas == 0);

  absl::StatusOr<Pod> pod = Create(client, MakePod("p"));
  REQUIRE(pod.ok());
  CHECK(pod->status.phase == "Pending");
  CHECK(pod->spec.terminationGracePeriodSeconds == 30);

  Pod invalid = MakePod("Bad_Name");
  invalid.spec.containers[0].image.clear();
  absl::Status status = Create(client, invalid).status();
  CHECK(IsInvalid(status));
  CHECK(HttpCode(status) == 422);
  CHECK(absl::StrContains(status.message(), "Pod \"Bad_Name\" is invalid"));
  CHECK(absl::StrContains(status.message(), "metadata.name: Invalid value: \"Bad_Name\""));
  CHECK(absl::StrContains(status.message(), "spec.containers[0].image: Required value"));
}

TEST_CASE("namespaces must exist and not be terminating") {
  testing::ControlPlane plane;
  Client& client = *plane.client;
  Pod pod = MakePod("p");
  pod.metadata.namespace_ = "nope";
  absl::Status status = Create(client, pod).status();
  CHECK(absl::IsNotFound(status));
  CHECK(status.message() == "namespaces \"nope\" not found");
}

TEST_CASE("typed get, list with selectors, update, status update") {
  testing::ControlPlane plane;
  Store* store = plane.store.get();
  Client& client = *plane.client;
  REQUIRE(Create(client, MakePod("web-1", {{"app", "web"}})).ok());
  REQUIRE(Create(client, MakePod("web-2", {{"app", "web"}}, "node-1")).ok());
  REQUIRE(Create(client, MakePod("db-1", {{"app", "db"}})).ok());

  absl::StatusOr<TypedList<Pod>> web = List<Pod>(client, "default", "app=web");
  REQUIRE(web.ok());
  REQUIRE(web->items.size() == 2);
  CHECK(web->items[0].metadata.name == "web-1");
  CHECK(web->revision == store->CurrentRevision());
  CHECK(List<Pod>(client, "default", "app in (").status().code() == absl::StatusCode::kInvalidArgument);
  ListOptions on_node;
  on_node.fieldSelector = *FieldSelector::Parse("spec.nodeName=node-1");
  CHECK(List<Pod>(client, "default", on_node)->items.size() == 1);

  absl::StatusOr<Pod> got = Get<Pod>(client, "default", "web-1");
  REQUIRE(got.ok());
  Pod stale = *got;
  got->metadata.labels["tier"] = "front";
  absl::StatusOr<Pod> updated = Update(client, *got);
  REQUIRE(updated.ok());
  CHECK(updated->metadata.labels.at("tier") == "front");
  stale.metadata.labels["x"] = "y";
  CHECK(IsConflict(Update(client, stale).status()));

  // Without a resourceVersion an update is unconditional.
  Pod blind = *updated;
  blind.metadata.resourceVersion.clear();
  blind.metadata.annotations["note"] = "blind";
  CHECK(Update(client, blind).ok());

  // A pod's spec is immutable except for a few fields.
  Pod moved = *Get<Pod>(client, "default", "web-1");
  moved.spec.restartPolicy = "Never";
  CHECK(IsInvalid(Update(client, moved).status()));

  Pod running = *Get<Pod>(client, "default", "web-1");
  running.status.phase = "Running";
  running.status.podIP = "10.0.0.5";
  absl::StatusOr<Pod> with_status = UpdateStatus(client, running);
  REQUIRE(with_status.ok());
  CHECK(with_status->status.phase == "Running");
  ListOptions by_phase;
  by_phase.fieldSelector = *FieldSelector::Parse("status.phase=Running");
  CHECK(List<Pod>(client, "default", by_phase)->items.size() == 1);
}

TEST_CASE("delete: pods on a node are graceful; propagation policies add finalizers") {
  testing::ControlPlane plane;
  Client& client = *plane.client;
  REQUIRE(Create(client, MakePod("unbound")).ok());
  REQUIRE(Create(client, MakePod("bound", {}, "node-1")).ok());
  CHECK(Delete<Pod>(client, "default", "unbound").ok());
  CHECK(absl::IsNotFound(Get<Pod>(client, "default", "unbound").status()));
  // No agent would finish a graceful delete of a pod not bound: at once whatever was asked.
  REQUIRE(Create(client, MakePod("unbound")).ok());
  DeleteOptions patient;
  patient.gracePeriodSeconds = 30;
  CHECK(Delete<Pod>(client, "default", "unbound", patient).ok());
  CHECK(absl::IsNotFound(Get<Pod>(client, "default", "unbound").status()));

  CHECK(Delete<Pod>(client, "default", "bound").ok());
  absl::StatusOr<Pod> terminating = Get<Pod>(client, "default", "bound");
  REQUIRE(terminating.ok());
  CHECK(terminating->metadata.deletionTimestamp.IsSet());
  CHECK(terminating->metadata.deletionGracePeriodSeconds == 30);
  DeleteOptions now;
  now.gracePeriodSeconds = 0;
  CHECK(Delete<Pod>(client, "default", "bound", now).ok());
  CHECK(absl::IsNotFound(Get<Pod>(client, "default", "bound").status()));

  REQUIRE(Create(client, MakeDeployment("web", 1)).ok());
  DeleteOptions foreground;
  foreground.propagationPolicy = "Foreground";
  CHECK(Delete<Deployment>(client, "default", "web", foreground).ok());
  absl::StatusOr<Deployment> marked = Get<Deployment>(client, "default", "web");
  REQUIRE(marked.ok());
  CHECK(marked->metadata.finalizers == std::vector<std::string>{"foregroundDeletion"});
  CHECK(marked->metadata.deletionTimestamp.IsSet());

  DeleteOptions bad;
  bad.propagationPolicy = "Sideways";
  CHECK(IsInvalid(Delete<Deployment>(client, "default", "web", bad)));
}

TEST_CASE("typed watch sees changes; deleting a namespace deletes its contents") {
  testing::ControlPlane plane;
  Client& client = *plane.client;
  Namespace team;
  team.metadata.name = "team";
  REQUIRE(Create(client, team).ok());
  absl::StatusOr<std::unique_ptr<TypedWatch<Deployment>>> watch =
      Watch<Deployment>(client, "team", {.resourceVersion = "0"});
  REQUIRE(watch.ok());
  Deployment deployment = MakeDeployment("api", 2);
  deployment.metadata.namespace_ = "team";
  REQUIRE(Create(client, deployment).ok());
  Deployment scaled = *Get<Deployment>(client, "team", "api");
  scaled.spec.replicas = 5;
  absl::StatusOr<Deployment> after = Update(client, scaled);
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

  CHECK(Delete<Namespace>(client, "", "team").ok());
  CHECK(absl::IsNotFound(Get<Deployment>(client, "team", "api").status()));
  CHECK(absl::IsNotFound(Get<Namespace>(client, "", "team").status()));
  std::optional<TypedWatchEvent<Deployment>> deleted = (*watch)->Next(absl::ZeroDuration());
  REQUIRE(deleted.has_value());
  CHECK(deleted->type == WatchEventType::kDeleted);
}

TEST_CASE("dry run validates and defaults without writing; unknown kinds are a clear error") {
  testing::ControlPlane plane;
  Store* store = plane.store.get();
  Client& client = *plane.client;
  int64_t before = store->CurrentRevision();
  absl::StatusOr<Pod> preview = Create(client, MakePod("p"), {.dry_run = true});
  REQUIRE(preview.ok());
  CHECK(preview->spec.restartPolicy == "Always");
  CHECK(store->CurrentRevision() == before);
  CHECK(absl::IsNotFound(Get<Pod>(client, "default", "p").status()));

  Object widget;
  widget.type = {"example.com/v1", "Gadget"};
  widget.metadata.name = "g";
  absl::Status status = client.Create(widget).status();
  CHECK(status.code() == absl::StatusCode::kInvalidArgument);
  CHECK(
      absl::StrContains(status.message(), "no kind \"Gadget\" is registered for version \"example.com/v1\""));
}

TEST_CASE("a write from a struct stores what the same write of its Object stores") {
  testing::ControlPlane plane;
  Client& client = *plane.client;
  auto same_stored = [](const Object& a, const Object& b) {
    CHECK(a.spec == b.spec);
    CHECK(a.status == b.status);
    CHECK(a.fields == b.fields);
    CHECK(a.metadata.labels == b.metadata.labels);
  };

  Pod pod = MakePod("typed");
  pod.spec.tolerations.push_back({"dedicated", "Equal", "db", "NoSchedule", std::nullopt, {}});
  pod.status.phase = "Running";  // replaced by Pending on create
  absl::StatusOr<ObjectPtr> typed = CreateFrom(client, pod);
  REQUIRE_MESSAGE(typed.ok(), typed.status().ToString());
  pod.metadata.name = "untyped";
  absl::StatusOr<ObjectPtr> untyped = client.Create(ToObject(pod));
  REQUIRE(untyped.ok());
  same_stored((*typed)->object, (*untyped)->object);
  // The stored object, with what the store assigned: no decode of it is needed for its metadata.
  CHECK((*typed)->object.metadata.uid.size() == 36);
  CHECK((*typed)->object.metadata.resourceVersion == std::to_string((*typed)->revision));
  CHECK((*typed)->object.Field("status.phase") == "Pending");
  absl::StatusOr<Pod> stored = FromObject<Pod>((*typed)->object);
  REQUIRE(stored.ok());
  CHECK(stored->spec.restartPolicy == "Always");
  CHECK(stored->spec.tolerations.size() == 3);  // the pod's own and the two DefaultTolerationSeconds adds

  Event event;
  event.metadata.name = "typed.1";
  event.involvedObject.kind = "Pod";
  event.involvedObject.namespace_ = "default";
  event.involvedObject.name = "typed";
  event.reason = "Scheduled";
  event.count = 1;
  absl::StatusOr<ObjectPtr> typed_event = CreateFrom(client, event);
  REQUIRE_MESSAGE(typed_event.ok(), typed_event.status().ToString());
  event.metadata.name = "untyped.1";
  absl::StatusOr<ObjectPtr> untyped_event = client.Create(ToObject(event));
  REQUIRE(untyped_event.ok());
  same_stored((*typed_event)->object, (*untyped_event)->object);
  CHECK((*typed_event)->object.metadata.namespace_ == "default");

  Pod replaced = *FromObject<Pod>((*typed)->object);
  replaced.metadata.resourceVersion.clear();
  replaced.metadata.labels["tier"] = "web";
  absl::StatusOr<ObjectPtr> updated = UpdateFrom(client, replaced);
  REQUIRE_MESSAGE(updated.ok(), updated.status().ToString());
  CHECK((*updated)->object.metadata.labels.at("tier") == "web");
  CHECK(FromObject<Pod>((*updated)->object)->spec.tolerations.size() == 3);  // not added twice
  replaced.status.phase = "Running";
  absl::StatusOr<ObjectPtr> with_status = UpdateStatusFrom(client, replaced);
  REQUIRE_MESSAGE(with_status.ok(), with_status.status().ToString());
  CHECK((*with_status)->object.Field("status.phase") == "Running");
  // Validation acts on the struct: an update that changes a pod's spec is refused as before.
  replaced.spec.restartPolicy = "Never";
  CHECK(IsInvalid(UpdateFrom(client, replaced).status()));
}

TEST_CASE("kinds without defaults are stored as written; objects that do not decode get clear errors") {
  testing::ControlPlane plane;
  Client& client = *plane.client;
  Object config;
  config.type = {"v1", "ConfigMap"};
  config.metadata.name = "settings";
  config.spec = R"({"zz":{"y":1,"x":[2]},"data":{"b":"2","a":"1"}})";
  absl::StatusOr<ObjectPtr> created = client.Create(config);
  REQUIRE_MESSAGE(created.ok(), created.status().ToString());
  CHECK((*created)->object.spec == config.spec);

  // A kind with defaults: the decode error, as ApplyDefaults gives it.
  Object pod = ToObject(MakePod("p"));
  pod.spec = R"({"spec":{"containers":"nginx"}})";
  absl::Status status = client.Create(pod).status();
  CHECK(status.code() == absl::StatusCode::kInvalidArgument);
  CHECK(status.message() == "spec.containers: expected array, got string");
  pod.metadata.resourceVersion = "1";
  CHECK(client.Update(pod).status().message() == "spec.containers: expected array, got string");

  // A kind without defaults: Invalid, listing the metadata's problems and the decode error.
  config.metadata.name = "Bad_Name";
  config.spec = R"({"data":"x"})";
  status = client.Create(config).status();
  CHECK(IsInvalid(status));
  CHECK(
      status.message() ==
      "ConfigMap \"Bad_Name\" is invalid: [metadata.name: Invalid value: \"Bad_Name\": a lowercase RFC 1123 "
      "subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with "
      "an alphanumeric character (e.g. 'example.com', regex used for validation is "
      "'[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*'), data: expected object, got "
      "string]");
  config.metadata.name = "settings";
  status = client.Update(config).status();
  CHECK(status.message() == "ConfigMap \"settings\" is invalid: data: expected object, got string");
  status = client.UpdateStatus(config).status();
  CHECK(status.message() == "ConfigMap \"settings\" is invalid: data: expected object, got string");
}

TEST_CASE("pod field selectors: spec.host, spec.hostNetwork and status.podIPs, as Kubernetes accepts them") {
  testing::ControlPlane plane;
  Client& client = *plane.client;
  Pod host_network = MakePod("host-net", {}, "node-1");
  host_network.spec.hostNetwork = true;
  REQUIRE(Create(client, host_network).ok());
  REQUIRE(Create(client, MakePod("pod-net", {}, "node-2")).ok());
  auto names = [&](const std::string& selector) {
    ListOptions options;
    absl::StatusOr<FieldSelector> parsed = FieldSelector::Parse(selector);
    REQUIRE(parsed.ok());
    options.fieldSelector = *parsed;
    absl::StatusOr<TypedList<Pod>> pods = List<Pod>(client, "default", options);
    REQUIRE_MESSAGE(pods.ok(), selector, ": ", pods.status().ToString());
    std::vector<std::string> found;
    for (const Pod& pod : pods->items) found.push_back(pod.metadata.name);
    return absl::StrJoin(found, ",");
  };
  // spec.host is the old name of spec.nodeName.
  CHECK(names("spec.host=node-1") == "host-net");
  CHECK(names("spec.host!=node-1") == "pod-net");
  // spec.hostNetwork reads "false" for a pod that does not say.
  CHECK(names("spec.hostNetwork=true") == "host-net");
  CHECK(names("spec.hostNetwork=false") == "pod-net");
  CHECK(names("spec.host=node-2,spec.hostNetwork=false") == "pod-net");
  // status.podIPs is accepted and never has a value (Kubernetes selects on status.podIP).
  CHECK(names("status.podIPs=") == "host-net,pod-net");
  CHECK(names("status.podIPs=10.0.0.1").empty());
  ListOptions unsupported;
  unsupported.fieldSelector = *FieldSelector::Parse("spec.hostIPC=true");
  CHECK(List<Pod>(client, "default", unsupported).status().message() ==
        "field label not supported: spec.hostIPC");
  // A watch converts the old name too.
  WatchOptions watch_options;
  watch_options.resourceVersion = "0";
  watch_options.fieldSelector = *FieldSelector::Parse("spec.host=node-1");
  absl::StatusOr<std::unique_ptr<TypedWatch<Pod>>> watch = Watch<Pod>(client, "default", watch_options);
  REQUIRE(watch.ok());
  std::optional<TypedWatchEvent<Pod>> first = (*watch)->Next(absl::ZeroDuration());
  REQUIRE(first.has_value());
  CHECK(first->object.metadata.name == "host-net");
  CHECK(!(*watch)->Next(absl::ZeroDuration()).has_value());
}

// A store whose next update loses a race: `race` writes first, so the update meets a Conflict.
class RacingStore final : public Store {
 public:
  explicit RacingStore(std::unique_ptr<Store> inner) : inner_(*inner), owned_(std::move(inner)) {}
  void RaceNextUpdate(std::function<void(Store&)> race) { race_ = std::move(race); }

  absl::StatusOr<ObjectPtr> Create(Object object) override { return inner_.Create(std::move(object)); }
  absl::StatusOr<ObjectPtr> Get(const ResourceType& type, absl::string_view namespace_,
                                absl::string_view name, const GetOptions& options) override {
    return inner_.Get(type, namespace_, name, options);
  }
  absl::StatusOr<ListResult> List(const ResourceType& type, absl::string_view namespace_,
                                  const ListOptions& options) override {
    return inner_.List(type, namespace_, options);
  }
  absl::StatusOr<ObjectPtr> Update(Object object, int64_t revision) override {
    if (race_) std::exchange(race_, nullptr)(inner_);
    return inner_.Update(std::move(object), revision);
  }
  absl::StatusOr<ObjectPtr> Delete(const ResourceType& type, absl::string_view namespace_,
                                   absl::string_view name, int64_t revision) override {
    return inner_.Delete(type, namespace_, name, revision);
  }
  absl::StatusOr<std::unique_ptr<Watcher>> Watch(const ResourceType& type,
                                                 const WatchOptions& options) override {
    return inner_.Watch(type, options);
  }
  int64_t CurrentRevision() const override { return inner_.CurrentRevision(); }
  int64_t CompactedRevision() const override { return inner_.CompactedRevision(); }

 private:
  Store& inner_;
  std::unique_ptr<Store> owned_;
  std::function<void(Store&)> race_;
};

TEST_CASE("an unconditional update that meets a conflict is validated again against the newer version") {
  auto racing = std::make_unique<RacingStore>(OpenMemoryStore());
  RacingStore& store = *racing;
  testing::ControlPlane plane(std::move(racing));
  Client& client = *plane.client;
  Pod pod = MakePod("p");
  pod.metadata.finalizers = {"example.com/keep"};
  REQUIRE(Create(client, pod).ok());
  const ResourceType& pods = **TypeOf<Pod>();

  // Another writer labels the pod first: the update is retried and wins.
  store.RaceNextUpdate([&](Store& s) {
    ObjectPtr current = *s.Get(pods, "default", "p");
    Object labelled = current->object;
    labelled.metadata.labels["other"] = "writer";
    REQUIRE(s.Update(labelled, current->revision).ok());
  });
  Pod mine = MakePod("p");
  mine.metadata.finalizers = {"example.com/keep"};
  mine.metadata.annotations["mine"] = "yes";
  absl::StatusOr<Pod> updated = Update(client, mine);
  REQUIRE_MESSAGE(updated.ok(), updated.status().ToString());
  CHECK(updated->metadata.annotations.at("mine") == "yes");
  CHECK(updated->metadata.labels.count("other") == 0);

  // Another writer starts deleting the pod first: adding a finalizer is now refused.
  store.RaceNextUpdate([&](Store& s) {
    ObjectPtr current = *s.Get(pods, "default", "p");
    Object marked = current->object;
    marked.metadata.deletionTimestamp = Time::Truncated(plane.clock.Now());
    marked.metadata.deletionGracePeriodSeconds = 0;
    REQUIRE(s.Update(marked, current->revision).ok());
  });
  mine.metadata.finalizers.push_back("example.com/new");
  absl::Status status = Update(client, mine).status();
  CHECK(IsInvalid(status));
  CHECK(absl::StrContains(status.message(), "no new finalizers can be added if the object is being deleted"));
}

TEST_CASE("an application's kind with a typed view is written as its Object") {
  RegisterResourceType({"example.com", "v1", "Widget", "widgets", true, false, {}});
  testing::ControlPlane plane;
  Client& client = *plane.client;
  Widget widget;
  widget.metadata.name = "w";
  widget.size = "large";
  absl::StatusOr<Widget> created = Create(client, widget);
  REQUIRE_MESSAGE(created.ok(), created.status().ToString());
  CHECK(created->metadata.namespace_ == "default");
  CHECK(created->metadata.uid.size() == 36);
  CHECK(created->size == "large");
  created->size = "small";
  absl::StatusOr<ObjectPtr> updated = UpdateFrom(client, *created);
  REQUIRE(updated.ok());
  CHECK((*updated)->object.spec == R"({"size":"small"})");
  CHECK(Get<Widget>(client, "default", "w")->size == "small");
}

Event MakeEvent(const std::string& name, const std::string& kind, const std::string& namespace_,
                const std::string& involved, const std::string& reason) {
  Event event;
  event.metadata.name = name;
  event.metadata.namespace_ = namespace_.empty() ? "default" : namespace_;
  event.involvedObject.kind = kind;
  event.involvedObject.namespace_ = namespace_;
  event.involvedObject.name = involved;
  event.reason = reason;
  event.count = 1;
  return event;
}

std::vector<std::string> EventNames(Client& client, const std::string& namespace_,
                                    const std::string& fields) {
  absl::StatusOr<FieldSelector> selector = FieldSelector::Parse(fields);
  REQUIRE_MESSAGE(selector.ok(), selector.status().ToString());
  ListOptions options;
  options.fieldSelector = *selector;
  absl::StatusOr<TypedList<Event>> events = List<Event>(client, namespace_, options);
  REQUIRE_MESSAGE(events.ok(), events.status().ToString());
  std::vector<std::string> names;
  for (const Event& event : events->items)
    names.push_back(event.metadata.namespace_ + "/" + event.metadata.name);
  return names;
}

TEST_CASE("events are listed and watched by the involved object's fields") {
  testing::ControlPlane plane;
  Client& client = *plane.client;
  for (const char* name : {"x", "y"}) {
    Namespace ns;
    ns.metadata.name = name;
    REQUIRE(Create(client, ns).ok());
  }
  for (const Event& event :
       {MakeEvent("a.1", "Pod", "x", "a", "Scheduled"), MakeEvent("a.2", "Pod", "x", "a", "Pulled"),
        MakeEvent("b.1", "Pod", "x", "b", "Scheduled"), MakeEvent("a.3", "Pod", "y", "a", "Scheduled"),
        MakeEvent("node-a.1", "Node", "", "a", "NodeReady")}) {
    absl::StatusOr<Event> created = Create(client, event);
    REQUIRE_MESSAGE(created.ok(), created.status().ToString());
  }

  using Names = std::vector<std::string>;
  CHECK(EventNames(client, "", "") == Names{"default/node-a.1", "x/a.1", "x/a.2", "x/b.1", "y/a.3"});
  CHECK(EventNames(client, "", "involvedObject.name=a") ==
        Names{"default/node-a.1", "x/a.1", "x/a.2", "y/a.3"});
  CHECK(EventNames(client, "x", "involvedObject.name=a") == Names{"x/a.1", "x/a.2"});
  CHECK(EventNames(client, "", "involvedObject.kind=Pod,involvedObject.name==a") ==
        Names{"x/a.1", "x/a.2", "y/a.3"});
  CHECK(EventNames(client, "", "involvedObject.kind=Pod,involvedObject.namespace=x") ==
        Names{"x/a.1", "x/a.2", "x/b.1"});
  CHECK(EventNames(client, "", "involvedObject.kind=Node") == Names{"default/node-a.1"});
  CHECK(EventNames(client, "", "involvedObject.name!=a") == Names{"x/b.1"});
  CHECK(EventNames(client, "", "involvedObject.kind=Pod,involvedObject.namespace!=x") == Names{"y/a.3"});
  // An object outside namespaces has no involvedObject.namespace: it reads as "".
  CHECK(EventNames(client, "", "involvedObject.namespace=") == Names{"default/node-a.1"});
  CHECK(EventNames(client, "", "involvedObject.name=a,reason=Pulled") == Names{"x/a.2"});
  CHECK(EventNames(client, "", "involvedObject.name=c").empty());

  ListOptions unsupported;
  unsupported.fieldSelector = *FieldSelector::Parse("involvedObject.labels=a");
  absl::Status status = List<Event>(client, "", unsupported).status();
  CHECK(status.code() == absl::StatusCode::kInvalidArgument);
  CHECK(absl::StrContains(status.message(), "field label not supported: involvedObject.labels"));

  // A watch with the selector: first the matching events, then only the matching changes.
  WatchOptions options{.resourceVersion = "0"};
  options.fieldSelector = *FieldSelector::Parse("involvedObject.kind=Pod,involvedObject.name=a");
  absl::StatusOr<std::unique_ptr<TypedWatch<Event>>> watch = Watch<Event>(client, "", options);
  REQUIRE_MESSAGE(watch.ok(), watch.status().ToString());
  REQUIRE(Create(client, MakeEvent("b.2", "Pod", "x", "b", "Pulled")).ok());
  REQUIRE(Create(client, MakeEvent("node-a.2", "Node", "", "a", "Rebooted")).ok());
  REQUIRE(Create(client, MakeEvent("a.4", "Pod", "y", "a", "Pulled")).ok());
  Event repeated = *Get<Event>(client, "x", "a.1");
  repeated.count = 2;
  REQUIRE(Update(client, repeated).ok());
  Event other = *Get<Event>(client, "x", "b.1");
  other.count = 2;
  REQUIRE(Update(client, other).ok());
  REQUIRE(Delete<Event>(client, "x", "a.2").ok());
  REQUIRE(Delete<Event>(client, "x", "b.2").ok());

  std::vector<std::string> seen;
  while (std::optional<TypedWatchEvent<Event>> event = (*watch)->Next(absl::ZeroDuration())) {
    REQUIRE_MESSAGE(event->type != WatchEventType::kError, event->error.ToString());
    CHECK(event->object.involvedObject.kind == "Pod");
    CHECK(event->object.involvedObject.name == "a");
    seen.push_back(absl::StrCat(WatchEventTypeName(event->type), " ", event->object.metadata.namespace_, "/",
                                event->object.metadata.name));
  }
  CHECK(seen ==
        Names{"ADDED x/a.1", "ADDED x/a.2", "ADDED y/a.3", "ADDED y/a.4", "MODIFIED x/a.1", "DELETED x/a.2"});
}
}  // namespace
}  // namespace orch
