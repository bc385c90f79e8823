// PodSpec validation (containers, volumes, scheduling fields) and the rules of Pod updates.
#include <doctest/doctest.h>

#include <string>

#include "core/api/validation_test_util.h"

namespace orch::testing {
namespace {

// The error of a pod whose spec is `spec`.
std::string SpecError(const Json& spec) {
  Json pod = BasePod();
  pod["spec"] = spec;
  return CreateError(pod);
}

// The error of a pod whose first container has `field` set to `value`.
std::string ContainerError(const std::string& field, const Json& value) {
  Json pod = BasePod();
  pod["spec"]["containers"][0][field] = value;
  return CreateError(pod);
}

const std::string kPrefix = "Pod \"web\" is invalid: ";

TEST_CASE("containers are required, with DNS-label names unique across init containers, and images") {
  CHECK(SpecError(Json::parse(R"({"containers":[]})")) == kPrefix + "spec.containers: Required value");
  CHECK(SpecError(Json::object()) == kPrefix + "spec.containers: Required value");
  CHECK(ContainerError("name", "App") ==
        kPrefix + "spec.containers[0].name: Invalid value: \"App\": " + kLabelMsg);
  CHECK(ContainerError("name", "") == kPrefix + "spec.containers[0].name: Required value");
  CHECK(ContainerError("image", "") == kPrefix + "spec.containers[0].image: Required value");
  CHECK(SpecError(Json::parse(R"({"containers":[{"name":"a","image":"x"},{"name":"a","image":"y"}]})")) ==
        kPrefix + "spec.containers[1].name: Duplicate value: \"a\"");
  CHECK(SpecError(Json::parse(R"({"initContainers":[{"name":"a","image":"x"}],
                                  "containers":[{"name":"a","image":"y"}]})")) ==
        kPrefix + "spec.initContainers[0].name: Duplicate value: \"a\"");
  CHECK(SpecError(Json::parse(
            R"({"initContainers":[{"name":"i","image":"x","livenessProbe":{"exec":{"command":["t"]}}}],
                                  "containers":[{"name":"a","image":"y"}]})")) ==
        kPrefix +
            "spec.initContainers[0].livenessProbe: Forbidden: may not be set for init containers without "
            "restartPolicy=Always");
}

TEST_CASE("container ports") {
  CHECK(ContainerError("ports", Json::parse(R"([{"containerPort":0}])")) ==
        kPrefix + "spec.containers[0].ports[0].containerPort: Required value");
  CHECK(ContainerError("ports", Json::parse(R"([{"containerPort":70000}])")) ==
        kPrefix +
            "spec.containers[0].ports[0].containerPort: Invalid value: 70000: must be between 1 and 65535, "
            "inclusive");
  CHECK(
      ContainerError("ports", Json::parse(R"([{"containerPort":80,"hostPort":-1}])")) ==
      kPrefix +
          "spec.containers[0].ports[0].hostPort: Invalid value: -1: must be between 1 and 65535, inclusive");
  CHECK(ContainerError("ports", Json::parse(R"([{"containerPort":80,"protocol":"HTTP"}])")) ==
        kPrefix +
            "spec.containers[0].ports[0].protocol: Unsupported value: \"HTTP\": supported values: \"SCTP\", "
            "\"TCP\", \"UDP\"");
  CHECK(ContainerError("ports", Json::parse(R"([{"containerPort":80,"name":"a-very-long-port-name"}])")) ==
        kPrefix +
            "spec.containers[0].ports[0].name: Invalid value: \"a-very-long-port-name\": must be no more "
            "than 15 characters");
  CHECK(ContainerError("ports", Json::parse(R"([{"containerPort":80,"name":"8080"}])")) ==
        kPrefix +
            "spec.containers[0].ports[0].name: Invalid value: \"8080\": must contain at least one letter "
            "(a-z)");
  CHECK(ContainerError(
            "ports",
            Json::parse(R"([{"containerPort":80,"name":"http"},{"containerPort":81,"name":"http"}])")) ==
        kPrefix + "spec.containers[0].ports[1].name: Duplicate value: \"http\"");
  CHECK(ContainerError(
            "ports",
            Json::parse(R"([{"containerPort":80,"hostPort":8080},{"containerPort":81,"hostPort":8080}])")) ==
        kPrefix + "spec.containers[0].ports[1].hostPort: Duplicate value: \"/TCP/8080\"");
  CHECK(ContainerError("ports", Json::parse(R"([{"containerPort":80,"name":"web","protocol":"UDP"}])")) ==
        "");
}

TEST_CASE("environment variable names and sources") {
  const std::string kEnvMsg =
      "a valid environment variable name must consist of alphabetic characters, digits, '_', '-', or '.', "
      "and must "
      "not start with a digit (e.g. 'my.env-name',  or 'MY_ENV.NAME',  or 'MyEnvName1', regex used for "
      "validation "
      "is '[-._a-zA-Z][-._a-zA-Z0-9]*')";
  CHECK(ContainerError("env", Json::parse(R"([{"name":"1ABC","value":"x"}])")) ==
        kPrefix + "spec.containers[0].env[0].name: Invalid value: \"1ABC\": " + kEnvMsg);
  CHECK(ContainerError("env", Json::parse(R"([{"value":"x"}])")) ==
        kPrefix +
            "[spec.containers[0].env[0].name: Required value, spec.containers[0].env[0].name: Invalid value: "
            "\"\": " +
            kEnvMsg + "]");
  CHECK(ContainerError("env", Json::parse(R"([{"name":"..x"}])")) ==
        kPrefix + "spec.containers[0].env[0].name: Invalid value: \"..x\": must not start with '..'");
  CHECK(ContainerError("env", Json::parse(R"([{"name":"my.var-1_X","value":"v"}])")) == "");
  CHECK(ContainerError(
            "env",
            Json::parse(
                R"([{"name":"A","value":"v","valueFrom":{"fieldRef":{"fieldPath":"metadata.name"}}}])")) ==
        kPrefix +
            "spec.containers[0].env[0].valueFrom: Invalid value: \"\": may not be specified when `value` is "
            "not "
            "empty");
  CHECK(
      ContainerError("env",
                     Json::parse(R"([{"name":"A","valueFrom":{"fieldRef":{"fieldPath":"spec.bogus"}}}])"))
          .find(
              "spec.containers[0].env[0].valueFrom.fieldRef.fieldPath: Unsupported value: \"spec.bogus\"") !=
      std::string::npos);
  CHECK(ContainerError("env",
                       Json::parse(R"([{"name":"A","valueFrom":{"configMapKeyRef":{"name":"cfg"}}}])")) ==
        kPrefix + "spec.containers[0].env[0].valueFrom.configMapKeyRef.key: Required value");
}

TEST_CASE("resources: known names, non-negative, requests at most limits") {
  CHECK(ContainerError("resources",
                       Json::parse(R"({"limits":{"cpu":"1","memory":"1Gi"},"requests":{"cpu":"500m"}})")) ==
        "");
  CHECK(ContainerError("resources", Json::parse(R"({"limits":{"cpu":"1"},"requests":{"cpu":"2"}})")) ==
        kPrefix +
            "spec.containers[0].resources.requests: Invalid value: \"2\": must be less than or equal to cpu "
            "limit of 1");
  CHECK(ContainerError("resources", Json::parse(R"({"requests":{"memory":"-1Mi"}})")) ==
        kPrefix +
            "spec.containers[0].resources.requests[memory]: Invalid value: \"-1Mi\": must be greater than or "
            "equal to 0");
  CHECK(ContainerError("resources", Json::parse(R"({"limits":{"pods":"1"}})")) ==
        kPrefix +
            "spec.containers[0].resources.limits[pods]: Invalid value: \"pods\": must be a standard resource "
            "for containers");
  CHECK(ContainerError(
            "resources",
            Json::parse(R"({"limits":{"example.com/gpu":"1"},"requests":{"example.com/gpu":"1"}})")) == "");
  CHECK(ContainerError("resources", Json::parse(R"({"requests":{"example.com/gpu":"1"}})")) ==
        kPrefix +
            "spec.containers[0].resources.limits: Required value: Limit must be set for non overcommitable "
            "resources");
}

TEST_CASE("probes need exactly one handler and sane numbers") {
  CHECK(ContainerError("livenessProbe", Json::parse(R"({"periodSeconds":5})")) ==
        kPrefix + "spec.containers[0].livenessProbe: Required value: must specify a handler type");
  CHECK(
      ContainerError("readinessProbe",
                     Json::parse(R"({"exec":{"command":["true"]},"tcpSocket":{"port":80}})")) ==
      kPrefix +
          "spec.containers[0].readinessProbe.tcpSocket: Forbidden: may not specify more than 1 handler type");
  CHECK(ContainerError("livenessProbe", Json::parse(R"({"exec":{"command":["true"]},"periodSeconds":-1})")) ==
        kPrefix +
            "spec.containers[0].livenessProbe.periodSeconds: Invalid value: -1: must be greater than or "
            "equal to 0");
  CHECK(
      ContainerError("livenessProbe", Json::parse(R"({"exec":{"command":["true"]},"successThreshold":2})")) ==
      kPrefix + "spec.containers[0].livenessProbe.successThreshold: Invalid value: 2: must be 1");
  CHECK(ContainerError("readinessProbe",
                       Json::parse(R"({"exec":{"command":["true"]},"successThreshold":2})")) == "");
  CHECK(ContainerError("startupProbe", Json::parse(R"({"httpGet":{"port":0}})")) ==
        kPrefix +
            "spec.containers[0].startupProbe.httpGet.port: Invalid value: 0: must be between 1 and 65535, "
            "inclusive");
  CHECK(ContainerError("livenessProbe", Json::parse(R"({"grpc":{"port":9000}})")) == "");
  CHECK(ContainerError("livenessProbe", Json::parse(R"({"exec":{}})")) ==
        kPrefix + "spec.containers[0].livenessProbe.exec.command: Required value");
}

TEST_CASE("volumes have unique DNS-label names and one source; mounts name a volume") {
  CHECK(SpecError(Json::parse(R"({"volumes":[{"name":"data","emptyDir":{}},{"name":"data","emptyDir":{}}],
                                  "containers":[{"name":"a","image":"x"}]})")) ==
        kPrefix + "spec.volumes[1].name: Duplicate value: \"data\"");
  CHECK(SpecError(Json::parse(
            R"({"volumes":[{"name":"Data","emptyDir":{}}],"containers":[{"name":"a","image":"x"}]})")) ==
        kPrefix + "spec.volumes[0].name: Invalid value: \"Data\": " + kLabelMsg);
  CHECK(SpecError(Json::parse(R"({"volumes":[{"name":"d","emptyDir":{},"hostPath":{"path":"/x"}}],
                                  "containers":[{"name":"a","image":"x"}]})")) ==
        kPrefix + "spec.volumes[0].emptyDir: Forbidden: may not specify more than 1 volume type");
  CHECK(SpecError(Json::parse(
            R"({"volumes":[{"name":"d","configMap":{}}],"containers":[{"name":"a","image":"x"}]})")) ==
        kPrefix + "spec.volumes[0].configMap.name: Required value");
  CHECK(SpecError(Json::parse(R"({"volumes":[{"name":"d","nfs":{"server":"s","path":"/"}}],
                                  "containers":[{"name":"a","image":"x","volumeMounts":[{"name":"d","mountPath":"/d"}]}]})")) ==
        "");
  CHECK(ContainerError("volumeMounts", Json::parse(R"([{"name":"data","mountPath":"/data"}])")) ==
        kPrefix + "spec.containers[0].volumeMounts[0].name: Not found: \"data\"");
  CHECK(SpecError(Json::parse(R"({"volumes":[{"name":"d","emptyDir":{}}],
      "containers":[{"name":"a","image":"x","volumeMounts":[{"name":"d","mountPath":"/d"},{"name":"d","mountPath":"/d"}]}]})")) ==
        kPrefix + "spec.containers[0].volumeMounts[1].mountPath: Invalid value: \"/d\": must be unique");
}

TEST_CASE("pod-level enumerations and numbers") {
  Json pod = BasePod();
  pod["spec"]["dnsPolicy"] = "Custom";
  CHECK(CreateError(pod) == kPrefix +
                                "spec.dnsPolicy: Unsupported value: \"Custom\": supported values: "
                                "\"ClusterFirstWithHostNet\", \"ClusterFirst\", \"Default\", \"None\"");
  pod = BasePod();
  pod["spec"]["preemptionPolicy"] = "Sometimes";
  CHECK(CreateError(pod) == kPrefix +
                                "spec.preemptionPolicy: Unsupported value: \"Sometimes\": supported values: "
                                "\"Never\", \"PreemptLowerPriority\"");
  pod = BasePod();
  pod["spec"]["terminationGracePeriodSeconds"] = -1;
  CHECK(CreateError(pod) ==
        kPrefix +
            "spec.terminationGracePeriodSeconds: Invalid value: -1: must be greater than or equal to 0");
  pod = BasePod();
  pod["spec"]["activeDeadlineSeconds"] = 0;
  CHECK(CreateError(pod) ==
        kPrefix +
            "spec.activeDeadlineSeconds: Invalid value: 0: must be between 1 and 2147483647, inclusive");
  pod = BasePod();
  pod["spec"]["nodeSelector"] = {{"disk", "fast ssd"}};
  CHECK(CreateError(pod).rfind(kPrefix + "spec.nodeSelector: Invalid value: \"fast ssd\": a valid label",
                               0) == 0);
  for (const char* policy : {"Always", "OnFailure", "Never"}) {
    pod = BasePod();
    pod["spec"]["restartPolicy"] = policy;
    CHECK(CreateError(pod) == "");
  }
}

TEST_CASE("node affinity") {
  Json pod = BasePod();
  pod["spec"]["affinity"] = Json::parse(
      R"({"nodeAffinity":{"requiredDuringSchedulingIgnoredDuringExecution":{"nodeSelectorTerms":[]}}})");
  CHECK(CreateError(pod) ==
        kPrefix +
            "spec.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution."
            "nodeSelectorTerms: Required value: must have at least one node selector term");
  pod["spec"]["affinity"] =
      Json::parse(R"({"nodeAffinity":{"requiredDuringSchedulingIgnoredDuringExecution":{"nodeSelectorTerms":[
    {"matchExpressions":[{"key":"zone","operator":"Near","values":["a"]},{"key":"zone","operator":"In"},
                         {"key":"cpus","operator":"Gt","values":["1","2"]},{"key":"ssd","operator":"Exists","values":["x"]}]}]}}})");
  const std::string term =
      "spec.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms[0]";
  CHECK(CreateError(pod) ==
        kPrefix + "[" + term +
            ".matchExpressions[0].operator: Invalid value: \"Near\": not a valid selector operator, " + term +
            ".matchExpressions[1].values: Required value: must be specified when `operator` is 'In' or "
            "'NotIn', " +
            term +
            ".matchExpressions[2].values: Required value: must be specified single value when `operator` is "
            "'Lt' or 'Gt', " +
            term +
            ".matchExpressions[3].values: Forbidden: may not be specified when `operator` is 'Exists' or "
            "'DoesNotExist']");
  pod["spec"]["affinity"] =
      Json::parse(R"({"nodeAffinity":{"preferredDuringSchedulingIgnoredDuringExecution":[
    {"weight":0,"preference":{"matchExpressions":[{"key":"zone","operator":"In","values":["a"]}]}}]}})");
  CHECK(CreateError(pod) ==
        kPrefix +
            "spec.affinity.nodeAffinity.preferredDuringSchedulingIgnoredDuringExecution[0]."
            "weight: Invalid value: 0: must be in the range 1-100");
}

TEST_CASE("pod affinity needs a topology key") {
  Json pod = BasePod();
  pod["spec"]["affinity"] =
      Json::parse(R"({"podAntiAffinity":{"requiredDuringSchedulingIgnoredDuringExecution":[
    {"labelSelector":{"matchLabels":{"app":"web"}}}]}})");
  const std::string path =
      "spec.affinity.podAntiAffinity.requiredDuringSchedulingIgnoredDuringExecution[0].topologyKey";
  CHECK(CreateError(pod) == kPrefix + "[" + path + ": Required value: can not be empty, " + path +
                                ": Invalid value: \"\": name part must be non-empty, " + path +
                                ": Invalid value: \"\": " + kNamePartMsg + "]");
  pod["spec"]["affinity"]["podAntiAffinity"]["requiredDuringSchedulingIgnoredDuringExecution"][0]
     ["topologyKey"] = "kubernetes.io/hostname";
  CHECK(CreateError(pod) == "");
  pod["spec"]["affinity"] = Json::parse(R"({"podAffinity":{"preferredDuringSchedulingIgnoredDuringExecution":[
    {"weight":101,"podAffinityTerm":{"topologyKey":"zone"}}]}})");
  CHECK(CreateError(pod) ==
        kPrefix +
            "spec.affinity.podAffinity.preferredDuringSchedulingIgnoredDuringExecution[0]."
            "weight: Invalid value: 101: must be in the range 1-100");
}

TEST_CASE("tolerations") {
  Json pod = BasePod();
  pod["spec"]["tolerations"] =
      Json::parse(R"([{"key":"k","operator":"Exists","value":"v","effect":"NoSchedule"}])");
  CHECK(CreateError(pod) ==
        kPrefix +
            "spec.tolerations[0].operator: Invalid value: core.Toleration{Key:\"k\", Operator:\"Exists\", "
            "Value:\"v\", Effect:\"NoSchedule\", TolerationSeconds:(*int64)(nil)}: value must be empty when "
            "`operator` is 'Exists'");
  pod["spec"]["tolerations"] =
      Json::parse(R"([{"key":"k","value":"v","effect":"NoSchedule","tolerationSeconds":30}])");
  CHECK(CreateError(pod) == kPrefix +
                                "spec.tolerations[0].effect: Invalid value: \"NoSchedule\": effect must be "
                                "'NoExecute' when `tolerationSeconds` is set");
  pod["spec"]["tolerations"] = Json::parse(R"([{"key":"k","operator":"Like","effect":"Sometimes"}])");
  CHECK(CreateError(pod) ==
        kPrefix +
            "[spec.tolerations[0].operator: Unsupported value: \"Like\": supported values: \"Equal\", "
            "\"Exists\", spec.tolerations[0].effect: Unsupported value: \"Sometimes\": supported values: "
            "\"NoSchedule\", \"PreferNoSchedule\", \"NoExecute\"]");
  pod["spec"]["tolerations"] = Json::parse(R"([{"value":"v"}])");
  CHECK(CreateError(pod) == kPrefix +
                                "spec.tolerations[0].operator: Invalid value: \"\": operator must be Exists "
                                "when `key` is empty, which means \"match all values and all keys\"");
  pod["spec"]["tolerations"] = Json::parse(
      R"([{"operator":"Exists"},{"key":"k","value":"v","effect":"NoExecute","tolerationSeconds":5}])");
  CHECK(CreateError(pod) == "");
}

TEST_CASE("topology spread constraints") {
  Json pod = BasePod();
  pod["spec"]["topologySpreadConstraints"] = Json::parse(R"([{"maxSkew":0,"whenUnsatisfiable":"Maybe"}])");
  CHECK(CreateError(pod) ==
        kPrefix +
            "[spec.topologySpreadConstraints[0].maxSkew: Invalid value: 0: must be greater than zero, "
            "spec.topologySpreadConstraints[0].topologyKey: Required value: can not be empty, "
            "spec.topologySpreadConstraints[0].whenUnsatisfiable: Unsupported value: \"Maybe\": supported "
            "values: \"DoNotSchedule\", \"ScheduleAnyway\"]");
  pod["spec"]["topologySpreadConstraints"] =
      Json::parse(R"([{"maxSkew":1,"topologyKey":"zone","whenUnsatisfiable":"ScheduleAnyway"}])");
  CHECK(CreateError(pod) == "");
}

TEST_CASE("pod updates may change images, active deadline and add tolerations only") {
  const std::string kForbidden =
      "spec: Forbidden: pod updates may not change fields other than `spec.containers[*].image`,"
      "`spec.initContainers[*].image`,`spec.activeDeadlineSeconds`,`spec.tolerations` (only additions to "
      "existing "
      "tolerations),`spec.terminationGracePeriodSeconds` (allow it to be set to 1 if it was previously "
      "negative)\n";
  Json old = BasePod();
  old["spec"]["tolerations"] = Json::parse(R"([{"key":"a","operator":"Exists"}])");
  Json pod = old;
  pod["spec"]["containers"][0]["image"] = "nginx:1.26";
  pod["spec"]["activeDeadlineSeconds"] = 60;
  pod["spec"]["tolerations"].push_back(Json::parse(R"({"key":"b","operator":"Exists"})"));
  CHECK(UpdateError(pod, old) == "");

  pod = old;
  pod["spec"]["restartPolicy"] = "Never";
  std::string err = UpdateError(pod, old);
  CHECK(err.rfind(kPrefix + kForbidden, 0) == 0);
  CHECK(err.find("restartPolicy") != std::string::npos);

  pod = old;
  pod["spec"]["containers"].push_back(Json::parse(R"({"name":"b","image":"x"})"));
  CHECK(UpdateError(pod, old) ==
        kPrefix + "spec.containers: Forbidden: pod updates may not add or remove containers");

  pod = old;
  pod["spec"]["tolerations"][0]["key"] = "c";
  CHECK(UpdateError(pod, old) == kPrefix +
                                     "spec.tolerations: Forbidden: existing toleration can not be modified "
                                     "except its tolerationSeconds");

  old["spec"]["activeDeadlineSeconds"] = 30;
  pod = old;
  pod["spec"]["activeDeadlineSeconds"] = 60;
  CHECK(UpdateError(pod, old) ==
        kPrefix +
            "spec.activeDeadlineSeconds: Invalid value: 60: must be less than or equal to previous value");
  pod["spec"].erase("activeDeadlineSeconds");
  CHECK(UpdateError(pod, old) == kPrefix +
                                     "spec.activeDeadlineSeconds: Invalid value: \"null\": must not update "
                                     "from a positive integer to nil value");
  pod = old;
  pod["spec"]["containers"][0]["image"] = "";
  CHECK(UpdateError(pod, old) == kPrefix + "spec.containers[0].image: Required value");
}

TEST_CASE("pod status updates: terminated containers stay terminated unless restarted") {
  Json old = BasePod();
  old["spec"]["restartPolicy"] = "Never";
  old["status"] =
      Json::parse(R"({"containerStatuses":[{"name":"app","state":{"terminated":{"exitCode":0}}}]})");
  Json pod = old;
  pod["status"]["containerStatuses"][0]["state"] = Json::parse(R"({"running":{}})");
  CHECK(StatusError(pod, old) ==
        kPrefix +
            "status.containerStatuses[0].state: Forbidden: may not be transitioned to non-terminated state");
  pod["status"] = Json::parse(R"({"phase":"Running","podIP":"10.0.0.5","podIPs":[{"ip":"10.0.0.5"}]})");
  pod["status"]["containerStatuses"] = old["status"]["containerStatuses"];
  CHECK(StatusError(pod, old) == "");
  pod["status"]["podIPs"][0]["ip"] = "10.0.0";
  CHECK(StatusError(pod, old) == kPrefix +
                                     "status.podIPs[0].ip: Invalid value: \"10.0.0\": must be a valid IP "
                                     "address, (e.g. 10.9.8.7 or 2001:db8::ffff)");
}

}  // namespace
}  // namespace orch::testing
