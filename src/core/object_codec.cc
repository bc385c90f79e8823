// The generic codec: TypeMeta, ObjectMeta, Time and the split of a document into Object parts.
#include <string>

#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "orch/codec.h"
#include "orch/object.h"
#include "src/core/json_util.h"
#include "src/core/json_writer.h"
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

// Writes the members of metadata; resourceVersion is the caller's (it goes first, see
// EncodeObjectAroundRevision).
void WriteMetaMembers(const ObjectMeta& meta, json::MemberWriter* w) {
  if (!meta.name.empty()) w->String("name", meta.name);
  if (!meta.generateName.empty()) w->String("generateName", meta.generateName);
  if (!meta.namespace_.empty()) w->String("namespace", meta.namespace_);
  if (!meta.uid.empty()) w->String("uid", meta.uid);
  if (meta.generation != 0) w->Int("generation", meta.generation);
  // Kubernetes writes creationTimestamp even when unset (as null); omitting it means the same.
  if (meta.creationTimestamp.IsSet()) w->String("creationTimestamp", meta.creationTimestamp.ToRfc3339());
  if (meta.deletionTimestamp.IsSet()) w->String("deletionTimestamp", meta.deletionTimestamp.ToRfc3339());
  if (meta.deletionGracePeriodSeconds) w->Int("deletionGracePeriodSeconds", *meta.deletionGracePeriodSeconds);
  auto write_map = [&](const char* key, const Labels& map) {
    if (map.empty()) return;
    std::string* out = w->Key(key);
    json::MemberWriter entries(out);
    out->push_back('{');
    for (const auto& [k, v] : map) entries.String(k, v);
    out->push_back('}');
  };
  write_map("labels", meta.labels);
  write_map("annotations", meta.annotations);
  if (!meta.ownerReferences.empty()) {
    std::string* out = w->Key("ownerReferences");
    out->push_back('[');
    for (size_t i = 0; i < meta.ownerReferences.size(); ++i) {
      const OwnerReference& ref = meta.ownerReferences[i];
      if (i > 0) out->push_back(',');
      out->push_back('{');
      json::MemberWriter r(out);
      r.String("apiVersion", ref.apiVersion);
      r.String("kind", ref.kind);
      r.String("name", ref.name);
      r.String("uid", ref.uid);
      if (ref.controller) r.Bool("controller", *ref.controller);
      if (ref.blockOwnerDeletion) r.Bool("blockOwnerDeletion", *ref.blockOwnerDeletion);
      out->push_back('}');
    }
    out->push_back(']');
  }
  if (!meta.finalizers.empty()) {
    std::string* out = w->Key("finalizers");
    out->push_back('[');
    for (size_t i = 0; i < meta.finalizers.size(); ++i) {
      if (i > 0) out->push_back(',');
      json::AppendQuoted(out, meta.finalizers[i]);
    }
    out->push_back(']');
  }
  if (!meta.unknown.empty()) w->Splice(meta.unknown.json);
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

std::string EncodeObjectMeta(const ObjectMeta& meta) {
  std::string out = "{";
  json::MemberWriter w(&out);
  if (!meta.resourceVersion.empty()) w.String("resourceVersion", meta.resourceVersion);
  WriteMetaMembers(meta, &w);
  out.push_back('}');
  return out;
}

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

void EncodeObjectAroundRevision(const Object& object, std::string* head, std::string* tail) {
  // resourceVersion goes first in metadata, so the split point is known without searching.
  head->clear();
  head->reserve(96);
  head->push_back('{');
  json::MemberWriter envelope(head);
  envelope.String("apiVersion", object.type.apiVersion);
  envelope.String("kind", object.type.kind);
  envelope.Key("metadata")->append("{\"resourceVersion\":\"");
  tail->clear();
  tail->reserve(object.spec.size() + object.status.size() + 512);
  tail->push_back('"');
  json::MemberWriter meta(tail, /*after_member=*/true);
  WriteMetaMembers(object.metadata, &meta);
  tail->push_back('}');
  json::MemberWriter body(tail, /*after_member=*/true);
  body.Splice(object.spec);
  if (!object.status.empty()) body.Raw("status", object.status);
  tail->push_back('}');
}

std::string EncodeObject(const Object& object) {
  std::string head, tail;
  EncodeObjectAroundRevision(object, &head, &tail);
  if (!object.metadata.resourceVersion.empty()) {
    std::string quoted;
    json::AppendQuoted(&quoted, object.metadata.resourceVersion);
    return absl::StrCat(head, absl::string_view(quoted).substr(1, quoted.size() - 2), tail);
  }
  // Without a revision, drop the member the split put first.
  head.resize(head.size() - std::string("\"resourceVersion\":\"").size());
  absl::string_view rest(tail);
  rest.remove_prefix(1);                          // the closing quote
  if (!rest.empty() && rest.front() == ',') rest.remove_prefix(1);
  return absl::StrCat(head, rest);
}

}  // namespace orch
