// Replays every input kept in tests/fuzz/regressions/ (defects found from outside, and what the
// fuzzers of tests/fuzz found) through every fuzz target, on every build: each must return.
#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include "fuzz/fuzz_targets.h"

namespace orch {
namespace {

TEST_CASE("every kept fuzz regression input decodes or fails cleanly") {
  const std::filesystem::path folder = std::filesystem::path(ORCH_SOURCE_DIR) / "tests/fuzz/regressions";
  size_t files = 0;
  for (const auto& entry : std::filesystem::directory_iterator(folder)) {
    if (!entry.is_regular_file()) continue;
    CAPTURE(entry.path().filename().string());
    std::ifstream in(entry.path(), std::ios::binary);
    std::stringstream text;
    text << in.rdbuf();
    const std::string input = text.str();
    fuzz::DecodeObjectTarget(input);
    fuzz::DecodeManifestsTarget(input);
    fuzz::FromObjectTarget<Pod>(input);
    fuzz::FromObjectTarget<Deployment>(input);
    ++files;
  }
  CHECK(files >= 10);
}

}  // namespace
}  // namespace orch
