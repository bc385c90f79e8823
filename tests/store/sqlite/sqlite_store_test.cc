// The Store contract, exercised on the SQLite store (in memory and on a file) and, with
// ORCH_TEST_STORE=memory, on the memory store.
#include <doctest/doctest.h>

#include <atomic>
#include <thread>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "orch/api/codec.h"
#include "orch/errors.h"
#include "orch/store.h"
#include "store/sqlite/store_test_util.h"

namespace orch {
namespace {

using testing::ConfigMap;
using testing::MustOpen;
using testing::PodObject;

TEST_CASE("create assigns uid, resourceVersion, generation and creationTimestamp") {
  auto store = MustOpen();
  absl::StatusOr<ObjectPtr> created = store->Create(PodObject("default", "web-1", {{"app", "web"}}));
  REQUIRE(created.ok());
  const ObjectMeta& meta = (*created)->object.metadata;
  CHECK(meta.uid.size() == 36);
  CHECK(meta.resourceVersion == "1");
  CHECK((*created)->revision == 1);
  CHECK(meta.generation == 1);
  CHECK(meta.creationTimestamp.IsSet());
  CHECK((*created)->json.find("\"resourceVersion\":\"1\"") != std::string::npos);
  CHECK(store->CurrentRevision() == 1);

  absl::StatusOr<ObjectPtr> again = store->Create(PodObject("default", "web-1"));
  CHECK(IsAlreadyExists(again.status()));
  CHECK(again.status().message() == "pods \"web-1\" already exists");

  // The same name in another namespace is another object.
  CHECK(store->Create(PodObject("other", "web-1")).ok());
}

TEST_CASE("generateName makes a unique name; a missing name is invalid") {
  auto store = MustOpen();
  Object pod = PodObject("default", "");
  pod.metadata.generateName = "web-";
  absl::StatusOr<ObjectPtr> a = store->Create(pod);
  absl::StatusOr<ObjectPtr> b = store->Create(pod);
  REQUIRE(a.ok());
  REQUIRE(b.ok());
  CHECK((*a)->object.metadata.name.size() == 9);
  CHECK((*a)->object.metadata.name.rfind("web-", 0) == 0);
  CHECK((*a)->object.metadata.name != (*b)->object.metadata.name);

  absl::StatusOr<ObjectPtr> unnamed = store->Create(PodObject("default", ""));
  CHECK(IsInvalid(unnamed.status()));
  CHECK(absl::StrContains(unnamed.status().message(), "metadata.name: Required value"));
}

TEST_CASE("scope: namespaced kinds need a namespace, cluster-scoped kinds drop it") {
  auto store = MustOpen();
  CHECK(store->Create(PodObject("", "x")).status().code() == absl::StatusCode::kInvalidArgument);
  absl::StatusOr<Object> node =
      DecodeObject(R"({"apiVersion":"v1","kind":"Node","metadata":{"name":"n1","namespace":"x"}})");
  REQUIRE(node.ok());
  absl::StatusOr<ObjectPtr> created = store->Create(*node);
  REQUIRE(created.ok());
  CHECK((*created)->object.metadata.namespace_.empty());
  CHECK(store->Get(*FindResourceType("", "Node"), "", "n1").ok());

  absl::StatusOr<Object> unknown =
      DecodeObject(R"({"apiVersion":"example.com/v1","kind":"Widget","metadata":{"name":"w"}})");
  REQUIRE(unknown.ok());
  absl::Status status = store->Create(*unknown).status();
  CHECK(status.code() == absl::StatusCode::kInvalidArgument);
  CHECK(
      absl::StrContains(status.message(), "no kind \"Widget\" is registered for version \"example.com/v1\""));
}

TEST_CASE("an application's own kind is stored, listed and watched without a C++ type") {
  auto store = MustOpen();
  const ResourceType* widget =
      RegisterResourceType({"example.com", "v1", "Widget", "widgets", true, true, {}});
  absl::StatusOr<Object> object = DecodeObject(
      R"({"apiVersion":"example.com/v1","kind":"Widget","metadata":{"name":"w","namespace":"ns"},"spec":{"size":3,"nested":{"a":[1,2]}}})");
  REQUIRE(object.ok());
  REQUIRE(store->Create(*object).ok());
  absl::StatusOr<ListResult> list = store->List(*widget, "ns");
  REQUIRE(list.ok());
  REQUIRE(list->items.size() == 1);
  CHECK(absl::StrContains(list->items[0]->json, R"("spec":{"nested":{"a":[1,2]},"size":3})"));
}

TEST_CASE("get returns the stored version or NotFound") {
  auto store = MustOpen();
  const ResourceType& pods = *FindResourceType("", "Pod");
  CHECK(store->Get(pods, "default", "nope").status().message() == "pods \"nope\" not found");
  REQUIRE(store->Create(PodObject("default", "a")).ok());
  absl::StatusOr<ObjectPtr> got = store->Get(pods, "default", "a");
  REQUIRE(got.ok());
  CHECK((*got)->object.metadata.name == "a");
  CHECK(store->Get(pods, "default", "a", {.resourceVersion = "1"}).ok());
  CHECK(store->Get(pods, "default", "a", {.resourceVersion = "999"}).status().code() ==
        absl::StatusCode::kDeadlineExceeded);
  CHECK(store->Get(pods, "default", "a", {.resourceVersion = "x"}).status().code() ==
        absl::StatusCode::kInvalidArgument);
}

TEST_CASE("update: optimistic concurrency, generation on spec changes only, status kept") {
  auto store = MustOpen();
  ObjectPtr v1 = *store->Create(PodObject("default", "a", {}, "node-1"));

  Object stale = v1->object;
  Object next = v1->object;
  next.metadata.labels["tier"] = "front";
  absl::StatusOr<ObjectPtr> v2 = store->Update(next);
  REQUIRE(v2.ok());
  CHECK((*v2)->object.metadata.resourceVersion == "2");
  CHECK((*v2)->object.metadata.generation == 1);  // labels are metadata, not spec

  // A write based on the old version is a conflict.
  stale.metadata.labels["x"] = "y";
  absl::Status conflict = store->Update(stale).status();
  CHECK(IsConflict(conflict));
  CHECK(conflict.message() ==
        "Operation cannot be fulfilled on pods \"a\": the object has been modified; please apply your "
        "changes to "
        "the latest version and try again");

  // A spec change bumps generation.
  Object spec_change = PodObject("default", "a", {{"tier", "front"}}, "node-2");
  spec_change.metadata.resourceVersion = (*v2)->object.metadata.resourceVersion;
  absl::StatusOr<ObjectPtr> v3 = store->Update(spec_change);
  REQUIRE(v3.ok());
  CHECK((*v3)->object.metadata.generation == 2);
  CHECK((*v3)->object.metadata.uid == v1->object.metadata.uid);
  CHECK((*v3)->object.metadata.creationTimestamp == v1->object.metadata.creationTimestamp);

  // The status subresource: Update keeps status, UpdateStatus changes only status.
  Object with_status = (*v3)->object;
  with_status.status = R"({"phase":"Running"})";
  absl::StatusOr<ObjectPtr> v4 = store->UpdateStatus(with_status);
  REQUIRE(v4.ok());
  CHECK((*v4)->object.status == R"({"phase":"Running"})");
  CHECK((*v4)->object.metadata.generation == 2);
  Object clobber = (*v4)->object;
  clobber.status = R"({"phase":"Failed"})";
  clobber.metadata.annotations["a"] = "b";
  absl::StatusOr<ObjectPtr> v5 = store->Update(clobber);
  REQUIRE(v5.ok());
  CHECK((*v5)->object.status == R"({"phase":"Running"})");
  CHECK((*v5)->object.metadata.annotations.at("a") == "b");

  // An update that changes nothing writes nothing.
  int64_t before = store->CurrentRevision();
  absl::StatusOr<ObjectPtr> same = store->Update((*v5)->object);
  REQUIRE(same.ok());
  CHECK(store->CurrentRevision() == before);
  CHECK((*same)->revision == (*v5)->revision);

  // Update of something absent is NotFound; a mismatching uid is a conflict.
  CHECK(IsNotFound(store->Update(PodObject("default", "zzz")).status()));
  Object wrong_uid = (*v5)->object;
  wrong_uid.metadata.uid = "other";
  CHECK(IsConflict(store->Update(wrong_uid).status()));
}

TEST_CASE("UpdateSpecAndStatus writes spec and status in one revision") {
  auto store = MustOpen();
  ObjectPtr v1 = *store->Create(PodObject("default", "a"));
  const ResourceType& pods = *FindResourceType("", "Pod");
  WatchOptions from_v1;
  from_v1.resourceVersion = v1->object.metadata.resourceVersion;
  absl::StatusOr<std::unique_ptr<Watcher>> watch = store->Watch(pods, from_v1);
  REQUIRE(watch.ok());

  Object bound = PodObject("default", "a", {}, "node-1");
  bound.status = R"({"phase":"Pending","conditions":[{"type":"PodScheduled","status":"True"}]})";
  bound.metadata.resourceVersion = v1->object.metadata.resourceVersion;
  absl::StatusOr<ObjectPtr> v2 = store->UpdateSpecAndStatus(bound);
  REQUIRE_MESSAGE(v2.ok(), v2.status().ToString());
  CHECK((*v2)->revision == v1->revision + 1);
  CHECK((*v2)->object.status == bound.status);
  CHECK((*v2)->object.Field("spec.nodeName") == "node-1");
  CHECK((*v2)->object.metadata.generation == 2);
  CHECK((*v2)->object.metadata.uid == v1->object.metadata.uid);
  CHECK((*v2)->object.metadata.creationTimestamp == v1->object.metadata.creationTimestamp);
  std::optional<WatchEvent> event = (*watch)->Next(absl::Seconds(1));
  REQUIRE(event.has_value());
  CHECK(event->type == WatchEventType::kModified);
  CHECK(event->object->revision == (*v2)->revision);
  CHECK(!(*watch)->Next(absl::ZeroDuration()).has_value());

  // Stale: a conflict, nothing written.
  CHECK(IsConflict(store->UpdateSpecAndStatus(bound).status()));
  CHECK(store->CurrentRevision() == (*v2)->revision);
}

TEST_CASE("kinds without a status subresource update status with the rest") {
  auto store = MustOpen();
  ObjectPtr cm = *store->Create(ConfigMap("default", "c", R"({"data":{"k":"v"}})"));
  Object next = cm->object;
  next.spec = R"({"data":{"k":"w"}})";
  absl::StatusOr<ObjectPtr> updated = store->Update(next);
  REQUIRE(updated.ok());
  CHECK(absl::StrContains((*updated)->json, R"("data":{"k":"w"})"));
}

TEST_CASE("delete: immediate, with preconditions, with finalizers, graceful") {
  auto store = MustOpen();
  const ResourceType& pods = *FindResourceType("", "Pod");
  ObjectPtr a = *store->Create(PodObject("default", "a"));

  DeleteOptions wrong;
  wrong.preconditions.uid = "not-the-uid";
  CHECK(IsConflict(store->Delete(pods, "default", "a", wrong).status()));
  DeleteOptions wrong_rv;
  wrong_rv.preconditions.resourceVersion = "42";
  CHECK(IsConflict(store->Delete(pods, "default", "a", wrong_rv).status()));

  DeleteOptions right;
  right.preconditions.uid = a->object.metadata.uid;
  absl::StatusOr<DeleteResult> deleted = store->Delete(pods, "default", "a", right);
  REQUIRE(deleted.ok());
  CHECK(deleted->deleted);
  CHECK(deleted->object->revision == 2);
  CHECK(IsNotFound(store->Get(pods, "default", "a").status()));
  CHECK(IsNotFound(store->Delete(pods, "default", "a").status()));

  // Finalizers: delete only marks; removing the last finalizer deletes.
  Object guarded = PodObject("default", "b");
  guarded.metadata.finalizers = {"example.com/cleanup"};
  REQUIRE(store->Create(guarded).ok());
  absl::StatusOr<DeleteResult> marked = store->Delete(pods, "default", "b");
  REQUIRE(marked.ok());
  CHECK_FALSE(marked->deleted);
  CHECK(marked->object->object.metadata.deletionTimestamp.IsSet());
  CHECK(marked->object->object.metadata.deletionGracePeriodSeconds == 0);
  // Deleting again changes nothing.
  absl::StatusOr<DeleteResult> again = store->Delete(pods, "default", "b");
  REQUIRE(again.ok());
  CHECK(again->object->revision == marked->object->revision);
  // Metadata updates cannot clear the deletion mark.
  Object unmark = marked->object->object;
  unmark.metadata.deletionTimestamp = Time{};
  unmark.metadata.labels["x"] = "y";
  absl::StatusOr<ObjectPtr> relabeled = store->Update(unmark);
  REQUIRE(relabeled.ok());
  CHECK((*relabeled)->object.metadata.deletionTimestamp.IsSet());
  Object finalize = (*relabeled)->object;
  finalize.metadata.finalizers.clear();
  REQUIRE(store->Update(finalize).ok());
  CHECK(IsNotFound(store->Get(pods, "default", "b").status()));

  // Graceful: marked with the grace period, left for the owner to delete with 0.
  REQUIRE(store->Create(PodObject("default", "c")).ok());
  absl::StatusOr<DeleteResult> graceful = store->Delete(pods, "default", "c", {.gracePeriodSeconds = 30});
  REQUIRE(graceful.ok());
  CHECK_FALSE(graceful->deleted);
  CHECK(graceful->object->object.metadata.deletionGracePeriodSeconds == 30);
  CHECK(store->Get(pods, "default", "c").ok());
  absl::StatusOr<DeleteResult> now = store->Delete(pods, "default", "c", {.gracePeriodSeconds = 0});
  REQUIRE(now.ok());
  CHECK(now->deleted);
}

}  // namespace
}  // namespace orch
