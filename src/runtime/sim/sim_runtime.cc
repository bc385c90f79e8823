// The simulated runtime: containers are a few dozen bytes of state and a timer, so that one process
// can hold a million of them. Nothing runs; time passes only on the loop.
#include "src/runtime/sim/sim_runtime.h"

#include <cinttypes>
#include <cstdio>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "orch/testing/sim.h"

namespace orch {
namespace {

constexpr absl::string_view kIdPrefix = "sim://";
constexpr int32_t kKilledExitCode = 137;  // 128 + SIGKILL, as a runtime reports a killed container

enum FaultBits : uint8_t {
  kHung = 1,
  kFailReadiness = 2,
  kFailLiveness = 4,
  kFailStartup = 8,
};

std::string IdText(uint64_t id) {
  char buffer[24];
  std::snprintf(buffer, sizeof(buffer), "%016" PRIx64, id);
  return absl::StrCat(kIdPrefix, buffer);
}

// 0 when the text is not an id of ours.
uint64_t ParseId(absl::string_view text) {
  if (!absl::ConsumePrefix(&text, kIdPrefix)) return 0;
  uint64_t id = 0;
  if (!absl::SimpleHexAtoi(text, &id)) return 0;
  return id;
}

// A stand-in for an image digest: stable per image name.
std::string ImageRef(const std::string& image) {
  const uint64_t h = absl::HashOf(image);
  char digest[80];
  std::snprintf(digest, sizeof(digest), "%016" PRIx64 "%016" PRIx64 "%016" PRIx64 "%016" PRIx64, h, ~h,
                h * 31, static_cast<uint64_t>(h ^ 0x9e3779b97f4a7c15ULL));
  const size_t colon = image.rfind(':');
  const size_t slash = image.rfind('/');
  const std::string repo = (colon != std::string::npos && (slash == std::string::npos || colon > slash))
                               ? image.substr(0, colon)
                               : image;
  return absl::StrCat(repo, "@sha256:", digest);
}

absl::StatusOr<absl::Duration> DurationAnnotation(const Labels& annotations, const char* key,
                                                  absl::Duration fallback) {
  auto it = annotations.find(key);
  if (it == annotations.end()) return fallback;
  absl::Duration value;
  if (!absl::ParseDuration(it->second, &value) || value < absl::ZeroDuration() ||
      value == absl::InfiniteDuration()) {
    return absl::InvalidArgumentError(
        absl::StrCat("annotation ", key, ": invalid duration \"", it->second,
                     "\" (want a non-negative duration such as \"5s\" or \"1m30s\")"));
  }
  return value;
}

absl::StatusOr<absl::Duration> DurationSetting(const Labels& settings, const char* key,
                                               absl::Duration fallback) {
  auto it = settings.find(key);
  if (it == settings.end()) return fallback;
  absl::Duration value;
  if (!absl::ParseDuration(it->second, &value) || value < absl::ZeroDuration()) {
    return absl::InvalidArgumentError(
        absl::StrCat("sim runtime setting ", key, ": invalid duration \"", it->second, "\""));
  }
  return value;
}

class SimRuntime final : public RuntimeDriver, public SimControl {
 public:
  SimRuntime(EventLoop& loop, absl::Duration start_delay, absl::Duration ready_delay)
      : loop_(loop), start_delay_(start_delay), ready_delay_(ready_delay) {}
  ~SimRuntime() override {
    for (auto& [id, container] : containers_) CancelTimer(container);
  }

  absl::string_view Name() const override { return "sim"; }
  std::string Version() const override { return "sim://0.1.0"; }

  absl::StatusOr<std::string> RunPodSandbox(const PodSandboxConfig& config) override {
    absl::StatusOr<absl::Duration> start =
        DurationAnnotation(config.annotations, kStartDelayAnnotation, start_delay_);
    if (!start.ok()) return start.status();
    absl::StatusOr<absl::Duration> ready =
        DurationAnnotation(config.annotations, kReadyDelayAnnotation, ready_delay_);
    if (!ready.ok()) return ready.status();
    absl::StatusOr<absl::Duration> run_for =
        DurationAnnotation(config.annotations, kRunForAnnotation, absl::InfiniteDuration());
    if (!run_for.ok()) return run_for.status();
    absl::StatusOr<absl::Duration> init_run_for =
        DurationAnnotation(config.annotations, kInitRunForAnnotation, absl::ZeroDuration());
    if (!init_run_for.ok()) return init_run_for.status();
    int32_t exit_code = 0;
    if (auto it = config.annotations.find(kExitCodeAnnotation); it != config.annotations.end()) {
      if (!absl::SimpleAtoi(it->second, &exit_code) || exit_code < 0 || exit_code > 255) {
        return absl::InvalidArgumentError(absl::StrCat(
            "annotation ", kExitCodeAnnotation, ": invalid exit code \"", it->second, "\" (want 0 to 255)"));
      }
    }
    // A pod re-created with the same uid (an agent restart) replaces its old sandbox.
    if (auto old = sandbox_by_uid_.find(config.uid); old != sandbox_by_uid_.end()) {
      (void)RemovePodSandbox(IdText(old->second));
    }
    const uint64_t id = next_id_++;
    Sandbox& sandbox = sandboxes_[id];
    sandbox.uid = config.uid;
    sandbox.start_delay = *start;
    sandbox.ready_delay = *ready;
    sandbox.run_for = *run_for;
    sandbox.init_run_for = *init_run_for;
    sandbox.exit_code = exit_code;
    sandbox_by_uid_[config.uid] = id;
    return IdText(id);
  }

  absl::Status StopPodSandbox(absl::string_view sandbox_id) override {
    Sandbox* sandbox = FindSandbox(sandbox_id);
    if (sandbox == nullptr) return NotFound("sandbox", sandbox_id);
    for (uint64_t cid : sandbox->containers) {
      auto it = containers_.find(cid);
      if (it != containers_.end() && it->second.state != ContainerRunState::kExited) {
        Exit(cid, it->second, kKilledExitCode, "Error", /*notify=*/false);
      }
    }
    sandbox->stopped = true;
    return absl::OkStatus();
  }

  absl::Status RemovePodSandbox(absl::string_view sandbox_id) override {
    const uint64_t id = ParseId(sandbox_id);
    auto it = sandboxes_.find(id);
    if (it == sandboxes_.end()) return NotFound("sandbox", sandbox_id);
    for (uint64_t cid : it->second.containers) {
      auto c = containers_.find(cid);
      if (c == containers_.end()) continue;
      CancelTimer(c->second);
      containers_.erase(c);
    }
    auto by_uid = sandbox_by_uid_.find(it->second.uid);
    if (by_uid != sandbox_by_uid_.end() && by_uid->second == id) sandbox_by_uid_.erase(by_uid);
    sandboxes_.erase(it);
    return absl::OkStatus();
  }

  absl::StatusOr<std::string> CreateContainer(absl::string_view sandbox_id,
                                              const ContainerConfig& config) override {
    const uint64_t sid = ParseId(sandbox_id);
    Sandbox* sandbox = FindSandbox(sandbox_id);
    if (sandbox == nullptr) return NotFound("sandbox", sandbox_id);
    if (sandbox->stopped)
      return absl::FailedPreconditionError(absl::StrCat("sandbox ", sandbox_id, " is stopped"));
    if (config.image.empty())
      return absl::InvalidArgumentError(absl::StrCat("container ", config.name, ": no image"));
    const uint64_t id = next_id_++;
    Container& container = containers_[id];
    container.sandbox = sid;
    container.name = config.name;
    container.image = config.image;
    container.attempt = config.attempt;
    container.init = config.init;
    container.created_at = loop_.clock().Now();
    if (auto cpu = config.resources.requests.find("cpu"); cpu != config.resources.requests.end()) {
      container.cpu_millis = cpu->second.MilliValue();
    }
    if (auto memory = config.resources.requests.find("memory"); memory != config.resources.requests.end()) {
      container.memory_bytes = memory->second.Value();
    }
    sandbox->containers.push_back(id);
    return IdText(id);
  }

  absl::Status StartContainer(absl::string_view container_id) override {
    const uint64_t id = ParseId(container_id);
    Container* container = FindContainer(id);
    if (container == nullptr) return NotFound("container", container_id);
    if (container->state != ContainerRunState::kCreated || container->timer != 0) {
      return absl::FailedPreconditionError(absl::StrCat("container ", container_id, " was already started"));
    }
    const Sandbox& sandbox = sandboxes_.at(container->sandbox);
    container->timer = loop_.PostAfter(sandbox.start_delay, Guarded([this, id] { BecomeRunning(id); }));
    return absl::OkStatus();
  }

  absl::Status StopContainer(absl::string_view container_id, absl::Duration /*grace*/) override {
    const uint64_t id = ParseId(container_id);
    Container* container = FindContainer(id);
    if (container == nullptr) return NotFound("container", container_id);
    // A simulated process stops at once when asked: the grace period is never needed.
    if (container->state != ContainerRunState::kExited) Exit(id, *container, kKilledExitCode, "Error", true);
    return absl::OkStatus();
  }

  absl::Status RemoveContainer(absl::string_view container_id) override {
    const uint64_t id = ParseId(container_id);
    Container* container = FindContainer(id);
    if (container == nullptr) return NotFound("container", container_id);
    CancelTimer(*container);
    if (auto sandbox = sandboxes_.find(container->sandbox); sandbox != sandboxes_.end()) {
      std::erase(sandbox->second.containers, id);
    }
    containers_.erase(id);
    return absl::OkStatus();
  }

  absl::StatusOr<RuntimeContainerStatus> ContainerStatus(absl::string_view container_id) override {
    const uint64_t id = ParseId(container_id);
    const Container* container = FindContainer(id);
    if (container == nullptr) return NotFound("container", container_id);
    RuntimeContainerStatus status;
    status.id = IdText(id);
    status.name = container->name;
    status.state = container->state;
    status.exit_code = container->exit_code;
    if (container->state == ContainerRunState::kExited) {
      status.reason = container->reason != nullptr ? container->reason : "";
    }
    status.created_at = container->created_at;
    status.started_at = container->started_at;
    status.finished_at = container->finished_at;
    status.image = container->image;
    status.image_ref = ImageRef(container->image);
    status.attempt = container->attempt;
    return status;
  }

  ProbeResult RunProbe(absl::string_view container_id, ProbeType type, const Probe& /*probe*/) override {
    const Container* container = FindContainer(ParseId(container_id));
    if (container == nullptr || container->state != ContainerRunState::kRunning) {
      return {false, "container is not running"};
    }
    const uint8_t faults = FaultsOf(*container);
    if ((faults & kHung) != 0)
      return {false, "context deadline exceeded (Client.Timeout exceeded while awaiting headers)"};
    switch (type) {
      case ProbeType::kReadiness: {
        if ((faults & kFailReadiness) != 0) return {false, "HTTP probe failed with statuscode: 503"};
        const Sandbox& sandbox = sandboxes_.at(container->sandbox);
        if (loop_.clock().Now() < container->started_at + sandbox.ready_delay) {
          return {false, "HTTP probe failed with statuscode: 503"};
        }
        return {true, ""};
      }
      case ProbeType::kLiveness:
        if ((faults & kFailLiveness) != 0) return {false, "HTTP probe failed with statuscode: 500"};
        return {true, ""};
      case ProbeType::kStartup:
        if ((faults & kFailStartup) != 0) return {false, "HTTP probe failed with statuscode: 500"};
        return {true, ""};
    }
    return {false, "unknown probe type"};
  }

  absl::StatusOr<std::string> ContainerLogs(absl::string_view container_id,
                                            const LogOptions& /*options*/) override {
    const Container* container = FindContainer(ParseId(container_id));
    if (container == nullptr) return NotFound("container", container_id);
    std::string logs =
        absl::StrCat("sim: created container ", container->name, " from ", container->image, "\n");
    if (container->started_at != absl::InfinitePast()) {
      absl::StrAppend(&logs, "sim: started at ",
                      absl::FormatTime(absl::RFC3339_full, container->started_at, absl::UTCTimeZone()), "\n");
    }
    if (container->state == ContainerRunState::kExited) {
      absl::StrAppend(&logs, "sim: exited with code ", container->exit_code, "\n");
    }
    return logs;
  }

  absl::StatusOr<ResourceUsage> ContainerUsage(absl::string_view container_id) override {
    const Container* container = FindContainer(ParseId(container_id));
    if (container == nullptr) return NotFound("container", container_id);
    ResourceUsage usage;
    usage.timestamp = loop_.clock().Now();
    if (container->state == ContainerRunState::kRunning) {
      // A simulated container uses half of what it asked for.
      usage.cpu_nano_cores = container->cpu_millis * 1000000 / 2;
      usage.memory_working_set_bytes = container->memory_bytes / 2;
    }
    return usage;
  }

  void SetListener(RuntimeListener listener) override { listener_ = std::move(listener); }

  // SimControl.
  absl::Status Crash(absl::string_view pod_uid, absl::string_view name, int32_t exit_code) override {
    auto [id, container] = FindByPod(pod_uid, name);
    if (container == nullptr || container->state != ContainerRunState::kRunning) {
      return absl::NotFoundError(absl::StrCat("no running container \"", name, "\" in pod ", pod_uid));
    }
    Exit(id, *container, exit_code, exit_code == 0 ? "Completed" : "Error", true);
    return absl::OkStatus();
  }
  absl::Status Hang(absl::string_view pod_uid, absl::string_view name) override {
    return SetFault(pod_uid, name, kHung, true);
  }
  absl::Status FailProbe(absl::string_view pod_uid, absl::string_view name, ProbeType type) override {
    const uint8_t bit = type == ProbeType::kReadiness  ? kFailReadiness
                        : type == ProbeType::kLiveness ? kFailLiveness
                                                       : kFailStartup;
    return SetFault(pod_uid, name, bit, true);
  }
  absl::Status Recover(absl::string_view pod_uid, absl::string_view name) override {
    return SetFault(pod_uid, name, kHung | kFailReadiness | kFailLiveness | kFailStartup, false);
  }
  size_t SandboxCount() const override { return sandboxes_.size(); }
  size_t ContainerCount() const override { return containers_.size(); }

 private:
  // About 100 bytes: the image and name strings are inline when short (SSO).
  struct Container {
    uint64_t sandbox = 0;
    std::string name;
    std::string image;
    absl::Time created_at = absl::InfinitePast();
    absl::Time started_at = absl::InfinitePast();
    absl::Time finished_at = absl::InfinitePast();
    EventLoop::TimerId timer = 0;  // the start (or run-for exit) timer
    int64_t cpu_millis = 0;
    int64_t memory_bytes = 0;
    const char* reason = nullptr;  // a literal
    int32_t exit_code = 0;
    int32_t attempt = 0;
    bool init = false;
    ContainerRunState state = ContainerRunState::kCreated;
  };
  struct Fault {
    std::string name;
    uint8_t bits = 0;
  };
  struct Sandbox {
    std::string uid;
    absl::Duration start_delay;
    absl::Duration ready_delay;
    absl::Duration run_for;
    absl::Duration init_run_for;
    int32_t exit_code = 0;
    bool stopped = false;
    std::vector<uint64_t> containers;
    std::vector<Fault> faults;  // per container name; kept across restarts
  };

  static absl::Status NotFound(absl::string_view what, absl::string_view id) {
    return absl::NotFoundError(absl::StrCat(what, " ", id, " not found"));
  }

  // Timers hold a weak token so that a timer outliving the runtime does nothing.
  template <class F>
  EventLoop::Callback Guarded(F f) {
    return [alive = std::weak_ptr<bool>(alive_), f = std::move(f)] {
      if (alive.lock() != nullptr) f();
    };
  }

  Sandbox* FindSandbox(absl::string_view sandbox_id) {
    auto it = sandboxes_.find(ParseId(sandbox_id));
    return it == sandboxes_.end() ? nullptr : &it->second;
  }
  Container* FindContainer(uint64_t id) {
    auto it = containers_.find(id);
    return it == containers_.end() ? nullptr : &it->second;
  }
  // The newest instance of the named container in the pod's sandbox.
  std::pair<uint64_t, Container*> FindByPod(absl::string_view pod_uid, absl::string_view name) {
    auto sid = sandbox_by_uid_.find(pod_uid);
    if (sid == sandbox_by_uid_.end()) return {0, nullptr};
    const Sandbox& sandbox = sandboxes_.at(sid->second);
    for (auto it = sandbox.containers.rbegin(); it != sandbox.containers.rend(); ++it) {
      Container* container = FindContainer(*it);
      if (container != nullptr && container->name == name) return {*it, container};
    }
    return {0, nullptr};
  }
  uint8_t FaultsOf(const Container& container) const {
    const Sandbox& sandbox = sandboxes_.at(container.sandbox);
    for (const Fault& fault : sandbox.faults) {
      if (fault.name == container.name) return fault.bits;
    }
    return 0;
  }
  absl::Status SetFault(absl::string_view pod_uid, absl::string_view name, uint8_t bits, bool on) {
    auto sid = sandbox_by_uid_.find(pod_uid);
    if (sid == sandbox_by_uid_.end())
      return absl::NotFoundError(absl::StrCat("no sandbox for pod ", pod_uid));
    Sandbox& sandbox = sandboxes_.at(sid->second);
    for (Fault& fault : sandbox.faults) {
      if (fault.name == name) {
        fault.bits = on ? (fault.bits | bits) : (fault.bits & ~bits);
        return absl::OkStatus();
      }
    }
    if (on) sandbox.faults.push_back(Fault{std::string(name), bits});
    return absl::OkStatus();
  }

  void CancelTimer(Container& container) {
    if (container.timer != 0) loop_.Cancel(container.timer);
    container.timer = 0;
  }

  void BecomeRunning(uint64_t id) {
    Container* container = FindContainer(id);
    if (container == nullptr || container->state != ContainerRunState::kCreated) return;
    container->timer = 0;
    container->state = ContainerRunState::kRunning;
    container->started_at = loop_.clock().Now();
    const Sandbox& sandbox = sandboxes_.at(container->sandbox);
    // An init container completes after init-run-for; the others run for run-for, or forever.
    const absl::Duration run_for = container->init ? sandbox.init_run_for : sandbox.run_for;
    if (run_for != absl::InfiniteDuration()) {
      const int32_t code = container->init ? 0 : sandbox.exit_code;
      container->timer = loop_.PostAfter(run_for, Guarded([this, id, code] {
                                           Container* c = FindContainer(id);
                                           if (c == nullptr || c->state != ContainerRunState::kRunning)
                                             return;
                                           c->timer = 0;
                                           Exit(id, *c, code, code == 0 ? "Completed" : "Error", true);
                                         }));
    }
    Notify(container->sandbox, id);
  }

  void Exit(uint64_t id, Container& container, int32_t exit_code, const char* reason, bool notify) {
    CancelTimer(container);
    container.state = ContainerRunState::kExited;
    container.exit_code = exit_code;
    container.reason = reason;
    container.finished_at = loop_.clock().Now();
    if (notify) Notify(container.sandbox, id);
  }

  void Notify(uint64_t sandbox, uint64_t container) {
    if (listener_) listener_(RuntimeEvent{IdText(sandbox), IdText(container)});
  }

  EventLoop& loop_;
  const absl::Duration start_delay_;
  const absl::Duration ready_delay_;
  RuntimeListener listener_;
  uint64_t next_id_ = 1;
  absl::flat_hash_map<uint64_t, Sandbox> sandboxes_;
  absl::flat_hash_map<uint64_t, Container> containers_;
  absl::flat_hash_map<std::string, uint64_t> sandbox_by_uid_;
  std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);
};

}  // namespace

absl::StatusOr<std::unique_ptr<RuntimeDriver>> NewSimRuntime(const RuntimeOptions& options) {
  if (options.loop == nullptr)
    return absl::InvalidArgumentError("runtime \"sim\": RuntimeOptions.loop is required");
  absl::StatusOr<absl::Duration> start = DurationSetting(options.settings, "start-delay", absl::Seconds(1));
  if (!start.ok()) return start.status();
  absl::StatusOr<absl::Duration> ready =
      DurationSetting(options.settings, "ready-delay", absl::ZeroDuration());
  if (!ready.ok()) return ready.status();
  return std::make_unique<SimRuntime>(*options.loop, *start, *ready);
}

SimControl* AsSim(RuntimeDriver* driver) { return dynamic_cast<SimControl*>(driver); }

}  // namespace orch
