import { createServer, request, Server } from 'node:http';

/**
 * Answers `http://<stack>.localhost:<port>` by proxying to the entry node of
 * the stack named by the Host header.
 */
export class StackRouter {
  private server?: Server;
  private boundPort = 0;

  constructor(
    private readonly resolve: (stackName: string) => string | undefined,
  ) {}

  get port() {
    return this.boundPort;
  }

  async listen(port: number) {
    const server = createServer((req, res) => {
      const host = (req.headers.host ?? '').split(':')[0];
      const match = /^([a-z0-9-]+)\.localhost$/.exec(host);
      const target = match ? this.resolve(match[1]) : undefined;
      if (target === undefined) {
        res.writeHead(404, { 'content-type': 'text/plain' });
        res.end(`No stack answers ${host}\n`);
        return;
      }
      if (!target) {
        res.writeHead(503, { 'content-type': 'text/plain' });
        res.end('The stack has no healthy entry node\n');
        return;
      }
      const [targetHost, targetPort] = target.split(':');
      const upstream = request(
        {
          host: targetHost,
          port: Number(targetPort),
          method: req.method,
          path: req.url,
          headers: req.headers,
        },
        upstreamRes => {
          res.writeHead(upstreamRes.statusCode ?? 502, upstreamRes.headers);
          upstreamRes.pipe(res);
        },
      );
      upstream.on('error', () => {
        if (!res.headersSent) {
          res.writeHead(502, { 'content-type': 'text/plain' });
        }
        res.end('Upstream failed\n');
      });
      req.pipe(upstream);
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => resolve());
    });
    const address = server.address();
    this.boundPort = typeof address === 'object' && address ? address.port : 0;
    this.server = server;
  }

  async close() {
    const server = this.server;
    if (!server) {
      return;
    }
    server.closeAllConnections();
    await new Promise<void>(resolve => server.close(() => resolve()));
  }
}
