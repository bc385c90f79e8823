// The endpoints controller: addresses of the pods a Service selects, ready apart from not ready.
#include <doctest/doctest.h>

#include "core/controllers/controller_test_util.h"
#include "orch/controllers.h"

namespace orch {
namespace {

using testing::ControlPlane;
using testing::CreatePodWithStatus;
using testing::MakePod;

Service MakeService(const std::string& name, const Labels& selector) {
  Service service;
  service.metadata.name = name;
  service.metadata.labels = {{"svc", name}};
  service.spec.selector = selector;
  ServicePort web;
  web.name = "web";
  web.port = 80;
  web.targetPort = IntOrString::FromString("http");
  service.spec.ports.push_back(web);
  ServicePort metrics;
  metrics.name = "metrics";
  metrics.port = 9090;
  service.spec.ports.push_back(metrics);  // targetPort unset: the same as port
  return service;
}

TEST_CASE("endpoints list ready and not-ready pods apart, with named ports resolved") {
  ControlPlane cp;
  REQUIRE(cp.manager->Add(NewEndpointsController()).ok());
  CreatePodWithStatus(*cp.client, MakePod("a", {{"app", "web"}}, "10.0.0.2", true));
  CreatePodWithStatus(*cp.client, MakePod("b", {{"app", "web"}}, "10.0.0.1", false));
  CreatePodWithStatus(*cp.client, MakePod("pending", {{"app", "web"}}));  // no IP yet
  CreatePodWithStatus(*cp.client, MakePod("other", {{"app", "db"}}, "10.0.0.9", true));
  REQUIRE(Create(*cp.client, MakeService("web", {{"app", "web"}})).ok());
  cp.loop.RunUntilIdle();

  absl::StatusOr<Endpoints> endpoints = Get<Endpoints>(*cp.client, "default", "web");
  REQUIRE(endpoints.ok());
  CHECK(endpoints->metadata.labels == Labels{{"svc", "web"}});
  REQUIRE(endpoints->subsets.size() == 1);
  const EndpointSubset& subset = endpoints->subsets[0];
  REQUIRE(subset.addresses.size() == 1);
  CHECK(subset.addresses[0].ip == "10.0.0.2");
  CHECK(subset.addresses[0].targetRef->name == "a");
  REQUIRE(subset.notReadyAddresses.size() == 1);
  CHECK(subset.notReadyAddresses[0].ip == "10.0.0.1");
  REQUIRE(subset.ports.size() == 2);
  CHECK(subset.ports[0].name == "metrics");
  CHECK(subset.ports[0].port == 9090);
  CHECK(subset.ports[1].name == "web");
  CHECK(subset.ports[1].port == 8080);
  CHECK(subset.ports[1].protocol == "TCP");

  SUBCASE("a pod turning ready moves within one reconcile") {
    Pod b = *Get<Pod>(*cp.client, "default", "b");
    b.status.conditions[0].status = "True";
    REQUIRE(UpdateStatus(*cp.client, b).ok());
    cp.loop.RunUntilIdle();
    endpoints = Get<Endpoints>(*cp.client, "default", "web");
    REQUIRE(endpoints->subsets.size() == 1);
    CHECK(endpoints->subsets[0].addresses.size() == 2);
    CHECK(endpoints->subsets[0].notReadyAddresses.empty());
  }
  SUBCASE("a pod whose labels stop matching leaves") {
    Pod a = *Get<Pod>(*cp.client, "default", "a");
    a.metadata.labels["app"] = "other";
    REQUIRE(Update(*cp.client, a).ok());
    cp.loop.RunUntilIdle();
    endpoints = Get<Endpoints>(*cp.client, "default", "web");
    REQUIRE(endpoints->subsets.size() == 1);
    CHECK(endpoints->subsets[0].addresses.empty());
  }
  SUBCASE("deleting the Service deletes its endpoints; a tampered Endpoints is put back") {
    Endpoints tampered = *endpoints;
    tampered.subsets.clear();
    REQUIRE(Update(*cp.client, tampered).ok());
    cp.loop.RunUntilIdle();
    CHECK(Get<Endpoints>(*cp.client, "default", "web")->subsets.size() == 1);
    REQUIRE(Delete<Service>(*cp.client, "default", "web").ok());
    cp.loop.RunUntilIdle();
    CHECK(absl::IsNotFound(Get<Endpoints>(*cp.client, "default", "web").status()));
  }
}

TEST_CASE("pods serving different port numbers for one named port get separate subsets") {
  ControlPlane cp;
  REQUIRE(cp.manager->Add(NewEndpointsController()).ok());
  Pod a = MakePod("a", {{"app", "web"}}, "10.0.0.1", true);
  Pod b = MakePod("b", {{"app", "web"}}, "10.0.0.2", true);
  b.spec.containers[0].ports[0].containerPort = 9000;
  Pod c = MakePod("c", {{"app", "web"}}, "10.0.0.3", true);
  c.spec.containers[0].ports.clear();  // serves only the numbered port
  CreatePodWithStatus(*cp.client, a);
  CreatePodWithStatus(*cp.client, b);
  CreatePodWithStatus(*cp.client, c);
  REQUIRE(Create(*cp.client, MakeService("web", {{"app", "web"}})).ok());
  cp.loop.RunUntilIdle();
  absl::StatusOr<Endpoints> endpoints = Get<Endpoints>(*cp.client, "default", "web");
  REQUIRE(endpoints.ok());
  CHECK(endpoints->subsets.size() == 3);
}

TEST_CASE("a Service without a selector is left alone") {
  ControlPlane cp;
  REQUIRE(cp.manager->Add(NewEndpointsController()).ok());
  REQUIRE(Create(*cp.client, MakeService("external", {})).ok());
  cp.loop.RunUntilIdle();
  CHECK(absl::IsNotFound(Get<Endpoints>(*cp.client, "default", "external").status()));
}

}  // namespace
}  // namespace orch
