// Node's `ws` as an independent client of a Wirefly echo server.
// Usage: node node_client.js URL deflate|plain [CA.pem]   (for wss://, CA.pem is the only certificate trusted)
'use strict';
const fs = require('fs');
const WebSocket = require('ws');

const [url, mode, ca] = process.argv.slice(2);
const deflate = mode === 'deflate';
const options = { perMessageDeflate: deflate };
if (ca) options.ca = fs.readFileSync(ca);
const ws = new WebSocket(url, options);
const checks = [];
const expect = [];
let failures = 0;

function check(name, ok) {
  console.log((ok ? 'ok   ' : 'FAIL ') + name);
  if (!ok) failures++;
}

const big = 'node ws '.repeat(100000);
const blob = Buffer.alloc(200000, 7);
ws.on('open', () => {
  if (url.startsWith('wss:')) {
    const tls = ws._socket;
    check('TLS ' + tls.getProtocol() + ' with ' + tls.getCipher().name + ', certificate verified', tls.authorized);
  }
  check('negotiated permessage-deflate = ' + deflate, (ws.extensions.includes('permessage-deflate')) === deflate);
  expect.push(['text echo', 'hello from node'], ['800 kB text echo', big], ['binary echo', blob]);
  ws.send('hello from node');
  ws.send(big);
  ws.send(blob);
});
ws.on('message', (data, isBinary) => {
  const [name, want] = expect.shift();
  check(name, isBinary ? Buffer.compare(data, want) === 0 : data.toString() === want);
  if (expect.length === 0) ws.close(4321, 'node says bye');
});
ws.on('close', (code) => {
  check('close code echoed', code === 4321);
  console.log(failures ? 'FAILED' : 'ALL OK');
  process.exit(failures ? 1 : 0);
});
ws.on('error', (e) => { console.log('FAIL error ' + e.message); process.exit(1); });
setTimeout(() => { console.log('FAIL timeout'); process.exit(1); }, 30000);
