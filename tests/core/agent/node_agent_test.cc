// Node agents on the simulated runtime: registration, leases, the pod lifecycle with kubelet's
// timing, probes, restarts with CrashLoopBackOff, graceful deletion, addresses, bad input.
#include <doctest/doctest.h>

#include <set>

#include "absl/strings/match.h"
#include "core/agent/agent_test_util.h"
#include "orch/controllers.h"
#include "orch/testing/sim.h"

namespace orch {
namespace {

using testing::SimCluster;

Probe EverySecond() {
  Probe probe;
  probe.httpGet = HTTPGetAction{};
  probe.httpGet->port = IntOrString::FromInt(80);
  probe.periodSeconds = 1;
  return probe;
}

TEST_CASE("a node registers with capacity, labels and Ready, and renews its Lease every 10 s") {
  SimCluster c;
  c.AddNode("node-1");
  Node node = c.GetNode("node-1");
  CHECK(node.status.capacity.at("cpu").ToString() == "4");
  CHECK(node.status.capacity.at("memory").ToString() == "8Gi");
  CHECK(node.status.capacity.at("pods").ToString() == "110");
  CHECK(node.status.capacity.at("ephemeral-storage").ToString() == "100Gi");
  CHECK(node.status.allocatable == node.status.capacity);
  CHECK(node.metadata.labels.at("kubernetes.io/hostname") == "node-1");
  CHECK(node.metadata.labels.at("kubernetes.io/os") == "linux");
  CHECK(node.spec.podCIDR == "10.244.0.0/24");
  const NodeCondition* ready = SimCluster::NodeConditionOf(node, "Ready");
  REQUIRE(ready != nullptr);
  CHECK(ready->status == "True");
  CHECK(ready->reason == "KubeletReady");
  REQUIRE(SimCluster::NodeConditionOf(node, "MemoryPressure") != nullptr);
  CHECK(SimCluster::NodeConditionOf(node, "MemoryPressure")->status == "False");
  REQUIRE(node.status.addresses.size() == 2);
  CHECK(node.status.addresses[0].type == "InternalIP");
  CHECK(node.status.nodeInfo.containerRuntimeVersion == "sim://0.1.0");

  absl::StatusOr<Lease> lease = Get<Lease>(*c.client, "kube-node-lease", "node-1");
  REQUIRE(lease.ok());
  CHECK(lease->spec.holderIdentity == "node-1");
  CHECK(lease->spec.leaseDurationSeconds == 40);
  CHECK(lease->spec.renewTime.value == c.start);
  REQUIRE(lease->metadata.ownerReferences.size() == 1);
  CHECK(lease->metadata.ownerReferences[0].uid == node.metadata.uid);

  c.AdvanceTo(absl::Seconds(9));
  CHECK(Get<Lease>(*c.client, "kube-node-lease", "node-1")->spec.renewTime.value == c.start);
  c.AdvanceTo(absl::Seconds(10));
  CHECK(Get<Lease>(*c.client, "kube-node-lease", "node-1")->spec.renewTime.value ==
        c.start + absl::Seconds(10));
  c.AdvanceTo(absl::Seconds(35));
  CHECK(Get<Lease>(*c.client, "kube-node-lease", "node-1")->spec.renewTime.value ==
        c.start + absl::Seconds(30));
  CHECK(!c.pool->AddNode({.node_name = "node-1"}).ok());
}

TEST_CASE("a bound pod goes Pending, Running at the start delay, Ready at the ready delay") {
  SimCluster c;
  c.AddNode("node-1");
  Pod pod = c.MakePod("web", "node-1", {{SimControl::kReadyDelayAnnotation, "3s"}});
  pod.spec.containers[0].readinessProbe = EverySecond();
  c.CreatePod(pod);

  Pod pending = c.GetPod("web");
  CHECK(pending.status.phase == "Pending");
  REQUIRE(pending.status.containerStatuses.size() == 1);
  REQUIRE(pending.status.containerStatuses[0].state.waiting.has_value());
  CHECK(pending.status.containerStatuses[0].state.waiting->reason == "ContainerCreating");
  CHECK(!pending.status.podIP.empty());
  CHECK(pending.status.hostIP == c.GetNode("node-1").status.addresses[0].address);
  CHECK(pending.status.startTime.value == c.start);
  CHECK(SimCluster::ConditionStatus(pending, "PodScheduled") == "True");
  CHECK(SimCluster::ConditionStatus(pending, "Initialized") == "True");
  CHECK(SimCluster::ConditionStatus(pending, "Ready") == "False");

  c.AdvanceTo(absl::Milliseconds(999));
  CHECK(c.GetPod("web").status.phase == "Pending");
  c.AdvanceTo(absl::Seconds(1));
  Pod running = c.GetPod("web");
  CHECK(running.status.phase == "Running");
  const ContainerStatus& status = running.status.containerStatuses[0];
  REQUIRE(status.state.running.has_value());
  CHECK(status.state.running->startedAt.value == c.start + absl::Seconds(1));
  CHECK(status.started == true);
  CHECK(!status.ready);
  CHECK(status.containerID.rfind("sim://", 0) == 0);
  CHECK(status.imageID.rfind("nginx@sha256:", 0) == 0);
  CHECK(status.image == "nginx:1.27");
  CHECK(SimCluster::ConditionStatus(running, "Ready") == "False");

  c.AdvanceTo(absl::Milliseconds(3999));
  CHECK(SimCluster::ConditionStatus(c.GetPod("web"), "Ready") == "False");
  c.AdvanceTo(absl::Seconds(4));
  Pod ready = c.GetPod("web");
  CHECK(SimCluster::ConditionStatus(ready, "Ready") == "True");
  CHECK(SimCluster::ConditionStatus(ready, "ContainersReady") == "True");
  CHECK(ready.status.containerStatuses[0].ready);
  for (const PodCondition& cond : ready.status.conditions) {
    if (cond.type == "Ready") CHECK(cond.lastTransitionTime.value == c.start + absl::Seconds(4));
  }

  REQUIRE(c.Events("web", "Pulled").size() == 1);
  CHECK(c.Events("web", "Pulled")[0].message == "Container image \"nginx:1.27\" already present on machine");
  CHECK(c.Events("web", "Created").size() == 1);
  CHECK(c.Events("web", "Started").size() == 1);
  CHECK(c.Events("web", "Scheduled").empty());
}

TEST_CASE("a pod without a readiness probe is Ready once running") {
  SimCluster c;
  c.AddNode("node-1");
  c.CreatePod(c.MakePod("plain", "node-1", {{SimControl::kStartDelayAnnotation, "5s"}}));
  c.AdvanceTo(absl::Seconds(4));
  CHECK(c.GetPod("plain").status.phase == "Pending");
  c.AdvanceTo(absl::Seconds(5));
  CHECK(c.GetPod("plain").status.phase == "Running");
  CHECK(SimCluster::ConditionStatus(c.GetPod("plain"), "Ready") == "True");
}

TEST_CASE("a crashing container restarts at once, then after 10 s, then 20 s, in CrashLoopBackOff") {
  SimCluster c;
  c.AddNode("node-1");
  Pod pod = c.CreatePod(c.MakePod("crashy", "node-1"));
  c.AdvanceTo(absl::Seconds(1));
  REQUIRE(c.sim->Crash(pod.metadata.uid, "app", 1).ok());
  c.loop.RunUntilIdle();
  Pod restarted = c.GetPod("crashy");
  const ContainerStatus* cs = &restarted.status.containerStatuses[0];
  CHECK(cs->restartCount == 1);
  REQUIRE(cs->lastState.terminated.has_value());
  CHECK(cs->lastState.terminated->exitCode == 1);
  CHECK(cs->lastState.terminated->reason == "Error");
  CHECK(restarted.status.phase == "Running");  // restarting, not pending again
  c.AdvanceTo(absl::Seconds(2));
  CHECK(c.GetPod("crashy").status.containerStatuses[0].state.running.has_value());

  REQUIRE(c.sim->Crash(pod.metadata.uid, "app", 2).ok());
  c.loop.RunUntilIdle();
  Pod backing_off = c.GetPod("crashy");
  cs = &backing_off.status.containerStatuses[0];
  REQUIRE(cs->state.waiting.has_value());
  CHECK(cs->state.waiting->reason == "CrashLoopBackOff");
  CHECK(cs->state.waiting->message.find("back-off 10s restarting failed container=app pod=crashy_default(") ==
        0);
  CHECK(cs->restartCount == 1);
  CHECK(cs->lastState.terminated->exitCode == 2);
  CHECK(SimCluster::ConditionStatus(backing_off, "Ready") == "False");
  CHECK(c.Events("crashy", "BackOff").size() == 1);

  c.AdvanceTo(absl::Milliseconds(11999));
  CHECK(c.GetPod("crashy").status.containerStatuses[0].restartCount == 1);
  c.AdvanceTo(absl::Seconds(12));
  CHECK(c.GetPod("crashy").status.containerStatuses[0].restartCount == 2);
  c.AdvanceTo(absl::Seconds(13));
  CHECK(c.GetPod("crashy").status.containerStatuses[0].state.running.has_value());

  REQUIRE(c.sim->Crash(pod.metadata.uid, "app", 1).ok());
  c.loop.RunUntilIdle();
  CHECK(c.GetPod("crashy").status.containerStatuses[0].state.waiting->message.find("back-off 20s") == 0);
  c.AdvanceTo(absl::Milliseconds(32999));
  CHECK(c.GetPod("crashy").status.containerStatuses[0].restartCount == 2);
  c.AdvanceTo(absl::Seconds(33));
  CHECK(c.GetPod("crashy").status.containerStatuses[0].restartCount == 3);
}

TEST_CASE("restartPolicy Never and OnFailure end the pod Succeeded or Failed") {
  SimCluster c;
  c.AddNode("node-1");
  Pod job = c.MakePod("job", "node-1", {{SimControl::kRunForAnnotation, "5s"}});
  job.spec.restartPolicy = "OnFailure";
  c.CreatePod(job);
  Pod failing = c.MakePod("failing", "node-1");
  failing.spec.restartPolicy = "Never";
  Pod created = c.CreatePod(failing);
  c.AdvanceTo(absl::Seconds(2));
  REQUIRE(c.sim->Crash(created.metadata.uid, "app", 3).ok());
  c.loop.RunUntilIdle();
  Pod failed = c.GetPod("failing");
  CHECK(failed.status.phase == "Failed");
  REQUIRE(failed.status.containerStatuses[0].state.terminated.has_value());
  CHECK(failed.status.containerStatuses[0].state.terminated->exitCode == 3);
  CHECK(SimCluster::ConditionStatus(failed, "Ready") == "False");
  c.AdvanceTo(absl::Seconds(6));
  Pod done = c.GetPod("job");
  CHECK(done.status.phase == "Succeeded");
  CHECK(done.status.containerStatuses[0].state.terminated->reason == "Completed");
  CHECK(c.sim->SandboxCount() == 0);  // finished pods release their sandboxes
}

Pod WithInitContainers(Pod pod, std::vector<std::string> names) {
  for (const std::string& name : names) {
    Container init;
    init.name = name;
    init.image = "busybox:1.36";
    pod.spec.initContainers.push_back(init);
  }
  return pod;
}

const ContainerStateWaiting* Waiting(const ContainerStatus& cs) {
  return cs.state.waiting.has_value() ? &*cs.state.waiting : nullptr;
}

TEST_CASE("init containers run one at a time, in order, to completion before the app containers") {
  SimCluster c;
  c.AddNode("node-1");
  c.CreatePod(WithInitContainers(c.MakePod("web", "node-1", {{SimControl::kInitRunForAnnotation, "3s"}}),
                                 {"init-a", "init-b"}));
  Pod starting = c.GetPod("web");
  CHECK(starting.status.phase == "Pending");
  REQUIRE(starting.status.initContainerStatuses.size() == 2);
  CHECK(Waiting(starting.status.initContainerStatuses[0])->reason == "ContainerCreating");
  CHECK(Waiting(starting.status.initContainerStatuses[1])->reason == "PodInitializing");
  CHECK(Waiting(starting.status.containerStatuses[0])->reason == "PodInitializing");
  CHECK(SimCluster::ConditionStatus(starting, "Initialized") == "False");
  for (const PodCondition& cond : starting.status.conditions) {
    if (cond.type != "Initialized") continue;
    CHECK(cond.reason == "ContainersNotInitialized");
    CHECK(cond.message == "containers with incomplete status: [init-a init-b]");
  }

  c.AdvanceTo(absl::Seconds(1));
  Pod first = c.GetPod("web");
  CHECK(first.status.initContainerStatuses[0].state.running.has_value());
  CHECK(Waiting(first.status.initContainerStatuses[1])->reason == "PodInitializing");
  CHECK(first.status.phase == "Pending");

  c.AdvanceTo(absl::Seconds(4));  // init-a ran its 3 s; init-b is being started
  Pod second = c.GetPod("web");
  const ContainerStatus& a = second.status.initContainerStatuses[0];
  REQUIRE(a.state.terminated.has_value());
  CHECK(a.state.terminated->exitCode == 0);
  CHECK(a.state.terminated->reason == "Completed");
  CHECK(a.ready);
  CHECK(Waiting(second.status.initContainerStatuses[1])->reason == "ContainerCreating");
  CHECK(Waiting(second.status.containerStatuses[0])->reason == "PodInitializing");

  c.AdvanceTo(absl::Seconds(8));  // init-b done at 5 + 3 s: the app container is started
  Pod initialized = c.GetPod("web");
  CHECK(SimCluster::ConditionStatus(initialized, "Initialized") == "True");
  CHECK(initialized.status.initContainerStatuses[1].state.terminated.has_value());
  CHECK(Waiting(initialized.status.containerStatuses[0])->reason == "ContainerCreating");
  CHECK(initialized.status.phase == "Pending");
  c.AdvanceTo(absl::Seconds(9));
  Pod running = c.GetPod("web");
  CHECK(running.status.phase == "Running");
  CHECK(SimCluster::ConditionStatus(running, "Ready") == "True");
  CHECK(running.status.initContainerStatuses[0].state.terminated.has_value());  // still reported

  std::vector<Event> started = c.Events("web", "Started");
  REQUIRE(started.size() == 3);
  CHECK(started[0].involvedObject.fieldPath == "spec.initContainers{init-a}");
  CHECK(started[1].involvedObject.fieldPath == "spec.initContainers{init-b}");
  CHECK(started[2].involvedObject.fieldPath == "spec.containers{app}");
}

TEST_CASE("a failed init container is run again with back-off, or fails the pod under restartPolicy Never") {
  SimCluster c;
  c.AddNode("node-1");
  const Labels slow_init = {{SimControl::kInitRunForAnnotation, "30s"}};
  Pod retried = c.CreatePod(WithInitContainers(c.MakePod("retried", "node-1", slow_init), {"migrate"}));
  Pod never = c.MakePod("never", "node-1", slow_init);
  never.spec.restartPolicy = "Never";
  Pod never_created = c.CreatePod(WithInitContainers(never, {"migrate"}));
  c.AdvanceTo(absl::Seconds(2));
  REQUIRE(c.sim->Crash(retried.metadata.uid, "migrate", 1).ok());
  REQUIRE(c.sim->Crash(never_created.metadata.uid, "migrate", 1).ok());
  c.loop.RunUntilIdle();

  // Always: run again at once, then in CrashLoopBackOff; the app container never starts.
  Pod again = c.GetPod("retried");
  CHECK(again.status.phase == "Pending");
  CHECK(again.status.initContainerStatuses[0].restartCount == 1);
  CHECK(again.status.initContainerStatuses[0].lastState.terminated->exitCode == 1);
  CHECK(Waiting(again.status.containerStatuses[0])->reason == "PodInitializing");
  c.AdvanceTo(absl::Seconds(4));
  REQUIRE(c.sim->Crash(retried.metadata.uid, "migrate", 1).ok());
  c.loop.RunUntilIdle();
  Pod backing_off = c.GetPod("retried");
  REQUIRE(Waiting(backing_off.status.initContainerStatuses[0]) != nullptr);
  CHECK(Waiting(backing_off.status.initContainerStatuses[0])->reason == "CrashLoopBackOff");
  REQUIRE(c.Events("retried", "BackOff").size() == 1);
  CHECK(c.Events("retried", "BackOff")[0].involvedObject.fieldPath == "spec.initContainers{migrate}");
  // Both init runs (one event, counted twice), and no app container.
  REQUIRE(c.Events("retried", "Started").size() == 1);
  CHECK(c.Events("retried", "Started")[0].count == 2);
  CHECK(c.Events("retried", "Started")[0].message == "Started container migrate");

  // Never: the pod fails, with the init container's exit code, and its sandbox is released.
  Pod failed = c.GetPod("never");
  CHECK(failed.status.phase == "Failed");
  REQUIRE(failed.status.initContainerStatuses[0].state.terminated.has_value());
  CHECK(failed.status.initContainerStatuses[0].state.terminated->exitCode == 1);
  CHECK(!failed.status.initContainerStatuses[0].ready);
  CHECK(SimCluster::ConditionStatus(failed, "Initialized") == "False");
  CHECK(Waiting(failed.status.containerStatuses[0])->reason == "PodInitializing");
  CHECK(c.Events("never", "Started").size() == 1);
}

TEST_CASE("deleting a pod stops its running init container") {
  SimCluster c;
  c.AddNode("node-1");
  c.CreatePod(WithInitContainers(c.MakePod("doomed", "node-1", {{SimControl::kInitRunForAnnotation, "1m"}}),
                                 {"wait-for-db"}));
  c.AdvanceTo(absl::Seconds(2));
  REQUIRE(Delete<Pod>(*c.client, "default", "doomed").ok());
  c.loop.RunUntilIdle();
  CHECK(absl::IsNotFound(Get<Pod>(*c.client, "default", "doomed").status()));
  REQUIRE(c.Events("doomed", "Killing").size() == 1);
  CHECK(c.Events("doomed", "Killing")[0].message == "Stopping container wait-for-db");
  CHECK(c.Events("doomed", "Killing")[0].involvedObject.fieldPath == "spec.initContainers{wait-for-db}");
  CHECK(c.sim->SandboxCount() == 0);
}

TEST_CASE("a failing readiness probe makes the pod NotReady after failureThreshold, and Ready again") {
  SimCluster c;
  c.AddNode("node-1");
  Pod pod = c.MakePod("probed", "node-1");
  pod.spec.containers[0].readinessProbe = EverySecond();
  Pod created = c.CreatePod(pod);
  c.AdvanceTo(absl::Seconds(1));
  CHECK(SimCluster::ConditionStatus(c.GetPod("probed"), "Ready") == "True");
  c.AdvanceTo(absl::Milliseconds(10500));
  REQUIRE(c.sim->FailProbe(created.metadata.uid, "app", ProbeType::kReadiness).ok());
  c.AdvanceTo(absl::Seconds(12));  // two failures: 11 s, 12 s
  CHECK(SimCluster::ConditionStatus(c.GetPod("probed"), "Ready") == "True");
  c.AdvanceTo(absl::Seconds(13));  // the third (default failureThreshold)
  Pod unready = c.GetPod("probed");
  CHECK(SimCluster::ConditionStatus(unready, "Ready") == "False");
  CHECK(unready.status.phase == "Running");
  REQUIRE(!c.Events("probed", "Unhealthy").empty());
  CHECK(c.Events("probed", "Unhealthy")[0].message.find("Readiness probe failed: ") == 0);
  REQUIRE(c.sim->Recover(created.metadata.uid, "app").ok());
  c.AdvanceTo(absl::Seconds(14));
  CHECK(SimCluster::ConditionStatus(c.GetPod("probed"), "Ready") == "True");
}

TEST_CASE("a failing liveness probe restarts the container") {
  SimCluster c;
  c.AddNode("node-1");
  Pod pod = c.MakePod("live", "node-1");
  pod.spec.containers[0].livenessProbe = EverySecond();
  Pod created = c.CreatePod(pod);
  c.AdvanceTo(absl::Seconds(5));
  REQUIRE(c.sim->Hang(created.metadata.uid, "app").ok());
  c.AdvanceTo(absl::Seconds(7));
  CHECK(c.GetPod("live").status.containerStatuses[0].restartCount == 0);
  c.AdvanceTo(absl::Seconds(8));  // third failure: killed, restarted at once
  REQUIRE(c.sim->Recover(created.metadata.uid, "app").ok());
  c.loop.RunUntilIdle();
  Pod restarted = c.GetPod("live");
  CHECK(restarted.status.containerStatuses[0].restartCount == 1);
  CHECK(restarted.status.containerStatuses[0].lastState.terminated->exitCode == 137);
  bool killing = false;
  for (const Event& e : c.Events("live", "Killing")) {
    killing = killing || e.message == "Container app failed liveness probe, will be restarted";
  }
  CHECK(killing);
  c.AdvanceTo(absl::Seconds(20));
  CHECK(c.GetPod("live").status.containerStatuses[0].restartCount == 1);
  CHECK(c.GetPod("live").status.containerStatuses[0].state.running.has_value());
}

TEST_CASE("a startup probe holds readiness and liveness back until it succeeds") {
  SimCluster c;
  c.AddNode("node-1");
  Pod pod = c.MakePod("slow", "node-1");
  Probe startup = EverySecond();
  startup.failureThreshold = 5;
  pod.spec.containers[0].startupProbe = startup;
  pod.spec.containers[0].readinessProbe = EverySecond();
  pod.spec.containers[0].livenessProbe = EverySecond();
  Pod created = c.CreatePod(pod);
  // Liveness would fail too, and kill the container after three failures, were it probed yet.
  REQUIRE(c.sim->FailProbe(created.metadata.uid, "app", ProbeType::kStartup).ok());
  REQUIRE(c.sim->FailProbe(created.metadata.uid, "app", ProbeType::kLiveness).ok());
  c.AdvanceTo(absl::Seconds(4));  // running since 1 s: startup failed at 1, 2, 3 and 4
  Pod starting = c.GetPod("slow");
  CHECK(starting.status.phase == "Running");
  CHECK(starting.status.containerStatuses[0].started == false);
  CHECK(!starting.status.containerStatuses[0].ready);
  CHECK(starting.status.containerStatuses[0].restartCount == 0);
  std::vector<Event> unhealthy = c.Events("slow", "Unhealthy");
  REQUIRE(unhealthy.size() == 1);
  CHECK(unhealthy[0].message == "Startup probe failed: HTTP probe failed with statuscode: 500");
  CHECK(unhealthy[0].count == 4);

  REQUIRE(c.sim->Recover(created.metadata.uid, "app").ok());
  c.AdvanceTo(absl::Seconds(5));  // the fifth attempt succeeds; readiness then passes at once
  Pod started = c.GetPod("slow");
  CHECK(started.status.containerStatuses[0].started == true);
  CHECK(started.status.containerStatuses[0].ready);
  CHECK(SimCluster::ConditionStatus(started, "Ready") == "True");
  c.AdvanceTo(absl::Seconds(20));
  CHECK(c.GetPod("slow").status.containerStatuses[0].restartCount == 0);

  // An agent that dies and comes back probes the running container again, startup probe first.
  REQUIRE(c.pool->KillNode("node-1").ok());
  c.AdvanceTo(absl::Seconds(21));
  REQUIRE(c.sim->FailProbe(created.metadata.uid, "app", ProbeType::kStartup).ok());
  REQUIRE(c.pool->ReviveNode("node-1").ok());
  c.AdvanceTo(absl::Seconds(23));
  CHECK(c.GetPod("slow").status.containerStatuses[0].started == false);
  CHECK(c.Events("slow", "Unhealthy")[0].count > 4);
  REQUIRE(c.sim->Recover(created.metadata.uid, "app").ok());
  c.AdvanceTo(absl::Seconds(25));
  CHECK(c.GetPod("slow").status.containerStatuses[0].started == true);
  CHECK(SimCluster::ConditionStatus(c.GetPod("slow"), "Ready") == "True");
}

TEST_CASE("a container whose startup probe keeps failing is killed and restarted") {
  SimCluster c;
  c.AddNode("node-1");
  Pod pod = c.MakePod("stuck", "node-1");
  pod.spec.containers[0].startupProbe = EverySecond();  // failureThreshold 3 by default
  Pod created = c.CreatePod(pod);
  REQUIRE(c.sim->FailProbe(created.metadata.uid, "app", ProbeType::kStartup).ok());
  c.AdvanceTo(absl::Seconds(2));
  CHECK(c.GetPod("stuck").status.containerStatuses[0].restartCount == 0);
  c.AdvanceTo(absl::Seconds(3));  // third failure: killed, restarted at once
  Pod restarted = c.GetPod("stuck");
  CHECK(restarted.status.containerStatuses[0].restartCount == 1);
  CHECK(restarted.status.containerStatuses[0].lastState.terminated->exitCode == 137);
  REQUIRE(c.Events("stuck", "Killing").size() == 1);
  CHECK(c.Events("stuck", "Killing")[0].message == "Container app failed startup probe, will be restarted");
}

TEST_CASE("a deleted pod's containers are stopped (Killing) and the agent removes it") {
  SimCluster c;
  c.AddNode("node-1");
  c.CreatePod(c.MakePod("doomed", "node-1"));
  c.AdvanceTo(absl::Seconds(2));
  REQUIRE(Delete<Pod>(*c.client, "default", "doomed").ok());
  CHECK(c.GetPod("doomed").metadata.deletionTimestamp.IsSet());  // graceful: marked first
  c.loop.RunUntilIdle();
  CHECK(absl::IsNotFound(Get<Pod>(*c.client, "default", "doomed").status()));
  REQUIRE(c.Events("doomed", "Killing").size() == 1);
  CHECK(c.Events("doomed", "Killing")[0].message == "Stopping container app");
  CHECK(c.sim->SandboxCount() == 0);
  CHECK(c.pool->PodCount() == 0);
}

TEST_CASE("pod IPs are unique within each node's pod CIDR") {
  SimCluster c;
  c.AddNode("node-1");
  c.AddNode("node-2");
  CHECK(c.GetNode("node-2").spec.podCIDR == "10.244.1.0/24");
  std::set<std::string> ips;
  for (int i = 0; i < 6; ++i) {
    const std::string node = i % 2 == 0 ? "node-1" : "node-2";
    c.CreatePod(c.MakePod("p" + std::to_string(i), node));
  }
  for (int i = 0; i < 6; ++i) {
    Pod pod = c.GetPod("p" + std::to_string(i));
    const std::string prefix = i % 2 == 0 ? "10.244.0." : "10.244.1.";
    CHECK(pod.status.podIP.rfind(prefix, 0) == 0);
    REQUIRE(pod.status.podIPs.size() == 1);
    ips.insert(pod.status.podIP);
  }
  CHECK(ips.size() == 6);
}

TEST_CASE("a pod with an invalid sim annotation gets an event and a waiting reason, nothing crashes") {
  SimCluster c;
  c.AddNode("node-1");
  c.CreatePod(c.MakePod("bad", "node-1", {{SimControl::kStartDelayAnnotation, "abc"}}));
  c.AdvanceTo(absl::Seconds(5));
  Pod pod = c.GetPod("bad");
  CHECK(pod.status.phase == "Pending");
  REQUIRE(pod.status.containerStatuses[0].state.waiting.has_value());
  CHECK(pod.status.containerStatuses[0].state.waiting->reason == "CreateContainerConfigError");
  CHECK(pod.status.containerStatuses[0].state.waiting->message.find("invalid duration \"abc\"") !=
        std::string::npos);
  std::vector<Event> events = c.Events("bad", "FailedCreatePodSandBox");
  REQUIRE(events.size() == 1);
  CHECK(events[0].type == "Warning");
  CHECK(events[0].message.find("sim.orch.dev/start-delay") != std::string::npos);
  // Fixing the annotation lets it start.
  pod.metadata.annotations[SimControl::kStartDelayAnnotation] = "1s";
  pod.metadata.resourceVersion.clear();
  REQUIRE(Update(*c.client, pod).ok());
  c.loop.RunUntilIdle();
  c.loop.Advance(absl::Seconds(1));
  CHECK(c.GetPod("bad").status.phase == "Running");

  // The init containers' run time likewise.
  c.CreatePod(WithInitContainers(
      c.MakePod("bad-init", "node-1", {{SimControl::kInitRunForAnnotation, "-1s"}}), {"init"}));
  c.loop.RunUntilIdle();
  Pod bad_init = c.GetPod("bad-init");
  CHECK(bad_init.status.phase == "Pending");
  CHECK(Waiting(bad_init.status.initContainerStatuses[0])->reason == "CreateContainerConfigError");
  REQUIRE(c.Events("bad-init", "FailedCreatePodSandBox").size() == 1);
  CHECK(c.Events("bad-init", "FailedCreatePodSandBox")[0].message.find("sim.orch.dev/init-run-for") !=
        std::string::npos);
}

TEST_CASE("runtime and network registries") {
  // An unknown driver is the same error for every kind of driver, naming it and those there are.
  CHECK(OpenRuntime("nope", {}).status() ==
        absl::InvalidArgumentError("no runtime driver \"nope\" is registered (there are: sim)"));
  CHECK(OpenNetwork("nope").status() ==
        absl::InvalidArgumentError("no network driver \"nope\" is registered (there are: sim)"));
  CHECK(absl::IsInvalidArgument(OpenRuntime("sim", {}).status()));
  CHECK(*NthSubnet("10.244.0.0/16", 24, 255) == "10.244.255.0/24");
  CHECK(absl::IsOutOfRange(NthSubnet("10.244.0.0/16", 24, 256).status()));
}

TEST_CASE("a pod that requests ephemeral-storage schedules onto a sim node that has room for it") {
  SimCluster c;
  REQUIRE(c.manager->Add(NewScheduler()).ok());
  c.AddNode("node-1");
  Pod scratch = c.MakePod("scratch", "");
  scratch.spec.containers[0].resources.requests = {{"ephemeral-storage", *Quantity::Parse("2Gi")}};
  scratch.spec.containers[0].resources.limits = {{"ephemeral-storage", *Quantity::Parse("4Gi")}};
  c.CreatePod(scratch);
  CHECK(c.GetPod("scratch").spec.nodeName == "node-1");

  // More than the node's 100 GiB does not fit, and the scheduler says why.
  Pod hoarder = c.MakePod("hoarder", "");
  hoarder.spec.containers[0].resources.requests = {{"ephemeral-storage", *Quantity::Parse("200Gi")}};
  c.CreatePod(hoarder);
  Pod pending = c.GetPod("hoarder");
  CHECK(pending.spec.nodeName.empty());
  const PodCondition* scheduled = pending.status.FindCondition("PodScheduled");
  REQUIRE(scheduled != nullptr);
  CHECK(absl::StrContains(scheduled->message, "Insufficient ephemeral-storage"));
}

TEST_CASE("a node registers with its own labels, taints, capacity and allocatable") {
  SimCluster c;
  NodeAgentOptions options;
  options.node_name = "db-1";
  options.labels = {{"topology.kubernetes.io/zone", "eu-west-1a"},
                    {"node-role.kubernetes.io/database", ""},
                    {"example.com/disk", "ssd"}};
  Taint dedicated;
  dedicated.key = "dedicated";
  dedicated.value = "db";
  dedicated.effect = "NoSchedule";
  Taint spare;
  spare.key = "example.com/spare";
  spare.effect = "PreferNoSchedule";
  options.taints = {dedicated, spare};
  options.cpu_millis = 2500;
  options.memory_bytes = int64_t{6656} << 20;
  options.max_pods = 32;
  options.ephemeral_storage_bytes = int64_t{20} << 30;
  REQUIRE(c.pool->AddNode(options).ok());
  c.loop.RunUntilIdle();

  const Labels expected_labels = {{"topology.kubernetes.io/zone", "eu-west-1a"},
                                  {"node-role.kubernetes.io/database", ""},
                                  {"example.com/disk", "ssd"},
                                  {"kubernetes.io/hostname", "db-1"},
                                  {"kubernetes.io/os", "linux"},
                                  {"kubernetes.io/arch", "amd64"}};
  auto check_node = [&](const Node& node) {
    CHECK(node.metadata.labels == expected_labels);
    CHECK(node.spec.taints == std::vector<Taint>{dedicated, spare});
    CHECK(!node.spec.unschedulable);
    const ResourceList& capacity = node.status.capacity;
    CHECK(capacity.size() == 4);
    REQUIRE(capacity.count("cpu") == 1);
    CHECK(capacity.at("cpu").MilliValue() == 2500);
    CHECK(capacity.at("cpu").ToString() == "2500m");
    REQUIRE(capacity.count("memory") == 1);
    CHECK(capacity.at("memory").Value() == int64_t{6656} << 20);
    CHECK(capacity.at("memory").ToString() == "6656Mi");
    REQUIRE(capacity.count("pods") == 1);
    CHECK(capacity.at("pods").Value() == 32);
    CHECK(capacity.at("pods").ToString() == "32");
    REQUIRE(capacity.count("ephemeral-storage") == 1);
    CHECK(capacity.at("ephemeral-storage").Value() == int64_t{20} << 30);
    CHECK(capacity.at("ephemeral-storage").ToString() == "20Gi");
    CHECK(node.status.allocatable == capacity);
    CHECK(node.status.allocatable.at("cpu").ToString() == "2500m");
  };
  check_node(c.GetNode("db-1"));
  // The node's status posts (every 5 minutes, and at every change) keep them.
  c.AdvanceTo(absl::Minutes(6));
  Node later = c.GetNode("db-1");
  CHECK(later.status.conditions.front().lastHeartbeatTime.value > c.start);
  check_node(later);

  // And a node without options of its own still gets the defaults beside it.
  c.AddNode("plain-1");
  Node plain = c.GetNode("plain-1");
  CHECK(plain.metadata.labels == Labels{{"kubernetes.io/hostname", "plain-1"},
                                        {"kubernetes.io/os", "linux"},
                                        {"kubernetes.io/arch", "amd64"}});
  CHECK(plain.spec.taints.empty());
  CHECK(plain.status.capacity.at("cpu").MilliValue() == 4000);
  CHECK(plain.status.capacity.at("pods").Value() == 110);
}
}  // namespace
}  // namespace orch
