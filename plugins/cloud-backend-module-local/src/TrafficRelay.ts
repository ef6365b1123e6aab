import { createConnection, createServer, Server, Socket } from 'node:net';

/** Bytes through a node's address since the provider started it. */
export interface TrafficCounters {
  inBytes: number;
  outBytes: number;
}

/**
 * Listens on a node's address and passes each connection on to the port the
 * node really listens on, counting the bytes each way: the nodes share the
 * host's network, so no interface counts their traffic alone. What reaches
 * a node (the router, its load balancer, its peers, health checks) reaches
 * it through here.
 */
export class TrafficRelay {
  private constructor(
    private readonly server: Server,
    private readonly sockets: Set<Socket>,
  ) {}

  /**
   * Listens on `127.0.0.1:port`; `target` gives the node's current port,
   * which changes when the node restarts.
   */
  static async listen(options: {
    port: number;
    target: () => number | undefined;
    counters: TrafficCounters;
  }): Promise<TrafficRelay> {
    const { counters } = options;
    const sockets = new Set<Socket>();
    const server = createServer({ pauseOnConnect: true }, client => {
      const port = options.target();
      if (!port) {
        client.destroy();
        return;
      }
      const upstream = createConnection({ host: '127.0.0.1', port });
      for (const socket of [client, upstream]) {
        sockets.add(socket);
        socket.once('close', () => sockets.delete(socket));
        socket.on('error', () => {
          client.destroy();
          upstream.destroy();
        });
      }
      client.on('data', chunk => {
        counters.inBytes += chunk.length;
      });
      upstream.on('data', chunk => {
        counters.outBytes += chunk.length;
      });
      client.pipe(upstream);
      upstream.pipe(client);
      client.resume();
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(options.port, '127.0.0.1', () => {
        server.off('error', reject);
        resolve();
      });
    });
    return new TrafficRelay(server, sockets);
  }

  /** Stops listening and ends every connection passed on. */
  async close() {
    this.sockets.forEach(socket => socket.destroy());
    await new Promise<void>(resolve => this.server.close(() => resolve()));
  }
}
