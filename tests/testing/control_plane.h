// The one control-plane fixture of the tests: a store (memory unless given), a manual clock and
// loop, the in-process client stamping times with that clock, the system namespaces, and a
// controller manager on the loop. Nothing runs until the test runs the loop.
#ifndef ORCH_TESTS_TESTING_CONTROL_PLANE_H_
#define ORCH_TESTS_TESTING_CONTROL_PLANE_H_

#include <doctest/doctest.h>

#include <memory>

#include "orch/client.h"
#include "orch/clock.h"
#include "orch/controller.h"
#include "orch/loop.h"
#include "orch/store.h"

namespace orch::testing {

struct ControlPlane {
  explicit ControlPlane(std::unique_ptr<Store> opened = OpenMemoryStore()) : store(std::move(opened)) {
    REQUIRE(store != nullptr);
    client = NewLocalClient(*store, clock);
    REQUIRE(EnsureSystemNamespaces(*client).ok());
    manager = ControllerManager::Create(*client, loop);
  }

  ManualClock clock;
  ManualLoop loop{clock};
  std::unique_ptr<Store> store;
  std::unique_ptr<Client> client;
  std::unique_ptr<ControllerManager> manager;
};

}  // namespace orch::testing

#endif  // ORCH_TESTS_TESTING_CONTROL_PLANE_H_
