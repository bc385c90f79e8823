// Runtime drivers by name; "sim" is built in.
#include <map>
#include <string>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "src/runtime/sim/sim_runtime.h"

namespace orch {
namespace {

struct Drivers {
  absl::Mutex mu;
  std::map<std::string, RuntimeFactory, std::less<>> runtimes ABSL_GUARDED_BY(mu);
};

Drivers& GlobalDrivers() {
  static Drivers* drivers = [] {
    auto* d = new Drivers();
    absl::MutexLock lock(&d->mu);
    d->runtimes["sim"] = NewSimRuntime;
    return d;
  }();
  return *drivers;
}

}  // namespace

absl::StatusOr<std::unique_ptr<RuntimeDriver>> OpenRuntime(absl::string_view name,
                                                           const RuntimeOptions& options) {
  RuntimeFactory factory;
  {
    Drivers& drivers = GlobalDrivers();
    absl::MutexLock lock(&drivers.mu);
    auto it = drivers.runtimes.find(name);
    if (it == drivers.runtimes.end())
      return absl::NotFoundError(absl::StrCat("no runtime driver \"", name, "\""));
    factory = it->second;
  }
  return factory(options);
}

void RegisterRuntimeDriver(absl::string_view name, RuntimeFactory factory) {
  Drivers& drivers = GlobalDrivers();
  absl::MutexLock lock(&drivers.mu);
  drivers.runtimes[std::string(name)] = std::move(factory);
}

}  // namespace orch
