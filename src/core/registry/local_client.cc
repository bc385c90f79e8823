// The in-process client's writes: the typed pipeline, then the registry's rules over the store.
#include "src/core/registry/local_client.h"

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <type_traits>

#include "absl/strings/str_cat.h"
#include "orch/api/types.h"
#include "orch/api/validation.h"
#include "orch/errors.h"
#include "src/core/api/admission.h"
#include "src/core/api/json_util.h"

namespace orch {
namespace registry {
namespace {

using admission::Op;
using json::Json;

// How many names a create from generateName tries before it gives up.
constexpr int kGenerateNameAttempts = 8;

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

// A stored version as the result of a dry run: what would be written, not written.
ObjectPtr Preview(Object object) {
  auto preview = std::make_shared<StoredObject>();
  preview->object = std::move(object);
  preview->json = EncodeObject(preview->object);
  return preview;
}

}  // namespace

template <class T>
absl::StatusOr<ObjectPtr> LocalClient::CreateTyped(T object, Object* written, const CreateOptions& options) {
  absl::StatusOr<const ResourceType*> type = TypeOf<T>();
  if (!type.ok()) return type.status();
  ScopeNamespace(**type, options_.default_namespace, Op::kCreate, &object.metadata);
  absl::StatusOr<Object> admitted = Admit(&object, written);
  if (!admitted.ok()) return admitted.status();
  PrepareForCreate(**type, &*admitted);
  if (absl::Status s = admission::Validate(object, nullptr, Op::kCreate); !s.ok()) return s;
  absl::StatusOr<ObjectPtr> stored = FinishCreate(**type, *std::move(admitted), options);
  // Pods only: they are many and every in-process informer reads them. The struct of other kinds
  // can differ from its decode where the codec normalises (sub-second times in a node's conditions,
  // UnknownFields text set by hand); events are many but hardly read in-process.
  if constexpr (std::is_same_v<T, Pod>) {
    if (stored.ok() && !options.dry_run) ShareCreated(std::move(object), **stored);
  }
  return stored;
}

template <class T>
absl::StatusOr<ObjectPtr> LocalClient::UpdateTyped(T object, Object* written) {
  absl::StatusOr<const ResourceType*> type = TypeOf<T>();
  if (!type.ok()) return type.status();
  ScopeNamespace(**type, options_.default_namespace, Op::kUpdate, &object.metadata);
  absl::StatusOr<Object> admitted = Admit(&object, written);
  if (!admitted.ok()) return admitted.status();
  return Replace(**type, *std::move(admitted), WriteKind::kMain, [&](const Object& next, const Object& old) {
    object.metadata = next.metadata;
    return admission::Validate(object, &old, Op::kUpdate);
  });
}

template <class T>
absl::StatusOr<ObjectPtr> LocalClient::UpdateStatusTyped(T object, Object* written) {
  absl::StatusOr<const ResourceType*> type = TypeOf<T>();
  if (!type.ok()) return type.status();
  ScopeNamespace(**type, options_.default_namespace, Op::kStatus, &object.metadata);
  Object stored = written != nullptr ? std::move(*written) : ToObject(object);
  return Replace(**type, std::move(stored), WriteKind::kStatus, [&](const Object& next, const Object& old) {
    object.metadata = next.metadata;
    return admission::Validate(object, &old, Op::kStatus);
  });
}

absl::StatusOr<ObjectPtr> LocalClient::CreateKind(const KindStruct& object, const CreateOptions& options) {
  return std::visit([&](const auto* typed) { return CreateTyped(*typed, nullptr, options); }, object);
}

absl::StatusOr<ObjectPtr> LocalClient::UpdateKind(const KindStruct& object) {
  return std::visit([&](const auto* typed) { return UpdateTyped(*typed, nullptr); }, object);
}

absl::StatusOr<ObjectPtr> LocalClient::UpdateStatusKind(const KindStruct& object) {
  return std::visit([&](const auto* typed) { return UpdateStatusTyped(*typed, nullptr); }, object);
}

// An object of a built-in kind is decoded once, here, and written as its struct; one that does not
// decode gets the error ApplyDefaults gives (kinds with defaults) or ValidateCreate gives.
absl::StatusOr<ObjectPtr> LocalClient::Create(Object object, const CreateOptions& options) {
  absl::StatusOr<const ResourceType*> type = ResolveType(object.type);
  if (!type.ok()) return type.status();
  ScopeNamespace(**type, options_.default_namespace, Op::kCreate, &object.metadata);
  return WriteByKind(
      object, /*defaulting=*/true,
      [&]<class T>(T typed) {
        static_assert(kIsKindStruct<T>);
        return CreateTyped<T>(std::move(typed), &object, options);
      },
      [&] { return CreateUntyped(**type, std::move(object), options); });
}

absl::StatusOr<ObjectPtr> LocalClient::CreateUntyped(const ResourceType& type, Object object,
                                                     const CreateOptions& options) {
  PrepareForCreate(type, &object);
  if (absl::Status s = ValidateCreate(object); !s.ok()) return s;
  return FinishCreate(type, std::move(object), options);
}

absl::StatusOr<ObjectPtr> LocalClient::FinishCreate(const ResourceType& type, Object object,
                                                    const CreateOptions& options) {
  if (absl::Status s = AdmitNamespace(type, object.metadata.namespace_); !s.ok()) return s;
  StampCreate(clock_.Now(), &object.metadata);
  const bool generated = object.metadata.name.empty();
  const std::string generate_name = object.metadata.generateName;
  if (generated && generate_name.empty()) {
    return InvalidError(type.kind, "", "metadata.name: Required value: name or generateName is required");
  }
  for (int attempt = 0;; ++attempt) {
    if (generated) object.metadata.name = generate_name + RandomSuffix();
    if (options.dry_run) return Preview(std::move(object));
    if (!generated) return store_.Create(std::move(object));
    // Another name when this one is taken: the object is kept for the next attempt.
    absl::StatusOr<ObjectPtr> created = store_.Create(object);
    if (!absl::IsAlreadyExists(created.status())) return created;
    if (attempt + 1 == kGenerateNameAttempts)
      return AlreadyExistsError(type.QualifiedResource(), generate_name + "*");
  }
}

// Lists and watches select with the kind's field labels converted, as the API server does.
absl::StatusOr<ListResult> LocalClient::List(const ResourceType& type, absl::string_view namespace_,
                                             const ListOptions& options) {
  if (type.field_label_aliases.empty() || options.fieldSelector.Empty())
    return store_.List(type, namespace_, options);
  ListOptions resolved = options;
  resolved.fieldSelector = options.fieldSelector.WithAliasesResolved(type);
  return store_.List(type, namespace_, resolved);
}

absl::StatusOr<std::unique_ptr<Watcher>> LocalClient::Watch(const ResourceType& type,
                                                            const WatchOptions& options) {
  if (type.field_label_aliases.empty() || options.fieldSelector.Empty()) return store_.Watch(type, options);
  WatchOptions resolved = options;
  resolved.fieldSelector = options.fieldSelector.WithAliasesResolved(type);
  return store_.Watch(type, resolved);
}

absl::Status LocalClient::AdmitNamespace(const ResourceType& type, const std::string& namespace_) {
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

// As Create: one decode, and the errors ApplyDefaults or ValidateUpdate give for an object that
// does not decode.
absl::StatusOr<ObjectPtr> LocalClient::Update(Object object) {
  absl::StatusOr<const ResourceType*> type = ResolveType(object.type);
  if (!type.ok()) return type.status();
  ScopeNamespace(**type, options_.default_namespace, Op::kUpdate, &object.metadata);
  return WriteByKind(
      object, /*defaulting=*/true,
      [&]<class T>(T typed) {
        static_assert(kIsKindStruct<T>);
        return UpdateTyped<T>(std::move(typed), &object);
      },
      [&] { return Replace(**type, std::move(object), WriteKind::kMain, ValidateUpdate); });
}

// Status is never defaulted: an object that does not decode gets ValidateStatusUpdate's error.
absl::StatusOr<ObjectPtr> LocalClient::UpdateStatus(Object object) {
  absl::StatusOr<const ResourceType*> type = ResolveType(object.type);
  if (!type.ok()) return type.status();
  ScopeNamespace(**type, options_.default_namespace, Op::kStatus, &object.metadata);
  return WriteByKind(
      object, /*defaulting=*/false,
      [&]<class T>(T typed) {
        static_assert(kIsKindStruct<T>);
        return UpdateStatusTyped<T>(std::move(typed), &object);
      },
      [&] { return Replace(**type, std::move(object), WriteKind::kStatus, ValidateStatusUpdate); });
}

absl::StatusOr<ObjectPtr> LocalClient::Replace(const ResourceType& type, Object object, WriteKind write,
                                               Validate validate) {
  const bool unconditional = object.metadata.resourceVersion.empty();
  for (int attempt = 0;; ++attempt) {
    absl::StatusOr<ObjectPtr> old = store_.Get(type, object.metadata.namespace_, object.metadata.name);
    if (!old.ok()) return old.status();
    const ObjectMeta& stored = (*old)->object.metadata;
    if (!unconditional && object.metadata.resourceVersion != stored.resourceVersion) {
      return ConflictError(
          type.QualifiedResource(), object.metadata.name,
          "the object has been modified; please apply your changes to the latest version and try "
          "again");
    }
    if (!object.metadata.uid.empty()) {
      const Preconditions same_uid{.uid = object.metadata.uid};
      if (absl::Status s = CheckPreconditions(type, object.metadata.name, same_uid, stored); !s.ok())
        return s;
    }
    // Validate against the version the write replaces (the store checks it is still current),
    // with the system fields a replacement left out (kubectl replace of a manifest) as stored.
    Object checked = object;
    checked.metadata.resourceVersion = stored.resourceVersion;
    if (checked.metadata.uid.empty()) checked.metadata.uid = stored.uid;
    if (!checked.metadata.creationTimestamp.IsSet())
      checked.metadata.creationTimestamp = stored.creationTimestamp;
    if (absl::Status s = validate(checked, (*old)->object); !s.ok()) return s;
    absl::StatusOr<ObjectPtr> written =
        Commit(type, NextVersion(type, std::move(checked), (*old)->object, write), *old);
    if (unconditional && IsConflict(written.status()) && attempt < kConflictRetries) continue;
    return written;
  }
}

absl::StatusOr<ObjectPtr> LocalClient::Commit(const ResourceType& type, Object next, const ObjectPtr& old) {
  if (next == old->object) return old;  // an update that changes nothing writes nothing
  if (Finalized(next.metadata)) {
    return store_.Delete(type, next.metadata.namespace_, next.metadata.name, old->revision);
  }
  return store_.Update(std::move(next), old->revision);
}

absl::StatusOr<ObjectPtr> LocalClient::Patch(const ResourceType& type, absl::string_view namespace_,
                                             absl::string_view name, PatchType patch_type,
                                             absl::string_view patch) {
  std::string ns(type.namespaced && namespace_.empty() ? absl::string_view(options_.default_namespace)
                                                       : namespace_);
  Json parsed = Json::parse(patch, nullptr, /*allow_exceptions=*/false);
  if (parsed.is_discarded()) return BadRequestError("the patch is not valid JSON");
  if (patch_type == PatchType::kMerge && !parsed.is_object()) {
    return BadRequestError("a merge patch must be a JSON object");
  }
  if (patch_type == PatchType::kJson && !parsed.is_array()) {
    return BadRequestError("a JSON patch must be an array of operations");
  }
  for (int attempt = 0;; ++attempt) {
    absl::StatusOr<ObjectPtr> current = store_.Get(type, ns, name);
    if (!current.ok()) return current.status();
    Json document = Json::parse((*current)->json, nullptr, /*allow_exceptions=*/false);
    if (document.is_discarded()) return absl::InternalError("cannot re-read an encoded object");
    absl::Status applied = admission::NoThrow("patch", [&]() -> absl::Status {
      if (patch_type == PatchType::kMerge) {
        document.merge_patch(parsed);
      } else {
        document = document.patch(parsed);
      }
      return absl::OkStatus();
    });
    if (!applied.ok()) {
      return InvalidError(type.kind, name, absl::StrCat("the patch cannot be applied: ", applied.message()));
    }
    absl::StatusOr<Object> patched = DecodeObject(document.dump());
    if (!patched.ok()) return patched.status();
    if (patched->type != (*current)->object.type ||
        patched->metadata.name != (*current)->object.metadata.name ||
        (type.namespaced && patched->metadata.namespace_ != ns)) {
      return InvalidError(type.kind, name,
                          "the patch may not change apiVersion, kind, metadata.name or metadata.namespace");
    }
    // A patch that names no resourceVersion applies to whatever version is current, and is
    // applied again to a newer one on a conflict.
    const bool conditional = patched->metadata.resourceVersion != (*current)->object.metadata.resourceVersion;
    absl::StatusOr<ObjectPtr> updated = Update(*std::move(patched));
    if (!conditional && IsConflict(updated.status()) && attempt < kConflictRetries) continue;
    return updated;
  }
}

absl::StatusOr<DeleteResult> LocalClient::Delete(const ResourceType& type, absl::string_view namespace_,
                                                 absl::string_view name, const DeleteOptions& options) {
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
  return DeleteWithRules(type, ns, name, options);
}

absl::StatusOr<DeleteResult> LocalClient::DeleteNamespace(absl::string_view name,
                                                          const DeleteOptions& options) {
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
      absl::StatusOr<DeleteResult> deleted =
          DeleteWithRules(*type, std::string(name), item->object.metadata.name, now);
      if (!deleted.ok() && !absl::IsNotFound(deleted.status())) return deleted.status();
    }
  }
  DeleteOptions namespace_options;
  namespace_options.preconditions = options.preconditions;
  return DeleteWithRules(*namespaces, "", name, namespace_options);
}

}  // namespace registry

std::unique_ptr<Client> NewLocalClient(Store& store, Clock& clock, LocalClientOptions options) {
  return std::make_unique<registry::LocalClient>(store, clock, std::move(options));
}

absl::Status EnsureSystemNamespaces(Client& client) {
  for (const char* name : {"default", "kube-system", "kube-public", "kube-node-lease"}) {
    Object ns;
    ns.type = {"v1", "Namespace"};
    ns.metadata.name = name;
    absl::StatusOr<ObjectPtr> created = client.Create(ns);
    if (!created.ok() && !absl::IsAlreadyExists(created.status())) return created.status();
  }
  return absl::OkStatus();
}

}  // namespace orch
