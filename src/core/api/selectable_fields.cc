// Values of the selectable fields of each kind (what Kubernetes' ToSelectableFields functions return),
// read from the encoded document so that DecodeObject and ToObject share one definition.
#include "src/core/api/selectable_fields.h"

#include <algorithm>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_split.h"
#include "absl/strings/string_view.h"
#include "orch/api/types.h"
#include "src/core/api/json_util.h"

namespace orch {
namespace {

using Json = nlohmann::json;

// The selectable fields of one built-in kind (its struct's kSelectableFields).
struct KindFields {
  std::string group;
  const char* kind;
  std::span<const SelectableField> fields;
};

template <class... Kinds>
std::vector<KindFields> FieldsOf(KindList<Kinds...>) {
  std::vector<KindFields> all;
  (all.push_back(KindFields{std::string(TypeMeta{Kinds::kApiVersion, Kinds::kKind}.Group()), Kinds::kKind,
                            std::span<const SelectableField>(Kinds::kSelectableFields)}),
   ...);
  return all;
}

const std::vector<KindFields>& BuiltinFields() {
  static const std::vector<KindFields>* fields = new std::vector<KindFields>(FieldsOf(BuiltinKinds{}));
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
    for (const SelectableField& field : kind.fields) {
      if (field.path == nullptr) continue;  // accepted, never has a value
      const bool pod_ip =
          absl::string_view(kind.kind) == "Pod" && absl::string_view(field.name) == "status.podIP";
      const Json* value = pod_ip ? PodIPOf(status) : Lookup(rest, status, field.path);
      Add(&object->fields, field.name, ValueText(value, field.absent));
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
  // In field-name order, as Event::kSelectableFields lists them; empty values are left out (the codec
  // tests check this against the generic path).
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
