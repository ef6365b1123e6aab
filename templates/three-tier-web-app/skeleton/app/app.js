// ${{ values.name }}: the app tier. Counts visits in the db tier, whose
// address the cloud provider passes in CLOUD_ROLE_DB_ADDRESSES.
const http = require('http');

const [db] = (process.env.CLOUD_ROLE_DB_ADDRESSES || '').split(',');

function incrementVisits() {
  return new Promise(resolve => {
    if (!db) {
      resolve(null);
      return;
    }
    const [host, port] = db.split(':');
    const req = http.request({ host, port, method: 'POST', path: '/incr/visits' }, res => {
      let body = '';
      res.on('data', chunk => (body += chunk));
      res.on('end', () => {
        try {
          resolve(JSON.parse(body).value);
        } catch {
          resolve(null);
        }
      });
    });
    req.on('error', () => resolve(null));
    req.end();
  });
}

http
  .createServer(async (req, res) => {
    if (req.url === '/health') {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ status: 'ok', node: process.env.NODE_NAME }));
      return;
    }
    const visits = await incrementVisits();
    res.writeHead(200, { 'content-type': 'text/html' });
    res.end(`<!doctype html>
<html>
  <head><title>${{ values.name }}</title></head>
  <body>
    <h1>${{ values.title }}</h1>
    <p>Served by <strong id="node">${process.env.NODE_NAME}</strong> of stack ${process.env.STACK_NAME}.</p>
    <p>Visits counted by the database: <strong id="visits">${visits ?? 'database unavailable'}</strong></p>
  </body>
</html>
`);
  })
  .listen(Number(process.env.PORT), process.env.HOST || '127.0.0.1');
