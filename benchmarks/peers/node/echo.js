// The load test's Node peer: ws (from npm, pinned by package-lock.json), echo on / and one topic on /broadcast,
// speaking the same control protocol as the Java servers (io.wirefly.bench.servers.ServerControl): READY on stdout,
// then "gc" (answered "HEAP <used> <total>", V8's heap; run with --expose-gc) and "stop" on stdin.
//
//   npm ci --prefix benchmarks/peers/node && node --expose-gc benchmarks/peers/node/echo.js 9000
'use strict';
const http = require('http');
const readline = require('readline');
const { WebSocketServer } = require('ws');

const port = Number(process.argv[2]);
const maxPayload = 2 << 20;
// permessage-deflate when a client offers it (the deflate scenario); messages under 128 bytes go uncompressed
const echo = new WebSocketServer({ noServer: true, perMessageDeflate: { threshold: 128 }, maxPayload });
const broadcast = new WebSocketServer({ noServer: true, perMessageDeflate: false, maxPayload, clientTracking: true });

echo.on('connection', (ws) => {
  ws.on('message', (data, isBinary) => ws.send(data, { binary: isBinary }));
});
broadcast.on('connection', (ws) => {
  ws.on('message', (data, isBinary) => {
    for (const other of broadcast.clients) {
      other.send(data, { binary: isBinary });
    }
  });
});

const server = http.createServer((req, res) => {
  res.writeHead(426);
  res.end();
});
server.on('upgrade', (req, socket, head) => {
  const target = req.url === '/broadcast' ? broadcast : echo;
  target.handleUpgrade(req, socket, head, (ws) => target.emit('connection', ws, req));
});
server.listen(port, '127.0.0.1', () => {
  process.stdout.write(`READY node-ws ${port}\n`);
});

readline.createInterface({ input: process.stdin }).on('line', (line) => {
  const command = line.trim();
  if (command === 'gc') {
    if (global.gc) {
      global.gc();
    }
    const m = process.memoryUsage();
    process.stdout.write(`HEAP ${m.heapUsed} ${m.heapTotal}\n`);
  } else if (command === 'stop') {
    process.exit(0);
  }
}).on('close', () => process.exit(0));
