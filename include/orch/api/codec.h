// Encoding and decoding of objects as JSON and YAML, generic (`Object`) and typed (`Pod`, ...).
//
// Decoding keeps every member, including those orch does not model, so that Encode(Decode(x)) has
// the meaning of x. Errors are InvalidArgument and name the place: a field path for JSON
// (`spec.replicas: expected integer, got string`), a document and line for YAML. No function here
// throws. All functions are thread-safe.
#ifndef ORCH_API_CODEC_H_
#define ORCH_API_CODEC_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "orch/api/object.h"

namespace orch {

// Decodes one JSON document of any kind into its type, metadata, spec and status parts, and fills
// `fields` for the kind's selectable fields. Requires apiVersion and kind.
absl::StatusOr<Object> DecodeObject(absl::string_view json);
// Encodes an object as one compact JSON document: apiVersion, kind, metadata, the members of spec,
// then status. Requires `spec` and `status` to be what DecodeObject produced (valid JSON).
std::string EncodeObject(const Object& object);

// EncodeObject in two parts around the value of metadata.resourceVersion, so that a store can
// encode an object before it knows the revision: for any revision text R (digits),
// EncodeObject(object with resourceVersion R) == head + R + tail. object.metadata.resourceVersion
// is ignored.
void EncodeObjectAroundRevision(const Object& object, std::string* head, std::string* tail);

// Metadata alone, as the JSON object under "metadata". Errors name paths under `path`.
absl::StatusOr<ObjectMeta> DecodeObjectMeta(absl::string_view json, absl::string_view path = "metadata");
std::string EncodeObjectMeta(const ObjectMeta& meta);

// Decodes a stream of YAML documents separated by `---` (or one JSON document, or a JSON/YAML
// `kind: List`) into objects. `source` names the input in errors: `deploy.yaml: document 2, line 7:
// ...`. Empty documents are skipped.
absl::StatusOr<std::vector<Object>> DecodeManifests(absl::string_view text, absl::string_view source);
// One object as a YAML document (without the leading `---`).
std::string EncodeYaml(const Object& object);
// Converts between JSON and YAML text of any shape (used by the CLI and tests).
absl::StatusOr<std::string> YamlToJson(absl::string_view yaml, absl::string_view source);
absl::StatusOr<std::string> JsonToYaml(absl::string_view json);

// Typed views. Specialised for every kind in orch/types.h:
//   FromObject<Pod>(object) decodes spec and status into a Pod (InvalidArgument if they do not fit),
//   ToObject(pod) encodes it back. Members the struct does not model travel in its UnknownFields.
template <class T>
absl::StatusOr<T> FromObject(const Object& object);
template <class T>
Object ToObject(const T& typed);

// Shorthands over the above: a typed object from and to one JSON document.
template <class T>
absl::StatusOr<T> DecodeJson(absl::string_view json) {
  absl::StatusOr<Object> object = DecodeObject(json);
  if (!object.ok()) return object.status();
  return FromObject<T>(*object);
}
template <class T>
std::string EncodeJson(const T& typed) {
  return EncodeObject(ToObject(typed));
}

}  // namespace orch

#endif  // ORCH_API_CODEC_H_
