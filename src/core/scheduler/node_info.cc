// PodInfo and NodeInfo: the compact forms of pods and nodes that the scheduler keeps.
#include <algorithm>
#include <string>

#include "absl/strings/match.h"
#include "orch/scheduler.h"
#include "src/core/scheduler/cache.h"

namespace orch {
namespace {

constexpr int64_t kDefaultMilliCpuRequest = 100;                // what a container without requests is
constexpr int64_t kDefaultMemoryRequest = 200LL * 1024 * 1024;  // scored as using (Kubernetes' values)

// Reads one resource of a list, or nullopt when absent.
std::optional<int64_t> Amount(const ResourceList& list, const char* name, bool milli) {
  auto it = list.find(name);
  if (it == list.end()) return std::nullopt;
  return milli ? it->second.MilliValue() : it->second.Value();
}

struct ContainerRequests {
  SchedResources requests;
  SchedResources non_zero;
};

ContainerRequests RequestsOf(const Container& c) {
  const ResourceList& r = c.resources.requests;
  ContainerRequests out;
  out.requests.milli_cpu = Amount(r, "cpu", true).value_or(0);
  out.requests.memory = Amount(r, "memory", false).value_or(0);
  out.requests.ephemeral_storage = Amount(r, "ephemeral-storage", false).value_or(0);
  out.non_zero = out.requests;
  out.non_zero.milli_cpu = Amount(r, "cpu", true).value_or(kDefaultMilliCpuRequest);
  out.non_zero.memory = Amount(r, "memory", false).value_or(kDefaultMemoryRequest);
  return out;
}

void MaxInto(SchedResources& into, const SchedResources& other) {
  into.milli_cpu = std::max(into.milli_cpu, other.milli_cpu);
  into.memory = std::max(into.memory, other.memory);
  into.ephemeral_storage = std::max(into.ephemeral_storage, other.ephemeral_storage);
}

SchedResources Overhead(const PodSpec& spec) {
  SchedResources out;
  for (const auto& [name, q] : spec.overhead) {
    if (name == "cpu") out.milli_cpu = q.MilliValue();
    if (name == "memory") out.memory = q.Value();
    if (name == "ephemeral-storage") out.ephemeral_storage = q.Value();
  }
  return out;
}

HostPort::Protocol ParseProtocol(const std::string& text) {
  if (text == "UDP") return HostPort::Protocol::kUDP;
  if (text == "SCTP") return HostPort::Protocol::kSCTP;
  return HostPort::Protocol::kTCP;
}

}  // namespace

bool HostPort::ConflictsWith(const HostPort& other) const {
  if (protocol != other.protocol || port != other.port) return false;
  return ip == other.ip || ip == "0.0.0.0" || other.ip == "0.0.0.0";
}

bool PodConstraints::HasPodAffinity() const {
  return affinity && (affinity->podAffinity || affinity->podAntiAffinity);
}

bool PodConstraints::HasRequiredPodAntiAffinity() const {
  return affinity && affinity->podAntiAffinity &&
         !affinity->podAntiAffinity->requiredDuringSchedulingIgnoredDuringExecution.empty();
}

const Labels& PodInfo::GetLabels() const {
  static const Labels* const kEmpty = new Labels();
  return labels ? *labels : *kEmpty;
}

PodInfo PodInfo::FromPod(const Pod& pod) {
  PodInfo info;
  info.namespace_ = pod.metadata.namespace_;
  info.name = pod.metadata.name;
  info.uid = pod.metadata.uid;
  info.labels = std::make_shared<const Labels>(pod.metadata.labels);
  info.priority = pod.spec.priority.value_or(0);
  info.never_preempts = pod.spec.preemptionPolicy == "Never";
  for (const Container& c : pod.spec.containers) {
    ContainerRequests r = RequestsOf(c);
    info.requests.Add(r.requests);
    info.non_zero_requests.Add(r.non_zero);
  }
  for (const Container& c : pod.spec.initContainers) {
    ContainerRequests r = RequestsOf(c);
    MaxInto(info.requests, r.requests);
    MaxInto(info.non_zero_requests, r.non_zero);
  }
  SchedResources overhead = Overhead(pod.spec);
  info.requests.Add(overhead);
  info.non_zero_requests.Add(overhead);

  std::vector<HostPort> ports;
  for (const Container& c : pod.spec.containers) {
    for (const ContainerPort& p : c.ports) {
      if (p.hostPort <= 0) continue;
      ports.push_back(
          HostPort{ParseProtocol(p.protocol), p.hostPort, p.hostIP.empty() ? "0.0.0.0" : p.hostIP});
    }
  }
  const PodSpec& s = pod.spec;
  if (!s.nodeSelector.empty() || s.affinity || !s.tolerations.empty() ||
      !s.topologySpreadConstraints.empty() || !ports.empty()) {
    auto c = std::make_shared<PodConstraints>();
    c->nodeSelector = s.nodeSelector;
    c->affinity = s.affinity;
    c->tolerations = s.tolerations;
    c->topologySpreadConstraints = s.topologySpreadConstraints;
    c->host_ports = std::move(ports);
    info.constraints = std::move(c);
  }
  info.nodeName = s.nodeName;
  info.nominatedNodeName = pod.status.nominatedNodeName;
  info.creation_time = pod.metadata.creationTimestamp.value;
  info.terminating = pod.metadata.deletionTimestamp.IsSet();
  return info;
}

void NodeInfo::SetNode(const Node& node) {
  name_ = node.metadata.name;
  labels_ = node.metadata.labels;
  taints_.clear();
  for (const Taint& t : node.spec.taints) taints_.push_back(NodeTaint{t.key, t.value, t.effect});
  unschedulable_ = node.spec.unschedulable;
  const ResourceList& a = node.status.allocatable;
  allocatable_.milli_cpu = std::max<int64_t>(0, Amount(a, "cpu", true).value_or(0));
  allocatable_.memory = std::max<int64_t>(0, Amount(a, "memory", false).value_or(0));
  allocatable_.ephemeral_storage = std::max<int64_t>(0, Amount(a, "ephemeral-storage", false).value_or(0));
  allowed_pods_ = std::max<int64_t>(0, Amount(a, "pods", false).value_or(0));
}

void NodeInfo::AddPod(const PodInfo* pod) {
  pods_.push_back(pod);
  requested_.Add(pod->requests);
  non_zero_requested_.Add(pod->non_zero_requests);
  if (pod->constraints) {
    for (const HostPort& p : pod->constraints->host_ports) used_ports_.push_back(p);
    if (pod->constraints->HasPodAffinity()) pods_with_affinity_.push_back(pod);
    if (pod->constraints->HasRequiredPodAntiAffinity()) pods_with_required_anti_affinity_.push_back(pod);
  }
}

bool NodeInfo::RemovePod(absl::string_view uid) {
  auto it = std::find_if(pods_.begin(), pods_.end(), [&](const PodInfo* p) { return p->uid == uid; });
  if (it == pods_.end()) return false;
  const PodInfo* pod = *it;
  pods_.erase(it);
  requested_.Sub(pod->requests);
  non_zero_requested_.Sub(pod->non_zero_requests);
  std::erase(pods_with_affinity_, pod);
  std::erase(pods_with_required_anti_affinity_, pod);
  if (pod->constraints) {
    for (const HostPort& p : pod->constraints->host_ports) {
      auto port = std::find(used_ports_.begin(), used_ports_.end(), p);
      if (port != used_ports_.end()) used_ports_.erase(port);
    }
  }
  return true;
}

size_t NodeInfo::HeapBytes() const {
  auto str = [](const std::string& s) { return s.capacity() > 15 ? s.capacity() + 1 : 0; };
  // A std::map node: three pointers, a color word, and the pair.
  constexpr size_t kMapNode = 32 + sizeof(std::pair<const std::string, std::string>);
  size_t bytes = str(name_);
  for (const auto& [k, v] : labels_) bytes += kMapNode + str(k) + str(v);
  bytes += taints_.capacity() * sizeof(NodeTaint);
  for (const NodeTaint& t : taints_) bytes += str(t.key) + str(t.value) + str(t.effect);
  bytes += used_ports_.capacity() * sizeof(HostPort);
  bytes +=
      (pods_.capacity() + pods_with_affinity_.capacity() + pods_with_required_anti_affinity_.capacity()) *
      sizeof(const PodInfo*);
  return bytes;
}

int64_t NumFeasibleNodesToFind(int32_t percentage_of_nodes_to_score, int64_t num_nodes) {
  constexpr int64_t kMinFeasibleNodesToFind = 100;
  constexpr int64_t kMinFeasibleNodesPercentageToFind = 5;
  if (num_nodes < kMinFeasibleNodesToFind || percentage_of_nodes_to_score >= 100) return num_nodes;
  int64_t percentage = percentage_of_nodes_to_score;
  if (percentage <= 0) {
    percentage = std::max<int64_t>(50 - num_nodes / 125, kMinFeasibleNodesPercentageToFind);
  }
  int64_t count = num_nodes * percentage / 100;
  return std::max(count, kMinFeasibleNodesToFind);
}

}  // namespace orch

namespace orch {

void ClusterSnapshot::ForEachPodGroup(absl::FunctionRef<void(const PodGroup&)> fn) const {
  absl::flat_hash_map<scheduler::PodGroupKey, PodGroup> groups;
  for (const NodeInfo* node : Nodes()) {
    for (const PodInfo* pod : node->pods()) {
      auto [it, inserted] = groups.try_emplace(scheduler::PodGroupKey::Of(*pod));
      if (inserted) it->second.exemplar = scheduler::PodGroupKey::Exemplar(*pod);
      ++it->second.per_node[node];
    }
  }
  for (const auto& [key, group] : groups) fn(group);
}

}  // namespace orch
