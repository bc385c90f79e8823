// bench/scheduler_core: the scheduler core alone (no store, no binding): Schedule() then AssumePod
// for N pods over M nodes, with the default profile; pods/s and heap per node and per pod.
//
//   build/bench/scheduler_core [--nodes M] [--pods N]
#include <malloc.h>

#include <chrono>
#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "orch/api/core_v1.h"
#include "orch/scheduler.h"
#include "src/core/scheduler/cache.h"
#include "src/core/scheduler/scheduler.h"

namespace {

using Clock = std::chrono::steady_clock;

size_t HeapInUse() { return mallinfo2().uordblks; }

orch::Quantity Q(const char* text) { return *orch::Quantity::Parse(text); }

orch::Node MakeNode(int i) {
  orch::Node node;
  node.metadata.name = absl::StrCat("node-", i);
  node.metadata.labels = {{"kubernetes.io/hostname", node.metadata.name},
                          {"topology.kubernetes.io/zone", absl::StrCat("zone-", i % 3)},
                          {"kubernetes.io/os", "linux"}};
  node.status.allocatable = {{"cpu", Q("32")}, {"memory", Q("128Gi")}, {"pods", Q("110")}};
  return node;
}

// Every fifth pod spreads over zones (ScheduleAnyway), the rest only ask for resources.
orch::Pod MakePod(int i) {
  orch::Pod pod;
  pod.metadata.namespace_ = "default";
  pod.metadata.name = absl::StrCat("pod-", i);
  pod.metadata.uid = absl::StrCat("uid-", i);
  pod.metadata.labels = {{"app", absl::StrCat("app-", i % 50)}};
  orch::Container c;
  c.name = "app";
  static const char* kCpu[] = {"100m", "250m", "500m", "1"};
  static const char* kMemory[] = {"128Mi", "256Mi", "512Mi", "1Gi"};
  c.resources.requests = {{"cpu", Q(kCpu[i % 4])}, {"memory", Q(kMemory[(i / 4) % 4])}};
  pod.spec.containers.push_back(c);
  if (i % 5 == 0) {
    orch::TopologySpreadConstraint tsc;
    tsc.maxSkew = 1;
    tsc.topologyKey = "topology.kubernetes.io/zone";
    tsc.whenUnsatisfiable = "ScheduleAnyway";
    tsc.labelSelector = orch::LabelSelectorSpec{pod.metadata.labels, {}};
    pod.spec.topologySpreadConstraints.push_back(tsc);
  }
  return pod;
}

}  // namespace

int main(int argc, char** argv) {
  int nodes = 5000;
  int pods = 10000;
  for (int i = 1; i + 1 < argc; i += 2) {
    if (std::strcmp(argv[i], "--nodes") == 0 && !absl::SimpleAtoi(argv[i + 1], &nodes)) return 2;
    if (std::strcmp(argv[i], "--pods") == 0 && !absl::SimpleAtoi(argv[i + 1], &pods)) return 2;
  }
  orch::scheduler::SchedulerCache cache;
  size_t heap0 = HeapInUse();
  for (int i = 0; i < nodes; ++i) cache.UpsertNode(MakeNode(i));
  size_t heap_nodes = HeapInUse() - heap0;

  std::vector<orch::PodInfo> infos;
  infos.reserve(pods);
  for (int i = 0; i < pods; ++i) infos.push_back(orch::PodInfo::FromPod(MakePod(i)));

  orch::scheduler::Scheduler scheduler({}, &cache);
  size_t heap1 = HeapInUse();
  int scheduled = 0;
  auto start = Clock::now();
  for (orch::PodInfo& info : infos) {
    orch::scheduler::ScheduleResult result = scheduler.Schedule(info);
    if (result.node.empty()) continue;
    if (cache.AssumePod(info, result.node).ok()) ++scheduled;
  }
  double seconds = std::chrono::duration<double>(Clock::now() - start).count();
  size_t heap_pods = HeapInUse() - heap1;
  std::printf("nodes=%d pods=%d scheduled=%d time=%.3fs rate=%.0f pods/s\n", nodes, pods, scheduled, seconds,
              scheduled / seconds);
  std::printf("heap: %.0f B/node (cache), %.0f B/pod (cache entry, shared labels/constraints)\n",
              static_cast<double>(heap_nodes) / nodes,
              static_cast<double>(heap_pods) / std::max(1, scheduled));
  return scheduled == pods ? 0 : 1;
}
