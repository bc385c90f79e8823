// The Cluster facade: construction without threads or files, an application's own kind and
// controller, manifests, and the threaded mode running the same controllers on the real clock.
#include "orch/cluster.h"

#include <dirent.h>
#include <doctest/doctest.h>

#include <thread>

#include "absl/strings/match.h"
#include "orch/api/codec.h"
#include "orch/api/types.h"

namespace orch {
namespace {

int ThreadCount() {
  int count = 0;
  DIR* dir = opendir("/proc/self/task");
  if (dir == nullptr) return -1;
  while (dirent* entry = readdir(dir)) count += entry->d_name[0] != '.';
  closedir(dir);
  return count;
}

const ResourceType& WidgetType() {
  static const ResourceType* type =
      RegisterResourceType({"example.com", "v1", "Widget", "widgets", true, false, {}});
  return *type;
}

// An application's controller for its own kind: each Widget gets a ConfigMap of the same name.
class WidgetController final : public Controller {
 public:
  absl::string_view Name() const override { return "widget-controller"; }
  absl::Status Setup(ControllerContext& context) override {
    context_ = &context;
    widgets_ = &context.InformerFor(WidgetType());
    widgets_->AddHandler(EnqueueObject(context.queue()));
    return absl::OkStatus();
  }
  absl::Status Reconcile(const ObjectKey& key) override {
    ObjectPtr widget = widgets_->Get(key.namespace_, key.name);
    if (widget == nullptr) return absl::OkStatus();
    ConfigMap map;
    map.metadata.namespace_ = key.namespace_;
    map.metadata.name = key.name;
    OwnerReference owner;
    owner.apiVersion = "example.com/v1";
    owner.kind = "Widget";
    owner.name = key.name;
    owner.uid = widget->object.metadata.uid;
    owner.controller = true;
    map.metadata.ownerReferences.push_back(owner);
    absl::StatusOr<ConfigMap> created = Create(context_->client(), map);
    if (absl::IsAlreadyExists(created.status())) return absl::OkStatus();
    return created.status();
  }

 private:
  ControllerContext* context_ = nullptr;
  Informer* widgets_ = nullptr;
};

Object MakeWidget(const std::string& name) {
  Object widget;
  widget.type = {"example.com/v1", "Widget"};
  widget.metadata.name = name;
  widget.metadata.namespace_ = "default";
  widget.spec = R"({"spec":{"size":3}})";
  return widget;
}

TEST_CASE("a manual cluster starts no thread and runs an application's controller for its own kind") {
  const int threads = ThreadCount();
  absl::StatusOr<std::unique_ptr<Cluster>> cluster = Cluster::Create({});
  REQUIRE(cluster.ok());
  CHECK(ThreadCount() == threads);
  REQUIRE((*cluster)->AddController(std::make_unique<WidgetController>()).ok());
  REQUIRE((*cluster)->client().Create(MakeWidget("w1")).ok());
  CHECK(absl::IsNotFound(Get<ConfigMap>((*cluster)->client(), "default", "w1").status()));
  (*cluster)->RunUntilIdle();
  CHECK(Get<ConfigMap>((*cluster)->client(), "default", "w1").ok());

  // The built-in garbage collector follows the application's kind too.
  REQUIRE((*cluster)->client().Delete(WidgetType(), "default", "w1").ok());
  (*cluster)->RunUntilIdle();
  CHECK(absl::IsNotFound(Get<ConfigMap>((*cluster)->client(), "default", "w1").status()));
}

TEST_CASE("the cluster's clock stamps what its store writes") {
  ClusterOptions options;
  options.start_time = absl::FromUnixSeconds(1800000000);
  absl::StatusOr<std::unique_ptr<Cluster>> cluster = Cluster::Create(std::move(options));
  REQUIRE(cluster.ok());
  (*cluster)->Advance(absl::Seconds(42));
  ConfigMap map;
  map.metadata.name = "stamped";
  absl::StatusOr<ConfigMap> created = Create((*cluster)->client(), map);
  REQUIRE(created.ok());
  CHECK(created->metadata.creationTimestamp.value == absl::FromUnixSeconds(1800000042));
}

TEST_CASE("Apply creates, then replaces; a bad manifest names where") {
  absl::StatusOr<std::unique_ptr<Cluster>> cluster = Cluster::Create({});
  REQUIRE(cluster.ok());
  const char* manifest = R"(apiVersion: v1
kind: ConfigMap
metadata: {name: one}
data: {a: "1"}
---
apiVersion: v1
kind: ConfigMap
metadata: {name: two}
)";
  absl::StatusOr<std::vector<ObjectPtr>> applied = (*cluster)->Apply(manifest, "two.yaml");
  REQUIRE(applied.ok());
  CHECK(applied->size() == 2);
  absl::StatusOr<std::vector<ObjectPtr>> again = (*cluster)->Apply(R"(apiVersion: v1
kind: ConfigMap
metadata: {name: one}
data: {a: "2"}
)",
                                                                   "one.yaml");
  REQUIRE(again.ok());
  CHECK(Get<ConfigMap>((*cluster)->client(), "default", "one")->data.at("a") == "2");

  absl::StatusOr<std::vector<ObjectPtr>> bad =
      (*cluster)->Apply("apiVersion: v1\nkind: ConfigMap\nmetadata: [\n", "bad.yaml");
  REQUIRE(!bad.ok());
  CHECK(absl::StrContains(bad.status().message(), "bad.yaml"));
}

TEST_CASE("a threaded cluster runs the same controller on its own thread") {
  ClusterOptions options;
  options.mode = ClusterOptions::Mode::kThreaded;
  absl::StatusOr<std::unique_ptr<Cluster>> cluster = Cluster::Create(std::move(options));
  REQUIRE(cluster.ok());
  REQUIRE((*cluster)->AddController(std::make_unique<WidgetController>()).ok());
  REQUIRE((*cluster)->client().Create(MakeWidget("w2")).ok());
  bool created = false;
  for (int i = 0; i < 500 && !created; ++i) {
    (*cluster)->RunUntilIdle();
    created = Get<ConfigMap>((*cluster)->client(), "default", "w2").ok();
    if (!created) std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  CHECK(created);
  CHECK((*cluster)->Advance(absl::Seconds(1)) == 0);  // the real clock cannot be moved
  (*cluster)->Stop();
  (*cluster)->Stop();
}

// The sim's network, counting the pods it set up: an application's own driver.
class CountingNetwork final : public NetworkDriver {
 public:
  explicit CountingNetwork(int* set_up) : sim_(*OpenNetwork("sim")), set_up_(set_up) {}
  absl::string_view Name() const override { return "counting"; }
  absl::StatusOr<PodNetworkStatus> SetUpPod(const PodNetworkConfig& config) override {
    ++*set_up_;
    return sim_->SetUpPod(config);
  }
  absl::Status TearDownPod(absl::string_view node_name, absl::string_view uid) override {
    return sim_->TearDownPod(node_name, uid);
  }

 private:
  std::unique_ptr<NetworkDriver> sim_;
  int* set_up_;
};

TEST_CASE("an application's own runtime and network drivers run the nodes' pods") {
  int runtimes_made = 0, pods_set_up = 0;
  EventLoop* runtime_loop = nullptr;
  ClusterOptions options;
  options.runtime = "nosuch";  // the factory replaces the name
  options.runtime_settings = {{"start-delay", "0s"}};
  options.runtime_factory = [&](const RuntimeOptions& runtime_options) {
    ++runtimes_made;
    runtime_loop = runtime_options.loop;
    CHECK(runtime_options.settings.at("start-delay") == "0s");
    return OpenRuntime("sim", runtime_options);
  };
  options.network = "nosuch";
  options.network_instance = std::make_unique<CountingNetwork>(&pods_set_up);
  absl::StatusOr<std::unique_ptr<Cluster>> cluster = Cluster::Create(std::move(options));
  REQUIRE_MESSAGE(cluster.ok(), cluster.status().ToString());
  CHECK(runtimes_made == 1);
  CHECK(runtime_loop == &(*cluster)->loop());
  REQUIRE((*cluster)->AddNode({.node_name = "n1"}).ok());
  Pod pod;
  pod.metadata.name = "web";
  pod.metadata.namespace_ = "default";
  Container container;
  container.name = "main";
  container.image = "nginx:1.27";
  pod.spec.containers.push_back(container);
  REQUIRE(Create((*cluster)->client(), pod).ok());
  (*cluster)->RunUntilIdle();
  absl::StatusOr<Pod> running = Get<Pod>((*cluster)->client(), "default", "web");
  REQUIRE(running.ok());
  CHECK(running->status.phase == "Running");
  CHECK(pods_set_up == 1);

  ClusterOptions empty;
  empty.runtime_factory = [](const RuntimeOptions&) -> absl::StatusOr<std::unique_ptr<RuntimeDriver>> {
    return std::unique_ptr<RuntimeDriver>();
  };
  CHECK(Cluster::Create(std::move(empty)).status().code() == absl::StatusCode::kInvalidArgument);
}

TEST_CASE("a store URL that cannot be opened is an error naming it") {
  ClusterOptions options;
  options.store = "nosuch://x";
  absl::StatusOr<std::unique_ptr<Cluster>> cluster = Cluster::Create(std::move(options));
  REQUIRE(!cluster.ok());
  CHECK(absl::StrContains(cluster.status().message(), "nosuch://x"));
}

}  // namespace
}  // namespace orch
