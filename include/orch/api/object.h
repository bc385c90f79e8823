// The kind-agnostic object model: type and object metadata, and `Object`, the form in which the store
// holds any kind (built-in or an application's own) without a C++ type for it.
//
// Every type here is a plain value type, safe to copy and to read from several threads at once.
#ifndef ORCH_API_OBJECT_H_
#define ORCH_API_OBJECT_H_

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/string_view.h"
#include "absl/time/time.h"

namespace orch {

// Label and annotation maps. Ordered so that encoding is canonical.
using Labels = std::map<std::string, std::string>;

// JSON members that orch does not model at one level of an object, kept verbatim as the text of a JSON
// object ("{...}", or empty for none) so that decoding then encoding an object loses nothing.
struct UnknownFields {
  std::string json;

  bool empty() const { return json.empty() || json == "{}"; }
  friend bool operator==(const UnknownFields&, const UnknownFields&) = default;
};

// apiVersion and kind, as on every Kubernetes object.
struct TypeMeta {
  std::string apiVersion;
  std::string kind;

  // The group part of apiVersion: "" for "v1", "apps" for "apps/v1".
  absl::string_view Group() const;
  // The version part of apiVersion: "v1" for both "v1" and "apps/v1".
  absl::string_view Version() const;

  friend bool operator==(const TypeMeta&, const TypeMeta&) = default;
};

// An RFC 3339 timestamp with optional second fractions (`metav1.Time` / `metav1.MicroTime`).
// An unset time (absl::InfinitePast()) is omitted when encoded.
struct Time {
  absl::Time value = absl::InfinitePast();

  bool IsSet() const { return value != absl::InfinitePast(); }
  // `t` cut to the whole second, as metav1.Time holds it.
  static Time Truncated(absl::Time t) { return Time{absl::FromUnixSeconds(absl::ToUnixSeconds(t))}; }
  // "2025-01-01T00:00:00Z" (whole seconds, as metav1.Time encodes; four-digit years up to 9999).
  std::string ToRfc3339() const;
  // Accepts RFC 3339 with or without fractions and with any UTC offset.
  static std::optional<Time> Parse(absl::string_view text);

  friend bool operator==(const Time&, const Time&) = default;
};

struct OwnerReference {
  std::string apiVersion;
  std::string kind;
  std::string name;
  std::string uid;
  std::optional<bool> controller;
  std::optional<bool> blockOwnerDeletion;

  friend bool operator==(const OwnerReference&, const OwnerReference&) = default;
};

// metadata of every object, with Kubernetes' field names.
struct ObjectMeta {
  std::string name;
  std::string generateName;
  std::string namespace_;  // JSON "namespace"
  std::string uid;
  std::string resourceVersion;  // decimal text of the store revision that last wrote the object
  int64_t generation = 0;
  Labels labels;
  Labels annotations;
  std::vector<OwnerReference> ownerReferences;
  std::vector<std::string> finalizers;
  Time creationTimestamp;
  Time deletionTimestamp;
  std::optional<int64_t> deletionGracePeriodSeconds;
  UnknownFields unknown;  // managedFields, selfLink, ... kept as given

  // The owner reference with controller: true, or nullptr.
  const OwnerReference* ControllerRef() const;

  friend bool operator==(const ObjectMeta&, const ObjectMeta&) = default;
};

// Any object as the store holds it: its type, its metadata (typed, because the store and the
// control plane act on it), and the rest of the document as JSON text.
//
// `spec` holds every top-level member except apiVersion, kind, metadata and status, as the text of
// one JSON object ("{}" when there are none); for a Pod that is {"spec":{...}}, for a ConfigMap
// {"data":{...}}. `status` is the JSON text of the status member, empty when absent. The split lets
// the store bump metadata.generation on changes to `spec` only and update status on its own.
struct Object {
  TypeMeta type;
  ObjectMeta metadata;
  std::string spec = "{}";
  std::string status;
  // Values of the kind's selectable fields other than metadata.name/namespace (e.g. "spec.nodeName",
  // "status.phase" for pods), filled by DecodeObject for field selectors. Sorted by field name.
  std::vector<std::pair<std::string, std::string>> fields;

  // The value of one of `fields` ("spec.nodeName"), empty when absent.
  absl::string_view Field(absl::string_view name) const {
    for (const auto& [field, value] : fields) {
      if (field == name) return value;
    }
    return {};
  }

  friend bool operator==(const Object&, const Object&) = default;
};

// Describes a kind to the store and the API: its group, version, names and scope.
struct ResourceType {
  std::string group;     // "" for the core group
  std::string version;   // "v1"
  std::string kind;      // "Pod"
  std::string resource;  // plural, lower case: "pods"
  bool namespaced = true;
  // Whether status is written only through UpdateStatus (Kubernetes' status subresource). When true,
  // Update keeps the stored status; when false, Update writes status like any other field.
  bool status_subresource = true;
  // Field paths (besides metadata.name and metadata.namespace) that field selectors may use.
  std::vector<std::string> selectable_fields;
  // Old names field selectors may still use for some of them, as (alias, field): a pod's
  // "spec.host" is "spec.nodeName".
  std::vector<std::pair<std::string, std::string>> field_label_aliases;

  std::string ApiVersion() const { return group.empty() ? version : group + "/" + version; }
  // "pods" or "deployments.apps", as Kubernetes names a resource in messages.
  std::string QualifiedResource() const { return group.empty() ? resource : resource + "." + group; }
};

// The built-in kinds (orch::BuiltinKinds of orch/api/kinds.h) plus every kind registered with
// RegisterResourceType. Thread-safe.
//
// Returns nullptr when the kind is unknown.
const ResourceType* FindResourceType(absl::string_view group, absl::string_view kind);
// Looks a kind up by its apiVersion ("apps/v1") and kind.
const ResourceType* FindResourceTypeFor(const TypeMeta& type);
// Every registered kind, built-in ones first.
std::vector<const ResourceType*> AllResourceTypes();
// Registers an application's own kind, so that the store accepts and lists it. Registering a kind
// that already exists replaces its description. Returned pointers stay valid for the process.
const ResourceType* RegisterResourceType(ResourceType type);

}  // namespace orch

#endif  // ORCH_API_OBJECT_H_
