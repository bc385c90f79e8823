// A parallel loop over numbered blocks, run by the calling thread together with helper threads of
// its own (kube-scheduler's parallelizer, with threads instead of goroutines). The scheduler uses it
// to filter and score the nodes of one attempt on every core. Internal to src/core.
#ifndef ORCH_SRC_CORE_SCHEDULER_PARALLELIZER_H_
#define ORCH_SRC_CORE_SCHEDULER_PARALLELIZER_H_

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <thread>
#include <vector>

#include "absl/functional/function_ref.h"

namespace orch::scheduler {

class Parallelizer {
 public:
  // `threads` in all, counting the caller: threads - 1 helpers, started on the first Run that has
  // more than one block. 0 or 1: everything runs on the caller.
  explicit Parallelizer(int threads);
  ~Parallelizer();
  Parallelizer(const Parallelizer&) = delete;
  Parallelizer& operator=(const Parallelizer&) = delete;

  int threads() const { return threads_; }

  // Calls fn(block) for blocks 0, 1, ... up to `blocks`, each at most once, on the caller and the
  // helpers at once; blocks start in increasing order. Once a call returns false no further block
  // starts, but for those another thread was already taking. Returns once every started block is
  // done, with how many started: always blocks [0, result), so that a caller can read their results
  // in order. fn must be safe to call from several threads at once. Belongs to one thread (one Run
  // at a time).
  size_t Run(size_t blocks, absl::FunctionRef<bool(size_t)> fn);

 private:
  // A helper thread's loop: joins each job after generation `seen`, until quit_.
  void Helper(uint32_t seen);
  // Takes and runs blocks of the current job until there are none left or one said stop.
  void Work();

  const int threads_;
  std::vector<std::thread> helpers_;  // fewer than threads_ - 1 if the system refused some
  bool tried_helpers_ = false;
  // Bumped for each job (and once to quit); helpers wait on it.
  std::atomic<uint32_t> generation_{0};
  // Helpers that may be asleep on generation_ (so that a new job must wake them).
  std::atomic<int> sleepers_{0};
  std::atomic<bool> quit_{false};
  // The current job: what Work() reads. Valid while open_ is set.
  absl::FunctionRef<bool(size_t)>* job_ = nullptr;
  size_t blocks_ = 0;
  std::atomic<bool> open_{false};
  std::atomic<size_t> next_{0};
  std::atomic<bool> stopped_{false};
  // Helpers inside Work() of the current job.
  std::atomic<int> active_{0};
};

}  // namespace orch::scheduler

#endif  // ORCH_SRC_CORE_SCHEDULER_PARALLELIZER_H_
