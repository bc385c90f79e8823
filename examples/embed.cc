// Embeds an orch store in a program: opens it, applies a manifest, lists and watches objects.
//
//   build/examples/embed [sqlite:///path/to/state.db]
#include <iostream>

#include "orch/api/codec.h"
#include "orch/api/types.h"
#include "orch/client.h"

int main(int argc, char** argv) {
  absl::StatusOr<std::unique_ptr<orch::Store>> store = orch::OpenStore(argc > 1 ? argv[1] : "memory");
  if (!store.ok()) {
    std::cerr << store.status().message() << "\n";
    return 1;
  }
  // The in-process client over the store: the API server's rules, stamping times with the real clock.
  std::unique_ptr<orch::Client> local = orch::NewLocalClient(**store, *orch::RealClock());
  orch::Client& client = *local;
  if (absl::Status s = orch::EnsureSystemNamespaces(client); !s.ok()) {
    std::cerr << s.message() << "\n";
    return 1;
  }

  // Watch deployments from now on, in another part of the program.
  auto watch = orch::Watch<orch::Deployment>(client, "default", {.resourceVersion = "0"});
  if (!watch.ok()) return 1;

  const char* manifest = R"(
apiVersion: apps/v1
kind: Deployment
metadata: {name: web, labels: {app: web}}
spec:
  replicas: 2
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers: [{name: nginx, image: "nginx:1.27", resources: {requests: {cpu: 250m, memory: 64Mi}}}]
)";
  absl::StatusOr<std::vector<orch::Object>> objects = orch::DecodeManifests(manifest, "inline.yaml");
  if (!objects.ok()) return 1;
  for (const orch::Object& object : *objects) {
    absl::StatusOr<orch::ObjectPtr> created = client.Create(object);
    if (!created.ok() && !absl::IsAlreadyExists(created.status())) {
      std::cerr << created.status().message() << "\n";
      return 1;
    }
  }

  // Scale it through the typed API.
  absl::StatusOr<orch::Deployment> web = orch::Get<orch::Deployment>(client, "default", "web");
  if (!web.ok()) return 1;
  web->spec.replicas = 4;
  if (!orch::Update(client, *web).ok()) return 1;

  while (auto event = (*watch)->Next(absl::ZeroDuration())) {
    std::cout << orch::WatchEventTypeName(event->type) << " deployment/" << event->object.metadata.name
              << " replicas=" << event->object.spec.replicas.value_or(1)
              << " generation=" << event->object.metadata.generation << " cpu request="
              << event->object.spec.template_.spec.containers[0].resources.requests.at("cpu").MilliValue()
              << "m\n";
  }
  auto list = orch::List<orch::Deployment>(client, "default", "app=web");
  std::cout << (list.ok() ? list->items.size() : 0) << " deployment(s) labelled app=web at revision "
            << (list.ok() ? list->revision : 0) << "\n";
  return 0;
}
