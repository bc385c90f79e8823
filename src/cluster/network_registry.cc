// Network drivers by name; "sim" is built in.
#include <map>
#include <string>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "orch/network.h"
#include "src/net/sim/sim_network.h"

namespace orch {
namespace {

struct Networks {
  absl::Mutex mu;
  std::map<std::string, NetworkFactory, std::less<>> networks ABSL_GUARDED_BY(mu);
};

Networks& GlobalNetworks() {
  static Networks* drivers = [] {
    auto* d = new Networks();
    absl::MutexLock lock(&d->mu);
    d->networks["sim"] = [](const NetworkOptions&) -> absl::StatusOr<std::unique_ptr<NetworkDriver>> {
      return NewSimNetwork();
    };
    return d;
  }();
  return *drivers;
}

}  // namespace

absl::StatusOr<std::unique_ptr<NetworkDriver>> OpenNetwork(absl::string_view name,
                                                           const NetworkOptions& options) {
  NetworkFactory factory;
  {
    Networks& drivers = GlobalNetworks();
    absl::MutexLock lock(&drivers.mu);
    auto it = drivers.networks.find(name);
    if (it == drivers.networks.end())
      return absl::NotFoundError(absl::StrCat("no network driver \"", name, "\""));
    factory = it->second;
  }
  return factory(options);
}

void RegisterNetworkDriver(absl::string_view name, NetworkFactory factory) {
  Networks& drivers = GlobalNetworks();
  absl::MutexLock lock(&drivers.mu);
  drivers.networks[std::string(name)] = std::move(factory);
}

}  // namespace orch
