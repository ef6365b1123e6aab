import { createServer } from 'node:net';
import { readFileSync } from 'node:fs';

/** Listens on a loopback port and closes it again: the port bound, if any. */
function tryListen(port: number) {
  return new Promise<number | undefined>(resolve => {
    const server = createServer();
    server.once('error', () => resolve(undefined));
    server.listen(port, '127.0.0.1', () => {
      const address = server.address();
      const bound = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(bound));
    });
  });
}

/** Asks the OS for a free loopback port, or checks that `preferred` is free. */
export async function findFreePort(preferred?: number): Promise<number> {
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

/**
 * The first port that the OS hands out by itself (to `listen(0)` and to
 * outgoing connections); the ports below it are never numbered by the OS.
 */
function firstEphemeralPort(): number {
  try {
    const [from] = readFileSync(
      '/proc/sys/net/ipv4/ip_local_port_range',
      'utf8',
    )
      .trim()
      .split(/\s+/)
      .map(Number);
    return Number.isInteger(from) && from > 12000 ? from : 32768;
  } catch {
    return 32768;
  }
}

const INNER_PORTS_FROM = 10000;
const innerPortsTo = firstEphemeralPort();
const reservedInnerPorts = new Set<number>();

/**
 * A port for the process behind a node's relay, held until
 * `releaseInnerPort`. A node binds its port a while after it is chosen (once
 * its sandbox is up), so it comes from below the OS's ephemeral range, at
 * random and never twice in this process: a port that the OS gave meanwhile
 * to another listener would otherwise let the relay pass the node's traffic,
 * health checks included, to a stranger.
 */
export async function reserveInnerPort(): Promise<number> {
  for (let attempt = 0; attempt < 100; attempt++) {
    const port =
      INNER_PORTS_FROM +
      Math.floor(Math.random() * (innerPortsTo - INNER_PORTS_FROM));
    if (reservedInnerPorts.has(port)) {
      continue;
    }
    reservedInnerPorts.add(port);
    if (await tryListen(port)) {
      return port;
    }
    reservedInnerPorts.delete(port);
  }
  throw new Error('No free loopback port for a node');
}

/** Gives back a port of `reserveInnerPort`. */
export function releaseInnerPort(port: number | undefined) {
  if (port !== undefined) {
    reservedInnerPorts.delete(port);
  }
}
