// The Store contract (etcd's: create if absent, compare-and-swap, revisions), exercised on the SQLite store
// (in memory and on a file) and, with ORCH_TEST_STORE=memory, on the memory store.
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

TEST_CASE("create stores the object as given at a new revision") {
  auto store = MustOpen();
  Object pod = PodObject("default", "web-1", {{"app", "web"}});
  pod.metadata.uid = "3f1c9a52-6a8e-4b44-9f38-0d6f5f3b9a10";
  pod.metadata.resourceVersion = "42";  // stamped over
  absl::StatusOr<ObjectPtr> created = store->Create(pod);
  REQUIRE(created.ok());
  const ObjectMeta& meta = (*created)->object.metadata;
  CHECK(meta.uid == pod.metadata.uid);
  CHECK(meta.resourceVersion == "1");
  CHECK((*created)->revision == 1);
  CHECK(meta.generation == 0);  // the registry's to set: the store adds nothing
  CHECK(!meta.creationTimestamp.IsSet());
  CHECK((*created)->json.find("\"resourceVersion\":\"1\"") != std::string::npos);
  CHECK(store->CurrentRevision() == 1);

  absl::StatusOr<ObjectPtr> again = store->Create(PodObject("default", "web-1"));
  CHECK(IsAlreadyExists(again.status()));
  CHECK(again.status().message() == "pods \"web-1\" already exists");

  // The same name in another namespace is another object.
  CHECK(store->Create(PodObject("other", "web-1")).ok());
}

TEST_CASE("a write without a name is invalid") {
  auto store = MustOpen();
  Object pod = PodObject("default", "");
  pod.metadata.generateName = "web-";  // names from generateName are the registry's
  absl::StatusOr<ObjectPtr> unnamed = store->Create(pod);
  CHECK(IsInvalid(unnamed.status()));
  CHECK(absl::StrContains(unnamed.status().message(), "metadata.name: Required value"));
  CHECK(IsInvalid(store->Update(pod, 1).status()));
  CHECK(store->CurrentRevision() == 0);
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

TEST_CASE("update: compare-and-swap on the stored revision") {
  auto store = MustOpen();
  ObjectPtr v1 = *store->Create(PodObject("default", "a", {}, "node-1"));

  Object next = v1->object;
  next.metadata.labels["tier"] = "front";
  absl::StatusOr<ObjectPtr> v2 = store->Update(next, v1->revision);
  REQUIRE(v2.ok());
  CHECK((*v2)->object.metadata.resourceVersion == "2");
  CHECK((*v2)->object.metadata.labels.at("tier") == "front");

  // A write based on the old version is a conflict, and writes nothing.
  Object stale = v1->object;
  stale.metadata.labels["x"] = "y";
  absl::Status conflict = store->Update(stale, v1->revision).status();
  CHECK(IsConflict(conflict));
  CHECK(conflict.message() ==
        "Operation cannot be fulfilled on pods \"a\": the object has been modified; please apply your "
        "changes to the latest version and try again");
  CHECK(store->CurrentRevision() == 2);

  // Everything is written as given: spec, status, metadata (the registry decides what they are).
  Object replaced = PodObject("default", "a", {{"tier", "back"}}, "node-2");
  replaced.status = R"({"phase":"Running"})";
  replaced.metadata.generation = 7;
  absl::StatusOr<ObjectPtr> v3 = store->Update(replaced, (*v2)->revision);
  REQUIRE(v3.ok());
  CHECK((*v3)->object.status == R"({"phase":"Running"})");
  CHECK((*v3)->object.metadata.generation == 7);
  CHECK((*v3)->object.Field("spec.nodeName") == "node-2");
  CHECK(absl::StrContains((*v3)->json, R"("phase":"Running")"));

  // Update of something absent is NotFound.
  CHECK(IsNotFound(store->Update(PodObject("default", "zzz"), 1).status()));
}

TEST_CASE("delete: compare-and-swap, or whatever version is stored; the last version at a new revision") {
  auto store = MustOpen();
  const ResourceType& pods = *FindResourceType("", "Pod");
  ObjectPtr a = *store->Create(PodObject("default", "a", {{"app", "web"}}));
  ObjectPtr b = *store->Create(PodObject("default", "b"));

  absl::Status stale = store->Delete(pods, "default", "a", a->revision + 10).status();
  CHECK(IsConflict(stale));
  CHECK(stale.message() ==
        "Operation cannot be fulfilled on pods \"a\": Precondition failed: ResourceVersion in precondition: "
        "11, "
        "ResourceVersion in object meta: 1");
  absl::StatusOr<ObjectPtr> deleted = store->Delete(pods, "default", "a", a->revision);
  REQUIRE(deleted.ok());
  CHECK((*deleted)->revision == 3);
  CHECK((*deleted)->object.metadata.resourceVersion == "3");
  CHECK((*deleted)->object.metadata.labels.at("app") == "web");
  CHECK(IsNotFound(store->Get(pods, "default", "a").status()));
  CHECK(IsNotFound(store->Delete(pods, "default", "a").status()));

  // Without a revision, whatever is stored goes.
  REQUIRE(store->Delete(pods, "default", "b", 0).ok());
  CHECK(IsNotFound(store->Get(pods, "default", "b").status()));
  CHECK(store->CurrentRevision() == 4);
  // A name deleted can be created again.
  CHECK(store->Create(PodObject("default", "a")).ok());
  CHECK(b->revision == 2);
}

}  // namespace
}  // namespace orch
