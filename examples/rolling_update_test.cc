// Unit-tests a rolling update in-process, on a manual clock: no processes, no sleeps, milliseconds.
//
//   build/examples/rolling_update_test
#define DOCTEST_CONFIG_IMPLEMENT_WITH_MAIN
#include <doctest/doctest.h>

#include <map>
#include <string>
#include <utility>
#include <vector>

#include "orch/api/types.h"
#include "orch/cluster.h"

namespace {

// Follows the ReplicaSets of a watch: after each change, (replicas with image `new_image`, replicas
// with any other image), recorded when it differs from the last.
class SizeRecorder {
 public:
  SizeRecorder(orch::Client& client, std::string new_image) : new_image_(std::move(new_image)) {
    watch_ = std::move(*orch::Watch<orch::ReplicaSet>(client, "default", {.resourceVersion = "0"}));
  }
  const std::vector<std::pair<int, int>>& Drain() {
    while (auto event = watch_->Next(absl::ZeroDuration())) {
      const orch::ReplicaSet& rs = event->object;
      if (event->type == orch::WatchEventType::kDeleted) {
        replicas_.erase(rs.metadata.name);
      } else {
        replicas_[rs.metadata.name] = {rs.spec.template_.spec.containers[0].image == new_image_,
                                       rs.spec.replicas.value_or(1)};
      }
      std::pair<int, int> sizes;
      for (const auto& [name, entry] : replicas_) (entry.first ? sizes.first : sizes.second) += entry.second;
      if (seen_.empty() || seen_.back() != sizes) seen_.push_back(sizes);
    }
    return seen_;
  }

 private:
  std::string new_image_;
  std::unique_ptr<orch::TypedWatch<orch::ReplicaSet>> watch_;
  std::map<std::string, std::pair<bool, int>> replicas_;
  std::vector<std::pair<int, int>> seen_;
};

TEST_CASE("a rolling update with maxSurge=1, maxUnavailable=0 replaces pods one at a time") {
  orch::ClusterOptions options;
  options.runtime_settings = {{"start-delay", "1s"}, {"ready-delay", "2s"}};
  auto cluster = std::move(*orch::Cluster::Create(std::move(options)));
  for (const char* name : {"node-a", "node-b", "node-c"}) REQUIRE(cluster->AddNode({.node_name = name}).ok());
  REQUIRE(cluster
              ->Apply(R"(
apiVersion: apps/v1
kind: Deployment
metadata: {name: web, labels: {app: web}}
spec:
  replicas: 4
  selector: {matchLabels: {app: web}}
  strategy: {type: RollingUpdate, rollingUpdate: {maxSurge: 1, maxUnavailable: 0}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers:
      - name: web
        image: "web:1"
        readinessProbe: {httpGet: {path: /healthz, port: 8080}, periodSeconds: 1}
)")
              .ok());
  cluster->Advance(absl::Seconds(5));  // scheduled, started after 1 s, ready 2 s later
  orch::Client& client = cluster->client();
  REQUIRE(orch::Get<orch::Deployment>(client, "default", "web")->status.availableReplicas == 4);

  SizeRecorder sizes(client, "web:2");
  orch::Deployment web = *orch::Get<orch::Deployment>(client, "default", "web");
  web.spec.template_.spec.containers[0].image = "web:2";
  REQUIRE(orch::Update(client, web).ok());

  // Each new pod takes 3 s to be ready (scheduled at once, started after 1 s, ready 2 s later);
  // only then may an old one go: never more than 5 pods, never fewer than 4 available.
  cluster->RunUntilIdle();
  CHECK(sizes.Drain().back() == std::make_pair(1, 4));
  cluster->Advance(absl::Seconds(3));
  CHECK(sizes.Drain().back() == std::make_pair(2, 3));
  cluster->Advance(absl::Seconds(3));
  CHECK(sizes.Drain().back() == std::make_pair(3, 2));
  cluster->Advance(absl::Seconds(6));
  std::vector<std::pair<int, int>> expected = {{0, 4}, {1, 4}, {1, 3}, {2, 3}, {2, 2},
                                               {3, 2}, {3, 1}, {4, 1}, {4, 0}};
  CHECK(sizes.Drain() == expected);
  orch::Deployment done = *orch::Get<orch::Deployment>(client, "default", "web");
  CHECK(done.status.updatedReplicas == 4);
  CHECK(done.status.availableReplicas == 4);
}

}  // namespace
