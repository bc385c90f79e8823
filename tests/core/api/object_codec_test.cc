// The generic codec: documents split into Object parts and back, metadata, time, escaping, YAML.
#include <doctest/doctest.h>

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/time/time.h"
#include "orch/api/codec.h"
#include "orch/api/types.h"
#include "src/core/api/json_writer.h"

namespace orch {
namespace {

using nlohmann::json;

json Parsed(const std::string& text) { return json::parse(text); }

TEST_CASE("a document splits into type, metadata, spec and status, and encodes back unchanged") {
  const std::string text = R"({
    "apiVersion": "apps/v1", "kind": "Deployment",
    "metadata": {"name": "web", "namespace": "prod", "uid": "1b4e28ba-2fa1-11d2-883f-0016d3cca427",
                 "resourceVersion": "42", "generation": 3, "labels": {"app": "web"},
                 "annotations": {"deployment.kubernetes.io/revision": "2"},
                 "ownerReferences": [{"apiVersion": "v1", "kind": "X", "name": "o", "uid": "u", "controller": true}],
                 "finalizers": ["example.com/f"], "creationTimestamp": "2025-01-01T00:00:00Z",
                 "managedFields": [{"manager": "kubectl", "operation": "Update"}], "selfLink": "/x"},
    "spec": {"replicas": 2, "selector": {"matchLabels": {"app": "web"}}, "futureField": {"a": [1, 2.5, null]}},
    "status": {"replicas": 2, "conditions": [{"type": "Available", "status": "True"}]},
    "extraTopLevel": "kept"
  })";
  absl::StatusOr<Object> object = DecodeObject(text);
  REQUIRE_MESSAGE(object.ok(), object.status().ToString());
  CHECK(object->type.apiVersion == "apps/v1");
  CHECK(object->type.Group() == "apps");
  CHECK(object->type.Version() == "v1");
  const ObjectMeta& meta = object->metadata;
  CHECK(meta.name == "web");
  CHECK(meta.namespace_ == "prod");
  CHECK(meta.resourceVersion == "42");
  CHECK(meta.generation == 3);
  CHECK(meta.labels.at("app") == "web");
  REQUIRE(meta.ControllerRef() != nullptr);
  CHECK(meta.ControllerRef()->name == "o");
  CHECK(meta.finalizers == std::vector<std::string>{"example.com/f"});
  CHECK(meta.creationTimestamp.ToRfc3339() == "2025-01-01T00:00:00Z");
  CHECK(absl::StrContains(meta.unknown.json, "managedFields"));
  CHECK(Parsed(object->spec) == Parsed(R"({"spec":{"replicas":2,"selector":{"matchLabels":{"app":"web"}},
        "futureField":{"a":[1,2.5,null]}},"extraTopLevel":"kept"})"));
  CHECK(Parsed(object->status)["replicas"] == 2);

  std::string encoded = EncodeObject(*object);
  CHECK(Parsed(encoded) == Parsed(text));
  // Decoding the encoding gives the same object, and the encoding is stable.
  absl::StatusOr<Object> again = DecodeObject(encoded);
  REQUIRE(again.ok());
  CHECK(*again == *object);
  CHECK(EncodeObject(*again) == encoded);
}

TEST_CASE("encoding around the revision matches the whole encoding") {
  absl::StatusOr<Object> object = DecodeObject(
      R"({"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"c","namespace":"n"},"data":{"k":"v"}})");
  REQUIRE(object.ok());
  std::string head, tail;
  EncodeObjectAroundRevision(*object, &head, &tail);
  object->metadata.resourceVersion = "12345";
  CHECK(head + "12345" + tail == EncodeObject(*object));
  CHECK(Parsed(head + "12345" + tail)["metadata"]["resourceVersion"] == "12345");

  Object bare;
  bare.type = {"v1", "Namespace"};
  EncodeObjectAroundRevision(bare, &head, &tail);
  CHECK(Parsed(head + "7" + tail) ==
        Parsed(R"({"apiVersion":"v1","kind":"Namespace","metadata":{"resourceVersion":"7"}})"));
  CHECK(Parsed(EncodeObject(bare)) == Parsed(R"({"apiVersion":"v1","kind":"Namespace","metadata":{}})"));
}

TEST_CASE("strings are escaped; invalid UTF-8 is replaced, never written") {
  Object object;
  object.type = {"v1", "ConfigMap"};
  object.metadata.name = "c";
  object.metadata.annotations["quote"] = "a \"quoted\" \\ value\n\t\x01";
  object.metadata.annotations["unicode"] = "h\xC3\xA9llo \xE2\x9C\x93 \xF0\x9F\x9A\x80";
  object.metadata.annotations["broken"] = std::string("x\xC3y\xFF\xED\xA0\x80z");
  std::string encoded = EncodeObject(object);
  json parsed = Parsed(encoded);  // throws if the text is not valid JSON
  CHECK(parsed["metadata"]["annotations"]["quote"] == "a \"quoted\" \\ value\n\t\x01");
  CHECK(parsed["metadata"]["annotations"]["unicode"] == "h\xC3\xA9llo \xE2\x9C\x93 \xF0\x9F\x9A\x80");
  CHECK(parsed["metadata"]["annotations"]["broken"] ==
        "x\xEF\xBF\xBDy\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBDz");
  object.metadata.resourceVersion = "weird\"rv";
  CHECK(Parsed(EncodeObject(object))["metadata"]["resourceVersion"] == "weird\"rv");
}

// AppendQuoted skips eight plain bytes at a time; whatever the position of the bytes that need
// escaping, its output is nlohmann's (for valid UTF-8, which nlohmann writes as is).
TEST_CASE("string escaping matches nlohmann at every position and length") {
  const std::vector<std::string> pieces = {"a",
                                           "Z",
                                           "0",
                                           " ",
                                           "~",
                                           "\"",
                                           "\\",
                                           "/",
                                           "\n",
                                           "\t",
                                           "\b",
                                           "\f",
                                           "\r",
                                           std::string(1, '\0'),
                                           "\x01",
                                           "\x1f",
                                           "\x7f",
                                           "\xC3\xA9",
                                           "\xE2\x98\x83",
                                           "\xF0\x9F\x98\x80"};
  uint64_t x = 0x9E3779B97F4A7C15u;
  auto next = [&] {
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    return x;
  };
  for (int round = 0; round < 5000; ++round) {
    std::string text;
    const size_t length = next() % 40;
    const bool plain_only = round % 3 == 0;  // long plain runs with an odd character or none
    for (size_t i = 0; i < length; ++i) {
      text += plain_only && next() % 16 != 0 ? pieces[next() % 5] : pieces[next() % pieces.size()];
    }
    std::string quoted;
    orch::json::AppendQuoted(&quoted, text);
    REQUIRE_MESSAGE(quoted == nlohmann::json(text).dump(), quoted);
  }
}

TEST_CASE("bad documents are errors that name the field") {
  CHECK(absl::StrContains(DecodeObject("{").status().message(), "invalid JSON at byte"));
  CHECK(absl::StrContains(DecodeObject("[1]").status().message(), "expected a JSON object, got array"));
  CHECK(absl::StrContains(DecodeObject(R"({"apiVersion":"v1"})").status().message(),
                          "kind: Required value: Object 'Kind' is missing"));
  CHECK(
      absl::StrContains(DecodeObject(R"({"kind":"Pod"})").status().message(), "apiVersion: Required value"));
  absl::Status status =
      DecodeObject(
          R"({"apiVersion":"v1","kind":"Pod","metadata":{"name":5,"labels":{"a":1},"finalizers":"x",
          "creationTimestamp":"2025-01-01 00:00:00","generation":"1","ownerReferences":[{"controller":"yes"}]}})")
          .status();
  CHECK(status.code() == absl::StatusCode::kInvalidArgument);
  std::string message(status.message());
  CHECK(absl::StrContains(message, "metadata.name: expected string, got number"));
  CHECK(absl::StrContains(message, "metadata.labels.a: expected string, got number"));
  CHECK(absl::StrContains(message, "metadata.finalizers: expected array, got string"));
  CHECK(absl::StrContains(message, "metadata.creationTimestamp: Invalid value: \"2025-01-01 00:00:00\""));
  CHECK(absl::StrContains(message, "metadata.generation: expected integer, got string"));
  CHECK(absl::StrContains(message, "metadata.ownerReferences[0].controller: expected boolean, got string"));
  CHECK(
      absl::StrContains(DecodeObject(R"({"apiVersion":"v1","kind":"Pod","metadata":[]})").status().message(),
                        "metadata: expected object, got array"));
}

TEST_CASE("times are RFC 3339") {
  CHECK(Time::Parse("2025-01-01T00:00:00Z")->ToRfc3339() == "2025-01-01T00:00:00Z");
  CHECK(Time::Parse("2025-01-01T02:00:00.123456+02:00")->ToRfc3339() == "2025-01-01T00:00:00Z");
  CHECK_FALSE(Time::Parse("2025-01-01 00:00:00").has_value());
  CHECK_FALSE(Time::Parse("yesterday").has_value());
  CHECK(Time{}.ToRfc3339().empty());
}

// The hand-written formatter and the parser's fast path for "YYYY-MM-DDTHH:MM:SSZ" agree with absl's
// general ones (but for years before 1000, which get four digits), and leave the rest to them.
TEST_CASE("times: the fast RFC 3339 paths agree with absl's") {
  auto absl_format = [](absl::Time t) {
    return absl::FormatTime("%Y-%m-%dT%H:%M:%SZ", t, absl::UTCTimeZone());
  };
  auto absl_parse = [](const std::string& text) -> std::optional<absl::Time> {
    absl::Time t;
    std::string err;
    if (!absl::ParseTime(absl::RFC3339_full, text, absl::UTCTimeZone(), &t, &err)) return std::nullopt;
    return t;
  };
  std::vector<absl::Time> times = {absl::UnixEpoch(),
                                   absl::FromUnixSeconds(-1),
                                   absl::FromUnixSeconds(951782400),     // 2000-02-29
                                   absl::FromUnixSeconds(4107542400),    // 2100-03-01
                                   absl::FromUnixSeconds(253402300799),  // 9999-12-31T23:59:59
                                   absl::FromUnixSeconds(253402300800),  // year 10000: absl's
                                   absl::FromUnixSeconds(-62167219200),  // 0000-01-01
                                   absl::FromUnixSeconds(-62167219201),  // year -1: absl's
                                   absl::FromUnixMillis(-1500),
                                   absl::FromUnixMillis(1700000000999),
                                   absl::InfiniteFuture()};
  uint64_t x = 88172645463325252u;  // xorshift: times spread over 0000..9999
  for (int i = 0; i < 20000; ++i) {
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    times.push_back(absl::FromUnixSeconds(static_cast<int64_t>(x % 315537897600u) - 62167219200));
  }
  for (absl::Time t : times) {
    const std::string text = Time{t}.ToRfc3339();
    if (t >= absl::FromUnixSeconds(-30610224000) && t < absl::FromUnixSeconds(253402300800)) {
      // Years 0000..0999 have four digits, as RFC 3339 and Go write them (absl's %Y writes "999").
      CHECK(text.size() == 20);
      CHECK(Time::Parse(text)->value == absl::FromUnixSeconds(absl::ToUnixSeconds(t)));
    }
    if (t < absl::FromUnixSeconds(-30610224000) && t >= absl::FromUnixSeconds(-62167219200)) continue;
    REQUIRE_MESSAGE(text == absl_format(t), absl_format(t));
    if (t == absl::InfiniteFuture()) continue;
    std::optional<Time> parsed = Time::Parse(text);
    std::optional<absl::Time> expected = absl_parse(text);
    REQUIRE(parsed.has_value() == expected.has_value());
    if (expected) CHECK(parsed->value == *expected);
  }
  for (const char* text :
       {"2024-02-29T12:00:00Z", "2023-02-29T12:00:00Z", "2025-04-31T00:00:00Z", "2025-13-01T00:00:00Z",
        "2025-00-10T00:00:00Z", "2025-01-01T24:00:00Z", "2025-01-01T23:60:00Z", "2025-01-01T23:59:60Z",
        "2025-01-01t00:00:00z", "2025-01-01T00:00:0aZ", "+025-01-01T00:00:00Z", "2025-01-01T00:00:00+00:00",
        "0000-01-01T00:00:00Z", "1900-02-29T00:00:00Z", "2000-02-29T00:00:00Z"}) {
    CAPTURE(text);
    std::optional<Time> parsed = Time::Parse(text);
    std::optional<absl::Time> expected = absl_parse(text);
    REQUIRE(parsed.has_value() == expected.has_value());
    if (expected) CHECK(parsed->value == *expected);
  }
}

TEST_CASE("YAML manifests: several documents, lists, Kubernetes' scalars") {
  const std::string yaml = R"(# leading comment
apiVersion: v1
kind: ConfigMap
metadata:
  name: a
  labels: {quoted: "true", version: "1.20"}
data:
  plain: yes
  number: "8080"
  text: |
    line one
    line two
---
---
apiVersion: v1
kind: List
items:
- apiVersion: v1
  kind: Namespace
  metadata: {name: n1}
- {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "n2"}}
)";
  absl::StatusOr<std::vector<Object>> objects = DecodeManifests(yaml, "demo.yaml");
  REQUIRE_MESSAGE(objects.ok(), objects.status().ToString());
  REQUIRE(objects->size() == 3);
  CHECK((*objects)[0].metadata.labels.at("quoted") == "true");
  CHECK((*objects)[0].metadata.labels.at("version") == "1.20");
  json data = Parsed((*objects)[0].spec)["data"];
  CHECK(data["plain"] ==
        true);  // YAML 1.1, as sigs.k8s.io/yaml reads it: then rejected by ConfigMap validation
  CHECK(data["number"] == "8080");
  CHECK(data["text"] == "line one\nline two\n");
  CHECK((*objects)[1].metadata.name == "n1");
  CHECK((*objects)[2].metadata.name == "n2");

  // And back: strings that look like other types stay strings.
  std::string out = EncodeYaml((*objects)[0]);
  absl::StatusOr<std::vector<Object>> reread = DecodeManifests(out, "out.yaml");
  REQUIRE_MESSAGE(reread.ok(), out);
  CHECK((*reread)[0] == (*objects)[0]);

  absl::StatusOr<std::vector<Object>> json_input =
      DecodeManifests(R"([{"apiVersion":"v1","kind":"Namespace","metadata":{"name":"x"}}])", "in.json");
  REQUIRE(json_input.ok());
  CHECK(json_input->size() == 1);
}

TEST_CASE("bad YAML names the file, the document and the line") {
  absl::Status syntax =
      DecodeManifests("apiVersion: v1\nkind: Pod\nmetadata:\n  name: [unclosed\n", "bad.yaml").status();
  CHECK(syntax.code() == absl::StatusCode::kInvalidArgument);
  CHECK_MESSAGE(absl::StrContains(syntax.message(), "bad.yaml: line 5, column 1 (document 1)"),
                syntax.message());
  CHECK(absl::StrContains(syntax.message(), "while parsing a flow sequence started at line 4, column 9"));
  absl::Status missing =
      DecodeManifests("apiVersion: v1\nkind: Namespace\n---\nmetadata: {name: x}\n", "two.yaml").status();
  CHECK(absl::StrContains(missing.message(), "two.yaml: document 2 (line 4)"));
  CHECK(absl::StrContains(missing.message(), "kind: Required value"));
  absl::Status scalar = DecodeManifests("just a string\n", "s.yaml").status();
  CHECK(absl::StrContains(scalar.message(), "s.yaml: document 1"));
  CHECK(absl::StrContains(scalar.message(), "expected an object"));
  CHECK(DecodeManifests("", "empty.yaml")->empty());
  CHECK(DecodeManifests("---\n# nothing\n", "comments.yaml")->empty());
}

// A manifest as people write it for `kubectl apply -f`: comments, a leading `---`, quoted strings,
// named ports, quantities and a percentage.
constexpr const char* kShopManifest = R"(# The storefront: three replicas behind a ClusterIP Service.
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  namespace: shop
  labels:
    app.kubernetes.io/name: web
    app.kubernetes.io/version: "1.4.2"  # quoted, or YAML would read a number
  annotations:
    kubernetes.io/change-cause: 'image bumped to 1.4.2: "faster checkout"'
spec:
  replicas: 3
  revisionHistoryLimit: 5
  selector:
    matchLabels:
      app.kubernetes.io/name: web
  strategy:
    type: RollingUpdate
    rollingUpdate:
      maxSurge: 25%
      maxUnavailable: 0
  template:
    metadata:
      labels:
        app.kubernetes.io/name: web
    spec:
      terminationGracePeriodSeconds: 45
      containers:
        - name: web
          image: registry.example.com/shop/web:1.4.2
          imagePullPolicy: IfNotPresent
          args: ["--listen=:8080", "--log-level", "info"]
          ports:
            - name: http
              containerPort: 8080
              protocol: TCP
            - name: metrics
              containerPort: 9090
          env:
            - name: WORKERS
              value: "4"
            - name: POD_NAME
              valueFrom:
                fieldRef:
                  fieldPath: metadata.name
          resources:
            requests:
              cpu: 250m
              memory: 64Mi
            limits:
              cpu: "1"
              memory: 128Mi
          readinessProbe:
            httpGet:
              path: /healthz
              port: http
            initialDelaySeconds: 5
            periodSeconds: 10
          livenessProbe:
            tcpSocket:
              port: 8080
            failureThreshold: 3
          securityContext:
            runAsNonRoot: true
---
# Reaches the pods by their port's name, so the container port can change alone.
apiVersion: v1
kind: Service
metadata:
  name: web
  namespace: shop
spec:
  type: ClusterIP
  selector:
    app.kubernetes.io/name: web
  ports:
    - name: http
      port: 80
      targetPort: http
    - name: metrics
      port: 9090
      targetPort: 9090
      protocol: TCP
)";

TEST_CASE("a real-world Deployment and Service manifest decodes field by field and survives YAML again") {
  absl::StatusOr<std::vector<Object>> objects = DecodeManifests(kShopManifest, "shop.yaml");
  REQUIRE_MESSAGE(objects.ok(), objects.status().ToString());
  REQUIRE(objects->size() == 2);
  CHECK((*objects)[0].type == TypeMeta{"apps/v1", "Deployment"});
  CHECK((*objects)[1].type == TypeMeta{"v1", "Service"});

  absl::StatusOr<Deployment> deployment = FromObject<Deployment>((*objects)[0]);
  REQUIRE_MESSAGE(deployment.ok(), deployment.status().ToString());
  CHECK(deployment->metadata.name == "web");
  CHECK(deployment->metadata.namespace_ == "shop");
  CHECK(deployment->metadata.labels ==
        Labels{{"app.kubernetes.io/name", "web"}, {"app.kubernetes.io/version", "1.4.2"}});
  CHECK(deployment->metadata.annotations.at("kubernetes.io/change-cause") ==
        "image bumped to 1.4.2: \"faster checkout\"");
  const DeploymentSpec& spec = deployment->spec;
  CHECK(spec.replicas == 3);
  CHECK(spec.revisionHistoryLimit == 5);
  REQUIRE(spec.selector.has_value());
  CHECK(spec.selector->matchLabels == Labels{{"app.kubernetes.io/name", "web"}});
  CHECK(spec.selector->matchExpressions.empty());
  CHECK(spec.strategy.type == "RollingUpdate");
  REQUIRE(spec.strategy.rollingUpdate.has_value());
  REQUIRE(spec.strategy.rollingUpdate->maxSurge.has_value());
  CHECK(*spec.strategy.rollingUpdate->maxSurge == IntOrString::FromString("25%"));
  CHECK(spec.strategy.rollingUpdate->maxSurge->GetScaledValueFromIntOrPercent(3, true).value() == 1);
  REQUIRE(spec.strategy.rollingUpdate->maxUnavailable.has_value());
  CHECK(*spec.strategy.rollingUpdate->maxUnavailable == IntOrString::FromInt(0));
  CHECK(spec.template_.metadata.labels == Labels{{"app.kubernetes.io/name", "web"}});
  const PodSpec& pod = spec.template_.spec;
  CHECK(pod.terminationGracePeriodSeconds == 45);
  CHECK(pod.restartPolicy.empty());  // decoding applies no defaults
  REQUIRE(pod.containers.size() == 1);
  const Container& web = pod.containers[0];
  CHECK(web.name == "web");
  CHECK(web.image == "registry.example.com/shop/web:1.4.2");
  CHECK(web.imagePullPolicy == "IfNotPresent");
  CHECK(web.args == std::vector<std::string>{"--listen=:8080", "--log-level", "info"});
  REQUIRE(web.ports.size() == 2);
  CHECK(web.ports[0].name == "http");
  CHECK(web.ports[0].containerPort == 8080);
  CHECK(web.ports[0].protocol == "TCP");
  CHECK(web.ports[1].name == "metrics");
  CHECK(web.ports[1].containerPort == 9090);
  CHECK(web.ports[1].protocol.empty());
  REQUIRE(web.env.size() == 2);
  CHECK(web.env[0].name == "WORKERS");
  CHECK(web.env[0].value == "4");
  CHECK(!web.env[0].valueFrom.has_value());
  CHECK(web.env[1].name == "POD_NAME");
  REQUIRE(web.env[1].valueFrom.has_value());
  REQUIRE(web.env[1].valueFrom->fieldRef.has_value());
  CHECK(web.env[1].valueFrom->fieldRef->fieldPath == "metadata.name");
  const ResourceList& requests = web.resources.requests;
  REQUIRE(requests.size() == 2);
  CHECK(requests.at("cpu").MilliValue() == 250);
  CHECK(requests.at("cpu").ToString() == "250m");
  CHECK(requests.at("memory").Value() == int64_t{64} << 20);
  CHECK(requests.at("memory").ToString() == "64Mi");
  const ResourceList& limits = web.resources.limits;
  REQUIRE(limits.size() == 2);
  CHECK(limits.at("cpu").MilliValue() == 1000);
  CHECK(limits.at("memory").Value() == int64_t{128} << 20);
  REQUIRE(web.readinessProbe.has_value());
  REQUIRE(web.readinessProbe->httpGet.has_value());
  CHECK(web.readinessProbe->httpGet->path == "/healthz");
  CHECK(web.readinessProbe->httpGet->port == IntOrString::FromString("http"));
  CHECK(web.readinessProbe->initialDelaySeconds == 5);
  CHECK(web.readinessProbe->periodSeconds == 10);
  REQUIRE(web.livenessProbe.has_value());
  REQUIRE(web.livenessProbe->tcpSocket.has_value());
  CHECK(web.livenessProbe->tcpSocket->port == IntOrString::FromInt(8080));
  CHECK(web.livenessProbe->failureThreshold == 3);
  CHECK(!web.startupProbe.has_value());
  // A member the struct does not model travels along.
  CHECK(json::parse(web.unknown.json) == json::parse(R"({"securityContext":{"runAsNonRoot":true}})"));

  absl::StatusOr<Service> service = FromObject<Service>((*objects)[1]);
  REQUIRE_MESSAGE(service.ok(), service.status().ToString());
  CHECK(service->metadata.name == "web");
  CHECK(service->metadata.namespace_ == "shop");
  CHECK(service->spec.type == "ClusterIP");
  CHECK(service->spec.selector == Labels{{"app.kubernetes.io/name", "web"}});
  REQUIRE(service->spec.ports.size() == 2);
  CHECK(service->spec.ports[0].name == "http");
  CHECK(service->spec.ports[0].port == 80);
  CHECK(service->spec.ports[0].targetPort == IntOrString::FromString("http"));
  CHECK(service->spec.ports[0].protocol.empty());
  CHECK(service->spec.ports[1].name == "metrics");
  CHECK(service->spec.ports[1].port == 9090);
  CHECK(service->spec.ports[1].targetPort == IntOrString::FromInt(9090));
  CHECK(service->spec.ports[1].protocol == "TCP");

  // Encoded as YAML (both documents in one stream, as `kubectl get -o yaml` writes a list) and
  // decoded again: the same objects, the same typed values, the same JSON.
  std::string yaml = "---\n" + EncodeYaml(ToObject(*deployment)) + "---\n" + EncodeYaml(ToObject(*service));
  absl::StatusOr<std::vector<Object>> again = DecodeManifests(yaml, "shop-out.yaml");
  REQUIRE_MESSAGE(again.ok(), again.status().ToString(), "\n", yaml);
  REQUIRE(again->size() == 2);
  CHECK_MESSAGE((*again)[0] == (*objects)[0], yaml);
  CHECK_MESSAGE((*again)[1] == (*objects)[1], yaml);
  CHECK(json::parse(EncodeObject((*again)[0])) == json::parse(EncodeObject((*objects)[0])));
  CHECK(json::parse(EncodeObject((*again)[1])) == json::parse(EncodeObject((*objects)[1])));
  absl::StatusOr<Deployment> deployment_again = FromObject<Deployment>((*again)[0]);
  REQUIRE(deployment_again.ok());
  CHECK(*deployment_again == *deployment);
  absl::StatusOr<Service> service_again = FromObject<Service>((*again)[1]);
  REQUIRE(service_again.ok());
  CHECK(*service_again == *service);
  // The strings that YAML would read as other types stay strings; the quantities keep their text.
  CHECK(absl::StrContains(yaml, "25%"));
  CHECK(absl::StrContains(yaml, "250m"));
  CHECK(absl::StrContains(yaml, "64Mi"));
  CHECK(deployment_again->metadata.labels.at("app.kubernetes.io/version") == "1.4.2");
  CHECK(deployment_again->spec.template_.spec.containers[0].env[0].value == "4");
  CHECK(deployment_again->spec.template_.spec.containers[0].resources.limits.at("cpu").ToString() == "1");
}
}  // namespace
}  // namespace orch
