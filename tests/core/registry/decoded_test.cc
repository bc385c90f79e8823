// The typed view a stored object shares with in-process readers (StoredObject::decoded, Decoded<T>).
#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "orch/api/codec.h"
#include "orch/api/types.h"
#include "orch/client.h"
#include "testing/control_plane.h"

namespace orch {
namespace {

std::string ReadFile(const std::filesystem::path& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

Pod SmallPod(const std::string& name) {
  Pod pod;
  pod.metadata.name = name;
  pod.metadata.labels["app"] = "web";
  Container container;
  container.name = "main";
  container.image = "nginx:1.27";
  pod.spec.containers.push_back(container);
  return pod;
}

// The typed view of `stored` equals a fresh decode, for T.
template <class T>
void CheckSharedEqualsDecode(const StoredObject& stored) {
  std::shared_ptr<const T> shared = stored.decoded.Get<T>();
  REQUIRE_MESSAGE(shared != nullptr, stored.object.type.kind, " ", stored.object.metadata.name);
  absl::StatusOr<T> decoded = FromObject<T>(stored.object);
  REQUIRE(decoded.ok());
  CHECK_MESSAGE(*shared == *decoded, stored.object.type.kind, " ", stored.object.metadata.name);
}

TEST_CASE("the cache keeps the first value offered, and only for its type") {
  DecodedCache cache;
  CHECK(cache.Get<Pod>() == nullptr);
  auto first = std::make_shared<const Pod>(SmallPod("a"));
  CHECK(cache.Offer(first) == first);
  CHECK(cache.Get<Pod>() == first);
  auto second = std::make_shared<const Pod>(SmallPod("b"));
  CHECK(cache.Offer(second) == first);  // the first stays
  CHECK(cache.Get<Node>() == nullptr);
  auto node = std::make_shared<const Node>();
  CHECK(cache.Offer(node) == node);  // answered, not kept
  CHECK(cache.Get<Node>() == nullptr);
  DecodedCache copy = cache;
  CHECK(copy.Get<Pod>() == first);
}

TEST_CASE("Decoded decodes once per stored version and shares the struct") {
  StoredObject stored;
  stored.object = ToObject(SmallPod("web"));
  absl::StatusOr<std::shared_ptr<const Pod>> once = Decoded<Pod>(stored);
  REQUIRE(once.ok());
  absl::StatusOr<std::shared_ptr<const Pod>> twice = Decoded<Pod>(stored);
  REQUIRE(twice.ok());
  CHECK(once->get() == twice->get());
  CHECK((*once)->metadata.name == "web");
  // A copy of the struct comes from the shared one.
  absl::StatusOr<Pod> copy = TypedCopy<Pod>(stored);
  REQUIRE(copy.ok());
  CHECK(*copy == **once);
}

TEST_CASE("an object that does not decode is an error each time, and nothing is kept") {
  StoredObject stored;
  stored.object = ToObject(SmallPod("web"));
  stored.object.spec = R"({"spec":{"containers":"not a list"}})";
  absl::StatusOr<std::shared_ptr<const Pod>> pod = Decoded<Pod>(stored);
  CHECK(!pod.ok());
  CHECK(pod.status().message().find("spec.containers") != std::string::npos);
  CHECK(stored.decoded.Get<Pod>() == nullptr);
  CHECK(!TypedCopy<Pod>(stored).ok());
}

TEST_CASE("a pod's create leaves the struct it wrote, equal to what decoding gives") {
  testing::ControlPlane plane;
  Client& client = *plane.client;

  SUBCASE("a pod from its struct, with the store's metadata and the status a create starts with") {
    Pod pod = SmallPod("web");
    pod.status.phase = "Running";  // a create ignores the status given
    absl::StatusOr<ObjectPtr> stored = CreateFrom(client, pod);
    REQUIRE(stored.ok());
    CheckSharedEqualsDecode<Pod>(**stored);
    std::shared_ptr<const Pod> shared = (*stored)->decoded.Get<Pod>();
    CHECK(shared->status.phase == "Pending");
    CHECK(!shared->metadata.uid.empty());
    CHECK(shared->metadata.resourceVersion == std::to_string((*stored)->revision));
    // Create<T> returns the same content.
    absl::StatusOr<Pod> again = Create(client, SmallPod("web-2"));
    REQUIRE(again.ok());
    absl::StatusOr<ObjectPtr> second = plane.store->Get(*TypeOf<Pod>().value(), "default", "web-2");
    REQUIRE(second.ok());
    CHECK(*again == *FromObject<Pod>((*second)->object));
  }

  SUBCASE("the real-world manifests, created from their documents: pods keep their struct") {
    int files = 0, pods = 0;
    for (const auto& entry : std::filesystem::directory_iterator(ORCH_TESTDATA_DIR "/manifests")) {
      absl::StatusOr<Object> object = DecodeObject(ReadFile(entry.path()));
      REQUIRE_MESSAGE(object.ok(), entry.path().string());
      object->metadata.name += "-" + std::to_string(files);  // two manifests share a name
      if (!object->metadata.namespace_.empty() && object->metadata.namespace_ != "default") {
        Namespace ns;
        ns.metadata.name = object->metadata.namespace_;
        (void)CreateFrom(client, ns);
      }
      absl::StatusOr<ObjectPtr> stored = client.Create(*object);
      REQUIRE_MESSAGE(stored.ok(), entry.path().string(), ": ", stored.status().ToString());
      ++files;
      if ((*stored)->object.type.kind == "Pod") {
        ++pods;
        CheckSharedEqualsDecode<Pod>(**stored);
      } else {
        CHECK((*stored)->decoded.Get<Node>() == nullptr);  // other kinds are decoded by their readers
        CHECK((*stored)->decoded.Get<Event>() == nullptr);
      }
    }
    CHECK(files >= 10);
    CHECK(pods >= 1);
  }

  SUBCASE("an update writes a new version without a typed view; readers decode it") {
    REQUIRE(CreateFrom(client, SmallPod("web")).ok());
    Pod pod = *Get<Pod>(client, "default", "web");
    pod.metadata.labels["tier"] = "front";
    REQUIRE(Update(client, pod).ok());
    absl::StatusOr<ObjectPtr> stored = plane.store->Get(*TypeOf<Pod>().value(), "default", "web");
    REQUIRE(stored.ok());
    absl::StatusOr<std::shared_ptr<const Pod>> decoded = Decoded<Pod>(**stored);
    REQUIRE(decoded.ok());
    CHECK((*decoded)->metadata.labels.at("tier") == "front");
  }
}

}  // namespace
}  // namespace orch
