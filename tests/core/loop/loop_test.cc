// The event loops: manual (deterministic, test-driven) and threaded (libuv, real clock).
#include "orch/loop.h"

#include <doctest/doctest.h>

#include <atomic>
#include <string>
#include <vector>

#include "absl/synchronization/notification.h"

namespace orch {
namespace {

TEST_CASE("a manual loop runs nothing until told, then posted callbacks in order") {
  ManualClock clock;
  ManualLoop loop(clock);
  std::vector<std::string> ran;
  loop.Post([&] { ran.push_back("a"); });
  loop.Post([&] {
    ran.push_back("b");
    loop.Post([&] { ran.push_back("c"); });  // posted while running: runs in the same RunUntilIdle
  });
  CHECK(ran.empty());
  CHECK(loop.RunUntilIdle() == 3);
  CHECK(ran == std::vector<std::string>{"a", "b", "c"});
  CHECK(loop.RunUntilIdle() == 0);
}

TEST_CASE("timers fire at their time on the manual clock, in time then posting order") {
  ManualClock clock;
  ManualLoop loop(clock);
  const absl::Time start = clock.Now();
  std::vector<std::pair<std::string, absl::Duration>> ran;
  auto record = [&](std::string name) { return [&, name] { ran.emplace_back(name, clock.Now() - start); }; };
  loop.PostAfter(absl::Seconds(10), record("10s"));
  loop.PostAfter(absl::Seconds(5), record("5s-a"));
  loop.PostAfter(absl::Seconds(5), record("5s-b"));
  EventLoop::TimerId cancelled = loop.PostAfter(absl::Seconds(7), record("cancelled"));
  loop.Cancel(cancelled);
  loop.Cancel(cancelled);  // twice is harmless
  CHECK(loop.RunUntilIdle() == 0);
  CHECK(loop.NextTimer() == start + absl::Seconds(5));

  loop.Advance(absl::Seconds(6));
  REQUIRE(ran.size() == 2);
  CHECK(ran[0] == std::make_pair(std::string("5s-a"), absl::Seconds(5)));
  CHECK(ran[1] == std::make_pair(std::string("5s-b"), absl::Seconds(5)));
  CHECK(clock.Now() - start == absl::Seconds(6));

  // A timer set by a timer, due before the end of the advance, fires within it at its own time.
  loop.PostAfter(absl::Seconds(1), [&] { loop.PostAfter(absl::Seconds(1), record("chained")); });
  loop.Advance(absl::Seconds(10));
  REQUIRE(ran.size() == 4);
  CHECK(ran[2] == std::make_pair(std::string("chained"), absl::Seconds(8)));
  CHECK(ran[3] == std::make_pair(std::string("10s"), absl::Seconds(10)));
  CHECK(clock.Now() - start == absl::Seconds(16));
  CHECK(!loop.NextTimer().has_value());
}

TEST_CASE("the manual clock never goes back") {
  ManualClock clock(absl::FromUnixSeconds(100));
  clock.Set(absl::FromUnixSeconds(50));
  CHECK(clock.Now() == absl::FromUnixSeconds(100));
  clock.Advance(absl::Seconds(2));
  CHECK(clock.Now() == absl::FromUnixSeconds(102));
}

TEST_CASE("a threaded loop runs posts and timers on its own thread") {
  std::unique_ptr<ThreadedLoop> loop = ThreadedLoop::Create(*RealClock());
  REQUIRE(loop->Start().ok());
  CHECK(!loop->Start().ok());
  CHECK(!loop->InLoopThread());

  bool on_loop = false;
  loop->RunSync([&] { on_loop = loop->InLoopThread(); });
  CHECK(on_loop);

  absl::Notification fired;
  std::atomic<bool> cancelled_ran{false};
  const absl::Time start = absl::Now();
  EventLoop::TimerId cancelled = loop->PostAfter(absl::Milliseconds(5), [&] { cancelled_ran = true; });
  loop->Cancel(cancelled);
  loop->PostAfter(absl::Milliseconds(20), [&] { fired.Notify(); });
  CHECK(fired.WaitForNotificationWithTimeout(absl::Seconds(10)));
  CHECK(absl::Now() - start >= absl::Milliseconds(20));
  CHECK(!cancelled_ran);

  // Posts from many threads all run.
  std::atomic<int> count{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 1000; ++i) loop->Post([&] { ++count; });
    });
  }
  for (std::thread& thread : threads) thread.join();
  loop->RunSync([] {});
  CHECK(count == 4000);
  loop->Stop();
  loop->Stop();
}

}  // namespace
}  // namespace orch
