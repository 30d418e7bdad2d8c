#!/usr/bin/env bash
# The test command: installs what is missing, builds with AddressSanitizer
# and UndefinedBehaviorSanitizer, and runs the whole suite with ctest.
# Usage: deploy/test.sh [ctest arguments...]   (e.g. -L cli, -R ledger)
set -euo pipefail
cd "$(dirname "$0")/.."
deploy/install-deps.sh
build=${GC_BUILD_DIR:-build-asan}
cmake -S . -B "$build" -DGC_SANITIZE=ON -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build "$build" -j"$(nproc)"
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=0}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
export LSAN_OPTIONS=${LSAN_OPTIONS:-suppressions=$PWD/tests/lsan.supp:print_suppressions=0}
cd "$build"
exec ctest --output-on-failure -j"$(nproc)" "$@"
