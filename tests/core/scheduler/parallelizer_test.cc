// The parallel loop, and the scheduler deciding exactly the same with helper threads as without.
#include "src/core/scheduler/parallelizer.h"

#include <doctest/doctest.h>

#include <atomic>
#include <mutex>
#include <set>
#include <thread>

#include "absl/strings/str_cat.h"
#include "core/scheduler/scheduler_test_util.h"

using namespace orch;
using namespace orch::scheduler;
using namespace orch::scheduler::testing;

TEST_CASE("Parallelizer: every block runs once, on no more threads than it has") {
  for (int threads : {1, 2, 3}) {
    CAPTURE(threads);
    Parallelizer parallelizer(threads);
    for (int round = 0; round < 200; ++round) {
      const size_t blocks = 1 + static_cast<size_t>(round % 37);
      std::vector<std::atomic<int>> runs(blocks);
      std::mutex mu;
      std::set<std::thread::id> ran_on;
      const size_t started = parallelizer.Run(blocks, [&](size_t b) {
        runs[b]++;
        std::lock_guard<std::mutex> lock(mu);
        ran_on.insert(std::this_thread::get_id());
        return true;
      });
      CHECK(started == blocks);
      for (size_t b = 0; b < blocks; ++b) CHECK(runs[b].load() == 1);
      CHECK(ran_on.size() <= static_cast<size_t>(threads));
    }
  }
}

TEST_CASE("Parallelizer: a block that says stop ends the loop; the started blocks are a prefix") {
  Parallelizer parallelizer(2);
  for (int round = 0; round < 500; ++round) {
    constexpr size_t kBlocks = 64;
    const size_t stop_at = static_cast<size_t>(round % 20);
    std::vector<std::atomic<int>> runs(kBlocks);
    const size_t started = parallelizer.Run(kBlocks, [&](size_t b) {
      runs[b]++;
      return b != stop_at;
    });
    CHECK(started > stop_at);
    CHECK(started <= kBlocks);
    for (size_t b = 0; b < kBlocks; ++b) CHECK(runs[b].load() == (b < started ? 1 : 0));
  }
}

TEST_CASE("the scheduler decides the same with any parallelism") {
  // Nodes of varied sizes, some tainted or cordoned, so that the filters reject some (and word why)
  // and the scores differ; pods of varied sizes, some too large for any node.
  auto build = [](SchedulerCache& cache) {
    for (int i = 0; i < 700; ++i) {
      Node node = MakeNode(absl::StrCat("node-", i), i % 7 == 0 ? "500m" : absl::StrCat(1 + i % 5),
                           i % 11 == 0 ? "512Mi" : absl::StrCat(2 + i % 3, "Gi"), i % 13 == 0 ? "2" : "110");
      if (i % 17 == 0) node = WithTaint(node, "dedicated", "gpu", "NoSchedule");
      if (i % 19 == 0) node.spec.unschedulable = true;
      cache.UpsertNode(node);
    }
  };
  struct Decision {
    std::string node;
    int64_t evaluated = 0;
    int64_t feasible = 0;
    std::string error;
    bool operator==(const Decision&) const = default;
  };
  auto run = [&](int parallelism, int32_t percentage) {
    SchedulerCache cache;
    build(cache);
    SchedulerProfile profile;
    profile.parallelism = parallelism;
    profile.percentage_of_nodes_to_score = percentage;
    Scheduler scheduler(profile, &cache);
    std::vector<Decision> decisions;
    for (int i = 0; i < 400; ++i) {
      static const char* kCpu[] = {"100m", "250m", "900m", "3", "64"};
      static const char* kMemory[] = {"64Mi", "256Mi", "1Gi", "3Gi"};
      Pod pod = MakePod(absl::StrCat("pod-", i), kCpu[i % 5], kMemory[(i / 5) % 4]);
      PodInfo info = Info(pod);
      ScheduleResult result = scheduler.Schedule(info);
      Decision d{result.node, result.evaluated_nodes, result.feasible_nodes,
                 result.fit_error ? result.fit_error->Message() : ""};
      decisions.push_back(d);
      if (!result.node.empty()) REQUIRE(cache.AssumePod(info, result.node).ok());
    }
    return decisions;
  };
  for (int32_t percentage : {0, 30, 100}) {
    CAPTURE(percentage);
    const std::vector<Decision> alone = run(1, percentage);
    int scheduled = 0, unschedulable = 0;
    for (const Decision& d : alone) (d.node.empty() ? unschedulable : scheduled)++;
    CHECK(scheduled > 100);  // the cluster fills up: both outcomes are compared
    CHECK(unschedulable > 50);
    for (int parallelism : {2, 3}) {
      CAPTURE(parallelism);
      const std::vector<Decision> shared = run(parallelism, percentage);
      REQUIRE(shared.size() == alone.size());
      for (size_t i = 0; i < alone.size(); ++i) {
        CAPTURE(i);
        CHECK(shared[i].node == alone[i].node);
        CHECK(shared[i].evaluated == alone[i].evaluated);
        CHECK(shared[i].feasible == alone[i].feasible);
        CHECK(shared[i].error == alone[i].error);
      }
    }
  }
}
