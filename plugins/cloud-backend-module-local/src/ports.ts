import { createServer } from 'node:net';

/** Asks the OS for a free loopback port, or checks that `preferred` is free. */
export async function findFreePort(preferred?: number): Promise<number> {
  const tryListen = (port: number) =>
    new Promise<number | undefined>(resolve => {
      const server = createServer();
      server.once('error', () => resolve(undefined));
      server.listen(port, '127.0.0.1', () => {
        const address = server.address();
        const bound = typeof address === 'object' && address ? address.port : 0;
        server.close(() => resolve(bound));
      });
    });
  if (preferred) {
    const port = await tryListen(preferred);
    if (port) {
      return port;
    }
  }
  const port = await tryListen(0);
  if (!port) {
    throw new Error('No free loopback port');
  }
  return port;
}
