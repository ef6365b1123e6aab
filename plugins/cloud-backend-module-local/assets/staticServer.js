// The `static` runtime of the local provider, run in the node's sandbox:
// serves the files of the node's folder over HTTP, the entry file (argv[2],
// e.g. index.html) at `/` and at any folder's path.
const fs = require('node:fs');
const http = require('node:http');
const path = require('node:path');

const root = process.cwd();
const entry = process.argv[2] || 'index.html';
const port = Number(process.env.PORT);

const TYPES = {
  '.css': 'text/css; charset=utf-8',
  '.gif': 'image/gif',
  '.htm': 'text/html; charset=utf-8',
  '.html': 'text/html; charset=utf-8',
  '.ico': 'image/x-icon',
  '.jpeg': 'image/jpeg',
  '.jpg': 'image/jpeg',
  '.js': 'text/javascript; charset=utf-8',
  '.json': 'application/json',
  '.map': 'application/json',
  '.mjs': 'text/javascript; charset=utf-8',
  '.png': 'image/png',
  '.svg': 'image/svg+xml',
  '.txt': 'text/plain; charset=utf-8',
  '.wasm': 'application/wasm',
  '.webp': 'image/webp',
  '.woff': 'font/woff',
  '.woff2': 'font/woff2',
  '.xml': 'application/xml',
};

function notFound(res) {
  res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' });
  res.end('Not found\n');
}

const server = http.createServer((req, res) => {
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    res.writeHead(405, { allow: 'GET, HEAD' });
    res.end();
    return;
  }
  let pathname;
  try {
    pathname = decodeURIComponent(new URL(req.url, 'http://node').pathname);
  } catch {
    res.writeHead(400);
    res.end();
    return;
  }
  let file = path.join(root, pathname);
  if (file !== root && !file.startsWith(root + path.sep)) {
    notFound(res);
    return;
  }
  fs.stat(file, (error, stat) => {
    if (!error && stat.isDirectory()) {
      file = path.join(file, pathname === '/' ? entry : 'index.html');
    }
    fs.stat(file, (statError, fileStat) => {
      if (statError || !fileStat.isFile()) {
        notFound(res);
        return;
      }
      res.writeHead(200, {
        'content-type':
          TYPES[path.extname(file).toLowerCase()] ?? 'application/octet-stream',
        'content-length': fileStat.size,
      });
      if (req.method === 'HEAD') {
        res.end();
        return;
      }
      fs.createReadStream(file).pipe(res);
    });
  });
});

server.listen(port, process.env.HOST || '127.0.0.1', () => {
  console.log(`serving ${root} on port ${port}`);
});
process.on('SIGTERM', () => process.exit(0));
