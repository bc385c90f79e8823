// The coordination.k8s.io/v1 kind orch acts on: Lease, the heartbeat a node agent renews in
// kube-node-lease (and, later, the lock of leader election). Included by orch/types.h.
#ifndef ORCH_API_COORDINATION_V1_H_
#define ORCH_API_COORDINATION_V1_H_

#include <array>
#include <cstdint>
#include <optional>
#include <string>

#include "orch/api/kinds.h"
#include "orch/api/object.h"

namespace orch {

struct LeaseSpec {
  std::string holderIdentity;
  std::optional<int32_t> leaseDurationSeconds;
  Time acquireTime;  // MicroTime: written with microseconds
  Time renewTime;    // MicroTime
  std::optional<int32_t> leaseTransitions;
  std::string strategy;
  std::string preferredHolder;
  UnknownFields unknown;
  friend bool operator==(const LeaseSpec&, const LeaseSpec&) = default;
};

// A time-bounded claim: its holder renews it before leaseDurationSeconds pass.
struct Lease {
  static constexpr const char* kApiVersion = "coordination.k8s.io/v1";
  static constexpr const char* kKind = "Lease";
  static constexpr const char* kResource = "leases";
  static constexpr bool kNamespaced = true;
  static constexpr bool kStatusSubresource = false;
  static constexpr std::array<SelectableField, 0> kSelectableFields{};
  ObjectMeta metadata;
  LeaseSpec spec;
  UnknownFields unknown;
  friend bool operator==(const Lease&, const Lease&) = default;
};

}  // namespace orch

#endif  // ORCH_API_COORDINATION_V1_H_
