#include "src/core/controller/informer.h"

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"

namespace orch {
namespace {

std::string CacheKey(absl::string_view namespace_, absl::string_view name) {
  return absl::StrCat(namespace_, "\x01", name);
}

}  // namespace

CachedInformer::~CachedInformer() { Stop(); }

absl::Status CachedInformer::Start() {
  absl::StatusOr<ListResult> list = client_.List(type_, "");
  if (!list.ok()) return list.status();
  for (const ObjectPtr& object : list->items) Apply(WatchEventType::kAdded, object);
  revision_ = list->revision;
  return Watch();
}

absl::Status CachedInformer::Watch() {
  WatchOptions options;
  options.resourceVersion = absl::StrCat(revision_);
  absl::StatusOr<std::unique_ptr<Watcher>> watch = client_.Watch(type_, options);
  if (!watch.ok()) return watch.status();
  watch_ = std::move(*watch);
  std::weak_ptr<CachedInformer> weak = weak_from_this();
  watch_->SetNotify([weak] {
    if (std::shared_ptr<CachedInformer> self = weak.lock()) self->ScheduleDrain();
  });
  ScheduleDrain();  // events that arrived before the notification was set
  return absl::OkStatus();
}

void CachedInformer::Stop() {
  stopped_ = true;
  if (watch_ != nullptr) watch_->Stop();
}

void CachedInformer::ScheduleDrain() {
  if (drain_posted_.exchange(true)) return;
  std::weak_ptr<CachedInformer> weak = weak_from_this();
  loop_.Post([weak] {
    if (std::shared_ptr<CachedInformer> self = weak.lock()) self->Drain();
  });
}

void CachedInformer::Drain() {
  drain_posted_ = false;
  if (stopped_ || watch_ == nullptr) return;
  while (std::optional<WatchEvent> event = watch_->Next(absl::ZeroDuration())) {
    if (event->type == WatchEventType::kError) {
      // The watch ended (fell too far behind, or its revision was compacted): start over from a list.
      RelistOrRetry();
      return;
    }
    if (event->type == WatchEventType::kBookmark) continue;
    revision_ = event->object->revision;
    Apply(event->type, event->object);
  }
}

void CachedInformer::RelistOrRetry() {
  if (stopped_ || Relist().ok()) return;
  // The store refused the list: try again a second later rather than spinning here.
  loop_.PostAfter(absl::Seconds(1), [weak = weak_from_this()] {
    if (std::shared_ptr<CachedInformer> self = weak.lock()) self->RelistOrRetry();
  });
}

absl::Status CachedInformer::Relist() {
  if (watch_ != nullptr) watch_->Stop();
  watch_ = nullptr;
  absl::StatusOr<ListResult> list = client_.List(type_, "");
  if (!list.ok()) return list.status();
  absl::btree_set<std::string> listed;
  for (const ObjectPtr& object : list->items) {
    const std::string key = CacheKey(object->object.metadata.namespace_, object->object.metadata.name);
    listed.insert(key);
    auto it = objects_.find(key);
    if (it == objects_.end()) {
      Apply(WatchEventType::kAdded, object);
    } else if (it->second->revision != object->revision) {
      Apply(WatchEventType::kModified, object);
    }
  }
  std::vector<ObjectPtr> gone;
  for (const auto& [key, object] : objects_) {
    if (!listed.contains(key)) gone.push_back(object);
  }
  for (const ObjectPtr& object : gone) Apply(WatchEventType::kDeleted, object);
  revision_ = list->revision;
  return Watch();
}

void CachedInformer::Apply(WatchEventType type, const ObjectPtr& object) {
  const ObjectMeta& meta = object->object.metadata;
  const std::string key = CacheKey(meta.namespace_, meta.name);
  InformerEvent event;
  event.object = object;
  auto it = objects_.find(key);
  if (type == WatchEventType::kDeleted) {
    if (it == objects_.end()) return;
    event.type = WatchEventType::kDeleted;
    for (auto& [name, index] : indexes_) IndexObject(index, key, &it->second->object, nullptr);
    objects_.erase(it);
  } else if (it == objects_.end()) {
    event.type = WatchEventType::kAdded;
    for (auto& [name, index] : indexes_) IndexObject(index, key, nullptr, &object->object);
    objects_.emplace(key, object);
  } else {
    event.type = WatchEventType::kModified;
    event.old = it->second;
    for (auto& [name, index] : indexes_) IndexObject(index, key, &it->second->object, &object->object);
    it->second = object;
  }
  // A handler may add handlers; iterate by index.
  for (size_t i = 0; i < handlers_.size(); ++i) handlers_[i](event);
}

void CachedInformer::IndexObject(Index& index, const std::string& key, const Object* before,
                                 const Object* after) {
  if (before != nullptr) {
    for (const std::string& value : index.values(*before)) {
      auto it = index.keys_by_value.find(value);
      if (it == index.keys_by_value.end()) continue;
      it->second.erase(key);
      if (it->second.empty()) index.keys_by_value.erase(it);
    }
  }
  if (after != nullptr) {
    for (const std::string& value : index.values(*after)) index.keys_by_value[value].insert(key);
  }
}

ObjectPtr CachedInformer::Get(absl::string_view namespace_, absl::string_view name) const {
  auto it = objects_.find(CacheKey(namespace_, name));
  return it == objects_.end() ? nullptr : it->second;
}

std::vector<ObjectPtr> CachedInformer::List(absl::string_view namespace_,
                                            const LabelSelector& selector) const {
  std::vector<ObjectPtr> result;
  auto add = [&](const ObjectPtr& object) {
    if (selector.Matches(object->object.metadata.labels)) result.push_back(object);
  };
  if (namespace_.empty()) {
    for (const auto& [key, object] : objects_) add(object);
    return result;
  }
  const std::string prefix = absl::StrCat(namespace_, "\x01");
  for (auto it = objects_.lower_bound(prefix); it != objects_.end() && absl::StartsWith(it->first, prefix);
       ++it) {
    add(it->second);
  }
  return result;
}

void CachedInformer::AddHandler(InformerHandler handler) {
  for (const auto& [key, object] : objects_) handler(InformerEvent{WatchEventType::kAdded, object, nullptr});
  handlers_.push_back(std::move(handler));
}

void CachedInformer::AddIndex(const std::string& name,
                              std::function<std::vector<std::string>(const Object&)> values) {
  auto [it, added] = indexes_.try_emplace(name);
  if (!added) return;
  Index& index = it->second;
  index.values = std::move(values);
  for (const auto& [key, object] : objects_) IndexObject(index, key, nullptr, &object->object);
}

std::vector<ObjectPtr> CachedInformer::ByIndex(absl::string_view name, absl::string_view value) const {
  std::vector<ObjectPtr> result;
  auto index = indexes_.find(std::string(name));
  if (index == indexes_.end()) return result;
  auto keys = index->second.keys_by_value.find(value);
  if (keys == index->second.keys_by_value.end()) return result;
  result.reserve(keys->second.size());
  for (const std::string& key : keys->second) result.push_back(objects_.at(key));
  return result;
}

}  // namespace orch
