// Controllers: reconcilers fed by watches through rate-limited work queues, all on one EventLoop.
//
// A controller says in Setup() which kinds it watches (shared, cached Informers) and which keys an
// event puts on its WorkQueue; the loop then calls Reconcile(key) for each queued key, one at a
// time. A key queued several times before it is reconciled is reconciled once; a Reconcile that
// fails is retried after an exponential backoff (5 ms doubling up to 1000 s, as client-go's default
// per-item limiter). An application registers its own controllers, for its own kinds, the same way
// the built-in ReplicaSet and Deployment controllers are registered (orch::Cluster::AddController).
//
//   class MyController final : public orch::Controller {
//     absl::string_view Name() const override { return "my-controller"; }
//     absl::Status Setup(orch::ControllerContext& context) override {
//       context_ = &context;
//       context.InformerFor<orch::ConfigMap>().AddHandler(orch::EnqueueObject(context.queue()));
//       return absl::OkStatus();
//     }
//     absl::Status Reconcile(const orch::ObjectKey& key) override { ... }
//   };
//
// Everything here belongs to the loop thread unless it says otherwise.
#ifndef ORCH_CONTROLLER_H_
#define ORCH_CONTROLLER_H_

#include <compare>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "orch/api/core_v1.h"
#include "orch/api/object.h"
#include "orch/client.h"
#include "orch/loop.h"
#include "orch/store.h"

namespace orch {

// The namespace and name of an object; the namespace is empty for cluster-scoped kinds.
struct ObjectKey {
  std::string namespace_;
  std::string name;

  // "namespace/name", or "name" without a namespace (client-go's MetaNamespaceKey).
  std::string ToString() const { return namespace_.empty() ? name : namespace_ + "/" + name; }
  static ObjectKey Of(const ObjectMeta& meta) { return {meta.namespace_, meta.name}; }

  friend bool operator==(const ObjectKey&, const ObjectKey&) = default;
  friend auto operator<=>(const ObjectKey&, const ObjectKey&) = default;
  template <typename H>
  friend H AbslHashValue(H h, const ObjectKey& key) {
    return H::combine(std::move(h), key.namespace_, key.name);
  }
};

// A change an Informer applied to its cache.
struct InformerEvent {
  WatchEventType type = WatchEventType::kAdded;  // kAdded, kModified or kDeleted
  ObjectPtr object;                              // the new state; for kDeleted the last one
  ObjectPtr old;                                 // for kModified, the state before
};
using InformerHandler = std::function<void(const InformerEvent&)>;

// A cache of every object of one kind, kept current by one watch and shared by every controller
// that reads the kind. Reads never touch the store. The cache may lag the store by the events not
// yet delivered to the loop: a controller that must not act twice on its own writes tracks them
// (as Kubernetes' "expectations").
class Informer {
 public:
  virtual ~Informer() = default;
  virtual const ResourceType& type() const = 0;
  virtual ObjectPtr Get(absl::string_view namespace_, absl::string_view name) const = 0;
  // The objects of one namespace (empty: all namespaces) whose labels match, by namespace then name.
  virtual std::vector<ObjectPtr> List(absl::string_view namespace_,
                                      const LabelSelector& selector = {}) const = 0;
  virtual size_t size() const = 0;
  // The store revision the cache reflects.
  virtual int64_t revision() const = 0;
  // `handler` runs after each change to the cache. Added after the cache was filled, it is first
  // called with an ADDED event for every object already there.
  virtual void AddHandler(InformerHandler handler) = 0;
  // A secondary index: ByIndex(name, v) finds the objects whose `values` include v (e.g. pods by
  // spec.nodeName, or by the uid of their controller). The name is the index's identity: adding
  // one by a name already there keeps the first, so users of a shared informer may all ask for it.
  virtual void AddIndex(const std::string& name,
                        std::function<std::vector<std::string>(const Object&)> values) = 0;
  virtual std::vector<ObjectPtr> ByIndex(absl::string_view name, absl::string_view value) const = 0;
};

// Keys waiting to be reconciled: each key at most once, in the order first added, with delayed and
// rate-limited (backed-off) adds.
class WorkQueue {
 public:
  virtual ~WorkQueue() = default;
  virtual void Add(const ObjectKey& key) = 0;
  // Adds the key once `delay` has passed on the loop's clock (at once when not positive).
  virtual void AddAfter(const ObjectKey& key, absl::Duration delay) = 0;
  // Adds the key after its backoff: base * 2^(times rate-limited since the last Forget), capped.
  virtual void AddRateLimited(const ObjectKey& key) = 0;
  // Resets the key's backoff (after a successful reconcile).
  virtual void Forget(const ObjectKey& key) = 0;
  virtual int NumRequeues(const ObjectKey& key) const = 0;
  // Keys queued now (not counting delayed ones).
  virtual size_t size() const = 0;
};

struct WorkQueueOptions {
  absl::Duration base_delay = absl::Milliseconds(5);
  absl::Duration max_delay = absl::Seconds(1000);
};

// Writes Event objects, aggregated as Kubernetes' recorder does: the same type, reason and message
// about the same object again bumps `count` and `lastTimestamp` of one Event instead of adding one.
class EventRecorder {
 public:
  virtual ~EventRecorder() = default;
  // `type` is "Normal" or "Warning". Failures to write are dropped (events are best effort).
  virtual void Record(const ObjectReference& regarding, absl::string_view type, absl::string_view reason,
                      absl::string_view message) = 0;
  void Record(const Object& regarding, absl::string_view type, absl::string_view reason,
              absl::string_view message) {
    Record(ReferenceTo(regarding), type, reason, message);
  }
  static ObjectReference ReferenceTo(const Object& object);
};

// What a controller is given to do its work. Lives as long as the controller.
class ControllerContext {
 public:
  virtual ~ControllerContext() = default;
  virtual Client& client() = 0;
  virtual EventLoop& loop() = 0;
  Clock& clock() { return loop().clock(); }
  // The shared informer of a kind, started (filled) on first use.
  virtual Informer& InformerFor(const ResourceType& type) = 0;
  template <class T>
  Informer& InformerFor() {
    return InformerFor(**TypeOf<T>());
  }
  // This controller's queue.
  virtual WorkQueue& queue() = 0;
  // Records events with this controller's name as their source.
  virtual EventRecorder& recorder() = 0;
};

class Controller {
 public:
  virtual ~Controller() = default;
  // "replicaset-controller": names the controller in events and errors.
  virtual absl::string_view Name() const = 0;
  // Called once, on the loop thread, before any Reconcile: register informer handlers here.
  virtual absl::Status Setup(ControllerContext& context) = 0;
  // Brings the object named by `key` to its desired state. An error retries the key with backoff;
  // OK forgets its backoff. The object may be gone from the cache (deleted): clean up and return OK.
  virtual absl::Status Reconcile(const ObjectKey& key) = 0;
};

// Handlers for the common cases: enqueue the object itself, or the owner of kind `owner_kind` (with
// controller: true) named in its ownerReferences.
InformerHandler EnqueueObject(WorkQueue& queue);
InformerHandler EnqueueControllerOf(WorkQueue& queue, absl::string_view owner_kind);
// An index for Informer::AddIndex by a selectable field ("spec.nodeName"): objects with the field
// empty are not indexed.
std::function<std::vector<std::string>(const Object&)> IndexByField(std::string field);

// Runs controllers on a loop: creates their contexts, the shared informers and the queues. The
// Cluster facade owns one; a custom control plane can own its own. Loop thread only, except where
// said; must be destroyed on the loop thread or while the loop is not running.
class ControllerManager {
 public:
  virtual ~ControllerManager() = default;
  static std::unique_ptr<ControllerManager> Create(Client& client, EventLoop& loop,
                                                   WorkQueueOptions queue_options = {});
  // Sets the controller up and starts reconciling its keys.
  virtual absl::Status Add(std::unique_ptr<Controller> controller) = 0;
  virtual Informer& InformerFor(const ResourceType& type) = 0;
  // Stops every watch and drops queued work; Reconcile is not called again.
  virtual void Stop() = 0;
  // An event recorder for a component that is not a controller (the scheduler, a node agent).
  virtual std::unique_ptr<EventRecorder> NewRecorder(absl::string_view component,
                                                     absl::string_view host = "") = 0;
};

}  // namespace orch

#endif  // ORCH_CONTROLLER_H_
