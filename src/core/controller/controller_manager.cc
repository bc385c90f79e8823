// ControllerManager: shared informers, one queue per controller, reconciles run one key per loop
// callback so that watch events delivered meanwhile reach the caches between two reconciles.
#include <map>

#include "absl/strings/str_cat.h"
#include "orch/controller.h"
#include "src/core/controller/event_recorder.h"
#include "src/core/controller/informer.h"
#include "src/core/controller/work_queue.h"

namespace orch {
namespace {

class Manager;

class Context final : public ControllerContext {
 public:
  Context(Manager& manager, std::unique_ptr<Controller> controller, WorkQueueOptions options);

  Client& client() override;
  EventLoop& loop() override;
  Informer& InformerFor(const ResourceType& type) override;
  WorkQueue& queue() override { return queue_; }
  EventRecorder& recorder() override { return recorder_; }

  Controller& controller() { return *controller_; }
  void Stop() {
    stopped_ = true;
    queue_.Clear();
  }

 private:
  void ScheduleProcessing();
  void ProcessOne();

  Manager& manager_;
  std::unique_ptr<Controller> controller_;
  LoopWorkQueue queue_;
  ClientEventRecorder recorder_;
  bool processing_posted_ = false;
  bool stopped_ = false;
  // Guards posted callbacks against running after the context is gone.
  std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);
};

class Manager final : public ControllerManager {
 public:
  Manager(Client& client, EventLoop& loop, WorkQueueOptions options)
      : client_(client), loop_(loop), options_(options) {}
  ~Manager() override { Stop(); }

  absl::Status Add(std::unique_ptr<Controller> controller) override {
    if (stopped_) return absl::FailedPreconditionError("the controller manager is stopped");
    auto context = std::make_unique<Context>(*this, std::move(controller), options_);
    if (absl::Status s = context->controller().Setup(*context); !s.ok()) {
      return absl::Status(s.code(), absl::StrCat(context->controller().Name(), ": ", s.message()));
    }
    contexts_.push_back(std::move(context));
    return absl::OkStatus();
  }

  Informer& InformerFor(const ResourceType& type) override {
    const std::string key = absl::StrCat(type.group, "/", type.kind);
    auto it = informers_.find(key);
    if (it != informers_.end()) return *it->second;
    auto informer = std::make_shared<CachedInformer>(client_, loop_, type);
    // A store that fails a list here is broken beyond what a controller can handle; the informer
    // stays empty and re-lists when its watch reports the failure.
    (void)informer->Start();
    return *informers_.emplace(key, std::move(informer)).first->second;
  }

  void Stop() override {
    stopped_ = true;
    for (auto& context : contexts_) context->Stop();
    for (auto& [key, informer] : informers_) informer->Stop();
  }

  std::unique_ptr<EventRecorder> NewRecorder(absl::string_view component, absl::string_view host) override {
    return std::make_unique<ClientEventRecorder>(client_, loop_.clock(), std::string(component), std::string(host));
  }

  Client& client() { return client_; }
  EventLoop& loop() { return loop_; }

 private:
  Client& client_;
  EventLoop& loop_;
  const WorkQueueOptions options_;
  std::map<std::string, std::shared_ptr<CachedInformer>> informers_;
  std::vector<std::unique_ptr<Context>> contexts_;
  bool stopped_ = false;
};

Context::Context(Manager& manager, std::unique_ptr<Controller> controller, WorkQueueOptions options)
    : manager_(manager),
      controller_(std::move(controller)),
      queue_(manager.loop(), options, [this] { ScheduleProcessing(); }),
      recorder_(manager.client(), manager.loop().clock(), std::string(controller_->Name()), "") {}

Client& Context::client() { return manager_.client(); }
EventLoop& Context::loop() { return manager_.loop(); }
Informer& Context::InformerFor(const ResourceType& type) { return manager_.InformerFor(type); }

void Context::ScheduleProcessing() {
  if (processing_posted_ || stopped_) return;
  processing_posted_ = true;
  manager_.loop().Post([this, alive = std::weak_ptr<bool>(alive_)] {
    if (alive.lock() != nullptr) ProcessOne();
  });
}

void Context::ProcessOne() {
  processing_posted_ = false;
  if (stopped_) return;
  std::optional<ObjectKey> key = queue_.Pop();
  if (!key) return;
  absl::Status status = controller_->Reconcile(*key);
  if (status.ok()) {
    queue_.Forget(*key);
  } else if (!stopped_) {
    queue_.AddRateLimited(*key);
  }
  if (queue_.size() > 0) ScheduleProcessing();
}

}  // namespace

std::unique_ptr<ControllerManager> ControllerManager::Create(Client& client, EventLoop& loop,
                                                             WorkQueueOptions queue_options) {
  return std::make_unique<Manager>(client, loop, queue_options);
}

InformerHandler EnqueueObject(WorkQueue& queue) {
  return [&queue](const InformerEvent& event) { queue.Add(ObjectKey::Of(event.object->object.metadata)); };
}

std::function<std::vector<std::string>(const Object&)> IndexByField(std::string field) {
  return [field = std::move(field)](const Object& object) {
    const absl::string_view value = object.Field(field);
    return value.empty() ? std::vector<std::string>{} : std::vector<std::string>{std::string(value)};
  };
}

InformerHandler EnqueueControllerOf(WorkQueue& queue, absl::string_view owner_kind) {
  return [&queue, kind = std::string(owner_kind)](const InformerEvent& event) {
    auto enqueue = [&](const ObjectPtr& object) {
      if (object == nullptr) return;
      const OwnerReference* owner = object->object.metadata.ControllerRef();
      if (owner != nullptr && owner->kind == kind) queue.Add({object->object.metadata.namespace_, owner->name});
    };
    enqueue(event.object);
    // A changed owner: the old one must learn it lost the object.
    if (event.old != nullptr) enqueue(event.old);
  };
}

}  // namespace orch
