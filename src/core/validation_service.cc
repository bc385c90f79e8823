// Service validation as pkg/apis/core/validation's ValidateService does it (with the node port range
// check that kube-apiserver's allocator makes), and the rules of Service updates and status.
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "src/core/validation_internal.h"

namespace orch::validation {
namespace {

constexpr absl::string_view kValidIpMsg = "must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)";
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

}  // namespace orch::validation
