// The controller framework: informers, work queues with dedup and backoff, event aggregation.
#include <doctest/doctest.h>

#include <algorithm>

#include "core/controllers/controller_test_util.h"
#include "orch/api/types.h"
#include "orch/controller.h"
#include "testing/control_plane.h"

namespace orch {
namespace {

struct Fixture : testing::ControlPlane {
  ConfigMap MakeConfigMap(const std::string& name, const Labels& labels = {}) {
    ConfigMap map;
    map.metadata.name = name;
    map.metadata.labels = labels;
    return map;
  }
};

// Counts reconciles per key; fails a key a given number of times first.
class CountingController final : public Controller {
 public:
  absl::string_view Name() const override { return "counting-controller"; }
  absl::Status Setup(ControllerContext& context) override {
    context_ = &context;
    context.InformerFor<ConfigMap>().AddHandler(EnqueueObject(context.queue()));
    return absl::OkStatus();
  }
  absl::Status Reconcile(const ObjectKey& key) override {
    reconciled.push_back(key.ToString());
    times.push_back(context_->clock().Now());
    if (failures_left > 0) {
      --failures_left;
      return absl::UnavailableError("not yet");
    }
    return absl::OkStatus();
  }

  ControllerContext* context_ = nullptr;
  std::vector<std::string> reconciled;
  std::vector<absl::Time> times;
  int failures_left = 0;
};

TEST_CASE("an informer lists, then follows the watch; handlers see adds, updates and deletes") {
  Fixture f;
  REQUIRE(Create(*f.client, f.MakeConfigMap("before", {{"app", "a"}})).ok());
  Informer& informer = f.manager->InformerFor(**TypeOf<ConfigMap>());
  CHECK(informer.size() == 1);
  informer.AddIndex("app", [](const Object& object) {
    auto it = object.metadata.labels.find("app");
    return it == object.metadata.labels.end() ? std::vector<std::string>{}
                                              : std::vector<std::string>{it->second};
  });
  std::vector<std::string> seen;
  informer.AddHandler([&](const InformerEvent& event) {
    seen.push_back(std::string(WatchEventTypeName(event.type)) + " " + event.object->object.metadata.name +
                   (event.old != nullptr ? " old=" + event.old->object.metadata.resourceVersion : ""));
  });
  CHECK(seen == std::vector<std::string>{"ADDED before"});

  REQUIRE(Create(*f.client, f.MakeConfigMap("after", {{"app", "b"}})).ok());
  CHECK(informer.Get("default", "after") == nullptr);  // not delivered until the loop runs
  f.loop.RunUntilIdle();
  CHECK(informer.Get("default", "after") != nullptr);
  CHECK(informer.ByIndex("app", "b").size() == 1);

  absl::StatusOr<ConfigMap> before = Get<ConfigMap>(*f.client, "default", "before");
  REQUIRE(before.ok());
  const std::string old_version = before->metadata.resourceVersion;
  before->metadata.labels["app"] = "b";
  REQUIRE(Update(*f.client, *before).ok());
  REQUIRE(Delete<ConfigMap>(*f.client, "default", "after").ok());
  f.loop.RunUntilIdle();
  CHECK(seen == std::vector<std::string>{"ADDED before", "ADDED after", "MODIFIED before old=" + old_version,
                                         "DELETED after"});
  CHECK(informer.ByIndex("app", "a").empty());
  CHECK(informer.ByIndex("app", "b").size() == 1);
  CHECK(informer.List("default", *LabelSelector::Parse("app=b")).size() == 1);
  CHECK(informer.List("kube-system").empty());
  CHECK(informer.revision() == f.store->CurrentRevision());
}

TEST_CASE("a queued key is reconciled once, and a failing one again after a doubling backoff") {
  Fixture f;
  auto owned = std::make_unique<CountingController>();
  CountingController& controller = *owned;
  REQUIRE(f.manager->Add(std::move(owned)).ok());
  REQUIRE(Create(*f.client, f.MakeConfigMap("one")).ok());
  ConfigMap one = *Get<ConfigMap>(*f.client, "default", "one");
  one.metadata.labels["x"] = "y";
  REQUIRE(Update(*f.client, one).ok());  // a second event before the loop runs
  f.loop.RunUntilIdle();
  CHECK(controller.reconciled == std::vector<std::string>{"default/one"});

  controller.reconciled.clear();
  controller.times.clear();
  controller.failures_left = 3;
  controller.context_->queue().Add({"default", "one"});
  const absl::Time start = f.clock.Now();
  f.loop.Advance(absl::Seconds(1));
  REQUIRE(controller.times.size() == 4);
  CHECK(controller.times[1] - start == absl::Milliseconds(5));
  CHECK(controller.times[2] - start == absl::Milliseconds(15));
  CHECK(controller.times[3] - start == absl::Milliseconds(35));
  CHECK(controller.context_->queue().NumRequeues({"default", "one"}) == 0);  // forgotten after success
}

TEST_CASE("AddAfter keeps the earliest of several delays") {
  Fixture f;
  auto owned = std::make_unique<CountingController>();
  CountingController& controller = *owned;
  REQUIRE(f.manager->Add(std::move(owned)).ok());
  WorkQueue& queue = controller.context_->queue();
  const absl::Time start = f.clock.Now();
  queue.AddAfter({"default", "k"}, absl::Seconds(10));
  queue.AddAfter({"default", "k"}, absl::Seconds(3));
  queue.AddAfter({"default", "k"}, absl::Seconds(20));
  f.loop.Advance(absl::Seconds(30));
  REQUIRE(controller.times.size() == 1);
  CHECK(controller.times[0] - start == absl::Seconds(3));
}

TEST_CASE("events about one object aggregate into a count") {
  Fixture f;
  std::unique_ptr<EventRecorder> recorder = f.manager->NewRecorder("test-component", "node-1");
  absl::StatusOr<ObjectPtr> map = f.client->Create(ToObject(f.MakeConfigMap("cm")));
  REQUIRE(map.ok());
  recorder->Record((*map)->object, "Normal", "Synced", "synced it");
  f.clock.Advance(absl::Seconds(5));
  recorder->Record((*map)->object, "Normal", "Synced", "synced it");
  recorder->Record((*map)->object, "Warning", "Failed", "no");
  absl::StatusOr<TypedList<Event>> events = List<Event>(*f.client, "default");
  REQUIRE(events.ok());
  REQUIRE(events->items.size() == 2);
  const Event& synced = events->items[0].reason == "Synced" ? events->items[0] : events->items[1];
  CHECK(synced.count == 2);
  CHECK(synced.involvedObject.kind == "ConfigMap");
  CHECK(synced.involvedObject.name == "cm");
  CHECK(synced.source.component == "test-component");
  CHECK(synced.source.host == "node-1");
  CHECK(synced.lastTimestamp.value - synced.firstTimestamp.value == absl::Seconds(5));
}

TEST_CASE("a stopped manager reconciles nothing more") {
  Fixture f;
  auto owned = std::make_unique<CountingController>();
  CountingController& controller = *owned;
  REQUIRE(f.manager->Add(std::move(owned)).ok());
  f.manager->Stop();
  REQUIRE(Create(*f.client, f.MakeConfigMap("late")).ok());
  f.loop.RunUntilIdle();
  CHECK(controller.reconciled.empty());
  CHECK(!f.manager->Add(std::make_unique<CountingController>()).ok());
}

}  // namespace
}  // namespace orch

namespace orch {
namespace {

TEST_CASE("an informer whose watch fell behind re-lists and reports what it missed") {
  SqliteStoreOptions options;
  options.watch_queue_limit = 2;  // the third undelivered event ends the watch with Gone
  absl::StatusOr<std::unique_ptr<Store>> store = OpenSqliteStore(options);
  REQUIRE(store.ok());
  testing::ControlPlane plane(std::move(*store));
  Client& client = *plane.client;
  ManualClock clock;
  ManualLoop loop(clock);
  std::unique_ptr<ControllerManager> manager = ControllerManager::Create(client, loop);
  ConfigMap keep;
  keep.metadata.name = "keep";
  ConfigMap gone = keep;
  gone.metadata.name = "gone";
  REQUIRE(Create(client, keep).ok());
  REQUIRE(Create(client, gone).ok());
  Informer& informer = manager->InformerFor(**TypeOf<ConfigMap>());
  std::vector<std::string> seen;
  informer.AddHandler([&](const InformerEvent& event) {
    seen.push_back(std::string(WatchEventTypeName(event.type)) + " " + event.object->object.metadata.name);
  });
  seen.clear();

  REQUIRE(Delete<ConfigMap>(client, "default", "gone").ok());
  for (int i = 0; i < 5; ++i) {
    ConfigMap added;
    added.metadata.name = "added-" + std::to_string(i);
    REQUIRE(Create(client, added).ok());
  }
  loop.RunUntilIdle();
  CHECK(informer.size() == 6);
  CHECK(informer.Get("default", "gone") == nullptr);
  CHECK(std::count(seen.begin(), seen.end(), "DELETED gone") == 1);
  for (int i = 0; i < 5; ++i)
    CHECK(std::count(seen.begin(), seen.end(), "ADDED added-" + std::to_string(i)) == 1);

  // And it keeps following changes after the re-list.
  ConfigMap later;
  later.metadata.name = "later";
  REQUIRE(Create(client, later).ok());
  loop.RunUntilIdle();
  CHECK(informer.Get("default", "later") != nullptr);
  CHECK(informer.revision() == plane.store->CurrentRevision());
}

}  // namespace
}  // namespace orch
