// The simulated runtime, for the registry in runtime_registry.cc. Internal to src/runtime.
#ifndef ORCH_SRC_RUNTIME_SIM_SIM_RUNTIME_H_
#define ORCH_SRC_RUNTIME_SIM_SIM_RUNTIME_H_

#include <memory>

#include "absl/status/statusor.h"
#include "orch/runtime.h"

namespace orch {

absl::StatusOr<std::unique_ptr<RuntimeDriver>> NewSimRuntime(const RuntimeOptions& options);

}  // namespace orch

#endif  // ORCH_SRC_RUNTIME_SIM_SIM_RUNTIME_H_
