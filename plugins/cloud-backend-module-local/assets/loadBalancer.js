// The load-balancer node of a local stack, run in its sandbox: a reverse
// proxy built on http-proxy-3, round robin over the healthy upstreams that
// the provider writes to UPSTREAMS_FILE. Connections to upstreams are kept
// alive, WebSocket upgrades are passed through, and a GET or HEAD that
// finds an upstream dead is retried on the next one.
const fs = require('node:fs');
const http = require('node:http');
const { createProxyServer } = require('http-proxy-3');

const port = Number(process.env.PORT);
const upstreamsFile = process.env.UPSTREAMS_FILE;
/** How long an upstream that refused a connection is skipped. */
const DOWN_MS = 2000;

let upstreams = [];
let loadedAt = 0;
let next = 0;
const downUntil = new Map();

function currentUpstreams() {
  try {
    const mtime = fs.statSync(upstreamsFile).mtimeMs;
    if (mtime !== loadedAt) {
      upstreams = JSON.parse(fs.readFileSync(upstreamsFile, 'utf8'));
      loadedAt = mtime;
    }
  } catch {
    upstreams = [];
  }
  return upstreams;
}

/** The upstreams in the order to try them, those marked down last. */
function candidates() {
  const all = currentUpstreams();
  if (all.length === 0) {
    return [];
  }
  const start = next++ % all.length;
  const ordered = [...all.slice(start), ...all.slice(0, start)];
  const now = Date.now();
  return [
    ...ordered.filter(u => !(downUntil.get(u) > now)),
    ...ordered.filter(u => downUntil.get(u) > now),
  ];
}

const agent = new http.Agent({ keepAlive: true, maxSockets: 256 });
const proxy = createProxyServer({ agent, xfwd: true, proxyTimeout: 60_000 });

proxy.on('proxyRes', (proxyRes, req) => {
  proxyRes.headers['x-cloud-upstream'] = req.cloudUpstream;
});

/** Whether a failed request may go to another upstream. */
function retriable(req, error) {
  return (
    (req.method === 'GET' || req.method === 'HEAD') &&
    ['ECONNREFUSED', 'ECONNRESET', 'EHOSTUNREACH', 'ETIMEDOUT'].includes(
      error.code,
    )
  );
}

function forward(req, res, targets) {
  const target = targets[0];
  req.cloudUpstream = target;
  proxy.web(req, res, { target: `http://${target}` }, error => {
    downUntil.set(target, Date.now() + DOWN_MS);
    if (targets.length > 1 && !res.headersSent && retriable(req, error)) {
      forward(req, res, targets.slice(1));
      return;
    }
    if (!res.headersSent) {
      res.writeHead(502, { 'content-type': 'text/plain' });
    }
    res.end('upstream failed\n');
  });
}

function forwardUpgrade(req, socket, head, targets) {
  const target = targets[0];
  proxy.ws(req, socket, head, { target: `http://${target}` }, error => {
    downUntil.set(target, Date.now() + DOWN_MS);
    if (targets.length > 1 && retriable(req, error) && !socket.destroyed) {
      forwardUpgrade(req, socket, head, targets.slice(1));
      return;
    }
    socket.destroy();
  });
}

const server = http.createServer((req, res) => {
  if (req.url === '/__lb/health') {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ upstreams: currentUpstreams() }));
    return;
  }
  const targets = candidates();
  if (targets.length === 0) {
    res.writeHead(503, { 'content-type': 'text/plain' });
    res.end('no healthy upstream\n');
    return;
  }
  // hop-by-hop: the client's wish to close is not the upstream's
  delete req.headers.connection;
  delete req.headers['keep-alive'];
  forward(req, res, targets);
});

server.on('upgrade', (req, socket, head) => {
  const targets = candidates();
  if (targets.length === 0) {
    socket.end('HTTP/1.1 503 Service Unavailable\r\n\r\n');
    return;
  }
  forwardUpgrade(req, socket, head, targets);
});

server.listen(port, '127.0.0.1', () => {
  console.log(`load balancer listening on 127.0.0.1:${port}`);
});
// nothing to drain: the provider has taken the node out of the routes
process.on('SIGTERM', () => process.exit(0));
