// Validation of Service, Endpoints, Deployment, ReplicaSet, ConfigMap, Namespace, Node and Event.
#include <doctest/doctest.h>

#include <string>

#include "core/api/validation_test_util.h"

namespace orch::testing {
namespace {

const std::string kSvc = "Service \"web\" is invalid: ";
const std::string kDeploy = "Deployment.apps \"web\" is invalid: ";

std::string ServiceSpecError(const Json& spec) {
  Json svc = BaseService();
  svc["spec"] = spec;
  return CreateError(svc);
}

TEST_CASE("service ports are required unless headless or ExternalName") {
  CHECK(CreateError(BaseService()) == "");
  CHECK(ServiceSpecError(Json::parse(R"({"selector":{"app":"web"}})")) ==
        kSvc + "spec.ports: Required value");
  CHECK(ServiceSpecError(Json::parse(R"({"clusterIP":"None","selector":{"app":"web"}})")) == "");
  CHECK(ServiceSpecError(Json::parse(R"({"type":"ExternalName","externalName":"db.example.com."})")) == "");
  CHECK(ServiceSpecError(Json::parse(R"({"type":"ExternalName"})")) ==
        kSvc + "spec.externalName: Required value");
  CHECK(ServiceSpecError(Json::parse(R"({"type":"NodePort","clusterIP":"None","ports":[{"port":80}]})")) ==
        kSvc + "spec.clusterIPs[0]: Invalid value: \"None\": may not be set to 'None' for NodePort services");
}

TEST_CASE("service ports: numbers, names, protocol, target port, node port") {
  CHECK(ServiceSpecError(Json::parse(R"({"ports":[{"port":0}]})")) ==
        kSvc + "spec.ports[0].port: Invalid value: 0: must be between 1 and 65535, inclusive");
  CHECK(ServiceSpecError(Json::parse(R"({"ports":[{"port":80},{"port":443}]})")) ==
        kSvc + "[spec.ports[0].name: Required value, spec.ports[1].name: Required value]");
  CHECK(ServiceSpecError(Json::parse(R"({"ports":[{"name":"web","port":80},{"name":"web","port":443}]})")) ==
        kSvc + "spec.ports[1].name: Duplicate value: \"web\"");
  CHECK(ServiceSpecError(Json::parse(R"({"ports":[{"port":80,"protocol":"ICMP"}]})")) ==
        kSvc +
            "spec.ports[0].protocol: Unsupported value: \"ICMP\": supported values: \"SCTP\", \"TCP\", "
            "\"UDP\"");
  CHECK(ServiceSpecError(Json::parse(R"({"ports":[{"port":80,"targetPort":70000}]})")) ==
        kSvc + "spec.ports[0].targetPort: Invalid value: 70000: must be between 1 and 65535, inclusive");
  CHECK(ServiceSpecError(Json::parse(R"({"ports":[{"port":80,"targetPort":"http-web"}]})")) == "");
  CHECK(ServiceSpecError(Json::parse(R"({"ports":[{"port":80,"targetPort":"HTTP"}]})")) ==
        kSvc +
            "[spec.ports[0].targetPort: Invalid value: \"HTTP\": must contain only alpha-numeric characters "
            "(a-z, 0-9), and hyphens (-), spec.ports[0].targetPort: Invalid value: \"HTTP\": must contain at "
            "least one letter (a-z)]");
  CHECK(ServiceSpecError(Json::parse(R"({"ports":[{"port":80,"nodePort":30080}]})")) ==
        kSvc + "spec.ports[0].nodePort: Forbidden: may not be used when `type` is 'ClusterIP'");
  CHECK(ServiceSpecError(Json::parse(R"({"type":"NodePort","ports":[{"port":80,"nodePort":30080}]})")) == "");
  CHECK(ServiceSpecError(Json::parse(R"({"type":"NodePort","ports":[{"port":80,"nodePort":8080}]})")) ==
        kSvc +
            "spec.ports[0].nodePort: Invalid value: 8080: provided port is not in the valid range. The range "
            "of "
            "valid ports is 30000-32767");
  CHECK(ServiceSpecError(Json::parse(R"({"ports":[{"name":"a","port":80},{"name":"b","port":80}]})")) ==
        kSvc +
            "spec.ports[1]: Duplicate value: core.ServicePort{Name:\"\", Protocol:\"TCP\", "
            "AppProtocol:(*string)(nil), Port:80, TargetPort:intstr.IntOrString{Type:0, IntVal:0, "
            "StrVal:\"\"}, "
            "NodePort:0}");
}

TEST_CASE("service type, session affinity and cluster IPs") {
  CHECK(ServiceSpecError(Json::parse(R"({"type":"Internal","ports":[{"port":80}]})")) ==
        kSvc +
            "spec.type: Unsupported value: \"Internal\": supported values: \"ClusterIP\", \"ExternalName\", "
            "\"LoadBalancer\", \"NodePort\"");
  CHECK(ServiceSpecError(Json::parse(R"({"sessionAffinity":"Sticky","ports":[{"port":80}]})")) ==
        kSvc +
            "spec.sessionAffinity: Unsupported value: \"Sticky\": supported values: \"ClientIP\", \"None\"");
  CHECK(
      ServiceSpecError(Json::parse(R"({"clusterIP":"10.96.0.300","ports":[{"port":80}]})")) ==
      kSvc +
          "spec.clusterIPs[0]: Invalid value: \"10.96.0.300\": must be a valid IP address, (e.g. 10.9.8.7 or "
          "2001:db8::ffff)");
  CHECK(ServiceSpecError(Json::parse(
            R"({"clusterIP":"10.96.0.10","ports":[{"port":80}],"externalTrafficPolicy":"Local"})")) ==
        kSvc +
            "spec.externalTrafficPolicy: Invalid value: \"Local\": may only be set for externally-accessible "
            "services");
}

TEST_CASE("a service's cluster IP may not change") {
  Json old = BaseService();
  old["spec"]["clusterIP"] = "10.96.0.10";
  Json svc = old;
  svc["spec"]["clusterIP"] = "10.96.0.11";
  CHECK(UpdateError(svc, old) == kSvc + "spec.clusterIP: Invalid value: \"10.96.0.11\": field is immutable");
  svc["spec"].erase("clusterIP");
  CHECK(UpdateError(svc, old) == "");
  svc = old;
  svc["spec"]["ports"][0]["port"] = 81;
  CHECK(UpdateError(svc, old) == "");
}

TEST_CASE("deployment selector is required, non-empty and matches the template") {
  CHECK(CreateError(BaseDeployment()) == "");
  Json d = BaseDeployment();
  d["spec"].erase("selector");
  CHECK(CreateError(d) == kDeploy +
                              "[spec.selector: Required value, spec.template.metadata.labels: Invalid value: "
                              "map[string]string{\"app\":\"web\"}: `selector` does not match template "
                              "`labels`]");
  d = BaseDeployment();
  d["spec"]["selector"]["matchLabels"] = {{"app", "api"}};
  CHECK(CreateError(d) ==
        kDeploy +
            "spec.template.metadata.labels: Invalid value: map[string]string{\"app\":\"web\"}"
            ": `selector` does not match template `labels`");
  d["spec"]["selector"] = Json::object();
  CHECK(CreateError(d) ==
        kDeploy +
            "spec.selector: Invalid value: v1.LabelSelector{MatchLabels:map[string]string(nil), "
            "MatchExpressions:[]v1.LabelSelectorRequirement(nil)}: empty selector is invalid "
            "for deployment");
  d["spec"]["selector"] =
      Json::parse(R"({"matchExpressions":[{"key":"app","operator":"In","values":["web","api"]}]})");
  CHECK(CreateError(d) == "");
}

TEST_CASE("deployment numbers and the template's pod spec") {
  Json d = BaseDeployment();
  d["spec"]["replicas"] = -1;
  d["spec"]["minReadySeconds"] = 10;
  d["spec"]["progressDeadlineSeconds"] = 10;
  d["spec"]["revisionHistoryLimit"] = -2;
  CHECK(CreateError(d) ==
        kDeploy +
            "[spec.replicas: Invalid value: -1: must be greater than or equal to 0, "
            "spec.revisionHistoryLimit: Invalid value: -2: must be greater than or equal to 0, "
            "spec.progressDeadlineSeconds: Invalid value: 10: must be greater than "
            "minReadySeconds]");
  d = BaseDeployment();
  d["spec"]["template"]["spec"]["containers"][0].erase("image");
  d["spec"]["template"]["spec"]["restartPolicy"] = "Never";
  CHECK(CreateError(d) == kDeploy +
                              "[spec.template.spec.containers[0].image: Required value, "
                              "spec.template.spec.restartPolicy: Unsupported value: \"Never\": supported "
                              "values: \"Always\"]");
  d = BaseDeployment();
  d["spec"]["template"]["metadata"]["labels"]["bad key"] = "x";
  CHECK(CreateError(d) == kDeploy + "spec.template.labels: Invalid value: \"bad key\": " + kNamePartMsg);
}

TEST_CASE("deployment strategy") {
  Json d = BaseDeployment();
  d["spec"]["strategy"] = Json::parse(R"({"type":"Canary"})");
  CHECK(CreateError(d) == kDeploy +
                              "spec.strategy: Unsupported value: apps.DeploymentStrategy{Type:\"Canary\", "
                              "RollingUpdate:(*apps.RollingUpdateDeployment)(nil)}: supported values: "
                              "\"Recreate\", \"RollingUpdate\"");
  d["spec"]["strategy"] = Json::parse(R"({"type":"Recreate","rollingUpdate":{"maxSurge":1}})");
  CHECK(CreateError(d) == kDeploy +
                              "spec.strategy.rollingUpdate: Forbidden: may not be specified when strategy "
                              "`type` is 'Recreate'");
  d["spec"]["strategy"] =
      Json::parse(R"({"type":"RollingUpdate","rollingUpdate":{"maxSurge":0,"maxUnavailable":0}})");
  CHECK(CreateError(d) ==
        kDeploy +
            "spec.strategy.rollingUpdate.maxUnavailable: Invalid value: 0: may not be 0 when "
            "`maxSurge` is 0");
  d["spec"]["strategy"] = Json::parse(R"({"rollingUpdate":{"maxSurge":"0%","maxUnavailable":"150%"}})");
  CHECK(CreateError(d) == kDeploy +
                              "spec.strategy.rollingUpdate.maxUnavailable: Invalid value: 150%: must not be "
                              "greater than 100%");
  d["spec"]["strategy"] = Json::parse(R"({"rollingUpdate":{"maxSurge":"lots","maxUnavailable":-1}})");
  CHECK(
      CreateError(d) ==
      kDeploy +
          "[spec.strategy.rollingUpdate.maxUnavailable: Invalid value: -1: must be greater than or equal to "
          "0, "
          "spec.strategy.rollingUpdate.maxSurge: Invalid value: lots: a valid percent string must be a "
          "numeric "
          "string followed by an ending '%' (e.g. '1%',  or '93%', regex used for validation is '[0-9]+%')]");
  d["spec"]["strategy"] = Json::parse(R"({"rollingUpdate":{"maxSurge":"50%","maxUnavailable":0}})");
  CHECK(CreateError(d) == "");
}

TEST_CASE("selectors of deployments and replica sets are immutable") {
  Json old = BaseDeployment();
  Json d = old;
  d["spec"]["selector"]["matchLabels"]["tier"] = "front";
  d["spec"]["template"]["metadata"]["labels"]["tier"] = "front";
  CHECK(UpdateError(d, old) ==
        kDeploy +
            "spec.selector: Invalid value: v1.LabelSelector{MatchLabels:map[string]string"
            "{\"app\":\"web\", \"tier\":\"front\"}, MatchExpressions:[]v1."
            "LabelSelectorRequirement(nil)}: field is immutable");
  d = old;
  d["spec"]["replicas"] = 5;
  d["spec"]["template"]["spec"]["containers"][0]["image"] = "nginx:1.26";
  CHECK(UpdateError(d, old) == "");

  Json rs_old = old;
  rs_old["kind"] = "ReplicaSet";
  rs_old["spec"].erase("strategy");
  Json rs = rs_old;
  rs["spec"]["selector"] = Json::parse(R"({"matchLabels":{"app":"api"}})");
  CHECK(
      UpdateError(rs, rs_old) ==
      "ReplicaSet.apps \"web\" is invalid: [spec.template.metadata.labels: Invalid value: "
      "map[string]string{\"app\":"
      "\"web\"}: `selector` does not match template `labels`, spec.selector: Invalid value: v1.LabelSelector{"
      "MatchLabels:map[string]string{\"app\":\"api\"}, MatchExpressions:[]v1.LabelSelectorRequirement(nil)}: "
      "field "
      "is immutable]");
  CHECK(CreateError(rs_old) == "");
}

TEST_CASE("replica counts in deployment and replica set status") {
  Json old = BaseDeployment();
  Json d = old;
  d["status"] = Json::parse(R"({"replicas":2,"readyReplicas":3,"availableReplicas":1})");
  CHECK(StatusError(d, old) ==
        kDeploy + "status.readyReplicas: Invalid value: 3: cannot be greater than status.replicas");
  d["status"] = Json::parse(R"({"replicas":2,"readyReplicas":2,"availableReplicas":2,"updatedReplicas":2})");
  CHECK(StatusError(d, old) == "");
  Json rs = old;
  rs["kind"] = "ReplicaSet";
  rs["spec"].erase("strategy");
  Json rs_new = rs;
  rs_new["status"] = Json::parse(R"({"replicas":3,"readyReplicas":2,"availableReplicas":3})");
  CHECK(StatusError(rs_new, rs) ==
        "ReplicaSet.apps \"web\" is invalid: status.availableReplicas: Invalid value: 3: cannot be greater "
        "than "
        "readyReplicas");
  rs_new["status"] = Json::parse(R"({"replicas":-1,"observedGeneration":-1})");
  CHECK(StatusError(rs_new, rs)
            .find("status.replicas: Invalid value: -1: must be greater than or equal to 0") !=
        std::string::npos);
}

TEST_CASE("config map keys, size, and immutability") {
  Json cm =
      Json::parse(R"({"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"cfg","namespace":"default"},
    "data":{"app.conf":"x"},"binaryData":{"logo.png":"iVBORw0KGgo="}})");
  CHECK(CreateError(cm) == "");
  cm["data"]["bad/key"] = "y";
  CHECK(CreateError(cm) ==
        "ConfigMap \"cfg\" is invalid: data[bad/key]: Invalid value: \"bad/key\": a valid config "
        "key must consist of alphanumeric characters, '-', '_' or '.' (e.g. 'key.name',  or "
        "'KEY_NAME',  or 'key-name', regex used for validation is '[-._a-zA-Z0-9]+')");
  cm["data"].erase("bad/key");
  cm["data"]["logo.png"] = "text";
  CHECK(CreateError(cm) ==
        "ConfigMap \"cfg\" is invalid: [data[logo.png]: Invalid value: \"logo.png\": duplicate of "
        "key present in binaryData, binaryData[logo.png]: Invalid value: \"logo.png\": duplicate of "
        "key present in data]");
  cm["data"].erase("logo.png");
  cm["data"]["big"] = std::string(1024 * 1024, 'x');
  CHECK(CreateError(cm) == "ConfigMap \"cfg\" is invalid: : Too long: must have at most 1048576 bytes");

  Json old =
      Json::parse(R"({"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"cfg","namespace":"default"},
    "data":{"a":"1"},"immutable":true})");
  Json next = old;
  next["data"]["a"] = "2";
  CHECK(UpdateError(next, old) ==
        "ConfigMap \"cfg\" is invalid: data: Forbidden: field is immutable when `immutable` is set");
  next = old;
  next.erase("immutable");
  CHECK(UpdateError(next, old) ==
        "ConfigMap \"cfg\" is invalid: immutable: Forbidden: field is immutable when `immutable` is set");
  next = old;
  next["metadata"]["labels"] = {{"a", "b"}};
  CHECK(UpdateError(next, old) == "");
}

TEST_CASE("namespace finalizers and status phase") {
  Json ns = Json::parse(R"({"apiVersion":"v1","kind":"Namespace","metadata":{"name":"team"},
    "spec":{"finalizers":["kubernetes"]}})");
  CHECK(CreateError(ns) == "");
  ns["spec"]["finalizers"] = {"cleanup"};
  CHECK(CreateError(ns) ==
        "Namespace \"team\" is invalid: spec.finalizers: Invalid value: \"cleanup\": name is "
        "neither a standard finalizer name nor is it fully qualified");
  Json old = Json::parse(R"({"apiVersion":"v1","kind":"Namespace","metadata":{"name":"team"}})");
  Json next = old;
  next["status"] = {{"phase", "Terminating"}};
  CHECK(StatusError(next, old) ==
        "Namespace \"team\" is invalid: status.Phase: Invalid value: \"Terminating\": may "
        "only be 'Active' if `deletionTimestamp` is empty");
}

TEST_CASE("node taints and pod CIDRs") {
  Json node = Json::parse(R"({"apiVersion":"v1","kind":"Node","metadata":{"name":"n1"},
    "spec":{"podCIDR":"10.244.1.0/24","taints":[{"key":"dedicated","value":"db","effect":"NoSchedule"}]}})");
  CHECK(CreateError(node) == "");
  node["spec"]["taints"].push_back(Json::parse(R"({"key":"dedicated","value":"web","effect":"NoSchedule"})"));
  node["spec"]["taints"].push_back(Json::parse(R"({"key":"x","effect":"Never"})"));
  node["spec"]["taints"].push_back(Json::parse(R"({"key":"y"})"));
  CHECK(CreateError(node) ==
        "Node \"n1\" is invalid: [spec.taints[1]: Duplicate value: core.Taint{Key:\"dedicated\", "
        "Value:\"web\", "
        "Effect:\"NoSchedule\", TimeAdded:(*v1.Time)(nil)}: taints must be unique by key and effect pair, "
        "spec.taints[2].effect: Unsupported value: \"Never\": supported values: \"NoSchedule\", "
        "\"PreferNoSchedule\", "
        "\"NoExecute\", spec.taints[3].effect: Required value]");
  Json old = Json::parse(
      R"({"apiVersion":"v1","kind":"Node","metadata":{"name":"n1"},"spec":{"podCIDR":"10.244.1.0/24"}})");
  Json next = old;
  next["spec"]["podCIDR"] = "10.244.2.0/24";
  CHECK(UpdateError(next, old) ==
        "Node \"n1\" is invalid: spec.podCIDR: Forbidden: node updates may not change "
        "podCIDR except from \"\" to valid");
  Json negative = Json::parse(
      R"({"apiVersion":"v1","kind":"Node","metadata":{"name":"n1"},"status":{"capacity":{"cpu":"-1"}}})");
  CHECK(CreateError(negative) ==
        "Node \"n1\" is invalid: status.capacity.cpu: Invalid value: \"-1\": must be greater than or equal "
        "to 0");
  next["spec"]["podCIDR"] = "10.244.2.0/33";
  CHECK(CreateError(next) ==
        "Node \"n1\" is invalid: spec.podCIDR: Invalid value: \"10.244.2.0/33\": must be a valid "
        "CIDR value, (e.g. 10.9.8.0/24 or 2001:db8::/64)");
}

TEST_CASE("events name their object, in its namespace") {
  Json event =
      Json::parse(R"({"apiVersion":"v1","kind":"Event","metadata":{"name":"web.1","namespace":"default"},
    "involvedObject":{"kind":"Pod","name":"web","namespace":"default"},"reason":"Started","type":"Normal"})");
  CHECK(CreateError(event) == "");
  event["involvedObject"]["namespace"] = "other";
  CHECK(CreateError(event) ==
        "Event \"web.1\" is invalid: involvedObject.namespace: Invalid value: \"other\": does not "
        "match event.namespace");
  event["involvedObject"] = Json::parse(R"({"kind":"Node","name":"n1"})");
  CHECK(CreateError(event) == "");
  event["involvedObject"] = Json::object();
  event["type"] = "Info";
  CHECK(CreateError(event) ==
        "Event \"web.1\" is invalid: [involvedObject.kind: Required value, involvedObject.name: "
        "Required value, type: Unsupported value: \"Info\": supported values: \"Normal\", "
        "\"Warning\"]");
}

}  // namespace
TEST_CASE("endpoints: addresses, ports and special IPs, as Kubernetes checks them") {
  auto error = [](const std::string& subsets) {
    return CreateError(
        Json::parse(R"({"apiVersion":"v1","kind":"Endpoints","metadata":{"name":"web","namespace":"d"},
      "subsets":)" + subsets +
                    "}"));
  };
  const std::string kEp = "Endpoints \"web\" is invalid: ";
  CHECK(error(R"([{"addresses":[{"ip":"10.244.1.5","nodeName":"node-a","hostname":"web-0"}],
                   "notReadyAddresses":[{"ip":"fd00::5"}],
                   "ports":[{"name":"http","port":80,"protocol":"TCP"},{"name":"dns","port":53,"protocol":"UDP"}]}])") ==
        "");
  CHECK(error("[]") == "");
  CHECK(error(R"([{"ports":[{"port":80,"protocol":"TCP"}]}])") ==
        kEp + "subsets[0]: Required value: must specify `addresses` or `notReadyAddresses`");
  CHECK(
      error(R"([{"addresses":[{"ip":"10.0.0.300"}],"ports":[{"port":80,"protocol":"TCP"}]}])") ==
      kEp +
          "[subsets[0].addresses[0].ip: Invalid value: \"10.0.0.300\": must be a valid IP address, (e.g. "
          "10.9.8.7 or 2001:db8::ffff), subsets[0].addresses[0].ip: Invalid value: \"10.0.0.300\": must be a "
          "valid IP address]");
  CHECK(error(R"([{"addresses":[{"ip":"127.0.0.9"}],"ports":[{"port":80,"protocol":"TCP"}]}])") ==
        kEp +
            "subsets[0].addresses[0].ip: Invalid value: \"127.0.0.9\": may not be in the loopback range "
            "(127.0.0.0/8, ::1/128)");
  CHECK(error(R"([{"notReadyAddresses":[{"ip":"::1"}],"ports":[{"port":80,"protocol":"TCP"}]}])") ==
        kEp +
            "subsets[0].notReadyAddresses[0].ip: Invalid value: \"::1\": may not be in the loopback range "
            "(127.0.0.0/8, ::1/128)");
  CHECK(error(R"([{"addresses":[{"ip":"0.0.0.0"}],"ports":[{"port":80,"protocol":"TCP"}]}])") ==
        kEp + "subsets[0].addresses[0].ip: Invalid value: \"0.0.0.0\": may not be unspecified (0.0.0.0)");
  CHECK(error(R"([{"addresses":[{"ip":"169.254.169.254"}],"ports":[{"port":80,"protocol":"TCP"}]}])") ==
        kEp +
            "subsets[0].addresses[0].ip: Invalid value: \"169.254.169.254\": may not be in the link-local "
            "range (169.254.0.0/16, fe80::/10)");
  CHECK(error(R"([{"addresses":[{"ip":"fe80::1"}],"ports":[{"port":80,"protocol":"TCP"}]}])") ==
        kEp +
            "subsets[0].addresses[0].ip: Invalid value: \"fe80::1\": may not be in the link-local range "
            "(169.254.0.0/16, fe80::/10)");
  CHECK(error(R"([{"addresses":[{"ip":"224.0.0.251"}],"ports":[{"port":80,"protocol":"TCP"}]}])") ==
        kEp +
            "subsets[0].addresses[0].ip: Invalid value: \"224.0.0.251\": may not be in the link-local "
            "multicast range (224.0.0.0/24, ff02::/10)");
  CHECK(error(R"([{"addresses":[{"ip":"::ffff:127.0.0.1"}],"ports":[{"port":80,"protocol":"TCP"}]}])") ==
        kEp +
            "subsets[0].addresses[0].ip: Invalid value: \"::ffff:127.0.0.1\": may not be in the loopback "
            "range (127.0.0.0/8, ::1/128)");
  CHECK(error(R"([{"addresses":[{"ip":"10.1.2.3","hostname":"Web_0","nodeName":"Node A"}],
                   "ports":[{"port":80,"protocol":"TCP"}]}])") ==
        kEp + "[subsets[0].addresses[0].hostname: Invalid value: \"Web_0\": " + kLabelMsg +
            ", subsets[0].addresses[0].nodeName: Invalid value: \"Node A\": " + kSubdomainMsg + "]");
  CHECK(error(R"([{"addresses":[{"ip":"10.1.2.3"}],
                   "ports":[{"port":80,"protocol":"TCP"},{"name":"b","port":0,"protocol":"ICMP"},{"name":"c","port":81}]}])") ==
        kEp +
            "[subsets[0].ports[0].name: Required value, subsets[0].ports[1].port: Invalid value: 0: must be "
            "between 1 and 65535, inclusive, subsets[0].ports[1].protocol: Unsupported value: \"ICMP\": "
            "supported values: \"SCTP\", \"TCP\", \"UDP\", subsets[0].ports[2].protocol: Required value]");
  // An update is checked by the same rules.
  const Json old =
      Json::parse(R"({"apiVersion":"v1","kind":"Endpoints","metadata":{"name":"web","namespace":"d",
    "resourceVersion":"3"},"subsets":[{"addresses":[{"ip":"10.1.2.3"}],"ports":[{"port":80,"protocol":"TCP"}]}]})");
  Json next = old;
  next["subsets"][0]["addresses"][0]["ip"] = "127.0.0.1";
  CHECK(UpdateError(next, old) ==
        kEp +
            "subsets[0].addresses[0].ip: Invalid value: \"127.0.0.1\": may not be in the loopback range "
            "(127.0.0.0/8, ::1/128)");
}

}  // namespace orch::testing
