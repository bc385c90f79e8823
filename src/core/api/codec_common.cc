// Shared pieces of the typed codecs; see codec_common.h.
#include "src/core/api/codec_common.h"

#include <string>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "orch/api/codec.h"
#include "src/core/api/selectable_fields.h"

namespace orch::codec {

Reader::Reader(const Json& value, std::string path, Errors* errors)
    : object_(value.is_object() ? &value : nullptr),
      reader_(value, std::move(path), errors),
      errors_(errors) {}

const Json* Reader::Find(absl::string_view key) const {
  if (object_ == nullptr) return nullptr;
  auto it = object_->find(std::string(key));
  if (it == object_->end() || it->is_null()) return nullptr;
  return &*it;
}

void Reader::TypeError(absl::string_view key, absl::string_view expected, const Json& got) {
  errors_->Add(PathOf(key), absl::StrCat("expected ", expected, ", got ", got.type_name()));
}

void Reader::Read(absl::string_view key, std::string* out) {
  const Json* m = Find(key);
  if (m == nullptr || (m->is_string() && m->get_ref<const std::string&>().empty())) return;
  reader_.Read(key, out);
}

void Reader::Read(absl::string_view key, bool* out) {
  const Json* m = Find(key);
  if (m == nullptr || (m->is_boolean() && !m->get<bool>())) return;
  reader_.Read(key, out);
}

void Reader::Read(absl::string_view key, int32_t* out) {
  const Json* m = Find(key);
  if (m == nullptr || (m->is_number() && m->get<double>() == 0)) return;
  reader_.Read(key, out);
}

void Reader::Read(absl::string_view key, int64_t* out) {
  const Json* m = Find(key);
  if (m == nullptr || (m->is_number() && m->get<double>() == 0)) return;
  reader_.Read(key, out);
}

void Reader::Read(absl::string_view key, std::optional<std::string>* out) {
  if (Find(key) != nullptr) reader_.Read(key, out);
}

void Reader::Read(absl::string_view key, std::optional<bool>* out) {
  if (Find(key) != nullptr) reader_.Read(key, out);
}

void Reader::Read(absl::string_view key, std::optional<int32_t>* out) {
  if (Find(key) != nullptr) reader_.Read(key, out);
}

void Reader::Read(absl::string_view key, std::optional<int64_t>* out) {
  if (Find(key) != nullptr) reader_.Read(key, out);
}

void Reader::Read(absl::string_view key, Labels* out) {
  const Json* m = Find(key);
  if (m == nullptr || IsEmptyObject(*m)) return;
  reader_.Read(key, out);
}

void Reader::Read(absl::string_view key, std::vector<std::string>* out) {
  const Json* m = Find(key);
  if (m == nullptr || (m->is_array() && m->empty())) return;
  reader_.Read(key, out);
}

void Reader::Read(absl::string_view key, Time* out) {
  if (Find(key) != nullptr) reader_.Read(key, out);
}

void Reader::Read(absl::string_view key, ResourceList* out) {
  const Json* m = Find(key);
  if (m == nullptr || IsEmptyObject(*m)) return;
  reader_.Get(key);
  if (!m->is_object()) return TypeError(key, "object", *m);
  out->clear();
  for (const auto& [name, value] : m->items()) {
    DecodeQuantity(value, json::Join(PathOf(key), name), errors_, &(*out)[name]);
  }
}

void Reader::Read(absl::string_view key, std::optional<Quantity>* out) {
  if (const Json* m = Find(key)) {
    reader_.Get(key);
    DecodeQuantity(*m, PathOf(key), errors_, &out->emplace());
  }
}

void Reader::Read(absl::string_view key, IntOrString* out) {
  const Json* m = Find(key);
  if (m == nullptr || (m->is_number() && m->get<double>() == 0)) return;
  reader_.Get(key);
  DecodeIntOrString(*m, PathOf(key), errors_, out);
}

void Reader::Read(absl::string_view key, std::optional<IntOrString>* out) {
  if (const Json* m = Find(key)) {
    reader_.Get(key);
    DecodeIntOrString(*m, PathOf(key), errors_, &out->emplace());
  }
}

void Reader::Read(absl::string_view key, std::optional<LabelSelectorSpec>* out) {
  if (const Json* m = Find(key)) {
    reader_.Get(key);
    DecodeLabelSelector(*m, PathOf(key), errors_, &out->emplace());
  }
}

void SetInt(Json& j, const char* key, int64_t value) {
  if (value != 0) j[key] = value;
}

void SetBool(Json& j, const char* key, bool value) {
  if (value) j[key] = true;
}

void SetResourceList(Json& j, const char* key, const ResourceList& value) {
  if (value.empty()) return;
  Json list = Json::object();
  for (const auto& [name, quantity] : value) list[name] = EncodeQuantity(quantity);
  j[key] = std::move(list);
}

std::string MicroTimeText(const Time& value) {
  return absl::FormatTime("%Y-%m-%dT%H:%M:%E6SZ", value.value, absl::UTCTimeZone());
}

void SetMicroTime(Json& j, const char* key, const Time& value) {
  if (value.IsSet()) j[key] = MicroTimeText(value);
}

Json EncodeQuantity(const Quantity& q) { return q.ToString(); }

void DecodeQuantity(const Json& j, const std::string& path, Errors* errors, Quantity* out) {
  std::string text;
  if (j.is_string()) {
    text = std::string(absl::StripAsciiWhitespace(j.get_ref<const std::string&>()));
  } else if (j.is_number()) {
    text = json::Dump(j);  // as Kubernetes: a JSON number is parsed from its text
  } else if (j.is_null()) {
    *out = Quantity();
    return;
  } else {
    errors->Add(path, absl::StrCat("expected quantity string, got ", j.type_name()));
    return;
  }
  absl::StatusOr<Quantity> q = Quantity::Parse(text);
  if (!q.ok()) {
    errors->Add(path, q.status().message());
    return;
  }
  *out = *std::move(q);
}

Json EncodeIntOrString(const IntOrString& v) {
  if (v.IsInt()) return v.intVal;
  return v.strVal;
}

void DecodeIntOrString(const Json& j, const std::string& path, Errors* errors, IntOrString* out) {
  if (j.is_string()) {
    *out = IntOrString::FromString(j.get<std::string>());
    return;
  }
  if (j.is_number_integer()) {
    bool in_range = j.is_number_unsigned() ? j.get<uint64_t>() <= static_cast<uint64_t>(INT32_MAX)
                                           : (j.get<int64_t>() >= INT32_MIN && j.get<int64_t>() <= INT32_MAX);
    if (in_range) {
      *out = IntOrString::FromInt(static_cast<int32_t>(j.get<int64_t>()));
      return;
    }
    errors->Add(path, absl::StrCat("value ", json::Dump(j), " out of range"));
    return;
  }
  errors->Add(path, absl::StrCat("expected integer or string, got ", j.type_name()));
}

namespace {

void DecodeRequirement(const Json& j, const std::string& path, Errors* errors,
                       LabelSelectorRequirement* out) {
  json::ObjectReader r(j, path, errors);
  r.Read("key", &out->key);
  r.Read("operator", &out->operator_);
  r.Read("values", &out->values);
}

Json EncodeRequirement(const LabelSelectorRequirement& req) {
  Json j = Json::object();
  j["key"] = req.key;
  j["operator"] = req.operator_;
  json::SetIfNotEmpty(j, "values", req.values);
  return j;
}

}  // namespace

Json EncodeLabelSelector(const LabelSelectorSpec& selector) {
  Json j = Json::object();
  json::SetIfNotEmpty(j, "matchLabels", selector.matchLabels);
  SetList(j, "matchExpressions", selector.matchExpressions, EncodeRequirement);
  return j;
}

void DecodeLabelSelector(const Json& j, const std::string& path, Errors* errors, LabelSelectorSpec* out) {
  json::ObjectReader r(j, path, errors);
  r.Read("matchLabels", &out->matchLabels);
  r.ReadList<LabelSelectorRequirement>("matchExpressions", &out->matchExpressions, DecodeRequirement);
}

Json EncodeObjectReference(const ObjectReference& ref) {
  Json j = json::StartObject(ref.unknown);
  json::SetIfNotEmpty(j, "kind", ref.kind);
  json::SetIfNotEmpty(j, "namespace", ref.namespace_);
  json::SetIfNotEmpty(j, "name", ref.name);
  json::SetIfNotEmpty(j, "uid", ref.uid);
  json::SetIfNotEmpty(j, "apiVersion", ref.apiVersion);
  json::SetIfNotEmpty(j, "resourceVersion", ref.resourceVersion);
  json::SetIfNotEmpty(j, "fieldPath", ref.fieldPath);
  return j;
}

void DecodeObjectReference(const Json& j, const std::string& path, Errors* errors, ObjectReference* out) {
  Reader r(j, path, errors);
  r.Read("kind", &out->kind);
  r.Read("namespace", &out->namespace_);
  r.Read("name", &out->name);
  r.Read("uid", &out->uid);
  r.Read("apiVersion", &out->apiVersion);
  r.Read("resourceVersion", &out->resourceVersion);
  r.Read("fieldPath", &out->fieldPath);
  out->unknown = r.Unknown();
}

Json EncodeTemplateMeta(const ObjectMeta& meta) {
  Json j;
  if (!json::Parse(EncodeObjectMeta(meta), "metadata", &j).ok() || !j.is_object()) return Json::object();
  return j;
}

void DecodeTemplateMeta(const Json& j, const std::string& path, Errors* errors, ObjectMeta* out) {
  if (!j.is_object()) {
    errors->Add(path, absl::StrCat("expected object, got ", j.type_name()));
    return;
  }
  absl::StatusOr<ObjectMeta> meta = DecodeObjectMeta(json::Dump(j), path);
  if (!meta.ok()) {
    errors->Add("", meta.status().message());
    return;
  }
  *out = *std::move(meta);
  // The metadata codec omits null and zero members ("creationTimestamp": null, as Kubernetes writes
  // it in every template); keep them with the unknown members so that they are written back.
  Json unknown = json::StartObject(out->unknown);
  bool added = false;
  for (const auto& [key, value] : j.items()) {
    bool zero = value.is_null() || (value.is_string() && value.get_ref<const std::string&>().empty()) ||
                ((value.is_object() || value.is_array()) && value.empty()) ||
                (value.is_number() && value.get<double>() == 0);
    if (zero && !unknown.contains(key)) {
      unknown[key] = value;
      added = true;
    }
  }
  if (added) out->unknown.json = json::Dump(unknown);
}

absl::Status ParseKind(const Object& object, const char* api_version, const char* kind, KindParts* parts) {
  if (object.type.apiVersion != api_version || object.type.kind != kind) {
    return absl::InvalidArgumentError(absl::StrCat("object is ", object.type.apiVersion, " ",
                                                   object.type.kind, ", expected ", api_version, " ", kind));
  }
  if (object.spec.empty()) {
    parts->rest = Json::object();
  } else if (absl::Status s = json::Parse(object.spec, "spec", &parts->rest); !s.ok()) {
    return s;
  }
  if (!parts->rest.is_object()) return absl::InvalidArgumentError("object: expected a JSON object");
  parts->status = Json();
  if (!object.status.empty()) {
    if (absl::Status s = json::Parse(object.status, "status", &parts->status); !s.ok()) return s;
  }
  return absl::OkStatus();
}

UnknownFields KindUnknown(const Reader& rest, const Json& status, bool kind_has_status) {
  UnknownFields unknown = rest.Unknown();
  if (status.is_null() || (kind_has_status && !(status.is_object() && status.empty()))) return unknown;
  Json j = json::StartObject(unknown);
  j["status"] = status;
  return UnknownFields{json::Dump(j)};
}

Object MakeObject(const char* api_version, const char* kind, const ObjectMeta& meta, Json rest, Json status) {
  Object object;
  object.type.apiVersion = api_version;
  object.type.kind = kind;
  object.metadata = meta;
  Json kept_status;
  if (auto it = rest.find("status"); it != rest.end()) {
    kept_status = std::move(*it);
    rest.erase(it);
  }
  if (status.is_null() || (status.is_object() && status.empty())) status = std::move(kept_status);
  object.spec = json::Dump(rest);
  if (!status.is_null()) object.status = json::Dump(status);
  FillSelectableFields(&object, rest, status);
  return object;
}

}  // namespace orch::codec
