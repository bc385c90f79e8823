// ObjectMeta validation as k8s.io/apimachinery/pkg/api/validation/objectmeta.go does it, with the
// additions of pkg/apis/core/validation for built-in kinds (standard finalizer names).
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/time/time.h"
#include "src/core/api/validation_internal.h"

namespace orch::validation {
namespace {

// apimachinery's maskTrailingDash: a generateName may end in '-' (Kubernetes replaces the last two
// characters with "a", and so do we, so that the messages match).
std::string MaskTrailingDash(absl::string_view name) {
  if (name.size() > 1 && absl::EndsWith(name, "-")) {
    return absl::StrCat(name.substr(0, name.size() - 2), "a");
  }
  return std::string(name);
}

// A Go %#v of *bool, with the value in place of the address Go would print.
std::string GoBoolPointer(const std::optional<bool>& value) {
  if (!value.has_value()) return "(*bool)(nil)";
  return absl::StrCat("(*bool)(", *value ? "true" : "false", ")");
}

// A Go %#v of metav1.OwnerReference, as it appears in owner reference errors.
std::string GoOwnerReference(const OwnerReference& ref) {
  return absl::StrCat("v1.OwnerReference{APIVersion:", GoQuote(ref.apiVersion), ", Kind:", GoQuote(ref.kind),
                      ", Name:", GoQuote(ref.name), ", UID:", GoQuote(ref.uid),
                      ", Controller:", GoBoolPointer(ref.controller),
                      ", BlockOwnerDeletion:", GoBoolPointer(ref.blockOwnerDeletion), "}");
}

// Go's time.Time.String() of a metav1.Time, as immutable-field errors print it.
std::string GoTime(const Time& time) {
  absl::Time t = time.IsSet() ? time.value : absl::FromUnixSeconds(-62135596800);  // 0001-01-01
  return absl::FormatTime("%Y-%m-%d %H:%M:%E*S +0000 UTC", t, absl::UTCTimeZone());
}

// validateOwnerReference: the fields a reference needs, and kinds that may not own anything.
void ValidateOwnerReference(const OwnerReference& ref, absl::string_view path, FieldErrors* errs) {
  // schema.FromAPIVersionAndKind: "group/version" or "version"; anything else has no version.
  std::string group;
  std::string version;
  std::vector<absl::string_view> parts = absl::StrSplit(ref.apiVersion, '/');
  if (parts.size() == 1) {
    version = std::string(parts[0]);
  } else if (parts.size() == 2) {
    group = std::string(parts[0]);
    version = std::string(parts[1]);
  }
  if (version.empty()) {
    errs->push_back(FieldInvalid(Child(path, "apiVersion"), ref.apiVersion, "version must not be empty"));
  }
  if (ref.kind.empty()) errs->push_back(FieldInvalid(Child(path, "kind"), ref.kind, "must not be empty"));
  if (ref.name.empty()) errs->push_back(FieldInvalid(Child(path, "name"), ref.name, "must not be empty"));
  if (ref.uid.empty()) errs->push_back(FieldInvalid(Child(path, "uid"), ref.uid, "must not be empty"));
  if (group.empty() && version == "v1" && ref.kind == "Event") {
    errs->push_back(
        FieldInvalidRaw(path, GoOwnerReference(ref), "/v1, Kind=Event is disallowed from being an owner"));
  }
}

// ValidateOwnerReferences: each reference, and at most one controller.
void ValidateOwnerReferences(const std::vector<OwnerReference>& refs, absl::string_view path,
                             FieldErrors* errs) {
  std::string first_controller;
  for (const OwnerReference& ref : refs) {
    ValidateOwnerReference(ref, path, errs);
    if (!ref.controller.value_or(false)) continue;
    std::string current = absl::StrCat(ref.kind, "/", ref.name);
    if (first_controller.empty()) {
      first_controller = current;
      continue;
    }
    std::vector<std::string> items;
    for (const OwnerReference& r : refs) items.push_back(GoOwnerReference(r));
    errs->push_back(FieldInvalidRaw(
        path, absl::StrCat("[]v1.OwnerReference{", absl::StrJoin(items, ", "), "}"),
        absl::StrCat("Only one reference can have Controller set to true. Found \"true\" in references for ",
                     first_controller, " and ", current)));
  }
}

// ValidateFinalizers: every name, and not both orphan and foregroundDeletion.
void ValidateFinalizers(const std::vector<std::string>& finalizers, absl::string_view path, bool builtin,
                        FieldErrors* errs) {
  bool orphan = false;
  bool foreground = false;
  for (size_t i = 0; i < finalizers.size(); ++i) {
    for (const std::string& msg : IsQualifiedName(finalizers[i])) {
      errs->push_back(FieldInvalid(path, finalizers[i], msg));
    }
    orphan |= finalizers[i] == "orphan";
    foreground |= finalizers[i] == "foregroundDeletion";
  }
  if (orphan && foreground) {
    errs->push_back(FieldInvalidRaw(path, GoStringSlice(finalizers),
                                    "finalizer orphan and foregroundDeletion cannot be both set"));
  }
  if (!builtin) return;
  for (size_t i = 0; i < finalizers.size(); ++i) {
    ValidateFinalizerName(finalizers[i], Index(path, i), /*builtin=*/true, errs);
  }
}

// The checks that create and update share: labels, annotations, owner references, finalizers.
void ValidateMetaCommon(const ObjectMeta& meta, bool builtin, FieldErrors* errs) {
  for (std::string& e : ValidateLabels(meta.labels, "metadata.labels")) errs->push_back(std::move(e));
  for (std::string& e : ValidateAnnotations(meta.annotations, "metadata.annotations"))
    errs->push_back(std::move(e));
  ValidateOwnerReferences(meta.ownerReferences, "metadata.ownerReferences", errs);
  ValidateFinalizers(meta.finalizers, "metadata.finalizers", builtin, errs);
}

}  // namespace

std::vector<std::string> ValidateName(NameRule rule, absl::string_view name, bool prefix) {
  std::string value = prefix ? MaskTrailingDash(name) : std::string(name);
  switch (rule) {
    case NameRule::kDns1123Label:
      return IsDns1123Label(value);
    case NameRule::kDns1035Label:
      return IsDns1035Label(value);
    case NameRule::kDns1123Subdomain:
      break;
  }
  return IsDns1123Subdomain(value);
}

void ValidateObjectMeta(const ObjectMeta& meta, const MetaRules& rules, FieldErrors* errs) {
  if (!meta.generateName.empty()) {
    for (const std::string& msg : ValidateName(rules.name_rule, meta.generateName, true)) {
      errs->push_back(FieldInvalid("metadata.generateName", meta.generateName, msg));
    }
  }
  if (!meta.name.empty()) {
    for (const std::string& msg : ValidateName(rules.name_rule, meta.name, false)) {
      errs->push_back(FieldInvalid("metadata.name", meta.name, msg));
    }
  } else if (meta.generateName.empty()) {
    errs->push_back(FieldRequired("metadata.name", "name or generateName is required"));
  }
  using Scope = MetaRules::Scope;
  if (rules.scope == Scope::kNamespaced && meta.namespace_.empty()) {
    errs->push_back(FieldRequired("metadata.namespace"));
  } else if (rules.scope == Scope::kCluster && !meta.namespace_.empty()) {
    errs->push_back(FieldForbidden("metadata.namespace", "not allowed on this type"));
  } else if (!meta.namespace_.empty()) {
    for (const std::string& msg : IsDns1123Label(meta.namespace_)) {
      errs->push_back(FieldInvalid("metadata.namespace", meta.namespace_, msg));
    }
  }
  ValidateNonnegative(meta.generation, "metadata.generation", errs);
  ValidateMetaCommon(meta, rules.builtin, errs);
}

void ValidateObjectMetaUpdate(const ObjectMeta& meta, const ObjectMeta& old, FieldErrors* errs) {
  if (old.deletionTimestamp.IsSet()) {
    std::set<std::string> old_finalizers(old.finalizers.begin(), old.finalizers.end());
    std::set<std::string> added;
    for (const std::string& f : meta.finalizers) {
      if (old_finalizers.count(f) == 0) added.insert(f);
    }
    if (!added.empty()) {
      errs->push_back(FieldForbidden(
          "metadata.finalizers",
          absl::StrCat("no new finalizers can be added if the object is being deleted, found new finalizers ",
                       GoStringSlice({added.begin(), added.end()}))));
    }
  }
  ValidateImmutable(meta.name, old.name, "metadata.name", errs);
  ValidateImmutable(meta.namespace_, old.namespace_, "metadata.namespace", errs);
  // An update without a uid keeps the stored one, as kube-apiserver's BeforeUpdate does.
  if (!meta.uid.empty()) ValidateImmutable(meta.uid, old.uid, "metadata.uid", errs);
  // An update that leaves creationTimestamp out keeps the stored one (the store fills it).
  if (meta.creationTimestamp.IsSet() && meta.creationTimestamp != old.creationTimestamp) {
    errs->push_back(FieldInvalidRaw("metadata.creationTimestamp", GoTime(meta.creationTimestamp),
                                    kFieldImmutableErrorMsg));
  }
  ValidateMetaCommon(meta, /*builtin=*/true, errs);
}

void ValidateImmutable(absl::string_view value, absl::string_view old, absl::string_view path,
                       FieldErrors* errs) {
  if (value != old) errs->push_back(FieldInvalid(path, value, kFieldImmutableErrorMsg));
}

void ValidateLabelSelector(const LabelSelectorSpec& selector, absl::string_view path, FieldErrors* errs) {
  std::string labels_path = Child(path, "matchLabels");
  for (std::string& e : ValidateLabels(selector.matchLabels, labels_path)) errs->push_back(std::move(e));
  for (size_t i = 0; i < selector.matchExpressions.size(); ++i) {
    const LabelSelectorRequirement& expr = selector.matchExpressions[i];
    std::string expr_path = Index(Child(path, "matchExpressions"), i);
    if (expr.operator_ == "In" || expr.operator_ == "NotIn") {
      if (expr.values.empty()) {
        errs->push_back(FieldRequired(Child(expr_path, "values"),
                                      "must be specified when `operator` is 'In' or 'NotIn'"));
      }
    } else if (expr.operator_ == "Exists" || expr.operator_ == "DoesNotExist") {
      if (!expr.values.empty()) {
        errs->push_back(FieldForbidden(Child(expr_path, "values"),
                                       "may not be specified when `operator` is 'Exists' or 'DoesNotExist'"));
      }
    } else {
      errs->push_back(
          FieldInvalid(Child(expr_path, "operator"), expr.operator_, "not a valid selector operator"));
    }
    for (const std::string& msg : IsQualifiedName(expr.key)) {
      errs->push_back(FieldInvalid(Child(expr_path, "key"), expr.key, msg));
    }
    for (size_t v = 0; v < expr.values.size(); ++v) {
      for (const std::string& msg : IsValidLabelValue(expr.values[v])) {
        errs->push_back(FieldInvalid(Index(Child(expr_path, "values"), v), expr.values[v], msg));
      }
    }
  }
}

void ValidateFinalizerName(absl::string_view name, absl::string_view path, bool builtin, FieldErrors* errs) {
  if (!builtin || absl::StrContains(name, '/')) return;
  if (name != "kubernetes" && name != "orphan" && name != "foregroundDeletion") {
    errs->push_back(
        FieldInvalid(path, name, "name is neither a standard finalizer name nor is it fully qualified"));
  }
}

}  // namespace orch::validation
