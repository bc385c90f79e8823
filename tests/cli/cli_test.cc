// The orch binary: `orch validate` on good and bad manifests, `orch server` serving reads.
#include <doctest/doctest.h>
#include <httplib.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <thread>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "store/sqlite/store_test_util.h"

namespace orch {
namespace {

struct Run {
  int exit_code;
  std::string output;  // stdout and stderr
};

Run RunOrch(const std::string& args) {
  std::string command = std::string(ORCH_BINARY) + " " + args + " 2>&1";
  FILE* pipe = popen(command.c_str(), "r");
  REQUIRE(pipe != nullptr);
  std::string output;
  std::array<char, 4096> buffer;
  size_t n;
  while ((n = fread(buffer.data(), 1, buffer.size(), pipe)) > 0) output.append(buffer.data(), n);
  int status = pclose(pipe);
  return {WIFEXITED(status) ? WEXITSTATUS(status) : -1, output};
}

// An `orch server` child process on a free loopback port; stopped (SIGTERM, by its pid) at scope exit.
class Server {
 public:
  explicit Server(const std::vector<std::string>& extra) {
    int out[2];
    REQUIRE(pipe(out) == 0);
    pid_ = fork();
    REQUIRE(pid_ >= 0);
    if (pid_ == 0) {
      dup2(out[1], STDOUT_FILENO);
      dup2(out[1], STDERR_FILENO);
      close(out[0]);
      std::vector<std::string> args = {ORCH_BINARY, "server", "--listen", "127.0.0.1:0"};
      args.insert(args.end(), extra.begin(), extra.end());
      std::vector<char*> argv;
      for (std::string& a : args) argv.push_back(a.data());
      argv.push_back(nullptr);
      execv(argv[0], argv.data());
      _exit(127);
    }
    close(out[1]);
    output_ = fdopen(out[0], "r");
    // Read until the line that says where it listens (or the process ends).
    char line[1024];
    while (fgets(line, sizeof(line), output_) != nullptr) {
      log_ += line;
      const std::string marker = "serving a read-only API on http://127.0.0.1:";
      size_t at = log_.find(marker);
      if (at != std::string::npos) {
        std::string rest = log_.substr(at + marker.size());
        REQUIRE(absl::SimpleAtoi(rest.substr(0, rest.find('\n')), &port_));
        break;
      }
    }
  }
  ~Server() {
    if (pid_ > 0) Stop();
    if (output_ != nullptr) fclose(output_);
  }
  // Stops the server (SIGTERM; SIGKILL if it has not exited within 30 s) and returns its exit code,
  // -1 if it had to be killed.
  int Stop() {
    kill(pid_, SIGTERM);
    int status = 0;
    for (int waited = 0; waitpid(pid_, &status, WNOHANG) == 0; ++waited) {
      if (waited == 3000) {
        kill(pid_, SIGKILL);
        waitpid(pid_, &status, 0);
        break;
      }
      usleep(10000);
    }
    pid_ = -1;
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  }
  int port() const { return port_; }
  const std::string& log() const { return log_; }

 private:
  pid_t pid_ = -1;
  FILE* output_ = nullptr;
  int port_ = 0;
  std::string log_;
};

TEST_CASE("orch validate reports every problem with file, document and field") {
  testing::TempDir dir;
  std::string bad = dir.File("bad.yaml");
  std::ofstream(bad)
      << "apiVersion: v1\nkind: Pod\nmetadata: {name: Bad}\nspec:\n  containers:\n  - name: c\n"
         "---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: fine}\ndata: {a: b}\n";
  Run run = RunOrch("validate -f " + bad);
  CHECK(run.exit_code == 1);
  CHECK(absl::StrContains(run.output, "bad.yaml: document 1 (Pod/Bad in default)"));
  CHECK(absl::StrContains(run.output, "spec.containers[0].image: Required value"));
  CHECK(absl::StrContains(run.output, "ConfigMap/fine in default: valid"));

  Run demo = RunOrch(std::string("validate -f ") + ORCH_SOURCE_DIR + "/examples/demo.yaml");
  CHECK_MESSAGE(demo.exit_code == 0, demo.output);

  Run missing = RunOrch("validate -f " + dir.File("none.yaml"));
  CHECK(missing.exit_code == 1);
  CHECK(absl::StrContains(missing.output, "none.yaml: cannot read the file"));

  std::string broken = dir.File("broken.yaml");
  std::ofstream(broken) << "kind: [\n";
  Run syntax = RunOrch("validate -f " + broken);
  CHECK(syntax.exit_code == 1);
  CHECK(absl::StrContains(syntax.output, "broken.yaml: line"));
}

TEST_CASE("orch server applies manifests and serves gets, lists and watches; SIGTERM stops it") {
  testing::TempDir dir;
  Server server(
      {"--data-dir", dir.path().string(), "--apply", std::string(ORCH_SOURCE_DIR) + "/examples/demo.yaml"});
  REQUIRE_MESSAGE(server.port() > 0, server.log());
  CHECK(absl::StrContains(server.log(), "Deployment/web in demo created"));
  httplib::Client http("127.0.0.1", server.port());

  auto pods = http.Get("/api/v1/namespaces/demo/pods");
  REQUIRE(pods);
  CHECK(pods->status == 200);
  CHECK(absl::StrContains(pods->body, R"("kind":"PodList")"));
  CHECK(absl::StrContains(pods->body, R"("name":"hello")"));

  auto deployment = http.Get("/apis/apps/v1/namespaces/demo/deployments/web");
  REQUIRE(deployment);
  CHECK(deployment->status == 200);
  CHECK(absl::StrContains(deployment->body, R"("kind":"Deployment")"));

  // The server runs the control plane: the deployment rolls out onto its simulated nodes.
  bool rolled_out = false;
  for (int i = 0; i < 300 && !rolled_out; ++i) {
    auto web = http.Get("/apis/apps/v1/namespaces/demo/deployments/web");
    rolled_out = web && absl::StrContains(web->body, R"("availableReplicas":3)");
    if (!rolled_out) std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  CHECK_MESSAGE(rolled_out, server.log());
  auto running =
      http.Get("/api/v1/namespaces/demo/pods?labelSelector=app%3Dweb&fieldSelector=status.phase%3DRunning");
  REQUIRE(running);
  CHECK(absl::StrContains(running->body, R"("nodeName":"sim-node-)"));

  auto missing = http.Get("/api/v1/namespaces/demo/pods/nope");
  REQUIRE(missing);
  CHECK(missing->status == 404);
  CHECK(absl::StrContains(missing->body, R"("reason":"NotFound")"));

  auto bad_selector = http.Get("/api/v1/pods?labelSelector=a%20in%20(");
  REQUIRE(bad_selector);
  CHECK(bad_selector->status == 400);

  auto bad_limit = http.Get("/api/v1/pods?limit=many");
  REQUIRE(bad_limit);
  CHECK(bad_limit->status == 400);
  CHECK(absl::StrContains(bad_limit->body, "limit"));
  auto bad_version = http.Get("/api/v1/pods?resourceVersion=yesterday");
  REQUIRE(bad_version);
  CHECK(bad_version->status == 400);
  auto bad_field = http.Get("/api/v1/pods?fieldSelector=spec.hostname%3Dx");
  REQUIRE(bad_field);
  CHECK(bad_field->status == 400);
  CHECK(absl::StrContains(bad_field->body, "field label not supported: spec.hostname"));
  auto bad_continue = http.Get("/api/v1/pods?limit=1&continue=garbage");
  REQUIRE(bad_continue);
  CHECK(bad_continue->status == 400);
  auto unknown = http.Get("/api/v1/widgets");
  REQUIRE(unknown);
  CHECK(unknown->status == 404);
  auto too_deep = http.Get("/api/v1/namespaces/demo/pods/hello/extra/parts");
  REQUIRE(too_deep);
  CHECK(too_deep->status == 404);

  // Pages: limit and continue give every namespace once.
  std::set<std::string> seen;
  std::string token;
  int pages = 0;
  do {
    std::string path = "/api/v1/namespaces?limit=2";
    if (!token.empty()) path += "&continue=" + token;
    auto page = http.Get(path);
    REQUIRE(page);
    REQUIRE(page->status == 200);
    nlohmann::json body = nlohmann::json::parse(page->body);
    for (const auto& item : body["items"])
      CHECK(seen.insert(item["metadata"]["name"].get<std::string>()).second);
    token = body["metadata"].value("continue", "");
    ++pages;
  } while (!token.empty() && pages < 10);
  CHECK(pages == 3);
  CHECK(seen == std::set<std::string>{"default", "demo", "kube-node-lease", "kube-public", "kube-system"});

  auto namespaces = http.Get("/api/v1/namespaces?fieldSelector=metadata.name%3Ddemo");
  REQUIRE(namespaces);
  CHECK(absl::StrContains(namespaces->body, R"("name":"demo")"));
  CHECK_FALSE(absl::StrContains(namespaces->body, R"("name":"default")"));

  auto watch = http.Get("/api/v1/namespaces/demo/configmaps?watch=true&timeoutSeconds=1");
  REQUIRE(watch);
  CHECK(absl::StrContains(watch->body, R"({"type":"ADDED","object":{"apiVersion":"v1","kind":"ConfigMap")"));

  CHECK(server.Stop() == 0);

  // The state is on file: a second server sees it, and applying again changes nothing.
  Server again(
      {"--data-dir", dir.path().string(), "--apply", std::string(ORCH_SOURCE_DIR) + "/examples/demo.yaml"});
  REQUIRE_MESSAGE(again.port() > 0, again.log());
  CHECK(absl::StrContains(again.log(), "Deployment/web in demo unchanged"));
}

TEST_CASE("orch server refuses a corrupt database and names it") {
  testing::TempDir dir;
  std::ofstream(dir.File("state.db")) << std::string(4096, 'x');
  Run run = RunOrch("server --listen 127.0.0.1:0 --data-dir " + dir.path().string());
  CHECK(run.exit_code == 1);
  CHECK(absl::StrContains(run.output, dir.File("state.db")));
  CHECK(absl::StrContains(run.output, "corrupt or not an orch database"));
}

TEST_CASE("orch server refuses an --event-ttl that is not a duration") {
  Run run = RunOrch("server --memory --listen 127.0.0.1:0 --event-ttl soon");
  CHECK(run.exit_code == 1);
  CHECK(absl::StrContains(run.output, "--event-ttl soon: expected a duration"));
}

}  // namespace
}  // namespace orch
