// libFuzzer target: DecodeManifests and YamlToJson on YAML and JSON streams.
#include <cstddef>
#include <cstdint>

#include "fuzz/fuzz_targets.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  orch::fuzz::DecodeManifestsTarget(absl::string_view(reinterpret_cast<const char*>(data), size));
  return 0;
}
