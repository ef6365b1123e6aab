import {
  BackstageCredentials,
  BackstageUserPrincipal,
} from '@backstage/backend-plugin-api';
import {
  mockCredentials,
  mockServices,
  startTestBackend,
  TestDatabases,
} from '@backstage/backend-test-utils';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import {
  AuthorizeResult,
  Permission,
  PolicyDecision,
} from '@backstage/plugin-permission-common';
import { createConditionFactory } from '@backstage/plugin-permission-node';
import {
  CLOUD_STACK_RESOURCE_TYPE,
  cloudNodeOperatePermission,
  cloudStackReadPermission,
  StackSpec,
} from '@internal/plugin-cloud-common';
import fs from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import request from 'supertest';
import { localModuleOnHost, ORG } from './__testUtils__/providers';
import { cloudPlugin } from './plugin';
import { isStackOwner } from './service/permissions';

jest.setTimeout(120_000);

const SERVER = `require('http').createServer((q, s) => s.end('hello from ' + process.env.NODE_NAME)).listen(Number(process.env.PORT), '127.0.0.1');`;

const SPEC: StackSpec = {
  roles: [
    {
      name: 'app',
      count: 1,
      runtime: 'node',
      entry: 's.js',
      files: { 's.js': SERVER },
    },
    { name: 'lb', runtime: 'load-balancer', count: 1, balances: 'app' },
  ],
};

const ADMIN = 'user:default/admin';
const VIEWER = 'user:default/viewer';
const OUTSIDER = 'user:default/outsider';
const TEAM_MEMBER = 'user:default/team-member';
const OWNER = 'group:default/team-web';

const ownedBy = createConditionFactory(isStackOwner);

/**
 * An administrator may do everything, a viewer only reads, a team member
 * reads and operates the team's stacks, an outsider sees another team's.
 */
function decide(user: string, permission: Permission): PolicyDecision {
  const owners = (owner: string): PolicyDecision => ({
    result: AuthorizeResult.CONDITIONAL,
    pluginId: 'cloud',
    resourceType: CLOUD_STACK_RESOURCE_TYPE,
    conditions: ownedBy({ owners: [owner] }),
  });
  const isRead = permission.name === cloudStackReadPermission.name;
  switch (user) {
    case ADMIN:
      return { result: AuthorizeResult.ALLOW };
    case VIEWER:
      return { result: isRead ? AuthorizeResult.ALLOW : AuthorizeResult.DENY };
    case TEAM_MEMBER:
      return isRead || permission.name === cloudNodeOperatePermission.name
        ? owners(OWNER)
        : { result: AuthorizeResult.DENY };
    default:
      return isRead
        ? owners('group:default/other-team')
        : { result: AuthorizeResult.DENY };
  }
}

function userOf(credentials: BackstageCredentials) {
  return (credentials.principal as BackstageUserPrincipal).userEntityRef;
}

const permissions = mockServices.permissions.mock({
  async authorize(requests, { credentials }) {
    return requests.map(({ permission }) => {
      const decision = decide(userOf(credentials), permission);
      return decision.result === AuthorizeResult.CONDITIONAL
        ? { result: AuthorizeResult.DENY }
        : decision;
    });
  },
  async authorizeConditional(requests, { credentials }) {
    return requests.map(({ permission }) =>
      decide(userOf(credentials), permission),
    );
  },
});

const databases = TestDatabases.create({ ids: ['SQLITE_3', 'POSTGRES_15'] });

describe.each(databases.eachSupportedId())(
  'cloud actions on %s',
  databaseId => {
    let dataDir: string;
    let backend: Awaited<ReturnType<typeof startTestBackend>>;
    const audit: Array<{ eventId: string; meta?: object; outcome?: string }> =
      [];
    const auditor = mockServices.auditor.mock();
    auditor.createEvent.mockImplementation(async ({ eventId, meta }) => {
      const record: (typeof audit)[number] = { eventId, meta };
      audit.push(record);
      return {
        success: async () => {
          record.outcome = 'succeeded';
        },
        fail: async () => {
          record.outcome = 'failed';
        },
      };
    });
    const suffix = databaseId.toLowerCase().replace(/_/g, '');
    let stackId: string;

    /** Invokes a cloud action as the registry's clients do, as a user. */
    const invoke = (user: string, name: string, input: object) =>
      request(backend.server)
        .post(`/api/cloud/.backstage/actions/v1/actions/cloud:${name}/invoke`)
        .set('authorization', mockCredentials.user.header(user))
        .send(input);

    beforeAll(async () => {
      dataDir = fs.mkdtempSync(join(os.tmpdir(), 'cloud-actions-'));
      const knex = await databases.init(databaseId);
      backend = await startTestBackend({
        features: [
          cloudPlugin,
          localModuleOnHost({ hostId: `host-actions-${suffix}`, dataDir }),
          catalogServiceMock.factory({ entities: ORG }),
          mockServices.database.factory({ knex }),
          auditor.factory,
          permissions.factory,
          mockServices.rootConfig.factory({
            data: { cloud: { maxNodesPerRole: 5, local: { dataDir } } },
          }),
        ],
      });
      const res = await request(backend.server)
        .post('/api/cloud/stacks')
        .set('authorization', mockCredentials.user.header(ADMIN))
        .send({
          name: `agents-${suffix}`,
          owner: OWNER,
          provider: 'local',
          region: 'local',
          spec: SPEC,
        })
        .expect(201);
      stackId = res.body.id;
    });

    afterAll(async () => {
      if (stackId) {
        await request(backend.server)
          .delete(`/api/cloud/stacks/${stackId}`)
          .set('authorization', mockCredentials.user.header(ADMIN));
      }
      await backend?.stop();
      fs.rmSync(dataDir, { recursive: true, force: true });
    });

    it('lists the actions with their hints', async () => {
      const res = await request(backend.server)
        .get('/api/cloud/.backstage/actions/v1/actions')
        .set('authorization', mockCredentials.user.header(TEAM_MEMBER));
      const hints = Object.fromEntries(
        res.body.actions.map(
          (a: { id: string; attributes: { destructive: boolean } }) => [
            a.id,
            a.attributes.destructive,
          ],
        ),
      );
      expect(hints).toEqual({
        'cloud:list-my-stacks': false,
        'cloud:get-stack': false,
        'cloud:start-stack': true,
        'cloud:stop-stack': true,
        'cloud:restart-stack': true,
        'cloud:scale-stack': true,
      });
    });

    it("lets an agent read and operate its user's team stacks", async () => {
      const mine = await invoke(TEAM_MEMBER, 'list-my-stacks', {});
      expect(mine.status).toBe(200);
      expect(mine.body.output.stacks.map((s: { id: string }) => s.id)).toEqual([
        stackId,
      ]);
      const got = await invoke(TEAM_MEMBER, 'get-stack', { stackId });
      expect(got.body.output.stack).toMatchObject({
        status: 'running',
        url: expect.any(String),
        nodes: expect.arrayContaining([
          expect.objectContaining({ name: 'app-1', status: 'running' }),
        ]),
      });

      const from = audit.length;
      const stopped = await invoke(TEAM_MEMBER, 'stop-stack', {
        stackId,
        nodes: ['app-1'],
      });
      expect(stopped.status).toBe(200);
      expect(
        stopped.body.output.stack.nodes.find(
          (n: { name: string }) => n.name === 'app-1',
        ).status,
      ).toBe('stopped');
      expect(audit.slice(from)).toEqual([
        {
          eventId: 'node-stop',
          meta: {
            stackId,
            nodes: ['app-1'],
            client: 'agent',
            userEntityRef: TEAM_MEMBER,
          },
          outcome: 'succeeded',
        },
      ]);
      const started = await invoke(TEAM_MEMBER, 'start-stack', { stackId });
      expect(started.status).toBe(200);

      const scaled = await invoke(TEAM_MEMBER, 'scale-stack', {
        stackId,
        role: 'app',
        count: 2,
      });
      expect(scaled.status).toBe(200);
      expect(
        scaled.body.output.stack.nodes.filter(
          (n: { role: string }) => n.role === 'app',
        ),
      ).toHaveLength(2);
    });

    it('answers as the REST API does to those who may not', async () => {
      const from = audit.length;
      const viewer = await invoke(VIEWER, 'stop-stack', { stackId });
      expect(viewer.status).toBe(403);
      expect(audit.slice(from)).toEqual([
        expect.objectContaining({ eventId: 'node-stop', outcome: 'failed' }),
      ]);
      const outsider = await invoke(OUTSIDER, 'get-stack', { stackId });
      expect(outsider.status).toBe(404);
      expect(outsider.body.error.message).toBe(`No stack '${stackId}'`);
      const none = await invoke(OUTSIDER, 'list-my-stacks', {});
      expect(none.body.output.stacks).toEqual([]);
    });

    it('names the field of bad input', async () => {
      const negative = await invoke(TEAM_MEMBER, 'scale-stack', {
        stackId,
        role: 'app',
        count: -1,
      });
      expect(negative.status).toBe(400);
      expect(JSON.stringify(negative.body.error)).toContain('count');
      const unknownRole = await invoke(TEAM_MEMBER, 'scale-stack', {
        stackId,
        role: 'cache',
        count: 1,
      });
      expect(unknownRole.status).toBe(400);
    });
  },
);
