#include "orch/errors.h"

#include <optional>

#include "absl/strings/cord.h"
#include "absl/strings/str_cat.h"

namespace orch {
namespace {

// The payload that carries a Kubernetes reason where the code alone does not decide it.
constexpr absl::string_view kReasonPayload = "orch.dev/reason";

absl::Status WithReason(absl::Status status, absl::string_view reason) {
  status.SetPayload(kReasonPayload, absl::Cord(reason));
  return status;
}

}  // namespace

std::string StatusReason(const absl::Status& status) {
  if (auto reason = status.GetPayload(kReasonPayload)) return std::string(*reason);
  switch (status.code()) {
    case absl::StatusCode::kOk:
      return "";
    case absl::StatusCode::kNotFound:
      return "NotFound";
    case absl::StatusCode::kAlreadyExists:
      return "AlreadyExists";
    case absl::StatusCode::kAborted:
      return "Conflict";
    case absl::StatusCode::kInvalidArgument:
      return "BadRequest";
    case absl::StatusCode::kOutOfRange:
      return "Gone";
    case absl::StatusCode::kUnavailable:
      return "ServiceUnavailable";
    case absl::StatusCode::kDeadlineExceeded:
      return "Timeout";
    case absl::StatusCode::kPermissionDenied:
      return "Forbidden";
    case absl::StatusCode::kUnauthenticated:
      return "Unauthorized";
    case absl::StatusCode::kFailedPrecondition:
      return "Conflict";
    default:
      return "InternalError";
  }
}

int HttpCode(const absl::Status& status) {
  std::string reason = StatusReason(status);
  if (reason.empty()) return 200;
  if (reason == "NotFound") return 404;
  if (reason == "AlreadyExists" || reason == "Conflict") return 409;
  if (reason == "Invalid") return 422;
  if (reason == "BadRequest") return 400;
  if (reason == "Gone" || reason == "Expired") return 410;
  if (reason == "ServiceUnavailable") return 503;
  if (reason == "Timeout") return 504;
  if (reason == "Forbidden") return 403;
  if (reason == "Unauthorized") return 401;
  return 500;
}

absl::Status NotFoundError(absl::string_view qualified_resource, absl::string_view name) {
  return absl::NotFoundError(absl::StrCat(qualified_resource, " \"", name, "\" not found"));
}

absl::Status AlreadyExistsError(absl::string_view qualified_resource, absl::string_view name) {
  return absl::AlreadyExistsError(absl::StrCat(qualified_resource, " \"", name, "\" already exists"));
}

absl::Status ConflictError(absl::string_view qualified_resource, absl::string_view name,
                           absl::string_view detail) {
  return absl::AbortedError(
      absl::StrCat("Operation cannot be fulfilled on ", qualified_resource, " \"", name, "\": ", detail));
}

absl::Status InvalidError(absl::string_view kind, absl::string_view name, absl::string_view detail) {
  return WithReason(absl::InvalidArgumentError(absl::StrCat(kind, " \"", name, "\" is invalid: ", detail)),
                    "Invalid");
}

absl::Status BadRequestError(absl::string_view message) { return absl::InvalidArgumentError(message); }

absl::Status GoneError(absl::string_view message) { return absl::OutOfRangeError(message); }

absl::Status ExpiredError(absl::string_view message) {
  return WithReason(absl::OutOfRangeError(message), "Expired");
}

bool IsConflict(const absl::Status& status) { return status.code() == absl::StatusCode::kAborted; }
bool IsInvalid(const absl::Status& status) { return StatusReason(status) == "Invalid"; }
bool IsGone(const absl::Status& status) { return status.code() == absl::StatusCode::kOutOfRange; }

}  // namespace orch
