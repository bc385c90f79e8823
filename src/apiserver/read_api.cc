#include "src/apiserver/read_api.h"

#include <httplib.h>

#include <chrono>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "orch/errors.h"

namespace orch {
namespace {

// A Kubernetes Status object for an error.
std::string StatusJson(const absl::Status& status) {
  std::string message(status.message());
  std::string escaped;
  for (char c : message) {
    if (c == '"' || c == '\\') escaped.push_back('\\');
    if (static_cast<unsigned char>(c) < 0x20) continue;
    escaped.push_back(c);
  }
  return absl::StrCat(R"({"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":")",
                      escaped, R"(","reason":")", StatusReason(status), R"(","code":)", HttpCode(status),
                      "}");
}

void Fail(httplib::Response& res, const absl::Status& status) {
  res.status = HttpCode(status);
  res.set_content(StatusJson(status), "application/json");
}

// The parts of a resource path: /api/v1[/namespaces/NS]/RESOURCE[/NAME] or /apis/G/V/...
struct Target {
  const ResourceType* type = nullptr;
  std::string namespace_;
  std::string name;
};

absl::StatusOr<Target> ParsePath(absl::string_view path) {
  std::vector<absl::string_view> parts = absl::StrSplit(path, '/', absl::SkipEmpty());
  std::string group, version;
  size_t i = 0;
  if (parts.size() >= 2 && parts[0] == "api") {
    version = std::string(parts[1]);
    i = 2;
  } else if (parts.size() >= 3 && parts[0] == "apis") {
    group = std::string(parts[1]);
    version = std::string(parts[2]);
    i = 3;
  } else {
    return NotFoundError("paths", path);
  }
  Target target;
  if (parts.size() >= i + 3 && parts[i] == "namespaces") {
    target.namespace_ = std::string(parts[i + 1]);
    i += 2;
  }
  if (i >= parts.size() || parts.size() > i + 2) return NotFoundError("paths", path);
  for (const ResourceType* type : AllResourceTypes()) {
    if (type->group == group && type->version == version && type->resource == parts[i]) target.type = type;
  }
  if (target.type == nullptr) {
    return NotFoundError("resources", absl::StrCat(group.empty() ? "" : group + "/", version, "/", parts[i]));
  }
  if (parts.size() == i + 2) target.name = std::string(parts[i + 1]);
  if (!target.type->namespaced) target.namespace_.clear();
  return target;
}

// List-shaped JSON built from the stored bytes: nothing is re-encoded.
std::string ListJson(const ResourceType& type, const ListResult& list) {
  std::string out = absl::StrCat(R"({"kind":")", type.kind, R"(List","apiVersion":")", type.ApiVersion(),
                                 R"(","metadata":{"resourceVersion":")", list.revision, "\"");
  if (!list.continue_token.empty()) absl::StrAppend(&out, R"(,"continue":")", list.continue_token, "\"");
  out.append("},\"items\":[");
  for (size_t i = 0; i < list.items.size(); ++i) {
    if (i > 0) out.push_back(',');
    out.append(list.items[i]->json);
  }
  out.append("]}");
  return out;
}

absl::Status ParseSelectors(const httplib::Request& req, LabelSelector* labels, FieldSelector* fields) {
  if (req.has_param("labelSelector")) {
    absl::StatusOr<LabelSelector> parsed = LabelSelector::Parse(req.get_param_value("labelSelector"));
    if (!parsed.ok()) return parsed.status();
    *labels = std::move(*parsed);
  }
  if (req.has_param("fieldSelector")) {
    absl::StatusOr<FieldSelector> parsed = FieldSelector::Parse(req.get_param_value("fieldSelector"));
    if (!parsed.ok()) return parsed.status();
    *fields = std::move(*parsed);
  }
  return absl::OkStatus();
}

}  // namespace

ReadApiServer::ReadApiServer(Client& client) : client_(client), server_(std::make_unique<httplib::Server>()) {
  Route();
}

ReadApiServer::~ReadApiServer() { Stop(); }

absl::Status ReadApiServer::Start(const std::string& host, int port) {
  if (port == 0) {
    port_ = server_->bind_to_any_port(host);
  } else {
    port_ = server_->bind_to_port(host, port) ? port : -1;
  }
  if (port_ <= 0) return absl::UnavailableError(absl::StrCat("cannot listen on ", host, ":", port));
  thread_ = std::thread([this] { server_->listen_after_bind(); });
  // httplib's stop() does nothing until the listening loop runs: wait for it, so a Stop() right
  // after Start() cannot leave the loop blocked in accept().
  for (int waited_ms = 0; !server_->is_running(); ++waited_ms) {
    if (waited_ms > 10000) return absl::InternalError("the HTTP server did not start listening");
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  return absl::OkStatus();
}

void ReadApiServer::Stop() {
  stopping_ = true;
  if (server_) server_->stop();
  if (thread_.joinable()) thread_.join();
}

void ReadApiServer::Route() {
  server_->Get("/healthz",
               [](const httplib::Request&, httplib::Response& res) { res.set_content("ok", "text/plain"); });
  server_->Get("/version", [](const httplib::Request&, httplib::Response& res) {
    res.set_content(
        R"({"major":"1","minor":"32","gitVersion":"v1.32.0-orch.0.1.0","platform":"linux/amd64"})",
        "application/json");
  });
  server_->Get(R"(/(api|apis)/.*)", [this](const httplib::Request& req, httplib::Response& res) {
    absl::StatusOr<Target> target = ParsePath(req.path);
    if (!target.ok()) return Fail(res, target.status());
    const ResourceType& type = *target->type;
    if (!target->name.empty()) {
      absl::StatusOr<ObjectPtr> object = client_.Get(type, target->namespace_, target->name);
      if (!object.ok()) return Fail(res, object.status());
      return res.set_content((*object)->json, "application/json");
    }
    if (req.get_param_value("watch") == "true" || req.get_param_value("watch") == "1") {
      WatchOptions options;
      options.namespace_ = target->namespace_;
      options.resourceVersion = req.get_param_value("resourceVersion");
      options.allowWatchBookmarks = req.get_param_value("allowWatchBookmarks") == "true";
      if (absl::Status s = ParseSelectors(req, &options.labelSelector, &options.fieldSelector); !s.ok()) {
        return Fail(res, s);
      }
      int64_t timeout_seconds = 1800;
      if (req.has_param("timeoutSeconds") &&
          !absl::SimpleAtoi(req.get_param_value("timeoutSeconds"), &timeout_seconds)) {
        return Fail(res, BadRequestError("timeoutSeconds: expected an integer"));
      }
      absl::StatusOr<std::unique_ptr<Watcher>> watch = client_.Watch(type, options);
      if (!watch.ok()) return Fail(res, watch.status());
      std::shared_ptr<Watcher> shared(std::move(*watch));
      absl::Time deadline = absl::Now() + absl::Seconds(timeout_seconds);
      res.set_chunked_content_provider(
          "application/json", [this, shared, deadline](size_t, httplib::DataSink& sink) {
            while (!stopping_ && absl::Now() < deadline && sink.is_writable()) {
              std::optional<WatchEvent> event = shared->Next(absl::Milliseconds(200));
              if (!event) continue;
              std::string line;
              if (event->type == WatchEventType::kError) {
                line = absl::StrCat(R"({"type":"ERROR","object":)", StatusJson(event->error), "}\n");
              } else {
                line = absl::StrCat(R"({"type":")", WatchEventTypeName(event->type), R"(","object":)",
                                    event->object->json, "}\n");
              }
              if (!sink.write(line.data(), line.size())) return false;
              if (event->type == WatchEventType::kError) break;
            }
            sink.done();
            return true;
          });
      return;
    }
    ListOptions options;
    if (absl::Status s = ParseSelectors(req, &options.labelSelector, &options.fieldSelector); !s.ok()) {
      return Fail(res, s);
    }
    if (req.has_param("limit") && !absl::SimpleAtoi(req.get_param_value("limit"), &options.limit)) {
      return Fail(res, BadRequestError("limit: expected an integer"));
    }
    options.continue_token = req.get_param_value("continue");
    options.resourceVersion = req.get_param_value("resourceVersion");
    std::string match = req.get_param_value("resourceVersionMatch");
    if (match == "Exact") {
      options.resourceVersionMatch = ResourceVersionMatch::kExact;
    } else if (match == "NotOlderThan") {
      options.resourceVersionMatch = ResourceVersionMatch::kNotOlderThan;
    } else if (!match.empty()) {
      return Fail(res,
                  BadRequestError(absl::StrCat("resourceVersionMatch: Unsupported value: \"", match, "\"")));
    }
    absl::StatusOr<ListResult> list = client_.List(type, target->namespace_, options);
    if (!list.ok()) return Fail(res, list.status());
    res.set_content(ListJson(type, *list), "application/json");
  });
}

}  // namespace orch
