// Writing JSON text directly, for the hot paths that encode every stored object (metadata, the
// document envelope) where building an nlohmann tree costs more than the write itself.
#ifndef ORCH_SRC_CORE_API_JSON_WRITER_H_
#define ORCH_SRC_CORE_API_JSON_WRITER_H_

#include <cstdint>
#include <string>

#include "absl/strings/string_view.h"

namespace orch::json {

// Appends `s` as a JSON string literal. Invalid UTF-8 becomes U+FFFD, so the output always parses.
void AppendQuoted(std::string* out, absl::string_view s);

// Appends the members of one JSON object, adding the commas; the caller writes the braces.
class MemberWriter {
 public:
  // `after_member`: members were already written, so the first one written here needs a comma.
  explicit MemberWriter(std::string* out, bool after_member = false) : out_(out), first_(!after_member) {}
  // `"key":` (after a comma when needed); the caller appends the value.
  std::string* Key(absl::string_view key);
  void String(absl::string_view key, absl::string_view value);
  void Int(absl::string_view key, int64_t value);
  void Bool(absl::string_view key, bool value);
  // `raw` is JSON text of a value.
  void Raw(absl::string_view key, absl::string_view raw);
  // Appends the members of `object_text` ("{...}"), if any.
  void Splice(absl::string_view object_text);

 private:
  std::string* out_;
  bool first_;
};

}  // namespace orch::json

#endif  // ORCH_SRC_CORE_API_JSON_WRITER_H_
