// YAML manifests: multi-document streams to objects and back, via JSON, with Kubernetes' reading of
// plain scalars (sigs.k8s.io/yaml: `yes`/`on` are booleans, unquoted numbers are numbers).
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

namespace orch {
namespace {

using json::Json;

bool IsOneOf(absl::string_view s, std::initializer_list<absl::string_view> options) {
  for (absl::string_view option : options) {
    if (s == option) return true;
  }
  return false;
}

// The JSON value of a plain (unquoted) YAML scalar.
Json ResolvePlain(const std::string& s) {
  if (IsOneOf(s, {"", "~", "null", "Null", "NULL"})) return nullptr;
  if (IsOneOf(s, {"true", "True", "TRUE", "yes", "Yes", "YES", "on", "On", "ON"})) return true;
  if (IsOneOf(s, {"false", "False", "FALSE", "no", "No", "NO", "off", "Off", "OFF"})) return false;
  int64_t i = 0;
  if (absl::SimpleAtoi(s, &i) && (std::isdigit(static_cast<unsigned char>(s.back())) != 0)) return i;
  uint64_t u = 0;
  if (s.size() > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X') && absl::SimpleHexAtoi(s.substr(2), &u) &&
      u <= static_cast<uint64_t>(std::numeric_limits<int64_t>::max())) {
    return static_cast<int64_t>(u);
  }
  if (IsOneOf(s, {".inf", ".Inf", ".INF", "+.inf"})) return std::numeric_limits<double>::infinity();
  if (IsOneOf(s, {"-.inf", "-.Inf", "-.INF"})) return -std::numeric_limits<double>::infinity();
  // A float needs a digit and only number characters: "1.5", "1e3", "-0.5"; not "1.2.3" or "v1".
  bool numeric =
      std::any_of(s.begin(), s.end(), [](char c) { return std::isdigit(static_cast<unsigned char>(c)); });
  for (char c : s) {
    if (!(std::isdigit(static_cast<unsigned char>(c)) || c == '.' || c == 'e' || c == 'E' || c == '+' ||
          c == '-')) {
      numeric = false;
    }
  }
  double d = 0;
  if (numeric && absl::SimpleAtod(s, &d) && std::isfinite(d)) return d;
  return s;
}

absl::Status ToJson(const YAML::Node& node, absl::string_view where, Json* out) {
  switch (node.Type()) {
    case YAML::NodeType::Null:
    case YAML::NodeType::Undefined:
      *out = nullptr;
      return absl::OkStatus();
    case YAML::NodeType::Scalar:
      // Quoted scalars (tag "!") and explicitly tagged strings stay strings.
      if (node.Tag() == "!" || node.Tag() == "tag:yaml.org,2002:str") {
        *out = node.Scalar();
      } else {
        *out = ResolvePlain(node.Scalar());
      }
      return absl::OkStatus();
    case YAML::NodeType::Sequence:
      *out = Json::array();
      for (const YAML::Node& item : node) {
        Json value;
        if (absl::Status s = ToJson(item, where, &value); !s.ok()) return s;
        out->push_back(std::move(value));
      }
      return absl::OkStatus();
    case YAML::NodeType::Map:
      *out = Json::object();
      for (const auto& entry : node) {
        if (!entry.first.IsScalar()) {
          return absl::InvalidArgumentError(absl::StrCat(where, ", line ", entry.first.Mark().line + 1,
                                                         ": a mapping key must be a scalar"));
        }
        Json value;
        if (absl::Status s = ToJson(entry.second, where, &value); !s.ok()) return s;
        (*out)[entry.first.Scalar()] = std::move(value);
      }
      return absl::OkStatus();
  }
  return absl::OkStatus();
}

// Whether a string would read back as something else if written plain.
bool NeedsQuotes(const std::string& s) {
  Json resolved = ResolvePlain(s);
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
  std::vector<YAML::Node> docs;
  try {
    docs = YAML::LoadAll(std::string(text));
  } catch (const YAML::Exception& e) {
    return absl::InvalidArgumentError(
        absl::StrCat(source, ": line ", e.mark.line + 1, ", column ", e.mark.column + 1, ": ", e.msg));
  }
  for (size_t i = 0; i < docs.size(); ++i) {
    std::string where = absl::StrCat(source, ": document ", i + 1);
    if (docs[i].IsDefined() && !docs[i].IsNull())
      absl::StrAppend(&where, " (line ", docs[i].Mark().line + 1, ")");
    Json doc;
    if (absl::Status s = ToJson(docs[i], where, &doc); !s.ok()) return s;
    if (absl::Status s = AppendObjects(doc, where, &objects); !s.ok()) return s;
  }
  return objects;
}

absl::StatusOr<std::string> YamlToJson(absl::string_view yaml, absl::string_view source) {
  YAML::Node node;
  try {
    node = YAML::Load(std::string(yaml));
  } catch (const YAML::Exception& e) {
    return absl::InvalidArgumentError(
        absl::StrCat(source, ": line ", e.mark.line + 1, ", column ", e.mark.column + 1, ": ", e.msg));
  }
  Json doc;
  if (absl::Status s = ToJson(node, source, &doc); !s.ok()) return s;
  return json::Dump(doc);
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
