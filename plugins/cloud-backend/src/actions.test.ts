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
const BLOCKED = 'user:default/blocked';
const TEAM_MEMBER = 'user:default/team-member';
const OWNER = 'group:default/team-web';

const ownedBy = createConditionFactory(isStackOwner);

/**
 * An administrator may do everything, a viewer only reads, a team member
 * reads and operates the team's stacks, an outsider sees another team's,
 * and the blocked user may do nothing.
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
    case BLOCKED:
      return { result: AuthorizeResult.DENY };
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

type Input = (stackId: string) => object;

/**
 * A case of every cloud action: its happy path as a member of the stack's
 * team, its denial (answered as the REST API answers the same request) and
 * bad input.
 */
type ActionCase = {
  happy: { input: Input; expect: (output: any, stackId: string) => void };
  denied: {
    as: string;
    input: Input;
    rest: (stackId: string) => {
      method: 'get' | 'post';
      path: string;
      body?: object;
    };
  };
  badInput: { input: Input; field: string };
};

const nodeStatus = (output: any, name: string) =>
  output.stack.nodes.find((n: { name: string }) => n.name === name)?.status;

const cloudCases: Record<string, ActionCase> = {
  'list-my-stacks': {
    happy: {
      input: () => ({}),
      expect: (output, stackId) =>
        expect(output.stacks.map((s: { id: string }) => s.id)).toEqual([
          stackId,
        ]),
    },
    denied: {
      as: BLOCKED,
      input: () => ({}),
      rest: () => ({ method: 'get', path: '/stacks' }),
    },
    badInput: { input: () => ({ owner: 5 }), field: 'owner' },
  },
  'get-stack': {
    happy: {
      input: stackId => ({ stackId }),
      expect: output =>
        expect(output.stack).toMatchObject({
          status: 'running',
          url: expect.any(String),
          nodes: expect.arrayContaining([
            expect.objectContaining({ name: 'app-1', status: 'running' }),
          ]),
        }),
    },
    denied: {
      as: OUTSIDER,
      input: stackId => ({ stackId }),
      rest: stackId => ({ method: 'get', path: `/stacks/${stackId}` }),
    },
    badInput: { input: () => ({}), field: 'stackId' },
  },
  'stop-stack': {
    happy: {
      input: stackId => ({ stackId, nodes: ['app-1'] }),
      expect: output => expect(nodeStatus(output, 'app-1')).toBe('stopped'),
    },
    denied: {
      as: VIEWER,
      input: stackId => ({ stackId }),
      rest: stackId => ({ method: 'post', path: `/stacks/${stackId}/stop` }),
    },
    badInput: { input: () => ({ nodes: ['app-1'] }), field: 'stackId' },
  },
  'start-stack': {
    happy: {
      input: stackId => ({ stackId }),
      expect: output => expect(nodeStatus(output, 'app-1')).toBe('running'),
    },
    denied: {
      as: OUTSIDER,
      input: stackId => ({ stackId }),
      rest: stackId => ({ method: 'post', path: `/stacks/${stackId}/start` }),
    },
    badInput: {
      input: stackId => ({ stackId, nodes: 'app-1' }),
      field: 'nodes',
    },
  },
  'restart-stack': {
    happy: {
      input: stackId => ({ stackId, nodes: ['app-1'], idempotencyKey: 'r1' }),
      expect: output => expect(nodeStatus(output, 'app-1')).toBe('running'),
    },
    denied: {
      as: VIEWER,
      input: stackId => ({ stackId, nodes: ['app-1'] }),
      rest: stackId => ({
        method: 'post',
        path: `/stacks/${stackId}/restart`,
        body: { nodes: ['app-1'] },
      }),
    },
    badInput: {
      input: stackId => ({ stackId, idempotencyKey: '' }),
      field: 'idempotencyKey',
    },
  },
  'scale-stack': {
    happy: {
      input: stackId => ({ stackId, role: 'app', count: 2 }),
      expect: output =>
        expect(
          output.stack.nodes.filter((n: { role: string }) => n.role === 'app'),
        ).toHaveLength(2),
    },
    denied: {
      as: VIEWER,
      input: stackId => ({ stackId, role: 'app', count: 2 }),
      rest: stackId => ({
        method: 'post',
        path: `/stacks/${stackId}/scale`,
        body: { role: 'app', count: 2 },
      }),
    },
    badInput: {
      input: stackId => ({ stackId, role: 'app', count: -1 }),
      field: 'count',
    },
  },
};

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

    const names = Object.keys(cloudCases);

    it('has a case of every action it registers, with its hints', async () => {
      const res = await request(backend.server)
        .get('/api/cloud/.backstage/actions/v1/actions')
        .set('authorization', mockCredentials.user.header(ADMIN));
      const hints = Object.fromEntries(
        res.body.actions.map(
          (a: { id: string; attributes: { destructive: boolean } }) => [
            a.id,
            a.attributes.destructive,
          ],
        ),
      );
      expect(Object.keys(hints).sort()).toEqual(
        names.map(name => `cloud:${name}`).sort(),
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

    it.each(names)('%s: the happy path', async name => {
      const { happy } = cloudCases[name];
      const res = await invoke(TEAM_MEMBER, name, happy.input(stackId));
      expect(res.body.error).toBeUndefined();
      expect(res.status).toBe(200);
      happy.expect(res.body.output, stackId);
    });

    it.each(names)('%s: a denial, answered as the REST API', async name => {
      const { denied } = cloudCases[name];
      const from = audit.length;
      const res = await invoke(denied.as, name, denied.input(stackId));
      const { method, path, body } = denied.rest(stackId);
      const rest = await request(backend.server)
        [method](`/api/cloud${path}`)
        .set('authorization', mockCredentials.user.header(denied.as))
        .send(body);
      expect([403, 404]).toContain(rest.status);
      expect(res.status).toBe(rest.status);
      expect(res.body.error.message).toBe(rest.body.error.message);
      // A refused operation is audited as a failure, once by each.
      const failed = audit.slice(from).filter(e => e.outcome === 'failed');
      expect(failed).toHaveLength(
        name.endsWith('-stack') && method === 'post' ? 2 : 0,
      );
    });

    it.each(names)('%s: bad input, naming the field', async name => {
      const { badInput } = cloudCases[name];
      const res = await invoke(TEAM_MEMBER, name, badInput.input(stackId));
      expect(res.status).toBe(400);
      expect(res.body.error.name).toBe('InputError');
      expect(res.body.error.message).toMatch(
        new RegExp(
          `^input(/${badInput.field} | must have required property '${badInput.field}')`,
        ),
      );
    });

    it('lists stacks a page at a time', async () => {
      const first = await invoke(TEAM_MEMBER, 'list-my-stacks', { limit: 1 });
      expect(first.status).toBe(200);
      expect(first.body.output.stacks.map((s: { id: string }) => s.id)).toEqual(
        [stackId],
      );
      expect(first.body.output.nextCursor).toBeUndefined();

      const tooMany = await invoke(TEAM_MEMBER, 'list-my-stacks', {
        limit: 101,
      });
      expect(tooMany.status).toBe(400);
      expect(tooMany.body.error.message).toMatch(/^input\/limit /);

      const malformed = await invoke(TEAM_MEMBER, 'list-my-stacks', {
        cursor: 'not-a-cursor',
      });
      expect(malformed.status).toBe(400);
      expect(malformed.body.error.message).toMatch(/cursor/i);
    });

    it('records the user, and that an agent sent it', async () => {
      const from = audit.length;
      const res = await invoke(TEAM_MEMBER, 'start-stack', {
        stackId,
        nodes: ['app-1'],
      });
      expect(res.status).toBe(200);
      expect(audit.slice(from)).toEqual([
        {
          eventId: 'node-start',
          meta: {
            stackId,
            nodes: ['app-1'],
            client: 'agent',
            userEntityRef: TEAM_MEMBER,
          },
          outcome: 'succeeded',
        },
      ]);
    });

    it('operates once per idempotency key, shared with the REST API', async () => {
      const from = audit.length;
      const scale = { stackId, role: 'app', count: 1, idempotencyKey: 's1' };
      const first = await invoke(TEAM_MEMBER, 'scale-stack', scale);
      expect(first.status).toBe(200);
      const again = await invoke(TEAM_MEMBER, 'scale-stack', scale);
      expect(again.status).toBe(200);
      expect(again.body.output).toEqual(first.body.output);
      const overRest = await request(backend.server)
        .post(`/api/cloud/stacks/${stackId}/scale`)
        .set('authorization', mockCredentials.user.header(TEAM_MEMBER))
        .set('idempotency-key', 's1')
        .send({ role: 'app', count: 1 });
      expect(overRest.status).toBe(200);
      expect(overRest.body.id).toBe(stackId);
      expect(
        audit.slice(from).filter(e => e.eventId === 'stack-scale'),
      ).toHaveLength(1);
      const other = await invoke(TEAM_MEMBER, 'scale-stack', {
        ...scale,
        count: 3,
      });
      expect(other.status).toBe(409);
      // Keys are the caller's: another user's same key is another request.
      const admin = await invoke(ADMIN, 'scale-stack', scale);
      expect(admin.status).toBe(200);
      expect(
        audit.slice(from).filter(e => e.eventId === 'stack-scale'),
      ).toHaveLength(2);
    });
  },
);
