#!/usr/bin/env bash
# Measures chat-server against the two servers a user would run instead, a Node.js `ws`
# broadcast server and a bare QWebSocketServer relay (bench/peers/), with bench/chatbench's
# load generator on 127.0.0.1; writes the table in docs/performance.md and docs/performance.png.
#
#   scripts/bench.sh            # the full run, about 10 minutes
#   scripts/bench.sh --quick    # one round, smaller counts: a couple of minutes
#   scripts/bench.sh --only ab  # only some scenarios (a to f, see docs/performance.md)
# BENCH_DOCS=DIR writes performance.md and performance.png there instead of docs/ (trial runs).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${BUILD_DIR:-$root/build-bench}
docs=${BENCH_DOCS:-$root/docs}
quick=0
rounds=2
only=abcdef
while [ $# -gt 0 ]; do
    case $1 in
    --quick) quick=1; rounds=1 ;;
    --rounds) rounds=$2; shift ;;
    --only) only=$2; shift ;;
    -h | --help) sed -n '2,10p' "$0"; exit 0 ;;
    *) echo "bench.sh: unknown option $1 (see --help)" >&2; exit 2 ;;
    esac
    shift
done

# --- tools, build, peers -----------------------------------------------------------------------
extra=(gnuplot-nox)
command -v node >/dev/null && command -v npm >/dev/null || extra+=(nodejs npm)
"$root/scripts/install-deps.sh" "${extra[@]}"
cmake -S "$root" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release -DCHAT_WERROR=ON >/dev/null
cmake --build "$build" --target chat-server chat-bench bench-qt-relay
(cd "$root/bench/peers/node" && npm ci --no-audit --no-fund --loglevel=error)

ulimit -n "$(ulimit -Hn)"
fd_limit=$(ulimit -n)
# 20,000 connections need as many descriptors in the server and in the generator.
many=$((fd_limit - 100 < 20000 ? fd_limit - 100 : 20000))

out=$build/bench
mkdir -p "$out/logs"
results=$out/results.jsonl
: >"$results"
cd "$out"

# The server and the load generator each get a core of their own when there are two.
if [ "$(nproc)" -ge 2 ]; then
    server_pin=(taskset -c 0)
    bench_pin=(taskset -c 1)
    pinning="Server on core 0, load generator on core 1 (taskset)."
else
    server_pin=()
    bench_pin=()
    pinning="One core: server and load generator share it."
fi

if [ $quick = 1 ]; then
    dur_a=2 dur_b=4 idle=2000 many=$((many < 5000 ? many : 5000)) resume=2000
else
    dur_a=5 dur_b=10 idle=5000 resume=10000
fi

port=18100
peer_pid=
server_args=()

# Starts one server; waits (at most 10 s) for its "listening" line.
start_peer() {
    local kind=$1 log
    port=$((port + 1))
    log=$out/logs/$kind-$port.log
    case $kind in
    ours | durable)
        "${server_pin[@]}" "$build/server/chat-server" --host 127.0.0.1 --port "$port" \
            --rate 0 --max-per-ip 0 --max-connections 0 --max-bytes-rate 0 \
            --max-address-bytes-rate 0 "${server_args[@]}" >"$log" 2>&1 &
        ;;
    relay) "${server_pin[@]}" "$build/bench/peers/qtrelay/bench-qt-relay" --port "$port" >"$log" 2>&1 & ;;
    node) "${server_pin[@]}" node "$root/bench/peers/node/server.js" "$port" >"$log" 2>&1 & ;;
    esac
    peer_pid=$!
    for _ in $(seq 100); do
        grep -q listening "$log" 2>/dev/null && return 0
        sleep 0.1
    done
    echo "bench.sh: $kind did not start; see $log" >&2
    return 1
}

stop_peer() {
    kill "$peer_pid" 2>/dev/null || true
    wait "$peer_pid" 2>/dev/null || true
}
trap stop_peer EXIT

# run SCENARIO KIND chat-bench-options...: one server, one measurement, one JSON line.
run() {
    local scenario=$1 kind=$2
    shift 2
    local mode=()
    case $kind in relay | node) mode=(--raw) ;; esac
    server_args=(--db :memory:)
    [ "$kind" = durable ] && server_args=(--db "$out/durable-$port.sqlite")
    # (e) measures a long resume, which an operator must allow: by default a welcome carries at
    # most 256 KiB and a longer gap reloads.
    [ "$scenario" = e ] && server_args+=(--history "$resume" --max-welcome-bytes 0 \
        --max-outbox-bytes 67108864)
    start_peer "$kind" || return 0
    echo "== $scenario/$kind" >&2
    if ! timeout 400 "${bench_pin[@]}" "$build/bench/chat-bench" --port "$port" \
        --server-pid "$peer_pid" "${mode[@]}" --label "$scenario/$kind" "$@" \
        >>"$results" 2>>"$out/logs/chat-bench.log"; then
        echo "{\"label\":\"$scenario/$kind\",\"error\":\"chat-bench failed\"}" >>"$results"
    fi
    tail -n 1 "$results" >&2
    stop_peer
    rm -f "$out"/durable-*.sqlite*
}

load_before=$(cut -d' ' -f1 /proc/loadavg)
[ "${load_before%.*}" -ge 1 ] && echo "bench.sh: load average $load_before: figures will be disturbed" >&2

for round in $(seq "$rounds"); do
    echo "--- round $round of $rounds" >&2
    for kind in ours relay node durable; do
        case $only in *a* | *f*) ;; *) break ;; esac
        [ "$kind" = durable ] && case $only in *f*) ;; *) continue ;; esac
        run a "$kind" --clients 100 --publishers 4 --duration "$dur_a"
    done
    for kind in ours relay node; do
        case $only in *b*) run b "$kind" --clients 1000 --publishers 10 --rate 20 --duration "$dur_b" ;; esac
    done
    for kind in ours relay node; do
        case $only in *c*) run c "$kind" --clients "$idle" --publishers 0 --settle 2 ;; esac
    done
done
# The long ones once.
for kind in ours relay node; do
    case $only in *d*) run d "$kind" --clients "$many" --publishers 1 --rate 1 --duration 5 \
        --setup-timeout 120 --settle 10 --drain 15 ;; esac
done
case $only in *e*) run e ours --clients 2 --publishers 1 --window 64 --messages "$resume" \
    --duration 60 --resume "$resume" ;; esac
load_after=$(cut -d' ' -f1 /proc/loadavg)

# --- the report --------------------------------------------------------------------------------
qt_version=$(qmake6 -query QT_VERSION 2>/dev/null || dpkg-query -W -f='${Version}' libqt6core6 2>/dev/null || echo "?")
BENCH_DATE=$(date -u +%Y-%m-%d) \
BENCH_CPU=$(lscpu | sed -n 's/^Model name: *//p' | head -n 1) \
BENCH_CORES=$(nproc) \
BENCH_QT=$qt_version \
BENCH_KERNEL=$(uname -r) \
BENCH_NODE=$(node --version) \
BENCH_WS=$(node -p "require('$root/bench/peers/node/node_modules/ws/package.json').version") \
BENCH_ROUNDS=$rounds BENCH_QUICK=$quick BENCH_PINNING=$pinning \
BENCH_LOAD_BEFORE=$load_before BENCH_LOAD_AFTER=$load_after \
BENCH_PNG=$docs/performance.png \
    node "$root/bench/report.js" "$results" "$docs/performance.md" "$out"
gnuplot "$out/plot.gp"
echo "bench.sh: wrote $docs/performance.md and $docs/performance.png (raw results: $results)"
