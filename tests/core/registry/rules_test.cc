// The registry's object rules over the store (what kube-apiserver applies before etcd): identity and
// timestamps, generateName, generation, status subresources, graceful deletion and finalizers.
// These assertions were the store's before the store kept only etcd's contract.
#include <doctest/doctest.h>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "orch/api/codec.h"
#include "orch/client.h"
#include "orch/errors.h"
#include "store/sqlite/store_test_util.h"
#include "testing/control_plane.h"

namespace orch {
namespace {

using testing::ConfigMap;
using testing::PodObject;

// A kind with a status subresource and no typed rules: the registry's rules alone apply.
const ResourceType& Gadgets() {
  static const ResourceType* type =
      RegisterResourceType({"example.com", "v1", "Gadget", "gadgets", true, true, {}});
  return *type;
}

Object Gadget(const std::string& name, const std::string& spec, const std::string& status = "") {
  Gadgets();
  absl::StatusOr<Object> object = DecodeObject(absl::StrCat(
      R"({"apiVersion":"example.com/v1","kind":"Gadget","metadata":{"name":")", name,
      R"(","namespace":"default"},"spec":)", spec, status.empty() ? "" : R"(,"status":)" + status, "}"));
  REQUIRE(object.ok());
  return *object;
}

TEST_CASE("create assigns uid, resourceVersion, generation and creationTimestamp") {
  testing::ControlPlane plane;
  Client& client = *plane.client;
  const int64_t before = plane.store->CurrentRevision();
  absl::StatusOr<ObjectPtr> created = client.Create(PodObject("default", "web-1", {{"app", "web"}}));
  REQUIRE(created.ok());
  const ObjectMeta& meta = (*created)->object.metadata;
  CHECK(meta.uid.size() == 36);
  CHECK(meta.resourceVersion == absl::StrCat(before + 1));
  CHECK((*created)->revision == before + 1);
  CHECK(meta.generation == 1);
  CHECK(meta.creationTimestamp == Time::Truncated(plane.clock.Now()));  // the client's clock
  CHECK(plane.store->CurrentRevision() == before + 1);

  absl::StatusOr<ObjectPtr> again = client.Create(PodObject("default", "web-1"));
  CHECK(IsAlreadyExists(again.status()));
  CHECK(again.status().message() == "pods \"web-1\" already exists");
}

TEST_CASE("generateName makes a unique name; a missing name is invalid") {
  testing::ControlPlane plane;
  Client& client = *plane.client;
  Object pod = PodObject("default", "");
  pod.metadata.generateName = "web-";
  absl::StatusOr<ObjectPtr> a = client.Create(pod);
  absl::StatusOr<ObjectPtr> b = client.Create(pod);
  REQUIRE(a.ok());
  REQUIRE(b.ok());
  CHECK((*a)->object.metadata.name.size() == 9);
  CHECK((*a)->object.metadata.name.rfind("web-", 0) == 0);
  CHECK((*a)->object.metadata.name != (*b)->object.metadata.name);
  CHECK((*a)->object.metadata.generateName == "web-");

  absl::StatusOr<ObjectPtr> unnamed = client.Create(PodObject("default", ""));
  CHECK(IsInvalid(unnamed.status()));
  CHECK(absl::StrContains(unnamed.status().message(), "metadata.name: Required value"));
}

TEST_CASE("update: optimistic concurrency, generation on spec changes only, status kept") {
  testing::ControlPlane plane;
  Client& client = *plane.client;
  ObjectPtr v1 = *client.Create(Gadget("a", R"({"size":1})"));

  Object stale = v1->object;
  Object next = v1->object;
  next.metadata.labels["tier"] = "front";
  absl::StatusOr<ObjectPtr> v2 = client.Update(next);
  REQUIRE(v2.ok());
  CHECK((*v2)->revision == v1->revision + 1);
  CHECK((*v2)->object.metadata.generation == 1);  // labels are metadata, not spec

  // A write based on the old version is a conflict.
  stale.metadata.labels["x"] = "y";
  absl::Status conflict = client.Update(stale).status();
  CHECK(IsConflict(conflict));
  CHECK(conflict.message() ==
        "Operation cannot be fulfilled on gadgets.example.com \"a\": the object has been modified; please "
        "apply "
        "your changes to the latest version and try again");

  // A spec change bumps generation; what the system set stays.
  Object spec_change = Gadget("a", R"({"size":2})");
  spec_change.metadata.labels = {{"tier", "front"}};
  spec_change.metadata.resourceVersion = (*v2)->object.metadata.resourceVersion;
  absl::StatusOr<ObjectPtr> v3 = client.Update(spec_change);
  REQUIRE_MESSAGE(v3.ok(), v3.status().ToString());
  CHECK((*v3)->object.metadata.generation == 2);
  CHECK((*v3)->object.metadata.uid == v1->object.metadata.uid);
  CHECK((*v3)->object.metadata.creationTimestamp == v1->object.metadata.creationTimestamp);

  // The status subresource: Update keeps status, UpdateStatus changes only status.
  Object with_status = (*v3)->object;
  with_status.status = R"({"phase":"Running"})";
  with_status.metadata.labels["ignored"] = "by-a-status-write";
  absl::StatusOr<ObjectPtr> v4 = client.UpdateStatus(with_status);
  REQUIRE_MESSAGE(v4.ok(), v4.status().ToString());
  CHECK((*v4)->object.status == R"({"phase":"Running"})");
  CHECK((*v4)->object.metadata.generation == 2);
  CHECK((*v4)->object.metadata.labels.count("ignored") == 0);
  Object clobber = (*v4)->object;
  clobber.status = R"({"phase":"Failed"})";
  clobber.metadata.annotations["a"] = "b";
  absl::StatusOr<ObjectPtr> v5 = client.Update(clobber);
  REQUIRE(v5.ok());
  CHECK((*v5)->object.status == R"({"phase":"Running"})");
  CHECK((*v5)->object.metadata.annotations.at("a") == "b");

  // An update that changes nothing writes nothing.
  int64_t before = plane.store->CurrentRevision();
  absl::StatusOr<ObjectPtr> same = client.Update((*v5)->object);
  REQUIRE(same.ok());
  CHECK(plane.store->CurrentRevision() == before);
  CHECK((*same)->revision == (*v5)->revision);

  // Update of something absent is NotFound; a mismatching uid is a conflict.
  CHECK(IsNotFound(client.Update(Gadget("zzz", "{}")).status()));
  Object wrong_uid = (*v5)->object;
  wrong_uid.metadata.uid = "other";
  CHECK(IsConflict(client.Update(wrong_uid).status()));
}

TEST_CASE("a binding writes spec and status in one revision") {
  testing::ControlPlane plane;
  Client& client = *plane.client;
  ObjectPtr v1 = *client.Create(PodObject("default", "a"));
  const ResourceType& pods = *FindResourceType("", "Pod");
  WatchOptions from_v1;
  from_v1.resourceVersion = v1->object.metadata.resourceVersion;
  absl::StatusOr<std::unique_ptr<Watcher>> watch = client.Watch(pods, from_v1);
  REQUIRE(watch.ok());

  absl::StatusOr<ObjectPtr> v2 = client.BindPod("default", "a", "", "node-1");
  REQUIRE_MESSAGE(v2.ok(), v2.status().ToString());
  CHECK((*v2)->revision == v1->revision + 1);
  CHECK(absl::StrContains((*v2)->object.status, R"("type":"PodScheduled")"));
  CHECK((*v2)->object.Field("spec.nodeName") == "node-1");
  CHECK((*v2)->object.metadata.generation == 2);
  CHECK((*v2)->object.metadata.uid == v1->object.metadata.uid);
  CHECK((*v2)->object.metadata.creationTimestamp == v1->object.metadata.creationTimestamp);
  std::optional<WatchEvent> event = (*watch)->Next(absl::Seconds(1));
  REQUIRE(event.has_value());
  CHECK(event->type == WatchEventType::kModified);
  CHECK(event->object->revision == (*v2)->revision);
  CHECK(!(*watch)->Next(absl::ZeroDuration()).has_value());

  // Bound already: a conflict, nothing written.
  CHECK(IsConflict(client.BindPod("default", "a", "", "node-2").status()));
  CHECK(plane.store->CurrentRevision() == (*v2)->revision);
}

TEST_CASE("kinds without a status subresource update status with the rest") {
  testing::ControlPlane plane;
  Client& client = *plane.client;
  ObjectPtr cm = *client.Create(ConfigMap("default", "c", R"({"data":{"k":"v"}})"));
  Object next = cm->object;
  next.spec = R"({"data":{"k":"w"}})";
  absl::StatusOr<ObjectPtr> updated = client.Update(next);
  REQUIRE(updated.ok());
  CHECK(absl::StrContains((*updated)->json, R"("data":{"k":"w"})"));
}

TEST_CASE("delete: immediate, with preconditions, with finalizers, graceful") {
  testing::ControlPlane plane;
  Client& client = *plane.client;
  const ResourceType& pods = *FindResourceType("", "Pod");
  ObjectPtr a = *client.Create(PodObject("default", "a"));

  DeleteOptions wrong;
  wrong.preconditions.uid = "not-the-uid";
  CHECK(IsConflict(client.Delete(pods, "default", "a", wrong).status()));
  DeleteOptions wrong_rv;
  wrong_rv.preconditions.resourceVersion = "42";
  CHECK(IsConflict(client.Delete(pods, "default", "a", wrong_rv).status()));

  DeleteOptions right;
  right.preconditions.uid = a->object.metadata.uid;
  absl::StatusOr<DeleteResult> deleted = client.Delete(pods, "default", "a", right);
  REQUIRE(deleted.ok());
  CHECK(deleted->deleted);
  CHECK(deleted->object->revision == a->revision + 1);
  CHECK(IsNotFound(client.Get(pods, "default", "a").status()));
  CHECK(IsNotFound(client.Delete(pods, "default", "a").status()));

  // Finalizers: delete only marks; removing the last finalizer deletes.
  Object guarded = PodObject("default", "b");
  guarded.metadata.finalizers = {"example.com/cleanup"};
  REQUIRE(client.Create(guarded).ok());
  absl::StatusOr<DeleteResult> marked = client.Delete(pods, "default", "b");
  REQUIRE(marked.ok());
  CHECK_FALSE(marked->deleted);
  CHECK(marked->object->object.metadata.deletionTimestamp.IsSet());
  CHECK(marked->object->object.metadata.deletionGracePeriodSeconds == 0);
  // Deleting again changes nothing.
  absl::StatusOr<DeleteResult> again = client.Delete(pods, "default", "b");
  REQUIRE(again.ok());
  CHECK(again->object->revision == marked->object->revision);
  // Metadata updates cannot clear the deletion mark.
  Object unmark = marked->object->object;
  unmark.metadata.deletionTimestamp = Time{};
  unmark.metadata.labels["x"] = "y";
  absl::StatusOr<ObjectPtr> relabeled = client.Update(unmark);
  REQUIRE_MESSAGE(relabeled.ok(), relabeled.status().ToString());
  CHECK((*relabeled)->object.metadata.deletionTimestamp.IsSet());
  Object finalize = (*relabeled)->object;
  finalize.metadata.finalizers.clear();
  REQUIRE(client.Update(finalize).ok());
  CHECK(IsNotFound(client.Get(pods, "default", "b").status()));

  // Graceful (a pod on a node, which its agent stops): marked with the grace period, left for the
  // owner to delete with 0.
  REQUIRE(client.Create(PodObject("default", "c", {}, "node-1")).ok());
  absl::StatusOr<DeleteResult> graceful = client.Delete(pods, "default", "c", {.gracePeriodSeconds = 30});
  REQUIRE(graceful.ok());
  CHECK_FALSE(graceful->deleted);
  CHECK(graceful->object->object.metadata.deletionGracePeriodSeconds == 30);
  CHECK(graceful->object->object.metadata.deletionTimestamp ==
        Time{Time::Truncated(plane.clock.Now()).value + absl::Seconds(30)});
  CHECK(client.Get(pods, "default", "c").ok());
  absl::StatusOr<DeleteResult> now = client.Delete(pods, "default", "c", {.gracePeriodSeconds = 0});
  REQUIRE(now.ok());
  CHECK(now->deleted);

  // Other kinds have no graceful deletion: they go at once whatever grace was asked.
  REQUIRE(client.Create(ConfigMap("default", "settings", R"({"data":{}})")).ok());
  absl::StatusOr<DeleteResult> config =
      client.Delete(*FindResourceType("", "ConfigMap"), "default", "settings", {.gracePeriodSeconds = 30});
  REQUIRE(config.ok());
  CHECK(config->deleted);
}

}  // namespace
}  // namespace orch
