#include "src/core/api/names.h"

#include <doctest/doctest.h>

#include <string>
#include <vector>

using orch::AggregateErrors;
using orch::FieldForbidden;
using orch::FieldInvalid;
using orch::FieldNotSupported;
using orch::FieldRequired;
using orch::FieldTooLong;
using orch::GoQuote;
using orch::IsDns1035Label;
using orch::IsDns1123Label;
using orch::IsDns1123Subdomain;
using orch::IsQualifiedName;
using orch::IsValidLabelValue;
using orch::Labels;
using orch::ValidateAnnotations;
using orch::ValidateLabels;
using Errors = std::vector<std::string>;

namespace {

// Kubernetes' texts, verbatim (including the doubled space before each "or").
const std::string kNameRegex =
    "must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an "
    "alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is "
    "'([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')";
const std::string kValueRegex =
    "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must "
    "start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used "
    "for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')";
const std::string kSubdomainRegex =
    "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and "
    "must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is "
    "'[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')";
const std::string kLabelRegex =
    "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start "
    "and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is "
    "'[a-z0-9]([-a-z0-9]*[a-z0-9])?')";
const std::string kDns1035Regex =
    "a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic "
    "character, and end with an alphanumeric character (e.g. 'my-name',  or 'abc-123', regex used for "
    "validation is '[a-z]([-a-z0-9]*[a-z0-9])?')";

}  // namespace

TEST_CASE("IsDns1123Subdomain accepts DNS subdomains up to 253 characters") {
  for (const char* name : {"a", "0", "example.com", "a-b.c-d", "web-1", "1.2.3"}) {
    CHECK_MESSAGE(IsDns1123Subdomain(name).empty(), name);
  }
  CHECK(IsDns1123Subdomain(std::string(253, 'a')).empty());
  CHECK(IsDns1123Subdomain(std::string(254, 'a')) == Errors{"must be no more than 253 characters"});
  CHECK(IsDns1123Subdomain(std::string(254, '-')) ==
        Errors{"must be no more than 253 characters", kSubdomainRegex});
  for (const char* name : {"", "A", "Web", "-a", "a-", "a..b", ".a", "a.", "a_b", "a b", "a/b", "é"}) {
    CHECK_MESSAGE(IsDns1123Subdomain(name) == Errors{kSubdomainRegex}, name);
  }
}

TEST_CASE("IsDns1123Label rejects dots with their own message") {
  for (const char* name : {"a", "web-1", "0a", "a--b"}) {
    CHECK_MESSAGE(IsDns1123Label(name).empty(), name);
  }
  CHECK(IsDns1123Label(std::string(63, 'z')).empty());
  CHECK(IsDns1123Label("a.b") == Errors{"must not contain dots"});
  CHECK(IsDns1123Label(std::string(64, 'a')) == Errors{"must be no more than 63 characters"});
  for (const char* name : {"", "A", "-a", "a-", "a_b", "a..b", ".a"}) {
    CHECK_MESSAGE(IsDns1123Label(name) == Errors{kLabelRegex}, name);
  }
}

TEST_CASE("IsDns1035Label requires a leading letter") {
  CHECK(IsDns1035Label("my-service").empty());
  CHECK(IsDns1035Label("abc-123").empty());
  CHECK(IsDns1035Label("1abc") == Errors{kDns1035Regex});
  CHECK(IsDns1035Label("") == Errors{kDns1035Regex});
  CHECK(IsDns1035Label("a.b") == Errors{kDns1035Regex});
  CHECK(IsDns1035Label(std::string(64, 'a')) == Errors{"must be no more than 63 characters"});
}

TEST_CASE("IsQualifiedName accepts label keys with an optional DNS prefix") {
  for (const char* key : {"app", "App_Name.x-1", "example.com/app", "kubernetes.io/hostname", "a/B", "9",
                          "app.kubernetes.io/name"}) {
    CHECK_MESSAGE(IsQualifiedName(key).empty(), key);
  }
  CHECK(IsQualifiedName(std::string(63, 'k')).empty());
  CHECK(IsQualifiedName(std::string(253, 'p') + "/" + std::string(63, 'n')).empty());
}

TEST_CASE("IsQualifiedName reports each problem as Kubernetes does") {
  CHECK(IsQualifiedName("") == Errors{"name part must be non-empty", "name part " + kNameRegex});
  CHECK(IsQualifiedName("bad key") == Errors{"name part " + kNameRegex});
  CHECK(IsQualifiedName("-app") == Errors{"name part " + kNameRegex});
  CHECK(IsQualifiedName("app_") == Errors{"name part " + kNameRegex});
  CHECK(IsQualifiedName(std::string(64, 'k')) == Errors{"name part must be no more than 63 characters"});
  CHECK(IsQualifiedName(std::string(64, '-')) ==
        Errors{"name part must be no more than 63 characters", "name part " + kNameRegex});
  CHECK(IsQualifiedName("/app") == Errors{"prefix part must be non-empty"});
  CHECK(IsQualifiedName("app/") == Errors{"name part must be non-empty", "name part " + kNameRegex});
  CHECK(IsQualifiedName("/") ==
        Errors{"prefix part must be non-empty", "name part must be non-empty", "name part " + kNameRegex});
  CHECK(IsQualifiedName("Example.com/app") == Errors{"prefix part " + kSubdomainRegex});
  CHECK(IsQualifiedName(std::string(254, 'p') + "/app") ==
        Errors{"prefix part must be no more than 253 characters"});
  CHECK(IsQualifiedName("a/b/c") ==
        Errors{"a qualified name " + kNameRegex +
               " with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')"});
}

TEST_CASE("IsValidLabelValue allows empty values and 63 characters") {
  for (const char* value : {"", "a", "web", "a.b_c-d", "MyValue", "12345", "in"}) {
    CHECK_MESSAGE(IsValidLabelValue(value).empty(), value);
  }
  CHECK(IsValidLabelValue(std::string(63, 'v')).empty());
  CHECK(IsValidLabelValue(std::string(64, 'v')) == Errors{"must be no more than 63 characters"});
  CHECK(IsValidLabelValue(std::string(64, 'v') + "-") ==
        Errors{"must be no more than 63 characters", kValueRegex});
  for (const char* value : {"-a", "a-", "a b", "a/b", "a@b", "_", ".", "é", "a\nb"}) {
    CHECK_MESSAGE(IsValidLabelValue(value) == Errors{kValueRegex}, value);
  }
  CHECK(IsValidLabelValue(std::string("a\0b", 3)) == Errors{kValueRegex});
}

TEST_CASE("ValidateLabels reports keys and values under the path") {
  CHECK(ValidateLabels({}, "metadata.labels").empty());
  CHECK(ValidateLabels({{"app", "web"}, {"example.com/tier", ""}}, "metadata.labels").empty());
  CHECK(ValidateLabels({{"bad key", "v"}}, "metadata.labels") ==
        Errors{"metadata.labels: Invalid value: \"bad key\": name part " + kNameRegex});
  CHECK(ValidateLabels({{"app", "bad value"}}, "metadata.labels") ==
        Errors{"metadata.labels: Invalid value: \"bad value\": " + kValueRegex});
  CHECK(ValidateLabels({{"", "x y"}}, "spec.template.metadata.labels") ==
        Errors{"spec.template.metadata.labels: Invalid value: \"\": name part must be non-empty",
               "spec.template.metadata.labels: Invalid value: \"\": name part " + kNameRegex,
               "spec.template.metadata.labels: Invalid value: \"x y\": " + kValueRegex});
}

TEST_CASE("ValidateAnnotations checks keys case-insensitively and the total size") {
  CHECK(
      ValidateAnnotations({{"Example.COM/Foo", "any value at all: {\"json\": true}"}}, "metadata.annotations")
          .empty());
  CHECK(ValidateAnnotations({{"bad key", ""}}, "metadata.annotations") ==
        Errors{"metadata.annotations: Invalid value: \"bad key\": name part " + kNameRegex});
  CHECK(ValidateAnnotations({{"a/b/c", ""}}, "metadata.annotations").size() == 1);

  // Keys plus values count; 256 KiB is allowed, one byte more is not.
  Labels at_limit{{"k", std::string(256 * 1024 - 1, 'v')}};
  CHECK(ValidateAnnotations(at_limit, "metadata.annotations").empty());
  Labels over_limit{{"k", std::string(256 * 1024, 'v')}};
  CHECK(ValidateAnnotations(over_limit, "metadata.annotations") ==
        Errors{"metadata.annotations: Too long: must have at most 262144 bytes"});
  Labels spread{{"a", std::string(200 * 1024, 'v')}, {"b", std::string(100 * 1024, 'v')}};
  CHECK(ValidateAnnotations(spread, "metadata.annotations").size() == 1);
}

TEST_CASE("field errors are formatted like field.Error") {
  CHECK(FieldInvalid("metadata.name", "Foo", "bad") == "metadata.name: Invalid value: \"Foo\": bad");
  CHECK(FieldInvalid("metadata.name", "Foo", "") == "metadata.name: Invalid value: \"Foo\"");
  CHECK(FieldRequired("spec.containers") == "spec.containers: Required value");
  CHECK(FieldRequired("spec.x", "must be set") == "spec.x: Required value: must be set");
  CHECK(FieldForbidden("spec.x") == "spec.x: Forbidden");
  CHECK(FieldForbidden("spec.x", "not allowed") == "spec.x: Forbidden: not allowed");
  CHECK(FieldNotSupported("spec.policy", "Foo", {"Always", "Never"}) ==
        "spec.policy: Unsupported value: \"Foo\": supported values: \"Always\", \"Never\"");
  CHECK(FieldNotSupported("spec.policy", "Foo", {}) == "spec.policy: Unsupported value: \"Foo\"");
  CHECK(FieldTooLong("metadata.annotations", 262144) ==
        "metadata.annotations: Too long: must have at most 262144 bytes");
  CHECK(FieldTooLong("x", 1) == "x: Too long: must have at most 1 bytes");
}

TEST_CASE("AggregateErrors joins like utilerrors.Aggregate") {
  CHECK(AggregateErrors({}).empty());
  CHECK(AggregateErrors({"a: bad"}) == "a: bad");
  CHECK(AggregateErrors({"a: bad", "b: bad"}) == "[a: bad, b: bad]");
  CHECK(AggregateErrors({"a: bad", "b: bad", "a: bad"}) == "[a: bad, b: bad]");
  CHECK(AggregateErrors({"a: bad", "a: bad"}) == "a: bad");
}

TEST_CASE("GoQuote quotes like Go's %q") {
  CHECK(GoQuote("") == "\"\"");
  CHECK(GoQuote("plain text") == "\"plain text\"");
  CHECK(GoQuote("say \"hi\"\\") == "\"say \\\"hi\\\"\\\\\"");
  CHECK(GoQuote("a\nb\tc\r") == "\"a\\nb\\tc\\r\"");
  CHECK(GoQuote(std::string("\0\x01\x7f", 3)) == "\"\\x00\\x01\\x7f\"");
  CHECK(GoQuote("caf\xc3\xa9") == "\"caf\xc3\xa9\"");
  CHECK(GoQuote("\xff") == "\"\\xff\"");
  CHECK(GoQuote("\xc3") == "\"\\xc3\"");             // truncated sequence
  CHECK(GoQuote("\xe2\x82x") == "\"\\xe2\\x82x\"");  // broken continuation
}
