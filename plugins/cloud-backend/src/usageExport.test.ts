import {
  mockCredentials,
  mockServices,
  startTestBackend,
  TestDatabases,
} from '@backstage/backend-test-utils';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import { Knex } from 'knex';
import http from 'node:http';
import { AddressInfo } from 'node:net';
import v8 from 'node:v8';
import vm from 'node:vm';
import { FakeProvider, ORG, providerModule } from './__testUtils__/providers';
import { cloudPlugin } from './plugin';

jest.setTimeout(600_000);

const STACKS = 40_000;
const NODES_PER_STACK = 4;
/** Usage records: every stack and every node. */
const RECORDS = STACKS * (1 + NODES_PER_STACK);
/**
 * How much the heap (with the buffers outside it) may grow while the
 * export runs. The records alone take some 200 MB as objects and 50 MB as
 * one CSV text: an export that holds them all exceeds it several times.
 */
const MAX_GROWTH_BYTES = 64 * 2 ** 20;

v8.setFlagsFromString('--expose-gc');
const gc: () => void = vm.runInNewContext('gc');

function memory() {
  const { heapUsed, arrayBuffers } = process.memoryUsage();
  return heapUsed + arrayBuffers;
}

/**
 * Inserts the records, each table in one INSERT whose rows the database
 * generates: 200,000 rows sent from the test would take minutes on a busy
 * PostgreSQL. Stack `s-000007`'s first node has a resource id that needs
 * quoting in CSV.
 */
async function insertUsage(knex: Knex) {
  const pg = knex.client.config.client === 'pg';
  // the ids and ISO times each dialect writes, from the row number `i`
  const stackId = pg ? `'s-' || lpad(i::text, 6, '0')` : `printf('s-%06d', i)`;
  const createdAt = pg
    ? `to_char(TIMESTAMP '2026-01-01 00:00:00' + i * INTERVAL '1 second', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`
    : `strftime('%Y-%m-%dT%H:%M:%fZ', 1767225600 + i, 'unixepoch')`;
  const rows = `WITH RECURSIVE seq(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM seq WHERE i < ${
    STACKS - 1
  })`;
  await knex.raw(
    `INSERT INTO stacks (id, name, owner, provider, region, status, spec, created_by, created_at, updated_at)
     ${rows}
     SELECT ${stackId}, 'stack-' || i, 'group:default/team-web', 'archive', 'r1', 'running',
       '{"roles":[]}', 'user:default/developer', ${createdAt}, ${createdAt}
     FROM seq`,
  );
  await knex.raw(
    `INSERT INTO nodes (id, stack_id, name, role, provider, region, provider_resource_id, status, created_by, created_at)
     ${rows}
     SELECT ${stackId} || '-n' || n, ${stackId}, 'app-' || (n + 1), 'app', 'archive', 'r1',
       CASE WHEN i = 7 AND n = 0 THEN ? ELSE 'archive:' || ${stackId} || '/app-' || n END,
       'running', 'user:default/developer', ${createdAt}
     FROM seq CROSS JOIN (SELECT 0 AS n UNION ALL SELECT 1 UNION ALL SELECT 2 UNION ALL SELECT 3) k`,
    ['=cmd|"a,b"\nc'],
  );
  const [{ count }] = await knex('nodes').count({ count: '*' });
  expect(Number(count)).toBe(STACKS * NODES_PER_STACK);
  if (pg) {
    // the statistics autovacuum would gather on tables this size
    await knex.raw('ANALYZE stacks, nodes');
  }
}

/**
 * Downloads the export, counting its lines as they come rather than keeping
 * them, and samples the process's memory at every chunk.
 */
function exportCsv(
  url: string,
  onChunk: () => void,
): Promise<{ status: number; lines: number; escaped: string[] }> {
  return new Promise((resolve, reject) => {
    const req = http.get(
      url,
      { headers: { authorization: mockCredentials.user.header() } },
      res => {
        let lines = 0;
        let partial = '';
        const escaped: string[] = [];
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => {
          onChunk();
          const text = partial + chunk;
          let start = 0;
          for (let end = text.indexOf('\n'); end >= 0; ) {
            const line = text.slice(start, end);
            // the quoted field spans two lines
            if (line.includes('s-000007-n0') || line.startsWith('c"')) {
              escaped.push(line);
            }
            lines += 1;
            start = end + 1;
            end = text.indexOf('\n', start);
          }
          partial = text.slice(start);
        });
        res.on('end', () =>
          resolve({ status: res.statusCode ?? 0, lines, escaped }),
        );
        res.on('error', reject);
      },
    );
    req.on('error', reject);
  });
}

const databases = TestDatabases.create({ ids: ['SQLITE_3', 'POSTGRES_15'] });

describe.each(databases.eachSupportedId())(
  'the usage CSV export on %s',
  databaseId => {
    let backend: Awaited<ReturnType<typeof startTestBackend>>;

    beforeAll(async () => {
      const knex = await databases.init(databaseId);
      backend = await startTestBackend({
        features: [
          cloudPlugin,
          providerModule(new FakeProvider()),
          catalogServiceMock.factory({ entities: ORG }),
          mockServices.database.factory({ knex }),
          mockServices.scheduler.factory(),
        ],
      });
      await insertUsage(knex);
    });

    afterAll(async () => {
      await backend?.stop();
    });

    it(`streams ${RECORDS} records in constant memory`, async () => {
      const { port } = backend.server.address() as AddressInfo;
      gc();
      const before = memory();
      let peak = before;
      const sample = () => {
        peak = Math.max(peak, memory());
      };
      const timer = setInterval(sample, 10);
      try {
        const result = await exportCsv(
          `http://127.0.0.1:${port}/api/cloud/usage?format=csv`,
          sample,
        );
        expect(result.status).toBe(200);
        // the header, every record, and one more line in a quoted field
        expect(result.lines).toBe(1 + RECORDS + 1);
        expect(result.escaped).toEqual([
          `node,s-000007-n0,s-000007,stack-7,app,group:default/team-web,archive,r1,"'=cmd|""a,b""`,
          `c",user:default/developer,2026-01-01T00:00:07.000Z,,`,
        ]);
      } finally {
        clearInterval(timer);
      }
      const growth = peak - before;
      // eslint-disable-next-line no-console
      console.log(
        `${databaseId}: exported ${RECORDS} records; memory grew ${(
          growth /
          2 ** 20
        ).toFixed(1)} MiB at most`,
      );
      expect(growth).toBeLessThan(MAX_GROWTH_BYTES);
    });
  },
);
