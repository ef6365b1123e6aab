// Measures the store's overhead on provisioning: N orders of an
// auto-approved plan from creation to fulfilled, against N scaffolder tasks
// of the same template created directly, in one run against a running
// backend. Prints the ratio; fails when it is above the budget.
//
//   node scripts/benchmark-orders.mjs [--count 200] [--backend http://localhost:7007]
//
// Orders are placed by the demo developer; direct tasks by the demo
// platform admin, since governed templates are run directly only by admins.

import { parseArgs } from 'node:util';

const { values: args } = parseArgs({
  options: {
    count: { type: 'string', default: '200' },
    backend: { type: 'string', default: 'http://localhost:7007' },
    product: { type: 'string', default: 'product:default/static-website' },
    template: { type: 'string', default: 'template:default/static-website' },
    plan: { type: 'string', default: 'free' },
    budget: { type: 'string', default: '1.25' },
    parallel: { type: 'string', default: '20' },
  },
});
const COUNT = Number(args.count);
const PARALLEL = Number(args.parallel);
const DEADLINE_MS = 30 * 60_000;
/** The group both kinds of stacks are deployed for. */
const OWNER = 'group:default/developers';
const api = path => `${args.backend}/api${path}`;

async function token(user) {
  const res = await fetch(api('/auth/demo/refresh'), {
    headers: { 'x-cloud-store-demo-user': user },
  });
  if (!res.ok) throw new Error(`sign-in of ${user}: ${res.status}`);
  return (await res.json()).backstageIdentity.token;
}

async function call(tokenValue, method, path, body) {
  const res = await fetch(api(path), {
    method,
    headers: {
      authorization: `Bearer ${tokenValue}`,
      'content-type': 'application/json',
    },
    body: body && JSON.stringify(body),
  });
  if (!res.ok) {
    throw new Error(`${method} ${path}: ${res.status} ${await res.text()}`);
  }
  return res.json();
}

/** Runs fn over items with at most PARALLEL at a time. */
async function pool(items, fn) {
  const results = new Array(items.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(PARALLEL, items.length) }, async () => {
      while (next < items.length) {
        const i = next++;
        results[i] = await fn(items[i], i);
      }
    }),
  );
  return results;
}

/**
 * Polls one list request until every id is done, with a deadline; returns
 * how many failed. One request per round keeps the measuring out of the
 * measured.
 */
async function waitAll(ids, listStatuses, done, failed) {
  const deadline = Date.now() + DEADLINE_MS;
  const wanted = new Set(ids);
  for (;;) {
    if (Date.now() > deadline) throw new Error('not done in time');
    const statuses = await listStatuses();
    let finished = 0;
    let failures = 0;
    for (const [id, status] of statuses) {
      if (!wanted.has(id)) continue;
      if (done.includes(status)) finished++;
      if (failed.includes(status)) failures++;
    }
    if (finished + failures === ids.length) return failures;
    await new Promise(r => setTimeout(r, 200));
  }
}

/**
 * Deletes the benchmark's stacks, outside the measured time: no stack
 * outlives a run, and the orders phase does not share the host with the
 * processes of the direct phase.
 */
async function deleteStacks(adminToken, prefix) {
  const mine = [];
  let cursor;
  do {
    const page = await call(
      adminToken,
      'GET',
      `/cloud/stacks?limit=500${
        cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''
      }`,
    );
    mine.push(...page.items.filter(stack => stack.name.startsWith(prefix)));
    cursor = page.nextCursor;
  } while (cursor);
  await pool(mine, stack =>
    call(adminToken, 'DELETE', `/cloud/stacks/${stack.id}`),
  );
  if (mine.length > 0) {
    console.log(`  deleted ${mine.length} stacks named ${prefix}*`);
  }
}

function elapsed(start) {
  return `${((performance.now() - start) / 1000).toFixed(1)} s`;
}

async function direct(adminToken, run) {
  const start = performance.now();
  const ids = await pool([...Array(COUNT).keys()], async i => {
    const task = await call(adminToken, 'POST', '/scaffolder/v2/tasks', {
      templateRef: args.template,
      values: { name: `bench-d${run}-${i}`, owner: OWNER },
    });
    return task.id;
  });
  console.log(`  tasks created in ${elapsed(start)}`);
  const failures = await waitAll(
    ids,
    async () => {
      const { tasks } = await call(
        adminToken,
        'GET',
        `/scaffolder/v2/tasks?createdBy=${encodeURIComponent(
          'user:default/platform-admin',
        )}&order=desc:created_at&limit=${COUNT * 2}`,
      );
      return tasks.map(t => [t.id, t.status]);
    },
    ['completed'],
    ['failed', 'cancelled'],
  );
  return { ms: performance.now() - start, failures };
}

async function orders(devToken, run) {
  const since = new Date(Date.now() - 1000).toISOString();
  const start = performance.now();
  const ids = await pool([...Array(COUNT).keys()], async i => {
    const order = await call(devToken, 'POST', '/store/orders', {
      product: args.product,
      plan: args.plan,
      provider: 'local',
      parameters: { name: `bench-o${run}-${i}`, owner: OWNER },
    });
    return order.id;
  });
  console.log(`  orders created in ${elapsed(start)}`);
  const failures = await waitAll(
    ids,
    async () => {
      const { items } = await call(
        devToken,
        'GET',
        `/store/orders?scope=mine&limit=500&createdAfter=${encodeURIComponent(
          since,
        )}`,
      );
      return items.map(o => [o.id, o.status]);
    },
    ['fulfilled'],
    ['failed', 'rejected', 'cancelled'],
  );
  return { ms: performance.now() - start, failures };
}

const run = Date.now().toString(36);
const [adminToken, devToken] = await Promise.all([
  token('platform-admin'),
  token('developer'),
]);
await deleteStacks(adminToken, 'bench-');
const d = await direct(adminToken, run);
console.log(
  `direct tasks: ${COUNT} in ${(d.ms / 1000).toFixed(1)} s, ${
    d.failures
  } failed`,
);
await deleteStacks(adminToken, `bench-d${run}-`);
const o = await orders(devToken, run);
console.log(
  `store orders: ${COUNT} in ${(o.ms / 1000).toFixed(1)} s, ${
    o.failures
  } failed`,
);
await deleteStacks(adminToken, `bench-o${run}-`);
const ratio = o.ms / d.ms;
console.log(`overhead ratio: ${ratio.toFixed(3)} (budget ${args.budget})`);
if (d.failures > 0 || o.failures > 0 || ratio > Number(args.budget)) {
  process.exitCode = 1;
}
