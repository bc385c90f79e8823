// What every fuzz target and the regression replay (tests/core/api/fuzz_regressions_test.cc) run on
// one input: each decoder must return, OK or an error, and never crash, throw or hang.
#ifndef ORCH_TESTS_FUZZ_FUZZ_TARGETS_H_
#define ORCH_TESTS_FUZZ_FUZZ_TARGETS_H_

#include <string>
#include <vector>

#include "absl/strings/string_view.h"
#include "orch/api/apps_v1.h"
#include "orch/api/codec.h"
#include "orch/api/types.h"

namespace orch::fuzz {

// DecodeObject, and what decodes what it produced: the typed views, and encoding back.
inline void DecodeObjectTarget(absl::string_view input) {
  absl::StatusOr<Object> object = DecodeObject(input);
  if (!object.ok()) return;
  std::string encoded = EncodeObject(*object);
  (void)DecodeObject(encoded);
  (void)FromObject<Pod>(*object);
  (void)FromObject<Deployment>(*object);
}

// DecodeManifests (YAML or JSON streams), YamlToJson, and the YAML written back.
inline void DecodeManifestsTarget(absl::string_view input) {
  (void)YamlToJson(input, "fuzz.yaml");
  absl::StatusOr<std::vector<Object>> objects = DecodeManifests(input, "fuzz.yaml");
  if (!objects.ok()) return;
  for (const Object& object : *objects) {
    (void)DecodeManifests(EncodeYaml(object), "again.yaml");
    (void)FromObject<Pod>(object);
  }
}

// The typed decoders on any spec and status text: the input is split at its first NUL byte into the
// Object's spec and status, so structure the generic codec would reject reaches them too.
template <class T>
void FromObjectTarget(absl::string_view input) {
  Object object;
  object.type = {T::kApiVersion, T::kKind};
  object.metadata.name = "fuzz";
  size_t split = input.find('\0');
  object.spec = std::string(input.substr(0, split));
  if (split != absl::string_view::npos) object.status = std::string(input.substr(split + 1));
  absl::StatusOr<T> typed = FromObject<T>(object);
  if (!typed.ok()) return;
  Object back = ToObject(*typed);
  (void)FromObject<T>(back);
}

}  // namespace orch::fuzz

#endif  // ORCH_TESTS_FUZZ_FUZZ_TARGETS_H_
