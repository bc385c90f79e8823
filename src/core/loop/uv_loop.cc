// ThreadedLoop: a libuv loop on a background thread. Posts wake it through a uv_async_t; one uv
// timer is armed for the earliest pending timer of the shared LoopQueue.
#include <uv.h>

#include <thread>

#include "absl/synchronization/notification.h"
#include "orch/loop.h"
#include "src/core/loop/loop_queue.h"

namespace orch {
namespace {

class UvLoop final : public ThreadedLoop {
 public:
  explicit UvLoop(Clock& clock) : clock_(clock) {}
  ~UvLoop() override { Stop(); }

  Clock& clock() override { return clock_; }
  void Post(Callback callback) override {
    queue_.Post(std::move(callback));
    Wake();
  }
  TimerId PostAt(absl::Time when, Callback callback) override {
    TimerId id = queue_.PostAt(when, std::move(callback));
    Wake();
    return id;
  }
  void Cancel(TimerId id) override { queue_.Cancel(id); }
  bool InLoopThread() const override { return loop_thread_id_.load() == std::this_thread::get_id(); }

  absl::Status Start() override {
    absl::MutexLock lock(&mu_);
    if (started_) return absl::FailedPreconditionError("the loop is already started");
    if (int rc = uv_loop_init(&loop_); rc != 0) {
      return absl::InternalError(std::string("uv_loop_init: ") + uv_strerror(rc));
    }
    uv_async_init(&loop_, &wake_, [](uv_async_t* handle) { static_cast<UvLoop*>(handle->data)->RunReady(); });
    wake_.data = this;
    uv_timer_init(&loop_, &timer_);
    timer_.data = this;
    started_ = true;
    absl::Notification running;
    thread_ = std::thread([this, &running] {
      loop_thread_id_ = std::this_thread::get_id();
      running.Notify();
      RunReady();
      uv_run(&loop_, UV_RUN_DEFAULT);
      loop_thread_id_ = std::thread::id();
    });
    running.WaitForNotification();
    return absl::OkStatus();
  }

  void Stop() override {
    {
      absl::MutexLock lock(&mu_);
      if (!started_ || stopping_) return;
      stopping_ = true;
    }
    Wake();
    if (thread_.joinable()) thread_.join();
    uv_loop_close(&loop_);
  }

  void RunSync(Callback callback) override {
    if (InLoopThread()) {
      callback();
      return;
    }
    absl::Notification done;
    Post([&] {
      callback();
      done.Notify();
    });
    done.WaitForNotification();
  }

 private:
  void Wake() {
    absl::MutexLock lock(&mu_);
    if (started_ && !closed_) uv_async_send(&wake_);
  }

  // On the loop thread: runs what is ready, then arms the timer for the next one, or closes the
  // handles (ending uv_run) once stopping.
  void RunReady() {
    for (;;) {
      {
        absl::MutexLock lock(&mu_);
        if (stopping_) {
          closed_ = true;
          uv_close(reinterpret_cast<uv_handle_t*>(&wake_), nullptr);
          uv_close(reinterpret_cast<uv_handle_t*>(&timer_), nullptr);
          return;
        }
      }
      std::vector<Callback> ready = queue_.TakeReady(clock_.Now());
      if (ready.empty()) break;
      for (Callback& callback : ready) callback();
    }
    std::optional<absl::Time> next = queue_.NextTimer();
    if (!next) {
      uv_timer_stop(&timer_);
      return;
    }
    const absl::Duration wait = *next - clock_.Now();
    // Round up to whole milliseconds (libuv's unit) so the timer never fires early.
    const uint64_t ms =
        wait <= absl::ZeroDuration() ? 0 : absl::ToInt64Milliseconds(wait + absl::Microseconds(999));
    uv_timer_start(
        &timer_, [](uv_timer_t* handle) { static_cast<UvLoop*>(handle->data)->RunReady(); }, ms, 0);
  }

  Clock& clock_;
  LoopQueue queue_;
  uv_loop_t loop_{};
  uv_async_t wake_{};
  uv_timer_t timer_{};
  std::thread thread_;
  std::atomic<std::thread::id> loop_thread_id_;
  absl::Mutex mu_;
  bool started_ ABSL_GUARDED_BY(mu_) = false;
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
  bool closed_ ABSL_GUARDED_BY(mu_) = false;
};

}  // namespace

std::unique_ptr<ThreadedLoop> ThreadedLoop::Create(Clock& clock) { return std::make_unique<UvLoop>(clock); }

}  // namespace orch
