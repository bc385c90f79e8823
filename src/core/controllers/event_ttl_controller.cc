// The event TTL controller: deletes each Event a fixed time after it was last written, as the
// Kubernetes API server does with its --event-ttl (one hour by default; etcd drops the Event when
// the lease attached by its last write runs out). Without it, Events, which the scheduler, the
// controllers and the node agents record all the time, would fill a long-running store.
#include <algorithm>

#include "orch/api/types.h"
#include "orch/controllers.h"
#include "orch/errors.h"

namespace orch {
namespace {

// When an Event was last written: the newest of its timestamps (a recorder bumps lastTimestamp,
// or series.lastObservedTime for the events.k8s.io shape, whenever it counts a repeat).
absl::Time LastWritten(const Event& event) {
  absl::Time last = event.metadata.creationTimestamp.value;
  last = std::max(last, event.lastTimestamp.value);
  last = std::max(last, event.eventTime.value);
  if (event.series) last = std::max(last, event.series->lastObservedTime.value);
  return last;
}

class EventTtlController final : public Controller {
 public:
  explicit EventTtlController(absl::Duration ttl) : ttl_(ttl) {}

  absl::string_view Name() const override { return "event-ttl-controller"; }

  absl::Status Setup(ControllerContext& context) override {
    context_ = &context;
    events_ = &context.InformerFor<Event>();
    events_->AddHandler([this](const InformerEvent& event) {
      if (event.type != WatchEventType::kDeleted)
        context_->queue().Add(ObjectKey::Of(event.object->object.metadata));
    });
    return absl::OkStatus();
  }

  absl::Status Reconcile(const ObjectKey& key) override {
    ObjectPtr stored = events_->Get(key.namespace_, key.name);
    if (stored == nullptr) return absl::OkStatus();
    absl::StatusOr<Event> event = TypedCopy<Event>(*stored);
    if (!event.ok()) return absl::OkStatus();  // the store accepted it; nothing to read a time from
    const absl::Time expires = LastWritten(*event) + ttl_;
    const absl::Time now = context_->clock().Now();
    if (now < expires) {
      // A later write of the Event queues it again and this check pushes the expiry on.
      context_->queue().AddAfter(key, expires - now);
      return absl::OkStatus();
    }
    DeleteOptions options;
    options.preconditions.uid = event->metadata.uid;
    options.preconditions.resourceVersion = event->metadata.resourceVersion;  // not one written since
    absl::StatusOr<DeleteResult> deleted =
        context_->client().Delete(events_->type(), key.namespace_, key.name, options);
    if (deleted.ok() || absl::IsNotFound(deleted.status())) return absl::OkStatus();
    if (IsConflict(deleted.status())) {
      context_->queue().Add(key);  // written meanwhile: look again at its new time
      return absl::OkStatus();
    }
    return deleted.status();
  }

 private:
  const absl::Duration ttl_;
  ControllerContext* context_ = nullptr;
  Informer* events_ = nullptr;
};

}  // namespace

std::unique_ptr<Controller> NewEventTtlController(absl::Duration ttl) {
  return std::make_unique<EventTtlController>(ttl);
}

}  // namespace orch
