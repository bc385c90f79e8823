// NodeAgentPool: many agents on one loop, fed by one pod informer indexed by spec.nodeName and by
// the runtime's change notifications.
#include <memory>
#include <string>
#include <utility>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/strings/str_cat.h"
#include "src/core/agent/agent.h"

namespace orch {
namespace {

using agent::NodeAgent;
using agent::PodWorker;
using agent::Shared;

class Pool final : public NodeAgentPool {
 public:
  Pool(Client& client, EventLoop& loop, ControllerManager& manager, NodeAgentPoolOptions options,
       std::unique_ptr<EventRecorder> recorder)
      : options_(std::move(options)),
        recorder_(std::move(recorder)),
        shared_{client,     loop, manager.InformerFor(**TypeOf<Pod>()), manager.InformerFor(**TypeOf<Node>()),
                *recorder_, {}} {}

  ~Pool() override {
    *alive_ = false;
    for (auto& [name, agent] : agents_) agent->TeardownAll();
  }

  void Start() {
    shared_.pods.AddIndex("spec.nodeName", IndexByField("spec.nodeName"));
    shared_.pods.AddHandler([this, alive = std::weak_ptr<bool>(alive_)](const InformerEvent& event) {
      if (std::shared_ptr<bool> a = alive.lock(); a != nullptr && *a) OnPodEvent(event);
    });
  }

  absl::Status AddNode(NodeAgentOptions options) override {
    if (options.node_name.empty())
      return absl::InvalidArgumentError("NodeAgentOptions.node_name is required");
    if (agents_.contains(options.node_name)) {
      return absl::AlreadyExistsError(absl::StrCat("node \"", options.node_name, "\" already has an agent"));
    }
    if (options.runtime == nullptr) options.runtime = options_.runtime;
    if (options.network == nullptr) options.network = options_.network;
    if (options.runtime == nullptr || options.network == nullptr) {
      return absl::InvalidArgumentError(absl::StrCat(
          "node \"", options.node_name, "\": no runtime or network driver (set them in the pool's options)"));
    }
    if (options.lease_renew_interval <= absl::ZeroDuration()) {
      return absl::InvalidArgumentError("NodeAgentOptions.lease_renew_interval must be positive");
    }
    ListenTo(*options.runtime);
    std::string pod_cidr = options.pod_cidr;
    if (pod_cidr.empty()) {
      ObjectPtr existing = shared_.nodes.Get("", options.node_name);
      if (existing != nullptr) {
        absl::StatusOr<Node> node = FromObject<Node>(existing->object);
        if (node.ok()) pod_cidr = node->spec.podCIDR;
      }
    }
    if (pod_cidr.empty()) {
      absl::StatusOr<std::string> next =
          NthSubnet(options_.cluster_cidr, options_.node_cidr_mask, next_cidr_++);
      if (!next.ok()) return next.status();
      pod_cidr = *next;
    }
    std::string internal_ip = options.internal_ip;
    if (internal_ip.empty()) {
      absl::StatusOr<std::string> next = NthSubnet(options_.node_ip_range, 32, ++next_ip_);
      if (!next.ok()) return next.status();
      internal_ip = next->substr(0, next->find('/'));
    }
    const std::string name = options.node_name;
    auto agent = std::make_unique<NodeAgent>(shared_, std::move(options));
    if (absl::Status s = agent->Register(pod_cidr, internal_ip); !s.ok()) {
      return absl::Status(s.code(), absl::StrCat("registering node \"", name, "\": ", s.message()));
    }
    NodeAgent& added = *agents_.emplace(name, std::move(agent)).first->second;
    for (const ObjectPtr& pod : shared_.pods.ByIndex("spec.nodeName", name)) added.OnPod(pod, false);
    return absl::OkStatus();
  }

  absl::Status RemoveNode(absl::string_view name) override {
    auto it = agents_.find(name);
    if (it == agents_.end()) return NotFound(name);
    it->second->TeardownAll();
    agents_.erase(it);
    return absl::OkStatus();
  }

  absl::Status KillNode(absl::string_view name) override {
    NodeAgent* agent = Find(name);
    if (agent == nullptr) return NotFound(name);
    agent->Kill();
    return absl::OkStatus();
  }

  absl::Status ReviveNode(absl::string_view name) override {
    NodeAgent* agent = Find(name);
    if (agent == nullptr) return NotFound(name);
    agent->Revive();
    return absl::OkStatus();
  }

  bool HasNode(absl::string_view name) const override { return agents_.contains(name); }
  size_t size() const override { return agents_.size(); }
  size_t PodCount() const override {
    size_t count = 0;
    for (const auto& [name, agent] : agents_) count += agent->pod_count();
    return count;
  }

 private:
  static absl::Status NotFound(absl::string_view name) {
    return absl::NotFoundError(absl::StrCat("no agent for node \"", name, "\""));
  }
  NodeAgent* Find(absl::string_view name) {
    auto it = agents_.find(name);
    return it == agents_.end() ? nullptr : it->second.get();
  }

  void OnPodEvent(const InformerEvent& event) {
    const absl::string_view node = event.object->object.Field("spec.nodeName");
    if (node.empty()) return;
    NodeAgent* agent = Find(node);
    if (agent != nullptr) agent->OnPod(event.object, event.type == WatchEventType::kDeleted);
  }

  // Runtime events arrive from the driver; they only post, and the post finds the pod's worker.
  void ListenTo(RuntimeDriver& runtime) {
    if (!listened_.insert(&runtime).second) return;
    runtime.SetListener(
        [this, alive = std::weak_ptr<bool>(alive_), &loop = shared_.loop](const RuntimeEvent& event) {
          loop.Post([this, alive, sandbox = event.sandbox_id] {
            std::shared_ptr<bool> a = alive.lock();
            if (a == nullptr || !*a) return;
            auto it = shared_.by_sandbox.find(sandbox);
            if (it == shared_.by_sandbox.end()) return;
            PodWorker& worker = *it->second;
            worker.agent().OnRuntimeEvent(worker);
          });
        });
  }

  const NodeAgentPoolOptions options_;
  std::unique_ptr<EventRecorder> recorder_;
  Shared shared_;
  absl::flat_hash_map<std::string, std::unique_ptr<NodeAgent>> agents_;
  absl::flat_hash_set<RuntimeDriver*> listened_;
  uint32_t next_cidr_ = 0;
  uint32_t next_ip_ = 0;
  std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);
};

}  // namespace

absl::StatusOr<std::unique_ptr<NodeAgentPool>> NodeAgentPool::Create(Client& client, EventLoop& loop,
                                                                     ControllerManager& manager,
                                                                     NodeAgentPoolOptions options) {
  if (absl::StatusOr<std::string> probe = NthSubnet(options.cluster_cidr, options.node_cidr_mask, 0);
      !probe.ok()) {
    return probe.status();
  }
  std::unique_ptr<EventRecorder> recorder = manager.NewRecorder(options.component);
  auto pool = std::make_unique<Pool>(client, loop, manager, std::move(options), std::move(recorder));
  pool->Start();
  return pool;
}

}  // namespace orch
