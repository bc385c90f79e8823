// Lists (selectors, pages, resourceVersion semantics) and watches of the SQLite store.
#include <doctest/doctest.h>

#include <atomic>
#include <thread>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "orch/errors.h"
#include "orch/store.h"
#include "store/sqlite/store_test_util.h"

namespace orch {
namespace {

using testing::MustOpen;
using testing::PodObject;
using testing::Replace;

const ResourceType& Pods() { return *FindResourceType("", "Pod"); }

std::vector<std::string> Names(const ListResult& list) {
  std::vector<std::string> names;
  for (const ObjectPtr& item : list.items) {
    names.push_back(absl::StrCat(item->object.metadata.namespace_, "/", item->object.metadata.name));
  }
  return names;
}

LabelSelector Labels_(const std::string& text) {
  absl::StatusOr<LabelSelector> selector = LabelSelector::Parse(text);
  REQUIRE(selector.ok());
  return *selector;
}

FieldSelector Fields(const std::string& text) {
  absl::StatusOr<FieldSelector> selector = FieldSelector::Parse(text);
  REQUIRE(selector.ok());
  return *selector;
}

// A watch event as "TYPE ns/name".
std::string Describe(const WatchEvent& event) {
  if (event.type == WatchEventType::kError) return absl::StrCat("ERROR ", event.error.message());
  const ObjectMeta& meta = event.object->object.metadata;
  if (event.type == WatchEventType::kBookmark) return absl::StrCat("BOOKMARK ", meta.resourceVersion);
  return absl::StrCat(WatchEventTypeName(event.type), " ", meta.namespace_, "/", meta.name);
}

std::vector<std::string> Drain(Watcher& watch) {
  std::vector<std::string> events;
  while (std::optional<WatchEvent> event = watch.Next(absl::ZeroDuration()))
    events.push_back(Describe(*event));
  return events;
}

TEST_CASE("list: by namespace, across namespaces, with label and field selectors") {
  auto store = MustOpen();
  REQUIRE(store->Create(PodObject("b", "web-2", {{"app", "web"}}, "node-1")).ok());
  REQUIRE(store->Create(PodObject("a", "web-1", {{"app", "web"}}, "node-2")).ok());
  REQUIRE(store->Create(PodObject("a", "db-1", {{"app", "db"}}, "node-1")).ok());
  REQUIRE(store->Create(PodObject("a-b", "x", {}, "")).ok());

  absl::StatusOr<ListResult> all = store->List(Pods(), "");
  REQUIRE(all.ok());
  CHECK(Names(*all) == std::vector<std::string>{"a/db-1", "a/web-1", "a-b/x", "b/web-2"});
  CHECK(all->revision == 4);
  CHECK(all->continue_token.empty());

  CHECK(Names(*store->List(Pods(), "a")) == std::vector<std::string>{"a/db-1", "a/web-1"});
  CHECK(Names(*store->List(Pods(), "a-b")) == std::vector<std::string>{"a-b/x"});
  CHECK(store->List(Pods(), "none")->items.empty());

  ListOptions by_label;
  by_label.labelSelector = Labels_("app in (web)");
  CHECK(Names(*store->List(Pods(), "", by_label)) == std::vector<std::string>{"a/web-1", "b/web-2"});
  by_label.labelSelector = Labels_("!app");
  CHECK(Names(*store->List(Pods(), "", by_label)) == std::vector<std::string>{"a-b/x"});

  ListOptions by_field;
  by_field.fieldSelector = Fields("spec.nodeName=node-1");
  CHECK(Names(*store->List(Pods(), "", by_field)) == std::vector<std::string>{"a/db-1", "b/web-2"});
  by_field.fieldSelector = Fields("spec.nodeName!=node-1,metadata.namespace=a");
  CHECK(Names(*store->List(Pods(), "", by_field)) == std::vector<std::string>{"a/web-1"});
  by_field.fieldSelector = Fields("spec.nodeName=");
  CHECK(Names(*store->List(Pods(), "", by_field)) == std::vector<std::string>{"a-b/x"});

  ListOptions unsupported;
  unsupported.fieldSelector = Fields("spec.hostname=x");
  absl::Status status = store->List(Pods(), "", unsupported).status();
  CHECK(status.code() == absl::StatusCode::kInvalidArgument);
  CHECK(absl::StrContains(status.message(), "spec.hostname"));
}

TEST_CASE("list: pages are consistent at the first page's revision") {
  auto store = MustOpen();
  for (int i = 0; i < 10; ++i) REQUIRE(store->Create(PodObject("ns", absl::StrCat("p", i))).ok());
  ListOptions page;
  page.limit = 4;
  absl::StatusOr<ListResult> first = store->List(Pods(), "ns", page);
  REQUIRE(first.ok());
  CHECK(Names(*first) == std::vector<std::string>{"ns/p0", "ns/p1", "ns/p2", "ns/p3"});
  REQUIRE_FALSE(first->continue_token.empty());

  // Changes after the first page do not show in later pages.
  REQUIRE(store->Delete(Pods(), "ns", "p5").ok());
  REQUIRE(store->Create(PodObject("ns", "p45")).ok());
  Object changed = PodObject("ns", "p6", {{"changed", "yes"}});
  REQUIRE(Replace(*store, changed).ok());

  page.continue_token = first->continue_token;
  absl::StatusOr<ListResult> second = store->List(Pods(), "ns", page);
  REQUIRE(second.ok());
  CHECK(second->revision == first->revision);
  CHECK(Names(*second) == std::vector<std::string>{"ns/p4", "ns/p5", "ns/p6", "ns/p7"});
  CHECK(second->items[2]->object.metadata.labels.empty());
  page.continue_token = second->continue_token;
  absl::StatusOr<ListResult> third = store->List(Pods(), "ns", page);
  REQUIRE(third.ok());
  CHECK(Names(*third) == std::vector<std::string>{"ns/p8", "ns/p9"});
  CHECK(third->continue_token.empty());

  // A list with a selector pages over the matching items only.
  ListOptions selected;
  selected.limit = 1;
  selected.labelSelector = Labels_("changed=yes");
  absl::StatusOr<ListResult> only = store->List(Pods(), "ns", selected);
  REQUIRE(only.ok());
  CHECK(Names(*only) == std::vector<std::string>{"ns/p6"});
  CHECK(only->continue_token.empty());

  ListOptions bad;
  bad.continue_token = "not a token";
  CHECK(store->List(Pods(), "ns", bad).status().code() == absl::StatusCode::kInvalidArgument);
}

TEST_CASE("list: resourceVersion semantics") {
  auto store = MustOpen();
  REQUIRE(store->Create(PodObject("ns", "a")).ok());
  REQUIRE(store->Create(PodObject("ns", "b")).ok());
  REQUIRE(store->Delete(Pods(), "ns", "a").ok());

  ListOptions exact;
  exact.resourceVersion = "2";
  exact.resourceVersionMatch = ResourceVersionMatch::kExact;
  absl::StatusOr<ListResult> at2 = store->List(Pods(), "ns", exact);
  REQUIRE(at2.ok());
  CHECK(Names(*at2) == std::vector<std::string>{"ns/a", "ns/b"});
  CHECK(at2->revision == 2);

  ListOptions not_older;
  not_older.resourceVersion = "1";
  absl::StatusOr<ListResult> latest = store->List(Pods(), "ns", not_older);
  REQUIRE(latest.ok());
  CHECK(Names(*latest) == std::vector<std::string>{"ns/b"});
  CHECK(latest->revision == 3);

  ListOptions future;
  future.resourceVersion = "100";
  CHECK(store->List(Pods(), "ns", future).status().code() == absl::StatusCode::kDeadlineExceeded);
}

TEST_CASE("list: pages and exact reads at a revision older than the event log") {
  SqliteStoreOptions options;
  options.event_cache_size = 3;
  auto store = MustOpen(options);
  for (int i = 0; i < 5; ++i) REQUIRE(store->Create(PodObject("ns", absl::StrCat("p", i))).ok());  // 1..5
  ListOptions page;
  page.limit = 2;
  absl::StatusOr<ListResult> first = store->List(Pods(), "ns", page);
  REQUIRE(first.ok());
  CHECK(Names(*first) == std::vector<std::string>{"ns/p0", "ns/p1"});
  // Then more than the event log holds: creates, an update of a listed pod, deletes of one listed
  // and one not yet listed.
  for (int i = 5; i < 10; ++i) REQUIRE(store->Create(PodObject("ns", absl::StrCat("p", i))).ok());
  REQUIRE(Replace(*store, PodObject("ns", "p3", {{"v", "2"}})).ok());
  REQUIRE(store->Delete(Pods(), "ns", "p2").ok());
  REQUIRE(store->Delete(Pods(), "ns", "p0").ok());
  for (int i = 10; i < 15; ++i) REQUIRE(store->Create(PodObject("ns", absl::StrCat("p", i))).ok());
  page.continue_token = first->continue_token;
  ListOptions exact;
  exact.resourceVersion = "2";
  exact.resourceVersionMatch = ResourceVersionMatch::kExact;
  if (testing::MemoryBackend()) {
    // The memory store's history is its event log: both are gone.
    absl::Status expired = store->List(Pods(), "ns", page).status();
    CHECK(IsGone(expired));
    CHECK(StatusReason(expired) == "Expired");
    absl::Status gone = store->List(Pods(), "ns", exact).status();
    CHECK(IsGone(gone));
    CHECK(HttpCode(gone) == 410);
    return;
  }
  // The SQLite store reads the older changes from its file: the rest of the list is as of
  // revision 5, and so is every later page.
  absl::StatusOr<ListResult> second = store->List(Pods(), "ns", page);
  REQUIRE_MESSAGE(second.ok(), second.status().ToString());
  CHECK(Names(*second) == std::vector<std::string>{"ns/p2", "ns/p3"});
  CHECK(second->revision == 5);
  CHECK(second->items[1]->object.metadata.labels.count("v") == 0);  // p3 before its update
  page.continue_token = second->continue_token;
  absl::StatusOr<ListResult> third = store->List(Pods(), "ns", page);
  REQUIRE(third.ok());
  CHECK(Names(*third) == std::vector<std::string>{"ns/p4"});
  CHECK(third->continue_token.empty());
  absl::StatusOr<ListResult> at2 = store->List(Pods(), "ns", exact);
  REQUIRE_MESSAGE(at2.ok(), at2.status().ToString());
  CHECK(Names(*at2) == std::vector<std::string>{"ns/p0", "ns/p1"});
  CHECK(at2->revision == 2);
  // The objects read back from the file are whole: field selectors and the encoded bytes.
  exact.fieldSelector = *FieldSelector::Parse("metadata.name=p1");
  absl::StatusOr<ListResult> p1 = store->List(Pods(), "ns", exact);
  REQUIRE(p1.ok());
  REQUIRE(Names(*p1) == std::vector<std::string>{"ns/p1"});
  CHECK(p1->items[0]->revision == 2);
  CHECK(absl::StrContains(p1->items[0]->json, R"("resourceVersion":"2")"));
}

TEST_CASE("list: pages and exact reads are gone once compaction passes their revision") {
  SqliteStoreOptions options;
  options.event_cache_size = 3;
  options.history_revisions = 4;
  options.compaction_step = 2;
  auto store = MustOpen(options);
  for (int i = 0; i < 5; ++i) REQUIRE(store->Create(PodObject("ns", absl::StrCat("p", i))).ok());
  ListOptions page;
  page.limit = 2;
  absl::StatusOr<ListResult> first = store->List(Pods(), "ns", page);
  REQUIRE(first.ok());
  for (int i = 0; i < 20; ++i)
    REQUIRE(Replace(*store, PodObject("ns", "p4", {{"i", std::to_string(i)}})).ok());
  REQUIRE(store->CompactedRevision() > 5);
  page.continue_token = first->continue_token;
  absl::Status expired = store->List(Pods(), "ns", page).status();
  CHECK(IsGone(expired));
  CHECK(StatusReason(expired) == "Expired");
  ListOptions exact;
  exact.resourceVersion = "2";
  exact.resourceVersionMatch = ResourceVersionMatch::kExact;
  absl::Status gone = store->List(Pods(), "ns", exact).status();
  CHECK(IsGone(gone));
  CHECK(HttpCode(gone) == 410);
  // At the compacted revision itself, every object is there as it was then.
  exact.resourceVersion = std::to_string(store->CompactedRevision());
  absl::StatusOr<ListResult> at = store->List(Pods(), "ns", exact);
  if (testing::MemoryBackend()) return;  // the memory store's oldest listable revision is its log's start
  REQUIRE_MESSAGE(at.ok(), at.status().ToString());
  CHECK(at->items.size() == 5);
}

TEST_CASE("watch: initial state, then changes in order") {
  auto store = MustOpen();
  REQUIRE(store->Create(PodObject("ns", "a")).ok());
  auto watch = *store->Watch(Pods(), {.namespace_ = "ns"});
  REQUIRE(store->Create(PodObject("ns", "b")).ok());
  REQUIRE(store->Create(PodObject("other", "c")).ok());
  REQUIRE(Replace(*store, PodObject("ns", "a", {{"x", "y"}})).ok());
  REQUIRE(store->Delete(Pods(), "ns", "b").ok());
  CHECK(Drain(*watch) ==
        std::vector<std::string>{"ADDED ns/a", "ADDED ns/b", "MODIFIED ns/a", "DELETED ns/b"});
}

TEST_CASE("watch: from a resourceVersion, resumable, with selector transitions") {
  auto store = MustOpen();
  REQUIRE(store->Create(PodObject("ns", "a", {{"app", "web"}})).ok());      // 1
  REQUIRE(store->Create(PodObject("ns", "b", {{"app", "db"}})).ok());       // 2
  REQUIRE(Replace(*store, PodObject("ns", "b", {{"app", "web"}})).ok());    // 3: b starts matching
  REQUIRE(Replace(*store, PodObject("ns", "a", {{"app", "cache"}})).ok());  // 4: a stops matching
  REQUIRE(Replace(*store, PodObject("ns", "a", {{"app", "cache"}, {"v", "2"}})).ok());  // 5: irrelevant

  WatchOptions options;
  options.resourceVersion = "1";
  options.labelSelector = Labels_("app=web");
  auto watch = *store->Watch(Pods(), options);
  CHECK(Drain(*watch) == std::vector<std::string>{"ADDED ns/b", "DELETED ns/a"});

  // Resuming from the last revision seen gives exactly what came after.
  options.resourceVersion = "3";
  auto resumed = *store->Watch(Pods(), options);
  CHECK(Drain(*resumed) == std::vector<std::string>{"DELETED ns/a"});

  // The DELETED event of an object that stopped matching carries its new state.
  options.resourceVersion = "4";
  options.labelSelector = Labels_("");
  auto all = *store->Watch(Pods(), options);
  std::optional<WatchEvent> event = all->Next(absl::ZeroDuration());
  REQUIRE(event.has_value());
  CHECK(event->type == WatchEventType::kModified);
  CHECK(event->object->object.metadata.resourceVersion == "5");
}

TEST_CASE("watch: a compacted revision is 410 Gone; history on file serves older revisions") {
  SqliteStoreOptions options;
  options.history_revisions = 5;
  options.compaction_step = 2;
  options.event_cache_size = 2;
  auto store = MustOpen(options);
  REQUIRE(store->Create(PodObject("ns", "a")).ok());
  for (int i = 0; i < 20; ++i)
    REQUIRE(Replace(*store, PodObject("ns", "a", {{"i", std::to_string(i)}})).ok());
  CHECK(store->CurrentRevision() == 21);
  CHECK(store->CompactedRevision() > 0);
  // The memory store's history is the event log (2 events here); the SQLite store keeps 5.
  CHECK(store->CompactedRevision() <= 21 - (testing::MemoryBackend() ? 2 : 5));

  absl::Status gone = store->Watch(Pods(), {.resourceVersion = "1"}).status();
  CHECK(IsGone(gone));
  CHECK(absl::StrContains(gone.message(), "too old resource version: 1"));

  // Older than the in-memory log (2 events) but still in the file's history (the memory store:
  // the oldest revision it has).
  std::string since = std::to_string(store->CompactedRevision());
  auto watch = *store->Watch(Pods(), {.resourceVersion = since});
  std::vector<std::string> events = Drain(*watch);
  CHECK(events.size() == static_cast<size_t>(21 - store->CompactedRevision()));
  for (const std::string& e : events) CHECK(e == "MODIFIED ns/a");
}

TEST_CASE("watch: from a revision older than the event log, selector transitions read from the file") {
  if (testing::MemoryBackend()) return;  // its history is its event log
  SqliteStoreOptions options;
  options.event_cache_size = 2;
  auto store = MustOpen(options);
  REQUIRE(store->Create(PodObject("ns", "a", {{"app", "web"}})).ok());                // 1
  REQUIRE(store->Create(PodObject("ns", "b", {{"app", "db"}})).ok());                 // 2
  REQUIRE(Replace(*store, PodObject("ns", "a", {{"app", "cache"}})).ok());            // 3: a leaves app=web
  REQUIRE(Replace(*store, PodObject("ns", "b", {{"app", "web"}})).ok());              // 4: b joins it
  REQUIRE(Replace(*store, PodObject("ns", "b", {{"app", "web"}, {"v", "2"}})).ok());  // 5
  for (int i = 0; i < 4; ++i) REQUIRE(store->Create(PodObject("ns", absl::StrCat("x", i))).ok());  // 6..9
  WatchOptions watch_options;
  watch_options.resourceVersion = "2";
  watch_options.labelSelector = *LabelSelector::Parse("app=web");
  auto watch = *store->Watch(Pods(), watch_options);
  CHECK(Drain(*watch) == std::vector<std::string>{"DELETED ns/a", "ADDED ns/b", "MODIFIED ns/b"});
}

TEST_CASE("watch: bookmarks advance an idle watcher") {
  SqliteStoreOptions options;
  options.bookmark_interval = absl::ZeroDuration();
  auto store = MustOpen(options);
  WatchOptions watch_options;
  watch_options.resourceVersion = "0";
  watch_options.allowWatchBookmarks = true;
  watch_options.namespace_ = "quiet";
  auto watch = *store->Watch(Pods(), watch_options);
  REQUIRE(store->Create(PodObject("busy", "a")).ok());
  std::optional<WatchEvent> event = watch->Next(absl::ZeroDuration());
  REQUIRE(event.has_value());
  CHECK(event->type == WatchEventType::kBookmark);
  CHECK(event->object->object.metadata.resourceVersion == "1");
  CHECK(event->object->object.type.kind == "Pod");
  CHECK(absl::StrContains(event->object->json, R"("resourceVersion":"1")"));
}

TEST_CASE("watch: a watcher that falls too far behind ends with Gone") {
  SqliteStoreOptions options;
  options.watch_queue_limit = 3;
  auto store = MustOpen(options);
  auto watch = *store->Watch(Pods(), {.resourceVersion = "0"});
  for (int i = 0; i < 5; ++i) REQUIRE(store->Create(PodObject("ns", absl::StrCat("p", i))).ok());
  std::optional<WatchEvent> event = watch->Next(absl::ZeroDuration());
  REQUIRE(event.has_value());
  CHECK(event->type == WatchEventType::kError);
  CHECK(IsGone(event->error));
  CHECK_FALSE(watch->Next(absl::ZeroDuration()).has_value());
}

TEST_CASE("watch: notify is called and events cross threads; Stop ends the watch") {
  auto store = MustOpen();
  auto watch = *store->Watch(Pods(), {.resourceVersion = "0"});
  std::atomic<int> notified{0};
  watch->SetNotify([&] { notified++; });
  std::thread writer([&] {
    for (int i = 0; i < 50; ++i) REQUIRE(store->Create(PodObject("ns", absl::StrCat("p", i))).ok());
  });
  int received = 0;
  while (received < 50) {
    std::optional<WatchEvent> event = watch->Next(absl::Seconds(10));
    REQUIRE(event.has_value());
    CHECK(event->object->revision == received + 1);
    ++received;
  }
  writer.join();
  CHECK(notified.load() >= 1);
  watch->Stop();
  CHECK_FALSE(watch->Next(absl::Seconds(1)).has_value());
}

TEST_CASE("bad watch and list parameters are clear errors") {
  auto store = MustOpen();
  CHECK(store->Watch(Pods(), {.resourceVersion = "abc"}).status().code() ==
        absl::StatusCode::kInvalidArgument);
  CHECK(store->Watch(Pods(), {.resourceVersion = "-5"}).status().code() ==
        absl::StatusCode::kInvalidArgument);
  ListOptions negative;
  negative.limit = -1;
  CHECK(store->List(Pods(), "", negative).status().code() == absl::StatusCode::kInvalidArgument);
  ListOptions exact_zero;
  exact_zero.resourceVersionMatch = ResourceVersionMatch::kExact;
  CHECK(store->List(Pods(), "", exact_zero).status().code() == absl::StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace orch
