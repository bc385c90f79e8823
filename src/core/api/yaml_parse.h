// Reading YAML text into JSON values with libyaml's event parser, the C parser go-yaml (and so
// Kubernetes' sigs.k8s.io/yaml) was ported from, with the bounds a server needs: nesting no deeper
// than json::kMaxDepth, alias expansion bounded in nodes and bytes, no alias to a node that contains
// it. Internal to src/core.
#ifndef ORCH_SRC_CORE_API_YAML_PARSE_H_
#define ORCH_SRC_CORE_API_YAML_PARSE_H_

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "src/core/api/json_util.h"

namespace orch::yaml {

// One document of a stream: its value (null when empty) and the line (1-based) its content starts.
struct Document {
  json::Json value;
  int line = 0;
};

// Parses every document of `text`. YAML 1.1 as Kubernetes reads it: plain scalars resolve as in
// ResolvePlain, merge keys (`<<: *base`) merge, a key twice in one mapping is an error, and `.inf`
// or `.nan` (which JSON cannot hold) is an error. Errors are InvalidArgument
// `source: document N, line L, column C: message` (syntax errors: `source: line L, column C (document N):
// ...`).
absl::Status ParseDocuments(absl::string_view text, absl::string_view source, std::vector<Document>* out);

// The JSON value of a plain (unquoted) YAML scalar: null, a boolean (yes/on/true...), an integer, a
// float (infinite or NaN for .inf and .nan), or the text itself.
json::Json ResolvePlain(const std::string& s);

// Alias expansion allowed per document, in cost units (a node, or 32 bytes of scalar text): at most
// kAliasRatio times what the document itself holds, plus kAliasAllowance, and never more than
// kMaxAliasCost. go-yaml bounds the same ratio (to 99 for documents under 400,000 nodes).
inline constexpr size_t kAliasRatio = 100;
inline constexpr size_t kAliasAllowance = 10'000;
inline constexpr size_t kMaxAliasCost = 1'000'000;

}  // namespace orch::yaml

#endif  // ORCH_SRC_CORE_API_YAML_PARSE_H_
