// The event TTL controller: Events go a fixed time after their last write, not their first.
#include <doctest/doctest.h>

#include "core/controllers/controller_test_util.h"
#include "orch/cluster.h"
#include "orch/controllers.h"

namespace orch {
namespace {

using testing::ControlPlane;

std::vector<Event> Events(Client& client) {
  absl::StatusOr<TypedList<Event>> events = List<Event>(client, "default");
  REQUIRE(events.ok());
  return events->items;
}

ObjectReference SomePod() {
  ObjectReference pod;
  pod.apiVersion = "v1";
  pod.kind = "Pod";
  pod.namespace_ = "default";
  pod.name = "web";
  pod.uid = "uid-web";
  return pod;
}

TEST_CASE("an Event is deleted its TTL after its last write; a repeat pushes the expiry on") {
  ControlPlane plane;
  REQUIRE(plane.manager->Add(NewEventTtlController(absl::Hours(1))).ok());
  std::unique_ptr<EventRecorder> recorder = plane.manager->NewRecorder("kubelet", "n1");
  recorder->Record(SomePod(), "Warning", "BackOff", "Back-off restarting failed container");
  plane.loop.RunUntilIdle();
  REQUIRE(Events(*plane.client).size() == 1);

  plane.loop.Advance(absl::Minutes(30));
  recorder->Record(SomePod(), "Warning", "BackOff", "Back-off restarting failed container");  // count 2
  plane.loop.RunUntilIdle();
  REQUIRE(Events(*plane.client).size() == 1);
  CHECK(Events(*plane.client)[0].count == 2);

  // An hour after the first write, but only half an hour after the last: kept.
  plane.loop.Advance(absl::Minutes(31));
  CHECK(Events(*plane.client).size() == 1);
  // An hour after the last write: gone.
  plane.loop.Advance(absl::Minutes(30));
  CHECK(Events(*plane.client).empty());

  // The same event again starts a new Event object at count 1.
  recorder->Record(SomePod(), "Warning", "BackOff", "Back-off restarting failed container");
  plane.loop.RunUntilIdle();
  REQUIRE(Events(*plane.client).size() == 1);
  CHECK(Events(*plane.client)[0].count == 1);
}

TEST_CASE("Events already past their TTL when the controller starts are deleted at once; others wait") {
  ControlPlane plane;
  Event old_event;
  old_event.metadata.namespace_ = "default";
  old_event.metadata.name = "old.1";
  old_event.involvedObject = SomePod();
  old_event.reason = "Pulled";
  REQUIRE(Create(*plane.client, old_event).ok());  // written now; its creation time is its last write
  plane.loop.Advance(absl::Minutes(70));
  Event recent = old_event;
  recent.metadata.name = "recent.1";
  REQUIRE(Create(*plane.client, recent).ok());
  // Written with the recent one, but its series says it was last observed 20 minutes later: the
  // newest time counts.
  Event series = old_event;
  series.metadata.name = "series.1";
  series.series = EventSeries{};
  series.series->count = 3;
  series.series->lastObservedTime = Time{plane.clock.Now() + absl::Minutes(20)};
  REQUIRE(Create(*plane.client, series).ok());
  plane.loop.Advance(absl::Minutes(50));  // old: 120 minutes; recent: 50; series: 30

  REQUIRE(plane.manager->Add(NewEventTtlController(absl::Hours(1))).ok());
  plane.loop.RunUntilIdle();
  std::vector<Event> left = Events(*plane.client);
  REQUIRE(left.size() == 2);
  CHECK(left[0].metadata.name == "recent.1");
  CHECK(left[1].metadata.name == "series.1");
  plane.loop.Advance(absl::Minutes(11));
  REQUIRE(Events(*plane.client).size() == 1);
  CHECK(Events(*plane.client)[0].metadata.name == "series.1");
  plane.loop.Advance(absl::Minutes(20));
  CHECK(Events(*plane.client).empty());
}

TEST_CASE("a cluster keeps Events for its event_ttl, or for good with none") {
  for (absl::Duration ttl : {absl::Hours(1), absl::ZeroDuration()}) {
    CAPTURE(ttl);
    ClusterOptions options;
    options.event_ttl = ttl;
    absl::StatusOr<std::unique_ptr<Cluster>> cluster = Cluster::Create(std::move(options));
    REQUIRE(cluster.ok());
    std::unique_ptr<EventRecorder> recorder = (*cluster)->controllers().NewRecorder("test");
    recorder->Record(SomePod(), "Normal", "Started", "Started container main");
    (*cluster)->RunUntilIdle();
    (*cluster)->Advance(absl::Minutes(61));
    CHECK(Events((*cluster)->client()).size() == (ttl > absl::ZeroDuration() ? 0u : 1u));
  }
}

}  // namespace
}  // namespace orch
