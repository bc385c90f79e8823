// The loops' shared queue and the manual loop (the threaded one is in uv_loop.cc).
#include "orch/loop.h"
#include "src/core/loop/loop_queue.h"

namespace orch {

void LoopQueue::Post(EventLoop::Callback callback) {
  absl::MutexLock lock(&mu_);
  posted_.push_back(std::move(callback));
}

EventLoop::TimerId LoopQueue::PostAt(absl::Time when, EventLoop::Callback callback) {
  absl::MutexLock lock(&mu_);
  const EventLoop::TimerId id = next_id_++;
  timers_.emplace(std::make_pair(when, id), std::move(callback));
  timer_times_[id] = when;
  return id;
}

void LoopQueue::Cancel(EventLoop::TimerId id) {
  absl::MutexLock lock(&mu_);
  auto it = timer_times_.find(id);
  if (it == timer_times_.end()) return;
  timers_.erase(std::make_pair(it->second, id));
  timer_times_.erase(it);
}

std::vector<EventLoop::Callback> LoopQueue::TakeReady(absl::Time now) {
  absl::MutexLock lock(&mu_);
  std::vector<EventLoop::Callback> ready = std::move(posted_);
  posted_.clear();
  while (!timers_.empty() && timers_.begin()->first.first <= now) {
    auto first = timers_.begin();
    timer_times_.erase(first->first.second);
    ready.push_back(std::move(first->second));
    timers_.erase(first);
  }
  return ready;
}

std::optional<absl::Time> LoopQueue::NextTimer() const {
  absl::MutexLock lock(&mu_);
  if (timers_.empty()) return std::nullopt;
  return timers_.begin()->first.first;
}

bool LoopQueue::HasPosted() const {
  absl::MutexLock lock(&mu_);
  return !posted_.empty();
}

ManualLoop::ManualLoop(ManualClock& clock) : clock_(clock), queue_(std::make_unique<LoopQueue>()) {}

ManualLoop::~ManualLoop() = default;

void ManualLoop::Post(Callback callback) { queue_->Post(std::move(callback)); }

EventLoop::TimerId ManualLoop::PostAt(absl::Time when, Callback callback) {
  return queue_->PostAt(when, std::move(callback));
}

void ManualLoop::Cancel(TimerId id) { queue_->Cancel(id); }

std::optional<absl::Time> ManualLoop::NextTimer() const { return queue_->NextTimer(); }

size_t ManualLoop::RunUntilIdle() {
  if (InLoopThread()) return 0;
  running_thread_ = std::this_thread::get_id();
  size_t ran = 0;
  for (;;) {
    std::vector<Callback> ready = queue_->TakeReady(clock_.Now());
    if (ready.empty()) break;
    for (Callback& callback : ready) {
      callback();
      ++ran;
    }
  }
  running_thread_ = std::thread::id();
  return ran;
}

size_t ManualLoop::Advance(absl::Duration by) {
  const absl::Time target = clock_.Now() + by;
  size_t ran = RunUntilIdle();
  for (;;) {
    std::optional<absl::Time> next = queue_->NextTimer();
    if (!next || *next > target) break;
    clock_.Set(*next);
    ran += RunUntilIdle();
  }
  clock_.Set(target);
  return ran + RunUntilIdle();
}

}  // namespace orch
