import { mockServices, TestDatabases } from '@backstage/backend-test-utils';
import express from 'express';
import { AddressInfo } from 'node:net';
import { CloudStore, StoredStack } from '../database/CloudStore';
import { NodeHoursEvent, nodeHours, UsageReporter } from './UsageReporter';

const databases = TestDatabases.create({ ids: ['SQLITE_3', 'POSTGRES_15'] });

describe('nodeHours', () => {
  it('splits node lifetimes into stack hours with micro-hour precision', () => {
    const events = nodeHours(
      [
        { stackId: 's1', createdAt: '2026-01-10T08:30:00.000Z' },
        {
          stackId: 's1',
          createdAt: '2026-01-10T07:00:00.000Z',
          deletedAt: '2026-01-10T09:20:00.000Z',
        },
        {
          stackId: 's2',
          createdAt: '2026-01-10T09:59:59.999Z',
        },
      ],
      new Date('2026-01-10T08:00:00Z'),
      new Date('2026-01-10T10:00:00Z'),
    );
    expect(
      events.map(e => [e.stackId, e.occurredAt, e.quantity, e.id]),
    ).toEqual([
      [
        's1',
        '2026-01-10T08:00:00.000Z',
        '1.5',
        'cloud:node-hours:s1:2026-01-10T08:00:00.000Z',
      ],
      [
        's1',
        '2026-01-10T09:00:00.000Z',
        '1.333333',
        'cloud:node-hours:s1:2026-01-10T09:00:00.000Z',
      ],
      // s2's millisecond is less than half a micro-hour: nothing.
    ]);
  });
});

describe.each(databases.eachSupportedId())(
  'UsageReporter on %s',
  databaseId => {
    it('posts the hours since the last report, once, with service credentials', async () => {
      const knex = await databases.init(databaseId);
      const store = await CloudStore.create(
        mockServices.database({ knex, migrations: { skip: false } }),
      );
      const stack: StoredStack = {
        id: 's1',
        name: 's1',
        owner: 'group:default/team-web',
        provider: 'local',
        region: 'local',
        status: 'running',
        spec: { roles: [{ name: 'app', runtime: 'node', count: 1 }] },
        createdBy: 'user:default/developer',
        createdAt: '2026-01-10T07:00:00.000Z',
      };
      await store.insertStack(stack);
      await store.insertNodes([
        {
          id: 'n1',
          stackId: 's1',
          name: 'app-1',
          role: 'app',
          provider: 'local',
          region: 'local',
          status: 'running',
          createdBy: 'user:default/developer',
          createdAt: '2026-01-10T07:00:00.000Z',
        },
      ]);

      const received: Array<{ auth?: string; events: NodeHoursEvent[] }> = [];
      const app = express();
      app.use(express.json());
      app.post('/api/store/usage', (req, res) => {
        received.push({
          auth: req.headers.authorization,
          events: req.body.events,
        });
        res.json({
          accepted: req.body.events.length,
          duplicates: 0,
          rejected: [],
        });
      });
      const server = app.listen(0);
      try {
        const port = (server.address() as AddressInfo).port;
        const clock = { now: new Date('2026-01-10T10:20:00Z') };
        const reporter = UsageReporter.create({
          store,
          auth: mockServices.auth(),
          discovery: mockServices.discovery.mock({
            getBaseUrl: async id => `http://localhost:${port}/api/${id}`,
          }),
          logger: mockServices.logger.mock(),
          now: () => clock.now,
        });

        // The first report goes back a day; the node lived from 07:00.
        expect(await reporter.report()).toBe(3);
        expect(received).toHaveLength(1);
        expect(received[0].auth).toMatch(/^Bearer /);
        expect(received[0].events.map(e => [e.occurredAt, e.quantity])).toEqual(
          [
            ['2026-01-10T07:00:00.000Z', '1'],
            ['2026-01-10T08:00:00.000Z', '1'],
            ['2026-01-10T09:00:00.000Z', '1'],
          ],
        );
        // Within the same hour there is nothing new to report.
        expect(await reporter.report()).toBe(0);
        clock.now = new Date('2026-01-10T11:05:00Z');
        expect(await reporter.report()).toBe(1);
        expect(received[1].events).toEqual([
          {
            id: 'cloud:node-hours:s1:2026-01-10T10:00:00.000Z',
            stackId: 's1',
            dimension: 'node-hours',
            quantity: '1',
            occurredAt: '2026-01-10T10:00:00.000Z',
          },
        ]);
      } finally {
        server.close();
      }
    });
  },
);
