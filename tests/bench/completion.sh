#!/usr/bin/env bash
# completion.sh [BUILD_DIR] — how long shell completion makes a user wait:
# kubectl_complete-konduktor run directly (as kubectl runs it) and through
# `kubectl __complete`, which adds kubectl's own start-up. Prints figures
# (hyperfine, or a plain loop where hyperfine is missing); not pass/fail.
set -euo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
build=$(cd "${1:-$top/build}" && pwd)
complete=$build/plugin/kubectl_complete-konduktor
[ -x "$complete" ] || { echo "completion.sh: build first: $complete is missing" >&2; exit 2; }
export PATH="$build/plugin:$PATH"
kubeconfig=$(mktemp)
trap 'rm -f "$kubeconfig"' EXIT
export KUBECONFIG=$kubeconfig

run() { # command line (shell words)
  if command -v hyperfine >/dev/null; then
    hyperfine -N --warmup 3 --runs 30 --style basic "$1" 2>/dev/null | grep -E "Time|Range"
  else
    local start end
    start=$(date +%s%N)
    for _ in $(seq 30); do eval "$1" >/dev/null; done
    end=$(date +%s%N)
    printf '  %d us per run (mean of 30)\n' $(((end - start) / 30000))
  fi
}

echo "== subcommands at the top level"
run "$complete ''"
echo "== a command's flags"
run "$complete version --"
if command -v kubectl >/dev/null; then
  echo "== through kubectl (kubectl __complete konduktor '')"
  run "kubectl __complete konduktor ''"
fi
