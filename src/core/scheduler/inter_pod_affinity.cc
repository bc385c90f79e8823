// InterPodAffinity: required terms filter, preferred terms score, both over topology domains.
#include <algorithm>
#include <limits>

#include "src/core/scheduler/matching.h"
#include "src/core/scheduler/plugins.h"

namespace orch::scheduler {
namespace {

const PodAffinity* AffinityOf(const PodInfo& pod) {
  if (!pod.constraints || !pod.constraints->affinity || !pod.constraints->affinity->podAffinity)
    return nullptr;
  return &*pod.constraints->affinity->podAffinity;
}

const PodAntiAffinity* AntiAffinityOf(const PodInfo& pod) {
  if (!pod.constraints || !pod.constraints->affinity || !pod.constraints->affinity->podAntiAffinity)
    return nullptr;
  return &*pod.constraints->affinity->podAntiAffinity;
}

// Adds `by` to the count of the node's domain; a count that falls to zero is erased, so that an empty
// map still means no matching pod anywhere.
void Bump(absl::flat_hash_map<TopologyPair, int64_t>& counts, const NodeInfo& node, const std::string& key,
          int64_t by) {
  const std::string* value = TopologyValue(node, key);
  if (value == nullptr) return;
  auto [it, inserted] = counts.try_emplace(TopologyPair(key, *value), 0);
  it->second += by;
  if (it->second == 0) counts.erase(it);
}

}  // namespace

FilterStatus InterPodAffinity::PreFilter(const PodInfo& pod, const ClusterSnapshot& snapshot) {
  affinity_terms_.clear();
  anti_affinity_terms_.clear();
  affinity_counts_.clear();
  anti_affinity_counts_.clear();
  existing_anti_affinity_counts_.clear();
  existing_terms_memo_.Clear();
  own_terms_memo_.Clear();
  // TermMatchesPod(term, owner, target) depends on the term, the owner's labels (matchLabelKeys) and
  // namespace, and the target's labels and namespace. One side is always the incoming pod; the
  // other is memoized by its labels, with its namespace checked.
  auto existing_term_matches = [&](const PodAffinityTerm& t, const PodInfo& owner) {
    return existing_terms_memo_.Get(&t, owner.labels.get(), owner.namespace_,
                                    [&] { return TermMatchesPod(t, owner, pod, snapshot); });
  };
  auto own_term_matches = [&](const PodAffinityTerm& t, const PodInfo& target) {
    return own_terms_memo_.Get(&t, target.labels.get(), target.namespace_,
                               [&] { return TermMatchesPod(t, pod, target, snapshot); });
  };
  if (const PodAffinity* a = AffinityOf(pod)) {
    for (const PodAffinityTerm& t : a->requiredDuringSchedulingIgnoredDuringExecution)
      affinity_terms_.push_back(&t);
  }
  if (const PodAntiAffinity* a = AntiAffinityOf(pod)) {
    for (const PodAffinityTerm& t : a->requiredDuringSchedulingIgnoredDuringExecution) {
      anti_affinity_terms_.push_back(&t);
    }
  }
  auto matches_all_affinity_terms = [&](const PodInfo& target) {
    if (affinity_terms_.empty()) return false;
    return std::all_of(affinity_terms_.begin(), affinity_terms_.end(),
                       [&](const PodAffinityTerm* t) { return own_term_matches(*t, target); });
  };
  pod_matches_own_affinity_ = matches_all_affinity_terms(pod);

  // Nothing on any node can constrain this pod, and it constrains nothing: no node to visit.
  if (affinity_terms_.empty() && anti_affinity_terms_.empty() && !snapshot.AnyPodWithRequiredAntiAffinity()) {
    return FilterStatus::Skip();
  }
  // By group of placed pods (a workload's replicas): one match per group, then a count per node.
  const bool own_terms = !affinity_terms_.empty() || !anti_affinity_terms_.empty();
  snapshot.ForEachPodGroup([&](const PodGroup& group) {
    const PodInfo& existing = group.exemplar;
    // Existing pods whose required anti-affinity selects the incoming pod.
    if (existing.constraints != nullptr && existing.constraints->HasRequiredPodAntiAffinity()) {
      for (const PodAffinityTerm& t : AntiAffinityOf(existing)->requiredDuringSchedulingIgnoredDuringExecution) {
        if (!existing_term_matches(t, existing)) continue;
        for (const auto& [node, count] : group.per_node) Bump(existing_anti_affinity_counts_, *node, t.topologyKey, count);
      }
    }
    if (!own_terms) return;
    if (matches_all_affinity_terms(existing)) {
      for (const PodAffinityTerm* t : affinity_terms_) {
        for (const auto& [node, count] : group.per_node) Bump(affinity_counts_, *node, t->topologyKey, count);
      }
    }
    for (const PodAffinityTerm* t : anti_affinity_terms_) {
      if (!own_term_matches(*t, existing)) continue;
      for (const auto& [node, count] : group.per_node) Bump(anti_affinity_counts_, *node, t->topologyKey, count);
    }
  });
  // No existing pod's anti-affinity selects this pod and it has no terms of its own.
  if (affinity_terms_.empty() && anti_affinity_terms_.empty() && existing_anti_affinity_counts_.empty()) {
    return FilterStatus::Skip();
  }
  return FilterStatus::Success();
}

void InterPodAffinity::UpdateWithPod(const PodInfo& pod, const PodInfo& other, const NodeInfo& node,
                                     const ClusterSnapshot& snapshot, int64_t delta) {
  if (other.constraints != nullptr && other.constraints->HasRequiredPodAntiAffinity()) {
    for (const PodAffinityTerm& t : AntiAffinityOf(other)->requiredDuringSchedulingIgnoredDuringExecution) {
      if (TermMatchesPod(t, other, pod, snapshot))
        Bump(existing_anti_affinity_counts_, node, t.topologyKey, delta);
    }
  }
  if (!affinity_terms_.empty() &&
      std::all_of(affinity_terms_.begin(), affinity_terms_.end(),
                  [&](const PodAffinityTerm* t) { return TermMatchesPod(*t, pod, other, snapshot); })) {
    for (const PodAffinityTerm* t : affinity_terms_) Bump(affinity_counts_, node, t->topologyKey, delta);
  }
  for (const PodAffinityTerm* t : anti_affinity_terms_) {
    if (TermMatchesPod(*t, pod, other, snapshot)) Bump(anti_affinity_counts_, node, t->topologyKey, delta);
  }
}

FilterStatus InterPodAffinity::Filter(const PodInfo&, const NodeInfo& node, const ClusterSnapshot&) const {
  bool pods_exist = true;
  for (const PodAffinityTerm* t : affinity_terms_) {
    const std::string* value = TopologyValue(node, t->topologyKey);
    if (!value) return FilterStatus::Unresolvable(kReasonAffinity);
    auto it = affinity_counts_.find(TopologyPair(t->topologyKey, *value));
    if (it == affinity_counts_.end() || it->second <= 0) pods_exist = false;
  }
  // The first pod of a group with affinity to itself may go anywhere while no pod matches yet.
  if (!pods_exist && !(affinity_counts_.empty() && pod_matches_own_affinity_)) {
    return FilterStatus::Unresolvable(kReasonAffinity);
  }
  for (const PodAffinityTerm* t : anti_affinity_terms_) {
    const std::string* value = TopologyValue(node, t->topologyKey);
    if (!value) continue;
    auto it = anti_affinity_counts_.find(TopologyPair(t->topologyKey, *value));
    if (it != anti_affinity_counts_.end() && it->second > 0)
      return FilterStatus::Unschedulable(kReasonAntiAffinity);
  }
  if (!existing_anti_affinity_counts_.empty()) {
    for (const auto& [key, value] : node.labels()) {
      auto it = existing_anti_affinity_counts_.find(TopologyPair(key, value));
      if (it != existing_anti_affinity_counts_.end() && it->second > 0) {
        return FilterStatus::Unschedulable(kReasonExistingAntiAffinity);
      }
    }
  }
  return FilterStatus::Success();
}

ScoreCode InterPodAffinity::PreScore(const PodInfo& pod, absl::Span<const NodeInfo* const>,
                                     const ClusterSnapshot& snapshot) {
  topology_score_.clear();
  const PodAffinity* affinity = AffinityOf(pod);
  const PodAntiAffinity* anti = AntiAffinityOf(pod);
  bool has_preferred = (affinity && !affinity->preferredDuringSchedulingIgnoredDuringExecution.empty()) ||
                       (anti && !anti->preferredDuringSchedulingIgnoredDuringExecution.empty());
  if (!has_preferred && !snapshot.AnyPodWithAffinity()) return ScoreCode::kSkip;
  snapshot.ForEachPodGroup([&](const PodGroup& group) {
    const PodInfo& existing = group.exemplar;
    // Without preferred terms of its own, only existing pods with affinity can move the score.
    if (!has_preferred && (existing.constraints == nullptr || !existing.constraints->HasPodAffinity())) return;
    // The weight each pod of the group adds to its node's domains, by topology key.
    std::vector<std::pair<const std::string*, int64_t>> weights;
    if (affinity) {
      for (const WeightedPodAffinityTerm& w : affinity->preferredDuringSchedulingIgnoredDuringExecution) {
        if (TermMatchesPod(w.podAffinityTerm, pod, existing, snapshot)) {
          weights.emplace_back(&w.podAffinityTerm.topologyKey, w.weight);
        }
      }
    }
    if (anti) {
      for (const WeightedPodAffinityTerm& w : anti->preferredDuringSchedulingIgnoredDuringExecution) {
        if (TermMatchesPod(w.podAffinityTerm, pod, existing, snapshot)) {
          weights.emplace_back(&w.podAffinityTerm.topologyKey, -w.weight);
        }
      }
    }
    if (const PodAffinity* theirs = AffinityOf(existing)) {
      if (hard_weight_ > 0) {
        for (const PodAffinityTerm& t : theirs->requiredDuringSchedulingIgnoredDuringExecution) {
          if (TermMatchesPod(t, existing, pod, snapshot)) weights.emplace_back(&t.topologyKey, hard_weight_);
        }
      }
      for (const WeightedPodAffinityTerm& w : theirs->preferredDuringSchedulingIgnoredDuringExecution) {
        if (TermMatchesPod(w.podAffinityTerm, existing, pod, snapshot)) {
          weights.emplace_back(&w.podAffinityTerm.topologyKey, w.weight);
        }
      }
    }
    if (const PodAntiAffinity* theirs = AntiAffinityOf(existing)) {
      for (const WeightedPodAffinityTerm& w : theirs->preferredDuringSchedulingIgnoredDuringExecution) {
        if (TermMatchesPod(w.podAffinityTerm, existing, pod, snapshot)) {
          weights.emplace_back(&w.podAffinityTerm.topologyKey, -w.weight);
        }
      }
    }
    for (const auto& [key, weight] : weights) {
      for (const auto& [node, count] : group.per_node) Bump(topology_score_, *node, *key, weight * count);
    }
  });
  // No term of either side touches any node: every node would score the same.
  return topology_score_.empty() ? ScoreCode::kSkip : ScoreCode::kScore;
}

int64_t InterPodAffinity::Score(const PodInfo&, const NodeInfo& node, const ClusterSnapshot&) const {
  if (topology_score_.empty()) return 0;
  int64_t score = 0;
  for (const auto& [key, value] : node.labels()) {
    auto it = topology_score_.find(TopologyPair(key, value));
    if (it != topology_score_.end()) score += it->second;
  }
  return score;
}

void InterPodAffinity::NormalizeScores(const PodInfo&, absl::Span<NodeScore> scores) const {
  if (topology_score_.empty() || scores.empty()) return;
  int64_t min_score = std::numeric_limits<int64_t>::max();
  int64_t max_score = std::numeric_limits<int64_t>::min();
  for (const NodeScore& s : scores) {
    min_score = std::min(min_score, s.score);
    max_score = std::max(max_score, s.score);
  }
  int64_t diff = max_score - min_score;
  for (NodeScore& s : scores) {
    s.score =
        diff > 0
            ? static_cast<int64_t>(static_cast<double>(kMaxNodeScore) *
                                   (static_cast<double>(s.score - min_score) / static_cast<double>(diff)))
            : 0;
  }
}

}  // namespace orch::scheduler
