#!/usr/bin/env bash
# install-deps.sh — installs, from Debian's archive, every package the
# project needs to build, test and run. Safe to run again: it only calls
# apt-get when something is missing.
set -euo pipefail

packages=(
  build-essential cmake pkg-config clang git
  libfuse3-dev fuse3 libcurl4-openssl-dev libcjson-dev libyaml-dev
  libmicrohttpd-dev libcmocka-dev libclang-rt-14-dev
  python3-pytest python3-kubernetes python3-yaml python3-jsonschema
  hyperfine scdoc openssl procps util-linux busybox
  man-db zsh bash-completion jq nghttp2-server
)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
# kubectl may already be on the machine (any recent one will do); Debian's
# kubernetes-client provides one where it is not.
command -v kubectl >/dev/null 2>&1 || missing+=(kubernetes-client)

if ((${#missing[@]})); then
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  echo "install-deps: installing ${missing[*]}" >&2
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}" >/dev/null
fi
