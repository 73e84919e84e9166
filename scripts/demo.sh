#!/usr/bin/env bash
# demo.sh — sets up a fresh Debian 12 machine and runs the main job end to
# end: builds kubectl-konduktor, starts the local cluster (pods run as
# local processes), launches examples/hello.yaml with --wait, prints its
# result, and stops the cluster again if it was not running before.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
"$top/scripts/install-deps.sh"
dir=$("$top/scripts/build.sh")
export PATH="$dir/plugin:$PATH"

say() { echo "+ $*" >&2; }

say kubectl konduktor version
kubectl konduktor version

# A cluster that was already running is left running.
started=false
if ! kubectl konduktor local status >/dev/null 2>&1; then
  say kubectl konduktor local up
  kubectl konduktor local up
  started=true
fi
stop_cluster() {
  if $started; then
    say kubectl konduktor local down
    kubectl konduktor local down
  fi
}
trap stop_cluster EXIT

# --context: never launch on another cluster the kubeconfig points at.
say kubectl konduktor launch --wait --yes --context konduktor-local examples/hello.yaml
result=$(kubectl konduktor launch --wait --yes --context konduktor-local "$top/examples/hello.yaml")
echo "result: $result"
