// One node's agent: registration, the heartbeat Lease, node status, and its pods' workers.
#include <string>
#include <utility>

#include "absl/strings/str_cat.h"
#include "orch/errors.h"
#include "src/core/agent/agent.h"

namespace orch::agent {
namespace {

constexpr const char* kLeaseNamespace = "kube-node-lease";
constexpr const char* kKubeletVersion = "v1.32.0-orch";

struct WantedCondition {
  const char* type;
  const char* status;
  const char* reason;
  const char* message;
};

// What a healthy kubelet reports.
constexpr WantedCondition kConditions[] = {
    {"MemoryPressure", "False", "KubeletHasSufficientMemory", "kubelet has sufficient memory available"},
    {"DiskPressure", "False", "KubeletHasNoDiskPressure", "kubelet has no disk pressure"},
    {"PIDPressure", "False", "KubeletHasSufficientPID", "kubelet has sufficient PID available"},
    {"Ready", "True", "KubeletReady", "kubelet is posting ready status"},
};

}  // namespace

NodeAgent::~NodeAgent() {
  if (heartbeat_timer_ != 0) shared_.loop.Cancel(heartbeat_timer_);
}

absl::Status NodeAgent::Register(const std::string& pod_cidr, const std::string& internal_ip) {
  pod_cidr_ = pod_cidr;
  internal_ip_ = internal_ip;
  Node node;
  node.metadata.name = options_.node_name;
  node.metadata.labels = options_.labels;
  node.metadata.labels["kubernetes.io/hostname"] = options_.node_name;
  node.metadata.labels["kubernetes.io/os"] = "linux";
  node.metadata.labels["kubernetes.io/arch"] = "amd64";
  node.metadata.annotations["node.alpha.kubernetes.io/ttl"] = "0";
  node.spec.podCIDR = pod_cidr_;
  node.spec.podCIDRs = {pod_cidr_};
  node.spec.taints = options_.taints;
  node.status = DesiredStatus(NodeStatus{});
  absl::StatusOr<Node> created = Create(shared_.client, node);
  if (IsAlreadyExists(created.status())) {
    // Take the Node over as kubelet does on restart: our labels and status, its other fields.
    absl::StatusOr<Node> existing = Get<Node>(shared_.client, "", options_.node_name);
    if (!existing.ok()) return existing.status();
    for (const auto& [key, value] : node.metadata.labels) existing->metadata.labels[key] = value;
    if (existing->spec.podCIDR.empty()) {
      existing->spec.podCIDR = pod_cidr_;
      existing->spec.podCIDRs = {pod_cidr_};
    }
    pod_cidr_ = existing->spec.podCIDR;
    existing->metadata.resourceVersion.clear();
    created = Update(shared_.client, *existing);
    if (created.ok()) {
      created->status = DesiredStatus(created->status);
      created->metadata.resourceVersion.clear();
      created = UpdateStatus(shared_.client, *created);
    }
  }
  if (!created.ok()) return created.status();
  node_uid_ = created->metadata.uid;
  posted_version_ = created->metadata.resourceVersion;
  status_posted_ = shared_.loop.clock().Now();
  if (absl::Status s = RenewLease(); !s.ok()) return s;
  heartbeat_timer_ = shared_.loop.PostAfter(options_.lease_renew_interval, [this] { Heartbeat(); });
  return absl::OkStatus();
}

NodeStatus NodeAgent::DesiredStatus(const NodeStatus& current) const {
  const absl::Time now = shared_.loop.clock().Now();
  NodeStatus status = current;
  status.capacity["cpu"] = Quantity::FromMilli(options_.cpu_millis);
  status.capacity["memory"] = Quantity::FromValue(options_.memory_bytes, Quantity::Format::kBinarySI);
  status.capacity["pods"] = Quantity::FromValue(options_.max_pods);
  status.capacity["ephemeral-storage"] =
      Quantity::FromValue(options_.ephemeral_storage_bytes, Quantity::Format::kBinarySI);
  status.allocatable = status.capacity;
  status.addresses = {NodeAddress{"InternalIP", internal_ip_, {}},
                      NodeAddress{"Hostname", options_.node_name, {}}};
  status.nodeInfo.kubeletVersion = kKubeletVersion;
  status.nodeInfo.kubeProxyVersion = kKubeletVersion;
  status.nodeInfo.containerRuntimeVersion = options_.runtime->Version();
  status.nodeInfo.operatingSystem = "linux";
  status.nodeInfo.architecture = "amd64";
  status.nodeInfo.osImage = absl::StrCat("orch ", options_.runtime->Name());
  status.nodeInfo.machineID = options_.node_name;
  status.nodeInfo.systemUUID = options_.node_name;
  std::vector<NodeCondition> conditions;
  for (const WantedCondition& want : kConditions) {
    NodeCondition c;
    c.type = want.type;
    c.status = want.status;
    c.reason = want.reason;
    c.message = want.message;
    c.lastHeartbeatTime = Time::Truncated(now);
    c.lastTransitionTime = Time::Truncated(now);
    for (const NodeCondition& old : current.conditions) {
      if (old.type != c.type) continue;
      if (old.status == c.status) c.lastTransitionTime = old.lastTransitionTime;
      // Unchanged conditions keep their heartbeat until the report interval forces a post.
      if (old.status == c.status && old.reason == c.reason && old.message == c.message) {
        c.lastHeartbeatTime = old.lastHeartbeatTime;
      }
      c.unknown = old.unknown;
    }
    conditions.push_back(std::move(c));
  }
  for (const NodeCondition& old : current.conditions) {
    bool ours = false;
    for (const WantedCondition& want : kConditions) ours = ours || old.type == want.type;
    if (!ours) conditions.push_back(old);
  }
  status.conditions = std::move(conditions);
  return status;
}

absl::Status NodeAgent::PostNodeStatus(bool force) {
  absl::StatusOr<Node> node = Get<Node>(shared_.client, "", options_.node_name);
  if (!node.ok()) return node.status();
  NodeStatus desired = DesiredStatus(node->status);
  const absl::Time now = shared_.loop.clock().Now();
  if (force) {
    for (NodeCondition& c : desired.conditions) c.lastHeartbeatTime = Time::Truncated(now);
  }
  if (desired == node->status) {
    posted_version_ = node->metadata.resourceVersion;
    return absl::OkStatus();
  }
  node->status = std::move(desired);
  node->metadata.resourceVersion.clear();
  absl::StatusOr<Node> written = UpdateStatus(shared_.client, *node);
  if (!written.ok()) return written.status();
  posted_version_ = written->metadata.resourceVersion;
  status_posted_ = now;
  return absl::OkStatus();
}

absl::Status NodeAgent::RenewLease() {
  Lease lease;
  lease.metadata.name = options_.node_name;
  lease.metadata.namespace_ = kLeaseNamespace;
  lease.metadata.ownerReferences = {
      OwnerReference{"v1", "Node", options_.node_name, node_uid_, std::nullopt, std::nullopt}};
  lease.spec.holderIdentity = options_.node_name;
  lease.spec.leaseDurationSeconds = static_cast<int32_t>(absl::ToInt64Seconds(options_.lease_duration));
  lease.spec.renewTime = Time{shared_.loop.clock().Now()};
  absl::StatusOr<Lease> written = Update(shared_.client, lease);
  if (IsNotFound(written.status())) written = Create(shared_.client, lease);
  return written.status();
}

void NodeAgent::Heartbeat() {
  heartbeat_timer_ = 0;
  if (dead_) return;
  // Failures are retried at the next beat, as kubelet does.
  (void)RenewLease();
  const absl::Time now = shared_.loop.clock().Now();
  const bool force = now - status_posted_ >= options_.status_report_interval;
  ObjectPtr cached = shared_.nodes.Get("", options_.node_name);
  if (force || cached == nullptr || cached->object.metadata.resourceVersion != posted_version_) {
    (void)PostNodeStatus(force);
  }
  heartbeat_timer_ = shared_.loop.PostAfter(options_.lease_renew_interval, [this] { Heartbeat(); });
}

void NodeAgent::OnPod(const ObjectPtr& object, bool deleted) {
  if (dead_) return;
  const std::string& uid = object->object.metadata.uid;
  auto it = workers_.find(uid);
  if (it == workers_.end()) {
    if (deleted) return;
    it =
        workers_.emplace(uid, std::make_unique<PodWorker>(*this, ObjectKey::Of(object->object.metadata), uid))
            .first;
  }
  ScheduleSync(*it->second);
}

void NodeAgent::ScheduleSync(PodWorker& worker) {
  if (dead_ || worker.sync_timer_ != 0) return;
  worker.sync_timer_ =
      shared_.loop.PostAt(shared_.loop.clock().Now(), [this, uid = worker.uid()] { SyncWorker(uid); });
}

void NodeAgent::SyncWorker(const std::string& uid) {
  auto it = workers_.find(uid);
  if (it == workers_.end()) return;
  it->second->sync_timer_ = 0;
  if (!it->second->Sync()) workers_.erase(it);
}

void NodeAgent::Kill() {
  dead_ = true;
  if (heartbeat_timer_ != 0) shared_.loop.Cancel(heartbeat_timer_);
  heartbeat_timer_ = 0;
  for (auto& [uid, worker] : workers_) worker->CancelTimers();
}

void NodeAgent::Revive() {
  if (!dead_) return;
  dead_ = false;
  Heartbeat();
  (void)PostNodeStatus(/*force=*/true);
  for (const ObjectPtr& pod : shared_.pods.ByIndex("spec.nodeName", options_.node_name)) OnPod(pod, false);
  // Pods deleted while the node was dead: their workers find them gone.
  for (auto& [uid, worker] : workers_) ScheduleSync(*worker);
}

void NodeAgent::TeardownAll() {
  for (auto& [uid, worker] : workers_) {
    worker->CancelTimers();
    worker->Teardown();
  }
  workers_.clear();
}

}  // namespace orch::agent
