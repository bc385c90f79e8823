// The generic codec: TypeMeta, ObjectMeta, Time and the split of a document into Object parts.
#include <string>

#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "orch/codec.h"
#include "orch/object.h"
#include "src/core/json_util.h"
#include "src/core/selectable_fields.h"

namespace orch {

using json::Json;

absl::string_view TypeMeta::Group() const {
  absl::string_view v = apiVersion;
  size_t slash = v.find('/');
  return slash == absl::string_view::npos ? absl::string_view() : v.substr(0, slash);
}

absl::string_view TypeMeta::Version() const {
  absl::string_view v = apiVersion;
  size_t slash = v.find('/');
  return slash == absl::string_view::npos ? v : v.substr(slash + 1);
}

std::string Time::ToRfc3339() const {
  if (!IsSet()) return "";
  return absl::FormatTime("%Y-%m-%dT%H:%M:%SZ", value, absl::UTCTimeZone());
}

std::optional<Time> Time::Parse(absl::string_view text) {
  absl::Time t;
  std::string err;
  if (!absl::ParseTime(absl::RFC3339_full, text, absl::UTCTimeZone(), &t, &err)) return std::nullopt;
  return Time{t};
}

const OwnerReference* ObjectMeta::ControllerRef() const {
  for (const OwnerReference& ref : ownerReferences) {
    if (ref.controller.value_or(false)) return &ref;
  }
  return nullptr;
}

namespace {

void DecodeOwnerReference(const Json& j, const std::string& path, json::Errors* errors, OwnerReference* out) {
  json::ObjectReader r(j, path, errors);
  r.Read("apiVersion", &out->apiVersion);
  r.Read("kind", &out->kind);
  r.Read("name", &out->name);
  r.Read("uid", &out->uid);
  r.Read("controller", &out->controller);
  r.Read("blockOwnerDeletion", &out->blockOwnerDeletion);
}

Json EncodeOwnerReference(const OwnerReference& ref) {
  Json j = Json::object();
  j["apiVersion"] = ref.apiVersion;
  j["kind"] = ref.kind;
  j["name"] = ref.name;
  j["uid"] = ref.uid;
  json::SetIfSet(j, "controller", ref.controller);
  json::SetIfSet(j, "blockOwnerDeletion", ref.blockOwnerDeletion);
  return j;
}

void DecodeMeta(const Json& j, const std::string& path, json::Errors* errors, ObjectMeta* out) {
  json::ObjectReader r(j, path, errors);
  r.Read("name", &out->name);
  r.Read("generateName", &out->generateName);
  r.Read("namespace", &out->namespace_);
  r.Read("uid", &out->uid);
  if (const Json* rv = r.Get("resourceVersion")) {
    // Kubernetes encodes it as a string; accept a number too, as a convenience.
    if (rv->is_string()) {
      out->resourceVersion = rv->get<std::string>();
    } else if (rv->is_number_integer()) {
      out->resourceVersion = std::to_string(rv->get<int64_t>());
    } else {
      errors->Add(r.PathOf("resourceVersion"), absl::StrCat("expected string, got ", rv->type_name()));
    }
  }
  r.Read("generation", &out->generation);
  r.Read("labels", &out->labels);
  r.Read("annotations", &out->annotations);
  r.ReadList<OwnerReference>("ownerReferences", &out->ownerReferences, DecodeOwnerReference);
  r.Read("finalizers", &out->finalizers);
  r.Read("creationTimestamp", &out->creationTimestamp);
  r.Read("deletionTimestamp", &out->deletionTimestamp);
  r.Read("deletionGracePeriodSeconds", &out->deletionGracePeriodSeconds);
  out->unknown = r.Unknown();
}

Json EncodeMeta(const ObjectMeta& meta) {
  Json j = json::StartObject(meta.unknown);
  json::SetIfNotEmpty(j, "name", meta.name);
  json::SetIfNotEmpty(j, "generateName", meta.generateName);
  json::SetIfNotEmpty(j, "namespace", meta.namespace_);
  json::SetIfNotEmpty(j, "uid", meta.uid);
  json::SetIfNotEmpty(j, "resourceVersion", meta.resourceVersion);
  if (meta.generation != 0) j["generation"] = meta.generation;
  json::SetIfNotEmpty(j, "labels", meta.labels);
  json::SetIfNotEmpty(j, "annotations", meta.annotations);
  if (!meta.ownerReferences.empty()) {
    Json refs = Json::array();
    for (const OwnerReference& ref : meta.ownerReferences) refs.push_back(EncodeOwnerReference(ref));
    j["ownerReferences"] = std::move(refs);
  }
  json::SetIfNotEmpty(j, "finalizers", meta.finalizers);
  // Kubernetes writes creationTimestamp even when unset (as null); omitting it means the same.
  json::SetIfSet(j, "creationTimestamp", meta.creationTimestamp);
  json::SetIfSet(j, "deletionTimestamp", meta.deletionTimestamp);
  json::SetIfSet(j, "deletionGracePeriodSeconds", meta.deletionGracePeriodSeconds);
  return j;
}

// Appends `"key":` and a JSON string to out.
void AppendStringMember(std::string* out, absl::string_view key, absl::string_view value) {
  absl::StrAppend(out, "\"", key, "\":", json::Dump(Json(std::string(value))));
}

}  // namespace

absl::StatusOr<ObjectMeta> DecodeObjectMeta(absl::string_view text, absl::string_view path) {
  Json j;
  absl::Status parsed = json::Parse(text, path, &j);
  if (!parsed.ok()) return parsed;
  json::Errors errors;
  ObjectMeta meta;
  DecodeMeta(j, std::string(path), &errors, &meta);
  if (!errors.empty()) return errors.ToStatus();
  return meta;
}

std::string EncodeObjectMeta(const ObjectMeta& meta) { return json::Dump(EncodeMeta(meta)); }

absl::StatusOr<Object> DecodeObject(absl::string_view text) {
  Json j;
  absl::Status parsed = json::Parse(text, "object", &j);
  if (!parsed.ok()) return parsed;
  if (!j.is_object()) {
    return absl::InvalidArgumentError(absl::StrCat("object: expected a JSON object, got ", j.type_name()));
  }
  json::Errors errors;
  Object object;
  json::ObjectReader r(j, "", &errors);
  r.Read("apiVersion", &object.type.apiVersion);
  r.Read("kind", &object.type.kind);
  if (object.type.kind.empty()) errors.Add("kind", "Required value: Object 'Kind' is missing");
  if (object.type.apiVersion.empty()) errors.Add("apiVersion", "Required value: Object 'apiVersion' is missing");
  if (const Json* meta = r.Get("metadata")) DecodeMeta(*meta, "metadata", &errors, &object.metadata);
  Json status;
  if (auto it = j.find("status"); it != j.end()) {
    status = *it;
    if (!status.is_null()) object.status = json::Dump(status);
  }
  Json rest = Json::object();
  for (const auto& [k, v] : j.items()) {
    if (k != "apiVersion" && k != "kind" && k != "metadata" && k != "status") rest[k] = v;
  }
  if (!errors.empty()) return errors.ToStatus();
  object.spec = json::Dump(rest);
  FillSelectableFields(&object, rest, status);
  return object;
}

std::string EncodeObject(const Object& object) {
  std::string out;
  std::string meta = EncodeObjectMeta(object.metadata);
  out.reserve(object.spec.size() + object.status.size() + meta.size() + 64);
  out.push_back('{');
  AppendStringMember(&out, "apiVersion", object.type.apiVersion);
  out.push_back(',');
  AppendStringMember(&out, "kind", object.type.kind);
  absl::StrAppend(&out, ",\"metadata\":", meta);
  // spec is "{...}": splice its members in.
  absl::string_view spec = object.spec;
  if (spec.size() > 2 && spec.front() == '{' && spec.back() == '}') {
    out.push_back(',');
    out.append(spec.data() + 1, spec.size() - 2);
  }
  if (!object.status.empty()) absl::StrAppend(&out, ",\"status\":", object.status);
  out.push_back('}');
  return out;
}

}  // namespace orch
