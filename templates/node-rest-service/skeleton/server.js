// ${{ values.name }}: a small REST service keeping items in memory.
const http = require('http');

const items = new Map();
let nextId = 1;

function send(res, status, body) {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}

http
  .createServer((req, res) => {
    const url = new URL(req.url, 'http://localhost');
    if (url.pathname === '/health') {
      send(res, 200, { status: 'ok', node: process.env.NODE_NAME });
    } else if (url.pathname === '/' && req.method === 'GET') {
      send(res, 200, { service: '${{ values.name }}', endpoints: ['/items', '/health'] });
    } else if (url.pathname === '/items' && req.method === 'GET') {
      send(res, 200, { items: [...items.values()] });
    } else if (url.pathname === '/items' && req.method === 'POST') {
      let body = '';
      req.on('data', chunk => (body += chunk));
      req.on('end', () => {
        try {
          const item = { id: nextId++, ...JSON.parse(body || '{}') };
          items.set(item.id, item);
          send(res, 201, item);
        } catch {
          send(res, 400, { error: 'body must be JSON' });
        }
      });
    } else {
      send(res, 404, { error: 'not found' });
    }
  })
  .listen(Number(process.env.PORT), process.env.HOST || '127.0.0.1');
