// Shared pieces of the typed codecs (codec_*.cc): a reader that keeps zero-valued members as unknown
// fields, setters that omit empty values as Kubernetes' `omitempty` does, the codecs of values used by
// several kinds (Quantity, IntOrString, label selectors, object references, pod template metadata),
// and the kind-level steps every FromObject/ToObject shares. Internal to src/core.
#ifndef ORCH_SRC_CORE_API_CODEC_COMMON_H_
#define ORCH_SRC_CORE_API_CODEC_COMMON_H_

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "orch/api/core_v1.h"
#include "orch/api/object.h"
#include "orch/api/pod_spec.h"
#include "orch/api/quantity.h"
#include "orch/api/selector.h"
#include "src/core/api/json_util.h"

namespace orch::codec {

using json::Errors;
using json::Json;

// Reads one JSON object into a typed struct with field paths in errors, like json::ObjectReader, with
// one difference that makes decode-then-encode give back the original document: a member that is
// null, or holds the zero value of a non-optional field ("", 0, false, {}, []), is left unread, so it
// travels in Unknown() and the encoder (which omits zero values) gets it back from there.
class Reader {
 public:
  // `value` must outlive the reader. A value that is neither an object nor null is an error.
  Reader(const Json& value, std::string path, Errors* errors);

  const std::string& path() const { return reader_.path(); }
  std::string PathOf(absl::string_view key) const { return reader_.PathOf(key); }
  Errors* errors() const { return errors_; }

  void Read(absl::string_view key, std::string* out);
  void Read(absl::string_view key, bool* out);
  void Read(absl::string_view key, int32_t* out);
  void Read(absl::string_view key, int64_t* out);
  void Read(absl::string_view key, std::optional<std::string>* out);
  void Read(absl::string_view key, std::optional<bool>* out);
  void Read(absl::string_view key, std::optional<int32_t>* out);
  void Read(absl::string_view key, std::optional<int64_t>* out);
  void Read(absl::string_view key, Labels* out);
  void Read(absl::string_view key, std::vector<std::string>* out);
  void Read(absl::string_view key, Time* out);
  void Read(absl::string_view key, ResourceList* out);
  void Read(absl::string_view key, std::optional<Quantity>* out);
  void Read(absl::string_view key, IntOrString* out);
  void Read(absl::string_view key, std::optional<IntOrString>* out);
  void Read(absl::string_view key, std::optional<LabelSelectorSpec>* out);

  // A nested struct, decoded by decode(json, path, errors, out) unless it is null or {}.
  template <class T, class Decode>
  void Struct(absl::string_view key, T* out, Decode decode) {
    const Json* m = Find(key);
    if (m == nullptr || IsEmptyObject(*m)) return;
    decode(*reader_.Get(key), PathOf(key), errors_, out);
  }
  // An optional nested struct: present (even as {}) unless null.
  template <class T, class Decode>
  void Struct(absl::string_view key, std::optional<T>* out, Decode decode) {
    if (Find(key) == nullptr) return;
    decode(*reader_.Get(key), PathOf(key), errors_, &out->emplace());
  }
  // A list of structs, element i decoded with path "key[i]".
  template <class T, class Decode>
  void List(absl::string_view key, std::vector<T>* out, Decode decode) {
    const Json* m = Find(key);
    if (m == nullptr || (m->is_array() && m->empty())) return;
    reader_.Get(key);
    if (!m->is_array()) return TypeError(key, "array", *m);
    out->clear();
    out->reserve(m->size());
    for (size_t i = 0; i < m->size(); ++i) {
      decode((*m)[i], json::Index(PathOf(key), i), errors_, &out->emplace_back());
    }
  }

  // The members left unread.
  UnknownFields Unknown() const { return reader_.Unknown(); }

 private:
  // The member, or nullptr when absent or null; does not mark it as read.
  const Json* Find(absl::string_view key) const;
  static bool IsEmptyObject(const Json& j) { return j.is_object() && j.empty(); }
  void TypeError(absl::string_view key, absl::string_view expected, const Json& got);

  const Json* object_;  // nullptr when the value is not an object
  json::ObjectReader reader_;
  Errors* errors_;
};

// Setters for encoding; each omits the zero value (omitempty).
void SetInt(Json& j, const char* key, int64_t value);
void SetBool(Json& j, const char* key, bool value);
// Only when the encoded struct is not {}.
inline void SetStruct(Json& j, const char* key, Json value) {
  json::SetIfNotEmptyJson(j, key, std::move(value));
}
// Always when present, even as {} (an optional struct).
template <class T, class Encode>
void SetOptional(Json& j, const char* key, const std::optional<T>& value, Encode encode) {
  if (value.has_value()) j[key] = encode(*value);
}
template <class T, class Encode>
void SetList(Json& j, const char* key, const std::vector<T>& values, Encode encode) {
  if (values.empty()) return;
  Json list = Json::array();
  for (const T& value : values) list.push_back(encode(value));
  j[key] = std::move(list);
}
void SetResourceList(Json& j, const char* key, const ResourceList& value);
// A metav1.MicroTime: RFC 3339 in UTC with six fraction digits (as text, or set when it is set).
std::string MicroTimeText(const Time& value);
void SetMicroTime(Json& j, const char* key, const Time& value);

// Values used by several kinds.
Json EncodeQuantity(const Quantity& q);
void DecodeQuantity(const Json& j, const std::string& path, Errors* errors, Quantity* out);
Json EncodeIntOrString(const IntOrString& v);
void DecodeIntOrString(const Json& j, const std::string& path, Errors* errors, IntOrString* out);
Json EncodeLabelSelector(const LabelSelectorSpec& selector);
void DecodeLabelSelector(const Json& j, const std::string& path, Errors* errors, LabelSelectorSpec* out);
Json EncodeObjectReference(const ObjectReference& ref);
void DecodeObjectReference(const Json& j, const std::string& path, Errors* errors, ObjectReference* out);
// The metadata of a pod template (keeps "creationTimestamp": null and other zero members).
Json EncodeTemplateMeta(const ObjectMeta& meta);
void DecodeTemplateMeta(const Json& j, const std::string& path, Errors* errors, ObjectMeta* out);

// The parts of an Object that a FromObject<T> decodes: the members besides apiVersion, kind, metadata
// and status (`rest`) and the status (null when absent).
struct KindParts {
  Json rest;
  Json status;
};
// Checks that `object` is of the kind, and parses its spec and status text. InvalidArgument
// `object is apps/v1 Deployment, expected v1 Pod` on a mismatch.
absl::Status ParseKind(const Object& object, const char* api_version, const char* kind, KindParts* parts);
// The kind struct's own unknown members: the unread members of `rest`, plus the status when the kind
// has no status struct or the status is {} (so that it is written back as it was).
UnknownFields KindUnknown(const Reader& rest, const Json& status, bool kind_has_status);
// Builds the Object for ToObject: `rest` is the encoded top-level members (starting from the kind's
// unknown members), `status` the encoded status ({} or null when empty). Fills selectable fields.
Object MakeObject(const char* api_version, const char* kind, const ObjectMeta& meta, Json rest, Json status);

// FromObject<T> for a kind whose document is {spec, status}: T has spec, status, metadata, unknown.
template <class T, class DecodeSpec, class DecodeStatus>
absl::StatusOr<T> FromSpecStatusObject(const Object& object, DecodeSpec decode_spec,
                                       DecodeStatus decode_status) {
  KindParts parts;
  if (absl::Status s = ParseKind(object, T::kApiVersion, T::kKind, &parts); !s.ok()) return s;
  T typed;
  typed.metadata = object.metadata;
  Errors errors;
  Reader rest(parts.rest, "", &errors);
  rest.Struct("spec", &typed.spec, decode_spec);
  decode_status(parts.status, "status", &errors, &typed.status);
  typed.unknown = KindUnknown(rest, parts.status, /*kind_has_status=*/true);
  if (!errors.empty()) return errors.ToStatus();
  return typed;
}

// ToObject(T) for a kind whose document is {spec, status}.
template <class T, class EncodeSpec, class EncodeStatus>
Object ToSpecStatusObject(const T& typed, EncodeSpec encode_spec, EncodeStatus encode_status) {
  Json rest = json::StartObject(typed.unknown);
  SetStruct(rest, "spec", encode_spec(typed.spec));
  return MakeObject(T::kApiVersion, T::kKind, typed.metadata, std::move(rest), encode_status(typed.status));
}

}  // namespace orch::codec

#endif  // ORCH_SRC_CORE_API_CODEC_COMMON_H_
