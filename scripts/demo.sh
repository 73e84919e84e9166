#!/usr/bin/env bash
# demo.sh — sets up a fresh Debian 12 machine and runs the main job end to
# end: builds kubectl-konduktor, starts the local cluster (pods run as
# local processes), launches examples/hello.yaml with --wait, prints its
# result, reads the same result through the mounted job tree
# (konduktor-fs), unmounts it, and stops the cluster again if it was not
# running before.
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
launch_log=$(mktemp)
say kubectl konduktor launch --wait --yes --context konduktor-local examples/hello.yaml
result=$(kubectl konduktor launch --wait --yes --context konduktor-local \
  "$top/examples/hello.yaml" 2> >(tee "$launch_log" >&2))
echo "result: $result"
job=$(sed -n "s/.*job '\([^']*\)'.*/\1/p" "$launch_log" | head -n 1)
rm -f "$launch_log"
[ -n "$job" ] || { echo "demo.sh: could not tell the job's name" >&2; exit 1; }

# The same result as a file: the jobs of the namespace, mounted as a tree.
mnt=$(mktemp -d "${TMPDIR:-/tmp}/konduktor-demo.XXXXXX")
unmount() {
  kubectl konduktor umount "$mnt" 2>/dev/null || true
  rmdir "$mnt" 2>/dev/null || true
}
trap 'unmount; stop_cluster' EXIT
say kubectl konduktor mount --context konduktor-local "$mnt"
kubectl konduktor mount --context konduktor-local "$mnt"
say ls "$mnt/$job"
ls "$mnt/$job"
say cat "$mnt/$job/result.json"
echo "$(cat "$mnt/$job/result.json")" # a line of its own, whether or not it ends with one
say kubectl konduktor umount "$mnt"
kubectl konduktor umount "$mnt"
