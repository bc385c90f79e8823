// The simulated network, for the registry in network_registry.cc. Internal to src/net.
#ifndef ORCH_SRC_NET_SIM_SIM_NETWORK_H_
#define ORCH_SRC_NET_SIM_SIM_NETWORK_H_

#include <memory>

#include "orch/network.h"

namespace orch {

std::unique_ptr<NetworkDriver> NewSimNetwork();

}  // namespace orch

#endif  // ORCH_SRC_NET_SIM_SIM_NETWORK_H_
