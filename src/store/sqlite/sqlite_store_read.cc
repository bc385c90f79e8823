// The read path of the SQLite store: gets, lists (with consistent pages at a past revision) and
// watches (from memory, or from the file for revisions older than the in-memory event log).
#include <map>

#include "absl/strings/escaping.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "orch/api/codec.h"
#include "orch/errors.h"
#include "src/store/sqlite/sqlite_store.h"

namespace orch {
namespace {

// A resourceVersion parameter: nullopt for "" and "0" (any/latest), else the revision.
absl::StatusOr<std::optional<int64_t>> ParseRevision(absl::string_view text) {
  if (text.empty() || text == "0") return std::optional<int64_t>();
  int64_t revision = 0;
  if (!absl::SimpleAtoi(text, &revision) || revision < 0) {
    return BadRequestError(
        absl::StrCat("invalid resource version \"", text, "\": expected a non-negative integer"));
  }
  return std::optional<int64_t>(revision);
}

absl::Status TooLarge(int64_t asked, int64_t current) {
  return absl::DeadlineExceededError(
      absl::StrCat("Too large resource version: ", asked, ", current: ", current));
}

absl::Status TooOld(int64_t asked, int64_t oldest) {
  return GoneError(absl::StrCat("too old resource version: ", asked, " (", oldest, ")"));
}

absl::Status ContinueExpired() {
  return ExpiredError(
      "The provided continue parameter is too old to display a consistent list result. You can start a new "
      "list without the continue parameter.");
}

// Continue tokens: base64 of "<revision>:<last key>".
std::string EncodeContinue(int64_t revision, const std::string& last_key) {
  return absl::WebSafeBase64Escape(absl::StrCat(revision, ":", last_key));
}

absl::Status DecodeContinue(absl::string_view token, int64_t* revision, std::string* last_key) {
  std::string raw;
  size_t colon = std::string::npos;
  if (absl::WebSafeBase64Unescape(token, &raw)) colon = raw.find(':');
  if (colon == std::string::npos || !absl::SimpleAtoi(raw.substr(0, colon), revision) || *revision <= 0) {
    return BadRequestError(absl::StrCat("continue key is not valid: \"", token.substr(0, 64), "\""));
  }
  *last_key = raw.substr(colon + 1);
  return absl::OkStatus();
}

// The key range of one namespace ("ns\x01" up to "ns\x02"), or of everything.
void NamespaceRange(absl::string_view namespace_, std::string* from, std::string* to) {
  if (namespace_.empty()) {
    from->clear();
    to->clear();
  } else {
    *from = ObjectKey(namespace_, "");
    *to = absl::StrCat(namespace_, "\x02");  // the separator is \x01
  }
}

bool Matches(const ListOptions& options, const ObjectPtr& object) {
  return options.labelSelector.Matches(object->object.metadata.labels) &&
         options.fieldSelector.Matches(object->object);
}

}  // namespace

int64_t SqliteStore::CurrentRevision() const {
  absl::ReaderMutexLock lock(&state_mu_);
  return revision_;
}

int64_t SqliteStore::CompactedRevision() const {
  absl::ReaderMutexLock lock(&state_mu_);
  return compacted_;
}

absl::StatusOr<ObjectPtr> SqliteStore::Get(const ResourceType& type, absl::string_view namespace_,
                                           absl::string_view name, const GetOptions& options) {
  absl::StatusOr<std::optional<int64_t>> asked = ParseRevision(options.resourceVersion);
  if (!asked.ok()) return asked.status();
  std::string ns = type.namespaced ? std::string(namespace_) : std::string();
  absl::ReaderMutexLock lock(&state_mu_);
  if (asked->has_value() && **asked > revision_) return TooLarge(**asked, revision_);
  auto kind = kinds_.find(KindKey(type.group, type.kind));
  if (kind != kinds_.end()) {
    auto it = kind->second.objects.find(ObjectKey(ns, name));
    if (it != kind->second.objects.end()) return it->second;
  }
  return NotFoundError(type.QualifiedResource(), name);
}

absl::StatusOr<int64_t> SqliteStore::ListRevision(const ListOptions& options,
                                                  std::string* start_after) const {
  if (!options.continue_token.empty()) {
    int64_t revision = 0;
    if (absl::Status s = DecodeContinue(options.continue_token, &revision, start_after); !s.ok()) return s;
    if (revision > revision_) return BadRequestError("continue key is not valid: revision is in the future");
    if (revision < OldestListable()) return ContinueExpired();
    return revision;
  }
  absl::StatusOr<std::optional<int64_t>> asked = ParseRevision(options.resourceVersion);
  if (!asked.ok()) return asked.status();
  if (!asked->has_value()) {
    if (options.resourceVersionMatch == ResourceVersionMatch::kExact) {
      return BadRequestError(
          "resourceVersionMatch: Forbidden: resourceVersionMatch \"Exact\" is forbidden for "
          "resourceVersion \"0\" or unset");
    }
    return revision_;
  }
  if (**asked > revision_) return TooLarge(**asked, revision_);
  if (options.resourceVersionMatch != ResourceVersionMatch::kExact) return revision_;
  if (**asked < OldestListable()) return TooOld(**asked, OldestListable());
  return **asked;
}

int64_t SqliteStore::OldestListable() const {
  return memory_ ? std::max(event_floor_, compacted_) : compacted_;
}

void SqliteStore::CollectAt(const std::string& kind_key, const std::string& from, const std::string& to,
                            int64_t revision, const std::vector<ChangeEvent>* older,
                            const std::function<bool(const ObjectPtr&)>& visit) const {
  static const absl::btree_map<std::string, ObjectPtr> kEmpty;
  auto kind = kinds_.find(kind_key);
  const auto& objects = kind == kinds_.end() ? kEmpty : kind->second.objects;
  // Keys changed after `revision`, with their state at `revision` (null when absent then): walking
  // the log backwards, the last assignment is the state before the oldest later change.
  std::map<std::string, ObjectPtr> then;
  auto undo = [&](const ChangeEvent& event) {
    if (event.kind_key == kind_key && event.key >= from && (to.empty() || event.key < to)) {
      then[event.key] = event.type == WatchEventType::kAdded ? nullptr : event.prev;
    }
  };
  for (auto it = events_.rbegin(); it != events_.rend() && (*it)->revision > revision; ++it) undo(**it);
  if (older != nullptr) {
    for (auto it = older->rbegin(); it != older->rend() && it->revision > revision; ++it) undo(*it);
  }
  auto now = objects.lower_bound(from);
  auto now_end = to.empty() ? objects.end() : objects.lower_bound(to);
  auto old = then.begin();
  while (now != now_end || old != then.end()) {
    const ObjectPtr* next;
    if (old == then.end() || (now != now_end && now->first < old->first)) {
      next = &now->second;
      ++now;
    } else {
      if (now != now_end && now->first == old->first) ++now;
      next = &old->second;
      ++old;
    }
    if (*next != nullptr && !visit(*next)) return;
  }
}

absl::StatusOr<ListResult> SqliteStore::List(const ResourceType& type, absl::string_view namespace_,
                                             const ListOptions& options) {
  if (absl::Status s = options.fieldSelector.CheckSupported(type); !s.ok()) return s;
  if (options.limit < 0) return BadRequestError("limit: Invalid value: must be 0 or positive");
  std::string from, to;
  NamespaceRange(type.namespaced ? namespace_ : absl::string_view(), &from, &to);
  ListResult result;
  const std::string kind_key = KindKey(type.group, type.kind);
  std::string start_after;
  // A revision older than the event log (a page of a long list, an exact read) is served by
  // undoing, beside the log's events, the kind's earlier ones read from the file; they are read
  // without the state lock, so the log may move on meanwhile: then the gap is read too.
  std::vector<ChangeEvent> older;
  int64_t older_to = -1;  // `older` holds (revision, older_to]
  state_mu_.ReaderLock();
  absl::StatusOr<int64_t> revision = ListRevision(options, &start_after);
  while (revision.ok() && *revision < event_floor_ && older_to < event_floor_) {
    const int64_t read_from = older_to < 0 ? *revision : older_to;
    const int64_t read_to = event_floor_;
    state_mu_.ReaderUnlock();
    absl::StatusOr<std::vector<ChangeEvent>> more = ReadHistory(kind_key, read_from, read_to);
    if (!more.ok() && IsGone(more.status()) && !options.continue_token.empty()) return ContinueExpired();
    if (!more.ok()) return more.status();
    older.insert(older.end(), std::make_move_iterator(more->begin()), std::make_move_iterator(more->end()));
    older_to = read_to;
    state_mu_.ReaderLock();
    revision = ListRevision(options, &start_after);  // Gone once compaction passed it meanwhile
  }
  if (!revision.ok()) {
    state_mu_.ReaderUnlock();
    return revision.status();
  }
  result.revision = *revision;
  if (!start_after.empty()) {
    std::string after = start_after + '\0';
    if (after > from) from = after;
  }
  std::string last_key;
  CollectAt(kind_key, from, to, *revision, older_to >= 0 ? &older : nullptr, [&](const ObjectPtr& object) {
    if (!Matches(options, object)) return true;
    if (options.limit > 0 && static_cast<int64_t>(result.items.size()) == options.limit) {
      result.continue_token = EncodeContinue(*revision, last_key);
      return false;
    }
    last_key = ObjectKey(object->object.metadata.namespace_, object->object.metadata.name);
    result.items.push_back(object);
    return true;
  });
  state_mu_.ReaderUnlock();
  return result;
}

absl::StatusOr<std::unique_ptr<Watcher>> SqliteStore::Watch(const ResourceType& type,
                                                            const WatchOptions& options) {
  if (absl::Status s = options.fieldSelector.CheckSupported(type); !s.ok()) return s;
  absl::StatusOr<std::optional<int64_t>> start = ParseRevision(options.resourceVersion);
  if (!start.ok()) return start.status();
  const std::string kind_key = KindKey(type.group, type.kind);
  WatchOptions queue_options = options;
  if (!type.namespaced) queue_options.namespace_.clear();
  auto queue = std::make_shared<WatchQueue>(kind_key, TypeMeta{type.ApiVersion(), type.kind}, queue_options,
                                            options_.watch_queue_limit, options_.bookmark_interval);
  int64_t history_from = 0, history_to = 0;
  {
    absl::MutexLock state_lock(&state_mu_);  // no commit is published while the watch starts
    if (!start->has_value()) {
      std::string from, to;
      NamespaceRange(queue_options.namespace_, &from, &to);
      CollectAt(kind_key, from, to, revision_, nullptr, [&](const ObjectPtr& object) {
        if (queue->Selects(object)) queue->OfferInitial(object);
        return true;
      });
    } else {
      int64_t since = **start;
      if (since < compacted_) return TooOld(since, compacted_);
      if (since < event_floor_) {
        queue->Hold();
        history_from = since;
        history_to = event_floor_;
      }
      for (const auto& event : events_) {
        if (event->revision > since && event->kind_key == kind_key) queue->Offer(*event);
      }
    }
    watchers_.push_back(queue);
  }
  if (history_to > history_from) {
    absl::StatusOr<std::vector<ChangeEvent>> history = ReadHistory(kind_key, history_from, history_to);
    if (history.ok()) {
      queue->Release(*history);
    } else {
      queue->Fail(history.status());
    }
  }
  return std::unique_ptr<Watcher>(new WatchHandle(queue));
}

absl::StatusOr<std::vector<ChangeEvent>> SqliteStore::ReadHistory(const std::string& kind_key, int64_t from,
                                                                  int64_t to) {
  // The rows are copied under the connection's lock and decoded after it, so that writers wait
  // for the reading alone.
  struct Row {
    int64_t rv;
    int64_t event;
    int64_t prev_rv;
    std::string key;
    std::string data;
  };
  std::vector<Row> rows;
  std::map<int64_t, std::string> prev_data;  // rows before `from` that a change replaced
  std::string path;
  {
    absl::MutexLock lock(&db_mu_);
    path = db_->path();
    if (from < compact_cursor_) return TooOld(from, compact_cursor_);
    absl::StatusOr<sqlite::Stmt> scan = db_->Prepare(
        "SELECT rv, event, prev_rv, namespace, name, data FROM history WHERE rv > ? AND rv <= ? AND kind = ? "
        "ORDER BY rv");
    absl::StatusOr<sqlite::Stmt> fetch = db_->Prepare("SELECT data FROM history WHERE rv = ?");
    if (!scan.ok()) return scan.status();
    if (!fetch.ok()) return fetch.status();
    scan->BindInt(1, from);
    scan->BindInt(2, to);
    scan->BindText(3, kind_key);
    for (;;) {
      absl::StatusOr<bool> row = scan->Step();
      if (!row.ok()) return row.status();
      if (!*row) break;
      rows.push_back(Row{scan->ColumnInt(0), scan->ColumnInt(1), scan->ColumnInt(2),
                         ObjectKey(scan->ColumnText(3), scan->ColumnText(4)),
                         std::string(scan->ColumnText(5))});
      const int64_t prev_rv = rows.back().prev_rv;
      if (prev_rv <= 0 || prev_rv > from) continue;  // none, or a row of this read
      fetch->BindInt(1, prev_rv);
      absl::StatusOr<bool> found = fetch->Step();
      if (!found.ok()) return found.status();
      if (*found) prev_data.emplace(prev_rv, std::string(fetch->ColumnText(0)));
      fetch->Reset();
    }
  }
  auto decode = [&](int64_t rv, std::string data) -> absl::StatusOr<ObjectPtr> {
    absl::StatusOr<Object> object = DecodeObject(data);
    if (!object.ok()) {
      return absl::FailedPreconditionError(absl::StrCat("database \"", path, "\": revision ", rv,
                                                        " cannot be decoded: ", object.status().message()));
    }
    auto stored = std::make_shared<StoredObject>();
    stored->object = std::move(*object);
    stored->json = std::move(data);
    stored->revision = rv;
    return ObjectPtr(std::move(stored));
  };
  std::map<int64_t, ObjectPtr> seen;  // the versions decoded so far, by revision
  for (auto& [rv, data] : prev_data) {
    absl::StatusOr<ObjectPtr> prev = decode(rv, std::move(data));
    if (!prev.ok()) return prev.status();
    seen[rv] = *prev;
  }
  std::vector<ChangeEvent> events;
  events.reserve(rows.size());
  for (Row& row : rows) {
    ChangeEvent event;
    event.revision = row.rv;
    event.type = static_cast<WatchEventType>(row.event);
    event.kind_key = kind_key;
    event.key = std::move(row.key);
    absl::StatusOr<ObjectPtr> object = decode(row.rv, std::move(row.data));
    if (!object.ok()) return object.status();
    event.object = *object;
    if (auto it = seen.find(row.prev_rv); it != seen.end()) event.prev = it->second;
    seen[event.revision] = event.object;
    events.push_back(std::move(event));
  }
  return events;
}

}  // namespace orch
