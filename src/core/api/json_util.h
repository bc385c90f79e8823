// Helpers for decoding typed structs from nlohmann::json with field paths in every error, and for
// keeping the members a struct does not model (UnknownFields). Internal to src/core.
#ifndef ORCH_SRC_CORE_API_JSON_UTIL_H_
#define ORCH_SRC_CORE_API_JSON_UTIL_H_

#include <cstdint>
#include <functional>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "orch/api/object.h"

namespace orch::json {

using Json = nlohmann::json;

// Collected decode errors, each "path: message". Turned into one InvalidArgument status at the end.
class Errors {
 public:
  void Add(absl::string_view path, absl::string_view message);
  bool empty() const { return errors_.empty(); }
  const std::vector<std::string>& list() const { return errors_; }
  // OK when empty, else InvalidArgument with the errors joined by "; " (after `prefix: ` if given).
  absl::Status ToStatus(absl::string_view prefix = "") const;

 private:
  std::vector<std::string> errors_;
};

// "spec" + "replicas" -> "spec.replicas"; "" + "spec" -> "spec".
std::string Join(absl::string_view path, absl::string_view key);
// "spec.containers" + 2 -> "spec.containers[2]".
std::string Index(absl::string_view path, size_t index);

// Reads the members of one JSON object into typed fields. Absent and null members leave the output
// untouched; a member of the wrong type records an error naming its path and leaves the output
// untouched. Members that were read are remembered so that Unknown() returns the rest.
class ObjectReader {
 public:
  // `value` must outlive the reader. If it is not an object (and not null), an error is recorded.
  ObjectReader(const Json& value, std::string path, Errors* errors);

  const std::string& path() const { return path_; }
  std::string PathOf(absl::string_view key) const { return Join(path_, key); }
  // The member, or nullptr when absent or null; marks it as read.
  const Json* Get(absl::string_view key);

  void Read(absl::string_view key, std::string* out);
  void Read(absl::string_view key, bool* out);
  void Read(absl::string_view key, int32_t* out);
  void Read(absl::string_view key, int64_t* out);
  void Read(absl::string_view key, double* out);
  void Read(absl::string_view key, std::optional<std::string>* out);
  void Read(absl::string_view key, std::optional<bool>* out);
  void Read(absl::string_view key, std::optional<int32_t>* out);
  void Read(absl::string_view key, std::optional<int64_t>* out);
  void Read(absl::string_view key, Labels* out);  // a string-to-string map
  void Read(absl::string_view key, std::vector<std::string>* out);
  void Read(absl::string_view key, Time* out);  // RFC 3339

  // A nested struct: decode(json, path, errors, out) is called when the member is present.
  template <class T>
  void ReadStruct(absl::string_view key, T* out,
                  const std::function<void(const Json&, const std::string&, Errors*, T*)>& decode) {
    if (const Json* member = Get(key)) decode(*member, PathOf(key), errors_, out);
  }
  template <class T>
  void ReadStruct(absl::string_view key, std::optional<T>* out,
                  const std::function<void(const Json&, const std::string&, Errors*, T*)>& decode) {
    if (const Json* member = Get(key)) decode(*member, PathOf(key), errors_, &out->emplace());
  }
  // A list of structs; each element is decoded with path "key[i]".
  template <class T>
  void ReadList(absl::string_view key, std::vector<T>* out,
                const std::function<void(const Json&, const std::string&, Errors*, T*)>& decode) {
    const Json* member = Get(key);
    if (member == nullptr) return;
    if (!member->is_array()) {
      errors_->Add(PathOf(key), "expected array, got " + std::string(member->type_name()));
      return;
    }
    out->clear();
    out->reserve(member->size());
    for (size_t i = 0; i < member->size(); ++i) {
      decode((*member)[i], Index(PathOf(key), i), errors_, &out->emplace_back());
    }
  }

  // The members not read so far, as UnknownFields (empty when there are none).
  UnknownFields Unknown() const;

 private:
  const Json* object_;  // nullptr when the value was not an object
  std::string path_;
  Errors* errors_;
  std::vector<std::string> read_;
};

// Starts an encoded object from its unknown members, so that known members set afterwards win.
Json StartObject(const UnknownFields& unknown);
// Setters that omit empty values, as Kubernetes' `omitempty` does.
void SetIfNotEmpty(Json& j, const char* key, const std::string& value);
void SetIfNotEmpty(Json& j, const char* key, const Labels& value);
void SetIfNotEmpty(Json& j, const char* key, const std::vector<std::string>& value);
void SetIfSet(Json& j, const char* key, const Time& value);
template <class T>
void SetIfSet(Json& j, const char* key, const std::optional<T>& value) {
  if (value.has_value()) j[key] = *value;
}
// Sets j[key] only when the encoded value is not an empty object/array/null.
void SetIfNotEmptyJson(Json& j, const char* key, Json value);

// The deepest nesting of arrays and objects (and YAML sequences and mappings) a decoder accepts.
// Go's JSON decoder stops at 10,000; orch's decoders, encoders and nlohmann's copies recurse once per
// level, and 1,000 levels stay well inside a thread's stack even under AddressSanitizer. Real
// objects nest fewer than 30 levels.
inline constexpr size_t kMaxDepth = 1000;

// Parses JSON text without throwing: InvalidArgument naming `what` and the byte offset or field path
// on error. Stricter than nlohmann's parser, as Kubernetes' strict decoding is: a member named twice
// in one object, a number out of the range of a double (1e99999) and nesting deeper than kMaxDepth
// are errors.
absl::Status Parse(absl::string_view text, absl::string_view what, Json* out);
// Compact dump that never throws (invalid UTF-8 is replaced).
std::string Dump(const Json& j);

}  // namespace orch::json

#endif  // ORCH_SRC_CORE_API_JSON_UTIL_H_
