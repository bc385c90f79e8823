// Field errors as Kubernetes' k8s.io/apimachinery/pkg/util/validation/field formats them, for the
// validation of objects (validation_*.cc), plus the value checks of util/validation that names.h
// does not have (port numbers and names, environment variable names, config keys, percentages, IP
// addresses) and the Go `%#v` renderings that Kubernetes puts in some messages.
//
// A field error is kept as its final text, `<path>: <type>[: <value>][: <detail>]`, exactly as
// field.Error.Error() prints it; FieldInvalid, FieldRequired, FieldForbidden, FieldNotSupported
// (string values) and AggregateErrors come from names.h. Everything here lives in orch::validation.
// All functions are pure and thread-safe.
#ifndef ORCH_SRC_CORE_API_FIELD_ERRORS_H_
#define ORCH_SRC_CORE_API_FIELD_ERRORS_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/strings/string_view.h"
#include "orch/api/object.h"
#include "orch/api/quantity.h"
#include "orch/api/selector.h"
#include "src/core/api/names.h"

namespace orch::validation {

// A field.ErrorList: every problem found, in the order found.
using FieldErrors = std::vector<std::string>;

// Paths as field.Path prints them: Child("spec", "replicas") is "spec.replicas" (and "x" when the
// parent is empty), Index("spec.containers", 0) "spec.containers[0]", Key("data", "k") "data[k]".
std::string Child(absl::string_view path, absl::string_view name);
std::string Index(absl::string_view path, size_t index);
std::string Key(absl::string_view path, absl::string_view key);

// `<path>: Invalid value: <raw>: <detail>` for values Go prints without quotes (numbers, structs).
std::string FieldInvalidRaw(absl::string_view path, absl::string_view raw, absl::string_view detail);
std::string FieldInvalidInt(absl::string_view path, int64_t value, absl::string_view detail);
// `<path>: Invalid value: "null": <detail>` for an unset pointer value.
std::string FieldInvalidNull(absl::string_view path, absl::string_view detail);
// `<path>: Duplicate value: "<value>"` (string) or `<path>: Duplicate value: <raw>`.
std::string FieldDuplicate(absl::string_view path, absl::string_view value);
std::string FieldDuplicateRaw(absl::string_view path, absl::string_view raw, absl::string_view detail = "");
// `<path>: Not found: "<value>"`.
std::string FieldNotFound(absl::string_view path, absl::string_view value);

// Messages of util/validation.
inline constexpr absl::string_view kIsNegativeErrorMsg = "must be greater than or equal to 0";
inline constexpr absl::string_view kIsNotPositiveErrorMsg = "must be greater than zero";
inline constexpr absl::string_view kFieldImmutableErrorMsg = "field is immutable";
// `must be between <lo> and <hi>, inclusive`.
std::string InclusiveRangeError(int64_t lo, int64_t hi);
// validation.RegexError, with Kubernetes' doubled space before each "or".
std::string RegexError(absl::string_view msg, absl::string_view fmt,
                       const std::vector<absl::string_view>& examples);

// Appends `<path>: Invalid value: <value>: must be greater than or equal to 0` when value < 0.
void ValidateNonnegative(int64_t value, absl::string_view path, FieldErrors* errs);

// Value checks of util/validation; an empty list means valid.
std::vector<std::string> IsValidPortNum(int64_t port);
std::vector<std::string> IsValidPortName(absl::string_view name);  // IANA_SVC_NAME
std::vector<std::string> IsEnvVarName(absl::string_view name);
std::vector<std::string> IsConfigMapKey(absl::string_view key);
std::vector<std::string> IsValidPercent(absl::string_view percent);
std::vector<std::string> IsHttpHeaderName(absl::string_view name);
bool IsValidIp(absl::string_view ip);
bool IsValidCidr(absl::string_view cidr);

// Go `%#v` renderings: map[string]string{"a":"b"}, []string{"x"}, and the metav1.LabelSelector
// struct (`v1.LabelSelector{MatchLabels:..., MatchExpressions:...}`).
std::string GoMap(const Labels& labels);
std::string GoStringSlice(const std::vector<std::string>& values);
std::string GoLabelSelector(const LabelSelectorSpec& selector);
// An IntOrString as its String(): 80 or 25%.
std::string GoIntOrString(const IntOrString& value);

}  // namespace orch::validation

#endif  // ORCH_SRC_CORE_API_FIELD_ERRORS_H_
