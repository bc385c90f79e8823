#!/usr/bin/env bash
# Builds examples/embed.cc outside orch's tree three ways and runs each: find_package(orch) against
# an installed copy, find_package(orch) against the build tree, and pkg-config against the
# installed copy.
set -euo pipefail
build_dir=$1
source_dir=$(cd "$(dirname "$0")" && pwd)
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
cmake --install "$build_dir" --prefix "$scratch/prefix" >/dev/null
consumer() {  # consumer NAME CMAKE_ARGS...
  local name=$1; shift
  cmake -S "$source_dir" -B "$scratch/$name" -G Ninja -DCMAKE_BUILD_TYPE=Release "$@" >/dev/null
  ninja -C "$scratch/$name" >/dev/null
  check "$name" "$("$scratch/$name/consumer")"
}
check() {  # check NAME OUTPUT: the example's output must name the deployment it listed
  echo "$1: $2"
  grep -q "labelled app=web" <<<"$2" || { echo "$1: unexpected output" >&2; exit 1; }
}
consumer installed -DCMAKE_PREFIX_PATH="$scratch/prefix"
consumer build-tree -Dorch_DIR="$build_dir"
libdir=$(ls -d "$scratch"/prefix/lib*/pkgconfig | head -1)
# shellcheck disable=SC2046
c++ -O1 -o "$scratch/pkgconfig-consumer" "$source_dir/../../examples/embed.cc" \
  $(PKG_CONFIG_PATH="$libdir" pkg-config --cflags --libs orch)
check pkg-config "$("$scratch/pkgconfig-consumer")"
