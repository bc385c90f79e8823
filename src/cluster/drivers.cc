// The one registry of drivers, by name: stores (by URL scheme), runtimes and networks. The
// built-in ones ("sqlite", "memory", "sim") are registered like any other.
#include <map>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/strip.h"
#include "absl/synchronization/mutex.h"
#include "orch/errors.h"
#include "orch/network.h"
#include "orch/runtime.h"
#include "orch/store.h"
#include "src/net/sim/sim_network.h"
#include "src/runtime/sim/sim_runtime.h"

namespace orch {
namespace {

// Factories of one kind of driver by name. Thread-safe.
template <class Factory>
class DriverTable {
 public:
  explicit DriverTable(const char* what) : what_(what) {}

  void Register(absl::string_view name, Factory factory) {
    absl::MutexLock lock(&mu_);
    factories_[std::string(name)] = std::move(factory);
  }
  // The factory of `name`, or InvalidArgument naming it and the drivers there are.
  absl::StatusOr<Factory> Find(absl::string_view name) const {
    absl::MutexLock lock(&mu_);
    auto it = factories_.find(name);
    if (it != factories_.end()) return it->second;
    std::vector<std::string> known;
    for (const auto& [known_name, unused] : factories_) known.push_back(known_name);
    return absl::InvalidArgumentError(absl::StrCat(
        "no ", what_, " driver \"", name, "\" is registered (there are: ", absl::StrJoin(known, ", "), ")"));
  }

 private:
  const char* const what_;
  mutable absl::Mutex mu_;
  std::map<std::string, Factory, std::less<>> factories_ ABSL_GUARDED_BY(mu_);
};

absl::StatusOr<std::unique_ptr<Store>> OpenSqliteUrl(absl::string_view url) {
  SqliteStoreOptions options;
  if (url == "sqlite::memory:" || url == "sqlite://:memory:") {
    options.path = ":memory:";
    return OpenSqliteStore(options);
  }
  if (!absl::ConsumePrefix(&url, "sqlite://")) {
    return absl::InvalidArgumentError(absl::StrCat(
        "store URL \"", url, "\": use sqlite:///path/to/file.db, sqlite://relative.db or sqlite::memory:"));
  }
  if (url.empty()) return absl::InvalidArgumentError("store URL \"sqlite://\" names no file");
  options.path = std::string(url);  // "sqlite:///abs" leaves "/abs", "sqlite://rel" leaves "rel"
  return OpenSqliteStore(options);
}

DriverTable<StoreFactory>& Stores() {
  static auto* table = [] {
    auto* t = new DriverTable<StoreFactory>("store");
    t->Register("sqlite", OpenSqliteUrl);
    t->Register("memory", [](absl::string_view url) -> absl::StatusOr<std::unique_ptr<Store>> {
      if (url != "memory")
        return absl::InvalidArgumentError(absl::StrCat("store URL \"", url, "\": use memory"));
      return OpenMemoryStore();
    });
    return t;
  }();
  return *table;
}

DriverTable<RuntimeFactory>& Runtimes() {
  static auto* table = [] {
    auto* t = new DriverTable<RuntimeFactory>("runtime");
    t->Register("sim", NewSimRuntime);
    return t;
  }();
  return *table;
}

DriverTable<NetworkFactory>& Networks() {
  static auto* table = [] {
    auto* t = new DriverTable<NetworkFactory>("network");
    t->Register("sim", [](const NetworkOptions&) -> absl::StatusOr<std::unique_ptr<NetworkDriver>> {
      return NewSimNetwork();
    });
    return t;
  }();
  return *table;
}

}  // namespace

void RegisterStoreDriver(absl::string_view scheme, StoreFactory factory) {
  Stores().Register(scheme, std::move(factory));
}

absl::StatusOr<std::unique_ptr<Store>> OpenStore(absl::string_view url) {
  // The driver is named by the URL's scheme: what comes before the first ':' ("sqlite", "etcd"), or
  // the whole URL when it has none ("memory").
  const absl::string_view scheme = url.substr(0, url.find(':'));
  absl::StatusOr<StoreFactory> factory = Stores().Find(scheme);
  if (!factory.ok())
    return absl::InvalidArgumentError(absl::StrCat("store URL \"", url, "\": ", factory.status().message()));
  return (*factory)(url);
}

void RegisterRuntimeDriver(absl::string_view name, RuntimeFactory factory) {
  Runtimes().Register(name, std::move(factory));
}

absl::StatusOr<std::unique_ptr<RuntimeDriver>> OpenRuntime(absl::string_view name,
                                                           const RuntimeOptions& options) {
  absl::StatusOr<RuntimeFactory> factory = Runtimes().Find(name);
  if (!factory.ok()) return factory.status();
  return (*factory)(options);
}

void RegisterNetworkDriver(absl::string_view name, NetworkFactory factory) {
  Networks().Register(name, std::move(factory));
}

absl::StatusOr<std::unique_ptr<NetworkDriver>> OpenNetwork(absl::string_view name,
                                                           const NetworkOptions& options) {
  absl::StatusOr<NetworkFactory> factory = Networks().Find(name);
  if (!factory.ok()) return factory.status();
  return (*factory)(options);
}

}  // namespace orch
