// The orch binary: `orch server`, `orch validate`, `orch version`.
#include <signal.h>

#include <CLI/CLI.hpp>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "orch/api/codec.h"
#include "orch/api/validation.h"
#include "orch/client.h"
#include "orch/cluster.h"
#include "orch/errors.h"
#include "orch/ops.h"
#include "orch/store.h"
#include "src/apiserver/read_api.h"

namespace orch {
namespace {

constexpr const char* kVersion = "0.1.0";

absl::StatusOr<std::string> ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return absl::NotFoundError(absl::StrCat(path, ": cannot read the file"));
  std::stringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}

std::string Describe(const Object& object) {
  std::string name = object.metadata.name.empty() ? object.metadata.generateName + "*" : object.metadata.name;
  return object.metadata.namespace_.empty()
             ? absl::StrCat(object.type.kind, "/", name)
             : absl::StrCat(object.type.kind, "/", name, " in ", object.metadata.namespace_);
}

// Creates each object of a manifest file, or replaces it when it exists; prints what happened.
int ApplyFile(Client& client, const std::string& path) {
  absl::StatusOr<std::string> text = ReadFile(path);
  if (!text.ok()) {
    std::cerr << text.status().message() << "\n";
    return 1;
  }
  absl::StatusOr<std::vector<Object>> objects = DecodeManifests(*text, path);
  if (!objects.ok()) {
    std::cerr << objects.status().message() << "\n";
    return 1;
  }
  int failures = 0;
  for (const Object& object : *objects) {
    absl::StatusOr<ApplyResult> applied = Apply(client, object);
    if (!applied.ok()) {
      std::cerr << path << ": " << Describe(object) << ": " << applied.status().message() << "\n";
      ++failures;
      continue;
    }
    const char* outcome = applied->outcome == ApplyOutcome::kCreated      ? "created"
                          : applied->outcome == ApplyOutcome::kConfigured ? "configured"
                                                                          : "unchanged";
    std::cout << Describe(applied->object->object) << " " << outcome << "\n";
  }
  return failures == 0 ? 0 : 1;
}

int Validate(const std::vector<std::string>& files) {
  int failures = 0;
  for (const std::string& path : files) {
    absl::StatusOr<std::string> text = ReadFile(path);
    if (!text.ok()) {
      std::cerr << text.status().message() << "\n";
      ++failures;
      continue;
    }
    absl::StatusOr<std::vector<Object>> objects = DecodeManifests(*text, path);
    if (!objects.ok()) {
      std::cerr << objects.status().message() << "\n";
      ++failures;
      continue;
    }
    for (size_t i = 0; i < objects->size(); ++i) {
      Object object = (*objects)[i];
      absl::StatusOr<const ResourceType*> type = ResolveType(object.type);
      absl::Status status = type.status();
      if (status.ok() && (*type)->namespaced && object.metadata.namespace_.empty()) {
        object.metadata.namespace_ = "default";  // as the server would place it
      }
      if (status.ok()) status = ApplyDefaults(&object);
      if (status.ok()) status = ValidateCreate(object);
      if (status.ok()) {
        std::cout << path << ": " << Describe(object) << ": valid\n";
      } else {
        std::cerr << path << ": document " << i + 1 << " (" << Describe(object) << "): " << status.message()
                  << "\n";
        ++failures;
      }
    }
  }
  return failures == 0 ? 0 : 1;
}

int Serve(const std::string& data_dir, bool in_memory, bool power_loss_safe, const std::string& listen,
          const std::vector<std::string>& manifests, int sim_nodes, const std::string& event_ttl_text) {
  // Block the stop signals in every thread; the main thread waits for them below.
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGINT);
  sigaddset(&stop_signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);

  absl::Duration event_ttl;
  if (!absl::ParseDuration(event_ttl_text, &event_ttl) || event_ttl < absl::ZeroDuration()) {
    std::cerr << "orch server: --event-ttl " << event_ttl_text
              << ": expected a duration such as 1h, 30m or 0 (keep Events)\n";
    return 1;
  }
  SqliteStoreOptions options;
  options.power_loss_safe = power_loss_safe;
  if (!in_memory) {
    std::error_code error;
    std::filesystem::create_directories(data_dir, error);
    if (error) {
      std::cerr << "orch server: cannot create data directory " << data_dir << ": " << error.message()
                << "\n";
      return 1;
    }
    options.path = (std::filesystem::path(data_dir) / "state.db").string();
  }
  absl::StatusOr<std::unique_ptr<Store>> store = in_memory ? OpenMemoryStore() : OpenSqliteStore(options);
  if (!store.ok()) {
    std::cerr << "orch server: " << store.status().message() << "\n";
    return 1;
  }
  // The whole control plane on a background loop: controllers, scheduler, simulated nodes.
  ClusterOptions cluster_options;
  cluster_options.mode = ClusterOptions::Mode::kThreaded;
  cluster_options.store_instance = std::move(*store);
  cluster_options.event_ttl = event_ttl;
  absl::StatusOr<std::unique_ptr<Cluster>> cluster = Cluster::Create(std::move(cluster_options));
  if (!cluster.ok()) {
    std::cerr << "orch server: " << cluster.status().message() << "\n";
    return 1;
  }
  for (int i = 0; i < sim_nodes; ++i) {
    if (absl::Status s = (*cluster)->AddNode({.node_name = absl::StrCat("sim-node-", i)}); !s.ok()) {
      std::cerr << "orch server: " << s.message() << "\n";
      return 1;
    }
  }
  Client& client = (*cluster)->client();
  for (const std::string& manifest : manifests) {
    if (ApplyFile(client, manifest) != 0) return 1;
  }
  size_t colon = listen.rfind(':');
  int port = 0;
  if (colon == std::string::npos || !absl::SimpleAtoi(listen.substr(colon + 1), &port) || port < 0 ||
      port > 65535) {
    std::cerr << "orch server: --listen " << listen << ": expected HOST:PORT\n";
    return 1;
  }
  std::string host = listen.substr(0, colon);
  ReadApiServer api((*cluster)->client());
  if (absl::Status s = api.Start(host, port); !s.ok()) {
    std::cerr << "orch server: " << s.message() << "\n";
    return 1;
  }
  std::string base = absl::StrCat("http://", host, ":", api.port());
  std::cout << "orch server " << kVersion << ": store "
            << (in_memory ? std::string("in memory") : "sqlite://" + options.path) << ", revision "
            << (*cluster)->store().CurrentRevision() << ", " << sim_nodes << " simulated node(s)\n"
            << "  serving a read-only API on " << base << "\n"
            << "  try: curl " << base << "/api/v1/namespaces/demo/pods\n"
            << "       curl " << base << "/apis/apps/v1/namespaces/demo/deployments/web\n"
            << "       curl -N '" << base << "/api/v1/namespaces/demo/configmaps?watch=true'\n"
            << "  Ctrl-C stops the server." << std::endl;
  int signal = 0;
  sigwait(&stop_signals, &signal);
  std::cout << "orch server: stopping (signal " << signal << ")" << std::endl;
  api.Stop();
  (*cluster)->Stop();
  return 0;
}

}  // namespace
}  // namespace orch

int main(int argc, char** argv) {
  CLI::App app{"orch: an embeddable container-orchestration control plane"};
  app.require_subcommand(1);

  std::string data_dir = "/var/lib/orch";
  std::string listen = "127.0.0.1:8080";
  std::vector<std::string> manifests;
  bool in_memory = false, power_loss_safe = false;
  CLI::App* server = app.add_subcommand("server", "Run the control plane on an embedded SQLite store");
  server->add_option("--data-dir", data_dir, "Directory of the state database (state.db)")
      ->capture_default_str();
  server->add_option("--listen", listen, "HOST:PORT of the HTTP API")->capture_default_str();
  server->add_option("--apply", manifests, "Manifest files (YAML or JSON) to apply at start");
  server->add_flag("--memory", in_memory, "Keep the state in memory only");
  server->add_flag("--power-loss-safe", power_loss_safe, "Sync every commit to disk (synchronous=FULL)");
  std::string event_ttl = "1h";
  server
      ->add_option("--event-ttl", event_ttl, "How long Events are kept after their last write (0: for good)")
      ->capture_default_str();
  int sim_nodes = 3;
  server->add_option("--sim-nodes", sim_nodes, "Simulated nodes (sim runtime) to run pods on")
      ->capture_default_str()
      ->check(CLI::Range(0, 100000));

  std::vector<std::string> files;
  CLI::App* validate = app.add_subcommand("validate", "Decode and validate manifests without a server");
  validate->add_option("-f,--filename", files, "Manifest files")->required();

  app.add_subcommand("version", "Print the version");

  CLI11_PARSE(app, argc, argv);
  if (server->parsed())
    return orch::Serve(data_dir, in_memory, power_loss_safe, listen, manifests, sim_nodes, event_ttl);
  if (validate->parsed()) return orch::Validate(files);
  std::cout << "orch " << orch::kVersion << "\n";
  return 0;
}
