#!/usr/bin/env bash
# completion.sh [BUILD_DIR] — how long shell completion makes a user wait:
# kubectl_complete-konduktor run directly (as kubectl runs it), through
# `kubectl __complete` (which adds kubectl's own start-up), and completing
# job names from a local cluster holding N konduktor jobs (N in
# $KONDUKTOR_BENCH_JOBS, default "10 500 2000"). Prints figures (hyperfine,
# or a plain loop where it is missing); not pass/fail.
set -euo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
build=$(cd "${1:-$top/build}" && pwd)
complete=$build/plugin/kubectl_complete-konduktor
probe=$build/tests/complete-probe
cluster_bin=$build/localcluster/konduktor-localcluster
for f in "$complete" "$probe" "$cluster_bin"; do
  [ -x "$f" ] || { echo "completion.sh: build first: $f is missing" >&2; exit 2; }
done
work=$(mktemp -d)
cluster_pid=
cleanup() {
  [ -z "$cluster_pid" ] || kill "$cluster_pid" 2>/dev/null || true
  [ -z "$cluster_pid" ] || wait "$cluster_pid" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT
export PATH="$build/plugin:$PATH" KUBECONFIG=$work/none

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

# A local cluster with only the API server (no controllers: nothing runs).
"$cluster_bin" --port 0 --controllers none --ready-file "$work/ready.json" \
  --kubeconfig-out "$work/kubeconfig" >/dev/null 2>"$work/cluster.log" &
cluster_pid=$!
for _ in $(seq 1000); do [ -s "$work/kubeconfig" ] && break; sleep 0.01; done
[ -s "$work/kubeconfig" ] || { echo "completion.sh: the local cluster did not start" >&2; exit 1; }
export KUBECONFIG=$work/kubeconfig

made=0
for n in ${KONDUKTOR_BENCH_JOBS:-10 500 2000}; do
  {
    echo '{"apiVersion": "v1", "kind": "List", "items": ['
    for ((i = made; i < n; i++)); do
      ((i == made)) || echo ','
      printf '{"apiVersion": "batch/v1", "kind": "Job", "metadata": {"name": "bench-%d",
        "labels": {"konduktor.io/kind": "job", "konduktor.io/job-name": "bench-%d"}},
        "spec": {"suspend": true, "template": {"spec": {"restartPolicy": "Never",
        "containers": [{"name": "main", "image": "busybox", "command": ["true"]}]}}}}' "$i" "$i"
    done
    echo ']}'
  } >"$work/jobs.json"
  ((n > made)) && kubectl create --validate=false -f "$work/jobs.json" >/dev/null
  made=$n
  echo "== job names from a local cluster with $n jobs (a list of Jobs and one of JobSets, 500 at most)"
  run "$probe jobs ''"
done
