// Helpers shared by the store tests: objects built from JSON, stores, scratch directories.
#ifndef ORCH_TESTS_STORE_SQLITE_STORE_TEST_UTIL_H_
#define ORCH_TESTS_STORE_SQLITE_STORE_TEST_UTIL_H_

#include <doctest/doctest.h>
#include <stdlib.h>

#include <algorithm>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>

#include "orch/api/codec.h"
#include "orch/errors.h"
#include "orch/store.h"

namespace orch::testing {

// A Pod as generic Object, decoded from JSON like any input would be.
inline Object PodObject(const std::string& ns, const std::string& name, const Labels& labels = {},
                        const std::string& node = "", size_t padding = 0) {
  nlohmann::json j = {{"apiVersion", "v1"},
                      {"kind", "Pod"},
                      {"metadata", {{"name", name}, {"namespace", ns}}},
                      {"spec", {{"containers", {{{"name", "main"}, {"image", "nginx:1.27"}}}}}}};
  if (!labels.empty()) j["metadata"]["labels"] = labels;
  if (!node.empty()) j["spec"]["nodeName"] = node;
  if (padding > 0) j["metadata"]["annotations"]["padding"] = std::string(padding, 'x');
  absl::StatusOr<Object> object = DecodeObject(j.dump());
  REQUIRE(object.ok());
  return *object;
}

inline Object ConfigMap(const std::string& ns, const std::string& name, const std::string& body) {
  nlohmann::json j = nlohmann::json::parse(body);
  j["apiVersion"] = "v1";
  j["kind"] = "ConfigMap";
  j["metadata"] = {{"name", name}, {"namespace", ns}};
  absl::StatusOr<Object> object = DecodeObject(j.dump());
  REQUIRE(object.ok());
  return *object;
}

// Replaces the stored version of `object`'s key, whatever it is: compare-and-swap on the revision
// just read, again on a conflict (what a registry's unconditional update does).
inline absl::StatusOr<ObjectPtr> Replace(Store& store, Object object) {
  const ResourceType* type = FindResourceTypeFor(object.type);
  REQUIRE(type != nullptr);
  for (;;) {
    absl::StatusOr<ObjectPtr> current = store.Get(*type, object.metadata.namespace_, object.metadata.name);
    if (!current.ok()) return current.status();
    absl::StatusOr<ObjectPtr> updated = store.Update(object, (*current)->revision);
    if (!IsConflict(updated.status())) return updated;
  }
}

// Whether the contract tests run on the memory store (ctest runs them on both: ORCH_TEST_STORE=memory).
inline bool MemoryBackend() {
  const char* backend = getenv("ORCH_TEST_STORE");
  return backend != nullptr && std::string(backend) == "memory";
}

// The store under test, opened with `options`. On the memory store the part of the options it has
// applies, and its history is what the SQLite store serves from memory (the event cache).
inline std::unique_ptr<Store> MustOpen(SqliteStoreOptions options = {}) {
  if (MemoryBackend()) {
    REQUIRE_MESSAGE(options.path == ":memory:", "a store on a file is not a memory store");
    MemoryStoreOptions memory;
    memory.history_revisions =
        std::min<int64_t>(options.history_revisions, static_cast<int64_t>(options.event_cache_size));
    memory.watch_queue_limit = options.watch_queue_limit;
    memory.bookmark_interval = options.bookmark_interval;
    return OpenMemoryStore(memory);
  }
  absl::StatusOr<std::unique_ptr<Store>> store = OpenSqliteStore(options);
  REQUIRE_MESSAGE(store.ok(), store.status().ToString());
  return std::move(*store);
}

// A fresh directory under the system's temp dir, removed with everything in it at scope exit.
class TempDir {
 public:
  TempDir() {
    std::string pattern = (std::filesystem::temp_directory_path() / "orch-test-XXXXXX").string();
    REQUIRE(mkdtemp(pattern.data()) != nullptr);
    path_ = pattern;
  }
  ~TempDir() {
    std::error_code ignored;
    std::filesystem::remove_all(path_, ignored);
  }
  std::string File(const std::string& name) const { return (path_ / name).string(); }
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

}  // namespace orch::testing

#endif  // ORCH_TESTS_STORE_SQLITE_STORE_TEST_UTIL_H_
