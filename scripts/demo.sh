#!/usr/bin/env bash
# Installs what is missing, builds, and runs `orch server` on an embedded SQLite file in .orch-data/,
# with the demo manifests applied. Ctrl-C stops it; running it again reuses the data.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/deps.sh
[ -f build/build.ninja ] || cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
ninja -C build -j "$(nproc)" orch_cli
exec build/orch server --data-dir .orch-data --listen 127.0.0.1:8080 --apply examples/demo.yaml "$@"
