// The Cluster facade: owns the store, the loop, the client and the controller manager, and puts
// them together in the order their lifetimes need.
#include "orch/cluster.h"

#include "orch/api/codec.h"
#include "orch/controllers.h"
#include "orch/errors.h"
#include "orch/ops.h"

namespace orch {
namespace {

class ClusterImpl final : public Cluster {
 public:
  ~ClusterImpl() override { Stop(); }

  absl::Status Init(ClusterOptions options) {
    mode_ = options.mode;
    if (mode_ == ClusterOptions::Mode::kManual) {
      manual_clock_ = std::make_unique<ManualClock>(options.start_time);
      manual_loop_ = std::make_unique<ManualLoop>(*manual_clock_);
      loop_ = manual_loop_.get();
    } else {
      threaded_loop_ = ThreadedLoop::Create(*RealClock());
      loop_ = threaded_loop_.get();
    }
    if (options.store_instance != nullptr) {
      store_ = std::move(options.store_instance);
    } else {
      absl::StatusOr<std::unique_ptr<Store>> store = OpenStore(options.store);
      if (!store.ok()) return store.status();
      store_ = std::move(*store);
    }
    // The loop's clock is the cluster's one clock: the registry stamps with it, timers wait on it.
    client_ = NewLocalClient(*store_, loop_->clock());
    if (absl::Status s = EnsureSystemNamespaces(*client_); !s.ok()) return s;
    manager_ = ControllerManager::Create(*client_, *loop_, options.queue_options);
    RuntimeOptions runtime_options;
    runtime_options.loop = loop_;
    runtime_options.settings = options.runtime_settings;
    absl::StatusOr<std::unique_ptr<RuntimeDriver>> runtime =
        options.runtime_factory ? options.runtime_factory(runtime_options)
                                : OpenRuntime(options.runtime, runtime_options);
    if (!runtime.ok()) return runtime.status();
    if (*runtime == nullptr)
      return absl::InvalidArgumentError("ClusterOptions.runtime_factory returned no driver");
    runtime_ = std::move(*runtime);
    if (options.network_instance != nullptr) {
      network_ = std::move(options.network_instance);
    } else {
      absl::StatusOr<std::unique_ptr<NetworkDriver>> network = OpenNetwork(options.network);
      if (!network.ok()) return network.status();
      network_ = std::move(*network);
    }
    if (threaded_loop_ != nullptr) {
      if (absl::Status s = threaded_loop_->Start(); !s.ok()) return s;
    }
    NodeAgentPoolOptions pool_options;
    pool_options.runtime = runtime_.get();
    pool_options.network = network_.get();
    pool_options.cluster_cidr = options.cluster_cidr;
    pool_options.node_cidr_mask = options.node_cidr_mask;
    absl::Status pool_status;
    RunOnLoop([&] {
      absl::StatusOr<std::unique_ptr<NodeAgentPool>> pool =
          NodeAgentPool::Create(*client_, *loop_, *manager_, std::move(pool_options));
      if (pool.ok()) {
        pool_ = std::move(*pool);
      } else {
        pool_status = pool.status();
      }
    });
    if (!pool_status.ok()) return pool_status;
    if (options.builtin_controllers) {
      for (auto* factory : {&NewReplicaSetController, &NewDeploymentController, &NewEndpointsController,
                            &NewGarbageCollector}) {
        if (absl::Status s = AddController(factory()); !s.ok()) return s;
      }
      if (absl::Status s = AddController(NewNodeLifecycleController(options.node_lifecycle)); !s.ok())
        return s;
      if (absl::Status s = AddController(NewPodGcController(options.pod_gc)); !s.ok()) return s;
      if (options.event_ttl > absl::ZeroDuration()) {
        if (absl::Status s = AddController(NewEventTtlController(options.event_ttl)); !s.ok()) return s;
      }
    }
    if (options.run_scheduler) {
      if (absl::Status s = AddController(NewScheduler(options.scheduler)); !s.ok()) return s;
    }
    return absl::OkStatus();
  }

  Client& client() override { return *client_; }
  Store& store() override { return *store_; }
  EventLoop& loop() override { return *loop_; }
  ControllerManager& controllers() override { return *manager_; }

  absl::Status AddController(std::unique_ptr<Controller> controller) override {
    absl::Status status;
    RunOnLoop([&] { status = manager_->Add(std::move(controller)); });
    return status;
  }

  absl::Status AddNode(NodeAgentOptions options) override {
    absl::Status status;
    RunOnLoop([&] { status = pool_->AddNode(std::move(options)); });
    return status;
  }
  NodeAgentPool& nodes() override { return *pool_; }
  RuntimeDriver& runtime() override { return *runtime_; }

  absl::StatusOr<std::vector<ObjectPtr>> Apply(absl::string_view manifest,
                                               absl::string_view source) override {
    absl::StatusOr<std::vector<Object>> objects = DecodeManifests(manifest, source);
    if (!objects.ok()) return objects.status();
    std::vector<ObjectPtr> applied;
    for (Object& object : *objects) {
      absl::StatusOr<ApplyResult> result = orch::Apply(*client_, std::move(object));
      if (!result.ok()) return result.status();
      applied.push_back(std::move(result->object));
    }
    return applied;
  }

  size_t RunUntilIdle() override {
    if (manual_loop_ != nullptr) return manual_loop_->RunUntilIdle();
    if (threaded_loop_ != nullptr && !stopped_) threaded_loop_->RunSync([] {});
    return 0;
  }

  size_t Advance(absl::Duration by) override {
    if (manual_loop_ == nullptr) return 0;
    return manual_loop_->Advance(by);
  }

  void RunOnLoop(std::function<void()> callback) override {
    if (threaded_loop_ != nullptr && !stopped_) {
      threaded_loop_->RunSync(std::move(callback));
    } else {
      callback();
    }
  }

  void Stop() override {
    if (stopped_) return;
    // Controllers stop on the loop thread, so no reconcile is running while they do.
    RunOnLoop([this] {
      if (manager_ != nullptr) manager_->Stop();
    });
    stopped_ = true;
    if (threaded_loop_ != nullptr) threaded_loop_->Stop();
  }

 private:
  ClusterOptions::Mode mode_ = ClusterOptions::Mode::kManual;
  // Declared in the order they are built; destroyed in reverse (the client uses the clock).
  std::unique_ptr<ManualClock> manual_clock_;
  std::unique_ptr<ManualLoop> manual_loop_;
  std::unique_ptr<ThreadedLoop> threaded_loop_;
  EventLoop* loop_ = nullptr;
  std::unique_ptr<Store> store_;
  std::unique_ptr<Client> client_;
  std::unique_ptr<ControllerManager> manager_;
  std::unique_ptr<RuntimeDriver> runtime_;
  std::unique_ptr<NetworkDriver> network_;
  std::unique_ptr<NodeAgentPool> pool_;  // borrows the drivers and the manager's informers
  bool stopped_ = false;
};

}  // namespace

absl::StatusOr<std::unique_ptr<Cluster>> Cluster::Create(ClusterOptions options) {
  auto cluster = std::make_unique<ClusterImpl>();
  if (absl::Status s = cluster->Init(std::move(options)); !s.ok()) return s;
  return cluster;
}

}  // namespace orch
