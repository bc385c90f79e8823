#!/usr/bin/env bash
# Installs what is missing, builds, and runs the whole test suite: once in a normal build and once
# under AddressSanitizer + UBSan (skip that with ORCH_SKIP_SANITIZE=1).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/deps.sh
jobs=$(nproc)
build() {  # build DIR CMAKE_ARGS...
  local dir=$1; shift
  [ -f "$dir/build.ninja" ] || cmake -S . -B "$dir" -G Ninja "$@" >/dev/null
  ninja -C "$dir" -j "$jobs"
}
build build -DCMAKE_BUILD_TYPE=RelWithDebInfo
(cd build && ctest --output-on-failure -j "$jobs")
if [ "${ORCH_SKIP_SANITIZE:-0}" != 1 ]; then
  build build-asan -DCMAKE_BUILD_TYPE=Debug -DORCH_SANITIZE=ON -DORCH_BUILD_BENCH=OFF
  (cd build-asan && ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 ctest --output-on-failure -j "$jobs")
fi
