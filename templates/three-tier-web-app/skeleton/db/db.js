// A tiny key-value database over HTTP: GET/PUT /kv/<key>, POST /incr/<key>.
const http = require('http');

const data = new Map();

http
  .createServer((req, res) => {
    const url = new URL(req.url, 'http://localhost');
    const [, op, key] = url.pathname.split('/');
    res.setHeader('content-type', 'application/json');
    if (url.pathname === '/health') {
      res.end(JSON.stringify({ status: 'ok', keys: data.size }));
    } else if (op === 'incr' && key && req.method === 'POST') {
      const value = (data.get(key) || 0) + 1;
      data.set(key, value);
      res.end(JSON.stringify({ key, value }));
    } else if (op === 'kv' && key && req.method === 'GET') {
      res.end(JSON.stringify({ key, value: data.has(key) ? data.get(key) : null }));
    } else {
      res.writeHead(404).end(JSON.stringify({ error: 'not found' }));
    }
  })
  .listen(Number(process.env.PORT), process.env.HOST || '127.0.0.1');
