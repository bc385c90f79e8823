#include "src/core/api/field_errors.h"

#include <arpa/inet.h>

#include <cstddef>
#include <string>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"

namespace orch::validation {
namespace {

std::string MaxLenError(int length) { return absl::StrCat("must be no more than ", length, " characters"); }

// validation.hasChDirPrefix: names that would step out of a directory.
void AppendChDirPrefixErrors(absl::string_view value, std::vector<std::string>* errs) {
  if (value == ".") {
    errs->push_back("must not be '.'");
  } else if (value == "..") {
    errs->push_back("must not be '..'");
  } else if (absl::StartsWith(value, "..")) {
    errs->push_back("must not start with '..'");
  }
}

bool IsAsciiLetter(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
bool IsDigit(char c) { return c >= '0' && c <= '9'; }

}  // namespace

std::string Child(absl::string_view path, absl::string_view name) {
  if (path.empty()) return std::string(name);
  return absl::StrCat(path, ".", name);
}

std::string Index(absl::string_view path, size_t index) { return absl::StrCat(path, "[", index, "]"); }

std::string Key(absl::string_view path, absl::string_view key) { return absl::StrCat(path, "[", key, "]"); }

std::string FieldInvalidRaw(absl::string_view path, absl::string_view raw, absl::string_view detail) {
  std::string out = absl::StrCat(path, ": Invalid value: ", raw);
  if (!detail.empty()) absl::StrAppend(&out, ": ", detail);
  return out;
}

std::string FieldInvalidInt(absl::string_view path, int64_t value, absl::string_view detail) {
  return FieldInvalidRaw(path, absl::StrCat(value), detail);
}

std::string FieldInvalidNull(absl::string_view path, absl::string_view detail) {
  return FieldInvalidRaw(path, "\"null\"", detail);
}

std::string FieldDuplicate(absl::string_view path, absl::string_view value) {
  return absl::StrCat(path, ": Duplicate value: ", GoQuote(value));
}

std::string FieldDuplicateRaw(absl::string_view path, absl::string_view raw, absl::string_view detail) {
  std::string out = absl::StrCat(path, ": Duplicate value: ", raw);
  if (!detail.empty()) absl::StrAppend(&out, ": ", detail);
  return out;
}

std::string FieldNotFound(absl::string_view path, absl::string_view value) {
  return absl::StrCat(path, ": Not found: ", GoQuote(value));
}

std::string InclusiveRangeError(int64_t lo, int64_t hi) {
  return absl::StrCat("must be between ", lo, " and ", hi, ", inclusive");
}

std::string RegexError(absl::string_view msg, absl::string_view fmt,
                       const std::vector<absl::string_view>& examples) {
  std::string out(msg);
  if (examples.empty()) return absl::StrCat(out, " (regex used for validation is '", fmt, "')");
  out += " (e.g. ";
  for (size_t i = 0; i < examples.size(); ++i) {
    if (i > 0) out += " or ";
    absl::StrAppend(&out, "'", examples[i], "', ");
  }
  absl::StrAppend(&out, "regex used for validation is '", fmt, "')");
  return out;
}

void ValidateNonnegative(int64_t value, absl::string_view path, FieldErrors* errs) {
  if (value < 0) errs->push_back(FieldInvalidInt(path, value, kIsNegativeErrorMsg));
}

std::vector<std::string> IsValidPortNum(int64_t port) {
  if (port >= 1 && port <= 65535) return {};
  return {InclusiveRangeError(1, 65535)};
}

std::vector<std::string> IsValidPortName(absl::string_view name) {
  std::vector<std::string> errs;
  if (name.size() > 15) errs.push_back(MaxLenError(15));
  bool charset_ok = !name.empty();
  bool has_letter = false;
  for (char c : name) {
    if (c >= 'a' && c <= 'z') {
      has_letter = true;
    } else if (!IsDigit(c) && c != '-') {
      charset_ok = false;
    }
  }
  if (!charset_ok) errs.push_back("must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)");
  if (!has_letter) errs.push_back("must contain at least one letter (a-z)");
  if (absl::StrContains(name, "--")) errs.push_back("must not contain consecutive hyphens");
  if (!name.empty() && (name.front() == '-' || name.back() == '-')) {
    errs.push_back("must not begin or end with a hyphen");
  }
  return errs;
}

std::vector<std::string> IsEnvVarName(absl::string_view name) {
  std::vector<std::string> errs;
  // [-._a-zA-Z][-._a-zA-Z0-9]*
  bool ok = !name.empty() && !IsDigit(name.front());
  for (char c : name) {
    if (!IsAsciiLetter(c) && !IsDigit(c) && c != '-' && c != '.' && c != '_') ok = false;
  }
  if (!ok) {
    errs.push_back(RegexError(
        "a valid environment variable name must consist of alphabetic characters, digits, '_', '-', or '.', "
        "and must not start with a digit",
        "[-._a-zA-Z][-._a-zA-Z0-9]*", {"my.env-name", "MY_ENV.NAME", "MyEnvName1"}));
  }
  AppendChDirPrefixErrors(name, &errs);
  return errs;
}

std::vector<std::string> IsConfigMapKey(absl::string_view key) {
  std::vector<std::string> errs;
  if (key.size() > static_cast<size_t>(kDns1123SubdomainMaxLength)) {
    errs.push_back(MaxLenError(kDns1123SubdomainMaxLength));
  }
  bool ok = !key.empty();
  for (char c : key) {
    if (!IsAsciiLetter(c) && !IsDigit(c) && c != '-' && c != '.' && c != '_') ok = false;
  }
  if (!ok) {
    errs.push_back(RegexError("a valid config key must consist of alphanumeric characters, '-', '_' or '.'",
                              "[-._a-zA-Z0-9]+", {"key.name", "KEY_NAME", "key-name"}));
  }
  AppendChDirPrefixErrors(key, &errs);
  return errs;
}

std::vector<std::string> IsValidPercent(absl::string_view percent) {
  bool ok = percent.size() >= 2 && percent.back() == '%';
  for (size_t i = 0; ok && i + 1 < percent.size(); ++i) ok = IsDigit(percent[i]);
  if (ok) return {};
  return {RegexError("a valid percent string must be a numeric string followed by an ending '%'", "[0-9]+%",
                     {"1%", "93%"})};
}

std::vector<std::string> IsHttpHeaderName(absl::string_view name) {
  bool ok = !name.empty();
  for (char c : name) {
    if (!IsAsciiLetter(c) && !IsDigit(c) && c != '-') ok = false;
  }
  if (ok) return {};
  return {RegexError("a valid HTTP header must consist of alphanumeric characters or '-'", "[-A-Za-z0-9]+",
                     {"X-Header-Name"})};
}

bool IsValidIp(absl::string_view ip) {
  if (ip.empty() || ip.size() > 64) return false;
  std::string text(ip);
  unsigned char buf[16];
  return inet_pton(AF_INET, text.c_str(), buf) == 1 || inet_pton(AF_INET6, text.c_str(), buf) == 1;
}

bool IsValidCidr(absl::string_view cidr) {
  size_t slash = cidr.find('/');
  if (slash == absl::string_view::npos) return false;
  absl::string_view ip = cidr.substr(0, slash);
  absl::string_view bits_text = cidr.substr(slash + 1);
  int bits = 0;
  if (bits_text.empty() || bits_text.size() > 3 || !absl::SimpleAtoi(bits_text, &bits)) return false;
  for (char c : bits_text) {
    if (!IsDigit(c)) return false;
  }
  if (!IsValidIp(ip)) return false;
  int max_bits = absl::StrContains(ip, ':') ? 128 : 32;
  return bits >= 0 && bits <= max_bits;
}

std::string GoMap(const Labels& labels) {
  if (labels.empty()) return "map[string]string(nil)";
  std::vector<std::string> entries;
  entries.reserve(labels.size());
  for (const auto& [key, value] : labels) entries.push_back(absl::StrCat(GoQuote(key), ":", GoQuote(value)));
  return absl::StrCat("map[string]string{", absl::StrJoin(entries, ", "), "}");
}

std::string GoStringSlice(const std::vector<std::string>& values) {
  if (values.empty()) return "[]string(nil)";
  std::vector<std::string> quoted;
  quoted.reserve(values.size());
  for (const std::string& v : values) quoted.push_back(GoQuote(v));
  return absl::StrCat("[]string{", absl::StrJoin(quoted, ", "), "}");
}

std::string GoLabelSelector(const LabelSelectorSpec& selector) {
  std::string expressions = "[]v1.LabelSelectorRequirement(nil)";
  if (!selector.matchExpressions.empty()) {
    std::vector<std::string> items;
    for (const LabelSelectorRequirement& r : selector.matchExpressions) {
      items.push_back(absl::StrCat("v1.LabelSelectorRequirement{Key:", GoQuote(r.key), ", Operator:",
                                   GoQuote(r.operator_), ", Values:", GoStringSlice(r.values), "}"));
    }
    expressions = absl::StrCat("[]v1.LabelSelectorRequirement{", absl::StrJoin(items, ", "), "}");
  }
  return absl::StrCat("v1.LabelSelector{MatchLabels:", GoMap(selector.matchLabels),
                      ", MatchExpressions:", expressions, "}");
}

std::string GoIntOrString(const IntOrString& value) {
  return value.IsInt() ? absl::StrCat(value.intVal) : value.strVal;
}

}  // namespace orch::validation
