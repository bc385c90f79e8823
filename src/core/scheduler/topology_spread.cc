// PodTopologySpread: DoNotSchedule constraints filter by skew, ScheduleAnyway constraints score.
#include <algorithm>
#include <cmath>
#include <limits>

#include "src/core/scheduler/matching.h"
#include "src/core/scheduler/plugins.h"

namespace orch::scheduler {
namespace {

using Constraint = PodTopologySpread::Constraint;

// The pod's constraints with one whenUnsatisfiable, selectors completed by matchLabelKeys.
std::vector<Constraint> ConstraintsOf(const PodInfo& pod, absl::string_view when) {
  std::vector<Constraint> out;
  if (!pod.constraints) return out;
  for (const TopologySpreadConstraint& c : pod.constraints->topologySpreadConstraints) {
    if (c.whenUnsatisfiable != when) continue;
    Constraint k;
    k.max_skew = std::max(1, c.maxSkew);
    k.topology_key = c.topologyKey;
    k.selector = c.labelSelector;
    if (k.selector) {
      for (const std::string& key : c.matchLabelKeys) {
        auto it = pod.GetLabels().find(key);
        if (it != pod.GetLabels().end()) {
          k.selector->matchExpressions.push_back(LabelSelectorRequirement{key, "In", {it->second}});
        }
      }
    }
    k.min_domains = c.minDomains.value_or(1);
    k.honor_node_affinity = c.nodeAffinityPolicy != "Ignore";
    k.honor_taints = c.nodeTaintsPolicy == "Honor";
    out.push_back(std::move(k));
  }
  return out;
}

bool HasAllKeys(const NodeInfo& node, const std::vector<Constraint>& constraints) {
  return std::all_of(constraints.begin(), constraints.end(),
                     [&](const Constraint& c) { return TopologyValue(node, c.topology_key) != nullptr; });
}

// Whether the node counts for this constraint under its nodeAffinityPolicy and nodeTaintsPolicy.
bool Included(const Constraint& c, const PodInfo& pod, const NodeInfo& node) {
  if (c.honor_node_affinity && !MatchesRequiredNodeAffinity(pod, node)) return false;
  if (c.honor_taints) {
    for (const NodeTaint& taint : node.taints()) {
      if ((taint.effect == "NoSchedule" || taint.effect == "NoExecute") &&
          !AnyTolerates(TolerationsOf(pod), taint)) {
        return false;
      }
    }
  }
  return true;
}

int64_t CountMatching(const Constraint& c, const PodInfo& pod, const NodeInfo& node) {
  int64_t count = 0;
  for (const PodInfo* existing : node.pods()) {
    if (existing->terminating || existing->namespace_ != pod.namespace_) continue;
    const Labels& labels = existing->GetLabels();
    if (c.memo.Get(&labels, nullptr, "", [&] { return MatchesLabelSelector(c.selector, labels); })) ++count;
  }
  return count;
}

// Adds the placed pods each constraint's selector matches to its counts per domain, by pod group,
// on nodes with every constraint's key that the constraint includes. Hostname constraints of scores
// are counted per node when scoring instead; `known_domains_only` adds only to domains already there.
void AddMatchingPods(std::vector<Constraint>& constraints, const PodInfo& pod, const ClusterSnapshot& snapshot,
                     bool known_domains_only) {
  snapshot.ForEachPodGroup([&](const PodGroup& group) {
    const PodInfo& existing = group.exemplar;
    if (existing.terminating || existing.namespace_ != pod.namespace_) return;
    for (Constraint& c : constraints) {
      if (known_domains_only && c.topology_key == kLabelHostname) continue;
      if (!MatchesLabelSelector(c.selector, existing.GetLabels())) continue;
      for (const auto& [node, count] : group.per_node) {
        if (!HasAllKeys(*node, constraints) || !Included(c, pod, *node)) continue;
        const std::string& domain = *TopologyValue(*node, c.topology_key);
        if (known_domains_only) {
          if (auto it = c.counts.find(domain); it != c.counts.end()) it->second += count;
        } else {
          c.counts[domain] += count;
        }
      }
    }
  });
}

// The smallest count over the domains; zero with fewer domains than minDomains.
void SetMinCount(Constraint& c) {
  if (c.counts.empty() || static_cast<int64_t>(c.counts.size()) < c.min_domains) {
    c.min_count = 0;
    return;
  }
  c.min_count = std::numeric_limits<int64_t>::max();
  for (const auto& [value, count] : c.counts) c.min_count = std::min(c.min_count, count);
}

}  // namespace

FilterStatus PodTopologySpread::PreFilter(const PodInfo& pod, const ClusterSnapshot& snapshot) {
  filter_constraints_ = ConstraintsOf(pod, "DoNotSchedule");
  if (filter_constraints_.empty()) return FilterStatus::Skip();
  // Every eligible domain counts, with no matching pod too (it may be the minimum).
  for (const NodeInfo* node : snapshot.Nodes()) {
    if (!HasAllKeys(*node, filter_constraints_)) continue;
    for (Constraint& c : filter_constraints_) {
      if (Included(c, pod, *node)) c.counts.try_emplace(*TopologyValue(*node, c.topology_key), 0);
    }
  }
  AddMatchingPods(filter_constraints_, pod, snapshot, /*known_domains_only=*/false);
  for (Constraint& c : filter_constraints_) SetMinCount(c);
  return FilterStatus::Success();
}

void PodTopologySpread::UpdateWithPod(const PodInfo& pod, const PodInfo& other, const NodeInfo& node,
                                      int64_t delta) {
  if (other.terminating || other.namespace_ != pod.namespace_ || !HasAllKeys(node, filter_constraints_))
    return;
  for (Constraint& c : filter_constraints_) {
    if (!Included(c, pod, node) || !MatchesLabelSelector(c.selector, other.GetLabels())) continue;
    c.counts[*TopologyValue(node, c.topology_key)] += delta;
    SetMinCount(c);
  }
}

FilterStatus PodTopologySpread::Filter(const PodInfo& pod, const NodeInfo& node,
                                       const ClusterSnapshot&) const {
  for (const Constraint& c : filter_constraints_) {
    const std::string* value = TopologyValue(node, c.topology_key);
    if (!value) return FilterStatus::Unresolvable(kReasonSpreadMissingLabel);
    int64_t self_match = MatchesLabelSelector(c.selector, pod.GetLabels()) ? 1 : 0;
    auto it = c.counts.find(*value);
    int64_t match = it == c.counts.end() ? 0 : it->second;
    if (match + self_match - c.min_count > c.max_skew) return FilterStatus::Unschedulable(kReasonSpread);
  }
  return FilterStatus::Success();
}

ScoreCode PodTopologySpread::PreScore(const PodInfo& pod, absl::Span<const NodeInfo* const> nodes,
                                      const ClusterSnapshot& snapshot) {
  score_constraints_ = ConstraintsOf(pod, "ScheduleAnyway");
  score_weights_.clear();
  ignored_.clear();
  if (score_constraints_.empty()) return ScoreCode::kSkip;
  // Domains are those of the feasible nodes; their counts come from every eligible node.
  size_t ignored = 0;
  for (const NodeInfo* node : nodes) {
    if (!HasAllKeys(*node, score_constraints_)) {
      ignored_[node] = true;
      ++ignored;
      continue;
    }
    for (Constraint& c : score_constraints_) {
      if (c.topology_key != kLabelHostname) c.counts.emplace(*TopologyValue(*node, c.topology_key), 0);
    }
  }
  for (Constraint& c : score_constraints_) {
    double domains = c.topology_key == kLabelHostname ? static_cast<double>(nodes.size() - ignored)
                                                      : static_cast<double>(c.counts.size());
    score_weights_.push_back(std::log(domains + 2));
  }
  AddMatchingPods(score_constraints_, pod, snapshot, /*known_domains_only=*/true);
  return ScoreCode::kScore;
}

int64_t PodTopologySpread::Score(const PodInfo& pod, const NodeInfo& node, const ClusterSnapshot&) const {
  if (score_constraints_.empty() || ignored_.contains(&node)) return 0;
  double score = 0;
  for (size_t i = 0; i < score_constraints_.size(); ++i) {
    const Constraint& c = score_constraints_[i];
    int64_t count = 0;
    if (c.topology_key == kLabelHostname) {
      count = CountMatching(c, pod, node);
    } else if (auto it = c.counts.find(*TopologyValue(node, c.topology_key)); it != c.counts.end()) {
      count = it->second;
    }
    score += static_cast<double>(count) * score_weights_[i] + static_cast<double>(c.max_skew - 1);
  }
  return static_cast<int64_t>(std::round(score));
}

void PodTopologySpread::NormalizeScores(const PodInfo&, absl::Span<NodeScore> scores) const {
  if (score_constraints_.empty()) return;
  int64_t min_score = std::numeric_limits<int64_t>::max();
  int64_t max_score = 0;
  for (const NodeScore& s : scores) {
    if (ignored_.contains(s.node)) continue;
    min_score = std::min(min_score, s.score);
    max_score = std::max(max_score, s.score);
  }
  for (NodeScore& s : scores) {
    if (ignored_.contains(s.node)) {
      s.score = 0;
    } else if (max_score == 0) {
      s.score = kMaxNodeScore;
    } else {
      s.score = kMaxNodeScore * (max_score + min_score - s.score) / max_score;
    }
  }
}

}  // namespace orch::scheduler
