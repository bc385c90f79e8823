// Strict where Kubernetes is strict: values JSON cannot hold, fields named twice, and YAML 1.1 merge
// keys, which sigs.k8s.io/yaml supports.
#include <doctest/doctest.h>

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "orch/api/apps_v1.h"
#include "orch/api/codec.h"
#include "orch/api/types.h"

namespace orch {
namespace {

using nlohmann::json;

std::string Deployment(absl::string_view replicas) {
  return absl::StrCat(
      "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\nspec:\n  replicas: ", replicas, "\n");
}

TEST_CASE("infinity and NaN in a manifest are errors naming the field, not dropped") {
  for (const char* value : {".inf", "-.inf", "+.inf", ".Inf", ".nan", ".NaN", ".NAN"}) {
    CAPTURE(value);
    absl::Status status = DecodeManifests(Deployment(value), "inf.yaml").status();
    CHECK(status.code() == absl::StatusCode::kInvalidArgument);
    CHECK(absl::StrContains(status.message(),
                            "inf.yaml: document 1, line 6, column 13: spec.replicas: Invalid value: "));
    CHECK(absl::StrContains(status.message(), "cannot be represented in JSON"));
  }
  // In a list, the element is named.
  absl::Status listed = DecodeManifests("a: [1, .inf]\n", "l.yaml").status();
  CHECK(absl::StrContains(listed.message(), "a[1]: Invalid value: .inf"));
  // Quoted, it is a string, as anywhere.
  absl::StatusOr<std::vector<Object>> quoted = DecodeManifests(Deployment("\".inf\""), "q.yaml");
  REQUIRE(quoted.ok());
  CHECK(absl::StrContains(FromObject<orch::Deployment>(quoted->front()).status().message(),
                          "spec.replicas: expected integer, got string"));
}

TEST_CASE("a YAML key twice in one mapping is an error naming the key and where") {
  absl::Status status =
      DecodeManifests("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\n  name: b\n", "dup.yaml")
          .status();
  CHECK(status.code() == absl::StatusCode::kInvalidArgument);
  CHECK(absl::StrContains(status.message(),
                          "dup.yaml: document 1, line 5, column 3: metadata: duplicate field \"name\""));

  absl::Status top = DecodeManifests("---\nkind: A\nkind: B\n", "top.yaml").status();
  CHECK(absl::StrContains(top.message(), "top.yaml: document 1, line 3, column 1: duplicate field \"kind\""));
  absl::Status flow = DecodeManifests("a: [{x: 1, x: 2}]\n", "flow.yaml").status();
  CHECK(absl::StrContains(flow.message(), "a[0]: duplicate field \"x\""));
}

TEST_CASE("a JSON member twice in one object is an error naming it and its object") {
  absl::Status status =
      DecodeObject(R"({"apiVersion":"v1","kind":"Pod","metadata":{"name":"a","labels":{"x":"1","x":"2"}}})")
          .status();
  CHECK(status.code() == absl::StatusCode::kInvalidArgument);
  CHECK(absl::StrContains(status.message(), "object: metadata.labels: duplicate field \"x\""));
  CHECK(absl::StrContains(DecodeObject(R"({"kind":"A","kind":"B"})").status().message(),
                          "object: duplicate field \"kind\""));
  CHECK(absl::StrContains(
      DecodeManifests(R"([{"kind":"A"},{"a":[{"b":1,"b":1}]}])", "d.json").status().message(),
      "d.json: [1].a[0]: duplicate field \"b\""));
}

TEST_CASE("YAML merge keys merge, with the mapping's own keys winning") {
  absl::StatusOr<std::vector<Object>> objects = DecodeManifests(R"(apiVersion: v1
kind: ConfigMap
metadata:
  name: merged
  labels: &base {app: web, tier: front}
  annotations:
    tier: back
    <<: *base
data:
  one:
    <<: [{a: "1", b: "1"}, {a: "2", c: "2"}]
    c: "3"
  inline:
    <<: {x: "y"}
)",
                                                                "merge.yaml");
  REQUIRE_MESSAGE(objects.ok(), objects.status().ToString());
  const Object& object = objects->front();
  CHECK(object.metadata.annotations == Labels{{"app", "web"}, {"tier", "back"}});
  json data = json::parse(object.spec)["data"];
  CHECK(data["one"] == json{{"a", "1"}, {"b", "1"}, {"c", "3"}});
  CHECK(data["inline"] == json{{"x", "y"}});
  CHECK(!data["one"].contains("<<"));

  absl::Status bad = DecodeManifests("a:\n  <<: 5\n", "bad-merge.yaml").status();
  CHECK(bad.code() == absl::StatusCode::kInvalidArgument);
  CHECK(absl::StrContains(
      bad.message(), "bad-merge.yaml: document 1, line 2, column 3: a: a merge key (<<) needs a mapping"));
  // Quoted, "<<" is an ordinary key.
  absl::StatusOr<std::vector<Object>> quoted =
      DecodeManifests("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: q}\ndata: {\"<<\": x}\n", "q.yaml");
  REQUIRE(quoted.ok());
  CHECK(json::parse(quoted->front().spec)["data"]["<<"] == "x");
}

}  // namespace
}  // namespace orch
