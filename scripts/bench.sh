#!/usr/bin/env bash
# Measures chat-server against the two servers a user would run instead, a Node.js `ws`
# broadcast server and a bare QWebSocketServer relay (bench/peers/), with bench/chatbench's
# load generator on 127.0.0.1; writes the table in docs/performance.md and docs/performance.png.
#
#   scripts/bench.sh            # the full run, about 10 minutes
#   scripts/bench.sh --quick    # one round, smaller counts: a couple of minutes
#   scripts/bench.sh --only ab  # only some scenarios (a to j, see docs/performance.md)
# and the login measurements (issue 10; their lines go to logins.jsonl, not into the report):
#   g  server CPU per token hello: N connections each a hello with a token, then a close,
#      against N without a hello; also how long `token create --count N` takes
#   h  password logins a second, with --hash-workers 1 and with one worker per core
# and the rooms measurements (issue 11; into the report with a-f):
#   i  a join storm: 20,000 connections (or as many as the open-file limit allows) log in at
#      once, all in the lobby: the time until every welcome came, then until one message reached
#      everyone; against Node `ws` accepting the same number of bare upgrades
#   j  100 rooms of 100: each client joins (or creates) room rN%100 after its welcome, 100
#      publishers (4 per room, as in (a)) send as fast as they may, each message counts for its
#      room's members only
# The protocol admits accounts only: before each run against chat-server, bench.sh makes
# a token per client through the server's control socket (`chat-server token create bench
# --count N`) and gives chat-bench the file (--tokens).
# BENCH_DOCS=DIR writes performance.md and performance.png there instead of docs/ (trial runs).
# Several nodes on PostgreSQL behind nginx (issue 13) are measured by scripts/bench-cluster.sh.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${BUILD_DIR:-$root/build-bench}
docs=${BENCH_DOCS:-$root/docs}
quick=0
rounds=2
only=abcdefghij
while [ $# -gt 0 ]; do
    case $1 in
    --quick) quick=1; rounds=1 ;;
    --rounds) rounds=$2; shift ;;
    --only) only=$2; shift ;;
    -h | --help) sed -n '2,24p' "$0"; exit 0 ;;
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
logins=$out/logins.jsonl
: >"$results"
: >"$logins"
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

# (e) resumes: a version-3 welcome carries at most 1,000 missed messages (more reload the rooms).
if [ $quick = 1 ]; then
    dur_a=2 dur_b=4 idle=2000 many=$((many < 5000 ? many : 5000)) resume=500
    token_logins=2000 password_logins=100 rooms=20 room_size=50 dur_j=4
else
    dur_a=5 dur_b=10 idle=5000 resume=1000
    token_logins=10000 password_logins=400 rooms=100 room_size=100 dur_j=10
fi
storm=$many
# "All" hash workers: one per core, at most 4 (the server's own default for --hash-workers 0).
all_workers=$(($(nproc) < 4 ? $(nproc) : 4))
bench_password=bench-password-1

port=18100
peer_pid=
server_args=()
control=
pin=1 # 0: the server runs on every core (password hashing on several workers)

# Starts one server; waits (at most 10 s) for its "listening" line.
start_peer() {
    local kind=$1 log
    port=$((port + 1))
    log=$out/logs/$kind-$port.log
    control=$out/control-$port
    local pinned=("${server_pin[@]}")
    [ $pin = 1 ] || pinned=()
    case $kind in
    ours | durable)
        # The control socket is how the admin commands reach a server on :memory:.
        "${pinned[@]}" "$build/server/chat-server" --host 127.0.0.1 --port "$port" \
            --rate 0 --max-per-ip 0 --max-connections 0 --max-bytes-rate 0 \
            --max-address-bytes-rate 0 --control-socket "$control" "${server_args[@]}" \
            >"$log" 2>&1 &
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
    rm -f "$control"
}
trap stop_peer EXIT

# admin ARGS...: an admin command on the running server, through its control socket (with
# --db :memory: it never falls back to opening a database file).
admin() {
    "$build/server/chat-server" --db :memory: --control-socket "$control" "$@"
}

# make_tokens COUNT FILE LABEL: accounts bench1..benchCOUNT with a token each, made by the running
# server, one "NAME TOKEN" line each in FILE; how long that took goes to stderr and logins.jsonl.
make_tokens() {
    local count=$1 file=$2 label=$3 t0 t1 seconds
    t0=$(date +%s.%N)
    if ! admin token create bench --count "$count" >"$file" 2>>"$out/logs/tokens.log"; then
        echo "bench.sh: token create failed; see $out/logs/tokens.log" >&2
        return 1
    fi
    t1=$(date +%s.%N)
    seconds=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.3f", b - a }')
    echo "bench.sh: $count tokens made in $seconds s ($label)" >&2
    echo "{\"label\":\"tokens/$label\",\"count\":$count,\"seconds\":$seconds}" >>"$logins"
}

# value_of OPTION ARGS...: the value after OPTION in ARGS, or nothing.
value_of() {
    local option=$1
    shift
    while [ $# -gt 1 ]; do
        [ "$1" = "$option" ] && { echo "$2"; return; }
        shift
    done
}

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
    case $kind in
    ours | durable)
        # One account and token per client, and one more for (e)'s resuming client.
        local clients tokens=$out/tokens-$port.txt
        clients=$(value_of --clients "$@")
        make_tokens $((${clients:-100} + 1)) "$tokens" "$scenario/$kind" || { stop_peer; return 0; }
        mode=(--tokens "$tokens")
        ;;
    esac
    if ! timeout 400 "${bench_pin[@]}" "$build/bench/chat-bench" --port "$port" \
        --server-pid "$peer_pid" "${mode[@]}" --label "$scenario/$kind" "$@" \
        >>"$results" 2>>"$out/logs/chat-bench.log"; then
        echo "{\"label\":\"$scenario/$kind\",\"error\":\"chat-bench failed\"}" >>"$results"
    fi
    tail -n 1 "$results" >&2
    stop_peer
    rm -f "$out"/durable-*.sqlite* "$out"/tokens-*.txt
}

# login LABEL chat-bench-options...: one --logins measurement against the running server, its
# JSON line into logins.jsonl.
login() {
    local label=$1
    shift
    local pinned=("${bench_pin[@]}")
    [ $pin = 1 ] || pinned=()
    echo "== $label" >&2
    if ! timeout 400 "${pinned[@]}" "$build/bench/chat-bench" --port "$port" \
        --server-pid "$peer_pid" --label "$label" "$@" >>"$logins" 2>>"$out/logs/chat-bench.log"; then
        echo "{\"label\":\"$label\",\"error\":\"chat-bench failed\"}" >>"$logins"
    fi
    tail -n 1 "$logins" >&2
}

# (g) What a token hello costs the server: the same number of connections with and without one.
token_logins() {
    server_args=(--db :memory:)
    start_peer ours || return 0
    local tokens=$out/tokens-$port.txt
    make_tokens "$token_logins" "$tokens" g/ours || { stop_peer; return 0; }
    login g/connect --logins "$token_logins" --connect-inflight 50
    login g/token --logins "$token_logins" --tokens "$tokens" --connect-inflight 50
    stop_peer
    rm -f "$tokens"
}

# (h) Password logins a second: Argon2id at the server's own strength on 1 worker and on all.
password_logins() {
    local workers
    pin=0 # the workers need the cores
    for workers in 1 "$all_workers"; do
        server_args=(--db :memory: --hash-workers "$workers")
        start_peer ours || continue
        if printf '%s\n' "$bench_password" |
            admin user add benchpw --password-stdin >>"$out/logs/tokens.log" 2>&1; then
            login "h/workers-$workers" --logins "$password_logins" --login benchpw \
                --password "$bench_password" --connect-inflight $((4 * workers))
        else
            echo "bench.sh: user add failed; see $out/logs/tokens.log" >&2
        fi
        stop_peer
    done
    pin=1
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
# (i) The join storm, against Node accepting as many bare upgrades.
for kind in ours node; do
    case $only in *i*) run i "$kind" --clients "$storm" --join-storm --setup-timeout 300 \
        --drain 60 --settle 0 ;; esac
done
# (j) Rooms: (a) in each of them, 4 publishers a room as fast as they may (32 messages at most
# not yet back each).
case $only in *j*) run j ours --clients $((rooms * room_size)) --rooms "$rooms" \
    --publishers $((4 * rooms)) --duration "$dur_j" --connect-inflight 100 \
    --setup-timeout 300 --drain 15 ;; esac
case $only in *e*) run e ours --clients 2 --publishers 1 --window 64 --messages "$resume" \
    --duration 60 --resume "$resume" ;; esac
case $only in *g*) token_logins ;; esac
case $only in *h*) password_logins ;; esac
load_after=$(cut -d' ' -f1 /proc/loadavg)

# --- the report --------------------------------------------------------------------------------
if [ -s "$logins" ]; then
    node -e '
const lines = require("fs").readFileSync(process.argv[1], "utf8").trim().split("\n").map(JSON.parse);
const get = (label) => lines.find((l) => l.label === label);
for (const l of lines.filter((l) => l.label.startsWith("tokens/")))
    console.log(`tokens: ${l.count} made in ${l.seconds} s (${l.label.slice(7)}), ${(l.seconds * 1e6 / l.count).toFixed(0)} µs each`);
const connect = get("g/connect"), token = get("g/token");
if (connect && token && !token.error && !connect.error)
    console.log(`token login: ${token.server_cpu_us_per_login.toFixed(0)} µs of server CPU each ` +
        `(${connect.server_cpu_us_per_login.toFixed(0)} µs for a connection without a hello: ` +
        `the hello ${(token.server_cpu_us_per_login - connect.server_cpu_us_per_login).toFixed(0)} µs), ` +
        `${token.logins_per_s.toFixed(0)} logins/s, ${token.failed} failed`);
for (const l of lines.filter((l) => l.label.startsWith("h/")))
    console.log(l.error ? `${l.label}: ${l.error}` : `password logins, ${l.label.slice(2).replace("-", " ")}: ` +
        `${l.logins_per_s.toFixed(1)} logins/s, ${l.server_cpu_us_per_login.toFixed(0)} µs of server CPU each, ` +
        `p50 ${l.latency_p50_ms.toFixed(0)} ms, ${l.failed} failed`);
' "$logins" >&2
fi
if [ ! -s "$results" ]; then
    echo "bench.sh: no scenario a-f, i or j ran: no report written (login results: $logins)"
    exit 0
fi
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
