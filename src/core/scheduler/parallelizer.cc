#include "src/core/scheduler/parallelizer.h"

#include <linux/futex.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <climits>
#include <system_error>

namespace orch::scheduler {
namespace {

// How long an idle helper keeps looking for the next job before it sleeps. Jobs come one per
// scheduling attempt, a few tens of microseconds apart while pods queue: a helper that slept between
// them would cost a wake-up (a system call, and often longer than the job) every time.
constexpr std::chrono::microseconds kSpinBeforeSleep(50);

// generation_ as a futex word: waits while it still holds `expected`, or wakes every waiter.
void FutexWait(std::atomic<uint32_t>* word, uint32_t expected) {
  syscall(SYS_futex, reinterpret_cast<uint32_t*>(word), FUTEX_WAIT_PRIVATE, expected, nullptr, nullptr, 0);
}
void FutexWakeAll(std::atomic<uint32_t>* word) {
  syscall(SYS_futex, reinterpret_cast<uint32_t*>(word), FUTEX_WAKE_PRIVATE, INT32_MAX, nullptr, nullptr, 0);
}

inline void CpuRelax() {
#if defined(__x86_64__) || defined(__i386__)
  __builtin_ia32_pause();
#endif
}

}  // namespace

Parallelizer::Parallelizer(int threads) : threads_(threads < 1 ? 1 : threads) {}

Parallelizer::~Parallelizer() {
  if (helpers_.empty()) return;
  quit_.store(true, std::memory_order_seq_cst);
  generation_.fetch_add(1, std::memory_order_seq_cst);
  FutexWakeAll(&generation_);
  for (std::thread& helper : helpers_) helper.join();
}

size_t Parallelizer::Run(size_t blocks, absl::FunctionRef<bool(size_t)> fn) {
  if (threads_ > 1 && helpers_.empty() && blocks >= 2 && !tried_helpers_) {
    tried_helpers_ = true;
    // A helper counts generations from before this job's, however late its thread starts.
    const uint32_t before = generation_.load(std::memory_order_seq_cst);
    for (int i = 1; i < threads_; ++i) {
      try {
        helpers_.emplace_back([this, before] { Helper(before); });
      } catch (const std::system_error&) {
        break;  // no more threads to be had (a process limit): go on with those there are
      }
    }
  }
  if (helpers_.empty() || blocks < 2) {
    size_t started = 0;
    while (started < blocks) {
      if (!fn(started++)) break;
    }
    return started;
  }
  job_ = &fn;
  blocks_ = blocks;
  next_.store(0, std::memory_order_relaxed);
  stopped_.store(false, std::memory_order_relaxed);
  open_.store(true, std::memory_order_seq_cst);
  generation_.fetch_add(1, std::memory_order_seq_cst);
  if (sleepers_.load(std::memory_order_seq_cst) > 0) FutexWakeAll(&generation_);
  Work();
  // No helper starts on this job after it is closed; wait for those inside it. (A helper counts
  // itself in before it checks open_, so either this sees it or it sees the job closed.)
  open_.store(false, std::memory_order_seq_cst);
  while (active_.load(std::memory_order_seq_cst) != 0) CpuRelax();
  job_ = nullptr;
  return std::min(next_.load(std::memory_order_relaxed), blocks);
}

void Parallelizer::Work() {
  while (!stopped_.load(std::memory_order_relaxed)) {
    const size_t block = next_.fetch_add(1, std::memory_order_relaxed);
    if (block >= blocks_) return;
    if (!(*job_)(block)) stopped_.store(true, std::memory_order_relaxed);
  }
}

void Parallelizer::Helper(uint32_t seen) {
  for (;;) {
    // Wait for the next generation: spin a little, then sleep.
    uint32_t now = generation_.load(std::memory_order_seq_cst);
    const auto spin_until = std::chrono::steady_clock::now() + kSpinBeforeSleep;
    for (int i = 0; now == seen; ++i) {
      CpuRelax();
      if ((i & 63) == 63 && std::chrono::steady_clock::now() > spin_until) {
        sleepers_.fetch_add(1, std::memory_order_seq_cst);
        FutexWait(&generation_, seen);
        sleepers_.fetch_sub(1, std::memory_order_seq_cst);
      }
      now = generation_.load(std::memory_order_seq_cst);
    }
    seen = now;
    if (quit_.load(std::memory_order_seq_cst)) return;
    active_.fetch_add(1, std::memory_order_seq_cst);
    if (open_.load(std::memory_order_seq_cst)) Work();
    active_.fetch_sub(1, std::memory_order_seq_cst);
  }
}

}  // namespace orch::scheduler
