// Validation of where a pod may run, as pkg/apis/core/validation does it: node and pod affinity,
// tolerations (and the taint effects they share with nodes), topology spread constraints.
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "src/core/api/validation_internal.h"

namespace orch::validation {
namespace {

// ValidateNodeSelectorRequirement: operator and value arity, key and values as label parts.
void ValidateNodeSelectorRequirement(const NodeSelectorRequirement& req, absl::string_view path,
                                     FieldErrors* errs) {
  const std::string& op = req.operator_;
  if (op == "In" || op == "NotIn") {
    if (req.values.empty()) {
      errs->push_back(
          FieldRequired(Child(path, "values"), "must be specified when `operator` is 'In' or 'NotIn'"));
    }
  } else if (op == "Exists" || op == "DoesNotExist") {
    if (!req.values.empty()) {
      errs->push_back(FieldForbidden(Child(path, "values"),
                                     "may not be specified when `operator` is 'Exists' or 'DoesNotExist'"));
    }
  } else if (op == "Gt" || op == "Lt") {
    if (req.values.size() != 1) {
      errs->push_back(FieldRequired(Child(path, "values"),
                                    "must be specified single value when `operator` is 'Lt' or 'Gt'"));
    }
  } else {
    errs->push_back(FieldInvalid(Child(path, "operator"), op, "not a valid selector operator"));
  }
  for (const std::string& msg : IsQualifiedName(req.key))
    errs->push_back(FieldInvalid(Child(path, "key"), req.key, msg));
  for (size_t i = 0; i < req.values.size(); ++i) {
    for (const std::string& msg : IsValidLabelValue(req.values[i])) {
      errs->push_back(FieldInvalid(Index(Child(path, "values"), i), req.values[i], msg));
    }
  }
}

// ValidateNodeFieldSelectorRequirement: only metadata.name, with In or NotIn and one value.
void ValidateNodeFieldSelectorRequirement(const NodeSelectorRequirement& req, absl::string_view path,
                                          FieldErrors* errs) {
  if (req.operator_ == "In" || req.operator_ == "NotIn") {
    if (req.values.size() != 1) {
      errs->push_back(
          FieldRequired(Child(path, "values"),
                        "must be only one value when `operator` is 'In' or 'NotIn' for node field selector"));
    }
  } else {
    errs->push_back(FieldInvalid(Child(path, "operator"), req.operator_, "not a valid selector operator"));
  }
  if (req.key != "metadata.name") {
    errs->push_back(FieldInvalid(Child(path, "key"), req.key, "not a valid field selector key"));
    return;
  }
  for (size_t i = 0; i < req.values.size(); ++i) {
    for (const std::string& msg : IsDns1123Subdomain(req.values[i])) {
      errs->push_back(FieldInvalid(Index(Child(path, "values"), i), req.values[i], msg));
    }
  }
}

// ValidateNodeSelectorTerm: its label expressions and field expressions.
void ValidateNodeSelectorTerm(const NodeSelectorTerm& term, absl::string_view path, FieldErrors* errs) {
  for (size_t j = 0; j < term.matchExpressions.size(); ++j) {
    ValidateNodeSelectorRequirement(term.matchExpressions[j], Index(Child(path, "matchExpressions"), j),
                                    errs);
  }
  for (size_t j = 0; j < term.matchFields.size(); ++j) {
    ValidateNodeFieldSelectorRequirement(term.matchFields[j], Index(Child(path, "matchFields"), j), errs);
  }
}

// validateNodeAffinity: required terms (at least one) and weighted preferred terms.
void ValidateNodeAffinity(const NodeAffinity& affinity, absl::string_view path, FieldErrors* errs) {
  if (affinity.requiredDuringSchedulingIgnoredDuringExecution.has_value()) {
    std::string terms_path =
        Child(Child(path, "requiredDuringSchedulingIgnoredDuringExecution"), "nodeSelectorTerms");
    const std::vector<NodeSelectorTerm>& terms =
        affinity.requiredDuringSchedulingIgnoredDuringExecution->nodeSelectorTerms;
    if (terms.empty()) {
      errs->push_back(FieldRequired(terms_path, "must have at least one node selector term"));
    }
    for (size_t i = 0; i < terms.size(); ++i) ValidateNodeSelectorTerm(terms[i], Index(terms_path, i), errs);
  }
  std::string preferred_path = Child(path, "preferredDuringSchedulingIgnoredDuringExecution");
  const std::vector<PreferredSchedulingTerm>& preferred =
      affinity.preferredDuringSchedulingIgnoredDuringExecution;
  for (size_t i = 0; i < preferred.size(); ++i) {
    std::string idx = Index(preferred_path, i);
    if (preferred[i].weight <= 0 || preferred[i].weight > 100) {
      errs->push_back(
          FieldInvalidInt(Child(idx, "weight"), preferred[i].weight, "must be in the range 1-100"));
    }
    ValidateNodeSelectorTerm(preferred[i].preference, Child(idx, "preference"), errs);
  }
}

// validatePodAffinityTerm: selectors, namespaces, and a topology key that is a label name.
void ValidatePodAffinityTerm(const PodAffinityTerm& term, absl::string_view path, FieldErrors* errs) {
  if (term.labelSelector.has_value())
    ValidateLabelSelector(*term.labelSelector, Child(path, "labelSelector"), errs);
  if (term.namespaceSelector.has_value()) {
    ValidateLabelSelector(*term.namespaceSelector, Child(path, "namespaceSelector"), errs);
  }
  for (const std::string& ns : term.namespaces) {
    for (const std::string& msg : IsDns1123Label(ns))
      errs->push_back(FieldInvalid(Child(path, "namespace"), ns, msg));
  }
  if (term.topologyKey.empty())
    errs->push_back(FieldRequired(Child(path, "topologyKey"), "can not be empty"));
  for (const std::string& msg : IsQualifiedName(term.topologyKey)) {
    errs->push_back(FieldInvalid(Child(path, "topologyKey"), term.topologyKey, msg));
  }
}

// validatePodAffinity / validatePodAntiAffinity: required terms, then weighted preferred terms.
void ValidatePodAffinity(const PodAffinity& affinity, absl::string_view path, FieldErrors* errs) {
  std::string required_path = Child(path, "requiredDuringSchedulingIgnoredDuringExecution");
  for (size_t i = 0; i < affinity.requiredDuringSchedulingIgnoredDuringExecution.size(); ++i) {
    ValidatePodAffinityTerm(affinity.requiredDuringSchedulingIgnoredDuringExecution[i],
                            Index(required_path, i), errs);
  }
  std::string preferred_path = Child(path, "preferredDuringSchedulingIgnoredDuringExecution");
  for (size_t i = 0; i < affinity.preferredDuringSchedulingIgnoredDuringExecution.size(); ++i) {
    const WeightedPodAffinityTerm& term = affinity.preferredDuringSchedulingIgnoredDuringExecution[i];
    std::string idx = Index(preferred_path, i);
    if (term.weight <= 0 || term.weight > 100) {
      errs->push_back(FieldInvalidInt(Child(idx, "weight"), term.weight, "must be in the range 1-100"));
    }
    ValidatePodAffinityTerm(term.podAffinityTerm, Child(idx, "podAffinityTerm"), errs);
  }
}

// A Go %#v of core.Toleration, as the "Exists with a value" error prints it.
std::string GoToleration(const Toleration& t) {
  std::string seconds = t.tolerationSeconds.has_value() ? absl::StrCat("(*int64)(", *t.tolerationSeconds, ")")
                                                        : "(*int64)(nil)";
  return absl::StrCat("core.Toleration{Key:", GoQuote(t.key), ", Operator:", GoQuote(t.operator_),
                      ", Value:", GoQuote(t.value), ", Effect:", GoQuote(t.effect),
                      ", TolerationSeconds:", seconds, "}");
}

}  // namespace

void ValidateAffinity(const Affinity& affinity, absl::string_view path, FieldErrors* errs) {
  if (affinity.nodeAffinity.has_value())
    ValidateNodeAffinity(*affinity.nodeAffinity, Child(path, "nodeAffinity"), errs);
  if (affinity.podAffinity.has_value())
    ValidatePodAffinity(*affinity.podAffinity, Child(path, "podAffinity"), errs);
  if (affinity.podAntiAffinity.has_value()) {
    ValidatePodAffinity(*affinity.podAntiAffinity, Child(path, "podAntiAffinity"), errs);
  }
}

void ValidateTaintEffect(absl::string_view effect, bool allow_empty, absl::string_view path,
                         FieldErrors* errs) {
  if (effect.empty()) {
    if (!allow_empty) errs->push_back(FieldRequired(path));
    return;
  }
  if (effect != "NoSchedule" && effect != "PreferNoSchedule" && effect != "NoExecute") {
    errs->push_back(FieldNotSupported(path, effect, {"NoSchedule", "PreferNoSchedule", "NoExecute"}));
  }
}

void ValidateTolerations(const std::vector<Toleration>& tolerations, absl::string_view path,
                         FieldErrors* errs) {
  for (size_t i = 0; i < tolerations.size(); ++i) {
    const Toleration& t = tolerations[i];
    std::string idx = Index(path, i);
    if (!t.key.empty()) {
      for (const std::string& msg : IsQualifiedName(t.key))
        errs->push_back(FieldInvalid(Child(idx, "key"), t.key, msg));
    }
    if (t.key.empty() && t.operator_ != "Exists") {
      errs->push_back(
          FieldInvalid(Child(idx, "operator"), t.operator_,
                       "operator must be Exists when `key` is empty, which means \"match all values and "
                       "all keys\""));
    }
    if (t.tolerationSeconds.has_value() && t.effect != "NoExecute") {
      errs->push_back(FieldInvalid(Child(idx, "effect"), t.effect,
                                   "effect must be 'NoExecute' when `tolerationSeconds` is set"));
    }
    if (t.operator_.empty() || t.operator_ == "Equal") {
      std::vector<std::string> msgs = IsValidLabelValue(t.value);
      if (!msgs.empty())
        errs->push_back(FieldInvalid(Child(idx, "operator"), t.value, absl::StrJoin(msgs, ";")));
    } else if (t.operator_ == "Exists") {
      if (!t.value.empty()) {
        errs->push_back(FieldInvalidRaw(Child(idx, "operator"), GoToleration(t),
                                        "value must be empty when `operator` is 'Exists'"));
      }
    } else {
      errs->push_back(FieldNotSupported(Child(idx, "operator"), t.operator_, {"Equal", "Exists"}));
    }
    if (!t.effect.empty()) ValidateTaintEffect(t.effect, true, Child(idx, "effect"), errs);
  }
}

void ValidateOnlyAddedTolerations(const std::vector<Toleration>& tolerations,
                                  const std::vector<Toleration>& old, absl::string_view path,
                                  FieldErrors* errs) {
  for (const Toleration& o : old) {
    bool found = false;
    for (const Toleration& t : tolerations) {
      // Equal but for tolerationSeconds (and members given as zero values, which the codec keeps aside).
      if (o.key == t.key && o.operator_ == t.operator_ && o.value == t.value && o.effect == t.effect) {
        found = true;
        break;
      }
    }
    if (!found) {
      errs->push_back(
          FieldForbidden(path, "existing toleration can not be modified except its tolerationSeconds"));
      return;
    }
  }
  ValidateTolerations(tolerations, path, errs);
}

void ValidateTopologySpreadConstraints(const std::vector<TopologySpreadConstraint>& constraints,
                                       absl::string_view path, FieldErrors* errs) {
  for (size_t i = 0; i < constraints.size(); ++i) {
    const TopologySpreadConstraint& c = constraints[i];
    std::string idx = Index(path, i);
    if (c.maxSkew <= 0)
      errs->push_back(FieldInvalidInt(Child(idx, "maxSkew"), c.maxSkew, kIsNotPositiveErrorMsg));
    if (c.topologyKey.empty()) errs->push_back(FieldRequired(Child(idx, "topologyKey"), "can not be empty"));
    if (c.whenUnsatisfiable != "DoNotSchedule" && c.whenUnsatisfiable != "ScheduleAnyway") {
      errs->push_back(FieldNotSupported(Child(idx, "whenUnsatisfiable"), c.whenUnsatisfiable,
                                        {"DoNotSchedule", "ScheduleAnyway"}));
    }
    for (size_t j = i + 1; j < constraints.size(); ++j) {
      if (c.topologyKey == constraints[j].topologyKey &&
          c.whenUnsatisfiable == constraints[j].whenUnsatisfiable) {
        errs->push_back(FieldDuplicate(Child(idx, "{topologyKey, whenUnsatisfiable}"),
                                       absl::StrCat("{", c.topologyKey, ", ", c.whenUnsatisfiable, "}")));
        break;
      }
    }
    if (c.minDomains.has_value()) {
      if (*c.minDomains <= 0) {
        errs->push_back(FieldInvalidInt(Child(idx, "minDomains"), *c.minDomains, kIsNotPositiveErrorMsg));
      }
      if (c.whenUnsatisfiable != "DoNotSchedule") {
        errs->push_back(
            FieldInvalidInt(Child(idx, "minDomains"), *c.minDomains,
                            absl::StrCat("can only use minDomains if whenUnsatisfiable=DoNotSchedule, not ",
                                         c.whenUnsatisfiable)));
      }
    }
    for (const auto& [name, policy] :
         {std::pair<const char*, const std::string*>{"nodeAffinityPolicy", &c.nodeAffinityPolicy},
          {"nodeTaintsPolicy", &c.nodeTaintsPolicy}}) {
      if (!policy->empty() && *policy != "Honor" && *policy != "Ignore") {
        errs->push_back(FieldNotSupported(Child(idx, name), *policy, {"Honor", "Ignore"}));
      }
    }
    if (c.labelSelector.has_value())
      ValidateLabelSelector(*c.labelSelector, Child(idx, "labelSelector"), errs);
  }
}

}  // namespace orch::validation
