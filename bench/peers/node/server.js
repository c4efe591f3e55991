// The Node.js baseline for scripts/bench.sh: the broadcast server from the `ws` package's
// README, listening on 127.0.0.1 only. Like chat-server, the sender gets its own message too.
'use strict';
const { WebSocketServer, WebSocket } = require('ws');

const port = Number(process.argv[2] || 8090);
const wss = new WebSocketServer({ host: '127.0.0.1', port });

wss.on('connection', (ws) => {
  ws.on('error', () => {});
  ws.on('message', (data, isBinary) => {
    wss.clients.forEach((client) => {
      if (client.readyState === WebSocket.OPEN) client.send(data, { binary: isBinary });
    });
  });
});
wss.on('listening', () => console.log(`listening on port ${wss.address().port}`));
