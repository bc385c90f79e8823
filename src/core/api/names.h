// Kubernetes' validation of names, label keys and values and annotations, with its exact messages
// (k8s.io/apimachinery/pkg/util/validation), and the field-error formatting of its field.ErrorList,
// so that orch's errors read like kube-apiserver's:
//   metadata.labels: Invalid value: "bad key": name part must consist of ...
//
// Every Is* function returns the list of problems with `value`; an empty list means valid.
// All functions are pure and thread-safe.
#ifndef ORCH_SRC_CORE_API_NAMES_H_
#define ORCH_SRC_CORE_API_NAMES_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/strings/string_view.h"
#include "orch/api/object.h"

namespace orch {

inline constexpr int kDns1123LabelMaxLength = 63;
inline constexpr int kDns1123SubdomainMaxLength = 253;
inline constexpr int kDns1035LabelMaxLength = 63;
inline constexpr int kQualifiedNameMaxLength = 63;
inline constexpr int kLabelValueMaxLength = 63;
// Keys plus values of all annotations of one object, in bytes (256 KiB).
inline constexpr int64_t kTotalAnnotationSizeLimitBytes = 256 * 1024;

// A DNS subdomain (RFC 1123): object names of most kinds (Pods, ConfigMaps, Deployments, ...).
std::vector<std::string> IsDns1123Subdomain(absl::string_view value);
// A DNS label (RFC 1123): namespace names, container and port names.
std::vector<std::string> IsDns1123Label(absl::string_view value);
// A DNS label (RFC 1035), which starts with a letter: Service names.
std::vector<std::string> IsDns1035Label(absl::string_view value);
// A label or annotation key: `[prefix/]name`, prefix a DNS subdomain, name up to 63 characters.
std::vector<std::string> IsQualifiedName(absl::string_view value);
// A label value: empty, or up to 63 alphanumerics, '-', '_' and '.', alphanumeric at both ends.
std::vector<std::string> IsValidLabelValue(absl::string_view value);

// Validates a label map as metav1 validation does; every message is `<path>: Invalid value: ...`.
std::vector<std::string> ValidateLabels(const Labels& labels, absl::string_view path);
// Validates annotation keys (qualified names, case-insensitive) and their total size.
std::vector<std::string> ValidateAnnotations(const Labels& annotations, absl::string_view path);

// Field errors formatted as Kubernetes' field.Error.Error() does.
// `<path>: Invalid value: "<value>": <detail>`.
std::string FieldInvalid(absl::string_view path, absl::string_view value, absl::string_view detail);
// `<path>: Required value[: <detail>]`.
std::string FieldRequired(absl::string_view path, absl::string_view detail = "");
// `<path>: Forbidden[: <detail>]`.
std::string FieldForbidden(absl::string_view path, absl::string_view detail = "");
// `<path>: Unsupported value: "<value>": supported values: "a", "b"`.
std::string FieldNotSupported(absl::string_view path, absl::string_view value,
                              const std::vector<std::string>& supported);
// The same for a value that is not a string, written as given (`Unsupported value: 3: ...`).
std::string FieldNotSupportedRaw(absl::string_view path, absl::string_view raw,
                                 const std::vector<std::string>& supported);
// `<path>: Too long: must have at most <max> bytes` (field.TooLong of current Kubernetes).
std::string FieldTooLong(absl::string_view path, int64_t max_bytes);

// Joins errors as utilerrors.Aggregate does: one error as itself, several as "[e1, e2]",
// duplicates dropped. Empty for no errors.
std::string AggregateErrors(const std::vector<std::string>& errors);
// Quotes text as Go's %q does, so values in messages read as in Kubernetes.
std::string GoQuote(absl::string_view text);

}  // namespace orch

#endif  // ORCH_SRC_CORE_API_NAMES_H_
