// Values of the selectable fields of each kind (what Kubernetes' ToSelectableFields functions return),
// read from the encoded document so that DecodeObject and ToObject share one definition.
#include "src/core/api/selectable_fields.h"

#include <algorithm>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_split.h"
#include "absl/strings/string_view.h"
#include "src/core/api/json_util.h"

namespace orch {
namespace {

using Json = nlohmann::json;

// One selectable field of a built-in kind: where its value is in the document and what it is when
// absent (Kubernetes formats bools and ints, so an absent one reads "false" or "0").
struct FieldSource {
  const char* field;
  const char* path;
  const char* absent;
};

struct KindFields {
  const char* group;
  const char* kind;
  std::vector<FieldSource> fields;
};

const std::vector<KindFields>& BuiltinFields() {
  static const std::vector<KindFields>* fields = new std::vector<KindFields>{
      {"",
       "Pod",
       {{"spec.nodeName", "spec.nodeName", ""},
        {"spec.restartPolicy", "spec.restartPolicy", ""},
        {"spec.schedulerName", "spec.schedulerName", ""},
        {"spec.serviceAccountName", "spec.serviceAccountName", ""},
        {"status.nominatedNodeName", "status.nominatedNodeName", ""},
        {"status.phase", "status.phase", ""},
        {"status.podIP", "status.podIP", ""}}},
      {"",
       "Event",
       {{"involvedObject.apiVersion", "involvedObject.apiVersion", ""},
        {"involvedObject.fieldPath", "involvedObject.fieldPath", ""},
        {"involvedObject.kind", "involvedObject.kind", ""},
        {"involvedObject.name", "involvedObject.name", ""},
        {"involvedObject.namespace", "involvedObject.namespace", ""},
        {"involvedObject.resourceVersion", "involvedObject.resourceVersion", ""},
        {"involvedObject.uid", "involvedObject.uid", ""},
        {"reason", "reason", ""},
        {"reportingComponent", "reportingComponent", ""},
        {"source", "source.component", ""},
        {"type", "type", ""}}},
      {"", "Node", {{"spec.unschedulable", "spec.unschedulable", "false"}}},
      {"", "Namespace", {{"status.phase", "status.phase", ""}}},
      {"apps", "ReplicaSet", {{"status.replicas", "status.replicas", "0"}}},
  };
  return *fields;
}

// The member at a dotted path: "status.x" is looked up in `status`, anything else in `rest`.
const Json* Lookup(const Json& rest, const Json& status, absl::string_view path) {
  std::vector<absl::string_view> parts = absl::StrSplit(path, '.');
  const Json* node = &rest;
  size_t first = 0;
  if (parts.size() > 1 && parts[0] == "status") {
    node = &status;
    first = 1;
  }
  for (size_t i = first; i < parts.size(); ++i) {
    if (!node->is_object()) return nullptr;
    auto it = node->find(std::string(parts[i]));
    if (it == node->end()) return nullptr;
    node = &*it;
  }
  return node;
}

// A field's value as Kubernetes formats it: strings as is, bools and numbers as text.
std::string ValueText(const Json* value, const char* absent) {
  if (value == nullptr || value->is_null()) return absent;
  if (value->is_string()) return value->get<std::string>();
  if (value->is_boolean()) return value->get<bool>() ? "true" : "false";
  if (value->is_number()) return json::Dump(*value);
  return absent;
}

// A pod's status.podIP is its first podIPs entry (Kubernetes reads it from there).
const Json* PodIPOf(const Json& status) {
  if (status.is_object()) {
    auto ips = status.find("podIPs");
    if (ips != status.end() && ips->is_array() && !ips->empty() && (*ips)[0].is_object()) {
      auto ip = (*ips)[0].find("ip");
      if (ip != (*ips)[0].end()) return &*ip;
    }
  }
  return Lookup(Json::object(), status, "status.podIP");
}

void Add(std::vector<std::pair<std::string, std::string>>* fields, std::string field, std::string value) {
  if (!value.empty()) fields->emplace_back(std::move(field), std::move(value));
}

}  // namespace

void FillSelectableFields(Object* object, const nlohmann::json& rest, const nlohmann::json& status) {
  object->fields.clear();
  absl::string_view group = object->type.Group();
  for (const KindFields& kind : BuiltinFields()) {
    if (kind.group != group || kind.kind != object->type.kind) continue;
    for (const FieldSource& source : kind.fields) {
      const bool pod_ip =
          absl::string_view(kind.kind) == "Pod" && absl::string_view(source.field) == "status.podIP";
      const Json* value = pod_ip ? PodIPOf(status) : Lookup(rest, status, source.path);
      Add(&object->fields, source.field, ValueText(value, source.absent));
    }
    std::sort(object->fields.begin(), object->fields.end());
    return;
  }
  // An application's kind: its registered selectable fields, read at their paths.
  const ResourceType* type = FindResourceTypeFor(object->type);
  if (type == nullptr) return;
  for (const std::string& field : type->selectable_fields) {
    Add(&object->fields, field, ValueText(Lookup(rest, status, field), ""));
  }
  std::sort(object->fields.begin(), object->fields.end());
}

void FillEventSelectableFields(Object* object, const Event& event) {
  object->fields.clear();
  const ObjectReference& ref = event.involvedObject;
  // In field-name order, as the "Event" entry of BuiltinFields lists them; empty values are left out.
  for (auto [field, value] :
       {std::pair{"involvedObject.apiVersion", &ref.apiVersion},
        std::pair{"involvedObject.fieldPath", &ref.fieldPath}, std::pair{"involvedObject.kind", &ref.kind},
        std::pair{"involvedObject.name", &ref.name}, std::pair{"involvedObject.namespace", &ref.namespace_},
        std::pair{"involvedObject.resourceVersion", &ref.resourceVersion},
        std::pair{"involvedObject.uid", &ref.uid}, std::pair{"reason", &event.reason},
        std::pair{"reportingComponent", &event.reportingComponent},
        std::pair{"source", &event.source.component}, std::pair{"type", &event.type}}) {
    if (!value->empty()) object->fields.emplace_back(field, *value);
  }
}

}  // namespace orch
