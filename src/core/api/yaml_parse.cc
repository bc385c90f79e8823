// YAML to JSON values over libyaml's events. The tree is built here, level by level on a heap stack
// (libyaml's own loader recurses, and yaml-cpp 0.7 both recurses and loops forever on some inputs),
// so every bound is checked before the work it bounds is done.
#include "src/core/api/yaml_parse.h"

#include <yaml.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <optional>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"

namespace orch::yaml {

using json::Json;

namespace {

bool IsOneOf(absl::string_view s, std::initializer_list<absl::string_view> options) {
  return std::find(options.begin(), options.end(), s) != options.end();
}

constexpr absl::string_view kStrTag = "tag:yaml.org,2002:str";

// The cost of a scalar in the alias budget: one node, plus its text in 32-byte units.
size_t ScalarCost(size_t length) { return 1 + length / 32; }

// One open sequence or mapping.
struct Frame {
  Json value;               // an array or an object
  std::string anchor;       // its anchor, recorded when it closes ("" for none)
  size_t cost_at_open = 0;  // the document's cost when it opened: its own cost is the difference
  size_t height = 0;        // levels below it
  // Mappings: the key waiting for its value, and the members merge keys brought.
  std::optional<std::string> key;
  bool key_is_merge = false;
  yaml_mark_t key_mark{};
  Json merged;  // null, or an object
};

// A completed anchored node, kept for its aliases.
struct Anchor {
  Json value;
  size_t cost = 0;
  size_t height = 0;
  bool complete = false;  // false while the node is still open (an alias to it would contain it)
};

class Composer {
 public:
  explicit Composer(absl::string_view source) : source_(source) {}

  // Feeds one event; false on an error (error()).
  bool Handle(const yaml_event_t& event);
  const std::string& error() const { return error_; }
  std::vector<Document>& documents() { return documents_; }

 private:
  bool Fail(const yaml_mark_t& mark, absl::string_view message);
  bool Scalar(const yaml_event_t& event);
  bool Alias(const yaml_event_t& event);
  bool Open(const yaml_event_t& event, Json container, const yaml_char_t* anchor);
  bool Close(const yaml_event_t& event);
  // Places a complete value in the innermost open node (or as the document's root).
  bool Add(Json value, size_t height, const yaml_mark_t& mark);
  bool Merge(Frame& map, const Json& value, const yaml_mark_t& mark);
  bool Record(const yaml_char_t* anchor, const Json& value, size_t cost, size_t height,
              const yaml_mark_t& mark);
  bool Charge(size_t cost, const yaml_mark_t& mark);
  // The field path of the value being read, "" at the root.
  std::string Path() const;

  absl::string_view source_;
  std::string error_;
  std::vector<Document> documents_;
  // The document being read.
  int document_ = 0;
  std::vector<Frame> open_;
  absl::flat_hash_map<std::string, Anchor> anchors_;
  size_t cost_ = 0;        // of the nodes the text holds
  size_t alias_cost_ = 0;  // of the nodes aliases and anchors copied
  bool have_root_ = false;
};

bool Composer::Fail(const yaml_mark_t& mark, absl::string_view message) {
  std::string path = Path();
  error_ = absl::StrCat(source_, ": document ", document_, ", line ", mark.line + 1, ", column ",
                        mark.column + 1, ": ", path.empty() ? "" : path + ": ", message);
  return false;
}

std::string Composer::Path() const {
  constexpr size_t kShown = 16;
  std::string path;
  for (size_t i = 0; i < open_.size() && i < kShown; ++i) {
    const Frame& frame = open_[i];
    if (frame.value.is_array()) {
      absl::StrAppend(&path, "[", frame.value.size(), "]");
    } else if (frame.key.has_value()) {
      path = json::Join(path, *frame.key);
    }
  }
  if (open_.size() > kShown) path += "...";
  return path;
}

bool Composer::Handle(const yaml_event_t& event) {
  switch (event.type) {
    case YAML_DOCUMENT_START_EVENT:
      ++document_;
      open_.clear();
      anchors_.clear();
      cost_ = alias_cost_ = 0;
      have_root_ = false;
      documents_.emplace_back();
      return true;
    case YAML_SCALAR_EVENT:
      return Scalar(event);
    case YAML_ALIAS_EVENT:
      return Alias(event);
    case YAML_SEQUENCE_START_EVENT:
      return Open(event, Json::array(), event.data.sequence_start.anchor);
    case YAML_MAPPING_START_EVENT:
      return Open(event, Json::object(), event.data.mapping_start.anchor);
    case YAML_SEQUENCE_END_EVENT:
    case YAML_MAPPING_END_EVENT:
      return Close(event);
    default:
      return true;
  }
}

bool Composer::Charge(size_t cost, const yaml_mark_t& mark) {
  const size_t allowed = std::min(kMaxAliasCost, kAliasRatio * cost_ + kAliasAllowance);
  if (alias_cost_ + cost > allowed) {
    return Fail(mark, absl::StrCat("aliases expand the document beyond ", allowed, " nodes (", kAliasRatio,
                                   " times its own size; an alias bomb?)"));
  }
  alias_cost_ += cost;
  return true;
}

bool Composer::Record(const yaml_char_t* anchor, const Json& value, size_t cost, size_t height,
                      const yaml_mark_t& mark) {
  if (anchor == nullptr) return true;
  // Keeping the copy costs what copying it for an alias would.
  if (!Charge(cost, mark)) return false;
  anchors_[reinterpret_cast<const char*>(anchor)] = Anchor{value, cost, height, true};
  return true;
}

bool Composer::Scalar(const yaml_event_t& event) {
  const auto& scalar = event.data.scalar;
  std::string text(reinterpret_cast<const char*>(scalar.value), scalar.length);
  const size_t cost = ScalarCost(text.size());
  cost_ += cost;
  const bool plain = scalar.style == YAML_PLAIN_SCALAR_STYLE || scalar.style == YAML_ANY_SCALAR_STYLE;
  const char* tag = reinterpret_cast<const char*>(scalar.tag);
  if (!open_.empty() && open_.back().value.is_object() && !open_.back().key.has_value()) {
    Frame& map = open_.back();
    map.key_is_merge = plain && tag == nullptr && text == "<<";
    map.key_mark = event.start_mark;
    map.key = std::move(text);
    return Record(scalar.anchor, Json(*map.key), cost, 0, event.start_mark);
  }
  Json value;
  // Quoted and block scalars, `!` and `!!str` stay strings; plain ones (also with other tags) resolve.
  if (!plain || (tag != nullptr && (tag == absl::string_view("!") || kStrTag == tag))) {
    value = std::move(text);
  } else {
    value = ResolvePlain(text);
    if (value.is_number_float() && !std::isfinite(value.get<double>())) {
      return Fail(event.start_mark,
                  absl::StrCat("Invalid value: ", text, ": infinity and NaN cannot be represented in JSON"));
    }
  }
  if (!Record(scalar.anchor, value, cost, 0, event.start_mark)) return false;
  return Add(std::move(value), 0, event.start_mark);
}

bool Composer::Alias(const yaml_event_t& event) {
  const char* name = reinterpret_cast<const char*>(event.data.alias.anchor);
  auto it = anchors_.find(name);
  if (it == anchors_.end()) return Fail(event.start_mark, absl::StrCat("unknown anchor \"", name, "\""));
  const Anchor& anchor = it->second;
  if (!anchor.complete) {
    return Fail(event.start_mark, absl::StrCat("alias *", name, " refers to a node that contains it"));
  }
  if (!open_.empty() && open_.back().value.is_object() && !open_.back().key.has_value()) {
    if (anchor.value.is_object() || anchor.value.is_array()) {
      return Fail(event.start_mark, "a mapping key must be a scalar");
    }
    Frame& map = open_.back();
    map.key_is_merge = false;
    map.key_mark = event.start_mark;
    map.key = anchor.value.is_string() ? anchor.value.get<std::string>() : json::Dump(anchor.value);
    return true;
  }
  if (open_.size() + anchor.height > json::kMaxDepth) {
    return Fail(event.start_mark, absl::StrCat("max depth exceeded: alias *", name, " nests deeper than ",
                                               json::kMaxDepth, " levels"));
  }
  if (!Charge(anchor.cost, event.start_mark)) return false;
  return Add(anchor.value, anchor.height, event.start_mark);
}

bool Composer::Open(const yaml_event_t& event, Json container, const yaml_char_t* anchor) {
  if (!open_.empty() && open_.back().value.is_object() && !open_.back().key.has_value()) {
    return Fail(event.start_mark, "a mapping key must be a scalar");
  }
  if (open_.size() >= json::kMaxDepth) {
    return Fail(event.start_mark,
                absl::StrCat("max depth exceeded: nesting deeper than ", json::kMaxDepth, " levels"));
  }
  cost_ += 1;
  Frame& frame = open_.emplace_back();
  frame.value = std::move(container);
  frame.cost_at_open = cost_ + alias_cost_;
  if (anchor != nullptr) {
    frame.anchor = reinterpret_cast<const char*>(anchor);
    anchors_[frame.anchor] = Anchor{};  // open: an alias to it now would be inside it
  }
  if (!have_root_) {
    documents_.back().line = static_cast<int>(event.start_mark.line) + 1;
    have_root_ = true;
  }
  return true;
}

bool Composer::Close(const yaml_event_t& event) {
  Frame frame = std::move(open_.back());
  open_.pop_back();
  if (frame.merged.is_object()) {
    // Members written in the mapping win over merged ones (YAML 1.1's merge key).
    for (auto& [key, value] : frame.merged.items()) frame.value.emplace(key, std::move(value));
  }
  const size_t cost = cost_ + alias_cost_ - frame.cost_at_open + 1;
  if (!frame.anchor.empty()) {
    if (!Record(reinterpret_cast<const yaml_char_t*>(frame.anchor.c_str()), frame.value, cost, frame.height,
                event.start_mark)) {
      return false;
    }
  }
  return Add(std::move(frame.value), frame.height + 1, event.start_mark);
}

bool Composer::Merge(Frame& map, const Json& value, const yaml_mark_t& mark) {
  auto merge_one = [&](const Json& source) {
    if (map.merged.is_null()) map.merged = Json::object();
    // The first mapping to name a key wins, as YAML 1.1 orders a merged sequence.
    for (const auto& [key, member] : source.items()) map.merged.emplace(key, member);
  };
  if (value.is_object()) {
    merge_one(value);
    return true;
  }
  if (value.is_array() &&
      std::all_of(value.begin(), value.end(), [](const Json& j) { return j.is_object(); })) {
    for (const Json& source : value) merge_one(source);
    return true;
  }
  return Fail(mark, "a merge key (<<) needs a mapping or a sequence of mappings");
}

bool Composer::Add(Json value, size_t height, const yaml_mark_t& mark) {
  if (open_.empty()) {
    if (!have_root_) documents_.back().line = static_cast<int>(mark.line) + 1;
    have_root_ = true;
    documents_.back().value = std::move(value);
    return true;
  }
  Frame& top = open_.back();
  top.height = std::max(top.height, height);
  if (top.value.is_array()) {
    top.value.push_back(std::move(value));
    return true;
  }
  std::string key = std::move(*top.key);
  top.key.reset();
  if (top.key_is_merge) return Merge(top, value, top.key_mark);
  if (top.value.contains(key)) {
    const yaml_mark_t key_mark = top.key_mark;
    return Fail(key_mark, absl::StrCat("duplicate field \"", key, "\""));
  }
  top.value.emplace(std::move(key), std::move(value));
  return true;
}

// libyaml's parser and event, freed on every path.
class Parser {
 public:
  Parser() { ok_ = yaml_parser_initialize(&parser_) != 0; }
  ~Parser() {
    if (ok_) yaml_parser_delete(&parser_);
  }
  Parser(const Parser&) = delete;
  Parser& operator=(const Parser&) = delete;
  bool ok() const { return ok_; }
  yaml_parser_t* get() { return &parser_; }

 private:
  yaml_parser_t parser_;
  bool ok_ = false;
};

struct Event {
  ~Event() { yaml_event_delete(&event); }
  yaml_event_t event{};
};

}  // namespace

json::Json ResolvePlain(const std::string& s) {
  if (IsOneOf(s, {"", "~", "null", "Null", "NULL"})) return nullptr;
  if (IsOneOf(s, {"true", "True", "TRUE", "yes", "Yes", "YES", "on", "On", "ON"})) return true;
  if (IsOneOf(s, {"false", "False", "FALSE", "no", "No", "NO", "off", "Off", "OFF"})) return false;
  int64_t i = 0;
  if (absl::SimpleAtoi(s, &i) && (std::isdigit(static_cast<unsigned char>(s.back())) != 0)) return i;
  uint64_t u = 0;
  if (s.size() > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X') && absl::SimpleHexAtoi(s.substr(2), &u) &&
      u <= static_cast<uint64_t>(std::numeric_limits<int64_t>::max())) {
    return static_cast<int64_t>(u);
  }
  if (IsOneOf(s, {".inf", ".Inf", ".INF", "+.inf", "+.Inf", "+.INF"})) {
    return std::numeric_limits<double>::infinity();
  }
  if (IsOneOf(s, {"-.inf", "-.Inf", "-.INF"})) return -std::numeric_limits<double>::infinity();
  if (IsOneOf(s, {".nan", ".NaN", ".NAN"})) return std::numeric_limits<double>::quiet_NaN();
  // A float needs a digit and only number characters: "1.5", "1e3", "-0.5"; not "1.2.3" or "v1".
  bool numeric =
      std::any_of(s.begin(), s.end(), [](char c) { return std::isdigit(static_cast<unsigned char>(c)); });
  for (char c : s) {
    if (!(std::isdigit(static_cast<unsigned char>(c)) || c == '.' || c == 'e' || c == 'E' || c == '+' ||
          c == '-')) {
      numeric = false;
    }
  }
  // A float out of a double's range stays text, as go-yaml leaves it.
  double d = 0;
  if (numeric && absl::SimpleAtod(s, &d) && std::isfinite(d)) return d;
  return s;
}

absl::Status ParseDocuments(absl::string_view text, absl::string_view source, std::vector<Document>* out) {
  Parser parser;
  if (!parser.ok()) return absl::ResourceExhaustedError(absl::StrCat(source, ": out of memory"));
  yaml_parser_set_input_string(parser.get(), reinterpret_cast<const unsigned char*>(text.data()),
                               text.size());
  Composer composer(source);
  for (;;) {
    Event event;
    if (yaml_parser_parse(parser.get(), &event.event) == 0) {
      const yaml_parser_t& p = *parser.get();
      const int document = std::max<int>(1, static_cast<int>(composer.documents().size()));
      std::string problem = p.problem != nullptr ? p.problem : "invalid YAML";
      // The context says where the construct that is not closed began.
      if (p.context != nullptr) {
        absl::StrAppend(&problem, " ", p.context, " started at line ", p.context_mark.line + 1, ", column ",
                        p.context_mark.column + 1);
      }
      // Syntax errors keep the form they had before libyaml ("file: line L, column C"), which
      // tools match; the document follows.
      return absl::InvalidArgumentError(absl::StrCat(source, ": line ", p.problem_mark.line + 1, ", column ",
                                                     p.problem_mark.column + 1, " (document ", document,
                                                     "): ", problem));
    }
    if (!composer.Handle(event.event)) return absl::InvalidArgumentError(composer.error());
    if (event.event.type == YAML_STREAM_END_EVENT) break;
  }
  *out = std::move(composer.documents());
  return absl::OkStatus();
}

}  // namespace orch::yaml
