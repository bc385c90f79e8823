// Field selectors as k8s.io/apimachinery/pkg/fields/selector.go parses and matches them: terms
// `field=value`, `field==value`, `field!=value` joined by commas, with `\,` `\=` `\\` escapes in
// values. Parse errors add ` at position N`, N being the 0-based byte offset of the offending text;
// an unescaped character is named as itself (Kubernetes prints its code point).
#include <algorithm>
#include <cstddef>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "orch/api/selector.h"
#include "src/core/api/names.h"

namespace orch {
namespace {

// Where a parse error is, appended to Kubernetes' message.
std::string PositionSuffix(size_t pos, absl::string_view text) {
  return absl::StrCat(" at position ", pos, " in ", GoQuote(text));
}

struct Term {
  absl::string_view text;
  size_t pos;
};

// Splits on commas not escaped by a backslash (the backslashes stay in the terms).
std::vector<Term> SplitTerms(absl::string_view text) {
  std::vector<Term> terms;
  if (text.empty()) return terms;
  size_t start = 0;
  bool in_slash = false;
  for (size_t i = 0; i < text.size(); ++i) {
    if (in_slash) {
      in_slash = false;
    } else if (text[i] == '\\') {
      in_slash = true;
    } else if (text[i] == ',') {
      terms.push_back({text.substr(start, i - start), start});
      start = i + 1;
    }
  }
  terms.push_back({text.substr(start), start});
  return terms;
}

// fields.EscapeValue: the inverse of UnescapeFieldValue, for ToString.
std::string EscapeFieldValue(absl::string_view value) {
  std::string out;
  out.reserve(value.size());
  for (char c : value) {
    if (c == '\\' || c == ',' || c == '=') out += '\\';
    out += c;
  }
  return out;
}

// fields.UnescapeValue; `offset` is where `value` starts in `text`, for the error position.
absl::StatusOr<std::string> UnescapeFieldValue(absl::string_view value, size_t offset,
                                               absl::string_view text) {
  std::string out;
  out.reserve(value.size());
  bool in_slash = false;
  for (size_t i = 0; i < value.size(); ++i) {
    char c = value[i];
    if (in_slash) {
      if (c != '\\' && c != ',' && c != '=') {
        return absl::InvalidArgumentError(absl::StrCat("invalid field selector: invalid escape sequence: \\",
                                                       absl::string_view(&c, 1),
                                                       PositionSuffix(offset + i - 1, text)));
      }
      out += c;
      in_slash = false;
    } else if (c == '\\') {
      in_slash = true;
    } else if (c == ',' || c == '=') {
      return absl::InvalidArgumentError(
          absl::StrCat("invalid field selector: unescaped character in value: '", absl::string_view(&c, 1),
                       "'", PositionSuffix(offset + i, text)));
    } else {
      out += c;
    }
  }
  if (in_slash) {
    return absl::InvalidArgumentError(absl::StrCat("invalid field selector: invalid escape sequence: \\",
                                                   PositionSuffix(offset + value.size() - 1, text)));
  }
  return out;
}

// Where the first operator of a term starts, and which it is ("" if none). The field part has no
// escapes, so the first "!=", "==" or "=" splits the term, "!=" and "==" winning over "=".
std::pair<size_t, absl::string_view> FindOperator(absl::string_view term) {
  for (size_t i = 0; i < term.size(); ++i) {
    for (absl::string_view op : {"!=", "==", "="}) {
      if (absl::StartsWith(term.substr(i), op)) return {i, op};
    }
  }
  return {term.size(), ""};
}

}  // namespace

absl::StatusOr<FieldSelector> FieldSelector::Parse(absl::string_view text) {
  std::vector<Term> terms = SplitTerms(text);
  // Kubernetes parses the terms in sorted order, so the first error reported does not depend on
  // the order the user wrote them in.
  std::stable_sort(terms.begin(), terms.end(), [](const Term& a, const Term& b) { return a.text < b.text; });
  FieldSelector selector;
  for (const Term& term : terms) {
    if (term.text.empty()) continue;
    auto [op_pos, op] = FindOperator(term.text);
    if (op.empty()) {
      return absl::InvalidArgumentError(absl::StrCat("invalid selector: '", text, "'; can't understand '",
                                                     term.text, "' at position ", term.pos));
    }
    size_t value_pos = op_pos + op.size();
    absl::StatusOr<std::string> value =
        UnescapeFieldValue(term.text.substr(value_pos), term.pos + value_pos, text);
    if (!value.ok()) return value.status();
    selector.requirements_.push_back(
        {std::string(term.text.substr(0, op_pos)), op != "!=", *std::move(value)});
  }
  std::sort(selector.requirements_.begin(), selector.requirements_.end(),
            [](const Requirement& a, const Requirement& b) {
              return std::forward_as_tuple(a.field, !a.equals, a.value) <
                     std::forward_as_tuple(b.field, !b.equals, b.value);
            });
  return selector;
}

bool FieldSelector::Matches(const Object& object) const {
  for (const Requirement& r : requirements_) {
    absl::string_view actual;
    if (r.field == "metadata.name") {
      actual = object.metadata.name;
    } else if (r.field == "metadata.namespace") {
      actual = object.metadata.namespace_;
    } else {
      auto it =
          std::find_if(object.fields.begin(), object.fields.end(),
                       [&](const std::pair<std::string, std::string>& f) { return f.first == r.field; });
      if (it != object.fields.end()) actual = it->second;
    }
    if ((actual == r.value) != r.equals) return false;
  }
  return true;
}

absl::Status FieldSelector::CheckSupported(const ResourceType& type) const {
  for (const Requirement& r : requirements_) {
    if (r.field == "metadata.name" || r.field == "metadata.namespace") continue;
    if (std::find(type.selectable_fields.begin(), type.selectable_fields.end(), r.field) !=
        type.selectable_fields.end()) {
      continue;
    }
    return absl::InvalidArgumentError(absl::StrCat("field label not supported: ", r.field));
  }
  return absl::OkStatus();
}

FieldSelector FieldSelector::WithAliasesResolved(const ResourceType& type) const {
  FieldSelector resolved = *this;
  bool changed = false;
  for (Requirement& r : resolved.requirements_) {
    for (const auto& [alias, field] : type.field_label_aliases) {
      if (r.field == alias) {
        r.field = field;
        changed = true;
      }
    }
  }
  if (changed) {
    std::sort(resolved.requirements_.begin(), resolved.requirements_.end(),
              [](const Requirement& a, const Requirement& b) {
                return std::forward_as_tuple(a.field, !a.equals, a.value) <
                       std::forward_as_tuple(b.field, !b.equals, b.value);
              });
  }
  return resolved;
}

const std::string* FieldSelector::RequiredName() const {
  for (const Requirement& r : requirements_) {
    if (r.equals && r.field == "metadata.name") return &r.value;
  }
  return nullptr;
}

std::string FieldSelector::ToString() const {
  std::vector<std::string> parts;
  parts.reserve(requirements_.size());
  for (const Requirement& r : requirements_) {
    parts.push_back(absl::StrCat(r.field, r.equals ? "=" : "!=", EscapeFieldValue(r.value)));
  }
  return absl::StrJoin(parts, ",");
}

}  // namespace orch
