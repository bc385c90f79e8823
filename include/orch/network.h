// The pod network seam: gives a pod its address on its node and takes it away. The "sim" driver
// only does address management (IPAM) from each node's pod CIDR; the roadmap's "host" and "bridge"
// drivers also wire the address up. Drivers are opened by name, like runtimes.
#ifndef ORCH_NETWORK_H_
#define ORCH_NETWORK_H_

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace orch {

struct PodNetworkConfig {
  std::string node_name;
  std::string pod_cidr;  // the node's spec.podCIDR ("10.244.3.0/24")
  std::string namespace_;
  std::string name;
  std::string uid;
};

struct PodNetworkStatus {
  std::vector<std::string> ips;  // the first is status.podIP
};

// Loop thread only.
class NetworkDriver {
 public:
  virtual ~NetworkDriver() = default;
  virtual absl::string_view Name() const = 0;
  // Gives the pod an address in its node's pod CIDR; the same pod (uid) asking again gets the same
  // one. ResourceExhausted when the CIDR is full, InvalidArgument when it does not parse.
  virtual absl::StatusOr<PodNetworkStatus> SetUpPod(const PodNetworkConfig& config) = 0;
  // Frees the pod's address. A pod without one is not an error.
  virtual absl::Status TearDownPod(absl::string_view node_name, absl::string_view uid) = 0;
};

struct NetworkOptions {};

using NetworkFactory = std::function<absl::StatusOr<std::unique_ptr<NetworkDriver>>(const NetworkOptions&)>;

// Opens a driver by name: "sim" is built in; others come from RegisterNetworkDriver.
// InvalidArgument naming the driver (and those there are) when none is registered. Thread-safe.
absl::StatusOr<std::unique_ptr<NetworkDriver>> OpenNetwork(absl::string_view name,
                                                           const NetworkOptions& options = {});
// Registers (or replaces) a driver. Thread-safe.
void RegisterNetworkDriver(absl::string_view name, NetworkFactory factory);

// The index-th subnet of `prefix_length` bits inside `cluster_cidr` ("10.244.0.0/16", 24, 3 ->
// "10.244.3.0/24"). OutOfRange when the cluster CIDR holds fewer. IPv4 only.
absl::StatusOr<std::string> NthSubnet(absl::string_view cluster_cidr, int prefix_length, uint32_t index);

}  // namespace orch

#endif  // ORCH_NETWORK_H_
