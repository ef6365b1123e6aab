import {
  AuditorServiceCreateEventOptions,
  coreServices,
  createServiceFactory,
} from '@backstage/backend-plugin-api';
import {
  mockCredentials,
  mockServices,
  startTestBackend,
  TestDatabases,
} from '@backstage/backend-test-utils';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import {
  NotificationSendOptions,
  notificationService,
} from '@backstage/plugin-notifications-node';
import { MetricAlert, MonitoringOverview } from '@internal/plugin-cloud-common';
import { NodeMetricsSample, NodeRef } from '@internal/plugin-cloud-node';
import request from 'supertest';
import { FakeProvider, ORG, providerModule } from './__testUtils__/providers';
import { cloudPlugin } from './plugin';
import { cloudClockServiceRef } from './service/clock';

const OWNER = 'group:default/team-web';
const MINUTE = 60_000;

/** A provider whose nodes report what the test sets, at the test's time. */
class MeteredProvider extends FakeProvider {
  /** The figures of each node by name; a node without figures is silent. */
  readonly figures = new Map<
    string,
    { cpuSeconds: number; memoryBytes: number }
  >();

  constructor(private readonly clock: { now: number }) {
    super();
  }

  async collectMetrics(nodes: NodeRef[]): Promise<NodeMetricsSample[]> {
    return nodes.flatMap(node => {
      const figures = this.figures.get(node.nodeName);
      return figures
        ? [
            {
              ...node,
              ...figures,
              timestamp: this.clock.now,
              diskBytes: 4096,
              networkInBytes: 0,
              networkOutBytes: 0,
            },
          ]
        : [];
    });
  }
}

const databases = TestDatabases.create({ ids: ['SQLITE_3', 'POSTGRES_15'] });

describe.each(databases.eachSupportedId())('cloud alerts on %s', databaseId => {
  // a whole minute, so that samples fall in the rollups' buckets plainly
  const clock = { now: Math.floor(Date.now() / MINUTE) * MINUTE - 60 * MINUTE };
  const provider = new MeteredProvider(clock);
  const sent: NotificationSendOptions[] = [];
  const audits: AuditorServiceCreateEventOptions[] = [];
  let backend: Awaited<ReturnType<typeof startTestBackend>>;
  let collectTask: (signal: AbortSignal) => Promise<void>;
  let stackId: string;
  let cpuSeconds = 0;
  const api = () => request(backend.server);
  const admin = mockCredentials.user.header('user:default/admin');

  /**
   * A minute passes: the node reports `cpu` percent of a core over it and
   * `memoryMb`, or nothing when `cpu` is undefined; then a collection round
   * runs, as the scheduler would run it.
   */
  async function minute(cpu: number | undefined, memoryMb = 20) {
    clock.now += MINUTE;
    if (cpu === undefined) {
      provider.figures.delete('app-1');
    } else {
      cpuSeconds += (60 * cpu) / 100;
      provider.figures.set('app-1', {
        cpuSeconds,
        memoryBytes: memoryMb * 2 ** 20,
      });
    }
    await collectTask(new AbortController().signal);
  }

  async function alerts(ofStack = stackId): Promise<MetricAlert[]> {
    const res = await api()
      .get(`/api/cloud/stacks/${ofStack}/alerts`)
      .set('authorization', admin);
    expect(res.status).toBe(200);
    return res.body.items;
  }

  async function overview(): Promise<MonitoringOverview> {
    const res = await api()
      .get('/api/cloud/monitoring/overview')
      .set('authorization', admin);
    expect(res.status).toBe(200);
    return res.body;
  }

  /** The notifications of a rule, as `state` per notification. */
  function told(rule: string, stackName = 'alerted-') {
    return sent
      .filter(
        n =>
          n.payload.title.endsWith(` ${rule}`) &&
          n.payload.title.includes(`: ${stackName}`),
      )
      .map(n => ({
        to: n.recipients,
        title: n.payload.title.split(':')[0],
        severity: n.payload.severity,
      }));
  }

  beforeAll(async () => {
    const knex = await databases.init(databaseId);
    const scheduler = mockServices.scheduler.mock();
    backend = await startTestBackend({
      features: [
        cloudPlugin,
        providerModule(provider),
        catalogServiceMock.factory({ entities: ORG }),
        mockServices.database.factory({ knex }),
        scheduler.factory,
        createServiceFactory({
          service: cloudClockServiceRef,
          deps: {},
          factory: () => ({ now: () => clock.now }),
        }),
        createServiceFactory({
          service: notificationService,
          deps: {},
          factory: () => ({
            send: async (options: NotificationSendOptions) => {
              sent.push(options);
            },
          }),
        }),
        createServiceFactory({
          service: coreServices.auditor,
          deps: {},
          factory: () => ({
            createEvent: async (options: AuditorServiceCreateEventOptions) => {
              audits.push(options);
              return { success: async () => {}, fail: async () => {} };
            },
          }),
        }),
      ],
    });
    // taken now: the test runs the collection, not a clock
    collectTask = scheduler.scheduleTask.mock.calls.find(
      ([t]) => t.id === 'cloud-metrics-collect',
    )![0].fn as typeof collectTask;
    const res = await api()
      .post('/api/cloud/stacks')
      .set('authorization', mockCredentials.service.header())
      .send({
        name: `alerted-${databaseId.toLowerCase().replace(/_/g, '')}`,
        owner: OWNER,
        provider: 'fake',
        region: 'fake-1',
        spec: { roles: [{ name: 'app', count: 1, runtime: 'node' }] },
        limits: { memoryMb: 100 },
      })
      .expect(201);
    stackId = res.body.id;
    // the first reading: CPU is a rate, known from the second on
    await minute(5);
  });

  afterAll(async () => {
    await backend?.stop();
  });

  it('fires after 5 minutes of CPU above 90%, resolves when it falls, and tells the owner once of each', async () => {
    for (let i = 0; i < 5; i++) {
      await minute(95);
    }
    // above the threshold since the first of those minutes, 4 minutes ago
    expect(await alerts()).toEqual([]);
    expect(told('cpu')).toEqual([]);

    await minute(95);
    const [fired] = await alerts();
    expect(fired).toMatchObject({
      stackId,
      nodeName: 'app-1',
      rule: 'cpu',
      state: 'firing',
      since: new Date(clock.now - 5 * MINUTE).toISOString(),
      firedAt: new Date(clock.now).toISOString(),
      message: 'CPU of app-1 above 90% for 5 minutes: 95%',
    });
    expect(told('cpu')).toEqual([
      {
        to: { type: 'entity', entityRef: OWNER },
        title: 'Alert',
        severity: 'high',
      },
    ]);
    const seen = await overview();
    expect(seen.alerts).toEqual([
      { ...fired, stackName: expect.stringMatching(/^alerted-/), owner: OWNER },
    ]);
    expect(seen.busiest[0]).toMatchObject({
      stackId,
      nodeName: 'app-1',
      cpu: expect.closeTo(95, 1),
      memoryBytes: 20 * 2 ** 20,
      memoryLimitBytes: 100 * 2 ** 20,
    });

    // still firing: nothing new to tell
    await minute(97);
    expect(told('cpu')).toHaveLength(1);

    await minute(10);
    await minute(10);
    expect(await alerts()).toEqual([
      {
        ...fired,
        state: 'resolved',
        resolvedAt: new Date(clock.now - MINUTE).toISOString(),
      },
    ]);
    expect(told('cpu')).toEqual([
      expect.objectContaining({ title: 'Alert' }),
      {
        to: { type: 'entity', entityRef: OWNER },
        title: 'Resolved',
        severity: 'normal',
      },
    ]);
    expect((await overview()).alerts).toEqual([]);
    expect(
      audits
        .filter(a => a.meta?.alertId === fired.id)
        .map(a => [a.eventId, a.meta?.owner]),
    ).toEqual([
      ['alert-fire', OWNER],
      ['alert-resolve', OWNER],
    ]);
  });

  it("fires at once above 90% of the plan's memory, and after 2 minutes without a report, each resolving once", async () => {
    await minute(10, 95);
    expect(
      (await alerts()).filter(a => a.rule === 'memory' && a.state === 'firing'),
    ).toEqual([
      expect.objectContaining({
        message: 'Memory of app-1 above 90% of its limit of 100 MiB: 95 MiB',
      }),
    ]);
    expect((await overview()).nearLimits).toEqual([
      expect.objectContaining({ nodeName: 'app-1', memoryBytes: 95 * 2 ** 20 }),
    ]);
    await minute(10, 50);

    await minute(undefined);
    expect(told('not-reporting')).toEqual([]);
    await minute(undefined);
    expect(told('not-reporting')).toEqual([
      expect.objectContaining({ title: 'Alert', severity: 'high' }),
    ]);
    expect((await overview()).notReporting).toEqual([
      expect.objectContaining({
        nodeName: 'app-1',
        reportedAt: new Date(clock.now - 2 * MINUTE).toISOString(),
      }),
    ]);
    await minute(undefined);
    await minute(10, 50);
    await minute(10, 50);

    for (const rule of ['memory', 'not-reporting']) {
      expect({
        rule,
        told: told(rule).map(n => [n.to, n.title]),
      }).toEqual({
        rule,
        told: [
          [{ type: 'entity', entityRef: OWNER }, 'Alert'],
          [{ type: 'entity', entityRef: OWNER }, 'Resolved'],
        ],
      });
    }
    expect((await alerts()).map(a => [a.rule, a.state])).toEqual([
      ['not-reporting', 'resolved'],
      ['memory', 'resolved'],
      ['cpu', 'resolved'],
    ]);
    expect((await overview()).notReporting).toEqual([]);
  });

  it("judges a stack by its plan's rules where they replace the defaults", async () => {
    const name = `planned-${databaseId.toLowerCase().replace(/_/g, '')}`;
    const create = (rules: object) =>
      api()
        .post('/api/cloud/stacks')
        .set('authorization', mockCredentials.service.header())
        .send({
          name,
          owner: OWNER,
          provider: 'fake',
          region: 'fake-1',
          spec: { roles: [{ name: 'app', count: 1, runtime: 'node' }] },
          limits: { memoryMb: 100, alerts: rules },
        });
    const refused = await create({ cpu: { percent: 50, for: 'soon' } });
    expect(refused.status).toBe(400);
    expect(refused.body.error.message).toMatch(
      /^limits\.alerts\.cpu\.for is not a duration/,
    );
    // the plan: CPU above 50% for 2 minutes, where the default is 90% for 5
    const planned = (await create({ cpu: { percent: 50, for: '2m' } })).body.id;
    await minute(10);
    const before = (await alerts()).length;

    await minute(60);
    await minute(60);
    expect(await alerts(planned)).toEqual([]);
    await minute(60);
    expect(await alerts(planned)).toEqual([
      expect.objectContaining({
        rule: 'cpu',
        state: 'firing',
        since: new Date(clock.now - 2 * MINUTE).toISOString(),
        message: 'CPU of app-1 above 50% for 2 minutes: 60%',
      }),
    ]);
    expect(told('cpu', name)).toEqual([
      {
        to: { type: 'entity', entityRef: OWNER },
        title: 'Alert',
        severity: 'high',
      },
    ]);
    // the same figures on a stack under the defaults: nothing
    await minute(60);
    await minute(60);
    expect(await alerts()).toHaveLength(before);
  });
});
