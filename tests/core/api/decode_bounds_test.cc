// Decoders that cannot be crashed: nesting, numbers and YAML aliases are bounded, and each bound is a
// clear InvalidArgument naming where, never a stack overflow, an exception or unbounded memory.
#include <doctest/doctest.h>
#include <sqlite3.h>
#include <stdlib.h>
#include <unistd.h>

#include <filesystem>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "orch/api/apps_v1.h"
#include "orch/api/codec.h"
#include "orch/api/types.h"
#include "orch/store.h"
#include "src/core/api/json_util.h"
#include "src/core/api/yaml_parse.h"

namespace orch {
namespace {

std::string Repeat(absl::string_view piece, size_t times) {
  std::string out;
  out.reserve(piece.size() * times);
  for (size_t i = 0; i < times; ++i) out.append(piece.data(), piece.size());
  return out;
}

// A ConfigMap whose `data` member holds `levels` nested arrays (so the document nests levels + 1).
std::string DeepJson(size_t levels) {
  return absl::StrCat(R"({"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"deep"},"data":)",
                      Repeat("[", levels), Repeat("]", levels), "}");
}

// The same in YAML flow style, under `data`.
std::string DeepFlowYaml(size_t levels) {
  return absl::StrCat("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: deep}\ndata: ", Repeat("[", levels),
                      Repeat("]", levels), "\n");
}

// Block mappings `levels` deep (the document root is the first).
std::string DeepBlockYaml(size_t levels) {
  std::string out = "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: deep}\n";
  for (size_t i = 1; i < levels; ++i) absl::StrAppend(&out, std::string(i - 1, ' '), "a:\n");
  absl::StrAppend(&out, std::string(levels - 1, ' '), "leaf: 1\n");
  return out;
}

TEST_CASE("JSON nested 100,000 deep is an error that says the limit, not a stack overflow") {
  absl::Status object = DecodeObject(DeepJson(100'000)).status();
  CHECK(object.code() == absl::StatusCode::kInvalidArgument);
  CHECK(absl::StrContains(object.message(), "object: max depth exceeded"));
  CHECK(absl::StrContains(object.message(), absl::StrCat("deeper than ", json::kMaxDepth, " levels")));
  CHECK(absl::StrContains(object.message(), "under data[0][0]"));

  absl::Status manifest = DecodeManifests(DeepJson(100'000), "deep.json").status();
  CHECK(manifest.code() == absl::StatusCode::kInvalidArgument);
  CHECK(absl::StrContains(manifest.message(), "deep.json: max depth exceeded"));

  absl::Status meta = DecodeObjectMeta(Repeat("{\"a\":", 100'000)).status();
  CHECK(absl::StrContains(meta.message(), "max depth exceeded"));
}

TEST_CASE("JSON up to the depth limit decodes, one level more does not") {
  absl::StatusOr<Object> at_limit = DecodeObject(DeepJson(json::kMaxDepth - 1));
  CHECK_MESSAGE(at_limit.ok(), at_limit.status().ToString());
  CHECK(DecodeObject(DeepJson(json::kMaxDepth)).status().code() == absl::StatusCode::kInvalidArgument);
}

TEST_CASE("YAML nested 100,000 deep is an error naming file and document") {
  absl::Status flow = DecodeManifests(DeepFlowYaml(100'000), "deep.yaml").status();
  CHECK(flow.code() == absl::StatusCode::kInvalidArgument);
  CHECK(absl::StrContains(flow.message(), "deep.yaml: document 1, line 4"));
  CHECK(absl::StrContains(flow.message(), "max depth exceeded"));

  std::string dashes = "---\n" + Repeat("- ", 100'000) + "x\n";
  absl::Status block = DecodeManifests("a: 1\n" + dashes, "dashes.yaml").status();
  CHECK_MESSAGE(absl::StrContains(block.message(), "dashes.yaml: document 2, line 3"), block.message());
  CHECK(absl::StrContains(block.message(), "max depth exceeded"));

  CHECK(absl::StrContains(YamlToJson(DeepFlowYaml(100'000), "deep.yaml").status().message(),
                          "max depth exceeded"));
}

TEST_CASE("YAML nested 1,000 deep decodes, and one level more is a clear error") {
  absl::StatusOr<std::vector<Object>> at_limit = DecodeManifests(DeepBlockYaml(json::kMaxDepth), "ok.yaml");
  CHECK_MESSAGE(at_limit.ok(), at_limit.status().ToString());
  absl::Status over = DecodeManifests(DeepBlockYaml(json::kMaxDepth + 1), "over.yaml").status();
  CHECK(over.code() == absl::StatusCode::kInvalidArgument);
  CHECK(absl::StrContains(over.message(), "over.yaml: document 1, line"));
  CHECK(absl::StrContains(
      over.message(), absl::StrCat("max depth exceeded: nesting deeper than ", json::kMaxDepth, " levels")));
  CHECK(DecodeManifests(DeepFlowYaml(json::kMaxDepth - 1), "flow.yaml").ok());
}

constexpr const char* kDeploymentJson =
    R"({"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"web"},"spec":{"replicas":REPLICAS}})";

std::string DeploymentWith(absl::string_view replicas) {
  std::string text = kDeploymentJson;
  text.replace(text.find("REPLICAS"), 8, std::string(replicas));
  return text;
}

TEST_CASE("a number out of a double's range is an error naming the field, not an abort") {
  for (const char* number : {"1e99999", "-1e99999", "1e309"}) {
    CAPTURE(number);
    absl::Status object = DecodeObject(DeploymentWith(number)).status();
    CHECK(object.code() == absl::StatusCode::kInvalidArgument);
    CHECK(absl::StrContains(object.message(), absl::StrCat("spec.replicas: Invalid value: ", number)));
    CHECK(absl::StrContains(object.message(), "number out of range"));
    absl::Status manifest = DecodeManifests(DeploymentWith(number), "big.json").status();
    CHECK(absl::StrContains(manifest.message(), "big.json: spec.replicas: Invalid value"));
  }
  absl::Status in_list =
      DecodeObject(R"({"apiVersion":"v1","kind":"ConfigMap","x":{"y":[1,2,1e400]}})").status();
  CHECK(absl::StrContains(in_list.message(), "x.y[2]: Invalid value: 1e400"));
  CHECK(absl::StrContains(DecodeObjectMeta(R"({"generation":1e99999})").status().message(),
                          "metadata: generation: Invalid value"));

  // YAML reads it as go-yaml does, as text, which an integer field does not take.
  absl::StatusOr<std::vector<Object>> yaml = DecodeManifests(
      "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web}\nspec: {replicas: 1e99999}\n",
      "big.yaml");
  REQUIRE(yaml.ok());
  absl::Status typed = FromObject<Deployment>(yaml->front()).status();
  CHECK(typed.code() == absl::StatusCode::kInvalidArgument);
  CHECK(absl::StrContains(typed.message(), "spec.replicas: expected integer, got string"));

  // An Object whose spec text was written by hand: the typed decoder parses it, and says so.
  Object hand;
  hand.type = {"apps/v1", "Deployment"};
  hand.metadata.name = "web";
  hand.spec = R"({"spec":{"replicas":1e99999}})";
  CHECK(absl::StrContains(FromObject<Deployment>(hand).status().message(), "spec.replicas: Invalid value"));
}

// A temporary folder, removed with its files.
struct TempDir {
  TempDir() {
    std::string pattern = (std::filesystem::temp_directory_path() / "orch-decode-XXXXXX").string();
    path = mkdtemp(pattern.data());
  }
  ~TempDir() { std::filesystem::remove_all(path); }
  std::string path;
};

TEST_CASE("a stored row holding a number out of range fails the store's open clearly") {
  TempDir dir;
  SqliteStoreOptions options;
  options.path = dir.path + "/big.db";
  {
    absl::StatusOr<std::unique_ptr<Store>> store = OpenSqliteStore(options);
    REQUIRE(store.ok());
    absl::StatusOr<Object> pod =
        DecodeObject(R"({"apiVersion":"v1","kind":"Pod","metadata":{"name":"a","namespace":"default"}})");
    REQUIRE(pod.ok());
    absl::Status created = (*store)->Create(*pod).status();
    REQUIRE_MESSAGE(created.ok(), created.ToString());
  }
  sqlite3* db = nullptr;
  REQUIRE(sqlite3_open(options.path.c_str(), &db) == SQLITE_OK);
  const char* update =
      R"(UPDATE history SET data='{"apiVersion":"v1","kind":"Pod","metadata":{"name":"a","namespace":"default","generation":1e99999}}')";
  REQUIRE(sqlite3_exec(db, update, nullptr, nullptr, nullptr) == SQLITE_OK);
  sqlite3_close(db);
  absl::Status status = OpenSqliteStore(options).status();
  CHECK(status.code() == absl::StatusCode::kFailedPrecondition);
  CHECK(absl::StrContains(status.message(), "revision 1 cannot be decoded"));
  CHECK(absl::StrContains(status.message(),
                          "metadata.generation: Invalid value: 1e99999: number out of range"));
}

// The classic "billion laughs": nine aliases of nine aliases, nine levels (9^9 nodes from 1 KB).
std::string BillionLaughs() {
  std::string out = "a: &a [\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\"]\n";
  for (char level = 'b'; level <= 'i'; ++level) {
    std::string alias = absl::StrCat("*", std::string(1, level - 1));
    absl::StrAppend(&out, std::string(1, level), ": &", std::string(1, level), " [", alias);
    for (int i = 1; i < 9; ++i) absl::StrAppend(&out, ",", alias);
    out += "]\n";
  }
  return out;
}

TEST_CASE("YAML alias bombs stop at a bounded expansion") {
  absl::Status bomb = DecodeManifests(BillionLaughs(), "lol.yaml").status();
  CHECK(bomb.code() == absl::StatusCode::kInvalidArgument);
  CHECK(absl::StrContains(bomb.message(), "lol.yaml: document 1, line"));
  CHECK(absl::StrContains(bomb.message(), "aliases expand the document beyond"));
  CHECK(absl::StrContains(YamlToJson(BillionLaughs(), "lol.yaml").status().message(), "aliases expand"));

  // Long strings count by their size: a thousand aliases of 100 KB would be 100 MB.
  std::string wide =
      absl::StrCat("s: &s \"", std::string(100'000, 'x'), "\"\nl: [", Repeat("*s,", 1000), "*s]\n");
  CHECK(absl::StrContains(DecodeManifests(wide, "wide.yaml").status().message(), "aliases expand"));
}

TEST_CASE("a YAML alias inside the node it names is an error, not a crash") {
  for (const char* text : {"x: &a [*a]\n", "x: &a {y: *a}\n", "&a [1, [2, *a]]\n"}) {
    CAPTURE(text);
    absl::Status status = DecodeManifests(text, "self.yaml").status();
    CHECK(status.code() == absl::StatusCode::kInvalidArgument);
    CHECK(absl::StrContains(status.message(), "alias *a refers to a node that contains it"));
  }
  CHECK(absl::StrContains(DecodeManifests("x: *nowhere\n", "u.yaml").status().message(),
                          "unknown anchor \"nowhere\""));
}

TEST_CASE("YAML that yaml-cpp 0.7 loops on is an error") {
  for (const char* text : {",", ",\n", "- ,", "a: ,", "--- ,"}) {
    CAPTURE(text);
    absl::Status status = DecodeManifests(text, "comma.yaml").status();
    CHECK(status.code() == absl::StatusCode::kInvalidArgument);
    CHECK_MESSAGE(absl::StrContains(status.message(), "comma.yaml: line 1"), status.message());
    CHECK(absl::StrContains(status.message(), "(document 1)"));
    CHECK(YamlToJson(text, "comma.yaml").status().code() == absl::StatusCode::kInvalidArgument);
  }
}

TEST_CASE("aliases used as people use them still expand") {
  absl::StatusOr<std::vector<Object>> objects = DecodeManifests(R"(apiVersion: v1
kind: ConfigMap
metadata:
  name: shared
  labels: &labels {app: web}
  annotations: *labels
)",
                                                                "alias.yaml");
  REQUIRE_MESSAGE(objects.ok(), objects.status().ToString());
  CHECK(objects->front().metadata.annotations.at("app") == "web");
}

}  // namespace
}  // namespace orch
