// Service validation as pkg/apis/core/validation's ValidateService does it (with the node port range
// check that kube-apiserver's allocator makes), and the rules of Service updates and status.
#include <arpa/inet.h>

#include <algorithm>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "src/core/api/validation_internal.h"

namespace orch::validation {
namespace {

constexpr absl::string_view kValidIpMsg = "must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)";
constexpr absl::string_view kLoopbackMsg = "may not be in the loopback range (127.0.0.0/8, ::1/128)";
constexpr absl::string_view kLinkLocalMsg = "may not be in the link-local range (169.254.0.0/16, fe80::/10)";
constexpr absl::string_view kLinkLocalMulticastMsg =
    "may not be in the link-local multicast range (224.0.0.0/24, ff02::/10)";
constexpr int32_t kNodePortMin = 30000;
constexpr int32_t kNodePortMax = 32767;

// A headless Service has clusterIP None (and so needs no ports).
bool IsHeadless(const ServiceSpec& spec) {
  return spec.clusterIP == "None" || (!spec.clusterIPs.empty() && spec.clusterIPs[0] == "None");
}

// The type after defaulting.
std::string EffectiveType(const ServiceSpec& spec) { return spec.type.empty() ? "ClusterIP" : spec.type; }

// apiservice.ExternallyAccessible: reachable from outside the cluster network.
bool ExternallyAccessible(const Service& service) {
  std::string type = EffectiveType(service.spec);
  return type == "LoadBalancer" || type == "NodePort" ||
         (type == "ClusterIP" && UnknownHas(service.spec.unknown, "externalIPs"));
}

// A Go %#v of core.ServicePort, as the duplicate-port error prints it.
std::string GoServicePort(const std::string& protocol, int32_t port) {
  return absl::StrCat("core.ServicePort{Name:\"\", Protocol:", GoQuote(protocol),
                      ", AppProtocol:(*string)(nil), Port:", port,
                      ", TargetPort:intstr.IntOrString{Type:0, IntVal:0, StrVal:\"\"}, NodePort:0}");
}

// validateServicePort: name, number, protocol, target port, application protocol.
void ValidateServicePort(const ServicePort& sp, bool require_name, std::set<std::string>* names,
                         absl::string_view path, FieldErrors* errs) {
  if (require_name && sp.name.empty()) {
    errs->push_back(FieldRequired(Child(path, "name")));
  } else if (!sp.name.empty()) {
    for (const std::string& msg : IsDns1123Label(sp.name))
      errs->push_back(FieldInvalid(Child(path, "name"), sp.name, msg));
    if (!names->insert(sp.name).second) errs->push_back(FieldDuplicate(Child(path, "name"), sp.name));
  }
  for (const std::string& msg : IsValidPortNum(sp.port))
    errs->push_back(FieldInvalidInt(Child(path, "port"), sp.port, msg));
  if (!sp.protocol.empty() && sp.protocol != "TCP" && sp.protocol != "UDP" && sp.protocol != "SCTP") {
    errs->push_back(FieldNotSupported(Child(path, "protocol"), sp.protocol, {"SCTP", "TCP", "UDP"}));
  }
  // An int 0 (or "") target port is defaulted to the port.
  const IntOrString& target = sp.targetPort;
  if (target.IsInt() && target.intVal != 0) {
    for (const std::string& msg : IsValidPortNum(target.intVal)) {
      errs->push_back(FieldInvalidInt(Child(path, "targetPort"), target.intVal, msg));
    }
  } else if (!target.IsInt() && !target.strVal.empty()) {
    for (const std::string& msg : IsValidPortName(target.strVal)) {
      errs->push_back(FieldInvalid(Child(path, "targetPort"), target.strVal, msg));
    }
  }
  if (!sp.appProtocol.empty()) {
    for (const std::string& msg : IsQualifiedName(sp.appProtocol)) {
      errs->push_back(FieldInvalid(Child(path, "appProtocol"), sp.appProtocol, msg));
    }
  }
}

// ValidateServiceClusterIPsRelatedFields: addresses, families and family policy.
void ValidateClusterIps(const ServiceSpec& spec, FieldErrors* errs) {
  std::vector<std::string> ips = spec.clusterIPs;
  if (ips.empty() && !spec.clusterIP.empty()) ips.push_back(spec.clusterIP);
  if (!spec.clusterIPs.empty() && !spec.clusterIP.empty() && spec.clusterIP != spec.clusterIPs[0]) {
    errs->push_back(FieldInvalidRaw("spec.clusterIPs", GoStringSlice(spec.clusterIPs),
                                    "first value must match `clusterIP`"));
  }
  for (size_t i = 0; i < ips.size(); ++i) {
    std::string path = Index("spec.clusterIPs", i);
    if (ips[i] == "None") {
      if (i > 0) errs->push_back(FieldInvalid(path, ips[i], "may not be 'None'"));
      continue;
    }
    if (!IsValidIp(ips[i])) errs->push_back(FieldInvalid(path, ips[i], kValidIpMsg));
  }
  if (ips.size() > 2) {
    errs->push_back(FieldInvalidRaw("spec.clusterIPs", GoStringSlice(ips), "may only hold up to 2 values"));
  }
  std::set<std::string> families;
  for (size_t i = 0; i < spec.ipFamilies.size(); ++i) {
    const std::string& family = spec.ipFamilies[i];
    std::string path = Index("spec.ipFamilies", i);
    if (family != "IPv4" && family != "IPv6") {
      errs->push_back(FieldNotSupported(path, family, {"IPv4", "IPv6"}));
    } else if (!families.insert(family).second) {
      errs->push_back(FieldDuplicate(path, family));
    }
  }
  const std::string& policy = spec.ipFamilyPolicy;
  if (!policy.empty() && policy != "SingleStack" && policy != "PreferDualStack" &&
      policy != "RequireDualStack") {
    errs->push_back(FieldNotSupported("spec.ipFamilyPolicy", policy,
                                      {"PreferDualStack", "RequireDualStack", "SingleStack"}));
  }
}

}  // namespace

void ValidateServiceSpec(const Service& service, FieldErrors* errs) {
  const ServiceSpec& spec = service.spec;
  const std::string type = EffectiveType(spec);
  bool headless = IsHeadless(spec);
  if (spec.ports.empty() && !headless && type != "ExternalName") errs->push_back(FieldRequired("spec.ports"));
  if (type == "LoadBalancer" && headless) {
    errs->push_back(
        FieldInvalid("spec.clusterIPs[0]", "None", "may not be set to 'None' for LoadBalancer services"));
  } else if (type == "NodePort" && headless) {
    errs->push_back(
        FieldInvalid("spec.clusterIPs[0]", "None", "may not be set to 'None' for NodePort services"));
  } else if (type == "ExternalName") {
    if (!spec.clusterIPs.empty() || !spec.clusterIP.empty()) {
      errs->push_back(FieldForbidden("spec.clusterIPs", "may not be set for ExternalName services"));
    }
    if (!spec.ipFamilies.empty())
      errs->push_back(FieldForbidden("spec.ipFamilies", "may not be set for ExternalName services"));
    if (!spec.ipFamilyPolicy.empty()) {
      errs->push_back(FieldForbidden("spec.ipFamilyPolicy", "may not be set for ExternalName services"));
    }
    absl::string_view cname = spec.externalName;
    absl::ConsumeSuffix(&cname, ".");
    if (cname.empty()) {
      errs->push_back(FieldRequired("spec.externalName"));
    } else {
      for (const std::string& msg : IsDns1123Subdomain(cname))
        errs->push_back(FieldInvalid("spec.externalName", cname, msg));
    }
  }
  std::set<std::string> names;
  for (size_t i = 0; i < spec.ports.size(); ++i) {
    ValidateServicePort(spec.ports[i], spec.ports.size() > 1, &names, Index("spec.ports", i), errs);
  }
  for (std::string& e : ValidateLabels(spec.selector, "spec.selector")) errs->push_back(std::move(e));
  const std::string& affinity = spec.sessionAffinity;
  if (!affinity.empty() && affinity != "ClientIP" && affinity != "None") {
    errs->push_back(FieldNotSupported("spec.sessionAffinity", affinity, {"ClientIP", "None"}));
  }
  if ((affinity.empty() || affinity == "None") && UnknownHas(spec.unknown, "sessionAffinityConfig")) {
    errs->push_back(
        FieldForbidden("spec.sessionAffinityConfig", "must not be set when session affinity is None"));
  }
  if (type != "ExternalName") ValidateClusterIps(spec, errs);
  if (type != "ClusterIP" && type != "NodePort" && type != "LoadBalancer" && type != "ExternalName") {
    errs->push_back(
        FieldNotSupported("spec.type", type, {"ClusterIP", "ExternalName", "LoadBalancer", "NodePort"}));
  }
  std::set<std::pair<std::string, int32_t>> node_ports;
  std::set<std::pair<std::string, int32_t>> ports;
  for (size_t i = 0; i < spec.ports.size(); ++i) {
    const ServicePort& sp = spec.ports[i];
    std::string path = Index("spec.ports", i);
    std::string protocol = sp.protocol.empty() ? "TCP" : sp.protocol;
    if (sp.nodePort != 0) {
      if (type == "ClusterIP") {
        errs->push_back(
            FieldForbidden(Child(path, "nodePort"), "may not be used when `type` is 'ClusterIP'"));
      } else if ((type == "NodePort" || type == "LoadBalancer") &&
                 (sp.nodePort < kNodePortMin || sp.nodePort > kNodePortMax)) {
        errs->push_back(
            FieldInvalidInt(Child(path, "nodePort"), sp.nodePort,
                            absl::StrCat("provided port is not in the valid range. The range of valid "
                                         "ports is ",
                                         kNodePortMin, "-", kNodePortMax)));
      }
      if (!node_ports.insert({protocol, sp.nodePort}).second) {
        errs->push_back(FieldDuplicateRaw(Child(path, "nodePort"), absl::StrCat(sp.nodePort)));
      }
    }
    if (!ports.insert({protocol, sp.port}).second) {
      errs->push_back(FieldDuplicateRaw(path, GoServicePort(protocol, sp.port)));
    }
  }
  const std::string& external = spec.externalTrafficPolicy;
  if (!ExternallyAccessible(service)) {
    if (!external.empty()) {
      errs->push_back(FieldInvalid("spec.externalTrafficPolicy", external,
                                   "may only be set for externally-accessible services"));
    }
  } else if (!external.empty() && external != "Cluster" && external != "Local") {
    errs->push_back(FieldNotSupported("spec.externalTrafficPolicy", external, {"Cluster", "Local"}));
  }
  const std::string& internal = spec.internalTrafficPolicy;
  if (!internal.empty() && internal != "Cluster" && internal != "Local") {
    errs->push_back(FieldNotSupported("spec.internalTrafficPolicy", internal, {"Cluster", "Local"}));
  }
}

void ValidateServiceUpdate(const Service& service, const Service& old, FieldErrors* errs) {
  // The cluster IP stays for the life of the Service (unless it is or becomes an ExternalName one).
  // An update that leaves it empty keeps the allocated one, as kube-apiserver does.
  if (EffectiveType(service.spec) != "ExternalName" && EffectiveType(old.spec) != "ExternalName" &&
      !old.spec.clusterIP.empty() && !service.spec.clusterIP.empty()) {
    ValidateImmutable(service.spec.clusterIP, old.spec.clusterIP, "spec.clusterIP", errs);
    if (!service.spec.clusterIPs.empty() && !old.spec.clusterIPs.empty() &&
        service.spec.clusterIPs[0] != old.spec.clusterIPs[0] &&
        service.spec.clusterIP == old.spec.clusterIP) {
      errs->push_back(FieldInvalidRaw("spec.clusterIPs[0]", GoStringSlice(service.spec.clusterIPs),
                                      "may not change once set"));
    }
  }
  ValidateServiceSpec(service, errs);
}

void ValidateServiceStatus(const Service& service, FieldErrors* errs) {
  const std::vector<LoadBalancerIngress>& ingress = service.status.loadBalancer.ingress;
  for (size_t i = 0; i < ingress.size(); ++i) {
    std::string idx = Index("status.loadBalancer.ingress", i);
    if (!ingress[i].ip.empty() && !IsValidIp(ingress[i].ip)) {
      errs->push_back(FieldInvalid(Child(idx, "ip"), ingress[i].ip, kValidIpMsg));
    }
    if (!ingress[i].hostname.empty()) {
      for (const std::string& msg : IsDns1123Subdomain(ingress[i].hostname)) {
        errs->push_back(FieldInvalid(Child(idx, "hostname"), ingress[i].hostname, msg));
      }
      if (IsValidIp(ingress[i].hostname)) {
        errs->push_back(FieldInvalid(Child(idx, "hostname"), ingress[i].hostname,
                                     "must be a DNS name, not an IP address"));
      }
    }
  }
}

namespace {

// The special IPv4 ranges of ValidateNonSpecialIP, for `ip` (as written) whose address is `v4`.
void ValidateNonSpecialIpv4(const unsigned char v4[4], const std::string& ip, absl::string_view path,
                            FieldErrors* errs) {
  if (v4[0] == 0 && v4[1] == 0 && v4[2] == 0 && v4[3] == 0) {
    errs->push_back(FieldInvalid(path, ip, absl::StrCat("may not be unspecified (", ip, ")")));
  }
  if (v4[0] == 127) errs->push_back(FieldInvalid(path, ip, kLoopbackMsg));
  if (v4[0] == 169 && v4[1] == 254) errs->push_back(FieldInvalid(path, ip, kLinkLocalMsg));
  if (v4[0] == 224 && v4[1] == 0 && v4[2] == 0)
    errs->push_back(FieldInvalid(path, ip, kLinkLocalMulticastMsg));
}

// ValidateNonSpecialIP: an endpoint must be an address other hosts can reach.
void ValidateNonSpecialIp(const std::string& ip, absl::string_view path, FieldErrors* errs) {
  unsigned char v4[4];
  unsigned char v6[16];
  if (inet_pton(AF_INET, ip.c_str(), v4) == 1) return ValidateNonSpecialIpv4(v4, ip, path, errs);
  if (inet_pton(AF_INET6, ip.c_str(), v6) != 1) {
    errs->push_back(FieldInvalid(path, ip, "must be a valid IP address"));
    return;
  }
  // An IPv4-mapped address (::ffff:a.b.c.d) is judged as its IPv4 address, as Go's net.IP does.
  static constexpr unsigned char kMapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
  if (std::equal(kMapped, kMapped + 12, v6)) return ValidateNonSpecialIpv4(v6 + 12, ip, path, errs);
  const bool zero_but_last = std::all_of(v6, v6 + 15, [](unsigned char b) { return b == 0; });
  if (zero_but_last && v6[15] == 0) {
    errs->push_back(FieldInvalid(path, ip, absl::StrCat("may not be unspecified (", ip, ")")));
  }
  if (zero_but_last && v6[15] == 1) errs->push_back(FieldInvalid(path, ip, kLoopbackMsg));
  if (v6[0] == 0xfe && (v6[1] & 0xc0) == 0x80) errs->push_back(FieldInvalid(path, ip, kLinkLocalMsg));
  if (v6[0] == 0xff && (v6[1] & 0x0f) == 0x02)
    errs->push_back(FieldInvalid(path, ip, kLinkLocalMulticastMsg));
}

void ValidateEndpointAddress(const EndpointAddress& address, absl::string_view path, FieldErrors* errs) {
  const std::string ip_path = Child(path, "ip");
  if (!IsValidIp(address.ip)) errs->push_back(FieldInvalid(ip_path, address.ip, kValidIpMsg));
  if (!address.hostname.empty()) {
    for (const std::string& msg : IsDns1123Label(address.hostname)) {
      errs->push_back(FieldInvalid(Child(path, "hostname"), address.hostname, msg));
    }
  }
  if (!address.nodeName.empty()) {
    for (const std::string& msg : IsDns1123Subdomain(address.nodeName)) {
      errs->push_back(FieldInvalid(Child(path, "nodeName"), address.nodeName, msg));
    }
  }
  ValidateNonSpecialIp(address.ip, ip_path, errs);
}

void ValidateEndpointPort(const EndpointPort& port, bool require_name, absl::string_view path,
                          FieldErrors* errs) {
  if (require_name && port.name.empty()) {
    errs->push_back(FieldRequired(Child(path, "name")));
  } else if (!port.name.empty()) {
    for (const std::string& msg : IsDns1123Label(port.name)) {
      errs->push_back(FieldInvalid(Child(path, "name"), port.name, msg));
    }
  }
  for (const std::string& msg : IsValidPortNum(port.port)) {
    errs->push_back(FieldInvalidInt(Child(path, "port"), port.port, msg));
  }
  if (port.protocol.empty()) {
    errs->push_back(FieldRequired(Child(path, "protocol")));
  } else if (port.protocol != "TCP" && port.protocol != "UDP" && port.protocol != "SCTP") {
    errs->push_back(FieldNotSupported(Child(path, "protocol"), port.protocol, {"SCTP", "TCP", "UDP"}));
  }
  if (!port.appProtocol.empty()) {
    for (const std::string& msg : IsQualifiedName(port.appProtocol)) {
      errs->push_back(FieldInvalid(Child(path, "appProtocol"), port.appProtocol, msg));
    }
  }
}

}  // namespace

void ValidateEndpointSubsets(const Endpoints& endpoints, FieldErrors* errs) {
  for (size_t i = 0; i < endpoints.subsets.size(); ++i) {
    const EndpointSubset& subset = endpoints.subsets[i];
    const std::string path = Index("subsets", i);
    if (subset.addresses.empty() && subset.notReadyAddresses.empty()) {
      errs->push_back(FieldRequired(path, "must specify `addresses` or `notReadyAddresses`"));
    }
    for (size_t a = 0; a < subset.addresses.size(); ++a) {
      ValidateEndpointAddress(subset.addresses[a], Index(Child(path, "addresses"), a), errs);
    }
    for (size_t a = 0; a < subset.notReadyAddresses.size(); ++a) {
      ValidateEndpointAddress(subset.notReadyAddresses[a], Index(Child(path, "notReadyAddresses"), a), errs);
    }
    for (size_t p = 0; p < subset.ports.size(); ++p) {
      ValidateEndpointPort(subset.ports[p], subset.ports.size() > 1, Index(Child(path, "ports"), p), errs);
    }
  }
}

}  // namespace orch::validation
