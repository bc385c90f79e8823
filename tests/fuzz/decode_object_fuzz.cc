// libFuzzer target: DecodeObject and the typed views of what it decodes.
#include <cstddef>
#include <cstdint>

#include "fuzz/fuzz_targets.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  orch::fuzz::DecodeObjectTarget(absl::string_view(reinterpret_cast<const char*>(data), size));
  return 0;
}
