#include "src/core/scheduler/cache.h"

#include <algorithm>
#include <utility>

#include "absl/hash/hash.h"
#include "absl/strings/str_cat.h"

namespace orch::scheduler {
namespace {

size_t HashLabels(const Labels& labels) {
  size_t h = labels.size();
  for (const auto& [k, v] : labels) h = absl::HashOf(h, k, v);
  return h;
}

// A cheap hash over the fields most likely to differ; equality decides the rest.
size_t HashConstraints(const PodConstraints& c) {
  size_t h = absl::HashOf(HashLabels(c.nodeSelector), c.tolerations.size(),
                          c.topologySpreadConstraints.size(), c.host_ports.size(), c.affinity.has_value());
  for (const Toleration& t : c.tolerations) h = absl::HashOf(h, t.key, t.value, t.effect);
  for (const TopologySpreadConstraint& t : c.topologySpreadConstraints) h = absl::HashOf(h, t.topologyKey);
  for (const HostPort& p : c.host_ports) h = absl::HashOf(h, p.port);
  return h;
}

}  // namespace

template <typename T>
std::shared_ptr<const T> PodInterner::InternIn(Table<T>& table, size_t& inserts, size_t hash,
                                               std::shared_ptr<const T> value) {
  std::vector<std::weak_ptr<const T>>& bucket = table[hash];
  std::erase_if(bucket, [](const std::weak_ptr<const T>& w) { return w.expired(); });
  for (const std::weak_ptr<const T>& w : bucket) {
    std::shared_ptr<const T> existing = w.lock();
    if (existing && *existing == *value) return existing;
  }
  bucket.push_back(value);
  // Sweep buckets whose values all died, so churn in label sets does not grow the table forever.
  if (++inserts > 2 * table.size() + 1024) {
    inserts = 0;
    absl::erase_if(table, [](auto& kv) {
      std::erase_if(kv.second, [](const std::weak_ptr<const T>& w) { return w.expired(); });
      return kv.second.empty();
    });
  }
  return value;
}

void PodInterner::Intern(PodInfo& pod) {
  if (pod.labels) pod.labels = InternIn(labels_, label_inserts_, HashLabels(*pod.labels), pod.labels);
  if (pod.constraints) {
    pod.constraints =
        InternIn(constraints_, constraint_inserts_, HashConstraints(*pod.constraints), pod.constraints);
  }
}

SchedulerCache::NodeEntry& SchedulerCache::EntryFor(absl::string_view node_name) {
  std::unique_ptr<NodeEntry>& entry = nodes_[node_name];
  if (!entry) entry = std::make_unique<NodeEntry>();
  return *entry;
}

void SchedulerCache::UpsertNode(const Node& node) {
  NodeEntry& entry = EntryFor(node.metadata.name);
  entry.info.SetNode(node);
  if (!entry.present) {
    entry.present = true;
    node_list_.push_back(&entry.info);
  }
}

void SchedulerCache::RemoveNode(absl::string_view name) {
  auto it = nodes_.find(name);
  if (it == nodes_.end() || !it->second->present) return;
  it->second->present = false;
  // Pods left on it stay accounted, but the node has no labels any more: no topology domain counts
  // them (pod groups still point at it).
  Node stub;
  stub.metadata.name = std::string(name);
  it->second->info.SetNode(stub);
  std::erase(node_list_, &it->second->info);
  DropIfEmpty(name);
}

void SchedulerCache::DropIfEmpty(absl::string_view node_name) {
  auto it = nodes_.find(node_name);
  if (it != nodes_.end() && !it->second->present && it->second->info.pods().empty()) nodes_.erase(it);
}

void SchedulerCache::Place(PodEntry& entry) {
  NodeEntry& node = EntryFor(entry.info.nodeName);
  // A pod on a node not yet known keeps the node's name, so the node's own update finds its pods.
  if (!node.present && node.info.name().empty()) {
    Node stub;
    stub.metadata.name = entry.info.nodeName;
    node.info.SetNode(stub);
  }
  node.info.AddPod(&entry.info);
  std::unique_ptr<PodGroup>& group = groups_[PodGroupKey::Of(entry.info)];
  if (group == nullptr) {
    group = std::make_unique<PodGroup>();
    group->exemplar = PodGroupKey::Exemplar(entry.info);
  }
  ++group->per_node[&node.info];
  if (entry.info.constraints != nullptr) {
    pods_with_affinity_ += entry.info.constraints->HasPodAffinity();
    pods_with_required_anti_affinity_ += entry.info.constraints->HasRequiredPodAntiAffinity();
  }
}

void SchedulerCache::Unplace(const PodEntry& entry) {
  auto it = nodes_.find(entry.info.nodeName);
  if (it == nodes_.end()) return;
  if (!it->second->info.RemovePod(entry.info.uid)) return;
  if (auto group = groups_.find(PodGroupKey::Of(entry.info)); group != groups_.end()) {
    absl::flat_hash_map<const NodeInfo*, int64_t>& per_node = group->second->per_node;
    if (auto n = per_node.find(&it->second->info); n != per_node.end() && --n->second == 0) per_node.erase(n);
    if (per_node.empty()) groups_.erase(group);
  }
  if (entry.info.constraints != nullptr) {
    pods_with_affinity_ -= entry.info.constraints->HasPodAffinity();
    pods_with_required_anti_affinity_ -= entry.info.constraints->HasRequiredPodAntiAffinity();
  }
  DropIfEmpty(entry.info.nodeName);
}

absl::Status SchedulerCache::AddPod(PodInfo pod) {
  if (pod.nodeName.empty()) {
    return absl::InvalidArgumentError(absl::StrCat("pod \"", pod.Key(), "\" is not bound to a node"));
  }
  interner_.Intern(pod);
  std::unique_ptr<PodEntry>& entry = pods_[pod.uid];
  if (entry)
    Unplace(*entry);
  else
    entry = std::make_unique<PodEntry>();
  entry->info = std::move(pod);
  entry->assumed = false;
  Place(*entry);
  return absl::OkStatus();
}

void SchedulerCache::RemovePod(absl::string_view uid) {
  auto it = pods_.find(uid);
  if (it == pods_.end()) return;
  Unplace(*it->second);
  pods_.erase(it);
}

absl::Status SchedulerCache::AssumePod(PodInfo pod, absl::string_view node_name) {
  if (pods_.contains(pod.uid)) {
    return absl::AlreadyExistsError(
        absl::StrCat("pod \"", pod.Key(), "\" is already in the scheduler cache"));
  }
  interner_.Intern(pod);
  pod.nodeName = std::string(node_name);
  pod.nominatedNodeName.clear();
  auto entry = std::make_unique<PodEntry>();
  entry->info = std::move(pod);
  entry->assumed = true;
  Place(*entry);
  std::string uid = entry->info.uid;
  pods_.emplace(std::move(uid), std::move(entry));
  return absl::OkStatus();
}

absl::Status SchedulerCache::ForgetPod(absl::string_view uid) {
  auto it = pods_.find(uid);
  if (it == pods_.end() || !it->second->assumed) {
    return absl::FailedPreconditionError(absl::StrCat("pod with uid \"", uid, "\" is not assumed"));
  }
  Unplace(*it->second);
  pods_.erase(it);
  return absl::OkStatus();
}

bool SchedulerCache::IsAssumed(absl::string_view uid) const {
  auto it = pods_.find(uid);
  return it != pods_.end() && it->second->assumed;
}

const PodInfo* SchedulerCache::GetPod(absl::string_view uid) const {
  auto it = pods_.find(uid);
  return it == pods_.end() ? nullptr : &it->second->info;
}

void SchedulerCache::SetNamespaceLabels(absl::string_view ns, Labels labels) {
  namespaces_[ns] = std::move(labels);
}

void SchedulerCache::ForEachPodGroup(absl::FunctionRef<void(const PodGroup&)> fn) const {
  for (const auto& [key, group] : groups_) fn(*group);
}

PodInfo PodGroupKey::Exemplar(const PodInfo& pod) {
  PodInfo exemplar;
  exemplar.namespace_ = pod.namespace_;
  exemplar.labels = pod.labels;
  exemplar.constraints = pod.constraints;
  exemplar.terminating = pod.terminating;
  return exemplar;
}

const NodeInfo* SchedulerCache::GetNode(absl::string_view name) const {
  auto it = nodes_.find(name);
  return it == nodes_.end() || !it->second->present ? nullptr : &it->second->info;
}

const Labels* SchedulerCache::NamespaceLabels(absl::string_view ns) const {
  auto it = namespaces_.find(ns);
  return it == namespaces_.end() ? nullptr : &it->second;
}

}  // namespace orch::scheduler
