// The generic codec: TypeMeta, ObjectMeta, Time and the split of a document into Object parts.
#include <string>

#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "orch/api/codec.h"
#include "orch/api/object.h"
#include "src/core/api/json_util.h"
#include "src/core/api/json_writer.h"
#include "src/core/api/selectable_fields.h"

namespace orch {

using json::Json;

absl::string_view TypeMeta::Group() const {
  absl::string_view v = apiVersion;
  size_t slash = v.find('/');
  return slash == absl::string_view::npos ? absl::string_view() : v.substr(0, slash);
}

absl::string_view TypeMeta::Version() const {
  absl::string_view v = apiVersion;
  size_t slash = v.find('/');
  return slash == absl::string_view::npos ? v : v.substr(slash + 1);
}

namespace {

// Days since 1970-01-01 of a proleptic Gregorian date, and back (Howard Hinnant's civil-date
// algorithms, counting in 400-year eras of 146,097 days whose years start on 1 March).
int64_t DaysFromCivil(int64_t year, int64_t month, int64_t day) {
  year -= month <= 2 ? 1 : 0;
  const int64_t era = (year >= 0 ? year : year - 399) / 400;
  const int64_t year_of_era = year - era * 400;
  const int64_t day_of_year = (153 * (month > 2 ? month - 3 : month + 9) + 2) / 5 + day - 1;
  const int64_t day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
  return era * 146097 + day_of_era - 719468;
}

void CivilFromDays(int64_t days, int64_t* year, int64_t* month, int64_t* day) {
  days += 719468;
  const int64_t era = (days >= 0 ? days : days - 146096) / 146097;
  const int64_t day_of_era = days - era * 146097;
  const int64_t year_of_era =
      (day_of_era - day_of_era / 1460 + day_of_era / 36524 - day_of_era / 146096) / 365;
  const int64_t day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
  const int64_t shifted_month = (5 * day_of_year + 2) / 153;  // 0 is March
  *day = day_of_year - (153 * shifted_month + 2) / 5 + 1;
  *month = shifted_month < 10 ? shifted_month + 3 : shifted_month - 9;
  *year = year_of_era + era * 400 + (*month <= 2 ? 1 : 0);
}

void AppendDigits(char* out, int64_t value, int width) {
  for (int i = width - 1; i >= 0; --i) {
    out[i] = static_cast<char>('0' + value % 10);
    value /= 10;
  }
}

// The value of the `width` digits at text[at], or -1 if they are not all digits.
int64_t Digits(absl::string_view text, size_t at, size_t width) {
  int64_t value = 0;
  for (size_t i = at; i < at + width; ++i) {
    if (text[i] < '0' || text[i] > '9') return -1;
    value = value * 10 + (text[i] - '0');
  }
  return value;
}

// "YYYY-MM-DDTHH:MM:SSZ", the form every stored timestamp has, without absl's general parser.
std::optional<absl::Time> ParseCanonicalUtc(absl::string_view text) {
  if (text.size() != 20 || text[4] != '-' || text[7] != '-' || text[10] != 'T' || text[13] != ':' ||
      text[16] != ':' || text[19] != 'Z') {
    return std::nullopt;
  }
  const int64_t year = Digits(text, 0, 4), month = Digits(text, 5, 2), day = Digits(text, 8, 2);
  const int64_t hour = Digits(text, 11, 2), minute = Digits(text, 14, 2), second = Digits(text, 17, 2);
  if (year < 0 || month < 1 || month > 12 || day < 1 || hour < 0 || hour > 23 || minute < 0 || minute > 59 ||
      second < 0 || second > 59) {
    return std::nullopt;
  }
  static constexpr int kDaysInMonth[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  const bool leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
  if (day > kDaysInMonth[month - 1] + (month == 2 && leap ? 1 : 0)) return std::nullopt;
  return absl::FromUnixSeconds(DaysFromCivil(year, month, day) * 86400 + hour * 3600 + minute * 60 + second);
}

}  // namespace

std::string Time::ToRfc3339() const {
  if (!IsSet()) return "";
  constexpr int64_t kSecondsPerDay = 86400;
  if (value != absl::InfiniteFuture()) {
    const int64_t seconds = absl::ToUnixSeconds(value);  // rounds down, as %S does
    int64_t days = seconds / kSecondsPerDay, of_day = seconds % kSecondsPerDay;
    if (of_day < 0) {
      of_day += kSecondsPerDay;
      --days;
    }
    int64_t year = 0, month = 0, day = 0;
    CivilFromDays(days, &year, &month, &day);
    if (year >= 0 && year <= 9999) {
      std::string text = "0000-00-00T00:00:00Z";
      AppendDigits(&text[0], year, 4);
      AppendDigits(&text[5], month, 2);
      AppendDigits(&text[8], day, 2);
      AppendDigits(&text[11], of_day / 3600, 2);
      AppendDigits(&text[14], of_day / 60 % 60, 2);
      AppendDigits(&text[17], of_day % 60, 2);
      return text;
    }
  }
  return absl::FormatTime("%Y-%m-%dT%H:%M:%SZ", value, absl::UTCTimeZone());
}

std::optional<Time> Time::Parse(absl::string_view text) {
  if (std::optional<absl::Time> canonical = ParseCanonicalUtc(text)) return Time{*canonical};
  absl::Time t;
  std::string err;
  if (!absl::ParseTime(absl::RFC3339_full, text, absl::UTCTimeZone(), &t, &err)) return std::nullopt;
  return Time{t};
}

const OwnerReference* ObjectMeta::ControllerRef() const {
  for (const OwnerReference& ref : ownerReferences) {
    if (ref.controller.value_or(false)) return &ref;
  }
  return nullptr;
}

namespace {

void DecodeOwnerReference(const Json& j, const std::string& path, json::Errors* errors, OwnerReference* out) {
  json::ObjectReader r(j, path, errors);
  r.Read("apiVersion", &out->apiVersion);
  r.Read("kind", &out->kind);
  r.Read("name", &out->name);
  r.Read("uid", &out->uid);
  r.Read("controller", &out->controller);
  r.Read("blockOwnerDeletion", &out->blockOwnerDeletion);
}

void DecodeMeta(const Json& j, const std::string& path, json::Errors* errors, ObjectMeta* out) {
  json::ObjectReader r(j, path, errors);
  r.Read("name", &out->name);
  r.Read("generateName", &out->generateName);
  r.Read("namespace", &out->namespace_);
  r.Read("uid", &out->uid);
  if (const Json* rv = r.Get("resourceVersion")) {
    // Kubernetes encodes it as a string; accept a number too, as a convenience.
    if (rv->is_string()) {
      out->resourceVersion = rv->get<std::string>();
    } else if (rv->is_number_integer()) {
      out->resourceVersion = std::to_string(rv->get<int64_t>());
    } else {
      errors->Add(r.PathOf("resourceVersion"), absl::StrCat("expected string, got ", rv->type_name()));
    }
  }
  r.Read("generation", &out->generation);
  r.Read("labels", &out->labels);
  r.Read("annotations", &out->annotations);
  r.ReadList<OwnerReference>("ownerReferences", &out->ownerReferences, DecodeOwnerReference);
  r.Read("finalizers", &out->finalizers);
  r.Read("creationTimestamp", &out->creationTimestamp);
  r.Read("deletionTimestamp", &out->deletionTimestamp);
  r.Read("deletionGracePeriodSeconds", &out->deletionGracePeriodSeconds);
  out->unknown = r.Unknown();
}

// Writes the members of metadata; resourceVersion is the caller's (it goes first, see
// EncodeObjectAroundRevision).
void WriteMetaMembers(const ObjectMeta& meta, json::MemberWriter* w) {
  if (!meta.name.empty()) w->String("name", meta.name);
  if (!meta.generateName.empty()) w->String("generateName", meta.generateName);
  if (!meta.namespace_.empty()) w->String("namespace", meta.namespace_);
  if (!meta.uid.empty()) w->String("uid", meta.uid);
  if (meta.generation != 0) w->Int("generation", meta.generation);
  // Kubernetes writes creationTimestamp even when unset (as null); omitting it means the same.
  if (meta.creationTimestamp.IsSet()) w->String("creationTimestamp", meta.creationTimestamp.ToRfc3339());
  if (meta.deletionTimestamp.IsSet()) w->String("deletionTimestamp", meta.deletionTimestamp.ToRfc3339());
  if (meta.deletionGracePeriodSeconds) w->Int("deletionGracePeriodSeconds", *meta.deletionGracePeriodSeconds);
  auto write_map = [&](const char* key, const Labels& map) {
    if (map.empty()) return;
    std::string* out = w->Key(key);
    json::MemberWriter entries(out);
    out->push_back('{');
    for (const auto& [k, v] : map) entries.String(k, v);
    out->push_back('}');
  };
  write_map("labels", meta.labels);
  write_map("annotations", meta.annotations);
  if (!meta.ownerReferences.empty()) {
    std::string* out = w->Key("ownerReferences");
    out->push_back('[');
    for (size_t i = 0; i < meta.ownerReferences.size(); ++i) {
      const OwnerReference& ref = meta.ownerReferences[i];
      if (i > 0) out->push_back(',');
      out->push_back('{');
      json::MemberWriter r(out);
      r.String("apiVersion", ref.apiVersion);
      r.String("kind", ref.kind);
      r.String("name", ref.name);
      r.String("uid", ref.uid);
      if (ref.controller) r.Bool("controller", *ref.controller);
      if (ref.blockOwnerDeletion) r.Bool("blockOwnerDeletion", *ref.blockOwnerDeletion);
      out->push_back('}');
    }
    out->push_back(']');
  }
  if (!meta.finalizers.empty()) {
    std::string* out = w->Key("finalizers");
    out->push_back('[');
    for (size_t i = 0; i < meta.finalizers.size(); ++i) {
      if (i > 0) out->push_back(',');
      json::AppendQuoted(out, meta.finalizers[i]);
    }
    out->push_back(']');
  }
  if (!meta.unknown.empty()) w->Splice(meta.unknown.json);
}

}  // namespace

absl::StatusOr<ObjectMeta> DecodeObjectMeta(absl::string_view text, absl::string_view path) {
  Json j;
  absl::Status parsed = json::Parse(text, path, &j);
  if (!parsed.ok()) return parsed;
  json::Errors errors;
  ObjectMeta meta;
  DecodeMeta(j, std::string(path), &errors, &meta);
  if (!errors.empty()) return errors.ToStatus();
  return meta;
}

std::string EncodeObjectMeta(const ObjectMeta& meta) {
  std::string out = "{";
  json::MemberWriter w(&out);
  if (!meta.resourceVersion.empty()) w.String("resourceVersion", meta.resourceVersion);
  WriteMetaMembers(meta, &w);
  out.push_back('}');
  return out;
}

absl::StatusOr<Object> DecodeObject(absl::string_view text) {
  Json j;
  absl::Status parsed = json::Parse(text, "object", &j);
  if (!parsed.ok()) return parsed;
  if (!j.is_object()) {
    return absl::InvalidArgumentError(absl::StrCat("object: expected a JSON object, got ", j.type_name()));
  }
  json::Errors errors;
  Object object;
  json::ObjectReader r(j, "", &errors);
  r.Read("apiVersion", &object.type.apiVersion);
  r.Read("kind", &object.type.kind);
  if (object.type.kind.empty()) errors.Add("kind", "Required value: Object 'Kind' is missing");
  if (object.type.apiVersion.empty())
    errors.Add("apiVersion", "Required value: Object 'apiVersion' is missing");
  if (const Json* meta = r.Get("metadata")) DecodeMeta(*meta, "metadata", &errors, &object.metadata);
  Json status;
  if (auto it = j.find("status"); it != j.end()) {
    status = *it;
    if (!status.is_null()) object.status = json::Dump(status);
  }
  Json rest = Json::object();
  for (const auto& [k, v] : j.items()) {
    if (k != "apiVersion" && k != "kind" && k != "metadata" && k != "status") rest[k] = v;
  }
  if (!errors.empty()) return errors.ToStatus();
  object.spec = json::Dump(rest);
  FillSelectableFields(&object, rest, status);
  return object;
}

void EncodeObjectAroundRevision(const Object& object, std::string* head, std::string* tail) {
  // resourceVersion goes first in metadata, so the split point is known without searching.
  head->clear();
  head->reserve(96);
  head->push_back('{');
  json::MemberWriter envelope(head);
  envelope.String("apiVersion", object.type.apiVersion);
  envelope.String("kind", object.type.kind);
  envelope.Key("metadata")->append("{\"resourceVersion\":\"");
  tail->clear();
  tail->reserve(object.spec.size() + object.status.size() + 512);
  tail->push_back('"');
  json::MemberWriter meta(tail, /*after_member=*/true);
  WriteMetaMembers(object.metadata, &meta);
  tail->push_back('}');
  json::MemberWriter body(tail, /*after_member=*/true);
  body.Splice(object.spec);
  if (!object.status.empty()) body.Raw("status", object.status);
  tail->push_back('}');
}

std::string EncodeObject(const Object& object) {
  std::string head, tail;
  EncodeObjectAroundRevision(object, &head, &tail);
  if (!object.metadata.resourceVersion.empty()) {
    std::string quoted;
    json::AppendQuoted(&quoted, object.metadata.resourceVersion);
    return absl::StrCat(head, absl::string_view(quoted).substr(1, quoted.size() - 2), tail);
  }
  // Without a revision, drop the member the split put first.
  head.resize(head.size() - std::string("\"resourceVersion\":\"").size());
  absl::string_view rest(tail);
  rest.remove_prefix(1);  // the closing quote
  if (!rest.empty() && rest.front() == ',') rest.remove_prefix(1);
  return absl::StrCat(head, rest);
}

}  // namespace orch
