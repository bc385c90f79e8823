// The node lifecycle controller: heartbeats to conditions to taints, and taint-based eviction. One
// queue holds node keys ("name") and pod keys ("namespace/name"); both reconciles are stateless but
// for the time each node's heartbeat was last seen to move (kept, as Kubernetes does, on the
// controller's own clock).
#include <algorithm>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/strings/str_cat.h"
#include "orch/api/types.h"
#include "orch/controllers.h"
#include "orch/errors.h"

namespace orch {
namespace {

constexpr const char* kLeaseNamespace = "kube-node-lease";
constexpr const char* kUnreachable = "node.kubernetes.io/unreachable";
constexpr const char* kNotReady = "node.kubernetes.io/not-ready";

const NodeCondition* ReadyCondition(const Node& node) {
  for (const NodeCondition& c : node.status.conditions) {
    if (c.type == "Ready") return &c;
  }
  return nullptr;
}

bool Tolerates(const Toleration& t, const Taint& taint) {
  if (!t.effect.empty() && t.effect != taint.effect) return false;
  if (!t.key.empty() && t.key != taint.key) return false;
  if (t.operator_ == "Exists") return true;
  return t.value == taint.value;
}

class NodeLifecycleController final : public Controller {
 public:
  explicit NodeLifecycleController(NodeLifecycleOptions options) : options_(options) {}

  absl::string_view Name() const override { return "node-lifecycle-controller"; }

  absl::Status Setup(ControllerContext& context) override {
    context_ = &context;
    nodes_ = &context.InformerFor<Node>();
    leases_ = &context.InformerFor<Lease>();
    pods_ = &context.InformerFor<Pod>();
    pods_->AddIndex("spec.nodeName", IndexByField("spec.nodeName"));
    WorkQueue& queue = context.queue();
    nodes_->AddHandler([&queue](const InformerEvent& event) {
      queue.Add({"", event.object->object.metadata.name});
    });
    leases_->AddHandler([this, &queue](const InformerEvent& event) {
      const ObjectMeta& meta = event.object->object.metadata;
      if (meta.namespace_ != kLeaseNamespace || event.type == WatchEventType::kDeleted) return;
      // Any write to a node's Lease is a renewal: note it without decoding; a node that was not
      // healthy is looked at again.
      Health& health = health_[meta.name];
      health.probe = context_->clock().Now();
      if (health.unhealthy || health.seen == absl::InfinitePast()) queue.Add({"", meta.name});
    });
    pods_->AddHandler([this, &queue](const InformerEvent& event) {
      if (!options_.taint_based_eviction || event.type == WatchEventType::kDeleted) return;
      const absl::string_view node = event.object->object.Field("spec.nodeName");
      if (!node.empty() && no_execute_.contains(node))
        queue.Add(ObjectKey::Of(event.object->object.metadata));
    });
    return absl::OkStatus();
  }

  absl::Status Reconcile(const ObjectKey& key) override {
    return key.namespace_.empty() ? ReconcileNode(key.name) : ReconcilePod(key);
  }

 private:
  struct Health {
    absl::Time probe = absl::InfinitePast();      // when the heartbeat was last seen to move
    absl::Time seen = absl::InfinitePast();       // when the node was first reconciled
    absl::Time heartbeat = absl::InfinitePast();  // the Ready condition's lastHeartbeatTime seen
    bool unhealthy = false;
  };

  absl::Status ReconcileNode(const std::string& name) {
    ObjectPtr object = nodes_->Get("", name);
    if (object == nullptr) {
      health_.erase(name);
      no_execute_.erase(name);
      return absl::OkStatus();
    }
    absl::StatusOr<Node> node = FromObject<Node>(object->object);
    if (!node.ok()) return absl::OkStatus();
    const absl::Time now = context_->clock().Now();
    Health& health = health_[name];
    if (health.seen == absl::InfinitePast()) {
      health.seen = now;
      if (health.probe == absl::InfinitePast()) health.probe = now;
    }
    const NodeCondition* ready = ReadyCondition(*node);
    if (ready != nullptr && ready->lastHeartbeatTime.value != health.heartbeat) {
      health.heartbeat = ready->lastHeartbeatTime.value;
      health.probe = now;
    }
    const absl::Duration grace =
        ready == nullptr ? options_.node_startup_grace_period : options_.node_monitor_grace_period;
    const bool expired = now >= health.probe + grace;
    if (expired && (ready == nullptr || ready->status != "Unknown")) {
      if (absl::Status s = MarkUnknown(*node, ready == nullptr); !s.ok()) return s;
      MarkPodsNotReady(name);
      ready = ReadyCondition(*node);
    }
    if (!expired) context_->queue().AddAfter({"", name}, health.probe + grace - now);
    const std::string ready_status = ready == nullptr ? "Unknown" : ready->status;
    health.unhealthy = ready_status != "True";
    if (absl::Status s = SyncTaints(*node, ready_status, now); !s.ok()) return s;

    bool has_no_execute = false;
    for (const Taint& taint : node->spec.taints)
      has_no_execute = has_no_execute || taint.effect == "NoExecute";
    if (has_no_execute && options_.taint_based_eviction) {
      no_execute_.insert(name);
      for (const ObjectPtr& pod : pods_->ByIndex("spec.nodeName", name)) {
        context_->queue().Add(ObjectKey::Of(pod->object.metadata));
      }
    } else {
      no_execute_.erase(name);
    }
    return absl::OkStatus();
  }

  // Sets every condition kubelet owns to Unknown, as the controller does when kubelet goes silent.
  absl::Status MarkUnknown(Node& node, bool never_posted) {
    const absl::Time now = context_->clock().Now();
    const char* reason = never_posted ? "NodeStatusNeverUpdated" : "NodeStatusUnknown";
    const char* message =
        never_posted ? "Kubelet never posted node status." : "Kubelet stopped posting node status.";
    bool found_ready = false;
    for (NodeCondition& c : node.status.conditions) {
      if (c.type != "Ready" && c.type != "MemoryPressure" && c.type != "DiskPressure" &&
          c.type != "PIDPressure")
        continue;
      found_ready = found_ready || c.type == "Ready";
      if (c.status != "Unknown") c.lastTransitionTime = Time::Truncated(now);
      c.status = "Unknown";
      c.reason = reason;
      c.message = message;
    }
    if (!found_ready) {
      NodeCondition ready;
      ready.type = "Ready";
      ready.status = "Unknown";
      ready.reason = reason;
      ready.message = message;
      ready.lastHeartbeatTime = Time::Truncated(now);
      ready.lastTransitionTime = Time::Truncated(now);
      node.status.conditions.push_back(std::move(ready));
    }
    absl::StatusOr<Node> written = UpdateStatus(context_->client(), node);
    if (!written.ok()) return written.status();
    node = *std::move(written);
    context_->recorder().Record(ToObject(node), "Normal", "NodeNotReady",
                                absl::StrCat("Node ", node.metadata.name, " status is now: NodeNotReady"));
    return absl::OkStatus();
  }

  void MarkPodsNotReady(const std::string& node_name) {
    const absl::Time now = context_->clock().Now();
    for (const ObjectPtr& object : pods_->ByIndex("spec.nodeName", node_name)) {
      absl::StatusOr<Pod> pod = FromObject<Pod>(object->object);
      if (!pod.ok()) continue;
      bool changed = false;
      for (PodCondition& c : pod->status.conditions) {
        if (c.type != "Ready" || c.status == "False") continue;
        c.status = "False";
        c.lastTransitionTime = Time::Truncated(now);
        changed = true;
      }
      if (!changed) continue;
      pod->metadata.resourceVersion.clear();
      // Best effort, as Kubernetes: a pod that changed meanwhile is marked at the next pass.
      if (UpdateStatus(context_->client(), *pod).ok()) {
        context_->recorder().Record(object->object, "Warning", "NodeNotReady", "Node is not ready");
      }
    }
  }

  absl::Status SyncTaints(Node& node, const std::string& ready_status, absl::Time now) {
    const char* wanted = ready_status == "Unknown" ? kUnreachable
                         : ready_status == "False" ? kNotReady
                                                   : nullptr;
    std::vector<Taint> taints;
    bool changed = false;
    bool have_execute = false, have_schedule = false;
    for (const Taint& taint : node.spec.taints) {
      const bool ours = taint.key == kUnreachable || taint.key == kNotReady;
      const bool keep = !ours || (wanted != nullptr && taint.key == wanted &&
                                  (taint.effect == "NoExecute" || taint.effect == "NoSchedule"));
      if (!keep) {
        changed = true;
        continue;
      }
      if (ours && taint.effect == "NoExecute") have_execute = true;
      if (ours && taint.effect == "NoSchedule") have_schedule = true;
      taints.push_back(taint);
    }
    if (wanted != nullptr && !have_schedule) {
      taints.push_back(Taint{wanted, "", "NoSchedule", Time{}, {}});
      changed = true;
    }
    if (wanted != nullptr && !have_execute) {
      taints.push_back(Taint{wanted, "", "NoExecute", Time::Truncated(now), {}});
      changed = true;
    }
    if (!changed) return absl::OkStatus();
    node.spec.taints = std::move(taints);
    // Conditional on the version read, so that a concurrent cordon is not undone.
    absl::StatusOr<Node> written = Update(context_->client(), node);
    if (!written.ok()) return written.status();
    node = *std::move(written);
    return absl::OkStatus();
  }

  absl::Status ReconcilePod(const ObjectKey& key) {
    if (!options_.taint_based_eviction) return absl::OkStatus();
    ObjectPtr object = pods_->Get(key.namespace_, key.name);
    if (object == nullptr || object->object.metadata.deletionTimestamp.IsSet()) return absl::OkStatus();
    const absl::string_view node_name = object->object.Field("spec.nodeName");
    if (node_name.empty()) return absl::OkStatus();
    ObjectPtr node_object = nodes_->Get("", node_name);
    if (node_object == nullptr) return absl::OkStatus();
    absl::StatusOr<Node> node = FromObject<Node>(node_object->object);
    absl::StatusOr<Pod> pod = FromObject<Pod>(object->object);
    if (!node.ok() || !pod.ok()) return absl::OkStatus();
    const absl::Time now = context_->clock().Now();
    absl::Time start = absl::InfiniteFuture();
    absl::Duration tolerated = absl::InfiniteDuration();
    bool any = false;
    for (const Taint& taint : node->spec.taints) {
      if (taint.effect != "NoExecute") continue;
      any = true;
      start = std::min(start, taint.timeAdded.IsSet() ? taint.timeAdded.value : now);
      bool matched = false;
      for (const Toleration& t : pod->spec.tolerations) {
        if (!Tolerates(t, taint)) continue;
        matched = true;
        if (t.tolerationSeconds.has_value()) {
          tolerated = std::min(tolerated, absl::Seconds(std::max<int64_t>(0, *t.tolerationSeconds)));
        }
      }
      if (!matched) {
        tolerated = absl::ZeroDuration();
        start = now;
      }
    }
    if (!any || tolerated == absl::InfiniteDuration()) return absl::OkStatus();
    const absl::Time trigger = start + tolerated;
    if (now < trigger) {
      context_->queue().AddAfter(key, trigger - now);
      return absl::OkStatus();
    }
    context_->recorder().Record(object->object, "Normal", "TaintManagerEviction",
                                absl::StrCat("Marking for deletion Pod ", key.ToString()));
    // Kubernetes' taint manager says why the pod goes before it deletes it (DisruptionTarget).
    if (pod->status.SetDisruptionTarget("DeletionByTaintManager",
                                        "Taint manager: deleting due to NoExecute taint",
                                        Time::Truncated(now))) {
      absl::Status s = UpdateStatus(context_->client(), *pod).status();
      if (IsNotFound(s)) return absl::OkStatus();
      if (!s.ok()) return s;  // a conflict: looked at again with the pod's new version
    }
    DeleteOptions options;
    options.preconditions.uid = object->object.metadata.uid;
    absl::Status s = Delete<Pod>(context_->client(), key.namespace_, key.name, options);
    if (IsNotFound(s) || IsConflict(s)) return absl::OkStatus();
    return s;
  }

  const NodeLifecycleOptions options_;
  ControllerContext* context_ = nullptr;
  Informer* nodes_ = nullptr;
  Informer* leases_ = nullptr;
  Informer* pods_ = nullptr;
  absl::flat_hash_map<std::string, Health> health_;
  absl::flat_hash_set<std::string> no_execute_;  // nodes with a NoExecute taint
};

}  // namespace

std::unique_ptr<Controller> NewNodeLifecycleController(NodeLifecycleOptions options) {
  return std::make_unique<NodeLifecycleController>(options);
}

}  // namespace orch
