// Errors are absl::Status values with canonical codes. These helpers build and test the ones whose
// meaning matters to callers, with the Kubernetes reason each maps to in the HTTP API:
//
//   NotFound            kNotFound           404
//   AlreadyExists       kAlreadyExists      409
//   Conflict            kAborted            409  (stale resourceVersion, failed precondition on uid)
//   Invalid             kInvalidArgument    422  (validation; the message lists every field error)
//   BadRequest          kInvalidArgument    400  (malformed input: JSON, YAML, selectors, tokens)
//   Gone / Expired      kOutOfRange         410  (resourceVersion or continue token compacted)
//   Unavailable         kUnavailable        503  (the store cannot write: disk full, file locked)
#ifndef ORCH_ERRORS_H_
#define ORCH_ERRORS_H_

#include <string>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"

namespace orch {

// The Kubernetes status reason carried by a Status ("NotFound", "Conflict", "Invalid", "Gone",
// "Expired", "BadRequest", ...). Derived from the code when no reason was attached.
std::string StatusReason(const absl::Status& status);
// The HTTP code the API server answers with for this status (200 for OK).
int HttpCode(const absl::Status& status);

absl::Status NotFoundError(absl::string_view qualified_resource, absl::string_view name);
absl::Status AlreadyExistsError(absl::string_view qualified_resource, absl::string_view name);
// `Operation cannot be fulfilled on pods "x": <detail>`.
absl::Status ConflictError(absl::string_view qualified_resource, absl::string_view name,
                           absl::string_view detail);
// `Pod "x" is invalid: <field errors>`.
absl::Status InvalidError(absl::string_view kind, absl::string_view name, absl::string_view detail);
absl::Status BadRequestError(absl::string_view message);
// 410: the requested resourceVersion is older than the oldest kept in history.
absl::Status GoneError(absl::string_view message);
// 410 with reason Expired: a continue token whose snapshot was compacted.
absl::Status ExpiredError(absl::string_view message);

// absl::IsNotFound and absl::IsAlreadyExists test the other two (found by argument lookup).
bool IsConflict(const absl::Status& status);
bool IsInvalid(const absl::Status& status);
bool IsGone(const absl::Status& status);

}  // namespace orch

#endif  // ORCH_ERRORS_H_
