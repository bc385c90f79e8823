// Helpers for the validation and defaulting tests: objects built from JSON and the messages of the
// errors they give.
#ifndef ORCH_TESTS_CORE_API_VALIDATION_TEST_UTIL_H_
#define ORCH_TESTS_CORE_API_VALIDATION_TEST_UTIL_H_

#include <doctest/doctest.h>

#include <nlohmann/json.hpp>
#include <string>

#include "absl/status/status.h"
#include "orch/api/codec.h"
#include "orch/api/object.h"
#include "orch/api/validation.h"
#include "orch/errors.h"

namespace orch::testing {

using Json = nlohmann::json;

// Kubernetes' regex texts, verbatim (with the doubled space before each "or").
inline const std::string kSubdomainMsg =
    "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and "
    "must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is "
    "'[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')";
inline const std::string kLabelMsg =
    "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start "
    "and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is "
    "'[a-z0-9]([-a-z0-9]*[a-z0-9])?')";
inline const std::string kDns1035Msg =
    "a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic "
    "character, and end with an alphanumeric character (e.g. 'my-name',  or 'abc-123', regex used for "
    "validation is '[a-z]([-a-z0-9]*[a-z0-9])?')";
inline const std::string kNamePartMsg =
    "name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an "
    "alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is "
    "'([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')";

inline Object ToObject(const Json& j) {
  absl::StatusOr<Object> object = DecodeObject(j.dump());
  REQUIRE_MESSAGE(object.ok(), object.status().ToString());
  return *object;
}

// "" when valid, else the message of the Invalid error.
inline std::string Message(const absl::Status& status) {
  if (status.ok()) return "";
  CHECK_MESSAGE(IsInvalid(status), status.ToString());
  return std::string(status.message());
}

inline std::string CreateError(const Json& j) { return Message(ValidateCreate(ToObject(j))); }
inline std::string UpdateError(const Json& j, const Json& old) {
  return Message(ValidateUpdate(ToObject(j), ToObject(old)));
}
inline std::string StatusError(const Json& j, const Json& old) {
  return Message(ValidateStatusUpdate(ToObject(j), ToObject(old)));
}

inline Json BasePod() {
  return Json::parse(R"({"apiVersion":"v1","kind":"Pod",
    "metadata":{"name":"web","namespace":"default","uid":"u1","resourceVersion":"5"},
    "spec":{"containers":[{"name":"app","image":"nginx:1.25"}]}})");
}

inline Json BaseDeployment() {
  return Json::parse(R"({"apiVersion":"apps/v1","kind":"Deployment",
    "metadata":{"name":"web","namespace":"default"},
    "spec":{"replicas":2,"selector":{"matchLabels":{"app":"web"}},
      "template":{"metadata":{"labels":{"app":"web"}},
        "spec":{"containers":[{"name":"app","image":"nginx:1.25"}]}}}})");
}

inline Json BaseService() {
  return Json::parse(R"({"apiVersion":"v1","kind":"Service",
    "metadata":{"name":"web","namespace":"default"},
    "spec":{"selector":{"app":"web"},"ports":[{"port":80,"targetPort":8080}]}})");
}

}  // namespace orch::testing

#endif  // ORCH_TESTS_CORE_API_VALIDATION_TEST_UTIL_H_
