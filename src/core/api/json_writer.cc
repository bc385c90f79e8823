#include "src/core/api/json_writer.h"

#include <cstdint>
#include <cstring>

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

// Whether any of the eight bytes at p is below 0x20, '"', '\\' or 0x80 and above, tested a word at a
// time: (x - 0x01..) & ~x & 0x80.. is non-zero exactly when some byte of x is zero, and
// (w - 0x20..) & ~w & 0x80.. exactly when some byte is below 0x20 if none has its high bit set (a
// word with a high bit set is flagged anyway).
bool AnySpecialByte(const char* p) {
  constexpr uint64_t kOnes = 0x0101010101010101ULL;
  constexpr uint64_t kHigh = 0x8080808080808080ULL;
  uint64_t w;
  std::memcpy(&w, p, sizeof w);
  auto has_zero = [&](uint64_t x) { return (x - kOnes) & ~x & kHigh; };
  const uint64_t below_space = (w - kOnes * 0x20) & ~w & kHigh;
  return ((below_space | has_zero(w ^ (kOnes * '"')) | has_zero(w ^ (kOnes * '\\')) | w) & kHigh) != 0;
}

// The length of the prefix of `s` that needs no escaping.
size_t PlainPrefix(absl::string_view s) {
  size_t i = 0;
  while (i + 8 <= s.size() && !AnySpecialByte(s.data() + i)) i += 8;
  while (i < s.size()) {
    const unsigned char c = static_cast<unsigned char>(s[i]);
    if (c < 0x20 || c == '"' || c == '\\' || c >= 0x80) break;
    ++i;
  }
  return i;
}

// Appends `before`, then s quoted, then `after` (each at most one character, '\0' for none) in one
// resize: s must need no escaping. Most keys and values are short and plain, and growing the
// string a character at a time cost more than the copy.
void AppendPlainQuoted(std::string* out, char before, absl::string_view s, char after) {
  const size_t old = out->size();
  const size_t extra = (before != '\0' ? 1 : 0) + (after != '\0' ? 1 : 0);
  out->resize(old + s.size() + 2 + extra);
  char* p = out->data() + old;
  if (before != '\0') *p++ = before;
  *p++ = '"';
  if (!s.empty()) std::memcpy(p, s.data(), s.size());
  p += s.size();
  *p++ = '"';
  if (after != '\0') *p = after;
}

}  // namespace

void AppendQuoted(std::string* out, absl::string_view s) {
  static constexpr char kHex[] = "0123456789abcdef";
  if (PlainPrefix(s) == s.size()) {
    AppendPlainQuoted(out, '\0', s, '\0');
    return;
  }
  out->reserve(out->size() + s.size() + 2);
  out->push_back('"');
  size_t plain_start = 0;
  auto flush = [&](size_t end) { out->append(s.data() + plain_start, end - plain_start); };
  for (size_t i = 0; i < s.size();) {
    // Eight bytes at a time while none needs a look: no control byte, quote, backslash or non-ASCII.
    while (i + 8 <= s.size() && !AnySpecialByte(s.data() + i)) i += 8;
    if (i == s.size()) break;
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
      case '"':
        out->append("\\\"");
        break;
      case '\\':
        out->append("\\\\");
        break;
      case '\n':
        out->append("\\n");
        break;
      case '\r':
        out->append("\\r");
        break;
      case '\t':
        out->append("\\t");
        break;
      case '\b':
        out->append("\\b");
        break;
      case '\f':
        out->append("\\f");
        break;
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
  const char comma = first_ ? '\0' : ',';
  first_ = false;
  if (PlainPrefix(key) == key.size()) {
    AppendPlainQuoted(out_, comma, key, ':');
    return out_;
  }
  if (comma != '\0') out_->push_back(comma);
  AppendQuoted(out_, key);
  out_->push_back(':');
  return out_;
}

void MemberWriter::String(absl::string_view key, absl::string_view value) { AppendQuoted(Key(key), value); }

void MemberWriter::Int(absl::string_view key, int64_t value) { absl::StrAppend(Key(key), value); }

void MemberWriter::Bool(absl::string_view key, bool value) { Key(key)->append(value ? "true" : "false"); }

void MemberWriter::Raw(absl::string_view key, absl::string_view raw) {
  Key(key)->append(raw.data(), raw.size());
}

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
