// The simulated network: IPv4 address management per node pod CIDR, a bitmap per node.
#include "src/net/sim/sim_network.h"

#include <cstdint>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"

namespace orch {
namespace {

struct Cidr {
  uint32_t base = 0;
  int prefix = 0;
};

absl::StatusOr<Cidr> ParseCidr(absl::string_view text) {
  std::vector<absl::string_view> parts = absl::StrSplit(text, '/');
  auto invalid = [&] { return absl::InvalidArgumentError(absl::StrCat("invalid IPv4 CIDR \"", text, "\"")); };
  if (parts.size() != 2) return invalid();
  std::vector<absl::string_view> octets = absl::StrSplit(parts[0], '.');
  if (octets.size() != 4) return invalid();
  Cidr cidr;
  for (absl::string_view octet : octets) {
    uint32_t value = 0;
    if (!absl::SimpleAtoi(octet, &value) || value > 255) return invalid();
    cidr.base = (cidr.base << 8) | value;
  }
  if (!absl::SimpleAtoi(parts[1], &cidr.prefix) || cidr.prefix < 0 || cidr.prefix > 32) return invalid();
  const uint32_t mask = cidr.prefix == 0 ? 0 : ~uint32_t{0} << (32 - cidr.prefix);
  cidr.base &= mask;
  return cidr;
}

std::string FormatIp(uint32_t ip) {
  return absl::StrCat(ip >> 24, ".", (ip >> 16) & 255, ".", (ip >> 8) & 255, ".", ip & 255);
}

class SimNetwork final : public NetworkDriver {
 public:
  absl::string_view Name() const override { return "sim"; }

  absl::StatusOr<PodNetworkStatus> SetUpPod(const PodNetworkConfig& config) override {
    if (auto it = by_uid_.find(config.uid); it != by_uid_.end())
      return PodNetworkStatus{{FormatIp(it->second)}};
    absl::StatusOr<Cidr> cidr = ParseCidr(config.pod_cidr);
    if (!cidr.ok()) return cidr.status();
    if (cidr->prefix > 30) {
      return absl::InvalidArgumentError(absl::StrCat("pod CIDR \"", config.pod_cidr, "\" is too small"));
    }
    NodeAddresses& node = nodes_[config.node_name];
    const uint32_t size = uint32_t{1} << (32 - cidr->prefix);
    if (node.base != cidr->base || node.used.size() != (size + 63) / 64) {
      node.base = cidr->base;
      node.used.assign((size + 63) / 64, 0);
      node.used[0] |= 1 | 2;  // the network address, and .1 for the node's bridge (as CNI bridge does)
      node.used[(size - 1) / 64] |= uint64_t{1} << ((size - 1) % 64);  // broadcast
      node.next = 2;
    }
    for (uint32_t tried = 0; tried < size; ++tried) {
      const uint32_t offset = (node.next + tried) % size;
      uint64_t& word = node.used[offset / 64];
      const uint64_t bit = uint64_t{1} << (offset % 64);
      if ((word & bit) != 0) continue;
      word |= bit;
      node.next = offset + 1;  // round robin, so a freed address is not handed out again at once
      const uint32_t ip = cidr->base + offset;
      by_uid_[config.uid] = ip;
      return PodNetworkStatus{{FormatIp(ip)}};
    }
    return absl::ResourceExhaustedError(
        absl::StrCat("node ", config.node_name, ": no free address in pod CIDR ", config.pod_cidr));
  }

  absl::Status TearDownPod(absl::string_view node_name, absl::string_view uid) override {
    auto it = by_uid_.find(uid);
    if (it == by_uid_.end()) return absl::OkStatus();
    const uint32_t ip = it->second;
    by_uid_.erase(it);
    auto node = nodes_.find(node_name);
    if (node == nodes_.end()) return absl::OkStatus();
    const uint32_t offset = ip - node->second.base;
    if (offset / 64 < node->second.used.size())
      node->second.used[offset / 64] &= ~(uint64_t{1} << (offset % 64));
    return absl::OkStatus();
  }

 private:
  // 32 bytes for a /24 plus the vector: small enough for 100,000 nodes.
  struct NodeAddresses {
    uint32_t base = 0;
    uint32_t next = 2;
    std::vector<uint64_t> used;
  };
  absl::flat_hash_map<std::string, NodeAddresses> nodes_;
  absl::flat_hash_map<std::string, uint32_t> by_uid_;
};

}  // namespace

std::unique_ptr<NetworkDriver> NewSimNetwork() { return std::make_unique<SimNetwork>(); }

absl::StatusOr<std::string> NthSubnet(absl::string_view cluster_cidr, int prefix_length, uint32_t index) {
  absl::StatusOr<Cidr> cidr = ParseCidr(cluster_cidr);
  if (!cidr.ok()) return cidr.status();
  if (prefix_length < cidr->prefix || prefix_length > 32) {
    return absl::InvalidArgumentError(
        absl::StrCat("subnet size /", prefix_length, " does not fit in cluster CIDR ", cluster_cidr));
  }
  const int bits = prefix_length - cidr->prefix;
  if (bits < 32 && index >= (uint32_t{1} << bits)) {
    return absl::OutOfRangeError(
        absl::StrCat("cluster CIDR ", cluster_cidr, " has no subnet /", prefix_length, " number ", index));
  }
  const uint32_t base = cidr->base + (prefix_length == 32 ? index : index << (32 - prefix_length));
  return absl::StrCat(FormatIp(base), "/", prefix_length);
}

}  // namespace orch
