#!/usr/bin/env bash
# Builds the libFuzzer targets (fuzz/) with clang, AddressSanitizer and UBSan into build-fuzz/
# (or $BUILD_DIR) and runs each one for a bounded time:
#   ./scripts/fuzz.sh [seconds per target, default 20]
# Exits non-zero on any finding; the input that caused it is kept in build-fuzz/artifacts/.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${BUILD_DIR:-$root/build-fuzz}
seconds=${1:-20}
targets=(fuzz_client_decode fuzz_server_decode fuzz_hub_frame)
# The hub keeps state across inputs, so a leak check after each one (a full heap scan) would cost
# 5-10x the speed: its leaks are caught by the check at exit instead, for the whole run.
declare -A extra=([fuzz_hub_frame]=-detect_leaks=0)

"$root/scripts/install-deps.sh" clang-14 libclang-rt-14-dev
cmake -S "$root" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
    -DCMAKE_CXX_COMPILER=clang++-14 -DCHAT_WERROR=ON -DBUILD_TESTING=OFF \
    -DCHAT_FUZZ=ON -DCHAT_SANITIZE=address,undefined >/dev/null
cmake --build "$build" --parallel "$(nproc)" --target fuzzers

export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1:strict_string_checks=1
export LSAN_OPTIONS=suppressions=$root/scripts/lsan-suppressions.txt:print_suppressions=0
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
mkdir -p "$build/artifacts"
failed=()
for target in "${targets[@]}"; do
    # New inputs go to the first folder (build-fuzz/corpus/), never into the committed seeds.
    mkdir -p "$build/corpus/$target"
    log=$build/$target.log
    echo "== $target: ${seconds} s"
    if "$build/fuzz/$target" -max_total_time="$seconds" -timeout=30 -rss_limit_mb=2048 \
        -max_len=4096 -print_final_stats=1 -dict="$root/fuzz/protocol.dict" ${extra[$target]:-} \
        -artifact_prefix="$build/artifacts/$target-" \
        "$build/corpus/$target" "$root/fuzz/corpus/$target" >"$log" 2>&1; then
        grep -E '^stat::(number_of_executed_units|average_exec_per_sec|peak_rss_mb)' "$log" || true
    else
        tail -n 60 "$log"
        echo "!! $target found a problem: full log $log; reproduce with" \
             "$build/fuzz/$target $build/artifacts/$target-*"
        failed+=("$target")
    fi
done
# A closing line CI can read: one target is one test.
echo "fuzz: $((${#targets[@]} - ${#failed[@]})) passed, ${#failed[@]} failed"
[ ${#failed[@]} -eq 0 ] || { echo "findings in: ${failed[*]}"; exit 1; }
