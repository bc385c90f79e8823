// A read-only HTTP view of a store in Kubernetes' URL layout: get, list and watch of every registered
// kind, served from the bytes the store encoded once. It is what `orch server` offers until the full
// API (writes, discovery, Tables for kubectl) lands. Internal to src/net and src/cli.
#ifndef ORCH_SRC_NET_READ_API_H_
#define ORCH_SRC_NET_READ_API_H_

#include <atomic>
#include <memory>
#include <string>
#include <thread>

#include "absl/status/status.h"
#include "orch/store.h"

namespace httplib {
class Server;
}

namespace orch {

// Serves GET /healthz, /version, /api/v1/..., /apis/<group>/<version>/... Thread-safe; Stop() (or
// the destructor) ends the server and every open watch.
class ReadApiServer {
 public:
  explicit ReadApiServer(Store& store);
  ~ReadApiServer();

  // Binds host:port (port 0 picks a free one) and serves on a background thread.
  absl::Status Start(const std::string& host, int port);
  int port() const { return port_; }
  void Stop();

 private:
  void Route();

  Store& store_;
  std::unique_ptr<httplib::Server> server_;
  std::thread thread_;
  std::atomic<bool> stopping_{false};
  int port_ = 0;
};

}  // namespace orch

#endif  // ORCH_SRC_NET_READ_API_H_
