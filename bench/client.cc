// bench/client: the cost of creates through Client over an in-memory store -- typed pods
// (Client::Create<Pod>, bench/scheduler's pod shape), pods from JSON (Client::CreateObject, as a
// manifest arrives) and Events (the scheduler's "Scheduled" event, through an EventRecorder).
//
//   build/bench/client [--pods N] [--events N]
//
// Prints microseconds per create. For instruction counts, which repeat exactly on noisy machines:
//   valgrind --tool=callgrind build/bench/client --pods 2000 --events 2000
//   callgrind_annotate --inclusive=yes callgrind.out.<pid> | grep -E 'Create(Typed|Json)Pods|CreateEvents'
// and divide each function's inclusive count by N.
#include "orch/client.h"

#include <chrono>
#include <cstdio>
#include <cstring>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "orch/api/codec.h"
#include "orch/api/types.h"
#include "orch/clock.h"
#include "orch/controller.h"
#include "orch/loop.h"
#include "orch/store.h"

namespace {

using SteadyClock = std::chrono::steady_clock;

orch::Pod MakePod(int i) {
  orch::Pod pod;
  pod.metadata.name = absl::StrCat("pod-", i);
  pod.metadata.namespace_ = "default";
  pod.metadata.labels = {{"app", absl::StrCat("app-", i % 1000)}};
  orch::Container container;
  container.name = "main";
  container.image = "registry.k8s.io/pause:3.10";
  container.resources.requests = {{"cpu", *orch::Quantity::Parse("100m")},
                                  {"memory", *orch::Quantity::Parse("100Mi")}};
  pod.spec.containers.push_back(container);
  return pod;
}

// Each function below is one measured phase; noinline keeps it a callgrind entry of its own.
[[gnu::noinline]] void CreateTypedPods(orch::Client& client, int n) {
  for (int i = 0; i < n; ++i) {
    if (!orch::Create(client, MakePod(i)).ok()) exit(1);
  }
}

[[gnu::noinline]] void CreateJsonPods(orch::Client& client, const std::vector<orch::Object>& pods) {
  for (const orch::Object& pod : pods) {
    if (!client.Create(pod).ok()) exit(1);
  }
}

[[gnu::noinline]] void CreateEvents(orch::EventRecorder& recorder, int n) {
  for (int i = 0; i < n; ++i) {
    orch::ObjectReference pod;
    pod.apiVersion = "v1";
    pod.kind = "Pod";
    pod.namespace_ = "default";
    pod.name = absl::StrCat("pod-", i);
    pod.uid = absl::StrCat("uid-", i);
    recorder.Record(pod, "Normal", "Scheduled",
                    absl::StrCat("Successfully assigned default/pod-", i, " to node-", i));
  }
}

double MicrosPer(SteadyClock::time_point start, int n) {
  return n == 0 ? 0 : std::chrono::duration<double, std::micro>(SteadyClock::now() - start).count() / n;
}

}  // namespace

int main(int argc, char** argv) {
  int pods = 2000, events = 2000;
  for (int i = 1; i + 1 < argc; i += 2) {
    if (strcmp(argv[i], "--pods") == 0 && !absl::SimpleAtoi(argv[i + 1], &pods)) return 2;
    if (strcmp(argv[i], "--events") == 0 && !absl::SimpleAtoi(argv[i + 1], &events)) return 2;
  }
  orch::ManualClock clock;
  absl::StatusOr<std::unique_ptr<orch::Store>> store = orch::OpenStore("memory");
  if (!store.ok()) return 1;
  std::unique_ptr<orch::Client> local = orch::NewLocalClient(**store, clock);
  orch::Client& client = *local;
  if (!orch::EnsureSystemNamespaces(client).ok()) return 1;
  orch::ManualLoop loop(clock);
  std::unique_ptr<orch::ControllerManager> manager = orch::ControllerManager::Create(client, loop);
  std::unique_ptr<orch::EventRecorder> recorder = manager->NewRecorder("default-scheduler");

  std::vector<orch::Object> json_pods;
  for (int i = 0; i < pods; ++i) {
    orch::Pod pod = MakePod(i);
    pod.metadata.name = absl::StrCat("json-pod-", i);
    absl::StatusOr<orch::Object> decoded = orch::DecodeObject(orch::EncodeJson(pod));
    if (!decoded.ok()) return 1;
    json_pods.push_back(std::move(*decoded));
  }

  SteadyClock::time_point start = SteadyClock::now();
  CreateTypedPods(client, pods);
  printf("typed pod create  %8.1f us\n", MicrosPer(start, pods));
  start = SteadyClock::now();
  CreateJsonPods(client, json_pods);
  printf("json pod create   %8.1f us\n", MicrosPer(start, pods));
  start = SteadyClock::now();
  CreateEvents(*recorder, events);
  printf("event create      %8.1f us\n", MicrosPer(start, events));
  return 0;
}
