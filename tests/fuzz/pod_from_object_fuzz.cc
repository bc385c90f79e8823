// libFuzzer target: FromObject<Pod> on any spec and status text (split at the first NUL byte).
#include <cstddef>
#include <cstdint>

#include "fuzz/fuzz_targets.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  orch::fuzz::FromObjectTarget<orch::Pod>(absl::string_view(reinterpret_cast<const char*>(data), size));
  return 0;
}
