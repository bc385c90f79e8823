// The Informer behind ControllerManager::InformerFor: list, then watch from the list's revision;
// re-list when the watch ends (e.g. Gone after falling behind). Loop thread only, except for the
// watch's notification, which only posts a drain to the loop.
#ifndef ORCH_SRC_CORE_CONTROLLER_INFORMER_H_
#define ORCH_SRC_CORE_CONTROLLER_INFORMER_H_

#include <atomic>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "absl/container/btree_map.h"
#include "absl/container/btree_set.h"
#include "absl/container/flat_hash_map.h"
#include "orch/controller.h"

namespace orch {

class CachedInformer final : public Informer, public std::enable_shared_from_this<CachedInformer> {
 public:
  CachedInformer(Client& client, EventLoop& loop, const ResourceType& type)
      : client_(client), loop_(loop), type_(type) {}
  ~CachedInformer() override;

  // Fills the cache from a list and starts the watch.
  absl::Status Start();
  void Stop();

  const ResourceType& type() const override { return type_; }
  ObjectPtr Get(absl::string_view namespace_, absl::string_view name) const override;
  std::vector<ObjectPtr> List(absl::string_view namespace_, const LabelSelector& selector) const override;
  size_t size() const override { return objects_.size(); }
  int64_t revision() const override { return revision_; }
  void AddHandler(InformerHandler handler) override;
  void AddIndex(const std::string& name, std::function<std::vector<std::string>(const Object&)> values) override;
  std::vector<ObjectPtr> ByIndex(absl::string_view name, absl::string_view value) const override;

 private:
  struct Index {
    std::function<std::vector<std::string>(const Object&)> values;
    absl::flat_hash_map<std::string, absl::btree_set<std::string>> keys_by_value;
  };

  absl::Status Watch();
  void ScheduleDrain();
  void Drain();
  // Re-lists and turns the difference with the cache into events.
  absl::Status Relist();
  // Relist, retried every second until the store answers.
  void RelistOrRetry();
  void Apply(WatchEventType type, const ObjectPtr& object);
  void IndexObject(Index& index, const std::string& key, const Object* before, const Object* after);

  Client& client_;
  EventLoop& loop_;
  const ResourceType& type_;
  // "namespace\x01name" -> object: sorted by namespace, then name.
  absl::btree_map<std::string, ObjectPtr> objects_;
  std::map<std::string, Index> indexes_;
  std::vector<InformerHandler> handlers_;
  std::unique_ptr<Watcher> watch_;
  std::atomic<bool> drain_posted_{false};
  int64_t revision_ = 0;
  bool stopped_ = false;
};

}  // namespace orch

#endif  // ORCH_SRC_CORE_CONTROLLER_INFORMER_H_
