// Embeds a whole cluster in a program: three simulated nodes, a Deployment and a Service, driven by
// a background loop on the real clock. Prints where the pods landed and the Service's endpoints.
//
//   build/examples/cluster
#include "orch/cluster.h"

#include <chrono>
#include <iostream>
#include <thread>

#include "orch/api/types.h"

int main() {
  orch::ClusterOptions options;
  options.mode = orch::ClusterOptions::Mode::kThreaded;
  options.runtime_settings = {{"start-delay", "200ms"}};  // simulated containers start quickly
  absl::StatusOr<std::unique_ptr<orch::Cluster>> cluster = orch::Cluster::Create(std::move(options));
  if (!cluster.ok()) {
    std::cerr << cluster.status().message() << "\n";
    return 1;
  }
  for (const char* name : {"node-a", "node-b", "node-c"}) {
    if (absl::Status s = (*cluster)->AddNode({.node_name = name}); !s.ok()) {
      std::cerr << s.message() << "\n";
      return 1;
    }
  }

  absl::StatusOr<std::vector<orch::ObjectPtr>> applied = (*cluster)->Apply(R"(
apiVersion: apps/v1
kind: Deployment
metadata: {name: web}
spec:
  replicas: 3
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers:
      - name: nginx
        image: nginx:1.27
        ports: [{name: http, containerPort: 80}]
        resources: {requests: {cpu: 250m, memory: 64Mi}}
---
apiVersion: v1
kind: Service
metadata: {name: web}
spec:
  selector: {app: web}
  ports: [{port: 80, targetPort: http}]
)",
                                                                           "example.yaml");
  if (!applied.ok()) {
    std::cerr << applied.status().message() << "\n";
    return 1;
  }

  // Wait (up to 10 s) for the rollout, as an application would: the control loop runs meanwhile.
  orch::Client& client = (*cluster)->client();
  for (int i = 0; i < 100; ++i) {
    absl::StatusOr<orch::Deployment> web = orch::Get<orch::Deployment>(client, "default", "web");
    if (web.ok() && web->status.availableReplicas == 3) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  absl::StatusOr<orch::TypedList<orch::Pod>> pods = orch::List<orch::Pod>(client, "default", "app=web");
  if (!pods.ok()) return 1;
  for (const orch::Pod& pod : pods->items) {
    std::cout << pod.metadata.name << " on " << pod.spec.nodeName << " " << pod.status.phase << " "
              << pod.status.podIP << "\n";
  }
  absl::StatusOr<orch::Endpoints> endpoints = orch::Get<orch::Endpoints>(client, "default", "web");
  size_t ready = 0;
  if (endpoints.ok()) {
    for (const orch::EndpointSubset& subset : endpoints->subsets) ready += subset.addresses.size();
  }
  std::cout << "service web has " << ready << " ready endpoint(s)\n";
  (*cluster)->Stop();
  return ready == 3 ? 0 : 1;
}
