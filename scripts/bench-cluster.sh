#!/usr/bin/env bash
# The PostgreSQL and cluster figures of docs/performance.md (issue 13), a companion of bench.sh:
# a throw-away PostgreSQL (initdb in a temporary folder, its own port, as the `postgres` user
# when run as root; durable settings: fsync and synchronous_commit on) and nginx with
# deploy/nginx/chat-cluster.conf, chat-server nodes and chat-bench on 127.0.0.1. Prints a table;
# the raw JSON lines go to $BUILD_DIR/bench/cluster.jsonl, the logs to $BUILD_DIR/bench/logs/.
#
#   scripts/bench-cluster.sh                 # every scenario, one round, about 6 minutes
#   scripts/bench-cluster.sh --only p --rounds 2
#   p  one node on PostgreSQL against one node on SQLite (--db FILE): scenario (a) (100 clients,
#      4 publishers, 32 messages each not yet back, 5 s): deliveries/s; then commit latency, from
#      send to the sender's own copy (its acknowledgement, sent after the commit) at 200
#      messages/s; commits and their size and time from the store's debug lines; CPU of the
#      node and of PostgreSQL (both on core 0, as the SQLite node does its store's work there)
#   n  three nodes behind nginx, 1,000 clients through nginx, 10 publishers, 100 messages/s:
#      latency from send on one node to delivery on another (each node's --name in the welcome
#      tells chat-bench where a client landed); CPU of nodes, PostgreSQL, nginx
#   s  the same cluster, a paced sweep of rates: the highest at which p99 stays under 100 ms
#   r  read amplification: two nodes, all 100 clients and 4 publishers (as in (a)) on the first;
#      the second has no clients and only reads what the first commits: its CPU per message
# --no-build skips the build (give BUILD_DIR of a Release build of chat-server and chat-bench).
# BENCH_RATES="50 100 200" sets the sweep's steps (messages/s).
# Everything started is stopped on exit, also on Ctrl-C.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${BUILD_DIR:-$root/build-bench}
rounds=1
only=pnsr
do_build=1
rates=${BENCH_RATES:-"25 50 75 100 150 200 300 400"}
while [ $# -gt 0 ]; do
    case $1 in
    --rounds) rounds=$2; shift ;;
    --only) only=$2; shift ;;
    --no-build) do_build=0 ;;
    -h | --help) sed -n '2,23p' "$0"; exit 0 ;;
    *) echo "bench-cluster.sh: unknown option $1 (see --help)" >&2; exit 2 ;;
    esac
    shift
done

pg_bin=${CHAT_PG_BINDIR:-$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)}
[ -x "$pg_bin/initdb" ] || { echo "bench-cluster.sh: no PostgreSQL (apt-get install postgresql)" >&2; exit 1; }
command -v nginx >/dev/null || [ -x /usr/sbin/nginx ] || { echo "bench-cluster.sh: no nginx (apt-get install nginx-light)" >&2; exit 1; }
nginx_bin=$(command -v nginx || echo /usr/sbin/nginx)
if [ $do_build = 1 ]; then
    cmake -S "$root" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release -DCHAT_WERROR=ON >/dev/null
    cmake --build "$build" --target chat-server chat-bench
fi
server=$build/server/chat-server
bench=$build/bench/chat-bench
out=$build/bench
mkdir -p "$out/logs"
results=$out/cluster.jsonl
: >"$results"
ulimit -n "$(ulimit -Hn)"

# --- what runs, and its clean-up ----------------------------------------------------------------
work=$(mktemp -d "$out/cluster-XXXXXX") # on the disk the SQLite file uses, not a tmpfs
pids=()
pg_port=
cleanup() {
    local pid
    for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
    for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
    [ -n "$pg_port" ] && as_pg "$pg_bin/pg_ctl" --pgdata="$work/pg/data" stop --mode=fast \
        --wait --silent >/dev/null 2>&1 || true
    rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# PostgreSQL refuses root: its tools run as `postgres`, from a folder that user may read.
as_pg() {
    if [ "$(id -u)" = 0 ]; then (cd "$work/pg" && runuser -u postgres -- "$@"); else "$@"; fi
}

free_port() {
    python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}

start_postgres() {
    mkdir -p "$work/pg"
    chmod 711 "$work" "$work/pg"
    [ "$(id -u)" = 0 ] && chown postgres: "$work/pg"
    LC_ALL=C.UTF-8 as_pg "$pg_bin/initdb" --pgdata="$work/pg/data" --username=postgres \
        --auth=trust --encoding=UTF8 --no-instructions >"$out/logs/initdb.log" 2>&1
    pg_port=$(free_port)
    # The defaults that make a commit durable (fsync, synchronous_commit, full_page_writes on).
    as_pg "$pg_bin/pg_ctl" --pgdata="$work/pg/data" start --wait --silent \
        --log="$work/pg/server.log" \
        --options="-p $pg_port -k $work/pg -c listen_addresses=127.0.0.1 -c max_connections=100"
    pg_server_pid=$(head -n 1 "$work/pg/data/postmaster.pid")
}

psql_do() { # SQL [DATABASE]
    "$pg_bin/psql" --host=127.0.0.1 --port="$pg_port" --username=postgres --no-psqlrc \
        --tuples-only --no-align --set=ON_ERROR_STOP=1 --dbname="${2:-postgres}" --command="$1"
}

new_database() { # NAME: a fresh database, its URL on stdout
    psql_do "CREATE DATABASE $1" >/dev/null
    echo "postgresql://postgres@127.0.0.1:$pg_port/$1"
}

# commit_stats LOG LINE: the commits after line LINE of a node's log, from the store's debug
# lines ("committed N messages in T us"), as JSON: how many, their mean size, their time.
commit_stats() {
    tail -n +"$(($2 + 1))" "$1" | sed -n 's/.*committed \([0-9]*\) messages in \([0-9]*\) us.*/\1 \2/p' |
        sort -k2,2n | awk '{ n++; m += $1; t[n] = $2; s += $2 } END {
            if (n == 0) { print "{}"; exit }
            printf "{\"commits\":%d,\"messages_per_commit\":%.1f,\"commit_us_mean\":%.0f,\"commit_us_p50\":%d,\"commit_us_p99\":%d}", n, m / n, s / n, t[int(n * 0.5) + 1], t[int(n * 0.99) + 1] }'
}

# PostgreSQL's server processes (postmaster and its children), comma-separated for --cpu.
pg_pids() { echo "$pg_server_pid" $(pgrep -P "$pg_server_pid" || true) | tr ' ' ,; }

# start_node NAME DB [extra options]: one chat-server; its pid in node_pid, port in node_port.
start_node() {
    local name=$1 db=$2 log
    shift 2
    node_port=$(free_port)
    log=$out/logs/cluster-$name-$node_port.log
    "$@" "$server" --host 127.0.0.1 --port "$node_port" --name "$name" --db "$db" \
        --rate 0 --max-per-ip 0 --max-connections 0 --max-bytes-rate 0 \
        --max-address-bytes-rate 0 --control-socket "$work/$name.control" >"$log" 2>&1 &
    node_pid=$!
    pids+=("$node_pid")
    for _ in $(seq 200); do
        grep -q listening "$log" 2>/dev/null && return 0
        sleep 0.05
    done
    echo "bench-cluster.sh: node $name did not start; see $log" >&2
    return 1
}

stop_pid() {
    kill "$1" 2>/dev/null || true
    wait "$1" 2>/dev/null || true
}

make_tokens() { # CONTROL COUNT FILE: tokens made through a running node
    "$server" --db :memory: --control-socket "$1" token create bench --count "$2" >"$3" \
        2>>"$out/logs/tokens.log"
}

# chat-bench LABEL EXTRA-JSON options...: one run; its line, with EXTRA-JSON merged in, appended.
bench_run() {
    local label=$1 line
    shift
    line=$(timeout 120 "$@" --label "$label" 2>>"$out/logs/chat-bench.log") ||
        line="{\"label\":\"$label\",\"error\":\"chat-bench failed\"}"
    echo "$line" >>"$results"
}

# Appends fields to the last JSON line.
annotate() {
    python3 -c 'import json,sys
lines = open(sys.argv[1]).read().splitlines()
last = json.loads(lines[-1]); last.update(json.loads(sys.argv[2])); last["round"] = int(sys.argv[3])
lines[-1] = json.dumps(last)
open(sys.argv[1], "w").write("\n".join(lines) + "\n")' "$results" "$1" "${round:-1}"
    tail -n 1 "$results" | cut -c 1-300 >&2
}

# --- p: one node, PostgreSQL against SQLite -----------------------------------------------------
single_node() { # KIND ROUND
    local kind=$1 round=$2 db tokens=$work/tokens.txt log
    if [ "$kind" = postgres ]; then
        db=$(new_database "single_${round}_$RANDOM")
    else
        db=$work/single-$round.sqlite
    fi
    # The store's debug lines say each commit's size and time ("committed N messages in T us").
    QT_LOGGING_RULES="chat.server.store.debug=true" start_node "$kind" "$db" taskset -c 0
    log=$out/logs/cluster-$kind-$node_port.log
    [ "$kind" = postgres ] && for pid in $(pg_pids | tr , ' '); do taskset -pc 0 "$pid" >/dev/null; done
    make_tokens "$work/$kind.control" 101 "$tokens"
    local scenario
    for scenario in a commit; do
        local args=(--clients 100 --publishers 4 --duration 5)
        [ $scenario = commit ] && args=(--clients 100 --publishers 4 --rate 200 --duration 5)
        local mark cpu=()
        mark=$(wc -l <"$log")
        [ "$kind" = postgres ] && cpu=(--cpu "postgres:$(pg_pids)")
        bench_run "p-$scenario/$kind" taskset -c 1 "$bench" --port "$node_port" \
            --server-pid "$node_pid" --tokens "$tokens" "${cpu[@]}" "${args[@]}"
        annotate "$(python3 -c 'import json,sys
d = json.loads(sys.argv[1]); d["store"] = sys.argv[2]; print(json.dumps(d))' \
            "$(commit_stats "$log" "$mark")" "$kind")"
    done
    # Later backends (the cluster's) run on every core again.
    [ "$kind" = postgres ] && for pid in $(pg_pids | tr , ' '); do taskset -pc "0-$(($(nproc) - 1))" "$pid" >/dev/null; done
    stop_pid "$node_pid"
}

# --- n and s: three nodes behind nginx ----------------------------------------------------------
start_nginx() { # PORTS...
    local dir=$work/nginx servers="" port kind temps=""
    mkdir -p "$dir"
    for port in "$@"; do servers+="    server 127.0.0.1:$port max_fails=1 fail_timeout=5s;\n"; done
    nginx_port=$(free_port)
    # The committed file with our upstream servers and listen line, as tests/support/nginxserver.
    awk -v servers="$servers" -v listen="$nginx_port" '
        /^upstream chat_nodes/ { print; printf "%s", servers; skip = 1; next }
        skip && /^ *server / { next }
        skip && /^}/ { skip = 0 }
        /^ *listen / { sub(/listen [^;]*;/, "listen 127.0.0.1:" listen ";") }
        { print }' "$root/deploy/nginx/chat-cluster.conf" | sed 's/\\n/\n/g' >"$dir/chat-cluster.conf"
    for kind in client_body proxy fastcgi uwsgi scgi; do temps+="    ${kind}_temp_path $dir/$kind;"$'\n'; done
    printf 'worker_processes 1;\nevents { worker_connections 8192; }\nhttp {\n    access_log off;\n%s    include %s;\n}\n' \
        "$temps" "$dir/chat-cluster.conf" >"$dir/nginx.conf"
    "$nginx_bin" -p "$dir" -e "$dir/error.log" -c "$dir/nginx.conf" \
        -g "daemon off; pid $dir/nginx.pid; worker_rlimit_nofile 20000;" >"$out/logs/nginx.log" 2>&1 &
    nginx_pid=$!
    pids+=("$nginx_pid")
    for _ in $(seq 100); do
        (exec 3<>"/dev/tcp/127.0.0.1/$nginx_port") 2>/dev/null && return 0
        sleep 0.05
    done
    echo "bench-cluster.sh: nginx did not start; see $dir/error.log" >&2
    return 1
}

cluster() { # ROUND
    local round=$1 db ports=() node_pids=() logs=() name tokens=$work/tokens.txt
    db=$(new_database "cluster_${round}_$RANDOM")
    for name in node1 node2 node3; do
        QT_LOGGING_RULES="chat.server.store.debug=true" start_node "$name" "$db"
        ports+=("$node_port")
        node_pids+=("$node_pid")
        logs+=("$out/logs/cluster-$name-$node_port.log")
    done
    start_nginx "${ports[@]}"
    make_tokens "$work/node1.control" 1000 "$tokens"
    local rate label marks commits nginx_pids
    local plan=()
    case $only in *n*) plan+=(n:100) ;; esac
    case $only in *s*) for rate in $rates; do plan+=("s:$rate"); done ;; esac
    for step in "${plan[@]}"; do
        rate=${step#*:}
        label=${step%%:*}-$rate
        marks=()
        for name in "${logs[@]}"; do marks+=("$(wc -l <"$name")"); done
        nginx_pids=$(echo "$nginx_pid" $(pgrep -P "$nginx_pid" || true) | tr ' ' ,)
        bench_run "$label" "$bench" --port "$nginx_port" --by-node --tokens "$tokens" \
            --clients 1000 --publishers 10 --rate "$rate" --duration 5 --connect-inflight 100 \
            --cpu "nodes:$(IFS=,; echo "${node_pids[*]}")" --cpu "nginx:$nginx_pids" \
            --cpu "postgres:$(pg_pids)"
        commits=()
        for i in 0 1 2; do commits+=("$(commit_stats "${logs[$i]}" "${marks[$i]}")"); done
        annotate "$(python3 -c 'import json,sys
print(json.dumps({"node_commits": [json.loads(x) for x in sys.argv[1:]]}))' "${commits[@]}")"
        # The sweep stops one step after p99 passed 100 ms (or messages were lost).
        if [ "${step%%:*}" = s ] && tail -n 1 "$results" | python3 -c 'import json,sys
r = json.loads(sys.stdin.read()); sys.exit(0 if "error" in r or r["latency_p99_ms"] > 100 or r["lost"] > 0 else 1)'; then
            [ "${over:-0}" = 1 ] && break
            over=1
        fi
    done
    over=0
    stop_pid "$nginx_pid"
    for name in "${node_pids[@]}"; do stop_pid "$name"; done
}

# --- r: what reading every committed row costs a node that delivers none of them ---------------
reader() { # ROUND
    local db writer reader tokens=$work/tokens.txt
    db=$(new_database "reader_${1}_$RANDOM")
    QT_LOGGING_RULES="chat.server.store.debug=true" start_node writer "$db"
    writer=$node_pid
    local port=$node_port
    start_node reader "$db"
    reader=$node_pid
    make_tokens "$work/writer.control" 101 "$tokens"
    bench_run "r-a" "$bench" --port "$port" --server-pid "$writer" --tokens "$tokens" \
        --clients 100 --publishers 4 --duration 5 --cpu "writer:$writer" --cpu "reader:$reader" \
        --cpu "postgres:$(pg_pids)"
    annotate '{}'
    stop_pid "$reader"
    stop_pid "$writer"
}

load_before=$(cut -d' ' -f1 /proc/loadavg)
start_postgres
for round in $(seq "$rounds"); do
    echo "--- round $round of $rounds" >&2
    case $only in *p*)
        single_node postgres "$round"
        single_node sqlite "$round"
        ;;
    esac
    case $only in *n* | *s*) cluster "$round" ;; esac
    case $only in *r*) reader "$round" ;; esac
done
load_after=$(cut -d' ' -f1 /proc/loadavg)
echo "bench-cluster.sh: load average $load_before before, $load_after after; $(nproc) cores; raw lines in $results" >&2
python3 "$root/bench/cluster-table.py" "$results"
