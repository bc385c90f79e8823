// The in-process Client: what kube-apiserver does between a request and etcd. A write of a built-in
// kind goes through one typed pipeline (src/core/api/admission.h): decoded into its struct once (or
// not at all when the caller passes the struct), defaulted, admitted and validated as the struct,
// and encoded once. Then the object rules of the registry (rules.h: uid, generateName, generation,
// status subresources, graceful deletion, finalizers) turn it into the next version, which the
// Store writes by compare-and-swap on the version it was built from. Internal to src/core/registry.
//
// Thread-safe: it holds no state besides its options.
#ifndef ORCH_SRC_CORE_REGISTRY_LOCAL_CLIENT_H_
#define ORCH_SRC_CORE_REGISTRY_LOCAL_CLIENT_H_

#include <string>

#include "absl/functional/function_ref.h"
#include "orch/client.h"
#include "src/core/registry/rules.h"

namespace orch::registry {

class LocalClient final : public Client {
 public:
  LocalClient(Store& store, Clock& clock, LocalClientOptions options)
      : store_(store), clock_(clock), options_(std::move(options)) {}

  absl::StatusOr<ObjectPtr> Create(Object object, const CreateOptions& options) override;
  absl::StatusOr<ObjectPtr> Get(const ResourceType& type, absl::string_view namespace_,
                                absl::string_view name, const GetOptions& options) override {
    return store_.Get(type, namespace_, name, options);
  }
  absl::StatusOr<ListResult> List(const ResourceType& type, absl::string_view namespace_,
                                  const ListOptions& options) override;
  absl::StatusOr<ObjectPtr> Update(Object object) override;
  absl::StatusOr<ObjectPtr> UpdateStatus(Object object) override;
  absl::StatusOr<DeleteResult> Delete(const ResourceType& type, absl::string_view namespace_,
                                      absl::string_view name, const DeleteOptions& options) override;
  absl::StatusOr<std::unique_ptr<Watcher>> Watch(const ResourceType& type,
                                                 const WatchOptions& options) override;
  absl::StatusOr<ObjectPtr> Patch(const ResourceType& type, absl::string_view namespace_,
                                  absl::string_view name, PatchType patch_type,
                                  absl::string_view patch) override;
  absl::StatusOr<ObjectPtr> BindPod(absl::string_view namespace_, absl::string_view name,
                                    absl::string_view uid, absl::string_view node_name) override;
  absl::StatusOr<ObjectPtr> CreateKind(const KindStruct& object, const CreateOptions& options) override;
  absl::StatusOr<ObjectPtr> UpdateKind(const KindStruct& object) override;
  absl::StatusOr<ObjectPtr> UpdateStatusKind(const KindStruct& object) override;

  // The writes of a built-in kind T from its struct (local_client.cc). `written` is the Object the
  // caller wrote, when it wrote one and `object` was decoded from it (a kind without defaults is
  // stored as written).
  template <class T>
  absl::StatusOr<ObjectPtr> CreateTyped(T object, Object* written, const CreateOptions& options);
  template <class T>
  absl::StatusOr<ObjectPtr> UpdateTyped(T object, Object* written);
  template <class T>
  absl::StatusOr<ObjectPtr> UpdateStatusTyped(T object, Object* written);

 private:
  using Validate = absl::FunctionRef<absl::Status(const Object& next, const Object& old)>;

  // A create of a kind without typed admission.
  absl::StatusOr<ObjectPtr> CreateUntyped(const ResourceType& type, Object object,
                                          const CreateOptions& options);
  // The last steps of every create: the namespace must admit the object; the registry's rules
  // stamp it (uid, creationTimestamp, a name from generateName); then the store, unless a dry run.
  absl::StatusOr<ObjectPtr> FinishCreate(const ResourceType& type, Object object,
                                         const CreateOptions& options);
  // Replaces the stored object by `object` as a write of `write` after validate(object, stored)
  // passes against the version the write replaces, compare-and-swap on that version. Without
  // metadata.resourceVersion the write is unconditional, and retried (validated again) on
  // conflicts.
  absl::StatusOr<ObjectPtr> Replace(const ResourceType& type, Object object, WriteKind write,
                                    Validate validate);
  // Writes `next`, built on `old` by the rules: nothing when it equals `old`, a deletion when it
  // removed the last finalizer of an object being deleted, else an update.
  absl::StatusOr<ObjectPtr> Commit(const ResourceType& type, Object next, const ObjectPtr& old);
  absl::Status AdmitNamespace(const ResourceType& type, const std::string& namespace_);
  absl::StatusOr<DeleteResult> DeleteNamespace(absl::string_view name, const DeleteOptions& options);
  // Deletes the object as the registry does once the client's own rules (pods' grace, propagation
  // policies) are applied: marks it when it has finalizers or a grace period, else removes it.
  absl::StatusOr<DeleteResult> DeleteWithRules(const ResourceType& type, const std::string& namespace_,
                                               absl::string_view name, const DeleteOptions& options);

  Store& store_;
  Clock& clock_;
  const LocalClientOptions options_;
};

}  // namespace orch::registry

#endif  // ORCH_SRC_CORE_REGISTRY_LOCAL_CLIENT_H_
