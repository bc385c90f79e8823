// Store drivers by URL scheme.
#include <map>

#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "absl/synchronization/mutex.h"
#include "orch/errors.h"
#include "orch/store.h"

namespace orch {
namespace {

struct Drivers {
  absl::Mutex mu;
  std::map<std::string, StoreFactory, std::less<>> by_scheme ABSL_GUARDED_BY(mu);
};

Drivers& GlobalDrivers() {
  static Drivers* drivers = new Drivers();
  return *drivers;
}

}  // namespace

void RegisterStoreDriver(absl::string_view scheme, StoreFactory factory) {
  Drivers& drivers = GlobalDrivers();
  absl::MutexLock lock(&drivers.mu);
  drivers.by_scheme[std::string(scheme)] = std::move(factory);
}

absl::StatusOr<std::unique_ptr<Store>> OpenStore(absl::string_view url, Clock* clock) {
  SqliteStoreOptions options;
  options.clock = clock;
  if (url == "memory") {
    MemoryStoreOptions memory;
    memory.clock = clock;
    return OpenMemoryStore(memory);
  }
  if (url == "sqlite::memory:" || url == "sqlite://:memory:") {
    options.path = ":memory:";
    return OpenSqliteStore(options);
  }
  if (absl::ConsumePrefix(&url, "sqlite://")) {
    if (url.empty()) return BadRequestError("store URL \"sqlite://\" names no file");
    options.path = std::string(url);  // "sqlite:///abs" leaves "/abs", "sqlite://rel" leaves "rel"
    return OpenSqliteStore(options);
  }
  size_t colon = url.find("://");
  if (colon != absl::string_view::npos) {
    StoreFactory factory;
    {
      Drivers& drivers = GlobalDrivers();
      absl::MutexLock lock(&drivers.mu);
      auto it = drivers.by_scheme.find(url.substr(0, colon));
      if (it != drivers.by_scheme.end()) factory = it->second;
    }
    if (factory) return factory(url);
  }
  return BadRequestError(
      absl::StrCat("store URL \"", url, "\": unknown scheme (use sqlite:///path/to/file.db or memory)"));
}

}  // namespace orch
