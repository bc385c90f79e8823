// ApplyDefaults: Kubernetes' defaults on the built-in kinds; values already set and fields orch does
// not model are kept, and defaulting twice changes nothing more.
#include <doctest/doctest.h>

#include <string>

#include "core/api/validation_test_util.h"

namespace orch::testing {
namespace {

// The document after ApplyDefaults, which must succeed.
Json Defaulted(const Json& j) {
  Object object = ToObject(j);
  absl::Status status = ApplyDefaults(&object);
  REQUIRE_MESSAGE(status.ok(), status.ToString());
  // Idempotent: a second pass leaves the object as it is.
  Object again = object;
  REQUIRE(ApplyDefaults(&again).ok());
  CHECK(again == object);
  return Json::parse(EncodeObject(object));
}

TEST_CASE("pod defaults") {
  Json pod = Defaulted(BasePod());
  const Json& spec = pod["spec"];
  CHECK(spec["restartPolicy"] == "Always");
  CHECK(spec["dnsPolicy"] == "ClusterFirst");
  CHECK(spec["terminationGracePeriodSeconds"] == 30);
  CHECK(spec["schedulerName"] == "default-scheduler");
  CHECK(spec["securityContext"] == Json::object());
  CHECK(spec["enableServiceLinks"] == true);
  const Json& c = spec["containers"][0];
  CHECK(c["terminationMessagePath"] == "/dev/termination-log");
  CHECK(c["terminationMessagePolicy"] == "File");
  CHECK(c["imagePullPolicy"] == "IfNotPresent");
  CHECK(ValidateCreate(ToObject(pod)).ok());
}

TEST_CASE("image pull policy follows the tag") {
  for (const auto& [image, policy] : std::vector<std::pair<std::string, std::string>>{
           {"nginx", "Always"},
           {"nginx:latest", "Always"},
           {"nginx:1.25", "IfNotPresent"},
           {"nginx@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef", "IfNotPresent"},
           {"nginx:latest@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef", "Always"},
           {"registry.local:5000/team/app", "Always"},
           {"registry.local:5000/team/app:2.0", "IfNotPresent"},
           {"Nginx", "IfNotPresent"}}) {
    Json pod = BasePod();
    pod["spec"]["containers"][0]["image"] = image;
    CHECK_MESSAGE(Defaulted(pod)["spec"]["containers"][0]["imagePullPolicy"] == policy, image);
  }
}

TEST_CASE("ports, probes, env and volumes are defaulted inside containers") {
  Json pod = BasePod();
  pod["spec"]["initContainers"] =
      Json::parse(R"([{"name":"init","image":"busybox","ports":[{"containerPort":9}]}])");
  pod["spec"]["containers"][0]["ports"] =
      Json::parse(R"([{"containerPort":80},{"containerPort":53,"protocol":"UDP"}])");
  pod["spec"]["containers"][0]["livenessProbe"] = Json::parse(R"({"httpGet":{"port":80}})");
  pod["spec"]["containers"][0]["readinessProbe"] =
      Json::parse(R"({"tcpSocket":{"port":80},"periodSeconds":3})");
  pod["spec"]["containers"][0]["env"] =
      Json::parse(R"([{"name":"POD","valueFrom":{"fieldRef":{"fieldPath":"metadata.name"}}}])");
  pod["spec"]["volumes"] = Json::parse(
      R"([{"name":"a"},{"name":"b","configMap":{"name":"c"}},{"name":"c","secret":{"secretName":"s","defaultMode":256}},
          {"name":"d","hostPath":{"path":"/var"}},{"name":"e","nfs":{"server":"s","path":"/"}}])");
  Json out = Defaulted(pod);
  const Json& c = out["spec"]["containers"][0];
  CHECK(c["ports"][0]["protocol"] == "TCP");
  CHECK(c["ports"][1]["protocol"] == "UDP");
  CHECK(out["spec"]["initContainers"][0]["ports"][0]["protocol"] == "TCP");
  CHECK(out["spec"]["initContainers"][0]["terminationMessagePolicy"] == "File");
  CHECK(c["livenessProbe"] ==
        Json::parse(R"({"httpGet":{"path":"/","port":80,"scheme":"HTTP"},"timeoutSeconds":1,
                                              "periodSeconds":10,"successThreshold":1,"failureThreshold":3})"));
  CHECK(c["readinessProbe"]["periodSeconds"] == 3);
  CHECK(c["env"][0]["valueFrom"]["fieldRef"]["apiVersion"] == "v1");
  const Json& volumes = out["spec"]["volumes"];
  CHECK(volumes[0] == Json::parse(R"({"name":"a","emptyDir":{}})"));
  CHECK(volumes[1]["configMap"]["defaultMode"] == 420);
  CHECK(volumes[2]["secret"]["defaultMode"] == 256);
  CHECK(volumes[3]["hostPath"] == Json::parse(R"({"path":"/var","type":""})"));
  CHECK(volumes[4] == Json::parse(R"({"name":"e","nfs":{"server":"s","path":"/"}})"));
  CHECK(ValidateCreate(ToObject(out)).ok());
}

TEST_CASE("requests default to limits on pods, and host network ports to host ports") {
  Json pod = BasePod();
  pod["spec"]["hostNetwork"] = true;
  pod["spec"]["containers"][0]["ports"] = Json::parse(R"([{"containerPort":8080}])");
  pod["spec"]["containers"][0]["resources"] =
      Json::parse(R"({"limits":{"cpu":"2","memory":"1Gi"},"requests":{"cpu":"500m"}})");
  Json out = Defaulted(pod);
  const Json& c = out["spec"]["containers"][0];
  CHECK(c["resources"]["requests"] == Json::parse(R"({"cpu":"500m","memory":"1Gi"})"));
  CHECK(c["ports"][0]["hostPort"] == 8080);
  CHECK(ValidateCreate(ToObject(out)).ok());
}

TEST_CASE("resource lists are rounded up to milli units and written canonically") {
  Json pod = BasePod();
  pod["spec"]["containers"][0]["resources"] =
      Json::parse(R"({"limits":{"cpu":"1n","memory":"1.5Gi"},"requests":{"cpu":"0.0001","memory":"1Gi"}})");
  pod["spec"]["overhead"] = Json::parse(R"({"cpu":"1.0001m"})");
  Json out = Defaulted(pod);
  const Json& c = out["spec"]["containers"][0];
  CHECK(c["resources"]["limits"] == Json::parse(R"({"cpu":"1m","memory":"1536Mi"})"));
  CHECK(c["resources"]["requests"] == Json::parse(R"({"cpu":"1m","memory":"1Gi"})"));
  CHECK(out["spec"]["overhead"] == Json::parse(R"({"cpu":"2m"})"));

  Json node = Defaulted(Json::parse(R"({"apiVersion":"v1","kind":"Node","metadata":{"name":"n1"},
    "status":{"capacity":{"cpu":"3999999999n","memory":"8Gi"}}})"));
  CHECK(node["status"]["capacity"] == Json::parse(R"({"cpu":"4","memory":"8Gi"})"));
  CHECK(node["status"]["allocatable"] == Json::parse(R"({"cpu":"4","memory":"8Gi"})"));
}

TEST_CASE("values already set are kept") {
  Json pod = BasePod();
  pod["spec"] =
      Json::parse(R"({"restartPolicy":"Never","dnsPolicy":"Default","terminationGracePeriodSeconds":0,
    "schedulerName":"mine","enableServiceLinks":false,"securityContext":{"runAsUser":1000},
    "containers":[{"name":"app","image":"nginx","imagePullPolicy":"Never","terminationMessagePolicy":
    "FallbackToLogsOnError","livenessProbe":{"exec":{"command":["true"]},"timeoutSeconds":5,"failureThreshold":1}}]})");
  Json out = Defaulted(pod);
  const Json& spec = out["spec"];
  CHECK(spec["restartPolicy"] == "Never");
  CHECK(spec["dnsPolicy"] == "Default");
  CHECK(spec["terminationGracePeriodSeconds"] == 0);
  CHECK(spec["schedulerName"] == "mine");
  CHECK(spec["enableServiceLinks"] == false);
  CHECK(spec["securityContext"] == Json::parse(R"({"runAsUser":1000})"));
  CHECK(spec["containers"][0]["imagePullPolicy"] == "Never");
  CHECK(spec["containers"][0]["terminationMessagePolicy"] == "FallbackToLogsOnError");
  CHECK(spec["containers"][0]["livenessProbe"]["timeoutSeconds"] == 5);
  CHECK(spec["containers"][0]["livenessProbe"]["failureThreshold"] == 1);
}

TEST_CASE("fields orch does not model are kept") {
  Json pod = BasePod();
  pod["metadata"]["annotations"] = {{"note", "x"}};
  pod["metadata"]["managedFields"] = Json::parse(R"([{"manager":"kubectl","operation":"Apply"}])");
  pod["spec"]["imagePullSecrets"] = Json::parse(R"([{"name":"regcred"}])");
  pod["spec"]["containers"][0]["lifecycle"] =
      Json::parse(R"({"preStop":{"exec":{"command":["sleep","5"]}}})");
  pod["spec"]["containers"][0]["stdin"] = true;
  pod["status"] = Json::parse(R"({"phase":"Pending","custom":{"a":1}})");
  pod["extra"] = "kept";
  Json out = Defaulted(pod);
  CHECK(out["metadata"]["annotations"] == pod["metadata"]["annotations"]);
  CHECK(out["metadata"]["managedFields"] == pod["metadata"]["managedFields"]);
  CHECK(out["spec"]["imagePullSecrets"] == pod["spec"]["imagePullSecrets"]);
  CHECK(out["spec"]["containers"][0]["lifecycle"] == pod["spec"]["containers"][0]["lifecycle"]);
  CHECK(out["spec"]["containers"][0]["stdin"] == true);
  CHECK(out["status"] == pod["status"]);
  CHECK(out["extra"] == "kept");
}

TEST_CASE("deployment defaults, and its template's pod defaults") {
  Json d = Defaulted(BaseDeployment());
  const Json& spec = d["spec"];
  CHECK(spec["replicas"] == 2);
  CHECK(spec["strategy"] == Json::parse(R"({"type":"RollingUpdate","rollingUpdate":{"maxUnavailable":"25%",
                                            "maxSurge":"25%"}})"));
  CHECK(spec["revisionHistoryLimit"] == 10);
  CHECK(spec["progressDeadlineSeconds"] == 600);
  const Json& tmpl = spec["template"]["spec"];
  CHECK(tmpl["restartPolicy"] == "Always");
  CHECK(tmpl["terminationGracePeriodSeconds"] == 30);
  CHECK(tmpl["securityContext"] == Json::object());
  CHECK(tmpl["containers"][0]["imagePullPolicy"] == "IfNotPresent");
  // Pod-only defaults stay out of templates.
  CHECK_FALSE(tmpl.contains("enableServiceLinks"));
  CHECK(ValidateCreate(ToObject(d)).ok());

  Json in = BaseDeployment();
  in["spec"].erase("replicas");
  in["spec"]["strategy"] = Json::parse(R"({"rollingUpdate":{"maxSurge":1}})");
  in["spec"]["template"]["spec"]["containers"][0]["resources"] = Json::parse(R"({"limits":{"cpu":"1"}})");
  d = Defaulted(in);
  CHECK(d["spec"]["replicas"] == 1);
  CHECK(d["spec"]["strategy"]["rollingUpdate"] == Json::parse(R"({"maxSurge":1,"maxUnavailable":"25%"})"));
  CHECK_FALSE(d["spec"]["template"]["spec"]["containers"][0]["resources"].contains("requests"));

  in = BaseDeployment();
  in["spec"]["replicas"] = 0;
  in["spec"]["strategy"] = {{"type", "Recreate"}};
  in["spec"]["revisionHistoryLimit"] = 0;
  d = Defaulted(in);
  CHECK(d["spec"]["replicas"] == 0);
  CHECK(d["spec"]["strategy"] == Json::parse(R"({"type":"Recreate"})"));
  CHECK(d["spec"]["revisionHistoryLimit"] == 0);
  CHECK(ValidateCreate(ToObject(d)).ok());
}

TEST_CASE("replica set defaults replicas but not its selector") {
  Json rs = BaseDeployment();
  rs["kind"] = "ReplicaSet";
  rs["spec"].erase("replicas");
  rs["spec"].erase("selector");
  Json out = Defaulted(rs);
  CHECK(out["spec"]["replicas"] == 1);
  CHECK_FALSE(out["spec"].contains("selector"));
  CHECK(out["spec"]["template"]["spec"]["dnsPolicy"] == "ClusterFirst");
}

TEST_CASE("service defaults") {
  Json svc = BaseService();
  svc["spec"]["ports"].push_back(Json::parse(R"({"name":"b","port":443,"targetPort":"https"})"));
  svc["spec"]["ports"][0]["name"] = "a";
  svc["spec"]["ports"][0].erase("targetPort");
  Json out = Defaulted(svc);
  const Json& spec = out["spec"];
  CHECK(spec["type"] == "ClusterIP");
  CHECK(spec["sessionAffinity"] == "None");
  CHECK(spec["internalTrafficPolicy"] == "Cluster");
  CHECK_FALSE(spec.contains("externalTrafficPolicy"));
  CHECK(spec["ports"][0] == Json::parse(R"({"name":"a","port":80,"protocol":"TCP","targetPort":80})"));
  CHECK(spec["ports"][1]["targetPort"] == "https");
  CHECK(ValidateCreate(ToObject(out)).ok());

  svc = BaseService();
  svc["spec"]["type"] = "LoadBalancer";
  svc["spec"]["sessionAffinity"] = "ClientIP";
  out = Defaulted(svc);
  CHECK(out["spec"]["externalTrafficPolicy"] == "Cluster");
  CHECK(out["spec"]["allocateLoadBalancerNodePorts"] == true);
  CHECK(out["spec"]["sessionAffinityConfig"] == Json::parse(R"({"clientIP":{"timeoutSeconds":10800}})"));

  svc = BaseService();
  svc["spec"] = Json::parse(R"({"type":"ExternalName","externalName":"db.example.com"})");
  out = Defaulted(svc);
  CHECK_FALSE(out["spec"].contains("internalTrafficPolicy"));
  CHECK(out["spec"]["sessionAffinity"] == "None");
}

TEST_CASE("namespace, node and endpoints defaults") {
  Json ns = Defaulted(Json::parse(R"({"apiVersion":"v1","kind":"Namespace","metadata":{"name":"team-a"}})"));
  CHECK(ns["metadata"]["labels"]["kubernetes.io/metadata.name"] == "team-a");
  CHECK_FALSE(ns.contains("status"));

  Json node = Defaulted(Json::parse(R"({"apiVersion":"v1","kind":"Node","metadata":{"name":"n1"},
    "status":{"capacity":{"cpu":"4","memory":"8Gi"}}})"));
  CHECK(node["status"]["allocatable"] == Json::parse(R"({"cpu":"4","memory":"8Gi"})"));

  Json ep = Defaulted(
      Json::parse(R"({"apiVersion":"v1","kind":"Endpoints","metadata":{"name":"web","namespace":"d"},
    "subsets":[{"addresses":[{"ip":"10.0.0.1"}],"ports":[{"port":80}]}]})"));
  CHECK(ep["subsets"][0]["ports"][0]["protocol"] == "TCP");
}

TEST_CASE("kinds without defaults, and undecodable objects, are left as they are") {
  Json cm = Json::parse(
      R"({"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"c","namespace":"d"},"data":{"a":"b"}})");
  Object object = ToObject(cm);
  Object copy = object;
  REQUIRE(ApplyDefaults(&object).ok());
  CHECK(object == copy);

  Json widget = Json::parse(
      R"({"apiVersion":"example.com/v1","kind":"Widget","metadata":{"name":"w"},"spec":{"x":1}})");
  object = ToObject(widget);
  copy = object;
  REQUIRE(ApplyDefaults(&object).ok());
  CHECK(object == copy);

  Json pod = BasePod();
  pod["spec"]["containers"] = "nope";
  object = ToObject(pod);
  copy = object;
  absl::Status status = ApplyDefaults(&object);
  CHECK(status.code() == absl::StatusCode::kInvalidArgument);
  CHECK(std::string(status.message()).find("spec.containers") != std::string::npos);
  CHECK(object == copy);
}

}  // namespace
}  // namespace orch::testing
