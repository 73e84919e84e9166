#!/usr/bin/env bash
# build.sh [--sanitize|--fuzz] — configures and builds into build/,
# build-asan/ or build-fuzz/ with warnings as errors. Prints the build dir.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
mode=${1:-normal}
case "$mode" in
  normal)     dir=$top/build;      flags=() ;;
  --sanitize) dir=$top/build-asan; flags=(-DKONDUKTOR_SANITIZE=ON -DCMAKE_BUILD_TYPE=Debug) ;;
  --fuzz)     dir=$top/build-fuzz; flags=(-DKONDUKTOR_FUZZ=ON -DCMAKE_C_COMPILER=clang -DCMAKE_BUILD_TYPE=Debug) ;;
  *) echo "usage: build.sh [--sanitize|--fuzz]" >&2; exit 2 ;;
esac
cmake -S "$top" -B "$dir" -DKONDUKTOR_WERROR=ON "${flags[@]}" >/dev/null
cmake --build "$dir" -j "$(nproc)" >&2
echo "$dir"
