#!/usr/bin/env bash
# Takes docs/screenshot-two-clients.png: a server and two chat windows under Xvfb, typed into
# with xdotool like a person would. Needs: apt-get install xvfb xdotool x11-apps imagemagick
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${BUILD_DIR:-$root/build}
out=${1:-$root/docs/screenshot-two-clients.png}
display=:97
port=8097

Xvfb $display -screen 0 1560x560x24 -nolisten tcp &
xvfb=$!
export DISPLAY=$display
export XDG_CONFIG_HOME=$(mktemp -d) # leave the user's settings alone
export XDG_DATA_HOME=$(mktemp -d)   # ... and the tokens it keeps
control=$(mktemp -u)
pids=()
trap 'kill "${pids[@]}" $xvfb 2>/dev/null || true' EXIT
sleep 1

"$build/server/chat-server" --host 127.0.0.1 --port $port --name demo --db :memory: \
    --control-socket "$control" > /dev/null &
pids+=($!)
sleep 0.5

start_client() { # nick x; sets $win
    made=$("$build/server/chat-server" --db :memory: --control-socket "$control" token create "$1")
    printf '%s\n' "${made##* }" | "$build/client/app/chat-client" --url "ws://127.0.0.1:$port/" \
        --account "$1" --token-store file --token-stdin &
    pids+=($!)
    win=""
    for _ in $(seq 50); do
        win=$(xdotool search --sync --onlyvisible --name "Chat — $1" 2>/dev/null | head -1) && break
        sleep 0.2
    done
    xdotool windowmove "$win" "$2" 0
    xdotool windowsize "$win" 760 560
}

say() { # window text
    xdotool windowfocus --sync "$1"
    xdotool type --delay 5 "$2"
    xdotool key Return
    sleep 0.6
}

start_client alice 0
alice=$win
start_client bob 790
bob=$win
sleep 1
say "$alice" "Hi Bob! The server restarted a minute ago, did you lose anything?"
say "$bob" "Nothing: my window reconnected by itself and caught up."
say "$alice" "Great. Markup stays text: <b>not bold</b>"
say "$bob" "你好! Unicode works too 👋"
# A third participant that is not a Qt window, e.g. a browser: gets the port as its argument.
if [ -n "${SCREENSHOT_GUEST:-}" ]; then
    $SCREENSHOT_GUEST $port
fi
sleep 1
import -window root "$out"
echo "wrote $out"
