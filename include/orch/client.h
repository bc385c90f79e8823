// The in-process client: typed and untyped access to a Store with the semantics the HTTP API has
// (defaults, validation, admission of namespaces, per-kind create/delete rules), so that code
// written against it moves unchanged to a remote server.
//
//   orch::Client client(*store);
//   absl::StatusOr<orch::Pod> pod = client.Create(pod_spec);
//   auto pods = client.List<orch::Pod>("default", "app=web");
//   auto watch = client.Watch<orch::Deployment>("default", {.resourceVersion = "0"});
//
// Thread-safe: a Client holds no state of its own besides options.
#ifndef ORCH_CLIENT_H_
#define ORCH_CLIENT_H_

#include <memory>
#include <optional>
#include <string>
#include <type_traits>
#include <vector>

#include "absl/functional/function_ref.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "orch/api/codec.h"
#include "orch/store.h"

namespace orch {

// The built-in kinds that Client writes from their structs (orch/types.h).
struct Namespace;
struct Node;
struct Pod;
struct Service;
struct Endpoints;
struct ConfigMap;
struct Event;
struct ReplicaSet;
struct Deployment;

struct ClientOptions {
  // The namespace given to namespaced objects created without one (kubectl's "default").
  std::string default_namespace = "default";
  // Stamps the times the client writes itself (the PodScheduled condition of a binding). Default:
  // the real clock. Must outlive the client.
  Clock* clock = nullptr;
};

struct CreateOptions {
  // Validate and default, but write nothing (the API's dryRun=All).
  bool dry_run = false;
};

struct ClientDeleteOptions {
  Preconditions preconditions;
  // For pods: unset uses the pod's terminationGracePeriodSeconds once it is bound to a node; 0
  // deletes at once, and so does any value for a pod not bound or already finished (as Kubernetes).
  // Other kinds delete at once unless they have finalizers.
  std::optional<int64_t> gracePeriodSeconds;
  // "Background" (default), "Foreground" or "Orphan", as Kubernetes' propagationPolicy: Foreground
  // and Orphan add the finalizer ("foregroundDeletion", "orphan") the garbage collector acts on.
  std::string propagationPolicy;
};

template <class T>
struct TypedList {
  std::vector<T> items;
  int64_t revision = 0;
  std::string continue_token;
};

template <class T>
struct TypedWatchEvent {
  WatchEventType type = WatchEventType::kAdded;
  T object;            // empty for ERROR; only metadata.resourceVersion for BOOKMARK
  absl::Status error;  // for ERROR
};

// A typed view of a watch. Thread-safe as orch::Watcher.
template <class T>
class TypedWatch {
 public:
  explicit TypedWatch(std::unique_ptr<Watcher> watch) : watch_(std::move(watch)) {}
  // The next event; an object that does not decode as T arrives as an ERROR event.
  std::optional<TypedWatchEvent<T>> Next(absl::Duration timeout) {
    std::optional<WatchEvent> event = watch_->Next(timeout);
    if (!event) return std::nullopt;
    TypedWatchEvent<T> typed;
    typed.type = event->type;
    typed.error = event->error;
    if (event->type == WatchEventType::kBookmark) {
      typed.object.metadata = event->object->object.metadata;
    } else if (event->object != nullptr) {
      absl::StatusOr<T> object = TypedCopy<T>(*event->object);
      if (object.ok()) {
        typed.object = std::move(*object);
      } else {
        typed.type = WatchEventType::kError;
        typed.error = object.status();
      }
    }
    return typed;
  }
  void SetNotify(std::function<void()> notify) { watch_->SetNotify(std::move(notify)); }
  void Stop() { watch_->Stop(); }
  Watcher& untyped() { return *watch_; }

 private:
  std::unique_ptr<Watcher> watch_;
};

// The namespaces every cluster has: default, kube-system, kube-public, kube-node-lease.
// Creates those that are missing.
absl::Status EnsureSystemNamespaces(Store& store);

class Client {
 public:
  explicit Client(Store& store, ClientOptions options = {}) : store_(store), options_(std::move(options)) {}

  Store& store() { return store_; }

  // Untyped calls, for any registered kind.
  absl::StatusOr<ObjectPtr> CreateObject(Object object, const CreateOptions& options = {});
  absl::StatusOr<ObjectPtr> GetObject(const ResourceType& type, absl::string_view namespace_,
                                      absl::string_view name, const GetOptions& options = {});
  absl::StatusOr<ListResult> ListObjects(const ResourceType& type, absl::string_view namespace_,
                                         const ListOptions& options = {});
  // Replaces the object. Without metadata.resourceVersion the update is unconditional (retried on
  // conflicts with concurrent writers); with it, a stale version is a Conflict.
  absl::StatusOr<ObjectPtr> UpdateObject(Object object);
  absl::StatusOr<ObjectPtr> UpdateObjectStatus(Object object);
  absl::StatusOr<DeleteResult> DeleteObject(const ResourceType& type, absl::string_view namespace_,
                                            absl::string_view name, const ClientDeleteOptions& options = {});
  absl::StatusOr<std::unique_ptr<Watcher>> WatchObjects(const ResourceType& type,
                                                        const WatchOptions& options = {});

  // What Apply did.
  enum class ApplyOutcome { kCreated, kConfigured, kUnchanged };
  struct ApplyResult {
    ObjectPtr object;
    ApplyOutcome outcome = ApplyOutcome::kCreated;
  };
  // Creates the object, or merges it into the existing one (JSON merge patch, RFC 7386: members it
  // sets replace, members it leaves out stay -- e.g. a pod's spec.nodeName, annotations controllers
  // wrote) and updates it; a merge that changes nothing writes nothing. A simple `kubectl apply`:
  // fields removed from a manifest are not removed from the object (that needs server-side apply).
  absl::StatusOr<ApplyResult> Apply(Object object);

  // Assigns a pending pod to a node, as the API's pods/binding subresource: sets spec.nodeName and
  // the PodScheduled condition. Conflict when the pod is already assigned or is being deleted;
  // NotFound when no pod of that name has `uid` (empty `uid`: any).
  absl::StatusOr<ObjectPtr> BindPod(absl::string_view namespace_, absl::string_view name,
                                    absl::string_view uid, absl::string_view node_name);

  // Typed calls: T is a kind of orch/types.h (or an application's, with FromObject/ToObject).
  template <class T>
  absl::StatusOr<T> Create(const T& object, const CreateOptions& options = {}) {
    return Typed<T>(CreateObjectFrom(object, options));
  }
  template <class T>
  absl::StatusOr<T> Get(absl::string_view namespace_, absl::string_view name) {
    absl::StatusOr<const ResourceType*> type = TypeOf<T>();
    if (!type.ok()) return type.status();
    return Typed<T>(GetObject(**type, namespace_, name));
  }
  template <class T>
  absl::StatusOr<TypedList<T>> List(absl::string_view namespace_, const ListOptions& options = {}) {
    absl::StatusOr<const ResourceType*> type = TypeOf<T>();
    if (!type.ok()) return type.status();
    absl::StatusOr<ListResult> list = ListObjects(**type, namespace_, options);
    if (!list.ok()) return list.status();
    TypedList<T> typed;
    typed.revision = list->revision;
    typed.continue_token = list->continue_token;
    typed.items.reserve(list->items.size());
    for (const ObjectPtr& item : list->items) {
      absl::StatusOr<T> object = TypedCopy<T>(*item);
      if (!object.ok()) return object.status();
      typed.items.push_back(std::move(*object));
    }
    return typed;
  }
  // List with a label selector given as text ("app=web,tier!=db").
  template <class T>
  absl::StatusOr<TypedList<T>> List(absl::string_view namespace_, absl::string_view label_selector) {
    absl::StatusOr<LabelSelector> selector = LabelSelector::Parse(label_selector);
    if (!selector.ok()) return selector.status();
    ListOptions options;
    options.labelSelector = std::move(*selector);
    return List<T>(namespace_, options);
  }
  template <class T>
  absl::StatusOr<T> Update(const T& object) {
    return Typed<T>(UpdateObjectFrom(object));
  }
  template <class T>
  absl::StatusOr<T> UpdateStatus(const T& object) {
    return Typed<T>(UpdateObjectStatusFrom(object));
  }
  // Create, Update and UpdateStatus that return the stored object, as the untyped calls do, instead
  // of decoding it as T: for a caller that needs no more than its metadata. A built-in kind (but
  // Lease) is defaulted, admitted and validated as the struct and encoded once, so its
  // UnknownFields must hold only members the struct does not model (as FromObject leaves them);
  // other kinds are encoded (ToObject) and written as an Object.
  template <class T>
  absl::StatusOr<ObjectPtr> CreateObjectFrom(const T& object, const CreateOptions& options = {}) {
    if constexpr (kWritesTyped<T>) {
      return TypedWrites<T>::Create(*this, object, nullptr, options);
    } else {
      return CreateObject(ToObject(object), options);
    }
  }
  template <class T>
  absl::StatusOr<ObjectPtr> UpdateObjectFrom(const T& object) {
    if constexpr (kWritesTyped<T>) {
      return TypedWrites<T>::Update(*this, object, nullptr);
    } else {
      return UpdateObject(ToObject(object));
    }
  }
  template <class T>
  absl::StatusOr<ObjectPtr> UpdateObjectStatusFrom(const T& object) {
    if constexpr (kWritesTyped<T>) {
      return TypedWrites<T>::UpdateStatus(*this, object, nullptr);
    } else {
      return UpdateObjectStatus(ToObject(object));
    }
  }
  // OK when deleted or marked for deletion.
  template <class T>
  absl::Status Delete(absl::string_view namespace_, absl::string_view name,
                      const ClientDeleteOptions& options = {}) {
    absl::StatusOr<const ResourceType*> type = TypeOf<T>();
    if (!type.ok()) return type.status();
    return DeleteObject(**type, namespace_, name, options).status();
  }
  template <class T>
  absl::StatusOr<std::unique_ptr<TypedWatch<T>>> Watch(absl::string_view namespace_,
                                                       WatchOptions options = {}) {
    absl::StatusOr<const ResourceType*> type = TypeOf<T>();
    if (!type.ok()) return type.status();
    options.namespace_ = std::string(namespace_);
    absl::StatusOr<std::unique_ptr<Watcher>> watch = WatchObjects(**type, options);
    if (!watch.ok()) return watch.status();
    return std::make_unique<TypedWatch<T>>(std::move(*watch));
  }

  template <class T>
  static absl::StatusOr<const ResourceType*> TypeOf() {
    return ResolveType(TypeMeta{T::kApiVersion, T::kKind});
  }
  // The registered ResourceType of apiVersion/kind, or BadRequest naming them.
  static absl::StatusOr<const ResourceType*> ResolveType(const TypeMeta& type);

 private:
  template <class T>
  static absl::StatusOr<T> Typed(absl::StatusOr<ObjectPtr> stored) {
    if (!stored.ok()) return stored.status();
    return TypedCopy<T>(**stored);
  }

  // Whether T is one of the built-in kinds written through TypedWrites.
  template <class T>
  static constexpr bool kWritesTyped =
      std::is_same_v<T, Namespace> || std::is_same_v<T, Node> || std::is_same_v<T, Pod> ||
      std::is_same_v<T, Service> || std::is_same_v<T, Endpoints> || std::is_same_v<T, ConfigMap> ||
      std::is_same_v<T, Event> || std::is_same_v<T, ReplicaSet> || std::is_same_v<T, Deployment>;
  // The writes of a built-in kind T from its struct (client.cc): decoded once, if at all, then
  // defaulted, admitted, validated and encoded once. `written` is the Object the caller wrote, when
  // it wrote one and `object` was decoded from it (a kind without defaults is stored as written).
  template <class T>
  struct TypedWrites {
    static absl::StatusOr<ObjectPtr> Create(Client& client, T object, Object* written,
                                            const CreateOptions& options);
    static absl::StatusOr<ObjectPtr> Update(Client& client, T object, Object* written);
    static absl::StatusOr<ObjectPtr> UpdateStatus(Client& client, T object, Object* written);
  };

  // A create of a kind without typed admission: PrepareForCreate, ValidateCreate, FinishCreate.
  absl::StatusOr<ObjectPtr> CreateUntyped(const ResourceType& type, Object object,
                                          const CreateOptions& options);
  // The last steps of every create: the namespace must admit the object; then the store, unless a
  // dry run.
  absl::StatusOr<ObjectPtr> FinishCreate(const ResourceType& type, Object object,
                                         const CreateOptions& options);
  // Replaces the stored object (`status_only`: its status) after validate(next, stored) passes
  // against the version the write replaces. Without metadata.resourceVersion the write is
  // unconditional, and retried (validated again) on conflicts.
  absl::StatusOr<ObjectPtr> Replace(const ResourceType& type, Object object, bool status_only,
                                    absl::FunctionRef<absl::Status(const Object&, const Object&)> validate);
  absl::Status AdmitNamespace(const ResourceType& type, const std::string& namespace_);
  absl::StatusOr<DeleteResult> DeleteNamespace(absl::string_view name, const ClientDeleteOptions& options);

  Store& store_;
  const ClientOptions options_;
};

}  // namespace orch

#endif  // ORCH_CLIENT_H_
