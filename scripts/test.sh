#!/usr/bin/env bash
# test.sh [--sanitize] — sets up a fresh Debian 12 machine and runs every
# test: unit (cmocka) and integration (pytest against the real binaries)
# through ctest, then each libFuzzer harness briefly. With --sanitize, the
# same ctest suite runs against an AddressSanitizer + UBSan build.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
"$top/scripts/install-deps.sh"

jobs=${KONDUKTOR_TEST_JOBS:-$(nproc)}
if [ "${1:-}" = "--sanitize" ]; then
  dir=$("$top/scripts/build.sh" --sanitize)
  logs=$dir/sanitizer-logs
  rm -rf "$logs" && mkdir -p "$logs"
  export KONDUKTOR_SANITIZER_LOG_DIR=$logs
  export ASAN_OPTIONS="log_path=$logs/asan:detect_leaks=1:strict_string_checks=1:detect_stack_use_after_return=1"
  export UBSAN_OPTIONS="log_path=$logs/ubsan:print_stacktrace=1:halt_on_error=1"
  status=0
  ctest --test-dir "$dir" --output-on-failure -j "$jobs" || status=$?
  if compgen -G "$logs/*" >/dev/null; then
    echo "test.sh: sanitizer reports:" >&2
    cat "$logs"/* >&2
    status=1
  fi
  exit $status
fi

dir=$("$top/scripts/build.sh")
ctest --test-dir "$dir" --output-on-failure -j "$jobs"
fuzz=$("$top/scripts/build.sh" --fuzz)
ctest --test-dir "$fuzz" --output-on-failure -j "$jobs"
