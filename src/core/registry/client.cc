// The in-process client: what the API server does between a request and the store.
#include "orch/client.h"

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <type_traits>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "orch/api/types.h"
#include "orch/api/validation.h"
#include "orch/errors.h"
#include "src/core/api/admission.h"
#include "src/core/api/json_util.h"

namespace orch {
namespace {

using admission::Op;
using json::Json;

constexpr int kUpdateRetries = 16;

bool IsCoreKind(const ResourceType& type, absl::string_view kind) {
  return type.group.empty() && type.kind == kind;
}

// What the API server sets on create besides defaults: the status a new object starts with.
absl::Status PrepareForCreate(const ResourceType& type, Object* object) {
  if (IsCoreKind(type, "Pod")) {
    object->status = R"({"phase":"Pending"})";
    std::erase_if(object->fields, [](const auto& f) { return absl::StartsWith(f.first, "status."); });
    object->fields.emplace_back("status.phase", "Pending");
    std::sort(object->fields.begin(), object->fields.end());
  } else if (IsCoreKind(type, "Namespace")) {
    object->status = R"({"phase":"Active"})";
    object->fields = {{"status.phase", "Active"}};
  } else if (type.status_subresource && !IsCoreKind(type, "Node")) {
    // Deployments, ReplicaSets, Services and custom kinds with a status subresource start without one.
    object->status.clear();
    std::erase_if(object->fields, [](const auto& f) { return absl::StartsWith(f.first, "status."); });
  }
  return absl::OkStatus();
}

// The namespace of a write: a namespaced kind without one gets the client's default; on create, a
// cluster-scoped kind gets none.
void ScopeNamespace(const ResourceType& type, const std::string& default_namespace, Op op, ObjectMeta* meta) {
  if (type.namespaced && meta->namespace_.empty()) meta->namespace_ = default_namespace;
  if (!type.namespaced && op == Op::kCreate) meta->namespace_.clear();
}

// Kubernetes' DefaultTolerationSeconds admission: a pod tolerates its node being not-ready or
// unreachable for 300 s before taint-based eviction deletes it, unless it says otherwise.
void AdmitDefaultTolerations(Pod* pod) {
  bool not_ready = false, unreachable = false;
  for (const Toleration& t : pod->spec.tolerations) {
    const bool no_execute = t.effect.empty() || t.effect == "NoExecute";
    not_ready = not_ready || (no_execute && (t.key.empty() || t.key == "node.kubernetes.io/not-ready"));
    unreachable = unreachable || (no_execute && (t.key.empty() || t.key == "node.kubernetes.io/unreachable"));
  }
  if (!not_ready)
    pod->spec.tolerations.push_back({"node.kubernetes.io/not-ready", "Exists", "", "NoExecute", 300, {}});
  if (!unreachable) {
    pod->spec.tolerations.push_back({"node.kubernetes.io/unreachable", "Exists", "", "NoExecute", 300, {}});
  }
}

// What the API server changes in a created or replaced object of kind T before validating it: the
// kind's defaults and, for pods, the DefaultTolerationSeconds admission (on updates too, as
// Kubernetes' plugin: a replacement without the tolerations would remove them). Returns the Object
// to store: `object` encoded, or for a kind without defaults, `written` (the Object it was decoded
// from, if any) as it is.
template <class T>
absl::StatusOr<Object> Admit(T* object, Object* written) {
  if constexpr (!admission::kDefaulted<T>) {
    return written != nullptr ? std::move(*written) : ToObject(*object);
  } else {
    return admission::NoThrow("defaulting", [&]() -> absl::StatusOr<Object> {
      admission::Default(object);
      if constexpr (std::is_same_v<T, Pod>) AdmitDefaultTolerations(object);
      return ToObject(*object);
    });
  }
}

// Decodes an object written as an Object into T, turning anything thrown (a bug) into the Internal
// error of `step`, the step that decoded it before typed writes ("defaulting" or "validation").
template <class T>
absl::StatusOr<T> DecodeGuarded(const Object& object, absl::string_view step) {
  return admission::NoThrow(step, [&] { return FromObject<T>(object); });
}

// Decodes an Object of a built-in kind once and passes the struct to `typed`. Other kinds go to
// `untyped`, and so does an object that does not decode, for validation to word the error -- unless
// the write defaults the kind (`defaulting`), whose failed decode is then the defaulting step's error.
template <class Typed, class Untyped>
absl::StatusOr<ObjectPtr> WriteByKind(const Object& object, bool defaulting, Typed typed, Untyped untyped) {
  return admission::VisitKind(
      object.type,
      [&]<class T>(std::type_identity<T>) -> absl::StatusOr<ObjectPtr> {
        const bool defaulted = defaulting && admission::kDefaulted<T>;
        absl::StatusOr<T> decoded = DecodeGuarded<T>(object, defaulted ? "defaulting" : "validation");
        if (decoded.ok()) return typed(*std::move(decoded));
        if (defaulted) return decoded.status();
        return untyped();
      },
      untyped);
}

// Leaves the struct a create wrote in the stored object's typed view, so that in-process readers
// (informers, the scheduler, Create<T>'s result) need not decode what was just encoded. Debug
// builds check it against the decode it replaces.
void ShareCreated(Pod object, const StoredObject& stored) {
  object.status = PodStatus{};  // what PrepareForCreate stored
  object.status.phase = "Pending";
  object.metadata = stored.object.metadata;
#ifndef NDEBUG
  absl::StatusOr<Pod> decoded = FromObject<Pod>(stored.object);
  if (!decoded.ok() || !(*decoded == object)) {
    fprintf(stderr,
            "orch: internal error: the created pod %s/%s decodes differently from the struct written\n",
            stored.object.metadata.namespace_.c_str(), stored.object.metadata.name.c_str());
    abort();
  }
#endif
  stored.decoded.Offer(std::make_shared<const Pod>(std::move(object)));
}

// A pod not bound to a node, or finished, has no agent to stop it: it goes at once, whatever grace
// period was asked (Kubernetes' podStrategy.CheckGracefulDelete).
bool PodDeletedAtOnce(const Object& pod) {
  const absl::string_view phase = pod.Field("status.phase");
  return pod.Field("spec.nodeName").empty() || phase == "Succeeded" || phase == "Failed";
}

// The default grace period of a pod bound to a node and not finished (so its node agent can stop
// it): the pod's terminationGracePeriodSeconds, 30 when unset.
int64_t PodGracePeriod(const Object& pod) {
  Json spec = Json::parse(pod.spec, nullptr, /*allow_exceptions=*/false);
  if (spec.is_object()) {
    auto inner = spec.find("spec");
    if (inner != spec.end() && inner->is_object()) {
      auto grace = inner->find("terminationGracePeriodSeconds");
      if (grace != inner->end() && grace->is_number_integer())
        return std::max<int64_t>(0, grace->get<int64_t>());
    }
  }
  return 30;
}

}  // namespace

absl::StatusOr<const ResourceType*> Client::ResolveType(const TypeMeta& type) {
  const ResourceType* found = FindResourceTypeFor(type);
  if (found == nullptr) {
    return BadRequestError(
        absl::StrCat("no kind \"", type.kind, "\" is registered for version \"", type.apiVersion, "\""));
  }
  return found;
}

absl::Status EnsureSystemNamespaces(Store& store) {
  Client client(store);
  for (const char* name : {"default", "kube-system", "kube-public", "kube-node-lease"}) {
    Object ns;
    ns.type = {"v1", "Namespace"};
    ns.metadata.name = name;
    absl::StatusOr<ObjectPtr> created = client.CreateObject(ns);
    if (!created.ok() && !IsAlreadyExists(created.status())) return created.status();
  }
  return absl::OkStatus();
}

absl::Status Client::AdmitNamespace(const ResourceType& type, const std::string& namespace_) {
  if (!type.namespaced) return absl::OkStatus();
  const ResourceType* namespaces = FindResourceType("", "Namespace");
  absl::StatusOr<ObjectPtr> ns = store_.Get(*namespaces, "", namespace_);
  if (!ns.ok()) return ns.status();
  if ((*ns)->object.metadata.deletionTimestamp.IsSet()) {
    return absl::PermissionDeniedError(absl::StrCat("unable to create new content in namespace ", namespace_,
                                                    " because it is being terminated"));
  }
  return absl::OkStatus();
}

template <class T>
absl::StatusOr<ObjectPtr> Client::TypedWrites<T>::Create(Client& client, T object, Object* written,
                                                         const CreateOptions& options) {
  absl::StatusOr<const ResourceType*> type = TypeOf<T>();
  if (!type.ok()) return type.status();
  ScopeNamespace(**type, client.options_.default_namespace, Op::kCreate, &object.metadata);
  absl::StatusOr<Object> admitted = Admit(&object, written);
  if (!admitted.ok()) return admitted.status();
  if (absl::Status s = PrepareForCreate(**type, &*admitted); !s.ok()) return s;
  if (absl::Status s = admission::Validate(object, nullptr, Op::kCreate); !s.ok()) return s;
  absl::StatusOr<ObjectPtr> stored = client.FinishCreate(**type, *std::move(admitted), options);
  // Pods only: they are many and every in-process informer reads them. The struct of other kinds
  // can differ from its decode where the codec normalises (sub-second times in a node's conditions,
  // UnknownFields text set by hand); events are many but hardly read in-process.
  if constexpr (std::is_same_v<T, Pod>) {
    if (stored.ok()) ShareCreated(std::move(object), **stored);
  }
  return stored;
}

template <class T>
absl::StatusOr<ObjectPtr> Client::TypedWrites<T>::Update(Client& client, T object, Object* written) {
  absl::StatusOr<const ResourceType*> type = TypeOf<T>();
  if (!type.ok()) return type.status();
  ScopeNamespace(**type, client.options_.default_namespace, Op::kUpdate, &object.metadata);
  absl::StatusOr<Object> admitted = Admit(&object, written);
  if (!admitted.ok()) return admitted.status();
  return client.Replace(**type, *std::move(admitted), /*status_only=*/false,
                        [&](const Object& next, const Object& old) {
                          object.metadata = next.metadata;
                          return admission::Validate(object, &old, Op::kUpdate);
                        });
}

template <class T>
absl::StatusOr<ObjectPtr> Client::TypedWrites<T>::UpdateStatus(Client& client, T object, Object* written) {
  absl::StatusOr<const ResourceType*> type = TypeOf<T>();
  if (!type.ok()) return type.status();
  ScopeNamespace(**type, client.options_.default_namespace, Op::kStatus, &object.metadata);
  Object stored = written != nullptr ? std::move(*written) : ToObject(object);
  return client.Replace(**type, std::move(stored), /*status_only=*/true,
                        [&](const Object& next, const Object& old) {
                          object.metadata = next.metadata;
                          return admission::Validate(object, &old, Op::kStatus);
                        });
}

template struct Client::TypedWrites<Pod>;
template struct Client::TypedWrites<Event>;
template struct Client::TypedWrites<Node>;
template struct Client::TypedWrites<Namespace>;
template struct Client::TypedWrites<Service>;
template struct Client::TypedWrites<Endpoints>;
template struct Client::TypedWrites<ConfigMap>;
template struct Client::TypedWrites<ReplicaSet>;
template struct Client::TypedWrites<Deployment>;

// An object of a built-in kind is decoded once, here, and written as its struct; one that does not
// decode gets the error ApplyDefaults gives (kinds with defaults) or ValidateCreate gives.
absl::StatusOr<ObjectPtr> Client::CreateObject(Object object, const CreateOptions& options) {
  absl::StatusOr<const ResourceType*> type = ResolveType(object.type);
  if (!type.ok()) return type.status();
  ScopeNamespace(**type, options_.default_namespace, Op::kCreate, &object.metadata);
  return WriteByKind(
      object, /*defaulting=*/true,
      [&]<class T>(T typed) {
        static_assert(kWritesTyped<T>);
        return TypedWrites<T>::Create(*this, std::move(typed), &object, options);
      },
      [&] { return CreateUntyped(**type, std::move(object), options); });
}

absl::StatusOr<ObjectPtr> Client::CreateUntyped(const ResourceType& type, Object object,
                                                const CreateOptions& options) {
  if (absl::Status s = PrepareForCreate(type, &object); !s.ok()) return s;
  if (absl::Status s = ValidateCreate(object); !s.ok()) return s;
  return FinishCreate(type, std::move(object), options);
}

absl::StatusOr<ObjectPtr> Client::FinishCreate(const ResourceType& type, Object object,
                                               const CreateOptions& options) {
  if (absl::Status s = AdmitNamespace(type, object.metadata.namespace_); !s.ok()) return s;
  if (options.dry_run) {
    auto preview = std::make_shared<StoredObject>();
    preview->object = std::move(object);
    preview->json = EncodeObject(preview->object);
    return ObjectPtr(std::move(preview));
  }
  return store_.Create(std::move(object));
}

absl::StatusOr<ObjectPtr> Client::GetObject(const ResourceType& type, absl::string_view namespace_,
                                            absl::string_view name, const GetOptions& options) {
  return store_.Get(type, namespace_, name, options);
}

absl::StatusOr<ListResult> Client::ListObjects(const ResourceType& type, absl::string_view namespace_,
                                               const ListOptions& options) {
  return store_.List(type, namespace_, options);
}

// As CreateObject: one decode, and the errors ApplyDefaults or ValidateUpdate give for an object
// that does not decode.
absl::StatusOr<ObjectPtr> Client::UpdateObject(Object object) {
  absl::StatusOr<const ResourceType*> type = ResolveType(object.type);
  if (!type.ok()) return type.status();
  ScopeNamespace(**type, options_.default_namespace, Op::kUpdate, &object.metadata);
  return WriteByKind(
      object, /*defaulting=*/true,
      [&]<class T>(T typed) {
        static_assert(kWritesTyped<T>);
        return TypedWrites<T>::Update(*this, std::move(typed), &object);
      },
      [&] { return Replace(**type, std::move(object), /*status_only=*/false, ValidateUpdate); });
}

// Status is never defaulted: an object that does not decode gets ValidateStatusUpdate's error.
absl::StatusOr<ObjectPtr> Client::UpdateObjectStatus(Object object) {
  absl::StatusOr<const ResourceType*> type = ResolveType(object.type);
  if (!type.ok()) return type.status();
  ScopeNamespace(**type, options_.default_namespace, Op::kStatus, &object.metadata);
  return WriteByKind(
      object, /*defaulting=*/false,
      [&]<class T>(T typed) {
        static_assert(kWritesTyped<T>);
        return TypedWrites<T>::UpdateStatus(*this, std::move(typed), &object);
      },
      [&] { return Replace(**type, std::move(object), /*status_only=*/true, ValidateStatusUpdate); });
}

absl::StatusOr<ObjectPtr> Client::Replace(
    const ResourceType& type, Object object, bool status_only,
    absl::FunctionRef<absl::Status(const Object&, const Object&)> validate) {
  const bool unconditional = object.metadata.resourceVersion.empty();
  for (int attempt = 0;; ++attempt) {
    absl::StatusOr<ObjectPtr> old = store_.Get(type, object.metadata.namespace_, object.metadata.name);
    if (!old.ok()) return old.status();
    Object next = object;
    // Validate against the version the write will replace: the store checks it is still current.
    if (unconditional) next.metadata.resourceVersion = (*old)->object.metadata.resourceVersion;
    // A replacement without the system fields (kubectl replace of a manifest) keeps the stored ones.
    if (next.metadata.uid.empty()) next.metadata.uid = (*old)->object.metadata.uid;
    if (!next.metadata.creationTimestamp.IsSet()) {
      next.metadata.creationTimestamp = (*old)->object.metadata.creationTimestamp;
    }
    if (absl::Status s = validate(next, (*old)->object); !s.ok()) return s;
    absl::StatusOr<ObjectPtr> updated =
        status_only ? store_.UpdateStatus(std::move(next)) : store_.Update(std::move(next));
    if (unconditional && IsConflict(updated.status()) && attempt < kUpdateRetries) continue;
    return updated;
  }
}

absl::StatusOr<DeleteResult> Client::DeleteObject(const ResourceType& type, absl::string_view namespace_,
                                                  absl::string_view name,
                                                  const ClientDeleteOptions& options) {
  std::string ns =
      type.namespaced ? std::string(namespace_.empty() ? options_.default_namespace : namespace_) : "";
  const std::string& policy = options.propagationPolicy;
  if (!policy.empty() && policy != "Background" && policy != "Foreground" && policy != "Orphan") {
    return InvalidError("DeleteOptions", "",
                        absl::StrCat("propagationPolicy: Unsupported value: \"", policy,
                                     "\": supported values: \"Foreground\", \"Background\", \"Orphan\""));
  }
  if (options.gracePeriodSeconds && *options.gracePeriodSeconds < 0) {
    return InvalidError("DeleteOptions", "", "gracePeriodSeconds: Invalid value: must be non-negative");
  }
  if (IsCoreKind(type, "Namespace")) return DeleteNamespace(name, options);
  absl::StatusOr<ObjectPtr> current = store_.Get(type, ns, name);
  if (!current.ok()) return current.status();
  DeleteOptions store_options;
  store_options.preconditions = options.preconditions;
  store_options.gracePeriodSeconds = options.gracePeriodSeconds;
  if (IsCoreKind(type, "Pod")) {
    if (PodDeletedAtOnce((*current)->object)) {
      store_options.gracePeriodSeconds = 0;
    } else if (!store_options.gracePeriodSeconds) {
      store_options.gracePeriodSeconds = PodGracePeriod((*current)->object);
    }
  }
  if (policy == "Foreground" || policy == "Orphan") {
    // The garbage collector finishes these: it deletes (or releases) the dependents, then removes
    // the finalizer, which deletes the object.
    const char* finalizer = policy == "Foreground" ? "foregroundDeletion" : "orphan";
    Object marked = (*current)->object;
    std::vector<std::string>& finalizers = marked.metadata.finalizers;
    if (std::find(finalizers.begin(), finalizers.end(), finalizer) == finalizers.end()) {
      finalizers.push_back(finalizer);
      if (!store_options.preconditions.resourceVersion) {
        marked.metadata.resourceVersion = (*current)->object.metadata.resourceVersion;
      }
      absl::StatusOr<ObjectPtr> updated = store_.Update(std::move(marked));
      if (!updated.ok()) return updated.status();
      store_options.preconditions.resourceVersion.reset();
    }
  }
  return store_.Delete(type, ns, name, store_options);
}

absl::StatusOr<DeleteResult> Client::DeleteNamespace(absl::string_view name,
                                                     const ClientDeleteOptions& options) {
  const ResourceType* namespaces = FindResourceType("", "Namespace");
  absl::StatusOr<ObjectPtr> ns = store_.Get(*namespaces, "", name);
  if (!ns.ok()) return ns.status();
  // Deleting a namespace deletes everything in it first (what Kubernetes' namespace controller does
  // while the namespace is Terminating), here synchronously.
  for (const ResourceType* type : AllResourceTypes()) {
    if (!type->namespaced) continue;
    absl::StatusOr<ListResult> contents = store_.List(*type, name);
    if (!contents.ok()) return contents.status();
    for (const ObjectPtr& item : contents->items) {
      DeleteOptions now;
      now.gracePeriodSeconds = 0;
      absl::StatusOr<DeleteResult> deleted = store_.Delete(*type, name, item->object.metadata.name, now);
      if (!deleted.ok() && !IsNotFound(deleted.status())) return deleted.status();
    }
  }
  DeleteOptions store_options;
  store_options.preconditions = options.preconditions;
  return store_.Delete(*namespaces, "", name, store_options);
}

absl::StatusOr<std::unique_ptr<Watcher>> Client::WatchObjects(const ResourceType& type,
                                                              const WatchOptions& options) {
  return store_.Watch(type, options);
}

}  // namespace orch
