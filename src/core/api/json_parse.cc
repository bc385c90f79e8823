// json::Parse: nlohmann's tokenizer with a tree builder of orch's own, so that the limits Kubernetes'
// decoders have (depth, duplicate members, numbers a double cannot hold) are errors naming a field
// path, and nothing throws.
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "src/core/api/json_util.h"

namespace orch::json {
namespace {

// An nlohmann SAX handler that builds the tree (as nlohmann's json_sax_dom_parser does) and stops at
// the first problem, remembering it. It never throws.
class TreeBuilder {
 public:
  explicit TreeBuilder(Json* root) : root_(root) {}

  bool null() { return Value(nullptr); }
  bool boolean(bool value) { return Value(value); }
  bool number_integer(Json::number_integer_t value) { return Value(value); }
  bool number_unsigned(Json::number_unsigned_t value) { return Value(value); }
  bool number_float(Json::number_float_t value, const std::string&) { return Value(value); }
  bool string(std::string& value) { return Value(std::move(value)); }
  bool binary(Json::binary_t&) { return true; }  // JSON text has none

  bool start_object(size_t) { return Open(Json::object()); }
  bool start_array(size_t) { return Open(Json::array()); }
  bool end_object() { return Close(); }
  bool end_array() { return Close(); }

  bool key(std::string& key) {
    Json::object_t* members = open_.back()->get_ptr<Json::object_t*>();
    auto [it, inserted] = members->try_emplace(std::move(key), nullptr);
    if (!inserted) {
      std::string object_path = Path(open_.size() - 1, 16);
      error_ = absl::StrCat(object_path.empty() ? "" : object_path + ": ", "duplicate field \"", key, "\"");
      return false;
    }
    keys_.back() = &it->first;
    member_ = &it->second;
    return true;
  }

  bool parse_error(size_t position, const std::string& token, const nlohmann::detail::exception& e) {
    if (e.id == 406) {  // out_of_range: a number a double cannot hold
      std::string path = Path(open_.size(), 16);
      error_ = absl::StrCat(path.empty() ? "" : path + ": ", "Invalid value: ", token.substr(0, 64),
                            ": number out of range (at byte ", position, ")");
    } else {
      error_ =
          absl::StrCat("invalid JSON at byte ", position, ": ", absl::string_view(e.what()).substr(0, 200));
    }
    return false;
  }

  const std::string& error() const { return error_; }

 private:
  // Where the next value goes: the root, a new array element, or the member key() made.
  Json* Slot() {
    if (open_.empty()) return root_;
    if (open_.back()->is_array()) return &open_.back()->get_ptr<Json::array_t*>()->emplace_back();
    return member_;
  }

  template <class V>
  bool Value(V&& value) {
    *Slot() = Json(std::forward<V>(value));
    return true;
  }

  bool Open(Json container) {
    if (open_.size() >= kMaxDepth) {
      error_ = absl::StrCat("max depth exceeded: nesting deeper than ", kMaxDepth, " levels (under ",
                            Path(open_.size(), 8), ")");
      return false;
    }
    Json* slot = Slot();
    *slot = std::move(container);
    open_.push_back(slot);
    keys_.push_back(nullptr);
    return true;
  }

  bool Close() {
    open_.pop_back();
    keys_.pop_back();
    return true;
  }

  // The path of the value being read, through the first `levels` open containers: the member
  // key() named in an object, the element being added in an array. At most `shown` steps are
  // written, then "...": the path of a thousand levels says little beyond where it starts.
  std::string Path(size_t levels, size_t shown) const {
    std::string path;
    for (size_t i = 0; i < levels && i < shown; ++i) {
      if (open_[i]->is_array()) {
        // An array holding the next open container has it as its last element already.
        size_t size = open_[i]->size();
        absl::StrAppend(&path, "[", i + 1 < open_.size() ? size - 1 : size, "]");
      } else if (keys_[i] != nullptr) {
        path = Join(path, *keys_[i]);
      }
    }
    if (levels > shown) path += "...";
    return path;
  }

  Json* root_;
  std::vector<Json*> open_;               // the arrays and objects being filled, outermost first
  std::vector<const std::string*> keys_;  // per open object, the key of its last member
  Json* member_ = nullptr;                // the value key() made in the innermost object
  std::string error_;
};

}  // namespace

absl::Status Parse(absl::string_view text, absl::string_view what, Json* out) {
  Json root;
  TreeBuilder builder(&root);
  bool ok = false;
  try {
    ok = Json::sax_parse(text.begin(), text.end(), &builder);
  } catch (const std::exception& e) {  // nlohmann's input adapters; not expected
    return absl::InvalidArgumentError(absl::StrCat(what, ": invalid JSON: ", e.what()));
  }
  if (!ok) {
    return absl::InvalidArgumentError(
        absl::StrCat(what, ": ", builder.error().empty() ? "invalid JSON" : builder.error()));
  }
  *out = std::move(root);
  return absl::OkStatus();
}

}  // namespace orch::json
