#!/usr/bin/env bash
# Configures and builds the project into build/ (or $BUILD_DIR).
#   scripts/build.sh                                   everything: programs, tests, benchmarks
#   scripts/build.sh --target chat-server chat-client  only these targets (and what they need)
# Other arguments go to cmake's configure step (for example -DCMAKE_BUILD_TYPE=Debug).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${BUILD_DIR:-$root/build}

targets=()
configure_args=()
while [ $# -gt 0 ]; do
    case "$1" in
    --target)
        shift
        while [ $# -gt 0 ] && [ "${1#-}" = "$1" ]; do
            targets+=("$1")
            shift
        done
        ;;
    *)
        configure_args+=("$1")
        shift
        ;;
    esac
done

# NOTICE hides cmake's "-- Found …" chatter; warnings and errors still show.
cmake -S "$root" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE="${BUILD_TYPE:-RelWithDebInfo}" \
    -DCHAT_WERROR=ON --log-level=NOTICE ${configure_args[@]+"${configure_args[@]}"}
# Ninja shows "[n/N] …" as it goes: one line that updates on a terminal, a line per step
# otherwise.
cmake --build "$build" --parallel "$(nproc)" ${targets[@]+--target "${targets[@]}"}
