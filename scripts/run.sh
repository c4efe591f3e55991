#!/usr/bin/env bash
# Installs what is missing, builds, starts a server on port 8080 (or $PORT) and opens a client
# window connected to it. Closing the window stops the server.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
port=${PORT:-8080}
"$root/scripts/install-deps.sh"
"$root/scripts/build.sh" >/dev/null
build=${BUILD_DIR:-$root/build}

if [ -z "${DISPLAY:-}" ] && [ -z "${WAYLAND_DISPLAY:-}" ]; then
    echo "No display: run this from a desktop session (or under xvfb-run)." >&2
    exit 1
fi

coproc SERVER { exec "$build/server/chat-server" --port "$port"; }
server=$SERVER_PID
trap 'kill "$server" 2>/dev/null || true; wait "$server" 2>/dev/null || true' EXIT
# The server prints one line once it listens; without it, it has said why on stderr.
if ! read -r line <&"${SERVER[0]}"; then
    echo "chat-server did not start (is port $port in use? try PORT=8081 $0)" >&2
    exit 1
fi
echo "$line"

"$build/client/app/chat-client" --url "ws://localhost:$port/" --nick "${CHAT_NICK:-${USER:-guest}}"
