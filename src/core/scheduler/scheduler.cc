#include "src/core/scheduler/scheduler.h"

#include <algorithm>
#include <atomic>
#include <map>
#include <thread>

#include "absl/container/flat_hash_set.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"

namespace orch::scheduler {

// Kubernetes' histogram of reasons: "<count> <reason>" strings sorted as text, joined by ", ".
std::string ReasonHistogram(const std::vector<std::pair<std::string, FilterStatus>>& statuses) {
  std::map<std::string, int64_t> counts;
  for (const auto& [node, status] : statuses) {
    for (const std::string& reason : status.reasons) ++counts[reason];
  }
  std::vector<std::string> parts;
  for (const auto& [reason, count] : counts) parts.push_back(absl::StrCat(count, " ", reason));
  std::sort(parts.begin(), parts.end());
  return absl::StrJoin(parts, ", ");
}

std::string FitError::Message() const {
  std::string message = absl::StrCat("0/", num_all_nodes, " nodes are available:");
  if (!prefilter_message.empty()) {
    absl::StrAppend(&message, " ", prefilter_message, ".");
  } else if (std::string histogram = ReasonHistogram(node_statuses); !histogram.empty()) {
    absl::StrAppend(&message, " ", histogram, ".");
  }
  if (!postfilter_message.empty()) absl::StrAppend(&message, " ", postfilter_message, ".");
  return message;
}

void NominatedPods::Set(const PodInfo& pod) {
  Remove(pod.uid);
  if (pod.nominatedNodeName.empty()) return;
  by_node_[pod.nominatedNodeName].push_back(pod);
  node_of_[pod.uid] = pod.nominatedNodeName;
}

void NominatedPods::Remove(absl::string_view uid_view) {
  const std::string uid(uid_view);  // may view a PodInfo about to be erased
  auto it = node_of_.find(uid);
  if (it == node_of_.end()) return;
  auto node = by_node_.find(it->second);
  if (node != by_node_.end()) {
    std::erase_if(node->second, [&](const PodInfo& p) { return p.uid == uid; });
    if (node->second.empty()) by_node_.erase(node);
  }
  node_of_.erase(it);
}

const std::vector<PodInfo>* NominatedPods::On(absl::string_view node) const {
  auto it = by_node_.find(node);
  return it == by_node_.end() ? nullptr : &it->second;
}

namespace {

int ResolveParallelism(int32_t parallelism) {
  if (parallelism > 0) return parallelism;
  const int cores = static_cast<int>(std::thread::hardware_concurrency());
  return std::clamp(cores, 1, 16);
}

}  // namespace

Scheduler::Scheduler(SchedulerProfile profile, const ClusterSnapshot* snapshot)
    : profile_(std::move(profile)),
      snapshot_(snapshot),
      node_resources_fit_(profile_.scoring_strategy),
      inter_pod_affinity_(profile_.hard_pod_affinity_weight),
      rng_(profile_.tie_break_seed),
      parallelizer_(ResolveParallelism(profile_.parallelism)) {
  filters_ = {&node_unschedulable_, &node_name_,          &taint_toleration_,    &node_affinity_,
              &node_ports_,         &node_resources_fit_, &pod_topology_spread_, &inter_pod_affinity_};
  for (const std::shared_ptr<FilterPlugin>& f : profile_.extra_filters) {
    if (f) filters_.push_back(f.get());
  }
  auto add = [&](ScorePlugin* plugin, int64_t weight) {
    if (plugin && weight > 0) scorers_.push_back(WeightedScorer{plugin, weight});
  };
  weight_node_resources_fit_ = std::max<int64_t>(profile_.weight_node_resources_fit, 0);
  weight_balanced_allocation_ = std::max<int64_t>(profile_.weight_balanced_allocation, 0);
  add(&taint_toleration_, profile_.weight_taint_toleration);
  add(&node_affinity_, profile_.weight_node_affinity);
  add(&pod_topology_spread_, profile_.weight_pod_topology_spread);
  add(&inter_pod_affinity_, profile_.weight_inter_pod_affinity);
  add(&node_resources_fit_, profile_.weight_node_resources_fit);
  add(&balanced_allocation_, profile_.weight_balanced_allocation);
  for (const SchedulerProfile::WeightedScore& s : profile_.extra_scores) add(s.plugin.get(), s.weight);
}

// A sufficient condition for a built-in per-node filter to pass, checked without building a
// FilterStatus; when it does not hold, the filter itself decides (and words the reasons).
[[gnu::always_inline]] inline bool Scheduler::QuickPass(QuickFilter quick, const PodInfo& pod,
                                                        const NodeInfo& node) {
  switch (quick) {
    case QuickFilter::kNone:
      return false;
    case QuickFilter::kNodeUnschedulable:
      return !node.unschedulable();
    case QuickFilter::kNodeName:
      return pod.nodeName.empty() || pod.nodeName == node.name();
    case QuickFilter::kTaintToleration:
      return node.taints().empty();
    case QuickFilter::kNodeResourcesFit:
      return internal::ResourcesFit(pod, node);
  }
  return false;
}

FilterStatus Scheduler::RunFilters(const PodInfo& pod, const NodeInfo& node) const {
  for (size_t i = 0; i < active_filters_.size(); ++i) {
    if (QuickPass(quick_filters_[i], pod, node)) continue;
    const FilterPlugin* f = active_filters_[i];
    FilterStatus status = f->Filter(pod, node, *snapshot_);
    if (!status.ok()) {
      status.plugin = std::string(f->Name());
      return status;
    }
  }
  return FilterStatus::Success();
}

void Scheduler::AddToFilterState(const PodInfo& pod, const PodInfo& other, const NodeInfo& node) {
  for (FilterPlugin* f : active_filters_) f->AddPod(pod, other, node, *snapshot_);
}

void Scheduler::RemoveFromFilterState(const PodInfo& pod, const PodInfo& other, const NodeInfo& node) {
  for (FilterPlugin* f : active_filters_) f->RemovePod(pod, other, node, *snapshot_);
}

FilterStatus Scheduler::RunFiltersWithNominated(const PodInfo& pod, const NodeInfo& node) {
  if (nominated_.empty()) return RunFilters(pod, node);
  if (const std::vector<PodInfo>* nominated = nominated_.On(node.name())) {
    NodeInfo with_nominated = node;
    std::vector<const PodInfo*> added;
    for (const PodInfo& other : *nominated) {
      if (other.uid == pod.uid || other.priority < pod.priority) continue;
      with_nominated.AddPod(&other);
      added.push_back(&other);
    }
    if (!added.empty()) {
      // The plugins' PreFilter counts (affinity, spread) see the nominated pods too, then are restored.
      for (const PodInfo* other : added) AddToFilterState(pod, *other, node);
      FilterStatus status = RunFilters(pod, with_nominated);
      for (const PodInfo* other : added) RemoveFromFilterState(pod, *other, node);
      if (!status.ok()) return status;
    }
  }
  return RunFilters(pod, node);
}

FilterStatus Scheduler::RunPreFilters(const PodInfo& pod) {
  active_filters_.clear();
  quick_filters_.clear();
  for (FilterPlugin* f : filters_) {
    FilterStatus status = f->PreFilter(pod, *snapshot_);
    if (status.code == FilterCode::kSkip) continue;
    active_filters_.push_back(f);
    quick_filters_.push_back(f == &node_unschedulable_   ? QuickFilter::kNodeUnschedulable
                             : f == &node_name_          ? QuickFilter::kNodeName
                             : f == &taint_toleration_   ? QuickFilter::kTaintToleration
                             : f == &node_resources_fit_ ? QuickFilter::kNodeResourcesFit
                                                         : QuickFilter::kNone);
    if (!status.ok()) {
      status.plugin = std::string(f->Name());
      return status;
    }
  }
  return FilterStatus::Success();
}

ScheduleResult Scheduler::Schedule(const PodInfo& pod) {
  ScheduleResult result;
  absl::Span<const NodeInfo* const> nodes = snapshot_->Nodes();
  // No nodes at all is not a fit error (kube-scheduler's ErrNoNodesAvailable): no result and no
  // fit error, which the caller reports as "no nodes available to schedule pods".
  if (nodes.empty()) return result;
  FitError error;
  error.num_all_nodes = static_cast<int64_t>(nodes.size());
  if (FilterStatus pre = RunPreFilters(pod); !pre.ok()) {
    error.prefilter_message = absl::StrJoin(pre.reasons, ", ");
    error.unschedulable_plugins.push_back(pre.plugin);
    result.fit_error = std::move(error);
    return result;
  }

  // A pod nominated by an earlier preemption goes back to that node when it now fits.
  if (!pod.nominatedNodeName.empty()) {
    if (const NodeInfo* nominated = snapshot_->GetNode(pod.nominatedNodeName);
        nominated && RunFiltersWithNominated(pod, *nominated).ok()) {
      result.node = nominated->name();
      result.evaluated_nodes = result.feasible_nodes = 1;
      return result;
    }
  }

  // Filter from a rotating start until enough nodes are feasible (percentageOfNodesToScore).
  const size_t n = nodes.size();
  const int64_t to_find =
      NumFeasibleNodesToFind(profile_.percentage_of_nodes_to_score, static_cast<int64_t>(n));
  std::vector<const NodeInfo*> feasible;
  std::vector<int64_t> inline_totals;  // filled by FilterInParallel only
  absl::flat_hash_set<std::string> failed_plugins;
  size_t processed = 0;
  // Without nominated pods, a node that passes every active filter's quick check needs no more.
  QuickChecks quick;
  quick.only = nominated_.empty();
  for (QuickFilter filter : quick_filters_) {
    quick.unschedulable |= filter == QuickFilter::kNodeUnschedulable;
    quick.node_name |= filter == QuickFilter::kNodeName;
    quick.taints |= filter == QuickFilter::kTaintToleration;
    quick.resources |= filter == QuickFilter::kNodeResourcesFit;
    quick.only &= filter != QuickFilter::kNone;
  }
  if (quick.only && n >= kParallelMinNodes && parallelizer_.threads() > 1) {
    // Every active filter is a built-in one of (pod, node) alone: safe to run on several threads.
    processed = FilterInParallel(pod, quick, to_find, &feasible, &inline_totals, &error, &failed_plugins);
  } else {
    size_t index = next_start_node_ % n;
    for (; processed < n && static_cast<int64_t>(feasible.size()) < to_find; ++processed) {
      const NodeInfo* node = nodes[index];
      index = index + 1 == n ? 0 : index + 1;
      if (quick.only && quick.Pass(pod, *node)) {
        feasible.push_back(node);
        continue;
      }
      FilterStatus status = RunFiltersWithNominated(pod, *node);
      if (status.ok()) {
        feasible.push_back(node);
      } else {
        failed_plugins.insert(status.plugin);
        error.node_statuses.emplace_back(node->name(), std::move(status));
      }
    }
  }
  next_start_node_ = (next_start_node_ + processed) % n;
  result.evaluated_nodes = static_cast<int64_t>(processed);
  result.feasible_nodes = static_cast<int64_t>(feasible.size());

  if (!feasible.empty()) {
    result.node = feasible.size() == 1
                      ? feasible[0]->name()
                      : SelectHost(pod, feasible, inline_totals.empty() ? nullptr : &inline_totals);
    return result;
  }
  error.unschedulable_plugins.assign(failed_plugins.begin(), failed_plugins.end());
  std::sort(error.unschedulable_plugins.begin(), error.unschedulable_plugins.end());
  result.fit_error = std::move(error);
  if (profile_.enable_preemption) Preempt(pod, &result);
  return result;
}

[[gnu::always_inline]] inline bool Scheduler::QuickChecks::Pass(const PodInfo& pod,
                                                                const NodeInfo& node) const {
  return (!unschedulable || QuickPass(QuickFilter::kNodeUnschedulable, pod, node)) &&
         (!node_name || QuickPass(QuickFilter::kNodeName, pod, node)) &&
         (!taints || QuickPass(QuickFilter::kTaintToleration, pod, node)) &&
         (!resources || QuickPass(QuickFilter::kNodeResourcesFit, pod, node));
}

[[gnu::always_inline]] inline int64_t Scheduler::InlineScore(const PodInfo& pod, const NodeInfo& node) const {
  int64_t total = 0;
  if (weight_node_resources_fit_ > 0) {
    total +=
        std::clamp<int64_t>(node_resources_fit_.Score(pod, node, *snapshot_), 0, ScorePlugin::kMaxNodeScore) *
        weight_node_resources_fit_;
  }
  if (weight_balanced_allocation_ > 0) {
    total += std::clamp<int64_t>(balanced_allocation_.Score(pod, node, *snapshot_), 0,
                                 ScorePlugin::kMaxNodeScore) *
             weight_balanced_allocation_;
  }
  return total;
}

size_t Scheduler::FilterInParallel(const PodInfo& pod, const QuickChecks& quick, int64_t to_find,
                                   std::vector<const NodeInfo*>* feasible,
                                   std::vector<int64_t>* inline_totals, FitError* error,
                                   absl::flat_hash_set<std::string>* failed_plugins) {
  absl::Span<const NodeInfo* const> nodes = snapshot_->Nodes();
  const size_t n = nodes.size();
  const size_t start = next_start_node_ % n;
  // The node at `position` from the rotating start.
  auto node_at = [&](size_t position) { return nodes[start + position < n ? start + position : start + position - n]; };
  const size_t num_blocks = (n + kNodesPerBlock - 1) / kNodesPerBlock;
  if (blocks_.size() < num_blocks) blocks_.resize(num_blocks);
  // Blocks are taken in order from the rotating start, each filtered and its feasible nodes given
  // their inline scores; no block starts once enough nodes are feasible. What the blocks found is
  // then read in node order, exactly as the sequential loop would have met it.
  std::atomic<int64_t> found{0};
  const size_t started = parallelizer_.Run(num_blocks, [&](size_t b) {
    NodeBlock& out = blocks_[b];
    out.feasible.clear();
    out.scores.clear();
    out.failures.clear();
    const size_t end = std::min(n, (b + 1) * kNodesPerBlock);
    for (size_t position = b * kNodesPerBlock; position < end; ++position) {
      const NodeInfo* node = node_at(position);
      FilterStatus status = quick.Pass(pod, *node) ? FilterStatus::Success() : RunFilters(pod, *node);
      if (status.ok()) {
        out.feasible.emplace_back(static_cast<uint32_t>(position), node);
        out.scores.push_back(InlineScore(pod, *node));
      } else {
        out.failures.emplace_back(static_cast<uint32_t>(position), std::move(status));
      }
    }
    const int64_t here = static_cast<int64_t>(out.feasible.size());
    return found.fetch_add(here, std::memory_order_relaxed) + here < to_find;
  });
  size_t processed = 0;
  for (size_t b = 0; b < started; ++b) {
    NodeBlock& block = blocks_[b];
    // The block's nodes up to the one that makes `to_find`, feasible and failed in node order.
    size_t block_end = std::min(n, (b + 1) * kNodesPerBlock);
    size_t take = block.feasible.size();
    const int64_t missing = to_find - static_cast<int64_t>(feasible->size());
    if (static_cast<int64_t>(take) >= missing) {
      take = static_cast<size_t>(missing);
      block_end = block.feasible[take - 1].first + 1;
    }
    for (size_t i = 0; i < take; ++i) {
      feasible->push_back(block.feasible[i].second);
      inline_totals->push_back(block.scores[i]);
    }
    for (auto& [position, status] : block.failures) {
      if (position >= block_end) break;
      failed_plugins->insert(status.plugin);
      error->node_statuses.emplace_back(
          node_at(position)->name(), std::move(status));
    }
    processed = block_end;
    if (static_cast<int64_t>(feasible->size()) >= to_find) break;
  }
  return processed;
}

std::string Scheduler::SelectHost(const PodInfo& pod, const std::vector<const NodeInfo*>& feasible,
                                  const std::vector<int64_t>* inline_totals) {
  std::vector<int64_t> totals =
      inline_totals != nullptr ? *inline_totals : std::vector<int64_t>(feasible.size(), 0);
  std::vector<NodeScore> scores(feasible.size());
  for (const WeightedScorer& s : scorers_) {
    // Already in inline_totals when given (InlineScore).
    if (inline_totals != nullptr && (s.plugin == &node_resources_fit_ || s.plugin == &balanced_allocation_))
      continue;
    if (s.plugin->PreScore(pod, feasible, *snapshot_) == ScoreCode::kSkip) continue;
    // The built-in per-node scores are called on their final class, so inline (node_plugins_inl.h).
    // NodeResourcesFit and BalancedAllocation do not normalise: their scores go straight to the totals.
    auto add_all = [&](const auto& plugin) {
      for (size_t i = 0; i < feasible.size(); ++i) {
        totals[i] +=
            std::clamp<int64_t>(plugin.Score(pod, *feasible[i], *snapshot_), 0, ScorePlugin::kMaxNodeScore) * s.weight;
      }
    };
    if (s.plugin == &node_resources_fit_) {
      add_all(node_resources_fit_);
      continue;
    }
    if (s.plugin == &balanced_allocation_) {
      add_all(balanced_allocation_);
      continue;
    }
    auto score_all = [&](const auto& plugin) {
      for (size_t i = 0; i < feasible.size(); ++i) {
        scores[i] = NodeScore{feasible[i], plugin.Score(pod, *feasible[i], *snapshot_)};
      }
    };
    if (s.plugin == &taint_toleration_) {
      score_all(taint_toleration_);
    } else {
      score_all(*s.plugin);
    }
    s.plugin->NormalizeScores(pod, absl::MakeSpan(scores));
    for (size_t i = 0; i < feasible.size(); ++i) {
      totals[i] += std::clamp<int64_t>(scores[i].score, 0, ScorePlugin::kMaxNodeScore) * s.weight;
    }
  }
  // A uniform choice among the best, from a seeded generator: fair between ties, yet repeatable. One
  // draw per pod (kube-scheduler draws once per tie, to the same effect).
  const int64_t top = *std::max_element(totals.begin(), totals.end());
  const int64_t ties = std::count(totals.begin(), totals.end(), top);
  int64_t pick = ties == 1 ? 0 : std::uniform_int_distribution<int64_t>(0, ties - 1)(rng_);
  for (size_t i = 0;; ++i) {
    if (totals[i] == top && pick-- == 0) return feasible[i]->name();
  }
}

}  // namespace orch::scheduler
