// Time as the control plane sees it. Everything that needs the time asks a Clock, so that tests can
// run on a manual clock.
#ifndef ORCH_CLOCK_H_
#define ORCH_CLOCK_H_

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

}  // namespace orch

#endif  // ORCH_CLOCK_H_
