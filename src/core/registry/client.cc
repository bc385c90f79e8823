// What every Client has: the typed writes' default (encode the struct), and kinds by name.
#include "orch/client.h"

#include "absl/strings/str_cat.h"
#include "orch/api/types.h"
#include "orch/errors.h"

namespace orch {

Object EncodeKindStruct(const KindStruct& object) {
  return std::visit([](const auto* typed) { return ToObject(*typed); }, object);
}

absl::StatusOr<ObjectPtr> Client::CreateKind(const KindStruct& object, const CreateOptions& options) {
  return Create(EncodeKindStruct(object), options);
}

absl::StatusOr<ObjectPtr> Client::UpdateKind(const KindStruct& object) {
  return Update(EncodeKindStruct(object));
}

absl::StatusOr<ObjectPtr> Client::UpdateStatusKind(const KindStruct& object) {
  return UpdateStatus(EncodeKindStruct(object));
}

absl::StatusOr<const ResourceType*> ResolveType(const TypeMeta& type) {
  const ResourceType* found = FindResourceTypeFor(type);
  if (found == nullptr) {
    return BadRequestError(
        absl::StrCat("no kind \"", type.kind, "\" is registered for version \"", type.apiVersion, "\""));
  }
  return found;
}

}  // namespace orch
