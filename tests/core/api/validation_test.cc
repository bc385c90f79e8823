// ObjectMeta rules, error aggregation, dispatch by kind, and robustness against bad input.
#include "orch/api/validation.h"

#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "core/api/validation_test_util.h"
#include "orch/api/object.h"

namespace orch::testing {
namespace {

TEST_CASE("a valid pod passes create and an unchanged one passes update") {
  CHECK(CreateError(BasePod()) == "");
  CHECK(UpdateError(BasePod(), BasePod()) == "");
  CHECK(StatusError(BasePod(), BasePod()) == "");
}

TEST_CASE("metadata.name is required unless generateName is given") {
  Json pod = BasePod();
  pod["metadata"].erase("name");
  CHECK(CreateError(pod) ==
        "Pod \"\" is invalid: metadata.name: Required value: name or generateName is required");
  pod["metadata"]["generateName"] = "web-";
  CHECK(CreateError(pod) == "");
  pod["metadata"]["generateName"] = "Web-";
  CHECK(CreateError(pod) ==
        "Pod \"Web-\" is invalid: metadata.generateName: Invalid value: \"Web-\": " + kSubdomainMsg);
}

TEST_CASE("names follow the rule of their kind") {
  Json pod = BasePod();
  pod["metadata"]["name"] = "Web_1";
  CHECK(CreateError(pod) ==
        "Pod \"Web_1\" is invalid: metadata.name: Invalid value: \"Web_1\": " + kSubdomainMsg);
  pod["metadata"]["name"] = "web.example.com";
  CHECK(CreateError(pod) == "");

  Json svc = BaseService();
  svc["metadata"]["name"] = "1web";
  CHECK(CreateError(svc) ==
        "Service \"1web\" is invalid: metadata.name: Invalid value: \"1web\": " + kDns1035Msg);

  Json ns = Json::parse(R"({"apiVersion":"v1","kind":"Namespace","metadata":{"name":"a.b"}})");
  CHECK(CreateError(ns) ==
        "Namespace \"a.b\" is invalid: metadata.name: Invalid value: \"a.b\": must not contain dots");
  ns["metadata"]["name"] = "team-a";
  CHECK(CreateError(ns) == "");

  Json node = Json::parse(R"({"apiVersion":"v1","kind":"Node","metadata":{"name":"node-1.example.com"}})");
  CHECK(CreateError(node) == "");
  Json cm =
      Json::parse(R"({"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"cfg.v1","namespace":"x"}})");
  CHECK(CreateError(cm) == "");
}

TEST_CASE("namespaced kinds need a namespace, cluster-scoped ones may not have one") {
  Json pod = BasePod();
  pod["metadata"].erase("namespace");
  CHECK(CreateError(pod) == "Pod \"web\" is invalid: metadata.namespace: Required value");
  pod["metadata"]["namespace"] = "Team_A";
  CHECK(CreateError(pod) ==
        "Pod \"web\" is invalid: metadata.namespace: Invalid value: \"Team_A\": " + kLabelMsg);

  Json node =
      Json::parse(R"({"apiVersion":"v1","kind":"Node","metadata":{"name":"n1","namespace":"default"}})");
  CHECK(CreateError(node) ==
        "Node \"n1\" is invalid: metadata.namespace: Forbidden: not allowed on this type");
}

TEST_CASE("labels and annotations are checked") {
  Json pod = BasePod();
  pod["metadata"]["labels"] = {{"-bad", "ok"}};
  CHECK(CreateError(pod) ==
        "Pod \"web\" is invalid: metadata.labels: Invalid value: \"-bad\": " + kNamePartMsg);
  pod["metadata"]["labels"] = {{"app", "web"}};
  pod["metadata"]["annotations"] = {{"big", std::string(256 * 1024, 'x')}};
  CHECK(CreateError(pod) ==
        "Pod \"web\" is invalid: metadata.annotations: Too long: must have at most 262144 bytes");
  pod["metadata"]["annotations"] = {{"Example.COM/Key", "v"}};
  CHECK(CreateError(pod) == "");
}

TEST_CASE("owner references need apiVersion, kind, name and uid, and at most one controller") {
  Json pod = BasePod();
  pod["metadata"]["ownerReferences"] =
      Json::parse(R"([{"apiVersion":"apps/","kind":"","name":"","uid":""}])");
  CHECK(
      CreateError(pod) ==
      "Pod \"web\" is invalid: [metadata.ownerReferences.apiVersion: Invalid value: \"apps/\": version must "
      "not be "
      "empty, metadata.ownerReferences.kind: Invalid value: \"\": must not be empty, "
      "metadata.ownerReferences.name: Invalid value: \"\": must not be empty, metadata.ownerReferences.uid: "
      "Invalid value: \"\": must not be empty]");
  pod["metadata"]["ownerReferences"] = Json::parse(R"([
    {"apiVersion":"apps/v1","kind":"ReplicaSet","name":"a","uid":"1","controller":true},
    {"apiVersion":"apps/v1","kind":"ReplicaSet","name":"b","uid":"2","controller":true}])");
  std::string err = CreateError(pod);
  CHECK(err.find("metadata.ownerReferences: Invalid value: []v1.OwnerReference{v1.OwnerReference{APIVersion:"
                 "\"apps/v1\", Kind:\"ReplicaSet\", Name:\"a\"") != std::string::npos);
  CHECK(err.find(": Only one reference can have Controller set to true. Found \"true\" in references for "
                 "ReplicaSet/a and ReplicaSet/b") != std::string::npos);
  pod["metadata"]["ownerReferences"][1]["controller"] = false;
  CHECK(CreateError(pod) == "");
}

TEST_CASE("finalizers are qualified names, and built-in kinds need a domain or a standard name") {
  Json pod = BasePod();
  pod["metadata"]["finalizers"] = {"example.com/cleanup", "foregroundDeletion"};
  CHECK(CreateError(pod) == "");
  pod["metadata"]["finalizers"] = {"cleanup"};
  CHECK(CreateError(pod) ==
        "Pod \"web\" is invalid: metadata.finalizers[0]: Invalid value: \"cleanup\": name is neither a "
        "standard "
        "finalizer name nor is it fully qualified");
  pod["metadata"]["finalizers"] = {"example.com/bad name"};
  CHECK(CreateError(pod) ==
        "Pod \"web\" is invalid: metadata.finalizers: Invalid value: \"example.com/bad name\": " +
            kNamePartMsg);
}

TEST_CASE("several errors are joined in brackets, duplicates once") {
  Json pod = BasePod();
  pod["metadata"]["name"] = "Web";
  pod["spec"]["containers"][0].erase("image");
  pod["spec"]["restartPolicy"] = "Sometimes";
  CHECK(
      CreateError(pod) ==
      "Pod \"Web\" is invalid: [metadata.name: Invalid value: \"Web\": " + kSubdomainMsg +
          ", spec.containers[0].image: Required value, spec.restartPolicy: Unsupported value: \"Sometimes\": "
          "supported values: \"Always\", \"OnFailure\", \"Never\"]");
}

TEST_CASE("update keeps name, namespace, uid and creationTimestamp") {
  Json old = BasePod();
  old["metadata"]["creationTimestamp"] = "2025-01-01T00:00:00Z";
  Json pod = old;
  pod["metadata"]["name"] = "web2";
  CHECK(UpdateError(pod, old) ==
        "Pod \"web2\" is invalid: metadata.name: Invalid value: \"web2\": field is immutable");
  pod = old;
  pod["metadata"]["namespace"] = "other";
  CHECK(UpdateError(pod, old) ==
        "Pod \"web\" is invalid: metadata.namespace: Invalid value: \"other\": field is immutable");
  pod = old;
  pod["metadata"]["uid"] = "u2";
  CHECK(UpdateError(pod, old) ==
        "Pod \"web\" is invalid: metadata.uid: Invalid value: \"u2\": field is immutable");
  pod = old;
  pod["metadata"]["creationTimestamp"] = "2025-02-03T04:05:06Z";
  CHECK(UpdateError(pod, old) ==
        "Pod \"web\" is invalid: metadata.creationTimestamp: Invalid value: 2025-02-03 04:05:06 +0000 UTC: "
        "field "
        "is immutable");
  // Leaving uid or creationTimestamp out keeps the stored one.
  pod = old;
  pod["metadata"].erase("creationTimestamp");
  pod["metadata"].erase("uid");
  CHECK(UpdateError(pod, old) == "");
  // Labels may change, and are checked.
  pod = old;
  pod["metadata"]["labels"] = {{"tier", "front end"}};
  CHECK(UpdateError(pod, old).find("metadata.labels: Invalid value: \"front end\"") != std::string::npos);
}

TEST_CASE("no finalizer may be added to an object being deleted") {
  Json old = BasePod();
  old["metadata"]["deletionTimestamp"] = "2025-01-01T00:00:00Z";
  old["metadata"]["finalizers"] = {"example.com/a"};
  Json pod = old;
  pod["metadata"]["finalizers"] = {"example.com/a", "example.com/b"};
  CHECK(UpdateError(pod, old) ==
        "Pod \"web\" is invalid: metadata.finalizers: Forbidden: no new finalizers can be added if the "
        "object is "
        "being deleted, found new finalizers []string{\"example.com/b\"}");
  pod["metadata"]["finalizers"] = Json::array();
  CHECK(UpdateError(pod, old) == "");
}

TEST_CASE("kinds orch does not know are checked for metadata only") {
  RegisterResourceType({"example.com", "v1", "Widget", "widgets", true, false, {}});
  Json widget = Json::parse(R"({"apiVersion":"example.com/v1","kind":"Widget",
    "metadata":{"name":"w1","namespace":"default","finalizers":["cleanup"]},
    "spec":{"containers":"not checked","replicas":-5}})");
  CHECK(CreateError(widget) == "");
  widget["metadata"].erase("namespace");
  CHECK(CreateError(widget) == "Widget.example.com \"w1\" is invalid: metadata.namespace: Required value");
  widget["metadata"]["namespace"] = "default";
  widget["metadata"]["name"] = "W1";
  CHECK(CreateError(widget) ==
        "Widget.example.com \"W1\" is invalid: metadata.name: Invalid value: \"W1\": " + kSubdomainMsg);
  // A kind that was never registered: the namespace is checked only for its form.
  Json gadget = Json::parse(R"({"apiVersion":"example.com/v2","kind":"Gadget","metadata":{"name":"g"}})");
  CHECK(CreateError(gadget) == "");
}

TEST_CASE("a spec that does not decode is an Invalid error that names the field") {
  Json d = BaseDeployment();
  d["spec"]["replicas"] = "three";
  absl::Status status = ValidateCreate(ToObject(d));
  REQUIRE(IsInvalid(status));
  std::string message(status.message());
  CHECK(message.rfind("Deployment.apps \"web\" is invalid: ", 0) == 0);
  CHECK(message.find("spec.replicas") != std::string::npos);
}

// Replaces every value of `doc` in turn by values of other types, and runs everything on the result.
void Mutate(const Json& doc, Json* node, int* runs) {
  static const std::vector<Json> kReplacements = {nullptr,
                                                  0,
                                                  -1,
                                                  2147483648LL,
                                                  "x",
                                                  "",
                                                  true,
                                                  Json::array(),
                                                  Json::object(),
                                                  Json::array({Json::object()})};
  if (node->is_object()) {
    for (auto it = node->begin(); it != node->end(); ++it) Mutate(doc, &it.value(), runs);
  } else if (node->is_array()) {
    for (auto& item : *node) Mutate(doc, &item, runs);
  }
  const Json saved = *node;
  for (const Json& replacement : kReplacements) {
    *node = replacement;
    absl::StatusOr<Object> object = DecodeObject(doc.dump());
    *node = saved;
    if (!object.ok()) continue;
    ++*runs;
    (void)ValidateCreate(*object);
    absl::StatusOr<Object> original = DecodeObject(doc.dump());
    REQUIRE(original.ok());
    (void)ValidateUpdate(*object, *original);
    (void)ValidateUpdate(*original, *object);
    (void)ValidateStatusUpdate(*object, *original);
    Object defaulted = *object;
    if (ApplyDefaults(&defaulted).ok()) (void)ValidateCreate(defaulted);
  }
}

TEST_CASE("bad input of any shape never crashes") {
  std::vector<Json> docs = {BasePod(), BaseDeployment(), BaseService()};
  Json full_pod = BasePod();
  full_pod["spec"] = Json::parse(R"({
    "volumes":[{"name":"data","configMap":{"name":"c","items":[{"key":"k","path":"p"}]}}],
    "initContainers":[{"name":"init","image":"busybox"}],
    "containers":[{"name":"app","image":"nginx","ports":[{"containerPort":80,"name":"http"}],
      "env":[{"name":"A","valueFrom":{"fieldRef":{"fieldPath":"metadata.name"}}}],
      "resources":{"limits":{"cpu":"1"},"requests":{"cpu":"500m"}},
      "volumeMounts":[{"name":"data","mountPath":"/data"}],
      "livenessProbe":{"httpGet":{"port":"http","path":"/"}}}],
    "affinity":{"nodeAffinity":{"requiredDuringSchedulingIgnoredDuringExecution":{"nodeSelectorTerms":[
      {"matchExpressions":[{"key":"zone","operator":"In","values":["a"]}]}]}}},
    "tolerations":[{"key":"k","operator":"Exists","effect":"NoSchedule"}],
    "topologySpreadConstraints":[{"maxSkew":1,"topologyKey":"zone","whenUnsatisfiable":"DoNotSchedule"}]})");
  docs.push_back(full_pod);
  docs.push_back(Json::parse(R"({"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"c","namespace":"d"},
    "data":{"a":"b"},"binaryData":{"c":"ZA=="},"immutable":true})"));
  docs.push_back(Json::parse(R"({"apiVersion":"v1","kind":"Node","metadata":{"name":"n"},
    "spec":{"podCIDR":"10.0.0.0/24","taints":[{"key":"k","effect":"NoSchedule"}]},
    "status":{"capacity":{"cpu":"4"}}})"));
  docs.push_back(Json::parse(R"({"apiVersion":"v1","kind":"Event","metadata":{"name":"e","namespace":"d"},
    "involvedObject":{"kind":"Pod","name":"p","namespace":"d"},"type":"Normal","reason":"Started"})"));
  int runs = 0;
  for (Json& doc : docs) {
    Json copy = doc;
    Mutate(copy, &copy, &runs);
  }
  CHECK(runs > 500);
}

}  // namespace
}  // namespace orch::testing
