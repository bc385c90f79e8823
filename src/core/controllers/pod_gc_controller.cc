// The pod garbage collector, as Kubernetes' podgc controller: removes pods that nothing else will.
//   - Orphaned: bound to a Node that does not exist. After a quarantine (a Node may be on its way)
//     and a check against the store, the pod is marked Failed with a DisruptionTarget condition
//     (reason DeletionByPodGC) and deleted at once: no agent is there to stop it.
//   - Terminating and never scheduled: no agent will finish the graceful delete; deleted at once.
//   - Terminated (Succeeded or Failed) beyond a threshold: the oldest are deleted.
// Kubernetes runs these checks every 20 s; here each is driven by the pod and node events that can
// make it true, with the quarantine as a delayed key.
#include <algorithm>
#include <string>

#include "absl/container/flat_hash_set.h"
#include "absl/strings/str_cat.h"
#include "orch/api/types.h"
#include "orch/controllers.h"
#include "orch/errors.h"
#include "src/core/controllers/controller_util.h"

namespace orch {
namespace {

constexpr char kNodeIndex[] = "spec.nodeName";
// The key of the terminated-pods check: a namespace no object can have.
const ObjectKey kTerminatedKey{"\x01", "terminated-pods"};

std::string FullName(const ObjectMeta& meta) { return absl::StrCat(meta.namespace_, "/", meta.name); }

class PodGcController final : public Controller {
 public:
  explicit PodGcController(PodGcOptions options) : options_(options) {}

  absl::string_view Name() const override { return "pod-garbage-collector"; }

  absl::Status Setup(ControllerContext& context) override {
    context_ = &context;
    pods_ = &context.InformerFor<Pod>();
    nodes_ = &context.InformerFor<Node>();
    pods_->AddIndex(kNodeIndex, IndexByField(kNodeIndex));
    pods_->AddHandler([this](const InformerEvent& event) {
      const Object& pod = event.object->object;
      if (event.type == WatchEventType::kDeleted) {
        terminated_.erase(FullName(pod.metadata));
        return;
      }
      const ObjectKey key = ObjectKey::Of(pod.metadata);
      const absl::string_view node = pod.Field("spec.nodeName");
      if (node.empty() && pod.metadata.deletionTimestamp.IsSet()) context_->queue().Add(key);
      if (!node.empty() && nodes_->Get("", node) == nullptr)
        context_->queue().AddAfter(key, options_.quarantine);
      if (options_.terminated_pod_threshold > 0 && IsPodTerminated(pod) &&
          terminated_.insert(FullName(pod.metadata)).second &&
          static_cast<int64_t>(terminated_.size()) > options_.terminated_pod_threshold) {
        context_->queue().Add(kTerminatedKey);
      }
    });
    // A Node deleted: its pods are orphans once the quarantine has passed.
    nodes_->AddHandler([this](const InformerEvent& event) {
      if (event.type != WatchEventType::kDeleted) return;
      for (const ObjectPtr& pod : pods_->ByIndex(kNodeIndex, event.object->object.metadata.name)) {
        context_->queue().AddAfter(ObjectKey::Of(pod->object.metadata), options_.quarantine);
      }
    });
    return absl::OkStatus();
  }

  absl::Status Reconcile(const ObjectKey& key) override {
    if (key == kTerminatedKey) return DeleteOldestTerminated();
    ObjectPtr stored = pods_->Get(key.namespace_, key.name);
    if (stored == nullptr) return absl::OkStatus();
    const Object& pod = stored->object;
    const std::string node(pod.Field("spec.nodeName"));
    if (node.empty()) {
      return pod.metadata.deletionTimestamp.IsSet() ? ForceDelete(pod) : absl::OkStatus();
    }
    if (nodes_->Get("", node) != nullptr) return absl::OkStatus();
    // The cache may lag behind a Node just created: ask the store before deleting.
    absl::StatusOr<Node> live = Get<Node>(context_->client(), "", node);
    if (live.ok()) return absl::OkStatus();
    if (!absl::IsNotFound(live.status())) return live.status();
    if (absl::Status s = MarkFailed(*stored); !s.ok() && !absl::IsNotFound(s) && !IsConflict(s)) return s;
    return ForceDelete(pod);
  }

 private:
  // Kubernetes' podgc: the pod's phase becomes Failed (unless it ended already) and it gets a
  // DisruptionTarget condition saying why it goes.
  absl::Status MarkFailed(const StoredObject& stored) {
    absl::StatusOr<Pod> pod = TypedCopy<Pod>(stored);
    if (!pod.ok()) return pod.status();
    bool changed = false;
    if (!pod->Terminated()) {
      pod->status.phase = "Failed";
      changed = true;
    }
    changed |= pod->status.SetDisruptionTarget("DeletionByPodGC", "PodGC: node no longer exists",
                                               Time::Truncated(context_->clock().Now()));
    if (!changed) return absl::OkStatus();
    return UpdateStatus(context_->client(), *pod).status();
  }

  absl::Status ForceDelete(const Object& pod) {
    DeleteOptions options;
    options.preconditions.uid = pod.metadata.uid;
    options.gracePeriodSeconds = 0;
    absl::StatusOr<DeleteResult> deleted =
        context_->client().Delete(pods_->type(), pod.metadata.namespace_, pod.metadata.name, options);
    if (deleted.ok() || absl::IsNotFound(deleted.status()) || IsConflict(deleted.status()))
      return absl::OkStatus();
    return deleted.status();
  }

  absl::Status DeleteOldestTerminated() {
    std::vector<ObjectPtr> terminated;
    for (const ObjectPtr& pod : pods_->List("")) {
      if (IsPodTerminated(pod->object) && !pod->object.metadata.deletionTimestamp.IsSet())
        terminated.push_back(pod);
    }
    const int64_t surplus = static_cast<int64_t>(terminated.size()) - options_.terminated_pod_threshold;
    if (surplus <= 0) return absl::OkStatus();
    // Oldest first (Kubernetes sorts by creation time).
    std::sort(terminated.begin(), terminated.end(), [](const ObjectPtr& a, const ObjectPtr& b) {
      return a->object.metadata.creationTimestamp.value < b->object.metadata.creationTimestamp.value;
    });
    for (int64_t i = 0; i < surplus; ++i) {
      if (absl::Status s = ForceDelete(terminated[static_cast<size_t>(i)]->object); !s.ok()) return s;
    }
    return absl::OkStatus();
  }

  const PodGcOptions options_;
  ControllerContext* context_ = nullptr;
  Informer* pods_ = nullptr;
  Informer* nodes_ = nullptr;
  // The terminated pods ("namespace/name"), whose number beyond the threshold starts a check.
  absl::flat_hash_set<std::string> terminated_;
};

}  // namespace

std::unique_ptr<Controller> NewPodGcController(PodGcOptions options) {
  return std::make_unique<PodGcController>(options);
}

}  // namespace orch
