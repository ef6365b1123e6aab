// The load-balancer node of a local stack: an HTTP reverse proxy, round robin
// over the healthy upstreams that the provider writes to UPSTREAMS_FILE.
const fs = require('fs');
const http = require('http');

const port = Number(process.env.PORT);
const upstreamsFile = process.env.UPSTREAMS_FILE;
let upstreams = [];
let loadedAt = 0;
let next = 0;

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

const server = http.createServer((req, res) => {
  if (req.url === '/__lb/health') {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ upstreams: currentUpstreams() }));
    return;
  }
  const targets = currentUpstreams();
  if (targets.length === 0) {
    res.writeHead(503, { 'content-type': 'text/plain' });
    res.end('no healthy upstream\n');
    return;
  }
  const target = targets[next++ % targets.length];
  const [host, targetPort] = target.split(':');
  const upstream = http.request(
    {
      host,
      port: Number(targetPort),
      method: req.method,
      path: req.url,
      headers: { ...req.headers, 'x-forwarded-host': req.headers.host },
    },
    upstreamRes => {
      res.writeHead(upstreamRes.statusCode ?? 502, {
        ...upstreamRes.headers,
        'x-cloud-upstream': target,
      });
      upstreamRes.pipe(res);
    },
  );
  upstream.on('error', () => {
    if (!res.headersSent) {
      res.writeHead(502, { 'content-type': 'text/plain' });
    }
    res.end('upstream failed\n');
  });
  req.pipe(upstream);
});

server.listen(port, '127.0.0.1', () => {
  console.log(`load balancer listening on 127.0.0.1:${port}`);
});
process.on('SIGTERM', () => server.close(() => process.exit(0)));
