// One pod on one node: sandbox and address, containers started and restarted per restartPolicy
// with kubelet's CrashLoopBackOff, probes on loop timers, graceful stop, and the status kubelet
// writes. Every step is idempotent: Sync() may run at any time and converges.
#include <algorithm>
#include <string>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "orch/errors.h"
#include "src/core/agent/agent.h"

namespace orch::agent {
namespace {

constexpr absl::Duration kInitialBackoff = absl::Seconds(10);
constexpr absl::Duration kMaxBackoff = absl::Minutes(5);

std::string FormatBackoff(absl::Duration d) {
  // Go's Duration.String(): "10s", "1m20s", "5m0s".
  const int64_t seconds = absl::ToInt64Seconds(d);
  if (seconds < 60) return absl::StrCat(seconds, "s");
  return absl::StrCat(seconds / 60, "m", seconds % 60, "s");
}

// The field path of a container in events: spec.initContainers{name} or spec.containers{name}.
std::string FieldPath(const Container& spec, const ContainerWorker& worker) {
  return absl::StrCat(worker.init ? "spec.initContainers{" : "spec.containers{", spec.name, "}");
}

// A condition that keeps its lastTransitionTime while its status does not change.
PodCondition MakeCondition(const PodStatus& old, const char* type, bool ok, absl::Time now,
                           std::string reason = "", std::string message = "") {
  PodCondition c;
  c.type = type;
  c.status = ok ? "True" : "False";
  c.reason = std::move(reason);
  c.message = std::move(message);
  const PodCondition* before = old.FindCondition(type);
  c.lastTransitionTime =
      before != nullptr && before->status == c.status ? before->lastTransitionTime : Time::Truncated(now);
  if (before != nullptr) {
    c.lastProbeTime = before->lastProbeTime;
    c.unknown = before->unknown;
  }
  return c;
}

}  // namespace

PodWorker::~PodWorker() { CancelTimers(); }

void PodWorker::CancelTimers() {
  EventLoop& loop = agent_.shared().loop;
  for (EventLoop::TimerId* timer : {&sync_timer_, &deadline_timer_}) {
    if (*timer != 0) loop.Cancel(*timer);
    *timer = 0;
  }
  for (std::vector<ContainerWorker>* workers : {&init_containers_, &containers_}) {
    for (ContainerWorker& c : *workers) {
      StopProbes(c);
      if (c.backoff_timer != 0) loop.Cancel(c.backoff_timer);
      c.backoff_timer = 0;
    }
  }
}

void PodWorker::ScheduleSyncAt(absl::Time when, EventLoop::TimerId* timer) {
  EventLoop& loop = agent_.shared().loop;
  if (*timer != 0) loop.Cancel(*timer);
  *timer = loop.PostAt(when, [this, timer] {
    *timer = 0;
    agent_.ScheduleSync(*this);
  });
}

std::string PodWorker::PodDescription(const Pod& pod) const {
  return absl::StrCat(pod.metadata.name, "_", pod.metadata.namespace_, "(", pod.metadata.uid, ")");
}

void PodWorker::RecordPod(absl::string_view type, absl::string_view reason, const std::string& message,
                          absl::string_view field_path) {
  ObjectReference ref;
  ref.kind = "Pod";
  ref.apiVersion = "v1";
  ref.namespace_ = key_.namespace_;
  ref.name = key_.name;
  ref.uid = uid_;
  ref.fieldPath = std::string(field_path);
  agent_.shared().recorder.Record(ref, type, reason, message);
}

bool PodWorker::Sync() {
  Shared& shared = agent_.shared();
  ObjectPtr object = shared.pods.Get(key_.namespace_, key_.name);
  if (object == nullptr || object->object.metadata.uid != uid_) {
    Teardown();
    return false;
  }
  absl::StatusOr<std::shared_ptr<const Pod>> decoded = Decoded<Pod>(*object);
  if (!decoded.ok()) return true;  // the store only holds valid pods; wait for the next version
  const Pod& pod = **decoded;
  if (pod.spec.nodeName != agent_.name()) {
    Teardown();
    return false;
  }
  if (pod.metadata.deletionTimestamp.IsSet()) {
    Terminate(pod);
    return true;
  }
  if (terminal_) return true;
  if (containers_.size() != pod.spec.containers.size()) containers_.resize(pod.spec.containers.size());
  if (init_containers_.size() != pod.spec.initContainers.size()) {
    init_containers_.resize(pod.spec.initContainers.size());
    for (ContainerWorker& worker : init_containers_) worker.init = true;
  }

  if (absl::Status s = EnsureSandbox(pod); s.ok() && SyncInitContainers(pod)) {
    for (size_t i = 0; i < pod.spec.containers.size(); ++i)
      SyncContainer(pod, pod.spec.containers[i], containers_[i]);
  }
  PodStatus status = ComputeStatus(pod);
  if (status != pod.status) {
    Pod updated = pod;
    updated.status = status;
    updated.metadata.resourceVersion.clear();
    absl::StatusOr<Pod> written = UpdateStatus(shared.client, updated);
    if (!written.ok() && !IsNotFound(written.status())) {
      // A conflict or a store error: try again shortly (the write is idempotent).
      ScheduleSyncAt(shared.loop.clock().Now() + absl::Seconds(1), &sync_timer_);
      return true;
    }
  }
  if (IsPodPhaseTerminal(status.phase)) {
    // kubelet releases a finished pod's sandbox; the pod object and its status stay.
    terminal_ = true;
    for (ContainerWorker& c : containers_) StopProbes(c);
    Teardown();
  }
  return true;
}

absl::Status PodWorker::EnsureSandbox(const Pod& pod) {
  if (!sandbox_id_.empty()) return absl::OkStatus();
  Shared& shared = agent_.shared();
  if (!pod.spec.hostNetwork && pod_ip_.empty()) {
    absl::StatusOr<PodNetworkStatus> network = agent_.network().SetUpPod(
        PodNetworkConfig{agent_.name(), agent_.pod_cidr(), pod.metadata.namespace_, pod.metadata.name, uid_});
    if (!network.ok() || network->ips.empty()) {
      std::string message = absl::StrCat("Failed to create pod sandbox: ",
                                         network.ok() ? "no address" : network.status().message());
      if (sandbox_error_ != message) RecordPod("Warning", "FailedCreatePodSandBox", message);
      sandbox_error_ = message;
      return absl::UnavailableError(message);
    }
    pod_ip_ = network->ips.front();
  }
  PodSandboxConfig config;
  config.node_name = agent_.name();
  config.namespace_ = pod.metadata.namespace_;
  config.name = pod.metadata.name;
  config.uid = uid_;
  config.labels = pod.metadata.labels;
  config.annotations = pod.metadata.annotations;
  config.pod_ip = pod.spec.hostNetwork ? "" : pod_ip_;
  absl::StatusOr<std::string> sandbox = agent_.runtime().RunPodSandbox(config);
  if (!sandbox.ok()) {
    std::string message = absl::StrCat("Failed to create pod sandbox: ", sandbox.status().message());
    // Recorded once per distinct error: a pod update (a fixed annotation) tries again.
    if (sandbox_error_ != message) RecordPod("Warning", "FailedCreatePodSandBox", message);
    sandbox_error_ = message;
    return sandbox.status();
  }
  sandbox_error_.clear();
  sandbox_id_ = *sandbox;
  shared.by_sandbox[sandbox_id_] = this;
  if (start_time_ == absl::InfinitePast()) {
    start_time_ = pod.status.startTime.IsSet() ? pod.status.startTime.value
                                               : Time::Truncated(shared.loop.clock().Now()).value;
  }
  return absl::OkStatus();
}

bool PodWorker::SyncInitContainers(const Pod& pod) {
  for (size_t i = 0; i < pod.spec.initContainers.size(); ++i) {
    ContainerWorker& worker = init_containers_[i];
    if (!worker.done) SyncContainer(pod, pod.spec.initContainers[i], worker);
    // Still running, waiting to restart, or failed for good: the next ones wait.
    if (!worker.succeeded) return false;
  }
  return true;
}

void PodWorker::StartContainer(const Pod& pod, const Container& spec, ContainerWorker& worker) {
  const std::string field = FieldPath(spec, worker);
  RecordPod("Normal", "Pulled",
            absl::StrCat("Container image \"", spec.image, "\" already present on machine"), field);
  ContainerConfig config;
  config.name = spec.name;
  config.image = spec.image;
  config.command = spec.command;
  config.args = spec.args;
  config.env = spec.env;
  config.working_dir = spec.workingDir;
  config.resources = spec.resources;
  config.attempt = worker.restart_count;
  config.init = worker.init;
  absl::StatusOr<std::string> id = agent_.runtime().CreateContainer(sandbox_id_, config);
  if (!id.ok()) {
    RecordPod("Warning", "Failed", absl::StrCat("Error: ", id.status().message()), field);
    return;
  }
  RecordPod("Normal", "Created", absl::StrCat("Created container ", spec.name), field);
  if (absl::Status s = agent_.runtime().StartContainer(*id); !s.ok()) {
    RecordPod("Warning", "Failed", absl::StrCat("Error: ", s.message()), field);
    (void)agent_.runtime().RemoveContainer(*id);
    return;
  }
  worker.id = *id;
  worker.running_seen = false;
  worker.probes_started = false;
  worker.started = false;
  worker.ready = false;
  worker.done = false;
  (void)pod;
}

bool PodWorker::ShouldRestart(const Pod& pod, const ContainerWorker& worker, int32_t exit_code) const {
  const std::string& policy = pod.spec.restartPolicy;
  if (policy == "Never") return false;
  // An init container is run again only when it failed, whatever the policy (Always or OnFailure).
  if (worker.init) return exit_code != 0;
  if (policy == "OnFailure") return exit_code != 0;
  return true;  // Always, the default
}

void PodWorker::SyncContainer(const Pod& pod, const Container& spec, ContainerWorker& worker) {
  if (worker.done) return;
  if (worker.id.empty()) {
    if (worker.backoff_timer != 0) return;  // in CrashLoopBackOff until the timer fires
    if (worker.last != nullptr) {
      // A restart after a crash: kubelet's backoff, keyed by the container, from its finish time.
      const absl::Time now = agent_.shared().loop.clock().Now();
      const bool expired =
          worker.backoff_updated != absl::InfinitePast() && now - worker.backoff_updated > 2 * kMaxBackoff;
      if (worker.backoff > absl::ZeroDuration() && !expired &&
          now - worker.last->finished_at < worker.backoff) {
        const absl::Time until = worker.last->finished_at + worker.backoff;
        if (worker.backoff_recorded != worker.last->finished_at) {
          worker.backoff_recorded = worker.last->finished_at;
          RecordPod("Warning", "BackOff",
                    absl::StrCat("Back-off restarting failed container ", spec.name, " in pod ",
                                 PodDescription(pod)),
                    FieldPath(spec, worker));
        }
        ScheduleSyncAt(until, &worker.backoff_timer);
        return;
      }
      worker.backoff = (worker.backoff == absl::ZeroDuration() || expired)
                           ? kInitialBackoff
                           : std::min(2 * worker.backoff, kMaxBackoff);
      worker.backoff_updated = now;
      ++worker.restart_count;
    }
    StartContainer(pod, spec, worker);
    return;
  }
  absl::StatusOr<RuntimeContainerStatus> status = agent_.runtime().ContainerStatus(worker.id);
  if (!status.ok()) {
    // The runtime lost it (a restarted runtime): start over as a new instance.
    StopProbes(worker);
    worker.id.clear();
    agent_.ScheduleSync(*this);
    return;
  }
  switch (status->state) {
    case ContainerRunState::kCreated:
    case ContainerRunState::kUnknown:
      return;
    case ContainerRunState::kRunning:
      if (!worker.running_seen) {
        worker.running_seen = true;
        RecordPod("Normal", "Started", absl::StrCat("Started container ", spec.name),
                  FieldPath(spec, worker));
      }
      // An init container is not probed: it is ready once it has completed.
      if (!worker.init && !worker.probes_started) {
        worker.probes_started = true;
        StartProbes(spec, worker, status->started_at);
      }
      return;
    case ContainerRunState::kExited:
      OnExited(pod, spec, worker, *status);
      return;
  }
}

void PodWorker::OnExited(const Pod& pod, const Container& /*spec*/, ContainerWorker& worker,
                         const RuntimeContainerStatus& status) {
  StopProbes(worker);
  worker.ready = false;
  if (!ShouldRestart(pod, worker, status.exit_code)) {
    worker.done = true;  // the runtime keeps it, so its terminated state is reported
    worker.succeeded = status.exit_code == 0;
    worker.ready = worker.init && worker.succeeded;
    return;
  }
  auto last = std::make_unique<ContainerWorker::Termination>();
  last->id = status.id;
  last->exit_code = status.exit_code;
  last->reason = status.reason;
  last->started_at = status.started_at;
  last->finished_at = status.finished_at;
  worker.last = std::move(last);
  (void)agent_.runtime().RemoveContainer(worker.id);
  worker.id.clear();
  agent_.ScheduleSync(*this);
}

void PodWorker::StartProbes(const Container& spec, ContainerWorker& worker, absl::Time started_at) {
  if (!spec.startupProbe.has_value()) {
    worker.started = true;
    StartReadinessAndLiveness(spec, worker, started_at);
    return;
  }
  EventLoop& loop = agent_.shared().loop;
  const size_t index = &worker - containers_.data();
  worker.started = false;
  worker.ready = false;
  worker.startup_failures = 0;
  const absl::Time first = started_at + absl::Seconds(spec.startupProbe->initialDelaySeconds);
  worker.startup_timer = loop.PostAt(std::max(first, loop.clock().Now()),
                                     [this, index] { ProbeTick(index, ProbeType::kStartup); });
}

void PodWorker::StartReadinessAndLiveness(const Container& spec, ContainerWorker& worker,
                                          absl::Time started_at) {
  EventLoop& loop = agent_.shared().loop;
  const size_t index = &worker - containers_.data();
  if (spec.readinessProbe.has_value()) {
    worker.ready = false;
    worker.readiness_successes = worker.readiness_failures = 0;
    const absl::Time first = started_at + absl::Seconds(spec.readinessProbe->initialDelaySeconds);
    worker.readiness_timer = loop.PostAt(std::max(first, loop.clock().Now()),
                                         [this, index] { ProbeTick(index, ProbeType::kReadiness); });
  } else {
    worker.ready = true;  // no readiness probe: ready once running
  }
  if (spec.livenessProbe.has_value()) {
    worker.liveness_failures = 0;
    const absl::Time first = started_at + absl::Seconds(spec.livenessProbe->initialDelaySeconds);
    worker.liveness_timer = loop.PostAt(std::max(first, loop.clock().Now()),
                                        [this, index] { ProbeTick(index, ProbeType::kLiveness); });
  }
}

void PodWorker::StopProbes(ContainerWorker& worker) {
  EventLoop& loop = agent_.shared().loop;
  for (EventLoop::TimerId* timer : {&worker.readiness_timer, &worker.liveness_timer, &worker.startup_timer}) {
    if (*timer != 0) loop.Cancel(*timer);
    *timer = 0;
  }
  // A container still running when its probes stop (its agent died and came back) is probed again,
  // from its startup probe on, at the next sync.
  worker.probes_started = false;
}

void PodWorker::KillForProbe(const Pod& pod, const Container& spec, const Probe& probe,
                             absl::string_view kind, ContainerWorker& worker) {
  RecordPod("Normal", "Killing",
            absl::StrCat("Container ", spec.name, " failed ", kind, " probe, will be restarted"),
            FieldPath(spec, worker));
  const int64_t grace =
      probe.terminationGracePeriodSeconds.value_or(pod.spec.terminationGracePeriodSeconds.value_or(30));
  StopProbes(worker);
  (void)agent_.runtime().StopContainer(worker.id, absl::Seconds(grace));
  agent_.ScheduleSync(*this);
}

void PodWorker::ProbeTick(size_t index, ProbeType type) {
  ContainerWorker& worker = containers_[index];
  EventLoop::TimerId& timer = type == ProbeType::kReadiness  ? worker.readiness_timer
                              : type == ProbeType::kLiveness ? worker.liveness_timer
                                                             : worker.startup_timer;
  timer = 0;
  if (worker.id.empty() || terminating_ || agent_.dead()) return;
  ObjectPtr object = agent_.shared().pods.Get(key_.namespace_, key_.name);
  if (object == nullptr) return;
  // The version's shared typed view: a probe tick does not decode the pod again.
  absl::StatusOr<std::shared_ptr<const Pod>> decoded = Decoded<Pod>(*object);
  if (!decoded.ok() || index >= (*decoded)->spec.containers.size()) return;
  const Pod* pod = decoded->get();
  const Container& spec = pod->spec.containers[index];
  const std::optional<Probe>& probe = type == ProbeType::kReadiness  ? spec.readinessProbe
                                      : type == ProbeType::kLiveness ? spec.livenessProbe
                                                                     : spec.startupProbe;
  if (!probe.has_value()) return;
  const ProbeResult result = agent_.runtime().RunProbe(worker.id, type, *probe);
  const std::string field = FieldPath(spec, worker);
  const int32_t success_threshold = std::max(1, probe->successThreshold);
  const int32_t failure_threshold = std::max(1, probe->failureThreshold);
  if (type == ProbeType::kStartup) {
    if (result.success) {
      // Started: the other probes take over, counted from the container's start as kubelet's do.
      worker.started = true;
      absl::StatusOr<RuntimeContainerStatus> status = agent_.runtime().ContainerStatus(worker.id);
      StartReadinessAndLiveness(spec, worker,
                                status.ok() ? status->started_at : agent_.shared().loop.clock().Now());
      agent_.ScheduleSync(*this);
      return;
    }
    RecordPod("Warning", "Unhealthy", absl::StrCat("Startup probe failed: ", result.output), field);
    if (++worker.startup_failures >= failure_threshold) {
      KillForProbe(*pod, spec, *probe, "startup", worker);
      return;
    }
  } else if (type == ProbeType::kReadiness) {
    if (result.success) {
      worker.readiness_failures = 0;
      if (++worker.readiness_successes >= success_threshold && !worker.ready) {
        worker.ready = true;
        agent_.ScheduleSync(*this);
      }
    } else {
      worker.readiness_successes = 0;
      RecordPod("Warning", "Unhealthy", absl::StrCat("Readiness probe failed: ", result.output), field);
      if (++worker.readiness_failures >= failure_threshold && worker.ready) {
        worker.ready = false;
        agent_.ScheduleSync(*this);
      }
    }
  } else if (result.success) {
    worker.liveness_failures = 0;
  } else {
    RecordPod("Warning", "Unhealthy", absl::StrCat("Liveness probe failed: ", result.output), field);
    if (++worker.liveness_failures >= failure_threshold) {
      worker.liveness_failures = 0;
      KillForProbe(*pod, spec, *probe, "liveness", worker);
      return;
    }
  }
  const absl::Duration period = absl::Seconds(std::max(1, probe->periodSeconds));
  timer = agent_.shared().loop.PostAfter(period, [this, index, type] { ProbeTick(index, type); });
}

void PodWorker::Terminate(const Pod& pod) {
  EventLoop& loop = agent_.shared().loop;
  if (!terminating_) {
    terminating_ = true;
    const int64_t grace =
        pod.metadata.deletionGracePeriodSeconds.value_or(pod.spec.terminationGracePeriodSeconds.value_or(30));
    auto stop = [&](std::vector<ContainerWorker>& workers, const std::vector<Container>& specs) {
      for (size_t i = 0; i < workers.size() && i < specs.size(); ++i) {
        ContainerWorker& worker = workers[i];
        StopProbes(worker);
        if (worker.backoff_timer != 0) loop.Cancel(worker.backoff_timer);
        worker.backoff_timer = 0;
        if (worker.id.empty()) continue;
        absl::StatusOr<RuntimeContainerStatus> status = agent_.runtime().ContainerStatus(worker.id);
        if (!status.ok() || status->state == ContainerRunState::kExited) continue;
        RecordPod("Normal", "Killing", absl::StrCat("Stopping container ", specs[i].name),
                  FieldPath(specs[i], worker));
        (void)agent_.runtime().StopContainer(worker.id, absl::Seconds(grace));
      }
    };
    stop(init_containers_, pod.spec.initContainers);
    stop(containers_, pod.spec.containers);
    // The grace period is an upper bound: past it the sandbox goes, whatever still runs in it.
    const absl::Time deadline = pod.metadata.deletionTimestamp.value;
    ScheduleSyncAt(std::max(deadline, loop.clock().Now()), &deadline_timer_);
  }
  bool stopped = true;
  for (const std::vector<ContainerWorker>* workers : {&init_containers_, &containers_}) {
    for (const ContainerWorker& worker : *workers) {
      if (worker.id.empty()) continue;
      absl::StatusOr<RuntimeContainerStatus> status = agent_.runtime().ContainerStatus(worker.id);
      if (status.ok() && status->state != ContainerRunState::kExited) stopped = false;
    }
  }
  if (stopped || loop.clock().Now() >= pod.metadata.deletionTimestamp.value) {
    Teardown();
    DeletePod();
  }
}

void PodWorker::DeletePod() {
  if (delete_sent_) return;
  DeleteOptions options;
  options.gracePeriodSeconds = 0;
  options.preconditions.uid = uid_;
  absl::Status s = Delete<Pod>(agent_.shared().client, key_.namespace_, key_.name, options);
  // NotFound or a uid conflict: someone else finished the deletion.
  delete_sent_ = s.ok() || IsNotFound(s) || IsConflict(s);
  if (!delete_sent_) ScheduleSyncAt(agent_.shared().loop.clock().Now() + absl::Seconds(1), &sync_timer_);
}

void PodWorker::Teardown() {
  for (ContainerWorker& c : init_containers_) StopProbes(c);
  for (ContainerWorker& c : containers_) StopProbes(c);
  if (!sandbox_id_.empty()) {
    (void)agent_.runtime().StopPodSandbox(sandbox_id_);
    (void)agent_.runtime().RemovePodSandbox(sandbox_id_);
    agent_.shared().by_sandbox.erase(sandbox_id_);
    sandbox_id_.clear();
  }
  if (!pod_ip_.empty()) (void)agent_.network().TearDownPod(agent_.name(), uid_);
  for (std::vector<ContainerWorker>* workers : {&init_containers_, &containers_}) {
    for (ContainerWorker& c : *workers) {
      // The runtime forgot them with the sandbox; a terminal pod keeps reporting from `last`.
      if (!c.id.empty() && c.done) continue;
      c.id.clear();
    }
  }
}

ContainerStatus PodWorker::ComputeContainerStatus(const Pod& pod, const Container& spec,
                                                  const ContainerWorker& worker, const char* not_started) {
  ContainerStatus cs;
  cs.name = spec.name;
  cs.image = spec.image;
  cs.restartCount = worker.restart_count;
  cs.started = false;
  if (worker.last != nullptr) {
    ContainerStateTerminated& t = cs.lastState.terminated.emplace();
    t.exitCode = worker.last->exit_code;
    t.reason = worker.last->reason;
    t.startedAt = Time::Truncated(worker.last->started_at);
    t.finishedAt = Time::Truncated(worker.last->finished_at);
    t.containerID = worker.last->id;
  }
  if (!sandbox_error_.empty()) {
    cs.state.waiting = ContainerStateWaiting{"CreateContainerConfigError", sandbox_error_, {}};
    return cs;
  }
  if (worker.id.empty()) {
    if (worker.backoff_timer != 0) {
      cs.state.waiting = ContainerStateWaiting{
          "CrashLoopBackOff",
          absl::StrCat("back-off ", FormatBackoff(worker.backoff), " restarting failed container=", spec.name,
                       " pod=", PodDescription(pod)),
          {}};
    } else {
      cs.state.waiting = ContainerStateWaiting{not_started, "", {}};
    }
    return cs;
  }
  absl::StatusOr<RuntimeContainerStatus> status = agent_.runtime().ContainerStatus(worker.id);
  if (!status.ok()) {
    cs.state.waiting = ContainerStateWaiting{"ContainerCreating", "", {}};
    return cs;
  }
  cs.containerID = status->id;
  cs.imageID = status->image_ref;
  switch (status->state) {
    case ContainerRunState::kCreated:
    case ContainerRunState::kUnknown:
      cs.state.waiting = ContainerStateWaiting{"ContainerCreating", "", {}};
      cs.imageID.clear();
      break;
    case ContainerRunState::kRunning:
      cs.state.running = ContainerStateRunning{Time::Truncated(status->started_at), {}};
      cs.started = worker.started || worker.init;
      cs.ready = worker.started && worker.ready;
      break;
    case ContainerRunState::kExited: {
      cs.ready = worker.init && worker.succeeded;  // a completed init container reads ready
      ContainerStateTerminated& t = cs.state.terminated.emplace();
      t.exitCode = status->exit_code;
      t.reason = status->reason;
      t.startedAt = Time::Truncated(status->started_at);
      t.finishedAt = Time::Truncated(status->finished_at);
      t.containerID = status->id;
      break;
    }
  }
  return cs;
}

PodStatus PodWorker::ComputeStatus(const Pod& pod) {
  const absl::Time now = agent_.shared().loop.clock().Now();
  PodStatus status = pod.status;
  // Init containers: the first one not completed is the one running (or restarting); the ones after
  // it, and the app containers, wait with PodInitializing.
  status.initContainerStatuses.clear();
  std::vector<std::string> incomplete;
  bool init_failed = false;  // an init container failed and is not run again (restartPolicy Never)
  for (size_t i = 0; i < pod.spec.initContainers.size(); ++i) {
    const ContainerWorker& worker = init_containers_[i];
    status.initContainerStatuses.push_back(
        ComputeContainerStatus(pod, pod.spec.initContainers[i], worker, "PodInitializing"));
    if (!worker.succeeded) incomplete.push_back(pod.spec.initContainers[i].name);
    init_failed = init_failed || (worker.done && !worker.succeeded);
  }
  const bool initialized = incomplete.empty();
  status.containerStatuses.clear();
  int waiting = 0, running = 0, stopped = 0, succeeded = 0, failed = 0;
  std::vector<std::string> unready;
  for (size_t i = 0; i < pod.spec.containers.size(); ++i) {
    ContainerStatus cs = ComputeContainerStatus(pod, pod.spec.containers[i], containers_[i],
                                                initialized ? "ContainerCreating" : "PodInitializing");
    if (cs.state.running.has_value()) {
      ++running;
    } else if (cs.state.terminated.has_value()) {
      ++stopped;
      cs.state.terminated->exitCode == 0 ? ++succeeded : ++failed;
    } else if (cs.lastState.terminated.has_value()) {
      ++stopped;  // waiting to restart
    } else {
      ++waiting;
    }
    if (!cs.ready) unready.push_back(cs.name);
    status.containerStatuses.push_back(std::move(cs));
  }
  // kubelet's getPhase.
  const std::string& policy = pod.spec.restartPolicy;
  if (!initialized) {
    status.phase = init_failed ? "Failed" : "Pending";
  } else if (waiting > 0) {
    status.phase = "Pending";
  } else if (running > 0) {
    status.phase = "Running";
  } else if (stopped > 0) {
    if (policy == "Never") {
      status.phase = failed > 0 ? "Failed" : "Succeeded";
    } else if (policy == "OnFailure") {
      status.phase = stopped == succeeded ? "Succeeded" : "Running";
    } else {
      status.phase = "Running";
    }
  } else {
    status.phase = "Pending";
  }
  const bool completed = IsPodPhaseTerminal(status.phase);
  const bool all_ready = unready.empty();
  std::string reason = completed ? "PodCompleted" : (all_ready ? "" : "ContainersNotReady");
  std::string message = completed || all_ready ? ""
                                               : absl::StrCat("containers with unready status: [",
                                                              absl::StrJoin(unready, " "), "]");
  std::vector<PodCondition> conditions;
  conditions.push_back(
      MakeCondition(pod.status, "PodReadyToStartContainers", !sandbox_id_.empty() || terminal_, now));
  if (initialized) {
    conditions.push_back(
        MakeCondition(pod.status, "Initialized", true, now, completed ? "PodCompleted" : ""));
  } else {
    conditions.push_back(MakeCondition(
        pod.status, "Initialized", false, now, "ContainersNotInitialized",
        absl::StrCat("containers with incomplete status: [", absl::StrJoin(incomplete, " "), "]")));
  }
  conditions.push_back(MakeCondition(pod.status, "Ready", all_ready && !completed, now, reason, message));
  conditions.push_back(
      MakeCondition(pod.status, "ContainersReady", all_ready && !completed, now, reason, message));
  if (const PodCondition* scheduled = pod.status.FindCondition("PodScheduled")) {
    conditions.push_back(*scheduled);
  } else {
    conditions.push_back(MakeCondition(pod.status, "PodScheduled", true, now));
  }
  for (const PodCondition& c : pod.status.conditions) {
    // Conditions of others (readiness gates, DisruptionTarget) stay.
    if (c.type != "PodReadyToStartContainers" && c.type != "Initialized" && c.type != "Ready" &&
        c.type != "ContainersReady" && c.type != "PodScheduled") {
      conditions.push_back(c);
    }
  }
  status.conditions = std::move(conditions);
  status.hostIP = agent_.host_ip();
  status.hostIPs = {PodIP{agent_.host_ip(), {}}};
  if (!pod_ip_.empty()) {
    status.podIP = pod_ip_;
    status.podIPs = {PodIP{pod_ip_, {}}};
  } else if (pod.spec.hostNetwork) {
    status.podIP = agent_.host_ip();
    status.podIPs = {PodIP{agent_.host_ip(), {}}};
  }
  if (start_time_ != absl::InfinitePast()) status.startTime = Time{start_time_};
  return status;
}

}  // namespace orch::agent
