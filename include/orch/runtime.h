// The container runtime seam: what a node agent asks of whatever runs a pod's containers. Shaped
// like Kubernetes' CRI (sandbox, containers in it, their status, probes, logs, usage), so that the
// simulated runtime ("sim"), host processes ("process") and Linux isolation ("linux") fit one
// interface. Drivers are opened by name (OpenRuntime), like stores by URL.
//
//   orch::RuntimeOptions options;
//   options.loop = &loop;
//   absl::StatusOr<std::unique_ptr<orch::RuntimeDriver>> runtime = orch::OpenRuntime("sim", options);
//
// Calls never block on the work they start: StartContainer returns once the start is under way and
// StopContainer once the stop is asked; what happens next is read with ContainerStatus and
// announced through the listener. A driver belongs to the loop thread unless it says otherwise.
#ifndef ORCH_RUNTIME_H_
#define ORCH_RUNTIME_H_

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "orch/api/object.h"
#include "orch/api/pod_spec.h"
#include "orch/loop.h"

namespace orch {

// What a sandbox (the pod-level environment: network namespace, cgroup parent) is made for.
struct PodSandboxConfig {
  std::string node_name;
  std::string namespace_;
  std::string name;
  std::string uid;
  Labels labels;
  Labels annotations;  // a driver may read its own options here (e.g. sim.orch.dev/start-delay)
  std::string pod_ip;  // from the NetworkDriver, "" for host network
};

// What one container of a sandbox runs.
struct ContainerConfig {
  std::string name;
  std::string image;
  std::vector<std::string> command;
  std::vector<std::string> args;
  std::vector<EnvVar> env;  // literal values; references are resolved by the agent
  std::string working_dir;
  ResourceRequirements resources;
  int32_t attempt = 0;  // the restart count this container is created for
  // An init container: it runs to completion, alone, before the next one and the app containers.
  bool init = false;
};

enum class ContainerRunState {
  kCreated,  // created, or started but not running yet
  kRunning,
  kExited,
  kUnknown,  // the runtime lost track of it
};

// A container as the runtime sees it. Times are unset until they happen.
struct RuntimeContainerStatus {
  std::string id;  // "sim://...", "process://..."
  std::string name;
  ContainerRunState state = ContainerRunState::kUnknown;
  int32_t exit_code = 0;
  std::string reason;   // for kExited: Completed, Error, OOMKilled, ...
  std::string message;  // for kExited: the termination message
  absl::Time created_at = absl::InfinitePast();
  absl::Time started_at = absl::InfinitePast();
  absl::Time finished_at = absl::InfinitePast();
  std::string image;
  std::string image_ref;  // the resolved image ("nginx@sha256:...")
  int32_t attempt = 0;
};

enum class ProbeType { kLiveness, kReadiness, kStartup };

struct ProbeResult {
  bool success = false;
  std::string output;  // why it failed, for the Unhealthy event
};

struct LogOptions {
  int64_t tail_lines = -1;  // -1: all
  bool previous = false;    // the container's last terminated instance
};

struct ResourceUsage {
  int64_t cpu_nano_cores = 0;
  int64_t memory_working_set_bytes = 0;
  absl::Time timestamp = absl::InfinitePast();
};

// What changed, so the owner can look again. Carries identity only; the state is read with
// ContainerStatus, on the loop.
struct RuntimeEvent {
  std::string sandbox_id;
  std::string container_id;  // empty when the sandbox itself changed
};
// Called by the driver, from any thread, after a change; it must only post work to a loop.
using RuntimeListener = std::function<void(const RuntimeEvent&)>;

class RuntimeDriver {
 public:
  virtual ~RuntimeDriver() = default;
  // "sim", "process", "linux".
  virtual absl::string_view Name() const = 0;
  // The version reported in NodeStatus.nodeInfo.containerRuntimeVersion ("sim://0.1.0").
  virtual std::string Version() const = 0;

  // Creates the pod's sandbox; returns its id. InvalidArgument when the config (e.g. a driver
  // annotation) cannot be used, naming what is wrong.
  virtual absl::StatusOr<std::string> RunPodSandbox(const PodSandboxConfig& config) = 0;
  // Stops every container of the sandbox at once (no grace) and the sandbox itself.
  virtual absl::Status StopPodSandbox(absl::string_view sandbox_id) = 0;
  // Forgets the sandbox and its containers. NotFound when unknown.
  virtual absl::Status RemovePodSandbox(absl::string_view sandbox_id) = 0;

  // Creates a container in the sandbox (not started); returns its id.
  virtual absl::StatusOr<std::string> CreateContainer(absl::string_view sandbox_id,
                                                      const ContainerConfig& config) = 0;
  // Starts a created container. It is Running once ContainerStatus says so.
  virtual absl::Status StartContainer(absl::string_view container_id) = 0;
  // Asks the container to stop, killing it after `grace`. It has stopped once ContainerStatus says
  // kExited.
  virtual absl::Status StopContainer(absl::string_view container_id, absl::Duration grace) = 0;
  virtual absl::Status RemoveContainer(absl::string_view container_id) = 0;
  virtual absl::StatusOr<RuntimeContainerStatus> ContainerStatus(absl::string_view container_id) = 0;

  // Runs one probe of the container now.
  virtual ProbeResult RunProbe(absl::string_view container_id, ProbeType type, const Probe& probe) = 0;
  virtual absl::StatusOr<std::string> ContainerLogs(absl::string_view container_id,
                                                    const LogOptions& options) = 0;
  virtual absl::StatusOr<ResourceUsage> ContainerUsage(absl::string_view container_id) = 0;

  // Sets who hears about changes (one listener; a later call replaces it).
  virtual void SetListener(RuntimeListener listener) = 0;
};

// What a driver is opened with.
struct RuntimeOptions {
  // Where the driver's own timers run (the sim's start delays). Required by "sim".
  EventLoop* loop = nullptr;
  // Driver-specific settings, "key=value" (the sim's "start-delay=1s", "ready-delay=0s").
  Labels settings;
};

using RuntimeFactory = std::function<absl::StatusOr<std::unique_ptr<RuntimeDriver>>(const RuntimeOptions&)>;

// Opens a driver by name: "sim" is built in; others come from RegisterRuntimeDriver.
// InvalidArgument naming the driver (and those there are) when none is registered. Thread-safe.
absl::StatusOr<std::unique_ptr<RuntimeDriver>> OpenRuntime(absl::string_view name,
                                                           const RuntimeOptions& options);
// Registers (or replaces) a driver. Thread-safe.
void RegisterRuntimeDriver(absl::string_view name, RuntimeFactory factory);

}  // namespace orch

#endif  // ORCH_RUNTIME_H_
