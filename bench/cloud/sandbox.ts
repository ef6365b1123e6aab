/*
 * Start-up time of a local node with and without its bubblewrap sandbox.
 *
 * Starts the same Node.js HTTP server ROUNDS times each way, alternating,
 * and measures from spawn to the first answer on its port: directly with
 * the backend's Node.js, and through the local provider's sandbox (the
 * launcher that joins the cgroups, setpriv, bwrap, the node). Prints the
 * median and the 90th percentile of both and their difference.
 *
 * Usage (from the repository root, as root to measure the cgroups too):
 *   node --require @backstage/cli/config/nodeTransform.cjs bench/cloud/sandbox.ts
 * Options: BENCH_ROUNDS (20).
 */
import { mockServices } from '@backstage/backend-test-utils';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import { request } from 'node:http';
import os from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { findFreePort } from '../../plugins/cloud-backend-module-local/src/ports';
import { Sandbox } from '../../plugins/cloud-backend-module-local/src/sandbox/Sandbox';

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 20);

const SERVER_JS = `
require('http')
  .createServer((req, res) => res.end('ok'))
  .listen(Number(process.env.PORT), '127.0.0.1');
`;

function answers(port: number): Promise<boolean> {
  return new Promise(resolve => {
    const req = request({ host: '127.0.0.1', port, agent: false }, res => {
      res.resume();
      resolve(res.statusCode === 200);
    });
    req.on('error', () => resolve(false));
    req.end();
  });
}

async function untilAnswers(port: number) {
  const deadline = Date.now() + 30_000;
  while (!(await answers(port))) {
    if (Date.now() > deadline) {
      throw new Error('the node did not answer');
    }
    await new Promise(resolve => setTimeout(resolve, 2));
  }
}

async function startOnce(
  workDir: string,
  sandbox: Sandbox | undefined,
  round: number,
): Promise<number> {
  const port = await findFreePort();
  const started = performance.now();
  let child;
  let release = async () => {};
  if (sandbox) {
    const launch = await sandbox.launch({
      id: `bench/${round}`,
      workDir,
      command: [process.execPath, 'server.js'],
      env: { PORT: String(port) },
      limits: { memoryMb: 512, processes: 128 },
      readOnlyPaths: [],
      hostname: 'bench',
    });
    release = launch.release;
    child = spawn(launch.file, launch.args, {
      cwd: workDir,
      env: launch.env,
      detached: true,
      stdio: ['ignore', 'ignore', 'inherit', 'pipe'],
    });
    (child.stdio[3] as NodeJS.WritableStream).end(launch.options);
  } else {
    child = spawn(process.execPath, ['server.js'], {
      cwd: workDir,
      env: { PORT: String(port) },
      detached: true,
      stdio: ['ignore', 'ignore', 'inherit'],
    });
  }
  const exited = new Promise(resolve => child.once('exit', resolve));
  await untilAnswers(port);
  const elapsed = performance.now() - started;
  process.kill(-child.pid!, 'SIGKILL');
  await exited;
  await release();
  return elapsed;
}

function percentile(values: number[], p: number) {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))];
}

async function main() {
  const dataDir = fs.mkdtempSync(join(os.tmpdir(), 'bench-sandbox-'));
  fs.chmodSync(dataDir, 0o711);
  const workDir = join(dataDir, 'work');
  const sandbox = await Sandbox.create({
    dataDir,
    readOnlyPaths: [],
    logger: mockServices.rootLogger({ level: 'info' }),
  });
  sandbox.prepareWorkDir(workDir);
  fs.writeFileSync(join(workDir, 'server.js'), SERVER_JS);
  fs.chmodSync(join(workDir, 'server.js'), 0o644);
  const direct: number[] = [];
  const sandboxed: number[] = [];
  try {
    // one of each to warm the page cache
    await startOnce(workDir, undefined, -1);
    await startOnce(workDir, sandbox, -1);
    for (let round = 0; round < ROUNDS; round++) {
      direct.push(await startOnce(workDir, undefined, round));
      sandboxed.push(await startOnce(workDir, sandbox, round));
    }
  } finally {
    sandbox.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
  const row = (name: string, values: number[]) =>
    `${name.padEnd(10)} median ${percentile(values, 0.5).toFixed(
      1,
    )} ms, p90 ${percentile(values, 0.9).toFixed(1)} ms`;
  console.log(`node start-up to first answer, ${ROUNDS} rounds each:`);
  console.log(row('direct', direct));
  console.log(row('sandboxed', sandboxed));
  console.log(
    `the sandbox adds ${(
      percentile(sandboxed, 0.5) - percentile(direct, 0.5)
    ).toFixed(1)} ms (median)`,
  );
}

main().catch(error => {
  console.error(error);
  process.exit(1);
});
