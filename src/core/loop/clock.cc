#include "orch/clock.h"

#include "absl/time/clock.h"

namespace orch {
namespace {

class RealClockImpl final : public Clock {
 public:
  absl::Time Now() const override { return absl::Now(); }
};

}  // namespace

Clock* RealClock() {
  static RealClockImpl* clock = new RealClockImpl();
  return clock;
}

void ManualClock::Set(absl::Time to) {
  const int64_t target = absl::ToUnixNanos(to);
  int64_t now = now_.load(std::memory_order_acquire);
  while (now < target && !now_.compare_exchange_weak(now, target, std::memory_order_acq_rel)) {
  }
}

}  // namespace orch
