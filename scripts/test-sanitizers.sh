#!/usr/bin/env bash
# The whole test suite (scripts/test.sh) built with AddressSanitizer, LeakSanitizer and
# UndefinedBehaviorSanitizer into build-asan/ (or $BUILD_DIR). Any report fails the run.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${BUILD_DIR:-$root/build-asan}
"$root/scripts/install-deps.sh"
# The options live in build-asan's CMake cache, so test.sh's own build keeps them. Debug with -O1
# keeps stack traces exact and the sanitized suite fast enough for CI.
cmake -S "$root" -B "$build" -G Ninja -DCHAT_SANITIZE=address,undefined \
    -DCMAKE_CXX_FLAGS_DEBUG="-g -O1" >/dev/null

# abort_on_error: a report ends the program with SIGABRT, which CTest counts as a failure; so
# does a leak found at exit. Suppressions: system libraries only (see the file).
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1:strict_string_checks=1:detect_stack_use_after_return=1:check_initialization_order=1
export LSAN_OPTIONS=suppressions=$root/scripts/lsan-suppressions.txt:print_suppressions=0
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
BUILD_DIR=$build BUILD_TYPE=Debug "$root/scripts/test.sh"
