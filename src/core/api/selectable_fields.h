// The fields of each built-in kind that field selectors may use, and how to read their values.
#ifndef ORCH_SRC_CORE_API_SELECTABLE_FIELDS_H_
#define ORCH_SRC_CORE_API_SELECTABLE_FIELDS_H_

#include <nlohmann/json.hpp>

#include "orch/api/core_v1.h"
#include "orch/api/object.h"

namespace orch {

// Fills object->fields (sorted by field name) with the values of the selectable fields of the
// object's kind. `rest` is the whole document's JSON minus metadata and status (so for a Pod it holds
// "spec", for an Event "involvedObject", "reason", ...); `status` is the status member (or null).
void FillSelectableFields(Object* object, const nlohmann::json& rest, const nlohmann::json& status);

// The same for an Event, read from the struct (the Event codec's direct path, which has no tree).
void FillEventSelectableFields(Object* object, const Event& event);

}  // namespace orch

#endif  // ORCH_SRC_CORE_API_SELECTABLE_FIELDS_H_
