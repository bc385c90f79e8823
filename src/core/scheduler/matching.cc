#include "src/core/scheduler/matching.h"

#include <algorithm>
#include <cstdint>

#include "absl/strings/numbers.h"

namespace orch::scheduler {
namespace {

bool Contains(const std::vector<std::string>& values, const std::string& value) {
  return std::find(values.begin(), values.end(), value) != values.end();
}

// A node selector requirement against one value (nullptr when the label is absent).
bool MatchesRequirement(const NodeSelectorRequirement& r, const std::string* value) {
  const std::string& op = r.operator_;
  if (op == "In") return value && Contains(r.values, *value);
  if (op == "NotIn") return !value || !Contains(r.values, *value);
  if (op == "Exists") return value != nullptr;
  if (op == "DoesNotExist") return value == nullptr;
  if (op == "Gt" || op == "Lt") {
    int64_t have = 0;
    int64_t want = 0;
    if (!value || r.values.size() != 1 || !absl::SimpleAtoi(*value, &have) ||
        !absl::SimpleAtoi(r.values[0], &want)) {
      return false;
    }
    return op == "Gt" ? have > want : have < want;
  }
  return false;
}

const std::string* Find(const Labels& labels, const std::string& key) {
  auto it = labels.find(key);
  return it == labels.end() ? nullptr : &it->second;
}

bool MatchesNamespace(const PodAffinityTerm& term, const PodInfo& owner, const PodInfo& target,
                      const ClusterSnapshot& snapshot) {
  if (term.namespaces.empty() && !term.namespaceSelector) return target.namespace_ == owner.namespace_;
  if (Contains(term.namespaces, target.namespace_)) return true;
  if (!term.namespaceSelector) return false;
  static const Labels* const kNoLabels = new Labels();
  const Labels* ns_labels = snapshot.NamespaceLabels(target.namespace_);
  return MatchesLabelSelector(term.namespaceSelector, ns_labels ? *ns_labels : *kNoLabels);
}

}  // namespace

bool Tolerates(const Toleration& t, const NodeTaint& taint) {
  if (!t.effect.empty() && t.effect != taint.effect) return false;
  if (!t.key.empty() && t.key != taint.key) return false;
  if (t.operator_.empty() || t.operator_ == "Equal") return t.value == taint.value;
  return t.operator_ == "Exists";
}

bool AnyTolerates(const std::vector<Toleration>& tolerations, const NodeTaint& taint) {
  return std::any_of(tolerations.begin(), tolerations.end(),
                     [&](const Toleration& t) { return Tolerates(t, taint); });
}

const std::vector<Toleration>& TolerationsOf(const PodInfo& pod) {
  static const std::vector<Toleration>* const kNone = new std::vector<Toleration>();
  return pod.constraints ? pod.constraints->tolerations : *kNone;
}

bool MatchesNodeSelectorTerm(const NodeSelectorTerm& term, const NodeInfo& node) {
  if (term.matchExpressions.empty() && term.matchFields.empty()) return false;
  for (const NodeSelectorRequirement& r : term.matchExpressions) {
    if (!MatchesRequirement(r, Find(node.labels(), r.key))) return false;
  }
  for (const NodeSelectorRequirement& r : term.matchFields) {
    if (r.key != "metadata.name") return false;
    if (!MatchesRequirement(r, &node.name())) return false;
  }
  return true;
}

bool MatchesRequiredNodeAffinity(const PodInfo& pod, const NodeInfo& node) {
  if (!pod.constraints) return true;
  for (const auto& [key, value] : pod.constraints->nodeSelector) {
    const std::string* have = Find(node.labels(), key);
    if (!have || *have != value) return false;
  }
  const std::optional<Affinity>& affinity = pod.constraints->affinity;
  if (!affinity || !affinity->nodeAffinity ||
      !affinity->nodeAffinity->requiredDuringSchedulingIgnoredDuringExecution) {
    return true;
  }
  const auto& terms =
      affinity->nodeAffinity->requiredDuringSchedulingIgnoredDuringExecution->nodeSelectorTerms;
  return std::any_of(terms.begin(), terms.end(),
                     [&](const NodeSelectorTerm& t) { return MatchesNodeSelectorTerm(t, node); });
}

bool MatchesLabelSelector(const std::optional<LabelSelectorSpec>& selector, const Labels& labels) {
  if (!selector) return false;
  for (const auto& [key, value] : selector->matchLabels) {
    const std::string* have = Find(labels, key);
    if (!have || *have != value) return false;
  }
  for (const LabelSelectorRequirement& r : selector->matchExpressions) {
    const std::string* have = Find(labels, r.key);
    if (r.operator_ == "In") {
      if (!have || !Contains(r.values, *have)) return false;
    } else if (r.operator_ == "NotIn") {
      if (have && Contains(r.values, *have)) return false;
    } else if (r.operator_ == "Exists") {
      if (!have) return false;
    } else if (r.operator_ == "DoesNotExist") {
      if (have) return false;
    } else {
      return false;  // validation rejects other operators; match nothing rather than everything
    }
  }
  return true;
}

bool TermMatchesPod(const PodAffinityTerm& term, const PodInfo& owner, const PodInfo& target,
                    const ClusterSnapshot& snapshot) {
  if (!MatchesNamespace(term, owner, target, snapshot)) return false;
  const Labels& labels = target.GetLabels();
  if (!MatchesLabelSelector(term.labelSelector, labels)) return false;
  const Labels& own = owner.GetLabels();
  for (const std::string& key : term.matchLabelKeys) {
    const std::string* want = Find(own, key);
    if (!want) continue;
    const std::string* have = Find(labels, key);
    if (!have || *have != *want) return false;
  }
  for (const std::string& key : term.mismatchLabelKeys) {
    const std::string* avoid = Find(own, key);
    if (!avoid) continue;
    const std::string* have = Find(labels, key);
    if (have && *have == *avoid) return false;
  }
  return true;
}

const std::string* TopologyValue(const NodeInfo& node, const std::string& key) {
  return Find(node.labels(), key);
}

}  // namespace orch::scheduler
