// The garbage collector: follows ownerReferences across every kind, as Kubernetes' does. An object
// none of whose owners is solid (exists and is not waiting for its dependents) is deleted; one with
// a solid owner is kept and loses its references to owners that are gone or waiting. An owner being
// deleted with the "foregroundDeletion" finalizer goes once no dependent blocks it
// (blockOwnerDeletion); one with the "orphan" finalizer has its dependents released first.
//
// Queue keys carry the kind: ObjectKey{namespace, "<group>/<Kind>/<name>"} ("/" never occurs in
// names or kinds).
#include <algorithm>
#include <map>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "orch/controllers.h"
#include "orch/errors.h"

namespace orch {
namespace {

constexpr absl::string_view kOwnerIndex = "gc-owner-uid";
constexpr absl::string_view kForeground = "foregroundDeletion";
constexpr absl::string_view kOrphan = "orphan";

bool HasFinalizer(const ObjectMeta& meta, absl::string_view finalizer) {
  return std::find(meta.finalizers.begin(), meta.finalizers.end(), finalizer) != meta.finalizers.end();
}

bool WaitingForDependents(const ObjectMeta& meta) {
  return meta.deletionTimestamp.IsSet() && HasFinalizer(meta, kForeground);
}

// Whether the reference to the owner with `uid` holds that owner's foreground deletion.
bool Blocks(const ObjectMeta& meta, absl::string_view uid) {
  return std::any_of(meta.ownerReferences.begin(), meta.ownerReferences.end(), [&](const OwnerReference& o) {
    return o.uid == uid && o.blockOwnerDeletion.value_or(false);
  });
}

// An object's ownerReferences sorted as Kubernetes' classifyReferences does, by owner uid.
struct ClassifiedOwners {
  std::vector<std::string> solid;     // the owner exists and is not waiting for its dependents
  std::vector<std::string> dangling;  // the owner is gone (or was replaced under its name)
  std::vector<std::string> waiting;   // the owner is being deleted in the foreground
};

class GarbageCollector final : public Controller {
 public:
  absl::string_view Name() const override { return "garbage-collector-controller"; }

  absl::Status Setup(ControllerContext& context) override {
    context_ = &context;
    for (const ResourceType* type : AllResourceTypes()) Monitor(*type);
    return absl::OkStatus();
  }

  absl::Status Reconcile(const ObjectKey& key) override {
    std::vector<std::string> parts = absl::StrSplit(key.name, absl::MaxSplits('/', 2));
    if (parts.size() != 3) return absl::OkStatus();
    Informer* informer = InformerOf(parts[0], parts[1]);
    if (informer == nullptr) return absl::OkStatus();
    ObjectPtr stored = informer->Get(key.namespace_, parts[2]);
    if (stored == nullptr) return absl::OkStatus();
    const ObjectMeta& meta = stored->object.metadata;
    if (meta.deletionTimestamp.IsSet() && HasFinalizer(meta, kOrphan)) return Orphan(*informer, stored);
    if (WaitingForDependents(meta)) return DeleteDependents(*informer, stored);
    if (!meta.ownerReferences.empty()) return CheckOwners(*informer, stored);
    return absl::OkStatus();
  }

 private:
  // Watches a kind: at set-up for every kind known then, and later for kinds registered since, as
  // soon as an ownerReference names one.
  void Monitor(const ResourceType& type) {
    // Events own nothing and have no owners; watching them would only cost memory.
    if (type.group.empty() && type.kind == "Event") return;
    const std::string key = KindKey(type.group, type.kind);
    if (informers_.contains(key)) return;
    Informer& informer = context_->InformerFor(type);
    informers_[key] = &informer;
    informer.AddIndex(std::string(kOwnerIndex), [](const Object& object) {
      std::vector<std::string> uids;
      for (const OwnerReference& owner : object.metadata.ownerReferences) uids.push_back(owner.uid);
      return uids;
    });
    informer.AddHandler([this](const InformerEvent& event) { OnEvent(event); });
  }

  static std::string KindKey(absl::string_view group, absl::string_view kind) {
    return absl::StrCat(group, "/", kind);
  }
  static ObjectKey QueueKey(const Object& object) {
    return {object.metadata.namespace_,
            absl::StrCat(object.type.Group(), "/", object.type.kind, "/", object.metadata.name)};
  }

  Informer* InformerOf(absl::string_view group, absl::string_view kind) {
    auto it = informers_.find(KindKey(group, kind));
    return it == informers_.end() ? nullptr : it->second;
  }

  std::vector<ObjectPtr> Dependents(const std::string& uid) {
    std::vector<ObjectPtr> dependents;
    for (const auto& [kind, informer] : informers_) {
      for (ObjectPtr& dependent : informer->ByIndex(kOwnerIndex, uid))
        dependents.push_back(std::move(dependent));
    }
    return dependents;
  }

  bool HasDependents(const std::string& uid) {
    return std::any_of(informers_.begin(), informers_.end(),
                       [&](const auto& entry) { return !entry.second->ByIndex(kOwnerIndex, uid).empty(); });
  }

  void OnEvent(const InformerEvent& event) {
    const ObjectMeta& meta = event.object->object.metadata;
    if (event.type == WatchEventType::kDeleted) {
      // Its dependents may now be orphans; owners waiting for it may now finish.
      for (const ObjectPtr& dependent : Dependents(meta.uid))
        context_->queue().Add(QueueKey(dependent->object));
      for (const OwnerReference& owner : meta.ownerReferences) EnqueueOwner(event.object->object, owner);
      return;
    }
    const ObjectMeta* old = event.old != nullptr ? &event.old->object.metadata : nullptr;
    const bool owners_changed = old == nullptr || old->ownerReferences != meta.ownerReferences;
    const bool deletion_changed = old == nullptr || old->deletionTimestamp != meta.deletionTimestamp ||
                                  old->finalizers != meta.finalizers;
    if (owners_changed) {
      for (const OwnerReference& owner : meta.ownerReferences) {
        if (const ResourceType* owner_type = FindResourceTypeFor(TypeMeta{owner.apiVersion, owner.kind})) {
          Monitor(*owner_type);
        }
      }
    }
    // A dependent that stopped blocking an owner (reference removed or made non-blocking) may let
    // that owner finish its foreground deletion.
    if (old != nullptr && owners_changed) {
      for (const OwnerReference& before : old->ownerReferences) {
        if (before.blockOwnerDeletion.value_or(false) && !Blocks(meta, before.uid)) {
          EnqueueOwner(event.object->object, before);
        }
      }
    }
    if ((owners_changed && !meta.ownerReferences.empty()) ||
        (deletion_changed && meta.deletionTimestamp.IsSet() &&
         (HasFinalizer(meta, kOrphan) || HasFinalizer(meta, kForeground)))) {
      context_->queue().Add(QueueKey(event.object->object));
    }
    // An owner that started waiting for its dependents makes them act.
    if (deletion_changed && WaitingForDependents(meta)) {
      for (const ObjectPtr& dependent : Dependents(meta.uid))
        context_->queue().Add(QueueKey(dependent->object));
    }
  }

  void EnqueueOwner(const Object& dependent, const OwnerReference& owner) {
    TypeMeta owner_type{owner.apiVersion, owner.kind};
    const ResourceType* type = FindResourceTypeFor(owner_type);
    if (type == nullptr) return;
    context_->queue().Add({type->namespaced ? dependent.metadata.namespace_ : "",
                           absl::StrCat(type->group, "/", type->kind, "/", owner.name)});
  }

  // The owner an ownerReference names, if it still exists with that uid (NotFound when it does not).
  // The cache may lag, so an owner missing from it is looked up in the store before it is declared
  // gone. An owner of a kind not registered is not gone but unknown: an error, so the dependent is
  // kept and retried with backoff until the kind is registered (Kubernetes' restMappingError).
  absl::StatusOr<ObjectPtr> FindOwner(const Object& dependent, const OwnerReference& reference) {
    const ResourceType* type = FindResourceTypeFor(TypeMeta{reference.apiVersion, reference.kind});
    if (type == nullptr) {
      return absl::FailedPreconditionError(
          absl::StrCat(dependent.type.kind, " \"", dependent.metadata.name, "\": owner ", reference.kind,
                       " \"", reference.name, "\": no kind \"", reference.kind,
                       "\" is registered for version \"", reference.apiVersion, "\""));
    }
    // A kind registered after the dependent was first seen is watched from now on.
    Monitor(*type);
    const std::string namespace_ = type->namespaced ? dependent.metadata.namespace_ : "";
    ObjectPtr cached;
    if (Informer* informer = InformerOf(type->group, type->kind); informer != nullptr) {
      cached = informer->Get(namespace_, reference.name);
    }
    if (cached != nullptr && cached->object.metadata.uid == reference.uid) return cached;
    absl::StatusOr<ObjectPtr> live = context_->client().Get(*type, namespace_, reference.name);
    if (!live.ok()) return live.status();
    if ((*live)->object.metadata.uid != reference.uid) return absl::NotFoundError("owner replaced");
    return *live;
  }

  absl::StatusOr<ClassifiedOwners> ClassifyOwners(const Object& object) {
    ClassifiedOwners owners;
    for (const OwnerReference& reference : object.metadata.ownerReferences) {
      absl::StatusOr<ObjectPtr> owner = FindOwner(object, reference);
      if (absl::IsNotFound(owner.status())) {
        owners.dangling.push_back(reference.uid);
      } else if (!owner.ok()) {
        return owner.status();
      } else if (WaitingForDependents((*owner)->object.metadata)) {
        owners.waiting.push_back(reference.uid);
      } else {
        owners.solid.push_back(reference.uid);
      }
    }
    return owners;
  }

  // An object with owners: kept while one of them is solid, otherwise deleted (Kubernetes'
  // attemptToDeleteItem).
  absl::Status CheckOwners(Informer& informer, const ObjectPtr& stored) {
    const Object& object = stored->object;
    if (object.metadata.deletionTimestamp.IsSet()) return absl::OkStatus();
    absl::StatusOr<ClassifiedOwners> owners = ClassifyOwners(object);
    if (!owners.ok()) return owners.status();
    if (!owners->solid.empty()) {
      // Kept; references to owners gone or waiting are dropped, else a waiting owner would wait
      // for a dependent that another owner keeps.
      std::vector<std::string> dropped = std::move(owners->dangling);
      dropped.insert(dropped.end(), owners->waiting.begin(), owners->waiting.end());
      if (dropped.empty()) return absl::OkStatus();
      return UpdateOwners(informer.type(), object, [&](std::vector<OwnerReference>& references) {
        std::erase_if(references, [&](const OwnerReference& o) {
          return std::find(dropped.begin(), dropped.end(), o.uid) != dropped.end();
        });
      });
    }
    DeleteOptions options;
    options.preconditions.uid = object.metadata.uid;
    // An owner waiting for its dependents waits for theirs too; without dependents of its own the
    // object goes at once (its own finalizers, if any, are honoured by the delete).
    if (!owners->waiting.empty() && HasDependents(object.metadata.uid))
      options.propagationPolicy = "Foreground";
    absl::StatusOr<DeleteResult> deleted =
        context_->client().Delete(informer.type(), object.metadata.namespace_, object.metadata.name, options);
    if (!deleted.ok() && !absl::IsNotFound(deleted.status()) && !IsConflict(deleted.status())) {
      return deleted.status();
    }
    return absl::OkStatus();
  }

  // An owner deleted in the foreground goes once no dependent blocks it. A blocking dependent is
  // asked to act (deleted, or released when another owner keeps it); a non-blocking one is deleted
  // in its own time, queued when the owner started waiting, and holds nothing.
  absl::Status DeleteDependents(Informer& informer, const ObjectPtr& owner) {
    const std::string& uid = owner->object.metadata.uid;
    bool blocked = false;
    for (const ObjectPtr& dependent : Dependents(uid)) {
      const ObjectMeta& meta = dependent->object.metadata;
      if (!Blocks(meta, uid)) continue;
      blocked = true;
      if (!WaitingForDependents(meta)) context_->queue().Add(QueueKey(dependent->object));
    }
    // Blocking dependents are still there: their deletion or release brings the owner back here.
    if (blocked) return absl::OkStatus();
    return RemoveFinalizer(informer.type(), owner->object, kForeground);
  }

  absl::Status Orphan(Informer& informer, const ObjectPtr& owner) {
    const std::string uid = owner->object.metadata.uid;
    for (const ObjectPtr& dependent : Dependents(uid)) {
      const ResourceType* type = FindResourceTypeFor(dependent->object.type);
      if (type == nullptr) continue;
      absl::Status released =
          UpdateOwners(*type, dependent->object, [&](std::vector<OwnerReference>& owners) {
            std::erase_if(owners, [&](const OwnerReference& o) { return o.uid == uid; });
          });
      if (!released.ok() && !absl::IsNotFound(released)) return released;
    }
    return RemoveFinalizer(informer.type(), owner->object, kOrphan);
  }

  // Applies `change` to the live object's ownerReferences; retried on conflicts with other writers.
  absl::Status UpdateOwners(const ResourceType& type, const Object& cached,
                            const std::function<void(std::vector<OwnerReference>&)>& change) {
    return UpdateLive(type, cached, [&](Object& object) { change(object.metadata.ownerReferences); });
  }

  absl::Status RemoveFinalizer(const ResourceType& type, const Object& cached, absl::string_view finalizer) {
    return UpdateLive(type, cached,
                      [&](Object& object) { std::erase(object.metadata.finalizers, finalizer); });
  }

  absl::Status UpdateLive(const ResourceType& type, const Object& cached,
                          const std::function<void(Object&)>& change) {
    for (int attempt = 0; attempt < 5; ++attempt) {
      absl::StatusOr<ObjectPtr> live =
          context_->client().Get(type, cached.metadata.namespace_, cached.metadata.name);
      if (!live.ok()) return absl::IsNotFound(live.status()) ? absl::OkStatus() : live.status();
      if ((*live)->object.metadata.uid != cached.metadata.uid) return absl::OkStatus();
      Object object = (*live)->object;
      change(object);
      if (object.metadata == (*live)->object.metadata) return absl::OkStatus();
      absl::StatusOr<ObjectPtr> updated = context_->client().Update(std::move(object));
      if (updated.ok() || absl::IsNotFound(updated.status())) return absl::OkStatus();
      if (!IsConflict(updated.status())) return updated.status();
    }
    return ConflictError(type.kind, cached.metadata.name, "the object keeps changing");
  }

  ControllerContext* context_ = nullptr;
  std::map<std::string, Informer*> informers_;
};

}  // namespace

std::unique_ptr<Controller> NewGarbageCollector() { return std::make_unique<GarbageCollector>(); }

}  // namespace orch
