// A read-only HTTP view of the cluster in Kubernetes' URL layout, served through the Client: get, list
// and watch of every registered kind, from the bytes the store encoded once. It is what `orch server`
// offers until the full API (writes, discovery, Tables for kubectl) lands. Internal to src/apiserver.
#ifndef ORCH_SRC_APISERVER_READ_API_H_
#define ORCH_SRC_APISERVER_READ_API_H_

#include <atomic>
#include <memory>
#include <string>
#include <thread>

#include "absl/status/status.h"
#include "orch/client.h"

namespace httplib {
class Server;
}

namespace orch {

// Serves GET /healthz, /version, /api/v1/..., /apis/<group>/<version>/... Thread-safe; Stop() (or
// the destructor) ends the server and every open watch.
class ReadApiServer {
 public:
  explicit ReadApiServer(Client& client);
  ~ReadApiServer();

  // Binds host:port (port 0 picks a free one) and serves on a background thread.
  absl::Status Start(const std::string& host, int port);
  int port() const { return port_; }
  void Stop();

 private:
  void Route();

  Client& client_;
  std::unique_ptr<httplib::Server> server_;
  std::thread thread_;
  std::atomic<bool> stopping_{false};
  int port_ = 0;
};

}  // namespace orch

#endif  // ORCH_SRC_APISERVER_READ_API_H_
