// The least a Node reverse proxy can do, for the gateway benchmark's "node floor" row: the
// HTTP server of node:http, one undici Pool to the upstream (keep-alive), the client's headers
// passed on, the answer streamed back. No checks, no signing, no security headers: what
// any proxy written in Node costs on this machine, against which the gateway's own work shows.
// Usage: UPSTREAM=<origin> node bench/lib/node-floor-proxy.cjs; prints "node floor proxy: listening on port N".
'use strict';
const { createServer } = require('node:http');
const { join } = require('node:path');
const { Pool } = require(require.resolve('undici', { paths: [join(__dirname, '..', '..', 'apps', 'gateway')] }));

const upstream = process.env.UPSTREAM;
const pool = new Pool(upstream, { connections: 256 });
const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'transfer-encoding', 'upgrade', 'expect', 'te', 'trailer']);

const server = createServer((req, res) => {
  const headers = {};
  for (const name in req.headers) if (!HOP_BY_HOP.has(name)) headers[name] = req.headers[name];
  headers['x-forwarded-for'] = req.socket.remoteAddress;
  pool.dispatch({ path: req.url, method: req.method, headers, body: req.method === 'GET' || req.method === 'HEAD' ? null : req }, {
    onRequestStart() {},
    onResponseStart(controller, status, upstreamHeaders) {
      const out = [];
      for (const name in upstreamHeaders) if (!HOP_BY_HOP.has(name)) out.push(name, upstreamHeaders[name]);
      res.writeHead(status, out);
    },
    onResponseData(controller, chunk) {
      if (!res.write(chunk)) {
        controller.pause();
        res.once('drain', () => controller.resume());
      }
    },
    onResponseEnd() {
      res.end();
    },
    onResponseError() {
      if (res.headersSent) res.destroy();
      else res.writeHead(502).end();
    },
  });
});
server.listen(0, '127.0.0.1', () => process.stdout.write(`node floor proxy: listening on port ${server.address().port}\n`));
process.on('SIGTERM', () => server.close(() => pool.close().then(() => process.exit(0))));
