import { createProxyServer, ProxyServer } from 'http-proxy-3';
import { Agent, createServer, IncomingMessage, Server } from 'node:http';
import { Socket } from 'node:net';

/** Errors after which an idempotent request may go to another node. */
const RETRIABLE = ['ECONNREFUSED', 'ECONNRESET', 'EHOSTUNREACH', 'ETIMEDOUT'];

function retriable(req: IncomingMessage, error: Error) {
  return (
    (req.method === 'GET' || req.method === 'HEAD') &&
    RETRIABLE.includes((error as NodeJS.ErrnoException).code ?? '')
  );
}

/**
 * Answers `http://<stack>.localhost:<port>` by proxying to the entry node of
 * the stack named by the Host header, WebSocket upgrades included, over
 * kept-alive connections; a GET or HEAD that finds an entry node dead is
 * retried on the next one.
 */
export class StackRouter {
  private server?: Server;
  private boundPort = 0;
  private readonly agent = new Agent({ keepAlive: true, maxSockets: 256 });
  private readonly proxy: ProxyServer;
  /** Upgraded connections, which the server no longer tracks. */
  private readonly upgraded = new Set<Socket>();

  private constructor(
    private readonly resolve: (stackName: string) => string[] | undefined,
  ) {
    this.proxy = createProxyServer({
      agent: this.agent,
      xfwd: true,
      proxyTimeout: 120_000,
    });
  }

  /**
   * `resolve` gives the addresses of a stack's healthy entry nodes, or
   * undefined when no stack has that name.
   */
  static create(resolve: (stackName: string) => string[] | undefined) {
    return new StackRouter(resolve);
  }

  get port() {
    return this.boundPort;
  }

  async listen(port: number) {
    const server = createServer((req, res) => {
      const targets = this.targets(req);
      if (targets === undefined) {
        res.writeHead(404, { 'content-type': 'text/plain' });
        res.end(`No stack answers ${req.headers.host ?? ''}\n`);
        return;
      }
      if (targets.length === 0) {
        res.writeHead(503, { 'content-type': 'text/plain' });
        res.end('The stack has no healthy entry node\n');
        return;
      }
      // hop-by-hop: the client's wish to close is not the upstream's
      delete req.headers.connection;
      delete req.headers['keep-alive'];
      const forward = (remaining: string[]) => {
        this.proxy.web(
          req,
          res,
          { target: `http://${remaining[0]}` },
          (error: Error) => {
            if (
              remaining.length > 1 &&
              !res.headersSent &&
              retriable(req, error)
            ) {
              forward(remaining.slice(1));
              return;
            }
            if (!res.headersSent) {
              res.writeHead(502, { 'content-type': 'text/plain' });
            }
            res.end('Upstream failed\n');
          },
        );
      };
      forward(targets);
    });
    server.on('upgrade', (req: IncomingMessage, socket: Socket, head) => {
      this.upgraded.add(socket);
      socket.once('close', () => this.upgraded.delete(socket));
      const targets = this.targets(req);
      if (!targets?.length) {
        socket.end('HTTP/1.1 404 Not Found\r\n\r\n');
        return;
      }
      const forward = (remaining: string[]) => {
        this.proxy.ws(
          req,
          socket,
          head,
          { target: `http://${remaining[0]}` },
          (error: Error) => {
            if (
              remaining.length > 1 &&
              !socket.destroyed &&
              retriable(req, error)
            ) {
              forward(remaining.slice(1));
              return;
            }
            socket.destroy();
          },
        );
      };
      forward(targets);
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
    this.upgraded.forEach(socket => socket.destroy());
    await new Promise<void>(resolve => server.close(() => resolve()));
    this.agent.destroy();
  }

  private targets(req: IncomingMessage) {
    const host = (req.headers.host ?? '').split(':')[0];
    const match = /^([a-z0-9-]+)\.localhost$/.exec(host);
    return match ? this.resolve(match[1]) : undefined;
  }
}
