// orch::Client: what every controller, agent and tool talks to. An interface with the semantics of
// the Kubernetes API (defaults, validation, admission, the object rules kube-apiserver applies
// before its storage), so that code written against it runs unchanged in-process (NewLocalClient,
// over a Store) or against a remote server (the HTTP client).
//
//   std::unique_ptr<orch::Client> client = orch::NewLocalClient(*store, clock);
//   absl::StatusOr<orch::Pod> pod = orch::Create(*client, pod_spec);
//   auto pods = orch::List<orch::Pod>(*client, "default", "app=web");
//   auto watch = orch::Watch<orch::Deployment>(*client, "default", {.resourceVersion = "0"});
//
// The interface is untyped (orch::Object, by ResourceType); the typed calls over it (Get<T>,
// List<T>, Create, Update, Watch<T>, ...) are the free templates at the end of this header.
#ifndef ORCH_CLIENT_H_
#define ORCH_CLIENT_H_

#include <memory>
#include <optional>
#include <string>
#include <type_traits>
#include <variant>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "orch/api/codec.h"
#include "orch/api/kinds.h"
#include "orch/clock.h"
#include "orch/store.h"

namespace orch {

template <class List>
struct KindStructOf;
template <class... Kinds>
struct KindStructOf<KindList<Kinds...>> {
  using type = std::variant<const Kinds*...>;
};
// The struct of a built-in kind (BuiltinKinds, orch/api/kinds.h), for a write that has one in hand:
// the in-process client defaults, admits and validates it as it is, instead of decoding an
// encoding of it; a client with no use for the struct encodes it (Client's default).
using KindStruct = KindStructOf<BuiltinKinds>::type;
// Whether T is one of KindStruct's kinds.
template <class T>
inline constexpr bool kIsKindStruct = std::is_constructible_v<KindStruct, const T*>;
// The object a KindStruct encodes to (ToObject of the struct).
Object EncodeKindStruct(const KindStruct& object);

struct CreateOptions {
  // Validate and default, but write nothing (the API's dryRun=All).
  bool dry_run = false;
};

struct Preconditions {
  std::optional<std::string> uid;
  std::optional<std::string> resourceVersion;
};

struct DeleteOptions {
  Preconditions preconditions;
  // For pods: unset uses the pod's terminationGracePeriodSeconds once it is bound to a node; 0
  // deletes at once, and so does any value for a pod not bound or already finished (as Kubernetes).
  // Other kinds delete at once unless they have finalizers.
  std::optional<int64_t> gracePeriodSeconds;
  // "Background" (default), "Foreground" or "Orphan", as Kubernetes' propagationPolicy: Foreground
  // and Orphan add the finalizer ("foregroundDeletion", "orphan") the garbage collector acts on.
  std::string propagationPolicy;
};

struct DeleteResult {
  ObjectPtr object;  // the final state when deleted, or the marked object when not yet
  bool deleted = false;
};

// How a Patch's text is read.
enum class PatchType {
  kMerge,  // JSON merge patch, RFC 7386 (application/merge-patch+json)
  kJson,   // JSON patch, RFC 6902 (application/json-patch+json)
};

class Client {
 public:
  virtual ~Client() = default;

  // Creates an object of any registered kind: named, or named from metadata.generateName; a
  // namespaced kind without a namespace gets the client's default one. Defaults, admission and
  // validation as the API server; AlreadyExists when the name is taken.
  virtual absl::StatusOr<ObjectPtr> Create(Object object, const CreateOptions& options = {}) = 0;
  virtual absl::StatusOr<ObjectPtr> Get(const ResourceType& type, absl::string_view namespace_,
                                        absl::string_view name, const GetOptions& options = {}) = 0;
  virtual absl::StatusOr<ListResult> List(const ResourceType& type, absl::string_view namespace_,
                                          const ListOptions& options = {}) = 0;
  // Replaces the object (for a kind with a status subresource, all but its status). Without
  // metadata.resourceVersion the update is unconditional (retried on conflicts with concurrent
  // writers); with it, a stale version is a Conflict. An update that changes nothing writes nothing.
  virtual absl::StatusOr<ObjectPtr> Update(Object object) = 0;
  // Replaces the object's status alone (the status subresource).
  virtual absl::StatusOr<ObjectPtr> UpdateStatus(Object object) = 0;
  // OK when deleted or marked for deletion (graceful deletion, finalizers).
  virtual absl::StatusOr<DeleteResult> Delete(const ResourceType& type, absl::string_view namespace_,
                                              absl::string_view name, const DeleteOptions& options = {}) = 0;
  virtual absl::StatusOr<std::unique_ptr<Watcher>> Watch(const ResourceType& type,
                                                         const WatchOptions& options = {}) = 0;
  // Changes the object by a patch of `patch_type` (status is changed only through the status
  // subresource, so a patch of status members is ignored for a kind that has one), then updates it
  // as Update does, retried on conflicts unless the patch names a resourceVersion.
  virtual absl::StatusOr<ObjectPtr> Patch(const ResourceType& type, absl::string_view namespace_,
                                          absl::string_view name, PatchType patch_type,
                                          absl::string_view patch) = 0;
  // Assigns a pending pod to a node, as the API's pods/binding subresource: sets spec.nodeName and
  // the PodScheduled condition. Conflict when the pod is already assigned or is being deleted;
  // NotFound when no pod of that name has `uid` (empty `uid`: any).
  virtual absl::StatusOr<ObjectPtr> BindPod(absl::string_view namespace_, absl::string_view name,
                                            absl::string_view uid, absl::string_view node_name) = 0;

  // Writes of a built-in kind's struct (see KindStruct). By default they encode it and call
  // Create, Update or UpdateStatus; the in-process client writes the struct as it is.
  virtual absl::StatusOr<ObjectPtr> CreateKind(const KindStruct& object, const CreateOptions& options = {});
  virtual absl::StatusOr<ObjectPtr> UpdateKind(const KindStruct& object);
  virtual absl::StatusOr<ObjectPtr> UpdateStatusKind(const KindStruct& object);
};

struct LocalClientOptions {
  // The namespace given to namespaced objects written without one (kubectl's "default").
  std::string default_namespace = "default";
};

// The in-process client: the API server's registry (defaults, admission, validation, uid,
// generateName, generation, status subresources, graceful deletion, finalizers, namespace
// lifecycle) over `store`. `clock` stamps the times the registry writes (creationTimestamp,
// deletionTimestamp, the PodScheduled condition of a binding). Both must outlive the client.
// Thread-safe: it holds no state of its own besides options.
std::unique_ptr<Client> NewLocalClient(Store& store, Clock& clock, LocalClientOptions options = {});

// The namespaces every cluster has: default, kube-system, kube-public, kube-node-lease.
// Creates those that are missing.
absl::Status EnsureSystemNamespaces(Client& client);

// The registered ResourceType of apiVersion/kind, or BadRequest naming them.
absl::StatusOr<const ResourceType*> ResolveType(const TypeMeta& type);
template <class T>
absl::StatusOr<const ResourceType*> TypeOf() {
  return ResolveType(TypeMeta{T::kApiVersion, T::kKind});
}

// ---------------------------------------------------------------------------------------------------
// Typed calls: T is a kind of orch/api/types.h (or an application's, with FromObject/ToObject).

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

// Create, Update and UpdateStatus that return the stored object instead of decoding it as T, for a
// caller that needs no more than its metadata. A built-in kind's struct is written as it is (see
// KindStruct), so its UnknownFields must hold only members the struct does not model (as FromObject
// leaves them); other kinds are encoded (ToObject) and written as an Object.
template <class T>
absl::StatusOr<ObjectPtr> CreateFrom(Client& client, const T& object, const CreateOptions& options = {}) {
  if constexpr (kIsKindStruct<T>) {
    return client.CreateKind(&object, options);
  } else {
    return client.Create(ToObject(object), options);
  }
}
template <class T>
absl::StatusOr<ObjectPtr> UpdateFrom(Client& client, const T& object) {
  if constexpr (kIsKindStruct<T>) {
    return client.UpdateKind(&object);
  } else {
    return client.Update(ToObject(object));
  }
}
template <class T>
absl::StatusOr<ObjectPtr> UpdateStatusFrom(Client& client, const T& object) {
  if constexpr (kIsKindStruct<T>) {
    return client.UpdateStatusKind(&object);
  } else {
    return client.UpdateStatus(ToObject(object));
  }
}

// The stored object as T.
template <class T>
absl::StatusOr<T> AsTyped(absl::StatusOr<ObjectPtr> stored) {
  if (!stored.ok()) return stored.status();
  return TypedCopy<T>(**stored);
}

template <class T>
absl::StatusOr<T> Create(Client& client, const T& object, const CreateOptions& options = {}) {
  return AsTyped<T>(CreateFrom(client, object, options));
}
template <class T>
absl::StatusOr<T> Update(Client& client, const T& object) {
  return AsTyped<T>(UpdateFrom(client, object));
}
template <class T>
absl::StatusOr<T> UpdateStatus(Client& client, const T& object) {
  return AsTyped<T>(UpdateStatusFrom(client, object));
}
template <class T>
absl::StatusOr<T> Get(Client& client, absl::string_view namespace_, absl::string_view name) {
  absl::StatusOr<const ResourceType*> type = TypeOf<T>();
  if (!type.ok()) return type.status();
  return AsTyped<T>(client.Get(**type, namespace_, name));
}
template <class T>
absl::StatusOr<TypedList<T>> List(Client& client, absl::string_view namespace_,
                                  const ListOptions& options = {}) {
  absl::StatusOr<const ResourceType*> type = TypeOf<T>();
  if (!type.ok()) return type.status();
  absl::StatusOr<ListResult> list = client.List(**type, namespace_, options);
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
absl::StatusOr<TypedList<T>> List(Client& client, absl::string_view namespace_,
                                  absl::string_view label_selector) {
  absl::StatusOr<LabelSelector> selector = LabelSelector::Parse(label_selector);
  if (!selector.ok()) return selector.status();
  ListOptions options;
  options.labelSelector = std::move(*selector);
  return List<T>(client, namespace_, options);
}
// OK when deleted or marked for deletion.
template <class T>
absl::Status Delete(Client& client, absl::string_view namespace_, absl::string_view name,
                    const DeleteOptions& options = {}) {
  absl::StatusOr<const ResourceType*> type = TypeOf<T>();
  if (!type.ok()) return type.status();
  return client.Delete(**type, namespace_, name, options).status();
}
template <class T>
absl::StatusOr<std::unique_ptr<TypedWatch<T>>> Watch(Client& client, absl::string_view namespace_,
                                                     WatchOptions options = {}) {
  absl::StatusOr<const ResourceType*> type = TypeOf<T>();
  if (!type.ok()) return type.status();
  options.namespace_ = std::string(namespace_);
  absl::StatusOr<std::unique_ptr<Watcher>> watch = client.Watch(**type, options);
  if (!watch.ok()) return watch.status();
  return std::make_unique<TypedWatch<T>>(std::move(*watch));
}

}  // namespace orch

#endif  // ORCH_CLIENT_H_
