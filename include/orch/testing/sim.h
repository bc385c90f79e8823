// Test hooks of the simulated runtime ("sim"): what a test does to the containers it runs (crash,
// hang, fail a probe) and the annotations that time them. Only tests and simulations need this
// header; production code sees the sim as any RuntimeDriver.
//
//   orch::SimControl* sim = orch::AsSim(&cluster->runtime());
//   sim->Crash(pod.metadata.uid, "app", 137);
#ifndef ORCH_TESTING_SIM_H_
#define ORCH_TESTING_SIM_H_

#include <cstddef>
#include <cstdint>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "orch/runtime.h"

namespace orch {

// The simulated runtime's test hooks. The sim runs no processes: containers go Running after the
// start delay and pass their readiness probe after the ready delay (both settable per pod by the
// annotations below); everything else happens when a test says so.
class SimControl {
 public:
  static constexpr const char* kStartDelayAnnotation = "sim.orch.dev/start-delay";
  static constexpr const char* kReadyDelayAnnotation = "sim.orch.dev/ready-delay";
  // A pod-level exit code for its containers once they have run this long ("10s"), as a batch job.
  static constexpr const char* kRunForAnnotation = "sim.orch.dev/run-for";
  static constexpr const char* kExitCodeAnnotation = "sim.orch.dev/exit-code";
  // How long each init container runs before it exits with 0 (default "0s": as soon as it starts).
  static constexpr const char* kInitRunForAnnotation = "sim.orch.dev/init-run-for";

  virtual ~SimControl() = default;
  // The container `name` of the pod with this uid exits now with `exit_code` (reason Error, or
  // Completed for 0). NotFound when it is not running.
  virtual absl::Status Crash(absl::string_view pod_uid, absl::string_view name, int32_t exit_code) = 0;
  // The container stops answering: every probe fails (timeout) until Recover.
  virtual absl::Status Hang(absl::string_view pod_uid, absl::string_view name) = 0;
  // The container's readiness (or liveness) probe fails from now on, until Recover.
  virtual absl::Status FailProbe(absl::string_view pod_uid, absl::string_view name, ProbeType type) = 0;
  // Undoes Hang and FailProbe, for this and later instances of the container.
  virtual absl::Status Recover(absl::string_view pod_uid, absl::string_view name) = 0;
  // How many sandboxes and containers the driver holds.
  virtual size_t SandboxCount() const = 0;
  virtual size_t ContainerCount() const = 0;
};

// The sim's test hooks, or nullptr when `driver` is not the sim.
SimControl* AsSim(RuntimeDriver* driver);

}  // namespace orch

#endif  // ORCH_TESTING_SIM_H_
