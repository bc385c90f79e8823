// The typed steps of a write of a built-in kind, so that an object is decoded into its struct once
// (or not at all when the writer has the struct), defaulted, admitted and validated as that struct,
// and encoded once: Client's writes (client.cc) and the Object-level ApplyDefaults and Validate*
// of orch/validation.h are built on these, so there is one set of rules. Internal to src/core.
#ifndef ORCH_SRC_CORE_API_ADMISSION_H_
#define ORCH_SRC_CORE_API_ADMISSION_H_

#include <exception>
#include <optional>
#include <type_traits>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "orch/api/object.h"
#include "orch/api/types.h"

namespace orch::admission {

// Whether `type` is the built-in kind T (same apiVersion and kind).
template <class T>
bool Is(const TypeMeta& type) {
  return type.kind == T::kKind && type.apiVersion == T::kApiVersion;
}

template <class Visit, class Otherwise, class... Kinds>
auto VisitKindIn(KindList<Kinds...>, const TypeMeta& type, Visit& visit, Otherwise& otherwise) {
  using Result = decltype(otherwise());
  if constexpr (std::is_void_v<Result>) {
    if (!((Is<Kinds>(type) && (visit(std::type_identity<Kinds>()), true)) || ...)) otherwise();
  } else {
    std::optional<Result> result;
    ((Is<Kinds>(type) && (result.emplace(visit(std::type_identity<Kinds>())), true)) || ...);
    return result.has_value() ? *std::move(result) : otherwise();
  }
}

// Returns visit(std::type_identity<T>()) for the built-in kind T that `type` names (one of
// BuiltinKinds, orch/api/kinds.h), and otherwise() for any other kind (an application's).
template <class Visit, class Otherwise>
auto VisitKind(const TypeMeta& type, Visit visit, Otherwise otherwise) {
  return VisitKindIn(BuiltinKinds{}, type, visit, otherwise);
}

// Whether ApplyDefaults changes kind T. An object of a kind without defaults is stored as written,
// not re-encoded from its struct.
template <class T>
inline constexpr bool kDefaulted =
    !std::is_same_v<T, ConfigMap> && !std::is_same_v<T, Event> && !std::is_same_v<T, Lease>;

// defaults.cc: Kubernetes' defaults of each kind with defaults (what ApplyDefaults applies).
void Default(Namespace* ns);
void Default(Node* node);
void Default(Pod* pod);
void Default(Service* service);
void Default(Endpoints* endpoints);
void Default(ReplicaSet* rs);
void Default(Deployment* d);

// The three writes: create, update (a replacement), and update of the status subresource.
enum class Op { kCreate, kUpdate, kStatus };

// validation_kinds.cc: what ValidateCreate (kCreate, `old` null), ValidateUpdate and
// ValidateStatusUpdate (orch/validation.h) answer for the encoding of `object`, checked on the
// struct: the metadata rules, then the kind's. `old` is the stored object; it is decoded when the
// kind has rules of its own, and one that does not decode is reported as those functions report
// it. Defined for every built-in kind; never throws.
template <class T>
absl::Status Validate(const T& object, const Object* old, Op op);

// Runs `body` (returning absl::Status or absl::StatusOr), turning anything thrown below it (a bug)
// into an Internal error "<what> failed: <exception's message>".
template <class Body>
auto NoThrow(absl::string_view what, Body body) -> decltype(body()) {
  try {
    return body();
  } catch (const std::exception& e) {
    return absl::InternalError(absl::StrCat(what, " failed: ", e.what()));
  } catch (...) {
    return absl::InternalError(absl::StrCat(what, " failed"));
  }
}

}  // namespace orch::admission

#endif  // ORCH_SRC_CORE_API_ADMISSION_H_
