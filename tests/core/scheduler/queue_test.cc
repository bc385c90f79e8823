// The scheduling queue: priority order, per-pod backoff, moves out of the unschedulable pool.
#include "src/core/scheduler/queue.h"

#include <doctest/doctest.h>

#include "core/scheduler/scheduler_test_util.h"

using namespace orch;
using namespace orch::scheduler;
using namespace orch::scheduler::testing;

namespace {

const absl::Time kT0 = absl::FromUnixSeconds(1000);

PodInfo P(const std::string& name, int32_t priority = 0) { return Info(MakePod(name, "", "", priority)); }

std::string PopName(SchedulingQueue& q, absl::Time now) {
  std::optional<QueuedPod> pod = q.Pop(now);
  return pod ? pod->pod.name : "";
}

// Pops `name` and hands it back as unschedulable, rejected by `plugin`.
void FailOnce(SchedulingQueue& q, absl::Time now, const std::string& plugin = "NodeResourcesFit") {
  std::optional<QueuedPod> pod = q.Pop(now);
  REQUIRE(pod);
  pod->unschedulable_plugins = {plugin};
  q.AddUnschedulable(std::move(*pod), now);
}

}  // namespace

TEST_CASE("the active queue gives higher priority first, then first come") {
  SchedulingQueue q;
  q.Add(P("low-early", 1), kT0);
  q.Add(P("high", 10), kT0 + absl::Seconds(2));
  q.Add(P("low-late", 1), kT0 + absl::Seconds(1));
  q.Add(P("low-same-time", 1), kT0 + absl::Seconds(1));
  CHECK(PopName(q, kT0 + absl::Seconds(3)) == "high");
  CHECK(PopName(q, kT0 + absl::Seconds(3)) == "low-early");
  CHECK(PopName(q, kT0 + absl::Seconds(3)) == "low-late");
  CHECK(PopName(q, kT0 + absl::Seconds(3)) == "low-same-time");
  CHECK(PopName(q, kT0 + absl::Seconds(3)).empty());
}

TEST_CASE("an update re-orders a queued pod; a delete forgets it") {
  SchedulingQueue q;
  q.Add(P("a", 1), kT0);
  q.Add(P("b", 2), kT0);
  q.Update(P("a", 5), kT0);
  CHECK(q.ActiveSize() == 2);
  q.Delete("uid-b");
  CHECK_FALSE(q.Contains("uid-b"));
  CHECK(PopName(q, kT0) == "a");
  CHECK(q.ActiveSize() == 0);
}

TEST_CASE("backoff doubles per attempt from 1s up to 10s") {
  SchedulingQueue q;
  CHECK(q.BackoffDuration(1) == absl::Seconds(1));
  CHECK(q.BackoffDuration(2) == absl::Seconds(2));
  CHECK(q.BackoffDuration(4) == absl::Seconds(8));
  CHECK(q.BackoffDuration(5) == absl::Seconds(10));
  CHECK(q.BackoffDuration(100) == absl::Seconds(10));
}

TEST_CASE("a failed pod waits in the unschedulable pool until an event it cares about") {
  SchedulingQueue q;
  q.Add(P("p"), kT0);
  FailOnce(q, kT0);
  CHECK(q.UnschedulableSize() == 1);
  CHECK(PopName(q, kT0 + absl::Minutes(1)).empty());
  // A node-affinity event does not help a pod that lacked cpu... but a pod deletion does.
  q.MoveAllToActiveOrBackoff(ClusterEvent::kAssignedPodAdd, kT0);
  CHECK(q.UnschedulableSize() == 1);
  // Within its 1s backoff it goes to the backoff queue, then to active when the backoff ends.
  q.MoveAllToActiveOrBackoff(ClusterEvent::kAssignedPodDelete, kT0 + absl::Milliseconds(500));
  CHECK(q.BackoffSize() == 1);
  CHECK(q.NextBackoffExpiry() == kT0 + absl::Seconds(1));
  CHECK(PopName(q, kT0 + absl::Milliseconds(900)).empty());
  CHECK(PopName(q, kT0 + absl::Seconds(1)) == "p");
}

TEST_CASE("after the backoff, an event moves the pod straight to active; attempts grow the backoff") {
  SchedulingQueue q;
  q.Add(P("p"), kT0);
  FailOnce(q, kT0);
  q.MoveAllToActiveOrBackoff(ClusterEvent::kNodeAdd, kT0 + absl::Seconds(5));
  CHECK(q.ActiveSize() == 1);
  FailOnce(q, kT0 + absl::Seconds(5));  // second attempt: 2s backoff
  q.MoveAllToActiveOrBackoff(ClusterEvent::kNodeUpdate, kT0 + absl::Seconds(6));
  CHECK(q.NextBackoffExpiry() == kT0 + absl::Seconds(7));
  std::optional<QueuedPod> pod = q.Pop(kT0 + absl::Seconds(7));
  REQUIRE(pod);
  CHECK(pod->attempts == 3);
  CHECK(pod->first_attempt == kT0);
}

TEST_CASE("an event during the attempt sends the failed pod to backoff, not the pool") {
  SchedulingQueue q;
  q.Add(P("p"), kT0);
  std::optional<QueuedPod> pod = q.Pop(kT0);
  REQUIRE(pod);
  q.MoveAllToActiveOrBackoff(ClusterEvent::kNodeAdd, kT0);  // while in flight
  q.AddUnschedulable(std::move(*pod), kT0);
  CHECK(q.UnschedulableSize() == 0);
  CHECK(q.BackoffSize() == 1);
}

TEST_CASE("pods left unschedulable for more than 5 minutes are retried anyway") {
  SchedulingQueue q;
  q.Add(P("old"), kT0);
  FailOnce(q, kT0);
  q.Add(P("new"), kT0 + absl::Minutes(4));
  FailOnce(q, kT0 + absl::Minutes(4));
  q.FlushUnschedulableLeftover(kT0 + absl::Minutes(5));
  CHECK(q.UnschedulableSize() == 2);
  q.FlushUnschedulableLeftover(kT0 + absl::Minutes(5) + absl::Seconds(1));
  CHECK(q.UnschedulableSize() == 1);
  CHECK(PopName(q, kT0 + absl::Minutes(6)) == "old");
}

TEST_CASE("application plugins and force-activate move every pod; an update retries a pod") {
  SchedulingQueue q;
  q.Add(P("custom"), kT0);
  FailOnce(q, kT0, "MyPlugin");
  q.Add(P("taint"), kT0);
  FailOnce(q, kT0, "TaintToleration");
  q.MoveAllToActiveOrBackoff(ClusterEvent::kAssignedPodDelete, kT0 + absl::Minutes(1));
  CHECK(q.ActiveSize() == 1);
  CHECK(q.UnschedulableSize() == 1);
  q.Update(P("taint", 3), kT0 + absl::Minutes(1));
  CHECK(q.ActiveSize() == 2);
  CHECK(PopName(q, kT0 + absl::Minutes(1)) == "taint");
  q.MoveAllToActiveOrBackoff(ClusterEvent::kForceActivate, kT0 + absl::Minutes(1));
}

TEST_CASE("a pod deleted while in flight is not re-queued; a bound pod is forgotten") {
  SchedulingQueue q;
  q.Add(P("p"), kT0);
  std::optional<QueuedPod> pod = q.Pop(kT0);
  q.Delete("uid-p");
  q.AddUnschedulable(std::move(*pod), kT0);
  CHECK_FALSE(q.Contains("uid-p"));
  q.Add(P("b"), kT0);
  pod = q.Pop(kT0);
  q.Done("uid-b");
  q.AddBackoff(std::move(*pod), kT0);  // after Done: ignored
  CHECK(q.BackoffSize() == 0);
}
