// YAML manifests: multi-document streams to objects and back, via JSON, with Kubernetes' reading of
// plain scalars (sigs.k8s.io/yaml: `yes`/`on` are booleans, unquoted numbers are numbers). Reading is
// libyaml's (yaml_parse.h); writing is yaml-cpp's emitter, which takes only trees orch built.
#include <yaml-cpp/yaml.h>

#include <cmath>
#include <limits>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "orch/api/codec.h"
#include "src/core/api/json_util.h"
#include "src/core/api/yaml_parse.h"

namespace orch {
namespace {

using json::Json;

// Whether a string would read back as something else if written plain.
bool NeedsQuotes(const std::string& s) {
  Json resolved = yaml::ResolvePlain(s);
  return !resolved.is_string() || s.empty() || s.front() == ' ' || s.back() == ' ';
}

void Emit(const Json& j, YAML::Emitter* out) {
  switch (j.type()) {
    case Json::value_t::object:
      *out << YAML::BeginMap;
      for (const auto& [key, value] : j.items()) {
        *out << YAML::Key;
        if (NeedsQuotes(key)) *out << YAML::DoubleQuoted;
        *out << key << YAML::Value;
        Emit(value, out);
      }
      *out << YAML::EndMap;
      break;
    case Json::value_t::array:
      *out << YAML::BeginSeq;
      for (const Json& value : j) Emit(value, out);
      *out << YAML::EndSeq;
      break;
    case Json::value_t::string: {
      const std::string& s = j.get_ref<const std::string&>();
      if (s.find('\n') != std::string::npos) {
        *out << YAML::Literal << s;
      } else {
        if (NeedsQuotes(s)) *out << YAML::DoubleQuoted;
        *out << s;
      }
      break;
    }
    case Json::value_t::boolean:
      *out << (j.get<bool>() ? "true" : "false");
      break;
    case Json::value_t::null:
    case Json::value_t::discarded:
      *out << YAML::Null;
      break;
    default:
      *out << json::Dump(j);  // numbers, as JSON writes them
      break;
  }
}

// Decodes one JSON value that is an object or a `kind: List`, appending to `out`.
absl::Status AppendObjects(const Json& doc, absl::string_view where, std::vector<Object>* out) {
  if (doc.is_null()) return absl::OkStatus();
  if (!doc.is_object()) {
    return absl::InvalidArgumentError(absl::StrCat(where, ": expected an object, got ", doc.type_name()));
  }
  auto kind = doc.find("kind");
  auto items = doc.find("items");
  if (kind != doc.end() && kind->is_string() && absl::EndsWith(kind->get_ref<const std::string&>(), "List") &&
      items != doc.end() && items->is_array()) {
    for (size_t i = 0; i < items->size(); ++i) {
      if (absl::Status s = AppendObjects((*items)[i], absl::StrCat(where, ": items[", i, "]"), out); !s.ok())
        return s;
    }
    return absl::OkStatus();
  }
  absl::StatusOr<Object> object = DecodeObject(json::Dump(doc));
  if (!object.ok()) return absl::InvalidArgumentError(absl::StrCat(where, ": ", object.status().message()));
  out->push_back(std::move(*object));
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<std::vector<Object>> DecodeManifests(absl::string_view text, absl::string_view source) {
  std::vector<Object> objects;
  absl::string_view trimmed = absl::StripLeadingAsciiWhitespace(text);
  if (!trimmed.empty() && (trimmed.front() == '{' || trimmed.front() == '[')) {
    Json doc;
    if (absl::Status s = json::Parse(text, source, &doc); !s.ok()) return s;
    if (doc.is_array()) {
      for (size_t i = 0; i < doc.size(); ++i) {
        if (absl::Status s = AppendObjects(doc[i], absl::StrCat(source, ": [", i, "]"), &objects); !s.ok())
          return s;
      }
    } else if (absl::Status s = AppendObjects(doc, source, &objects); !s.ok()) {
      return s;
    }
    return objects;
  }
  std::vector<yaml::Document> docs;
  if (absl::Status s = yaml::ParseDocuments(text, source, &docs); !s.ok()) return s;
  for (size_t i = 0; i < docs.size(); ++i) {
    std::string where = absl::StrCat(source, ": document ", i + 1);
    if (!docs[i].value.is_null()) absl::StrAppend(&where, " (line ", docs[i].line, ")");
    if (absl::Status s = AppendObjects(docs[i].value, where, &objects); !s.ok()) return s;
  }
  return objects;
}

absl::StatusOr<std::string> YamlToJson(absl::string_view yaml, absl::string_view source) {
  std::vector<yaml::Document> docs;
  if (absl::Status s = yaml::ParseDocuments(yaml, source, &docs); !s.ok()) return s;
  return docs.empty() ? std::string("null") : json::Dump(docs.front().value);
}

absl::StatusOr<std::string> JsonToYaml(absl::string_view text) {
  Json doc;
  if (absl::Status s = json::Parse(text, "JSON", &doc); !s.ok()) return s;
  YAML::Emitter out;
  Emit(doc, &out);
  return std::string(out.c_str());
}

std::string EncodeYaml(const Object& object) {
  absl::StatusOr<std::string> yaml = JsonToYaml(EncodeObject(object));
  return yaml.ok() ? *yaml + "\n" : std::string();
}

}  // namespace orch
