// A control plane for the ReplicaSet and Deployment controller tests: an in-memory store on a manual
// clock, a client, a manual loop and a controller manager; and the node agent's part, played by hand
// (pods do not run here: MarkReady writes the status a kubelet would).
#ifndef ORCH_TESTS_CORE_CONTROLLERS_APPS_TEST_UTIL_H_
#define ORCH_TESTS_CORE_CONTROLLERS_APPS_TEST_UTIL_H_

#include <doctest/doctest.h>

#include <algorithm>
#include <string>
#include <vector>

#include "core/controllers/controller_test_util.h"
#include "orch/api/types.h"
#include "orch/controller.h"
#include "orch/controllers.h"

namespace orch::testing {

struct AppsFixture : ControlPlane {
  static PodTemplateSpec Template(const Labels& labels, const std::string& image = "nginx:1.0") {
    PodTemplateSpec pod;
    pod.metadata.labels = labels;
    Container container;
    container.name = "web";
    container.image = image;
    pod.spec.containers.push_back(container);
    return pod;
  }

  // The active pods (not being deleted) controlled by the object with this uid, by name.
  std::vector<Pod> PodsOwnedBy(const std::string& uid) {
    std::vector<Pod> owned;
    absl::StatusOr<TypedList<Pod>> pods = List<Pod>(*client, "default");
    REQUIRE(pods.ok());
    for (Pod& pod : pods->items) {
      const OwnerReference* ref = pod.metadata.ControllerRef();
      if (ref != nullptr && ref->uid == uid && !pod.metadata.deletionTimestamp.IsSet()) owned.push_back(pod);
    }
    return owned;
  }

  // What a node agent reports for a started pod: Running, and Ready since now (or not ready).
  void SetPodStatus(const std::string& name, bool ready, const std::string& phase = "Running",
                    int restarts = 0) {
    absl::StatusOr<Pod> pod = Get<Pod>(*client, "default", name);
    REQUIRE(pod.ok());
    pod->status.phase = phase;
    pod->status.conditions.clear();
    PodCondition condition;
    condition.type = "Ready";
    condition.status = ready ? "True" : "False";
    condition.lastTransitionTime = Time{clock.Now()};
    pod->status.conditions.push_back(condition);
    ContainerStatus container;
    container.name = "web";
    container.ready = ready;
    container.restartCount = restarts;
    pod->status.containerStatuses = {container};
    REQUIRE(UpdateStatus(*client, *pod).ok());
  }
  void MarkReady(const std::string& name) { SetPodStatus(name, true); }

  // Marks every not-yet-ready pod owned by `uid` ready; returns how many.
  int MarkAllReady(const std::string& uid) {
    int marked = 0;
    for (const Pod& pod : PodsOwnedBy(uid)) {
      bool ready = false;
      for (const PodCondition& c : pod.status.conditions) ready |= c.type == "Ready" && c.status == "True";
      if (!ready) {
        MarkReady(pod.metadata.name);
        ++marked;
      }
    }
    return marked;
  }

  // "reason: message" of every event about the named object, oldest first.
  std::vector<std::string> EventsAbout(const std::string& name) {
    absl::StatusOr<TypedList<Event>> events = List<Event>(*client, "default");
    REQUIRE(events.ok());
    std::sort(events->items.begin(), events->items.end(), [](const Event& a, const Event& b) {
      return a.metadata.resourceVersion.size() != b.metadata.resourceVersion.size()
                 ? a.metadata.resourceVersion.size() < b.metadata.resourceVersion.size()
                 : a.metadata.resourceVersion < b.metadata.resourceVersion;
    });
    std::vector<std::string> out;
    for (const Event& event : events->items) {
      if (event.involvedObject.name == name) out.push_back(event.reason + ": " + event.message);
    }
    return out;
  }
};

}  // namespace orch::testing

#endif  // ORCH_TESTS_CORE_CONTROLLERS_APPS_TEST_UTIL_H_
