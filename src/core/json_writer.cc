#include "src/core/json_writer.h"

#include "absl/strings/str_cat.h"

namespace orch::json {
namespace {

// The length of the valid UTF-8 sequence starting at s[i], or 0 if it is not valid.
size_t Utf8Length(absl::string_view s, size_t i) {
  auto byte = [&](size_t k) { return static_cast<unsigned char>(s[k]); };
  unsigned char c = byte(i);
  size_t n = c < 0xC2 ? 0 : c < 0xE0 ? 2 : c < 0xF0 ? 3 : c < 0xF5 ? 4 : 0;
  if (n == 0 || i + n > s.size()) return 0;
  for (size_t k = 1; k < n; ++k) {
    if ((byte(i + k) & 0xC0) != 0x80) return 0;
  }
  // Overlong forms, surrogates and code points past U+10FFFF.
  if (c == 0xE0 && byte(i + 1) < 0xA0) return 0;
  if (c == 0xED && byte(i + 1) > 0x9F) return 0;
  if (c == 0xF0 && byte(i + 1) < 0x90) return 0;
  if (c == 0xF4 && byte(i + 1) > 0x8F) return 0;
  return n;
}

}  // namespace

void AppendQuoted(std::string* out, absl::string_view s) {
  static constexpr char kHex[] = "0123456789abcdef";
  out->reserve(out->size() + s.size() + 2);
  out->push_back('"');
  size_t plain_start = 0;
  auto flush = [&](size_t end) { out->append(s.data() + plain_start, end - plain_start); };
  for (size_t i = 0; i < s.size();) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    if (c >= 0x20 && c != '"' && c != '\\' && c < 0x80) {
      ++i;
      continue;
    }
    if (c >= 0x80) {
      size_t n = Utf8Length(s, i);
      if (n > 0) {
        i += n;
        continue;
      }
      flush(i);
      out->append("\xEF\xBF\xBD");  // U+FFFD
      plain_start = ++i;
      continue;
    }
    flush(i);
    switch (c) {
      case '"': out->append("\\\""); break;
      case '\\': out->append("\\\\"); break;
      case '\n': out->append("\\n"); break;
      case '\r': out->append("\\r"); break;
      case '\t': out->append("\\t"); break;
      case '\b': out->append("\\b"); break;
      case '\f': out->append("\\f"); break;
      default:
        out->append("\\u00");
        out->push_back(kHex[c >> 4]);
        out->push_back(kHex[c & 0xF]);
    }
    plain_start = ++i;
  }
  flush(s.size());
  out->push_back('"');
}

std::string* MemberWriter::Key(absl::string_view key) {
  if (!first_) out_->push_back(',');
  first_ = false;
  AppendQuoted(out_, key);
  out_->push_back(':');
  return out_;
}

void MemberWriter::String(absl::string_view key, absl::string_view value) { AppendQuoted(Key(key), value); }

void MemberWriter::Int(absl::string_view key, int64_t value) { absl::StrAppend(Key(key), value); }

void MemberWriter::Bool(absl::string_view key, bool value) { Key(key)->append(value ? "true" : "false"); }

void MemberWriter::Raw(absl::string_view key, absl::string_view raw) { Key(key)->append(raw.data(), raw.size()); }

void MemberWriter::Splice(absl::string_view object_text) {
  // Skip the braces and any whitespace around the members.
  size_t begin = object_text.find('{');
  size_t end = object_text.rfind('}');
  if (begin == absl::string_view::npos || end == absl::string_view::npos || end <= begin) return;
  absl::string_view members = object_text.substr(begin + 1, end - begin - 1);
  while (!members.empty() && (members.front() == ' ' || members.front() == '\n' || members.front() == '\t' ||
                              members.front() == '\r')) {
    members.remove_prefix(1);
  }
  if (members.empty()) return;
  if (!first_) out_->push_back(',');
  first_ = false;
  out_->append(members.data(), members.size());
}

}  // namespace orch::json
