// Whole-cluster scenarios on the manual clock: nodes, scheduler, controllers and agents together,
// asserted step by step at the times they must happen.
#include <doctest/doctest.h>

#include <map>
#include <set>
#include <string>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "orch/api/types.h"
#include "orch/cluster.h"
#include "orch/ops.h"
#include "orch/testing/sim.h"

namespace orch {
namespace {

constexpr const char* kWebDeployment = R"(
apiVersion: apps/v1
kind: Deployment
metadata: {name: web, labels: {app: web}}
spec:
  replicas: 3
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers:
      - name: web
        image: "web:1"
        ports: [{name: http, containerPort: 8080}]
        resources: {requests: {cpu: 500m, memory: 128Mi}}
)";
constexpr const char* kWebService = R"(
---
apiVersion: v1
kind: Service
metadata: {name: web}
spec:
  selector: {app: web}
  ports: [{port: 80, targetPort: http}]
)";
// kWeb's Deployment, its container with `container_lines` (YAML at the container's indent) added,
// and its Service.
std::string WebManifest(absl::string_view container_lines = "") {
  return absl::StrCat(kWebDeployment, container_lines, kWebService);
}
const std::string kWeb = WebManifest();

struct Fixture {
  explicit Fixture(int nodes = 3) {
    ClusterOptions options;
    options.runtime_settings = {{"start-delay", "1s"}};
    absl::StatusOr<std::unique_ptr<Cluster>> created = Cluster::Create(std::move(options));
    REQUIRE(created.ok());
    cluster = std::move(*created);
    for (int i = 0; i < nodes; ++i) {
      REQUIRE(cluster->AddNode({.node_name = "node-" + std::to_string(i)}).ok());
    }
    cluster->RunUntilIdle();
  }
  Client& client() { return cluster->client(); }
  std::vector<Pod> Pods(const std::string& selector = "app=web") {
    absl::StatusOr<TypedList<Pod>> pods = orch::List<Pod>(client(), "default", selector);
    REQUIRE(pods.ok());
    return pods->items;
  }
  Deployment Web() { return *orch::Get<Deployment>(client(), "default", "web"); }
  size_t ReadyEndpoints() {
    absl::StatusOr<Endpoints> endpoints = orch::Get<Endpoints>(client(), "default", "web");
    size_t ready = 0;
    if (endpoints.ok()) {
      for (const EndpointSubset& subset : endpoints->subsets) ready += subset.addresses.size();
    }
    return ready;
  }
  // The names of the pods the Service's Endpoints list as ready (addresses) or not ready
  // (notReadyAddresses).
  std::set<std::string> EndpointPods(bool ready) {
    absl::StatusOr<Endpoints> endpoints = orch::Get<Endpoints>(client(), "default", "web");
    std::set<std::string> names;
    if (!endpoints.ok()) return names;
    for (const EndpointSubset& subset : endpoints->subsets) {
      for (const EndpointAddress& address : ready ? subset.addresses : subset.notReadyAddresses) {
        if (address.targetRef.has_value()) names.insert(address.targetRef->name);
      }
    }
    return names;
  }
  std::unique_ptr<Cluster> cluster;
};

TEST_CASE("a deployment converges: scheduled, started after the start delay, endpoints ready, rolled out") {
  Fixture f;
  REQUIRE(f.cluster->Apply(kWeb).ok());
  f.cluster->RunUntilIdle();
  std::vector<Pod> pods = f.Pods();
  REQUIRE(pods.size() == 3);
  std::set<std::string> nodes;
  for (const Pod& pod : pods) {
    CHECK(!pod.spec.nodeName.empty());
    CHECK(pod.status.phase == "Pending");  // bound, not started yet
    nodes.insert(pod.spec.nodeName);
  }
  CHECK(nodes.size() == 3);  // least-allocated scoring spreads them
  CHECK(f.ReadyEndpoints() == 0);

  f.cluster->Advance(absl::Seconds(1));
  for (const Pod& pod : f.Pods()) CHECK(pod.status.phase == "Running");
  CHECK(f.ReadyEndpoints() == 3);
  bool done = false;
  absl::StatusOr<std::string> status = RolloutStatus(f.Web(), &done);
  REQUIRE(status.ok());
  CHECK(done);
  CHECK(*status == "deployment \"web\" successfully rolled out");
}

TEST_CASE("a lost node: unknown after the grace period, tainted, its pods evicted after 300 s and replaced") {
  Fixture f;
  REQUIRE(f.cluster->Apply(kWeb).ok());
  f.cluster->Advance(absl::Seconds(2));
  const std::string lost = f.Pods()[0].spec.nodeName;
  REQUIRE(f.cluster->nodes().KillNode(lost).ok());

  // Its last renewal was at 0 s; the grace period is 50 s.
  f.cluster->Advance(absl::Seconds(47));  // 49 s
  Node node = *Get<Node>(f.client(), "", lost);
  CHECK(node.spec.taints.empty());
  f.cluster->Advance(absl::Seconds(2));  // 51 s
  node = *Get<Node>(f.client(), "", lost);
  bool unreachable = false;
  for (const Taint& taint : node.spec.taints) unreachable |= taint.key == "node.kubernetes.io/unreachable";
  CHECK(unreachable);
  CHECK(f.ReadyEndpoints() == 2);  // its pod is no longer ready

  f.cluster->Advance(absl::Seconds(298));  // 349 s
  CHECK(f.Pods().size() == 3);             // tolerated for 300 s from the taint at 50 s: still there
  f.cluster->Advance(absl::Seconds(3));    // 352 s: evicted, replaced, the replacement started
  std::vector<Pod> pods = f.Pods();
  int on_lost = 0, running_elsewhere = 0;
  for (const Pod& pod : pods) {
    if (pod.spec.nodeName == lost) {
      ++on_lost;
      CHECK(pod.metadata.deletionTimestamp.IsSet());  // evicted; the dead agent cannot confirm it
    } else if (pod.status.phase == "Running") {
      ++running_elsewhere;
    }
  }
  CHECK(on_lost == 1);
  CHECK(running_elsewhere == 3);  // the ReplicaSet replaced it on a live node
  CHECK(f.ReadyEndpoints() == 3);
}

TEST_CASE("rollback, pause and a progress deadline on a live cluster") {
  Fixture f;
  REQUIRE(f.cluster->Apply(kWeb).ok());
  f.cluster->Advance(absl::Seconds(2));

  Deployment web = f.Web();
  web.spec.template_.spec.containers[0].image = "web:2";
  REQUIRE(Update(f.client(), web).ok());
  f.cluster->Advance(absl::Seconds(10));
  CHECK(f.Web().metadata.annotations.at("deployment.kubernetes.io/revision") == "2");
  for (const Pod& pod : f.Pods()) {
    if (!pod.metadata.deletionTimestamp.IsSet()) CHECK(pod.spec.containers[0].image == "web:2");
  }

  SUBCASE("rollback to the previous revision") {
    REQUIRE(RollbackDeployment(f.client(), "default", "web", 0).ok());
    f.cluster->Advance(absl::Seconds(10));
    CHECK(f.Web().spec.template_.spec.containers[0].image == "web:1");
    CHECK(f.Web().metadata.annotations.at("deployment.kubernetes.io/revision") == "3");
    for (const Pod& pod : f.Pods()) {
      if (!pod.metadata.deletionTimestamp.IsSet()) CHECK(pod.spec.containers[0].image == "web:1");
    }
  }
  SUBCASE("a paused deployment does not roll out until resumed") {
    web = f.Web();
    web.spec.paused = true;
    web.spec.template_.spec.containers[0].image = "web:3";
    REQUIRE(Update(f.client(), web).ok());
    f.cluster->Advance(absl::Seconds(10));
    for (const Pod& pod : f.Pods()) CHECK(pod.spec.containers[0].image == "web:2");
    web = f.Web();
    web.spec.paused = false;
    REQUIRE(Update(f.client(), web).ok());
    f.cluster->Advance(absl::Seconds(10));
    for (const Pod& pod : f.Pods()) {
      if (!pod.metadata.deletionTimestamp.IsSet()) CHECK(pod.spec.containers[0].image == "web:3");
    }
  }
  SUBCASE("pods that never fit fail the progress deadline") {
    web = f.Web();
    web.spec.progressDeadlineSeconds = 60;
    web.spec.template_.spec.containers[0].image = "web:4";
    web.spec.template_.spec.containers[0].resources.requests["cpu"] = *Quantity::Parse("64");
    REQUIRE(Update(f.client(), web).ok());
    f.cluster->Advance(absl::Seconds(59));
    absl::StatusOr<std::string> status = RolloutStatus(f.Web());
    CHECK(status.ok());
    f.cluster->Advance(absl::Seconds(2));
    Deployment failed = f.Web();
    bool exceeded = false;
    for (const DeploymentCondition& condition : failed.status.conditions) {
      exceeded |= condition.type == "Progressing" && condition.reason == "ProgressDeadlineExceeded";
    }
    CHECK(exceeded);
    status = RolloutStatus(failed);
    CHECK(!status.ok());
    CHECK(absl::StrContains(status.status().message(), "exceeded its progress deadline"));
    CHECK(f.ReadyEndpoints() == 3);  // maxUnavailable 25% of 3 rounds to 0: the old pods stay
  }
}

TEST_CASE(
    "a crashing container restarts with a growing backoff; a failing readiness probe leaves the endpoints") {
  Fixture f(1);
  REQUIRE(f.cluster
              ->Apply(WebManifest(
                  "        readinessProbe: {httpGet: {path: /ready, port: http}, periodSeconds: 1}\n"))
              .ok());
  f.cluster->Advance(absl::Seconds(2));
  std::vector<Pod> pods = f.Pods();
  REQUIRE(pods.size() == 3);
  const std::string crashy = pods[0].metadata.name;
  const std::string probed = pods[1].metadata.name;
  const std::string steady = pods[2].metadata.name;
  CHECK(f.EndpointPods(true) == std::set<std::string>{crashy, probed, steady});
  CHECK(f.EndpointPods(false).empty());
  REQUIRE(AsSim(&f.cluster->runtime()) != nullptr);
  auto container_of = [&](const std::string& name) {
    Pod pod = *Get<Pod>(f.client(), "default", name);
    REQUIRE(pod.status.containerStatuses.size() == 1);
    return pod.status.containerStatuses[0];
  };

  // kubelet's CrashLoopBackOff, from each crash: the first restart at once, then 10 s, doubling up
  // to 5 minutes.
  struct Backoff {
    absl::Duration delay;
    const char* text;
  };
  const std::vector<Backoff> backoffs = {{absl::ZeroDuration(), ""},   {absl::Seconds(10), "10s"},
                                         {absl::Seconds(20), "20s"},   {absl::Seconds(40), "40s"},
                                         {absl::Seconds(80), "1m20s"}, {absl::Seconds(160), "2m40s"},
                                         {absl::Minutes(5), "5m0s"},   {absl::Minutes(5), "5m0s"}};
  for (size_t i = 0; i < backoffs.size(); ++i) {
    CAPTURE(i);
    // The container runs once its start delay (1 s) has passed.
    for (int step = 0; step < 20 && !container_of(crashy).state.running.has_value(); ++step) {
      f.cluster->Advance(absl::Milliseconds(100));
    }
    REQUIRE(container_of(crashy).state.running.has_value());
    REQUIRE(AsSim(&f.cluster->runtime())->Crash(pods[0].metadata.uid, "web", 1).ok());
    f.cluster->RunUntilIdle();
    ContainerStatus crashed = container_of(crashy);
    REQUIRE(crashed.lastState.terminated.has_value());
    CHECK(crashed.lastState.terminated->exitCode == 1);
    CHECK(crashed.lastState.terminated->reason == "Error");
    if (backoffs[i].delay == absl::ZeroDuration()) {
      CHECK(crashed.restartCount == static_cast<int32_t>(i + 1));
      continue;
    }
    CHECK(crashed.restartCount == static_cast<int32_t>(i));
    REQUIRE(crashed.state.waiting.has_value());
    CHECK(crashed.state.waiting->reason == "CrashLoopBackOff");
    CHECK_MESSAGE(
        absl::StartsWith(crashed.state.waiting->message,
                         absl::StrCat("back-off ", backoffs[i].text, " restarting failed container=web")),
        crashed.state.waiting->message);
    // Not ready while it backs off: out of the Service's ready addresses.
    CHECK(f.EndpointPods(false) == std::set<std::string>{crashy});
    CHECK(f.EndpointPods(true) == std::set<std::string>{probed, steady});
    f.cluster->Advance(backoffs[i].delay - absl::Milliseconds(1));
    CHECK(container_of(crashy).restartCount == static_cast<int32_t>(i));
    f.cluster->Advance(absl::Milliseconds(1));
    CHECK(container_of(crashy).restartCount == static_cast<int32_t>(i + 1));
  }
  // Running and passing its probe again, it is back.
  f.cluster->Advance(absl::Seconds(3));
  CHECK(container_of(crashy).state.running.has_value());
  CHECK(f.EndpointPods(true) == std::set<std::string>{crashy, probed, steady});
  CHECK(f.EndpointPods(false).empty());

  // A readiness probe that fails (three times, the default failureThreshold) moves the pod to the
  // not-ready addresses without restarting it; once it passes again the pod is back.
  REQUIRE(AsSim(&f.cluster->runtime())->FailProbe(pods[1].metadata.uid, "web", ProbeType::kReadiness).ok());
  f.cluster->Advance(absl::Seconds(1));
  CHECK(f.EndpointPods(true) == std::set<std::string>{crashy, probed, steady});
  f.cluster->Advance(absl::Seconds(4));
  CHECK(f.EndpointPods(true) == std::set<std::string>{crashy, steady});
  CHECK(f.EndpointPods(false) == std::set<std::string>{probed});
  CHECK(f.ReadyEndpoints() == 2);
  Pod unready = *Get<Pod>(f.client(), "default", probed);
  CHECK(unready.status.phase == "Running");
  CHECK(unready.status.containerStatuses[0].restartCount == 0);
  CHECK(!unready.status.containerStatuses[0].ready);
  REQUIRE(AsSim(&f.cluster->runtime())->Recover(pods[1].metadata.uid, "web").ok());
  f.cluster->Advance(absl::Seconds(2));
  CHECK(f.EndpointPods(true) == std::set<std::string>{crashy, probed, steady});
  CHECK(f.EndpointPods(false).empty());
  CHECK(container_of(probed).ready);
}

TEST_CASE("taints: a NoExecute taint evicts pods that do not tolerate it; cordon keeps new pods away") {
  Fixture f(2);
  REQUIRE(f.cluster->Apply(kWeb).ok());
  f.cluster->Advance(absl::Seconds(2));
  REQUIRE(CordonNode(f.client(), "node-0").ok());
  Node node = *Get<Node>(f.client(), "", "node-1");
  Taint taint;
  taint.key = "maintenance";
  taint.effect = "NoExecute";
  node.spec.taints.push_back(taint);
  REQUIRE(Update(f.client(), node).ok());
  f.cluster->Advance(absl::Seconds(5));
  // node-1's pods are evicted at once; the replacements cannot go to the cordoned node-0 or the
  // tainted node-1, so they wait, saying why.
  int pending = 0;
  for (const Pod& pod : f.Pods()) {
    if (pod.metadata.deletionTimestamp.IsSet()) continue;
    if (pod.spec.nodeName.empty())
      ++pending;
    else
      CHECK(pod.spec.nodeName == "node-0");
  }
  CHECK(pending > 0);
  bool explained = false;
  absl::StatusOr<TypedList<Event>> events = List<Event>(f.client(), "default");
  REQUIRE(events.ok());
  for (const Event& event : events->items) {
    if (event.reason == "FailedScheduling") {
      explained |= absl::StrContains(event.message, "0/2 nodes are available:") &&
                   absl::StrContains(event.message, "node(s) were unschedulable") &&
                   absl::StrContains(event.message, "untolerated taint {maintenance: }");
    }
  }
  CHECK(explained);
  REQUIRE(CordonNode(f.client(), "node-0", false).ok());
  f.cluster->Advance(absl::Seconds(15));
  int running = 0;
  for (const Pod& pod : f.Pods())
    running += pod.status.phase == "Running" && !pod.metadata.deletionTimestamp.IsSet();
  CHECK(running == 3);
}

TEST_CASE("preemption on a full cluster: the high-priority pod takes the low-priority pod's place") {
  Fixture f(1);
  const char* low = R"(
apiVersion: v1
kind: Pod
metadata: {name: low}
spec:
  priority: 10
  terminationGracePeriodSeconds: 5
  containers: [{name: main, image: batch, resources: {requests: {cpu: "3"}}}]
)";
  REQUIRE(f.cluster->Apply(low).ok());
  f.cluster->Advance(absl::Seconds(2));
  const char* high = R"(
apiVersion: v1
kind: Pod
metadata: {name: high}
spec:
  priority: 1000
  containers: [{name: main, image: api, resources: {requests: {cpu: "3"}}}]
)";
  REQUIRE(f.cluster->Apply(high).ok());
  f.cluster->RunUntilIdle();
  Pod waiting = *Get<Pod>(f.client(), "default", "high");
  CHECK(waiting.status.nominatedNodeName == "node-0");
  const PodCondition* scheduled = waiting.status.FindCondition("PodScheduled");
  REQUIRE(scheduled != nullptr);
  CHECK(scheduled->status == "False");
  CHECK(scheduled->reason == "Unschedulable");

  // A pod of lower priority that would fit once the victim is gone may not take the room kept for
  // the preemptor (4 cpus: high 3 + mid 2 do not fit; mid alone would).
  const char* mid = R"(
apiVersion: v1
kind: Pod
metadata: {name: mid}
spec:
  priority: 100
  containers: [{name: main, image: web, resources: {requests: {cpu: "2"}}}]
)";
  REQUIRE(f.cluster->Apply(mid).ok());
  f.cluster->RunUntilIdle();
  CHECK(Get<Pod>(f.client(), "default", "mid")->spec.nodeName.empty());

  f.cluster->Advance(absl::Seconds(15));  // the victim's agent stops it, then the preemptor is bound
  CHECK(absl::IsNotFound(Get<Pod>(f.client(), "default", "low").status()));
  Pod pod = *Get<Pod>(f.client(), "default", "high");
  CHECK(pod.spec.nodeName == "node-0");
  CHECK(pod.status.phase == "Running");
  CHECK(Get<Pod>(f.client(), "default", "mid")->spec.nodeName.empty());
}

}  // namespace
}  // namespace orch
