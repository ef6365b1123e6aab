import { resolvePackagePath } from '@backstage/backend-plugin-api';
import { ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs';
import { createServer, request, Server } from 'node:http';
import { AddressInfo } from 'node:net';
import os from 'node:os';
import { join } from 'node:path';
import WebSocket, { WebSocketServer } from 'ws';
import { findFreePort } from './ports';
import { StackRouter } from './StackRouter';
import { waitFor } from './testHelpers';

/**
 * The load balancer script and the `<stack>.localhost` router, each in
 * front of plain upstream servers: kept-alive upstream connections,
 * WebSocket upgrades, and a GET retried when an upstream is dead.
 */

interface Upstream {
  server: Server;
  address: string;
  /** TCP connections the upstream accepted. */
  connections: () => number;
}

async function startUpstream(name: string): Promise<Upstream> {
  let connections = 0;
  const server = createServer((req, res) => res.end(`${name} ${req.url}`));
  server.on('connection', () => connections++);
  const wss = new WebSocketServer({ server });
  wss.on('connection', socket =>
    socket.on('message', data => socket.send(`${name} echoes ${data}`)),
  );
  await new Promise<void>(resolve =>
    server.listen(0, '127.0.0.1', () => resolve()),
  );
  const { port } = server.address() as AddressInfo;
  return {
    server,
    address: `127.0.0.1:${port}`,
    connections: () => connections,
  };
}

/** A GET over a fresh connection that asks to close, as curl would. */
function get(
  port: number,
  host: string,
): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: '127.0.0.1',
        port,
        path: '/hello',
        headers: { host },
        agent: false,
      },
      res => {
        let body = '';
        res.on('data', chunk => (body += chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      },
    );
    req.on('error', reject);
    req.end();
  });
}

function echo(port: number, host: string, message: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(`ws://127.0.0.1:${port}/socket`, {
      headers: { host },
    });
    socket.once('open', () => socket.send(message));
    socket.once('message', data => {
      resolve(String(data));
      socket.close();
    });
    socket.once('error', reject);
  });
}

describe.each(['load balancer', 'stack router'])('the %s', kind => {
  const upstreams: Upstream[] = [];
  let deadAddress: string;
  let port: number;
  let stop: () => Promise<void>;
  let setTargets: (targets: string[]) => void;
  const host = 'shop.localhost';

  beforeAll(async () => {
    upstreams.push(await startUpstream('one'), await startUpstream('two'));
    deadAddress = `127.0.0.1:${await findFreePort()}`;
    if (kind === 'load balancer') {
      const dir = fs.mkdtempSync(join(os.tmpdir(), 'cloud-lb-'));
      const file = join(dir, 'upstreams.json');
      setTargets = targets => {
        fs.writeFileSync(`${file}.tmp`, JSON.stringify(targets));
        fs.renameSync(`${file}.tmp`, file);
      };
      setTargets([upstreams[0].address]);
      port = await findFreePort();
      const child: ChildProcess = spawn(
        process.execPath,
        [
          resolvePackagePath(
            '@internal/plugin-cloud-backend-module-local',
            'assets/loadBalancer.js',
          ),
        ],
        {
          env: { PORT: String(port), UPSTREAMS_FILE: file },
          stdio: 'ignore',
        },
      );
      const exited = new Promise(resolve => child.once('exit', resolve));
      stop = async () => {
        child.kill('SIGKILL');
        await exited;
        fs.rmSync(dir, { recursive: true, force: true });
      };
      await waitFor(() =>
        get(port, host).then(
          res => res.status === 200,
          () => false,
        ),
      );
    } else {
      let targets: string[] = [];
      setTargets = t => (targets = t);
      setTargets([upstreams[0].address]);
      const router = StackRouter.create(name =>
        name === 'shop' ? targets : undefined,
      );
      await router.listen(0);
      port = router.port;
      stop = () => router.close();
    }
  }, 30_000);

  afterAll(async () => {
    await stop?.();
    for (const upstream of upstreams) {
      upstream.server.closeAllConnections();
      await new Promise(resolve => upstream.server.close(resolve));
    }
  });

  it('keeps connections to an upstream alive across requests', async () => {
    setTargets([upstreams[0].address]);
    const before = upstreams[0].connections();
    for (let i = 0; i < 5; i++) {
      expect(await get(port, host)).toEqual({
        status: 200,
        body: 'one /hello',
      });
    }
    expect(upstreams[0].connections() - before).toBeLessThanOrEqual(1);
  });

  it('passes WebSocket connections through', async () => {
    setTargets([upstreams[1].address]);
    await waitFor(async () => (await get(port, host)).body.startsWith('two'));
    expect(await echo(port, host, 'hi')).toBe('two echoes hi');
  });

  it('retries a GET on a live upstream when one is dead', async () => {
    setTargets([deadAddress, upstreams[0].address]);
    await waitFor(async () => {
      const { body } = await get(port, host);
      return body.startsWith('one');
    });
    for (let i = 0; i < 4; i++) {
      expect(await get(port, host)).toEqual({
        status: 200,
        body: 'one /hello',
      });
    }
  });
});
