// Where the control plane's work runs. Controllers, the scheduler and node agents never sleep, start
// threads or keep timers of their own: they post callbacks to an EventLoop, now or for a time on its
// clock. Two loops run the same code:
//
//   ManualLoop: runs only when a test says so (RunUntilIdle, Advance), on the test's thread, on a
//   ManualClock -- deterministic, no sleeps, no polling.
//   ThreadedLoop: a libuv loop on a background thread, on the real clock.
//
//   orch::ManualClock clock;
//   orch::ManualLoop loop(clock);
//   loop.PostAfter(absl::Seconds(30), [] { ... });
//   loop.Advance(absl::Seconds(30));  // runs it, at 30 s
#ifndef ORCH_LOOP_H_
#define ORCH_LOOP_H_

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <thread>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "orch/clock.h"

namespace orch {

// Runs callbacks one at a time, in the order posted; timers once the loop's clock reaches them.
// Post, PostAt and Cancel are thread-safe; callbacks run on the loop's thread.
class EventLoop {
 public:
  using TimerId = uint64_t;
  using Callback = std::function<void()>;

  virtual ~EventLoop() = default;
  virtual Clock& clock() = 0;
  // Runs `callback` soon, after the callbacks posted before it.
  virtual void Post(Callback callback) = 0;
  // Runs `callback` once clock().Now() >= when (timers due at the same time run in posting order).
  virtual TimerId PostAt(absl::Time when, Callback callback) = 0;
  TimerId PostAfter(absl::Duration delay, Callback callback) {
    return PostAt(clock().Now() + delay, std::move(callback));
  }
  // Cancels a timer that has not run yet; a no-op otherwise.
  virtual void Cancel(TimerId id) = 0;
  // Whether the calling thread is the one running callbacks right now.
  virtual bool InLoopThread() const = 0;
};

class LoopQueue;  // the posted callbacks and timers (src/core/loop/loop_queue.h)

// A loop driven by the test: nothing runs until RunUntilIdle() or Advance() is called, and then on
// the calling thread. Post/PostAt/Cancel may be called from any thread.
class ManualLoop final : public EventLoop {
 public:
  // `clock` must outlive the loop.
  explicit ManualLoop(ManualClock& clock);
  ~ManualLoop() override;

  Clock& clock() override { return clock_; }
  ManualClock& manual_clock() { return clock_; }
  void Post(Callback callback) override;
  TimerId PostAt(absl::Time when, Callback callback) override;
  void Cancel(TimerId id) override;
  bool InLoopThread() const override { return running_thread_.load() == std::this_thread::get_id(); }

  // Runs posted callbacks and timers due now, and whatever they post, until nothing is left to run
  // at the current time. Returns how many callbacks ran. Reentrant calls (from a callback) return 0.
  size_t RunUntilIdle();
  // Moves the clock forward by `by`, stopping at each timer due on the way: the clock reads that
  // timer's time while it and what it causes run. Ends idle at Now() + by.
  size_t Advance(absl::Duration by);
  // When the earliest pending timer is due; nullopt when none is pending.
  std::optional<absl::Time> NextTimer() const;

 private:
  ManualClock& clock_;
  std::unique_ptr<LoopQueue> queue_;
  std::atomic<std::thread::id> running_thread_;
};

// A libuv loop on a background thread, on the clock given (the real clock, RealClock(), unless a
// test has its own). Start() starts the
// thread; Stop() (or the destructor) stops it after the callback running at that moment.
// REQUIRES: Stop() and the destructor are not called from the loop's own thread.
class ThreadedLoop : public EventLoop {
 public:
  // `clock` must outlive the loop. Timers wait for `when - Now()` of it.
  static std::unique_ptr<ThreadedLoop> Create(Clock& clock);
  virtual absl::Status Start() = 0;
  virtual void Stop() = 0;
  // Runs `callback` on the loop thread and waits for it (runs it at once when called from there).
  virtual void RunSync(Callback callback) = 0;
};

}  // namespace orch

#endif  // ORCH_LOOP_H_
