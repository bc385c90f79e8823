// The scheduler on the control loop: keeps the scheduler cache from pod and node watches, queues
// pending pods, and schedules one pod per loop callback -- filter and score (scheduler.h), bind
// through the client, record Scheduled / FailedScheduling, and preempt lower-priority pods when
// nothing fits. Unschedulable pods are retried when the cluster changes in a way that may help,
// after their backoff, and at the latest after five minutes.
#include "absl/strings/str_cat.h"
#include "orch/api/types.h"
#include "orch/controllers.h"
#include "orch/errors.h"
#include "src/core/scheduler/cache.h"
#include "src/core/scheduler/queue.h"
#include "src/core/scheduler/scheduler.h"

namespace orch {
namespace {

using scheduler::ClusterEvent;
using scheduler::QueuedPod;
using scheduler::SchedulerCache;
using scheduler::ScheduleResult;
using scheduler::SchedulingQueue;

// How often the pods left unschedulable are looked at (kube-scheduler flushes every 30 s).
constexpr absl::Duration kLeftoverFlushPeriod = absl::Seconds(30);

class SchedulerController final : public Controller {
 public:
  explicit SchedulerController(SchedulerProfile profile) : algorithm_(std::move(profile), &cache_) {}

  absl::string_view Name() const override { return algorithm_.profile().name; }

  absl::Status Setup(ControllerContext& context) override {
    context_ = &context;
    recorder_ = &context.recorder();
    context.InformerFor<Namespace>().AddHandler([this](const InformerEvent& event) {
      const ObjectMeta& meta = event.object->object.metadata;
      if (event.type == WatchEventType::kDeleted) {
        cache_.RemoveNamespace(meta.name);
      } else {
        cache_.SetNamespaceLabels(meta.name, meta.labels);
      }
    });
    context.InformerFor<Node>().AddHandler([this](const InformerEvent& event) { OnNode(event); });
    pods_ = &context.InformerFor<Pod>();
    pods_->AddHandler([this](const InformerEvent& event) { OnPod(event); });
    ScheduleLeftoverFlush();
    return absl::OkStatus();
  }

  // The scheduler runs from its own priority queue, not from keys.
  absl::Status Reconcile(const ObjectKey&) override { return absl::OkStatus(); }

 private:
  bool Responsible(const Pod& pod) const {
    return pod.spec.schedulerName.empty() || pod.spec.schedulerName == algorithm_.profile().name;
  }

  void OnNode(const InformerEvent& event) {
    const absl::Time now = context_->clock().Now();
    if (event.type == WatchEventType::kDeleted) {
      cache_.RemoveNode(event.object->object.metadata.name);
      queue_.MoveAllToActiveOrBackoff(ClusterEvent::kNodeDelete, now);
      return;
    }
    // Not Decoded<Node>: no other reader shares a node's versions, so keeping the struct would only
    // cost memory (each heartbeat is a new version).
    absl::StatusOr<Node> node = FromObject<Node>(event.object->object);
    if (!node.ok()) return;
    const NodeInfo* before = cache_.GetNode(node->metadata.name);
    const bool existed = before != nullptr;
    SchedResources allocatable;
    Labels labels;
    std::vector<NodeTaint> taints;
    bool unschedulable = false;
    if (existed) {
      allocatable = before->allocatable();
      labels = before->labels();
      taints = before->taints();
      unschedulable = before->unschedulable();
    }
    cache_.UpsertNode(*node);
    const NodeInfo* after = cache_.GetNode(node->metadata.name);
    // Heartbeats and condition changes do not make pods fit: only what the filters read does.
    const bool changed = !existed || after->allocatable() != allocatable || after->labels() != labels ||
                         after->taints() != taints || after->unschedulable() != unschedulable;
    if (changed) {
      queue_.MoveAllToActiveOrBackoff(existed ? ClusterEvent::kNodeUpdate : ClusterEvent::kNodeAdd, now);
      ScheduleSoon();
    }
  }

  void OnPod(const InformerEvent& event) {
    const absl::Time now = context_->clock().Now();
    const Object& object = event.object->object;
    const std::string& uid = object.metadata.uid;
    const std::string node_name(object.Field("spec.nodeName"));
    if (event.type == WatchEventType::kDeleted || (!node_name.empty() && IsPodTerminated(object))) {
      queue_.Delete(uid);
      algorithm_.nominated().Remove(uid);
      if (cache_.GetPod(uid) != nullptr) {
        cache_.RemovePod(uid);
        queue_.MoveAllToActiveOrBackoff(ClusterEvent::kAssignedPodDelete, now);
        ScheduleSoon();
      }
      return;
    }
    if (!node_name.empty()) {
      queue_.Delete(uid);
      algorithm_.nominated().Remove(uid);
      // The binding we made, confirmed by the store: nothing to decode.
      const PodInfo* known = cache_.GetPod(uid);
      if (known != nullptr && known->nodeName == node_name && event.old != nullptr &&
          event.old->object.metadata.labels == object.metadata.labels &&
          event.old->object.metadata.deletionTimestamp == object.metadata.deletionTimestamp &&
          (cache_.IsAssumed(uid) || event.old->object.spec == object.spec)) {
        if (cache_.IsAssumed(uid)) (void)cache_.AddPod(*known);
        return;
      }
      absl::StatusOr<std::shared_ptr<const Pod>> pod = Decoded<Pod>(*event.object);
      if (!pod.ok()) return;
      const bool added = known == nullptr;
      (void)cache_.AddPod(PodInfo::FromPod(**pod));
      queue_.MoveAllToActiveOrBackoff(
          added ? ClusterEvent::kAssignedPodAdd : ClusterEvent::kAssignedPodUpdate, now);
      ScheduleSoon();
      return;
    }
    // A pending pod.
    if (object.metadata.deletionTimestamp.IsSet()) {
      queue_.Delete(uid);
      algorithm_.nominated().Remove(uid);
      return;
    }
    if (event.old != nullptr && event.old->object.spec == object.spec &&
        event.old->object.metadata.labels == object.metadata.labels && queue_.Contains(uid)) {
      return;  // a status change of its own (e.g. our PodScheduled=False) does not requeue it
    }
    absl::StatusOr<std::shared_ptr<const Pod>> pod = Decoded<Pod>(*event.object);
    if (!pod.ok() || !Responsible(**pod)) return;
    PodInfo info = PodInfo::FromPod(**pod);
    algorithm_.nominated().Set(info);  // e.g. nominated before a restart, or no longer
    if (event.type == WatchEventType::kAdded) {
      queue_.Add(std::move(info), now);
    } else {
      queue_.Update(std::move(info), now);
    }
    ScheduleSoon();
  }

  void ScheduleSoon() {
    if (posted_ || queue_.ActiveSize() == 0) {
      ArmBackoffTimer();
      return;
    }
    posted_ = true;
    context_->loop().Post([this, alive = std::weak_ptr<bool>(alive_)] {
      if (alive.lock() == nullptr) return;
      posted_ = false;
      ScheduleOne();
      ScheduleSoon();
    });
  }

  // Wakes the loop when the earliest backoff ends, so pods leave the backoff queue on time.
  void ArmBackoffTimer() {
    std::optional<absl::Time> expiry = queue_.NextBackoffExpiry();
    if (!expiry || (backoff_timer_ && backoff_timer_at_ <= *expiry)) return;
    if (backoff_timer_) context_->loop().Cancel(*backoff_timer_);
    backoff_timer_at_ = *expiry;
    backoff_timer_ = context_->loop().PostAt(*expiry, [this, alive = std::weak_ptr<bool>(alive_)] {
      if (alive.lock() == nullptr) return;
      backoff_timer_.reset();
      queue_.FlushBackoffCompleted(context_->clock().Now());
      ScheduleSoon();
    });
  }

  void ScheduleLeftoverFlush() {
    context_->loop().PostAfter(kLeftoverFlushPeriod, [this, alive = std::weak_ptr<bool>(alive_)] {
      if (alive.lock() == nullptr) return;
      queue_.FlushUnschedulableLeftover(context_->clock().Now());
      ScheduleSoon();
      ScheduleLeftoverFlush();
    });
  }

  void ScheduleOne() {
    const absl::Time now = context_->clock().Now();
    std::optional<QueuedPod> queued = queue_.Pop(now);
    if (!queued) return;
    const PodInfo& pod = queued->pod;
    ObjectPtr stored = pods_->Get(pod.namespace_, pod.name);
    if (stored == nullptr || stored->object.metadata.uid != pod.uid ||
        !stored->object.Field("spec.nodeName").empty()) {
      queue_.Done(pod.uid);
      return;
    }
    ScheduleResult result = algorithm_.Schedule(pod);
    if (!result.node.empty()) {
      Bind(std::move(*queued), result.node, now);
      return;
    }
    std::string message =
        result.fit_error ? result.fit_error->Message() : "no nodes available to schedule pods";
    recorder_->Record(stored->object, "Warning", "FailedScheduling", message);
    // The condition first: the nomination below is written on top of it (the other way round, this
    // write would be based on the version before the nomination and conflict).
    MarkUnschedulable(stored, message);
    if (result.preemption) {
      Preempt(pod, *result.preemption);
      // The room on the nominated node is kept for it from now on, not only once the store says so.
      queued->pod.nominatedNodeName = result.preemption->nominated_node;
      algorithm_.nominated().Set(queued->pod);
    }
    if (result.fit_error) queued->unschedulable_plugins = result.fit_error->unschedulable_plugins;
    queue_.AddUnschedulable(std::move(*queued), now);
  }

  void Bind(QueuedPod queued, const std::string& node, absl::Time now) {
    const PodInfo& pod = queued.pod;
    if (absl::Status s = cache_.AssumePod(pod, node); !s.ok()) {
      queue_.AddBackoff(std::move(queued), now);
      return;
    }
    absl::StatusOr<ObjectPtr> bound = context_->client().BindPod(pod.namespace_, pod.name, pod.uid, node);
    if (!bound.ok()) {
      (void)cache_.ForgetPod(pod.uid);
      if (absl::IsNotFound(bound.status()) || IsConflict(bound.status())) {
        queue_.Done(pod.uid);  // deleted or bound by someone else: the watch tells the rest
      } else {
        queue_.AddBackoff(std::move(queued), now);
      }
      return;
    }
    queue_.Done(pod.uid);
    algorithm_.nominated().Remove(pod.uid);
    recorder_->Record((*bound)->object, "Normal", "Scheduled",
                      absl::StrCat("Successfully assigned ", pod.namespace_, "/", pod.name, " to ", node));
  }

  // Evicts the victims and nominates the node; the pod waits for their deletions to make room.
  void Preempt(const PodInfo& preemptor, const scheduler::Preemption& preemption) {
    for (const PodInfo& victim : preemption.victims) {
      ObjectPtr stored = pods_->Get(victim.namespace_, victim.name);
      if (stored == nullptr || stored->object.metadata.deletionTimestamp.IsSet()) continue;
      recorder_->Record(
          stored->object, "Normal", "Preempted",
          absl::StrCat("Preempted by pod ", preemptor.uid, " on node ", preemption.nominated_node));
      if (!MarkDisruptionTarget(*stored)) continue;
      DeleteOptions options;
      options.preconditions.uid = victim.uid;
      (void)Delete<Pod>(context_->client(), victim.namespace_, victim.name, options);
    }
    absl::StatusOr<Pod> pod = Get<Pod>(context_->client(), preemptor.namespace_, preemptor.name);
    if (!pod.ok() || pod->status.nominatedNodeName == preemption.nominated_node) return;
    pod->status.nominatedNodeName = preemption.nominated_node;
    (void)UpdateStatus(context_->client(), *pod);
  }

  // As Kubernetes' scheduler, tells a victim why it goes before deleting it (DisruptionTarget).
  // Whether the victim may be deleted: not when its status could not be written.
  bool MarkDisruptionTarget(const StoredObject& victim) {
    absl::StatusOr<Pod> pod = TypedCopy<Pod>(victim);
    // The cache may be behind the store (its agent wrote the status): one more try on the latest.
    for (int attempt = 0; pod.ok() && pod->metadata.uid == victim.object.metadata.uid; ++attempt) {
      if (!pod->status.SetDisruptionTarget(
              "PreemptionByScheduler",
              absl::StrCat(algorithm_.profile().name, ": preempting to accommodate a higher priority pod"),
              Time::Truncated(context_->clock().Now()))) {
        return true;
      }
      absl::Status status = UpdateStatus(context_->client(), *pod).status();
      if (status.ok()) return true;
      if (!IsConflict(status) || attempt > 0) return false;
      pod = Get<Pod>(context_->client(), pod->metadata.namespace_, pod->metadata.name);
    }
    return false;
  }

  // PodScheduled=False with reason Unschedulable, as `kubectl get pods` and describe show it.
  void MarkUnschedulable(const ObjectPtr& stored, const std::string& message) {
    absl::StatusOr<Pod> pod = FromObject<Pod>(stored->object);
    if (!pod.ok()) return;
    PodCondition& scheduled = pod->status.EnsureCondition("PodScheduled");
    if (scheduled.status == "False" && scheduled.reason == "Unschedulable" && scheduled.message == message)
      return;
    if (scheduled.status != "False") {
      scheduled.lastTransitionTime = Time::Truncated(context_->clock().Now());
    }
    scheduled.status = "False";
    scheduled.reason = "Unschedulable";
    scheduled.message = message;
    (void)UpdateStatus(context_->client(), *pod);
  }

  ControllerContext* context_ = nullptr;
  EventRecorder* recorder_ = nullptr;
  Informer* pods_ = nullptr;
  SchedulerCache cache_;
  scheduler::Scheduler algorithm_;
  SchedulingQueue queue_;
  bool posted_ = false;
  std::optional<EventLoop::TimerId> backoff_timer_;
  absl::Time backoff_timer_at_;
  std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);
};

}  // namespace

std::unique_ptr<Controller> NewScheduler(SchedulerProfile profile) {
  return std::make_unique<SchedulerController>(std::move(profile));
}

}  // namespace orch
