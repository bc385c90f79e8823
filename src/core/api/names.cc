#include "src/core/api/names.h"

#include <cstddef>
#include <initializer_list>
#include <set>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"

namespace orch {
namespace {

// Texts and patterns as in k8s.io/apimachinery/pkg/util/validation (Kubernetes 1.31+ wording).
constexpr absl::string_view kQualifiedNameFmt = "([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]";
constexpr absl::string_view kQualifiedNameErrMsg =
    "must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an "
    "alphanumeric character";
constexpr absl::string_view kLabelValueFmt = "(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?";
constexpr absl::string_view kLabelValueErrMsg =
    "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', "
    "and must start and end with an alphanumeric character";
constexpr absl::string_view kDns1123LabelFmt = "[a-z0-9]([-a-z0-9]*[a-z0-9])?";
constexpr absl::string_view kDns1123LabelErrMsg =
    "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must "
    "start and end with an alphanumeric character";
constexpr absl::string_view kDns1123SubdomainFmt =
    "[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*";
constexpr absl::string_view kDns1123SubdomainErrMsg =
    "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', "
    "and must start and end with an alphanumeric character";
constexpr absl::string_view kDns1035LabelFmt = "[a-z]([-a-z0-9]*[a-z0-9])?";
constexpr absl::string_view kDns1035LabelErrMsg =
    "a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an "
    "alphabetic character, and end with an alphanumeric character";

bool IsLowerAlnum(char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'); }
bool IsAlnum(char c) { return IsLowerAlnum(c) || (c >= 'A' && c <= 'Z'); }

// [a-z0-9]([-a-z0-9]*[a-z0-9])?
bool MatchesDns1123Label(absl::string_view s) {
  if (s.empty() || !IsLowerAlnum(s.front()) || !IsLowerAlnum(s.back())) return false;
  for (char c : s) {
    if (!IsLowerAlnum(c) && c != '-') return false;
  }
  return true;
}

// Labels of MatchesDns1123Label joined by single dots.
bool MatchesDns1123Subdomain(absl::string_view s) {
  for (absl::string_view label : absl::StrSplit(s, '.')) {
    if (!MatchesDns1123Label(label)) return false;
  }
  return true;
}

// [a-z]([-a-z0-9]*[a-z0-9])?
bool MatchesDns1035Label(absl::string_view s) {
  return MatchesDns1123Label(s) && s.front() >= 'a' && s.front() <= 'z';
}

// ([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]
bool MatchesQualifiedNamePart(absl::string_view s) {
  if (s.empty() || !IsAlnum(s.front()) || !IsAlnum(s.back())) return false;
  for (char c : s) {
    if (!IsAlnum(c) && c != '-' && c != '_' && c != '.') return false;
  }
  return true;
}

std::string MaxLenError(int length) { return absl::StrCat("must be no more than ", length, " characters"); }

// validation.RegexError, including Kubernetes' doubled space before each "or".
std::string RegexError(absl::string_view msg, absl::string_view fmt,
                       std::initializer_list<absl::string_view> examples) {
  std::string out(msg);
  if (examples.size() == 0) return absl::StrCat(out, " (regex used for validation is '", fmt, "')");
  out += " (e.g. ";
  bool first = true;
  for (absl::string_view example : examples) {
    if (!first) out += " or ";
    first = false;
    absl::StrAppend(&out, "'", example, "', ");
  }
  absl::StrAppend(&out, "regex used for validation is '", fmt, "')");
  return out;
}

constexpr absl::string_view kEmptyError = "must be non-empty";

}  // namespace

std::vector<std::string> IsDns1123Subdomain(absl::string_view value) {
  std::vector<std::string> errs;
  if (value.size() > static_cast<size_t>(kDns1123SubdomainMaxLength)) {
    errs.push_back(MaxLenError(kDns1123SubdomainMaxLength));
  }
  if (!MatchesDns1123Subdomain(value)) {
    errs.push_back(RegexError(kDns1123SubdomainErrMsg, kDns1123SubdomainFmt, {"example.com"}));
  }
  return errs;
}

std::vector<std::string> IsDns1123Label(absl::string_view value) {
  std::vector<std::string> errs;
  if (value.size() > static_cast<size_t>(kDns1123LabelMaxLength)) {
    errs.push_back(MaxLenError(kDns1123LabelMaxLength));
  }
  if (!MatchesDns1123Label(value)) {
    if (MatchesDns1123Subdomain(value)) {
      errs.push_back("must not contain dots");
    } else {
      errs.push_back(RegexError(kDns1123LabelErrMsg, kDns1123LabelFmt, {"my-name", "123-abc"}));
    }
  }
  return errs;
}

std::vector<std::string> IsDns1035Label(absl::string_view value) {
  std::vector<std::string> errs;
  if (value.size() > static_cast<size_t>(kDns1035LabelMaxLength)) {
    errs.push_back(MaxLenError(kDns1035LabelMaxLength));
  }
  if (!MatchesDns1035Label(value)) {
    errs.push_back(RegexError(kDns1035LabelErrMsg, kDns1035LabelFmt, {"my-name", "abc-123"}));
  }
  return errs;
}

std::vector<std::string> IsQualifiedName(absl::string_view value) {
  std::vector<std::string> errs;
  std::vector<absl::string_view> parts = absl::StrSplit(value, '/');
  absl::string_view name;
  switch (parts.size()) {
    case 1:
      name = parts[0];
      break;
    case 2: {
      absl::string_view prefix = parts[0];
      name = parts[1];
      if (prefix.empty()) {
        errs.push_back(absl::StrCat("prefix part ", kEmptyError));
      } else {
        for (const std::string& msg : IsDns1123Subdomain(prefix)) {
          errs.push_back(absl::StrCat("prefix part ", msg));
        }
      }
      break;
    }
    default:
      errs.push_back(
          absl::StrCat("a qualified name ",
                       RegexError(kQualifiedNameErrMsg, kQualifiedNameFmt, {"MyName", "my.name", "123-abc"}),
                       " with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')"));
      return errs;
  }
  if (name.empty()) {
    errs.push_back(absl::StrCat("name part ", kEmptyError));
  } else if (name.size() > static_cast<size_t>(kQualifiedNameMaxLength)) {
    errs.push_back(absl::StrCat("name part ", MaxLenError(kQualifiedNameMaxLength)));
  }
  if (!MatchesQualifiedNamePart(name)) {
    errs.push_back(absl::StrCat(
        "name part ", RegexError(kQualifiedNameErrMsg, kQualifiedNameFmt, {"MyName", "my.name", "123-abc"})));
  }
  return errs;
}

std::vector<std::string> IsValidLabelValue(absl::string_view value) {
  std::vector<std::string> errs;
  if (value.size() > static_cast<size_t>(kLabelValueMaxLength)) {
    errs.push_back(MaxLenError(kLabelValueMaxLength));
  }
  if (!value.empty() && !MatchesQualifiedNamePart(value)) {
    errs.push_back(RegexError(kLabelValueErrMsg, kLabelValueFmt, {"MyValue", "my_value", "12345"}));
  }
  return errs;
}

std::vector<std::string> ValidateLabels(const Labels& labels, absl::string_view path) {
  std::vector<std::string> errs;
  for (const auto& [key, value] : labels) {
    for (const std::string& msg : IsQualifiedName(key)) errs.push_back(FieldInvalid(path, key, msg));
    for (const std::string& msg : IsValidLabelValue(value)) errs.push_back(FieldInvalid(path, value, msg));
  }
  return errs;
}

std::vector<std::string> ValidateAnnotations(const Labels& annotations, absl::string_view path) {
  std::vector<std::string> errs;
  int64_t total_size = 0;
  for (const auto& [key, value] : annotations) {
    // The rule is a qualified name, except that case does not matter.
    for (const std::string& msg : IsQualifiedName(absl::AsciiStrToLower(key))) {
      errs.push_back(FieldInvalid(path, key, msg));
    }
    total_size += static_cast<int64_t>(key.size() + value.size());
  }
  if (total_size > kTotalAnnotationSizeLimitBytes) {
    errs.push_back(FieldTooLong(path, kTotalAnnotationSizeLimitBytes));
  }
  return errs;
}

std::string FieldInvalid(absl::string_view path, absl::string_view value, absl::string_view detail) {
  std::string out = absl::StrCat(path, ": Invalid value: ", GoQuote(value));
  if (!detail.empty()) absl::StrAppend(&out, ": ", detail);
  return out;
}

std::string FieldRequired(absl::string_view path, absl::string_view detail) {
  std::string out = absl::StrCat(path, ": Required value");
  if (!detail.empty()) absl::StrAppend(&out, ": ", detail);
  return out;
}

std::string FieldForbidden(absl::string_view path, absl::string_view detail) {
  std::string out = absl::StrCat(path, ": Forbidden");
  if (!detail.empty()) absl::StrAppend(&out, ": ", detail);
  return out;
}

std::string FieldNotSupported(absl::string_view path, absl::string_view value,
                              const std::vector<std::string>& supported) {
  return FieldNotSupportedRaw(path, GoQuote(value), supported);
}

std::string FieldNotSupportedRaw(absl::string_view path, absl::string_view raw,
                                 const std::vector<std::string>& supported) {
  std::string out = absl::StrCat(path, ": Unsupported value: ", raw);
  if (!supported.empty()) {
    std::vector<std::string> quoted;
    quoted.reserve(supported.size());
    for (const std::string& s : supported) quoted.push_back(GoQuote(s));
    absl::StrAppend(&out, ": supported values: ", absl::StrJoin(quoted, ", "));
  }
  return out;
}

std::string FieldTooLong(absl::string_view path, int64_t max_bytes) {
  return absl::StrCat(path, ": Too long: must have at most ", max_bytes, " bytes");
}

std::string AggregateErrors(const std::vector<std::string>& errors) {
  std::vector<absl::string_view> unique;
  std::set<absl::string_view> seen;
  for (const std::string& e : errors) {
    if (seen.insert(e).second) unique.push_back(e);
  }
  if (unique.empty()) return "";
  if (unique.size() == 1) return std::string(unique[0]);
  return absl::StrCat("[", absl::StrJoin(unique, ", "), "]");
}

std::string GoQuote(absl::string_view text) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  out.reserve(text.size() + 2);
  out += '"';
  size_t i = 0;
  while (i < text.size()) {
    unsigned char c = static_cast<unsigned char>(text[i]);
    if (c >= 0x80) {
      // Copy a well-formed UTF-8 sequence; escape a stray byte as Go does.
      size_t len = (c & 0xE0) == 0xC0 ? 2 : (c & 0xF0) == 0xE0 ? 3 : (c & 0xF8) == 0xF0 ? 4 : 0;
      bool valid = len > 0 && i + len <= text.size();
      for (size_t k = 1; valid && k < len; ++k) {
        valid = (static_cast<unsigned char>(text[i + k]) & 0xC0) == 0x80;
      }
      if (valid) {
        out.append(text.data() + i, len);
        i += len;
      } else {
        out += "\\x";
        out += kHex[c >> 4];
        out += kHex[c & 0xF];
        ++i;
      }
      continue;
    }
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\a':
        out += "\\a";
        break;
      case '\b':
        out += "\\b";
        break;
      case '\f':
        out += "\\f";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\t':
        out += "\\t";
        break;
      case '\v':
        out += "\\v";
        break;
      default:
        if (c < 0x20 || c == 0x7F) {
          out += "\\x";
          out += kHex[c >> 4];
          out += kHex[c & 0xF];
        } else {
          out += static_cast<char>(c);
        }
    }
    ++i;
  }
  out += '"';
  return out;
}

}  // namespace orch
