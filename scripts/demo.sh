#!/usr/bin/env bash
# demo.sh — sets up a fresh Debian 12 machine and runs the main job end to
# end: builds kubectl-konduktor and runs it as a kubectl plugin.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
"$top/scripts/install-deps.sh"
dir=$("$top/scripts/build.sh")
export PATH="$dir/plugin:$PATH"

echo "+ kubectl konduktor version" >&2
kubectl konduktor version
