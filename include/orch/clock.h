// Time as the control plane sees it. Everything that needs the time asks a Clock, so that tests can
// run on a manual clock. Delayed work is asked of an orch::EventLoop (orch/loop.h), which runs it
// when its clock reaches the time.
#ifndef ORCH_CLOCK_H_
#define ORCH_CLOCK_H_

#include <atomic>

#include "absl/time/time.h"

namespace orch {

// Thread-safe.
class Clock {
 public:
  virtual ~Clock() = default;
  virtual absl::Time Now() const = 0;
};

// The process-wide real clock (absl::Now()). Never null; lives for the whole process.
Clock* RealClock();

// A clock that moves only when told to. Thread-safe. Tests usually move it through
// ManualLoop::Advance, which also runs the timers that fall due on the way.
class ManualClock final : public Clock {
 public:
  // 2026-01-01T00:00:00Z unless told otherwise: whole seconds, so RFC 3339 texts stay readable.
  explicit ManualClock(absl::Time start = absl::FromUnixSeconds(1767225600)) : now_(absl::ToUnixNanos(start)) {}

  absl::Time Now() const override { return absl::FromUnixNanos(now_.load(std::memory_order_acquire)); }
  // REQUIRES: time never goes back; a smaller `to` is ignored.
  void Set(absl::Time to);
  void Advance(absl::Duration by) { Set(Now() + by); }

 private:
  std::atomic<int64_t> now_;
};

}  // namespace orch

#endif  // ORCH_CLOCK_H_
