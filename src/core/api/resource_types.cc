// The registry of kinds the store and the API know.
#include <deque>
#include <map>
#include <utility>

#include "absl/synchronization/mutex.h"
#include "orch/api/object.h"

namespace orch {
namespace {

class Registry {
 public:
  Registry() {
    const std::vector<std::string> pod_fields = {
        "spec.nodeName", "spec.restartPolicy", "spec.schedulerName",      "spec.serviceAccountName",
        "status.phase",  "status.podIP",       "status.nominatedNodeName"};
    const std::vector<std::string> event_fields = {"involvedObject.apiVersion",
                                                   "involvedObject.fieldPath",
                                                   "involvedObject.kind",
                                                   "involvedObject.name",
                                                   "involvedObject.namespace",
                                                   "involvedObject.resourceVersion",
                                                   "involvedObject.uid",
                                                   "reason",
                                                   "reportingComponent",
                                                   "source",
                                                   "type"};
    Add({"", "v1", "Namespace", "namespaces", false, true, {"status.phase"}});
    Add({"", "v1", "Node", "nodes", false, true, {"spec.unschedulable"}});
    Add({"", "v1", "Pod", "pods", true, true, pod_fields});
    Add({"", "v1", "Service", "services", true, true, {}});
    Add({"", "v1", "Endpoints", "endpoints", true, false, {}});
    Add({"", "v1", "ConfigMap", "configmaps", true, false, {}});
    Add({"", "v1", "Event", "events", true, false, event_fields});
    Add({"apps", "v1", "ReplicaSet", "replicasets", true, true, {"status.replicas"}});
    Add({"apps", "v1", "Deployment", "deployments", true, true, {}});
    Add({"coordination.k8s.io", "v1", "Lease", "leases", true, false, {}});
  }

  const ResourceType* Find(absl::string_view group, absl::string_view kind) const {
    absl::ReaderMutexLock lock(&mu_);
    auto it = by_kind_.find(std::make_pair(std::string(group), std::string(kind)));
    return it == by_kind_.end() ? nullptr : it->second;
  }

  std::vector<const ResourceType*> All() const {
    absl::ReaderMutexLock lock(&mu_);
    std::vector<const ResourceType*> all;
    for (const ResourceType& type : types_) {
      // A re-registered kind appears once, as its latest description.
      if (by_kind_.at(std::make_pair(type.group, type.kind)) == &type) all.push_back(&type);
    }
    return all;
  }

  const ResourceType* Add(ResourceType type) {
    absl::MutexLock lock(&mu_);
    // Entries are never freed or moved (deque), so pointers handed out stay valid.
    const ResourceType* stored = &types_.emplace_back(std::move(type));
    by_kind_[std::make_pair(stored->group, stored->kind)] = stored;
    return stored;
  }

 private:
  mutable absl::Mutex mu_;
  std::deque<ResourceType> types_ ABSL_GUARDED_BY(mu_);
  std::map<std::pair<std::string, std::string>, const ResourceType*> by_kind_ ABSL_GUARDED_BY(mu_);
};

Registry& GlobalRegistry() {
  static Registry* registry = new Registry();
  return *registry;
}

}  // namespace

const ResourceType* FindResourceType(absl::string_view group, absl::string_view kind) {
  return GlobalRegistry().Find(group, kind);
}

const ResourceType* FindResourceTypeFor(const TypeMeta& type) {
  const ResourceType* found = GlobalRegistry().Find(type.Group(), type.kind);
  if (found == nullptr || found->version != type.Version()) return nullptr;
  return found;
}

std::vector<const ResourceType*> AllResourceTypes() { return GlobalRegistry().All(); }

const ResourceType* RegisterResourceType(ResourceType type) { return GlobalRegistry().Add(std::move(type)); }

}  // namespace orch
