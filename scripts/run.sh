#!/usr/bin/env bash
# Installs what is missing, builds the two programs, starts a server on port 8080 (or $PORT) and
# opens a client window connected to it. Closing the window stops the server.
#   PORT=8081        another port
#   DB=PATH          the server's history database (default: ~/.local/share/chat-server/
#                    history.sqlite; :memory: keeps nothing), e.g. for a second server
#   CHAT_NICK=NAME   the account (default: $USER), made on this server without a password the
#                    first time; the window logs in with a token (docs/security.md)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
port=${PORT:-8080}
build=${BUILD_DIR:-$root/build}
"$root/scripts/install-deps.sh"
echo "Building chat-server and chat-client in $build (the first time takes a few minutes)..."
"$root/scripts/build.sh" --target chat-server chat-client

if [ -z "${DISPLAY:-}" ] && [ -z "${WAYLAND_DISPLAY:-}" ]; then
    echo "No display: run this from a desktop session (or under xvfb-run)." >&2
    exit 1
fi

tmp=$(mktemp -d)
# The admin commands below reach the running server through this socket.
server_args=(--port "$port" --control-socket "$tmp/control")
[ -n "${DB:-}" ] && server_args+=(--db "$DB")
mkfifo "$tmp/server-out"
# Its stderr goes straight to ours: if it cannot start, it says why there.
"$build/server/chat-server" "${server_args[@]}" >"$tmp/server-out" &
server=$!
trap 'kill "$server" 2>/dev/null || true; wait "$server" 2>/dev/null || true; rm -rf "$tmp"' EXIT
exec {out}<"$tmp/server-out"
# The server prints its "listening on" line once it listens, and the addresses to open with it
# in the same write.
if ! IFS= read -r line <&"$out"; then
    status=0
    wait "$server" || status=$?
    case $status in
    1) hint="it cannot listen on port $port (see above). Is a server already running there?
Close that one's window, or start this one on another port: PORT=8081 DB=:memory: $0" ;;
    3) hint="it cannot use its history database (see above). If another chat-server has it
open, close that one, or give this one its own: PORT=8081 DB=:memory: $0 (keeps no
history), or DB=/path/to/other.sqlite" ;;
    *) hint="it exited with status $status (see its message above)" ;;
    esac
    echo "run.sh: chat-server did not start: $hint" >&2
    exit 1
fi
echo "$line"
while read -r -t 0 <&"$out" && IFS= read -r line <&"$out"; do
    echo "$line"
done

nick=${CHAT_NICK:-${USER:-guest}}
# A token for this account on this machine: made (with the account, the first time) by the
# running server; the window keeps it unless it already has one for this server and account.
if ! made=$("$build/server/chat-server" --control-socket "$tmp/control" token create "$nick" \
    --device "run.sh · $(hostname)"); then
    echo "run.sh: cannot make a login for \"$nick\" (see above); set CHAT_NICK=another-name" >&2
    exit 1
fi
echo "Opening a chat window as $nick; closing it stops the server."
printf '%s\n' "${made##* }" | "$build/client/app/chat-client" --url "ws://localhost:$port/" \
    --account "$nick" --token-stdin
