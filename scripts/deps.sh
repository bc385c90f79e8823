#!/usr/bin/env bash
# Installs the Debian 12 packages orch builds with, only those that are missing. Sourced or run.
set -euo pipefail
packages=(build-essential cmake ninja-build pkg-config ccache
  libabsl-dev libsqlite3-dev libuv1-dev libcpp-httplib-dev libfmt-dev doctest-dev
  nlohmann-json3-dev libyaml-cpp-dev libyaml-dev libcli11-dev sqlite3 curl)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "installing: ${missing[*]}"
  sudo_cmd=""
  [ "$(id -u)" -eq 0 ] || sudo_cmd="sudo"
  $sudo_cmd apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq "${missing[@]}" >/dev/null
fi
