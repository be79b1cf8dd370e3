// Node's ws as an independent server for Wirefly's client (NodeWsIT): it echoes every message and prints
// "PORT n" once it listens, then "OFFER ..." for each connection.
// Usage: node node_server.js MODE
//   deflate-keep-context: permessage-deflate on, and an offer that asks for server_no_context_takeover is declined,
//                         as Netty's default server handshaker does.
'use strict';
const { WebSocketServer } = require('ws');

const mode = process.argv[2] || 'plain';
const perMessageDeflate = mode === 'deflate-keep-context' ? { serverNoContextTakeover: false, threshold: 0 } : false;
const wss = new WebSocketServer({ host: '127.0.0.1', port: 0, perMessageDeflate }, () => {
  console.log('PORT ' + wss.address().port);
});
wss.on('connection', (ws, request) => {
  console.log('OFFER ' + (request.headers['sec-websocket-extensions'] || ''));
  ws.on('message', (data, isBinary) => ws.send(data, { binary: isBinary }));
});
