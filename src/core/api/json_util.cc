#include "src/core/api/json_util.h"

#include <algorithm>
#include <limits>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"

namespace orch::json {

void Errors::Add(absl::string_view path, absl::string_view message) {
  errors_.push_back(path.empty() ? std::string(message) : absl::StrCat(path, ": ", message));
}

absl::Status Errors::ToStatus(absl::string_view prefix) const {
  if (errors_.empty()) return absl::OkStatus();
  std::string joined = absl::StrJoin(errors_, "; ");
  return absl::InvalidArgumentError(prefix.empty() ? joined : absl::StrCat(prefix, ": ", joined));
}

std::string Join(absl::string_view path, absl::string_view key) {
  return path.empty() ? std::string(key) : absl::StrCat(path, ".", key);
}

std::string Index(absl::string_view path, size_t index) { return absl::StrCat(path, "[", index, "]"); }

ObjectReader::ObjectReader(const Json& value, std::string path, Errors* errors)
    : object_(value.is_object() ? &value : nullptr), path_(std::move(path)), errors_(errors) {
  if (!value.is_object() && !value.is_null()) {
    errors_->Add(path_, absl::StrCat("expected object, got ", value.type_name()));
  }
}

const Json* ObjectReader::Get(absl::string_view key) {
  if (object_ == nullptr) return nullptr;
  auto it = object_->find(std::string(key));
  if (it == object_->end()) return nullptr;
  read_.emplace_back(key);
  if (it->is_null()) return nullptr;
  return &*it;
}

namespace {

std::string TypeError(absl::string_view expected, const Json& got) {
  return absl::StrCat("expected ", expected, ", got ", got.type_name());
}

}  // namespace

void ObjectReader::Read(absl::string_view key, std::string* out) {
  const Json* m = Get(key);
  if (m == nullptr) return;
  if (!m->is_string()) return errors_->Add(PathOf(key), TypeError("string", *m));
  *out = m->get_ref<const std::string&>();
}

void ObjectReader::Read(absl::string_view key, bool* out) {
  const Json* m = Get(key);
  if (m == nullptr) return;
  if (!m->is_boolean()) return errors_->Add(PathOf(key), TypeError("boolean", *m));
  *out = m->get<bool>();
}

namespace {

// Reads an integer member in [lo, hi]; JSON numbers with a zero fraction (1.0) count as integers,
// as Go's decoder accepts them.
template <class Int>
bool ReadInteger(const Json& m, const std::string& path, Errors* errors, Int* out) {
  constexpr auto lo = std::numeric_limits<Int>::min();
  constexpr auto hi = std::numeric_limits<Int>::max();
  if (m.is_number_integer()) {
    if (m.is_number_unsigned()) {
      uint64_t v = m.get<uint64_t>();
      if (v > static_cast<uint64_t>(hi)) {
        errors->Add(path, absl::StrCat("value ", v, " out of range"));
        return false;
      }
      *out = static_cast<Int>(v);
      return true;
    }
    int64_t v = m.get<int64_t>();
    if (v < static_cast<int64_t>(lo) || v > static_cast<int64_t>(hi)) {
      errors->Add(path, absl::StrCat("value ", v, " out of range"));
      return false;
    }
    *out = static_cast<Int>(v);
    return true;
  }
  if (m.is_number_float()) {
    double d = m.get<double>();
    if (d == static_cast<double>(static_cast<int64_t>(d)) && d >= static_cast<double>(lo) &&
        d <= static_cast<double>(hi)) {
      *out = static_cast<Int>(d);
      return true;
    }
  }
  errors->Add(path, TypeError("integer", m));
  return false;
}

}  // namespace

void ObjectReader::Read(absl::string_view key, int32_t* out) {
  if (const Json* m = Get(key)) ReadInteger(*m, PathOf(key), errors_, out);
}

void ObjectReader::Read(absl::string_view key, int64_t* out) {
  if (const Json* m = Get(key)) ReadInteger(*m, PathOf(key), errors_, out);
}

void ObjectReader::Read(absl::string_view key, double* out) {
  const Json* m = Get(key);
  if (m == nullptr) return;
  if (!m->is_number()) return errors_->Add(PathOf(key), TypeError("number", *m));
  *out = m->get<double>();
}

void ObjectReader::Read(absl::string_view key, std::optional<std::string>* out) {
  const Json* m = Get(key);
  if (m == nullptr) return;
  if (!m->is_string()) return errors_->Add(PathOf(key), TypeError("string", *m));
  *out = m->get_ref<const std::string&>();
}

void ObjectReader::Read(absl::string_view key, std::optional<bool>* out) {
  const Json* m = Get(key);
  if (m == nullptr) return;
  if (!m->is_boolean()) return errors_->Add(PathOf(key), TypeError("boolean", *m));
  *out = m->get<bool>();
}

void ObjectReader::Read(absl::string_view key, std::optional<int32_t>* out) {
  const Json* m = Get(key);
  int32_t v = 0;
  if (m != nullptr && ReadInteger(*m, PathOf(key), errors_, &v)) *out = v;
}

void ObjectReader::Read(absl::string_view key, std::optional<int64_t>* out) {
  const Json* m = Get(key);
  int64_t v = 0;
  if (m != nullptr && ReadInteger(*m, PathOf(key), errors_, &v)) *out = v;
}

void ObjectReader::Read(absl::string_view key, Labels* out) {
  const Json* m = Get(key);
  if (m == nullptr) return;
  if (!m->is_object()) return errors_->Add(PathOf(key), TypeError("object", *m));
  out->clear();
  for (const auto& [k, v] : m->items()) {
    if (v.is_string()) {
      (*out)[k] = v.get_ref<const std::string&>();
    } else if (!v.is_null()) {
      errors_->Add(Join(PathOf(key), k), TypeError("string", v));
    }
  }
}

void ObjectReader::Read(absl::string_view key, std::vector<std::string>* out) {
  const Json* m = Get(key);
  if (m == nullptr) return;
  if (!m->is_array()) return errors_->Add(PathOf(key), TypeError("array", *m));
  out->clear();
  for (size_t i = 0; i < m->size(); ++i) {
    const Json& v = (*m)[i];
    if (!v.is_string()) {
      errors_->Add(Index(PathOf(key), i), TypeError("string", v));
      continue;
    }
    out->push_back(v.get_ref<const std::string&>());
  }
}

void ObjectReader::Read(absl::string_view key, Time* out) {
  const Json* m = Get(key);
  if (m == nullptr) return;
  if (!m->is_string()) return errors_->Add(PathOf(key), TypeError("RFC 3339 time string", *m));
  std::optional<Time> t = Time::Parse(m->get_ref<const std::string&>());
  if (!t) {
    return errors_->Add(PathOf(key), absl::StrCat("Invalid value: \"", m->get_ref<const std::string&>(),
                                                  "\": expected an RFC 3339 time"));
  }
  *out = *t;
}

UnknownFields ObjectReader::Unknown() const {
  if (object_ == nullptr || object_->size() == read_.size()) return {};
  Json rest = Json::object();
  for (const auto& [k, v] : object_->items()) {
    if (std::find(read_.begin(), read_.end(), k) == read_.end()) rest[k] = v;
  }
  if (rest.empty()) return {};
  return UnknownFields{Dump(rest)};
}

Json StartObject(const UnknownFields& unknown) {
  if (unknown.empty()) return Json::object();
  Json j = Json::parse(unknown.json, nullptr, /*allow_exceptions=*/false);
  return j.is_object() ? j : Json::object();
}

void SetIfNotEmpty(Json& j, const char* key, const std::string& value) {
  if (!value.empty()) j[key] = value;
}

void SetIfNotEmpty(Json& j, const char* key, const Labels& value) {
  if (!value.empty()) j[key] = value;
}

void SetIfNotEmpty(Json& j, const char* key, const std::vector<std::string>& value) {
  if (!value.empty()) j[key] = value;
}

void SetIfSet(Json& j, const char* key, const Time& value) {
  if (value.IsSet()) j[key] = value.ToRfc3339();
}

void SetIfNotEmptyJson(Json& j, const char* key, Json value) {
  if (value.is_null() || ((value.is_object() || value.is_array()) && value.empty())) return;
  j[key] = std::move(value);
}

std::string Dump(const Json& j) { return j.dump(-1, ' ', false, Json::error_handler_t::replace); }

}  // namespace orch::json
