import { mockServices } from '@backstage/backend-test-utils';
import { RoleSpec } from '@internal/plugin-cloud-common';
import fs from 'node:fs';
import { request } from 'node:http';
import os from 'node:os';
import { join } from 'node:path';
import { LocalProvider } from '../LocalProvider';
import { waitFor } from '../testHelpers';
import { unreachableAncestor } from './Sandbox';

/**
 * What a node and a script can reach, with a real backend layout around
 * them: a config file and a SQLite file beside the provider's data folder.
 */

const PROBE = `
const fs = require('fs');
const { execFileSync } = require('child_process');
const attempt = fn => {
  try {
    return { ok: true, value: fn() };
  } catch (error) {
    return { ok: false, error: error.code || String(error) };
  }
};
require('http').createServer((req, res) => {
  if (req.url !== '/probe') {
    res.end('ok');
    return;
  }
  const result = {
    uid: process.getuid(),
    gid: process.getgid(),
    idU: execFileSync('id', ['-u'], { encoding: 'utf8' }).trim(),
    readConfig: attempt(() => fs.readFileSync(process.env.CONFIG_FILE, 'utf8')),
    readDatabase: attempt(() => fs.readFileSync(process.env.DATABASE_FILE, 'utf8')),
    readRepo: attempt(() => fs.readFileSync(process.env.REPO_FILE, 'utf8')),
    writeBackend: attempt(() => fs.writeFileSync(process.env.ESCAPE_FILE, 'x')),
    writeUsr: attempt(() => fs.writeFileSync('/usr/escape', 'x')),
    writeOwn: attempt(() => fs.writeFileSync('own.txt', 'x')),
    writeTmp: attempt(() => fs.writeFileSync(process.env.TMP_FILE, 'x')),
    processes: execFileSync('ps', ['-e', '-o', 'comm='], { encoding: 'utf8' })
      .trim()
      .split('\\n')
      .map(s => s.trim()),
    proc: fs.readdirSync('/proc').filter(name => /^[0-9]+$/.test(name)),
  };
  res.setHeader('content-type', 'application/json');
  res.end(JSON.stringify(result));
}).listen(Number(process.env.PORT), '127.0.0.1');
`;

function get(port: number, path: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const req = request(
      { host: '127.0.0.1', port, path, agent: false },
      res => {
        let body = '';
        res.on('data', chunk => (body += chunk));
        res.on('end', () => resolve(body));
      },
    );
    req.on('error', reject);
    req.end();
  });
}

describe('the sandbox of local nodes', () => {
  const logger = mockServices.logger.mock();
  let backendDir: string;
  let provider: LocalProvider;
  let files: Record<string, string>;
  const tmpMarker = `cloud-sandbox-${process.pid}-${Date.now()}`;

  beforeAll(async () => {
    // laid out as a backend checkout, passable by others like one
    backendDir = fs.mkdtempSync(join(os.tmpdir(), 'cloud-backend-'));
    fs.chmodSync(backendDir, 0o755);
    files = {
      CONFIG_FILE: join(backendDir, 'app-config.yaml'),
      DATABASE_FILE: join(backendDir, 'data', 'cloud.sqlite'),
      REPO_FILE: __filename,
      ESCAPE_FILE: join(backendDir, 'escape.txt'),
      TMP_FILE: join('/tmp', tmpMarker),
    };
    fs.mkdirSync(join(backendDir, 'data'));
    fs.writeFileSync(
      files.CONFIG_FILE,
      'backend:\n  auth: { keys: [secret] }\n',
    );
    fs.writeFileSync(files.DATABASE_FILE, 'SQLite format 3\0');
    provider = await LocalProvider.create({
      dataDir: join(backendDir, 'data', 'local-provider'),
      logger,
      healthIntervalMs: 200,
    });
  }, 30_000);

  afterAll(async () => {
    for (const stack of (await provider?.listStacks()) ?? []) {
      await provider.deleteStack(stack.stackId);
    }
    await provider?.shutdown();
    fs.rmSync(backendDir, { recursive: true, force: true });
    fs.rmSync(files.TMP_FILE, { force: true });
  }, 30_000);

  async function deploy(stackId: string, role: Partial<RoleSpec>) {
    const stack = await provider.deployStack({
      stackId,
      name: stackId,
      region: 'local',
      spec: {
        roles: [
          {
            name: 'app',
            count: 1,
            runtime: 'node',
            entry: 'server.js',
            files: { 'server.js': PROBE },
            env: files,
            ...role,
          },
        ],
      },
    });
    return Number(stack.nodes[0].privateAddress!.split(':')[1]);
  }

  it('keeps a node from the backend, the system and other processes', async () => {
    const port = await deploy('probe', {});
    const probe = JSON.parse(await get(port, '/probe'));
    expect(probe.uid).toBe(65534);
    // nobody on the host too, not root mapped to nobody, where nobody can
    // reach the Node.js and the checkout (the provider warns otherwise)
    const pid = fs.readFileSync(
      join(backendDir, 'data/local-provider/stacks/probe/nodes/app-1/node.pid'),
      'utf8',
    );
    const passable = ![process.execPath, __dirname].some(unreachableAncestor);
    const hostUid =
      process.getuid?.() === 0 && passable ? 65534 : process.getuid?.();
    expect(fs.readFileSync(`/proc/${pid}/status`, 'utf8')).toMatch(
      new RegExp(`^Uid:\\s+${hostUid}\\s`, 'm'),
    );
    expect(probe.readConfig).toEqual({ ok: false, error: 'ENOENT' });
    expect(probe.readDatabase).toEqual({ ok: false, error: 'ENOENT' });
    expect(probe.readRepo).toEqual({ ok: false, error: 'ENOENT' });
    expect(probe.writeUsr).toEqual({ ok: false, error: 'EROFS' });
    expect(probe.writeOwn.ok).toBe(true);
    // its /tmp is its own: what it writes there, the host never sees
    expect(probe.writeTmp.ok).toBe(true);
    expect(fs.existsSync(files.TMP_FILE)).toBe(false);
    expect(fs.existsSync(files.ESCAPE_FILE)).toBe(false);
    expect(fs.readdirSync(backendDir).sort()).toEqual([
      'app-config.yaml',
      'data',
    ]);
    // the sandbox's init, the node and ps itself: nothing of the host
    expect(probe.processes.sort()).toEqual(['bwrap', 'node', 'ps']);
    expect(probe.proc.length).toBeLessThanOrEqual(3);
  }, 30_000);

  it('keeps a script in a sandbox too', async () => {
    await deploy('scripted', {});
    const result = await provider.runScript({
      stackId: 'scripted',
      nodeName: 'app-1',
      script: [
        `cat ${files.CONFIG_FILE} && echo READ-CONFIG`,
        `cat ${files.DATABASE_FILE} && echo READ-DATABASE`,
        `touch ${files.ESCAPE_FILE} && echo WROTE-BACKEND`,
        'touch /usr/escape && echo WROTE-USR',
        'touch mine.txt && echo WROTE-OWN',
        'echo "uid=$(id -u)"',
        'ps -e -o comm= > processes.txt',
        'echo "processes=$(sort processes.txt | tr "\\n" " ")"',
      ].join('\n'),
      timeoutMs: 10_000,
    });
    expect(result.timedOut).toBe(false);
    expect(result.output).not.toContain('READ-CONFIG');
    expect(result.output).not.toContain('secret');
    expect(result.output).not.toContain('READ-DATABASE');
    expect(result.output).not.toContain('WROTE-USR');
    expect(result.output).toContain('WROTE-OWN');
    expect(result.output).toContain('uid=65534');
    expect(result.output).toContain('processes=bwrap ps sh \n');
    expect(fs.existsSync(files.ESCAPE_FILE)).toBe(false);
    expect(fs.readdirSync(backendDir).sort()).toEqual([
      'app-config.yaml',
      'data',
    ]);
  }, 30_000);

  it('ends every process of a node with it, detached or not', async () => {
    await deploy('daemon', {
      files: {
        'server.js': `${PROBE}
require('child_process').spawn('sh', ['-c', 'trap "" TERM; exec sleep 1000'], {
  detached: true,
  stdio: 'ignore',
});`,
      },
    });
    const stackDir = join(backendDir, 'data/local-provider/stacks/daemon');
    const processesUnder = () =>
      fs.readdirSync('/proc').filter(pid => {
        try {
          return fs.readlinkSync(`/proc/${pid}/cwd`).startsWith(stackDir);
        } catch {
          return false;
        }
      });
    // the launcher, the sandbox's init, the node and its detached child
    await waitFor(() => processesUnder().length === 4);
    await provider.deleteStack('daemon');
    expect(processesUnder()).toEqual([]);
  }, 30_000);

  it('kills what goes over the memory limit', async () => {
    await deploy('hog', { limits: { memoryMb: 64 } });
    const result = await provider.runScript({
      stackId: 'hog',
      nodeName: 'app-1',
      // 400 MB in 10 MB steps, touched so that they count
      script: `node -e 'const a = []; for (let i = 0; i < 40; i++) a.push(Buffer.alloc(10e6, 1)); console.log("survived")'`,
      timeoutMs: 20_000,
    });
    expect(result.timedOut).toBe(false);
    expect(result.output).not.toContain('survived');
    expect(result.exitCode).toBe(137);
  }, 30_000);

  it('caps the processes of a fork loop', async () => {
    await deploy('forks', { limits: { processes: 32 } });
    const result = await provider.runScript({
      stackId: 'forks',
      nodeName: 'app-1',
      script: 'for i in $(seq 1 100); do sleep 5 & done; echo all-started',
      timeoutMs: 20_000,
    });
    expect(result.output).toMatch(/fork/i);
    expect(result.output).not.toContain('all-started');
    expect(result.exitCode).not.toBe(0);
  }, 30_000);
});
