// Label and field selectors, with Kubernetes' grammar and matching rules.
//
// Label selector text (as in `kubectl get -l`):
//   a=b  a==b  a!=b  a in (x,y)  a notin (x)  a  !a  a>1  a<1, requirements joined by commas (AND).
// Field selector text (as in `--field-selector`): f=v  f==v  f!=v joined by commas; `\,` `\=` `\\`
// escape those characters in values.
//
// Parse errors are InvalidArgument, with Kubernetes' message plus the 0-based byte offset of the
// offending token: `unable to parse requirement: found '', expected: ',' or ')' at position 7 in
// "a in (x"`. Selectors are immutable values, safe to share between threads.
#ifndef ORCH_API_SELECTOR_H_
#define ORCH_API_SELECTOR_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "orch/api/object.h"

namespace orch {

// metav1.LabelSelectorRequirement: one entry of matchExpressions.
struct LabelSelectorRequirement {
  std::string key;
  std::string operator_;  // JSON "operator": In, NotIn, Exists, DoesNotExist
  std::vector<std::string> values;

  friend bool operator==(const LabelSelectorRequirement&, const LabelSelectorRequirement&) = default;
};

// metav1.LabelSelector as it appears in specs (Deployment.spec.selector, affinity terms, ...).
struct LabelSelectorSpec {
  Labels matchLabels;
  std::vector<LabelSelectorRequirement> matchExpressions;

  friend bool operator==(const LabelSelectorSpec&, const LabelSelectorSpec&) = default;
};

class LabelSelector {
 public:
  enum class Operator { kEquals, kNotEquals, kIn, kNotIn, kExists, kDoesNotExist, kGreaterThan, kLessThan };
  struct Requirement {
    std::string key;
    Operator op;
    std::vector<std::string> values;  // sorted; one value for =, !=, >, <; none for exists

    friend bool operator==(const Requirement&, const Requirement&) = default;
  };

  // Matches every label set.
  LabelSelector() = default;
  static LabelSelector Everything() { return LabelSelector(); }
  // Matches no label set (what a nil metav1.LabelSelector means).
  static LabelSelector Nothing();

  // Parses selector text; empty text is Everything(). Keys and values are checked with Kubernetes'
  // rules (qualified names, label values).
  static absl::StatusOr<LabelSelector> Parse(absl::string_view text);
  // Converts matchLabels/matchExpressions. An empty spec matches everything. Errors name fields under
  // `path`, e.g. `spec.selector.matchExpressions[0].operator: Unsupported value: "Foo"`.
  static absl::StatusOr<LabelSelector> FromSpec(const LabelSelectorSpec& spec,
                                                absl::string_view path = "selector");
  // A selector that matches exactly these labels (a Service's or ReplicationController's selector).
  static LabelSelector FromLabels(const Labels& labels);

  bool Matches(const Labels& labels) const;
  bool Empty() const { return !nothing_ && requirements_.empty(); }
  bool MatchesNothing() const { return nothing_; }
  const std::vector<Requirement>& requirements() const { return requirements_; }
  // Canonical text (requirements sorted by key), which Parse accepts: "app=web,tier in (a,b)".
  std::string ToString() const;

  friend bool operator==(const LabelSelector&, const LabelSelector&) = default;

 private:
  std::vector<Requirement> requirements_;  // sorted by key
  bool nothing_ = false;
};

class FieldSelector {
 public:
  struct Requirement {
    std::string field;  // "metadata.name", "spec.nodeName", "involvedObject.kind", ...
    bool equals;        // = and == are true, != is false
    std::string value;

    friend bool operator==(const Requirement&, const Requirement&) = default;
  };

  // Matches every object.
  FieldSelector() = default;
  static absl::StatusOr<FieldSelector> Parse(absl::string_view text);

  // Matches against metadata.name, metadata.namespace and `object.fields` (an absent field has the
  // value "").
  bool Matches(const Object& object) const;
  // InvalidArgument `field label not supported: spec.foo` when a field is not selectable for `type`.
  absl::Status CheckSupported(const ResourceType& type) const;
  // The selector with `type`'s old field names (ResourceType::field_label_aliases) replaced by the
  // fields they stand for, as the API converts field labels before selecting (a pod's "spec.host"
  // is "spec.nodeName").
  FieldSelector WithAliasesResolved(const ResourceType& type) const;
  // The value required by a `metadata.name=x` requirement, if there is one (lets a store look one key up).
  const std::string* RequiredName() const;
  bool Empty() const { return requirements_.empty(); }
  const std::vector<Requirement>& requirements() const { return requirements_; }
  std::string ToString() const;

  friend bool operator==(const FieldSelector&, const FieldSelector&) = default;

 private:
  std::vector<Requirement> requirements_;
};

}  // namespace orch

#endif  // ORCH_API_SELECTOR_H_
