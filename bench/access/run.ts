/*
 * Benchmark of the Cloud Store access policy (issue 12).
 *
 * Two backends run in this process, each with the real permission backend:
 * one with the Cloud Store policy and the demo configuration's
 * `cloudStore.access` (app-config.yaml) over the demo organisation
 * (examples/org.yaml), one with an allow-all policy. Each round sends both
 * the same batch of 1,000 authorizations, as a plugin sends them on behalf
 * of a user (POST /api/permission/authorize, resource permissions without a
 * resource ref, so conditional decisions come back as filters), in turn, so
 * that load from other processes affects both alike. It prints the p50 of a
 * batch for each and the throughput ratio policy / allow-all (target at
 * least 0.5).
 *
 * Usage (from the repository root):
 *   yarn bench:access
 *   BENCH_ROUNDS=200 BENCH_USER=user:default/platform-admin yarn bench:access
 */
import { createBackend } from '@backstage/backend-defaults';
import { createBackendModule } from '@backstage/backend-plugin-api';
import { mockCredentials, mockServices } from '@backstage/backend-test-utils';
import { Entity, stringifyEntityRef } from '@backstage/catalog-model';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import { policyExtensionPoint } from '@backstage/plugin-permission-node/alpha';
import { mockUserInfoFromCatalog } from '@internal/plugin-catalog-node-groups/testUtils';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { parse, parseAllDocuments } from 'yaml';
import { permissionModuleStorePolicy } from '../../plugins/permission-backend-module-store-policy/src/module';
import { KNOWN_PERMISSIONS } from '../../plugins/permission-backend-module-store-policy/src/access/permissionCatalog';

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 100);
const WARMUP = 10;
const BATCH = 1_000;
const USER = process.env.BENCH_USER ?? 'user:default/data-scientist';
const ROOT = path.resolve(__dirname, '../..');

/** The demo organisation, with the memberOf relations the catalog adds. */
function demoOrganisation(): Entity[] {
  const entities = parseAllDocuments(
    fs.readFileSync(path.join(ROOT, 'examples/org.yaml'), 'utf8'),
  ).map(doc => doc.toJSON() as Entity);
  const memberOf = new Map<string, string[]>();
  for (const group of entities.filter(e => e.kind === 'Group')) {
    for (const member of (group.spec?.members as string[]) ?? []) {
      const ref = `user:default/${member}`;
      memberOf.set(ref, [
        ...(memberOf.get(ref) ?? []),
        stringifyEntityRef(group),
      ]);
    }
  }
  return entities.map(entity =>
    entity.kind === 'User'
      ? {
          ...entity,
          relations: (memberOf.get(stringifyEntityRef(entity)) ?? []).map(
            targetRef => ({ type: 'memberOf', targetRef }),
          ),
        }
      : entity,
  );
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
    server.on('error', reject);
  });
}

const allowAllPolicy = createBackendModule({
  pluginId: 'permission',
  moduleId: 'allow-all',
  register(reg) {
    reg.registerInit({
      deps: { policy: policyExtensionPoint },
      async init({ policy }) {
        policy.setPolicy({
          handle: async () => ({ result: AuthorizeResult.ALLOW }),
        });
      },
    });
  },
});

/** Starts a backend with the permission plugin and the given policy. */
async function startBackend(policyModule: typeof allowAllPolicy) {
  const port = await freePort();
  const entities = demoOrganisation();
  const access = parse(
    fs.readFileSync(path.join(ROOT, 'app-config.yaml'), 'utf8'),
  ).cloudStore.access;
  const backend = createBackend();
  backend.add(import('@backstage/plugin-permission-backend'));
  backend.add(policyModule);
  backend.add(catalogServiceMock.factory({ entities }));
  backend.add(mockServices.auth.factory());
  backend.add(mockServices.httpAuth.factory());
  // Sign-in gives users their direct groups, as the catalog says.
  backend.add(mockUserInfoFromCatalog(entities));
  backend.add(
    mockServices.rootConfig.factory({
      data: {
        backend: {
          baseUrl: `http://127.0.0.1:${port}`,
          listen: { port, host: '127.0.0.1' },
          database: { client: 'better-sqlite3', connection: ':memory:' },
        },
        permission: { enabled: true },
        cloudStore: { access },
      },
    }),
  );
  await backend.start();
  return { backend, url: `http://127.0.0.1:${port}/api/permission/authorize` };
}

/**
 * The batch: every known permission in turn, as a plugin asks for it. The
 * permission backend reads at most 100 kB of JSON a request, so the 1,000
 * go in requests of 500, sent at once.
 */
const REQUEST_SIZE = 500;
const items = Array.from({ length: BATCH }, (_, i) => ({
  id: String(i),
  permission: KNOWN_PERMISSIONS[i % KNOWN_PERMISSIONS.length],
}));
const requests = Array.from({ length: BATCH / REQUEST_SIZE }, (_, i) =>
  JSON.stringify({
    items: items.slice(i * REQUEST_SIZE, (i + 1) * REQUEST_SIZE),
  }),
);
// A user token carrying the plugin that asks on the user's behalf.
const authorization = `Bearer ${mockCredentials.user.token(USER, {
  actor: { subject: 'plugin:store' },
})}`;

async function time(url: string): Promise<number> {
  const started = performance.now();
  const answers = await Promise.all(
    requests.map(async body => {
      const res = await fetch(url, {
        method: 'POST',
        headers: { authorization, 'content-type': 'application/json' },
        body,
      });
      if (!res.ok) {
        throw new Error(`${url} answered ${res.status}: ${await res.text()}`);
      }
      return ((await res.json()) as { items: unknown[] }).items.length;
    }),
  );
  const decided = answers.reduce((a, b) => a + b, 0);
  if (decided !== BATCH) {
    throw new Error(`expected ${BATCH} decisions, got ${decided}`);
  }
  return performance.now() - started;
}

const p50 = (values: number[]) =>
  [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

async function main() {
  const policy = await startBackend(permissionModuleStorePolicy);
  const allowAll = await startBackend(allowAllPolicy);
  const results = { policy: [] as number[], allowAll: [] as number[] };
  for (let round = 0; round < WARMUP + ROUNDS; round++) {
    const a = await time(policy.url);
    const b = await time(allowAll.url);
    if (round >= WARMUP) {
      results.policy.push(a);
      results.allowAll.push(b);
    }
  }
  const policyMs = p50(results.policy);
  const allowAllMs = p50(results.allowAll);
  const ratio = allowAllMs / policyMs;
  const [load] = os.loadavg();
  /* eslint-disable no-console */
  console.log(
    `\n${BATCH} authorizations per batch for ${USER}, ${ROUNDS} rounds, load ${load.toFixed(
      1,
    )}`,
  );
  console.log(`cloud store policy  p50 ${policyMs.toFixed(1)} ms`);
  console.log(`allow-all policy    p50 ${allowAllMs.toFixed(1)} ms`);
  console.log(
    `throughput policy / allow-all: ${ratio.toFixed(2)} (target >= 0.5) ${
      ratio >= 0.5 ? 'OK' : 'MISSED'
    }`,
  );
  /* eslint-enable no-console */
  await policy.backend.stop();
  await allowAll.backend.stop();
}

main().catch(error => {
  // eslint-disable-next-line no-console
  console.error(error);
  process.exit(1);
});
