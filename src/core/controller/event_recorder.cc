#include "src/core/controller/event_recorder.h"

#include "absl/strings/str_cat.h"
#include "fmt/format.h"
#include "orch/api/types.h"

namespace orch {

ObjectReference EventRecorder::ReferenceTo(const Object& object) {
  ObjectReference reference;
  reference.apiVersion = object.type.apiVersion;
  reference.kind = object.type.kind;
  reference.namespace_ = object.metadata.namespace_;
  reference.name = object.metadata.name;
  reference.uid = object.metadata.uid;
  reference.resourceVersion = object.metadata.resourceVersion;
  return reference;
}

void ClientEventRecorder::Record(const ObjectReference& regarding, absl::string_view type,
                                 absl::string_view reason, absl::string_view message) {
  const absl::Time now = clock_.Now();
  const std::string aggregate_key =
      absl::StrCat(regarding.kind, "\x01", regarding.namespace_, "\x01", regarding.name, "\x01",
                   regarding.uid, "\x01", type, "\x01", reason, "\x01", message);
  auto it = seen_.find(aggregate_key);
  if (it != seen_.end()) {
    absl::StatusOr<Event> event = Get<Event>(client_, it->second.namespace_, it->second.name);
    if (event.ok()) {
      event->count = ++it->second.count;
      event->lastTimestamp = Time{now};
      event->metadata.resourceVersion.clear();  // unconditional: the newest count wins
      if (UpdateFrom(client_, *event).ok()) return;
    }
    seen_.erase(it);
  }
  if (seen_.size() >= kMaxSeen) seen_.clear();

  Event event;
  // Events about cluster-scoped objects (nodes) live in "default", as Kubernetes puts them.
  event.metadata.namespace_ = regarding.namespace_.empty() ? "default" : regarding.namespace_;
  event.metadata.name = fmt::format("{}.{:x}", regarding.name, absl::ToUnixNanos(now) + sequence_++);
  event.involvedObject = regarding;
  event.reason = std::string(reason);
  event.message = std::string(message);
  event.type = std::string(type);
  event.source.component = component_;
  event.source.host = host_;
  event.firstTimestamp = Time{now};
  event.lastTimestamp = Time{now};
  event.count = 1;
  event.reportingComponent = component_;
  event.reportingInstance = host_.empty() ? component_ : absl::StrCat(component_, "-", host_);
  // Encoded once, and the created event is not decoded again just to learn its name.
  absl::StatusOr<ObjectPtr> created = CreateFrom(client_, event);
  if (!created.ok()) return;
  const ObjectMeta& meta = (*created)->object.metadata;
  seen_[aggregate_key] = Seen{meta.namespace_, meta.name, 1, now};
}

}  // namespace orch
