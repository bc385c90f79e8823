// bench/scheduler: pods scheduled per second and per-pod scheduling latency (creation to bound, as
// the scheduler's pod informer sees it) for kube-scheduler's benchmark shapes, on an in-process
// Cluster with an in-memory store and nodes that run nothing (as scheduler_perf's fake nodes).
// Baseline in the same run: binding the same pods round-robin with no decision (Client::BindPod
// alone), the floor any scheduler over this store pays.
//
//   build/bench/scheduler [--scenario basic|affinity|large|all] [--nodes N] [--pods N] [--parallelism N]
//
// --parallelism is the scheduler profile's (threads that filter and score one pod; default 0, one
// per core).
//
// Without --pods each scenario runs at the full size (affinity: 100,000 pods, large:
// 1,000,000), which takes hours at today's rates; docs/BENCHMARKS.md says what was run.
#include <malloc.h>
#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "orch/api/types.h"
#include "orch/cluster.h"
#include "orch/controllers.h"

namespace {

using SteadyClock = std::chrono::steady_clock;

double Seconds(SteadyClock::duration d) { return std::chrono::duration<double>(d).count(); }

double Percentile(std::vector<double> values, double p) {
  if (values.empty()) return 0;
  std::sort(values.begin(), values.end());
  return values[std::min(values.size() - 1, static_cast<size_t>(p * static_cast<double>(values.size())))];
}

long ReadStatusKiB(const char* field) {
  FILE* f = fopen("/proc/self/status", "r");
  if (f == nullptr) return 0;
  char line[256];
  long value = 0;
  while (fgets(line, sizeof line, f) != nullptr) {
    if (strncmp(line, field, strlen(field)) == 0) value = atol(line + strlen(field) + 1);
  }
  fclose(f);
  return value;
}
long RssMiB() { return ReadStatusKiB("VmRSS") / 1024; }
long PeakRssMiB() { return ReadStatusKiB("VmHWM") / 1024; }
// Resets the peak RSS (VmHWM) so that each scenario reports its own.
void ResetPeakRss() {
  FILE* f = fopen("/proc/self/clear_refs", "w");
  if (f == nullptr) return;
  fputs("5", f);
  fclose(f);
}

orch::Node MakeNode(int i, int zones) {
  orch::Node node;
  node.metadata.name = absl::StrCat("node-", i);
  node.metadata.labels = {{"kubernetes.io/hostname", node.metadata.name},
                          {"topology.kubernetes.io/zone", absl::StrCat("zone-", i % zones)}};
  node.status.capacity = {{"cpu", *orch::Quantity::Parse("32")},
                          {"memory", *orch::Quantity::Parse("128Gi")},
                          {"pods", *orch::Quantity::Parse("110")}};
  node.status.allocatable = node.status.capacity;
  orch::NodeCondition ready;
  ready.type = "Ready";
  ready.status = "True";
  node.status.conditions.push_back(ready);
  return node;
}

orch::Pod MakePod(int i, bool constraints) {
  orch::Pod pod;
  pod.metadata.name = absl::StrCat("pod-", i);
  pod.metadata.namespace_ = "default";
  const std::string app = absl::StrCat("app-", i % 1000);
  pod.metadata.labels = {{"app", app}};
  orch::Container container;
  container.name = "main";
  container.image = "registry.k8s.io/pause:3.10";
  container.resources.requests = {{"cpu", *orch::Quantity::Parse("100m")},
                                  {"memory", *orch::Quantity::Parse("100Mi")}};
  pod.spec.containers.push_back(container);
  if (constraints) {
    // Replicas of one app on different nodes, spread evenly over the zones.
    orch::PodAffinityTerm term;
    term.labelSelector = orch::LabelSelectorSpec{{{"app", app}}, {}};
    term.topologyKey = "kubernetes.io/hostname";
    orch::Affinity affinity;
    affinity.podAntiAffinity.emplace();
    affinity.podAntiAffinity->requiredDuringSchedulingIgnoredDuringExecution.push_back(term);
    pod.spec.affinity = affinity;
    orch::TopologySpreadConstraint spread;
    spread.maxSkew = 1;
    spread.topologyKey = "topology.kubernetes.io/zone";
    spread.whenUnsatisfiable = "DoNotSchedule";
    spread.labelSelector = orch::LabelSelectorSpec{{{"app", app}}, {}};
    pod.spec.topologySpreadConstraints.push_back(spread);
  }
  return pod;
}

// Records, for each pod, when it was created and when the scheduler's informer saw it bound.
class BindWatcher final : public orch::Controller {
 public:
  absl::string_view Name() const override { return "bench-bind-watcher"; }
  absl::Status Setup(orch::ControllerContext& context) override {
    context.InformerFor<orch::Pod>().AddHandler([this](const orch::InformerEvent& event) {
      if (event.type != orch::WatchEventType::kModified || event.old == nullptr) return;
      bool was_bound = false, bound = false;
      for (const auto& [field, value] : event.old->object.fields)
        was_bound |= field == "spec.nodeName" && !value.empty();
      for (const auto& [field, value] : event.object->object.fields)
        bound |= field == "spec.nodeName" && !value.empty();
      if (bound && !was_bound) {
        auto it = created.find(event.object->object.metadata.name);
        if (it != created.end()) latencies.push_back(Seconds(SteadyClock::now() - it->second) * 1e3);
        ++bound_count;
      }
    });
    return absl::OkStatus();
  }
  absl::Status Reconcile(const orch::ObjectKey&) override { return absl::OkStatus(); }

  absl::flat_hash_map<std::string, SteadyClock::time_point> created;
  std::vector<double> latencies;  // milliseconds
  int64_t bound_count = 0;
};

struct Scenario {
  std::string name;
  int nodes;
  int pods;
  bool constraints;
  int zones;
};

int g_parallelism = 0;  // --parallelism: SchedulerProfile::parallelism

std::unique_ptr<orch::Cluster> NewCluster(bool scheduler) {
  orch::ClusterOptions options;
  options.builtin_controllers = false;
  options.run_scheduler = scheduler;
  options.scheduler.parallelism = g_parallelism;
  absl::StatusOr<std::unique_ptr<orch::Cluster>> cluster = orch::Cluster::Create(std::move(options));
  if (!cluster.ok()) {
    fprintf(stderr, "%s\n", cluster.status().ToString().c_str());
    exit(1);
  }
  return std::move(*cluster);
}

void AddNodes(orch::Cluster& cluster, const Scenario& s) {
  for (int i = 0; i < s.nodes; ++i) {
    if (!Create(cluster.client(), MakeNode(i, s.zones)).ok()) exit(1);
  }
}

// Bare binding: the same pods bound round-robin without any scheduling decision.
double BaselineBindRate(const Scenario& s) {
  std::unique_ptr<orch::Cluster> cluster = NewCluster(false);
  AddNodes(*cluster, s);
  const int pods = std::min(s.pods, 20000);
  std::vector<std::pair<std::string, std::string>> created;
  for (int i = 0; i < pods; ++i) {
    absl::StatusOr<orch::Pod> pod = orch::Create(cluster->client(), MakePod(i, s.constraints));
    if (!pod.ok()) exit(1);
    created.emplace_back(pod->metadata.name, pod->metadata.uid);
  }
  const SteadyClock::time_point start = SteadyClock::now();
  for (int i = 0; i < pods; ++i) {
    if (!cluster->client()
             .BindPod("default", created[i].first, created[i].second, absl::StrCat("node-", i % s.nodes))
             .ok()) {
      exit(1);
    }
  }
  return pods / Seconds(SteadyClock::now() - start);
}

void Run(const Scenario& s) {
  ResetPeakRss();
  const long rss_before = RssMiB();
  std::unique_ptr<orch::Cluster> cluster = NewCluster(true);
  auto owned = std::make_unique<BindWatcher>();
  BindWatcher& watcher = *owned;
  if (!cluster->AddController(std::move(owned)).ok()) exit(1);
  AddNodes(*cluster, s);
  cluster->RunUntilIdle();
  const long rss_nodes = RssMiB();

  // Create pods in batches and let the scheduler run after each, as a steady stream of arrivals.
  constexpr int kBatch = 500;
  double scheduling_seconds = 0;
  const SteadyClock::time_point start = SteadyClock::now();
  for (int first = 0; first < s.pods; first += kBatch) {
    for (int i = first; i < std::min(s.pods, first + kBatch); ++i) {
      orch::Pod pod = MakePod(i, s.constraints);
      watcher.created[pod.metadata.name] = SteadyClock::now();
      if (!orch::Create(cluster->client(), pod).ok()) exit(1);
    }
    const SteadyClock::time_point run = SteadyClock::now();
    cluster->RunUntilIdle();
    scheduling_seconds += Seconds(SteadyClock::now() - run);
  }
  const double total = Seconds(SteadyClock::now() - start);
  // Memory before the baseline's own cluster exists.
  const long rss = RssMiB();
  const long peak = PeakRssMiB();
  const double pod_kib = 1024.0 * static_cast<double>(rss - rss_nodes) / std::max(1, s.pods);
  const double baseline = BaselineBindRate(s);
  const double rate = static_cast<double>(watcher.bound_count) / scheduling_seconds;
  printf("%-9s %7d %8d %8lld %10.0f %10.0f %8.2f %8.2f %10.0f %6.2fx %7ld %7.1f %7ld %7ld\n", s.name.c_str(),
         s.nodes, s.pods, static_cast<long long>(watcher.bound_count), rate, watcher.bound_count / total,
         Percentile(watcher.latencies, 0.5), Percentile(watcher.latencies, 0.99), baseline, rate / baseline,
         rss_nodes - rss_before, pod_kib, rss, peak);
  fflush(stdout);
}

}  // namespace

int main(int argc, char** argv) {
  std::string which = "all";
  int nodes = 0, pods = 0;
  for (int i = 1; i + 1 < argc; i += 2) {
    if (strcmp(argv[i], "--scenario") == 0) which = argv[i + 1];
    if (strcmp(argv[i], "--nodes") == 0 && !absl::SimpleAtoi(argv[i + 1], &nodes)) return 2;
    if (strcmp(argv[i], "--pods") == 0 && !absl::SimpleAtoi(argv[i + 1], &pods)) return 2;
    if (strcmp(argv[i], "--parallelism") == 0 && !absl::SimpleAtoi(argv[i + 1], &g_parallelism)) return 2;
  }

  // Construction of an in-memory cluster with every controller and the scheduler.
  std::vector<double> create_us;
  for (int i = 0; i < 200; ++i) {
    const SteadyClock::time_point start = SteadyClock::now();
    absl::StatusOr<std::unique_ptr<orch::Cluster>> cluster = orch::Cluster::Create({});
    create_us.push_back(Seconds(SteadyClock::now() - start) * 1e6);
    if (!cluster.ok()) return 1;
  }
  printf("Cluster::Create (memory, manual, all controllers + scheduler): median %.0f us, p99 %.0f us\n\n",
         Percentile(create_us, 0.5), Percentile(create_us, 0.99));

  std::vector<Scenario> scenarios = {{"basic", 5000, 10000, false, 10},
                                     {"affinity", 5000, 100000, true, 10},
                                     {"large", 100000, 1000000, false, 100}};
  printf("%-9s %7s %8s %8s %10s %10s %8s %8s %10s %7s %7s %7s %7s %7s\n", "scenario", "nodes", "pods",
         "bound", "sched/s", "e2e/s", "p50 ms", "p99 ms", "bind/s", "ratio", "nodeMiB", "KiB/pod", "rssMiB",
         "peakMiB");
  for (Scenario s : scenarios) {
    if (which != "all" && which != s.name) continue;
    if (nodes > 0) s.nodes = nodes;
    if (pods > 0) s.pods = pods;
    Run(s);
  }
  return 0;
}
