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
import {
  AuthorizeResult,
  ConditionalPolicyDecision,
  Permission,
  PolicyDecision,
} from '@backstage/plugin-permission-common';
import { createConditionFactory } from '@backstage/plugin-permission-node';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import {
  CLOUD_STACK_RESOURCE_TYPE,
  cloudNodeOperatePermission,
  cloudNodeScriptRunPermission,
  cloudPermissions,
  cloudStackCreatePermission,
  cloudStackDeletePermission,
  cloudStackReadPermission,
  StackSpec,
} from '@internal/plugin-cloud-common';
import fs from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import request from 'supertest';
import { localModuleOnHost, ORG } from '../__testUtils__/providers';
import { cloudPlugin } from '../plugin';
import { isStackCreator, isStackOwner } from './permissions';

jest.setTimeout(120_000);

const SERVER = `require('http').createServer((q, s) => s.end('hello from ' + process.env.NODE_NAME)).listen(Number(process.env.PORT), '127.0.0.1');`;

const SPEC: StackSpec = {
  roles: [
    {
      name: 'db',
      count: 1,
      runtime: 'node',
      entry: 's.js',
      files: { 's.js': SERVER },
    },
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

/** A role with a raw host command, for trusted callers only. */
const RAW_ROLE = {
  name: 'app',
  count: 1,
  command: ['node', 's.js'],
  files: { 's.js': SERVER },
};

const ADMIN = 'user:default/admin';
const OPERATOR = 'user:default/operator';
const VIEWER = 'user:default/viewer';
const OUTSIDER = 'user:default/outsider';
const TEAM_MEMBER = 'user:default/team-member';
const OWNER = 'group:default/team-web';
/** Services, such as the store fulfilling an order, are allowed everything. */
const SERVICE = 'service';

const ownedBy = createConditionFactory(isStackOwner);
const createdBy = createConditionFactory(isStackCreator);

function conditional(
  conditions: ConditionalPolicyDecision['conditions'],
): PolicyDecision {
  return {
    result: AuthorizeResult.CONDITIONAL,
    pluginId: 'cloud',
    resourceType: CLOUD_STACK_RESOURCE_TYPE,
    conditions,
  };
}

const ALLOW: PolicyDecision = { result: AuthorizeResult.ALLOW };
const DENY: PolicyDecision = { result: AuthorizeResult.DENY };

/**
 * The decisions of a permission policy, per user: an administrator may do
 * everything; an operator everything but scripts; a viewer only reads; an
 * outsider sees only another team's stacks; a team member reads and operates
 * the team's stacks but runs scripts only on stacks they created and deletes
 * only another team's stacks; they deploy, but neither with raw commands nor
 * for groups they are not in.
 */
function decide(user: string, permission: Permission): PolicyDecision {
  switch (user) {
    case ADMIN:
    case SERVICE:
      return ALLOW;
    case OPERATOR:
      return permission.name === cloudNodeScriptRunPermission.name
        ? DENY
        : ALLOW;
    case VIEWER:
      return permission.name === cloudStackReadPermission.name ? ALLOW : DENY;
    case OUTSIDER:
      return permission.name === cloudStackReadPermission.name
        ? conditional(ownedBy({ owners: ['group:default/other-team'] }))
        : ALLOW;
    case TEAM_MEMBER:
      switch (permission.name) {
        case cloudStackReadPermission.name:
        case cloudNodeOperatePermission.name:
          return conditional(ownedBy({ owners: [OWNER] }));
        case cloudNodeScriptRunPermission.name:
          return conditional(createdBy({ users: [TEAM_MEMBER] }));
        case cloudStackDeletePermission.name:
          return conditional(ownedBy({ owners: ['group:default/other-team'] }));
        case cloudStackCreatePermission.name:
          return ALLOW;
        default:
          return DENY;
      }
    default:
      return DENY;
  }
}

function userOf(credentials: BackstageCredentials): string {
  if ((credentials.principal as { type: string }).type === 'service') {
    return SERVICE;
  }
  return (credentials.principal as BackstageUserPrincipal).userEntityRef;
}

/** The team member is in the team that owns the stacks. */
const userInfo = mockServices.userInfo.mock({
  async getUserInfo(credentials) {
    const ref = (credentials.principal as BackstageUserPrincipal).userEntityRef;
    return {
      userEntityRef: ref,
      ownershipEntityRefs: ref === TEAM_MEMBER ? [ref, OWNER] : [ref],
    };
  },
});

/** The permissions service of a backend whose policy is `decide`. */
const permissions = mockServices.permissions.mock({
  async authorize(requests, { credentials }) {
    return requests.map(({ permission }) => {
      const decision = decide(userOf(credentials), permission);
      if (decision.result === AuthorizeResult.CONDITIONAL) {
        throw new Error(`${permission.name} is conditional, not basic`);
      }
      return decision;
    });
  },
  async authorizeConditional(requests, { credentials }) {
    return requests.map(({ permission }) =>
      decide(userOf(credentials), permission),
    );
  },
});

interface AuditRecord {
  eventId: string;
  meta?: Record<string, unknown>;
  outcome?: 'succeeded' | 'failed';
  error?: Error;
}

const databases = TestDatabases.create({ ids: ['SQLITE_3', 'POSTGRES_15'] });

describe.each(databases.eachSupportedId())(
  'cloud API permissions on %s',
  databaseId => {
    let dataDir: string;
    let backend: Awaited<ReturnType<typeof startTestBackend>>;
    const auditor = mockServices.auditor.mock();
    const audit: AuditRecord[] = [];
    const suffix = databaseId.toLowerCase().replace(/_/g, '');
    let stackId: string;

    auditor.createEvent.mockImplementation(async ({ eventId, meta }) => {
      const record: AuditRecord = { eventId, meta };
      audit.push(record);
      return {
        // the meta of the outcome adds to the first, as Backstage's auditor
        success: async params => {
          record.outcome = 'succeeded';
          record.meta = { ...meta, ...params?.meta };
        },
        fail: async ({ error }) => {
          record.outcome = 'failed';
          record.error = error;
        },
      };
    });

    const as = (user: string) => mockCredentials.user.header(user);
    const api = () => request(backend.server);

    /** What a refused call must leave as it was. */
    async function snapshot() {
      const stack = await api()
        .get(`/api/cloud/stacks/${stackId}`)
        .set('authorization', as(ADMIN));
      const usage = await api()
        .get(`/api/cloud/usage?stackId=${stackId}`)
        .set('authorization', as(ADMIN));
      return {
        status: stack.body.status,
        deletedAt: stack.body.deletedAt,
        nodes: stack.body.nodes
          .map((n: { name: string; status: string }) => `${n.name}:${n.status}`)
          .sort(),
        usage: usage.body.items.length,
      };
    }

    /** Whether the marker file of a script run exists on db-1. */
    async function markerExists(marker: string) {
      const res = await api()
        .post(`/api/cloud/stacks/${stackId}/nodes/db-1/script`)
        .set('authorization', as(ADMIN))
        .send({
          script: `test -e ${marker} && echo present || echo absent`,
          timeoutSeconds: 10,
        });
      expect(res.status).toBe(200);
      return res.body.output.trim() === 'present';
    }

    /** The audit records written since `from`, for one event id. */
    function auditedSince(from: number, eventId: string) {
      return audit.slice(from).filter(r => r.eventId === eventId);
    }

    beforeAll(async () => {
      dataDir = fs.mkdtempSync(join(os.tmpdir(), 'cloud-permissions-'));
      const knex = await databases.init(databaseId);
      backend = await startTestBackend({
        features: [
          cloudPlugin,
          localModuleOnHost({ hostId: `host-${suffix}`, dataDir }),
          catalogServiceMock.factory({ entities: ORG }),
          userInfo.factory,
          mockServices.database.factory({ knex }),
          auditor.factory,
          permissions.factory,
          mockServices.rootConfig.factory({
            data: { cloud: { maxNodesPerRole: 5, local: { dataDir } } },
          }),
        ],
      });
      const res = await api()
        .post('/api/cloud/stacks')
        .set('authorization', as(ADMIN))
        .send({
          name: `guarded-${suffix}`,
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
        await api()
          .delete(`/api/cloud/stacks/${stackId}`)
          .set('authorization', as(ADMIN));
      }
      await backend?.stop();
      fs.rmSync(dataDir, { recursive: true, force: true });
    });

    it('audits a created stack with the stack as its target', async () => {
      const created = audit.filter(
        r =>
          r.eventId === 'stack-create' && r.meta?.name === `guarded-${suffix}`,
      );
      expect(created).toEqual([
        expect.objectContaining({
          outcome: 'succeeded',
          meta: expect.objectContaining({ stackId, owner: OWNER }),
        }),
      ]);
    });

    it('refuses a script to a user without the script permission, who may operate the stack', async () => {
      const before = await snapshot();
      const from = audit.length;
      const res = await api()
        .post(`/api/cloud/stacks/${stackId}/nodes/db-1/script`)
        .set('authorization', as(OPERATOR))
        .send({ script: 'touch operator-was-here', timeoutSeconds: 10 });
      expect(res.status).toBe(403);
      expect(res.body.error.name).toBe('NotAllowedError');

      // The attempt is audited as a failure, with the script it tried.
      const [event] = auditedSince(from, 'node-script-run');
      expect(event).toMatchObject({
        outcome: 'failed',
        meta: expect.objectContaining({
          stackId,
          node: 'db-1',
          script: 'touch operator-was-here',
        }),
      });
      expect(event.error?.name).toBe('NotAllowedError');
      expect(auditor.createEvent).toHaveBeenCalledWith(
        expect.objectContaining({
          eventId: 'node-script-run',
          severityLevel: 'high',
        }),
      );
      expect(await markerExists('operator-was-here')).toBe(false);
      expect(await snapshot()).toEqual(before);

      // The same user may stop and start a node: only scripts are refused.
      await api()
        .post(`/api/cloud/stacks/${stackId}/restart`)
        .set('authorization', as(OPERATOR))
        .send({ nodes: ['app-1'] })
        .expect(200);

      // And the same script with the permission does run.
      const allowed = await api()
        .post(`/api/cloud/stacks/${stackId}/nodes/db-1/script`)
        .set('authorization', as(ADMIN))
        .send({ script: 'touch admin-was-here', timeoutSeconds: 10 });
      expect(allowed.status).toBe(200);
      expect(await markerExists('admin-was-here')).toBe(true);
    });

    it.each([
      [
        'run a script',
        'node-script-run',
        'post',
        'nodes/db-1/script',
        { script: 'touch viewer-was-here', timeoutSeconds: 10 },
      ],
      [
        'scale a role',
        'stack-scale',
        'post',
        'scale',
        { role: 'app', count: 3 },
      ],
      ['stop nodes', 'node-stop', 'post', 'stop', {}],
      ['start nodes', 'node-start', 'post', 'start', { nodes: ['db-1'] }],
      ['restart nodes', 'node-restart', 'post', 'restart', {}],
      ['delete the stack', 'stack-delete', 'delete', '', undefined],
    ] as const)(
      'refuses a read-only user to %s with 403 and changes nothing',
      async (_, eventId, method, path, body) => {
        const before = await snapshot();
        const from = audit.length;
        const url = `/api/cloud/stacks/${stackId}${path ? `/${path}` : ''}`;
        const call = api()[method](url).set('authorization', as(VIEWER));
        const res = await (body ? call.send(body) : call);
        expect(res.status).toBe(403);
        expect(res.body.error.name).toBe('NotAllowedError');
        expect(auditedSince(from, eventId)).toEqual([
          expect.objectContaining({ outcome: 'failed' }),
        ]);
        expect(audit.slice(from).some(r => r.outcome === 'succeeded')).toBe(
          false,
        );
        expect(await snapshot()).toEqual(before);
        expect(await markerExists('viewer-was-here')).toBe(false);

        // The viewer still reads the stack and its logs.
        await api()
          .get(`/api/cloud/stacks/${stackId}`)
          .set('authorization', as(VIEWER))
          .expect(200);
        await api()
          .get(`/api/cloud/stacks/${stackId}/nodes/db-1/logs`)
          .set('authorization', as(VIEWER))
          .expect(200);
      },
    );

    it('refuses a read-only user to deploy a stack or read usage records', async () => {
      const from = audit.length;
      const created = await api()
        .post('/api/cloud/stacks')
        .set('authorization', as(VIEWER))
        .send({
          name: `viewer-${suffix}`,
          owner: OWNER,
          provider: 'local',
          region: 'local',
          spec: SPEC,
        });
      expect(created.status).toBe(403);
      expect(auditedSince(from, 'stack-create')).toEqual([
        expect.objectContaining({ outcome: 'failed' }),
      ]);
      const all = await api()
        .get('/api/cloud/stacks?includeDeleted=true')
        .set('authorization', as(ADMIN));
      expect(all.body.items.map((s: { name: string }) => s.name)).toEqual([
        `guarded-${suffix}`,
      ]);

      const usage = await api()
        .get('/api/cloud/usage')
        .set('authorization', as(VIEWER));
      expect(usage.status).toBe(403);
      const csv = await api()
        .get('/api/cloud/usage?format=csv')
        .set('authorization', as(VIEWER));
      expect(csv.status).toBe(403);
      expect(csv.text).not.toContain(stackId);
    });

    it('answers 404 to a user who may not see the stack, whatever else they may do', async () => {
      const before = await snapshot();
      const from = audit.length;
      const list = await api()
        .get('/api/cloud/stacks')
        .set('authorization', as(OUTSIDER));
      expect(list.status).toBe(200);
      expect(list.body.items).toEqual([]);
      for (const path of ['', '/nodes/db-1/logs']) {
        const res = await api()
          .get(`/api/cloud/stacks/${stackId}${path}`)
          .set('authorization', as(OUTSIDER));
        expect(res.status).toBe(404);
      }
      const script = await api()
        .post(`/api/cloud/stacks/${stackId}/nodes/db-1/script`)
        .set('authorization', as(OUTSIDER))
        .send({ script: 'touch outsider-was-here', timeoutSeconds: 10 });
      expect(script.status).toBe(404);
      expect(script.body.error.name).toBe('NotFoundError');
      const scale = await api()
        .post(`/api/cloud/stacks/${stackId}/scale`)
        .set('authorization', as(OUTSIDER))
        .send({ role: 'app', count: 2 });
      expect(scale.status).toBe(404);
      const deleted = await api()
        .delete(`/api/cloud/stacks/${stackId}`)
        .set('authorization', as(OUTSIDER));
      expect(deleted.status).toBe(404);
      expect(audit.slice(from).map(r => r.outcome)).toEqual([
        'failed',
        'failed',
        'failed',
      ]);
      expect(await snapshot()).toEqual(before);
      expect(await markerExists('outsider-was-here')).toBe(false);
    });

    it('applies conditional decisions to the stack: owner operates, only its creator runs scripts', async () => {
      const list = await api()
        .get('/api/cloud/stacks')
        .set('authorization', as(TEAM_MEMBER));
      expect(list.body.items.map((s: { id: string }) => s.id)).toEqual([
        stackId,
      ]);

      // The stack is the team's, so a team member operates it.
      const stopped = await api()
        .post(`/api/cloud/stacks/${stackId}/stop`)
        .set('authorization', as(TEAM_MEMBER))
        .send({ nodes: ['app-1'] });
      expect(stopped.status).toBe(200);
      expect(
        stopped.body.nodes.find((n: { name: string }) => n.name === 'app-1')
          .status,
      ).toBe('stopped');
      await api()
        .post(`/api/cloud/stacks/${stackId}/start`)
        .set('authorization', as(TEAM_MEMBER))
        .send({ nodes: ['app-1'] })
        .expect(200);

      // The admin created it, so the team member may not run scripts on it
      // nor delete it.
      const before = await snapshot();
      const from = audit.length;
      const script = await api()
        .post(`/api/cloud/stacks/${stackId}/nodes/db-1/script`)
        .set('authorization', as(TEAM_MEMBER))
        .send({ script: 'touch member-was-here', timeoutSeconds: 10 });
      expect(script.status).toBe(403);
      const deleted = await api()
        .delete(`/api/cloud/stacks/${stackId}`)
        .set('authorization', as(TEAM_MEMBER));
      expect(deleted.status).toBe(403);
      expect(audit.slice(from).map(r => [r.eventId, r.outcome])).toEqual([
        ['node-script-run', 'failed'],
        ['stack-delete', 'failed'],
      ]);
      expect(await snapshot()).toEqual(before);
      expect(await markerExists('member-was-here')).toBe(false);
      expect(before.status).toBe('running');
    });

    it('records the user a service deploys for as the creator, and only a service may name one', async () => {
      // a service may use raw commands
      const oneNode: StackSpec = { roles: [RAW_ROLE] };
      const body = {
        owner: OWNER,
        provider: 'local',
        region: 'local',
        spec: oneNode,
        requestedBy: TEAM_MEMBER,
      };

      const byUser = await api()
        .post('/api/cloud/stacks')
        .set('authorization', as(ADMIN))
        .send({ ...body, name: `for-member-${suffix}` });
      expect(byUser.status).toBe(400);
      expect(byUser.body.error.message).toBe(
        'requestedBy may only be set by a service; users deploy as themselves',
      );

      const forGroup = await api()
        .post('/api/cloud/stacks')
        .set('authorization', mockCredentials.service.header())
        .send({
          ...body,
          name: `for-member-${suffix}`,
          requestedBy: OWNER,
        });
      expect(forGroup.status).toBe(400);
      expect(forGroup.body.error.message).toBe(
        `requestedBy must be a user entity ref, got '${OWNER}'`,
      );
      const listed = await api()
        .get('/api/cloud/stacks')
        .set('authorization', as(ADMIN));
      expect(
        listed.body.items.map((s: { name: string }) => s.name),
      ).not.toContain(`for-member-${suffix}`);

      const created = await api()
        .post('/api/cloud/stacks')
        .set('authorization', mockCredentials.service.header())
        .send({ ...body, name: `for-member-${suffix}` });
      expect(created.status).toBe(201);
      expect(created.body.createdBy).toBe(TEAM_MEMBER);
      const usage = await api()
        .get(`/api/cloud/usage?stackId=${created.body.id}`)
        .set('authorization', as(ADMIN));
      expect(
        usage.body.items.map((r: { createdBy: string }) => r.createdBy),
      ).toEqual(expect.arrayContaining([TEAM_MEMBER]));
      expect(
        new Set(
          usage.body.items.map((r: { createdBy: string }) => r.createdBy),
        ),
      ).toEqual(new Set([TEAM_MEMBER]));
      await api()
        .delete(`/api/cloud/stacks/${created.body.id}`)
        .set('authorization', as(ADMIN))
        .expect(200);
    });

    it('refuses raw commands to a user without cloud.command.use, and creates nothing', async () => {
      const from = audit.length;
      const name = `raw-${suffix}`;
      const res = await api()
        .post('/api/cloud/stacks')
        .set('authorization', as(TEAM_MEMBER))
        .send({
          name,
          owner: OWNER,
          provider: 'local',
          region: 'local',
          spec: { roles: [RAW_ROLE] },
        });
      expect(res.status).toBe(403);
      expect(res.body.error).toMatchObject({
        name: 'NotAllowedError',
        message: expect.stringContaining('cloud.command.use'),
      });
      expect(auditedSince(from, 'stack-create')).toEqual([
        expect.objectContaining({ outcome: 'failed' }),
      ]);
      const all = await api()
        .get('/api/cloud/stacks?includeDeleted=true')
        .set('authorization', as(ADMIN));
      expect(all.body.items.map((s: { name: string }) => s.name)).not.toContain(
        name,
      );
    });

    it('lets a user give a stack to a group they are in, nested groups counting; refuses another group with 403 and an unknown one with 400', async () => {
      const body = {
        name: `finance-${suffix}`,
        provider: 'local',
        region: 'local',
        spec: { roles: [SPEC.roles[1]] },
      };
      // a group above the user's own is theirs too
      const nested = await api()
        .post('/api/cloud/stacks')
        .set('authorization', as(TEAM_MEMBER))
        .send({
          ...body,
          name: `nested-${suffix}`,
          owner: 'group:default/developers',
        });
      expect(nested.status).toBe(201);
      expect(nested.body).toMatchObject({
        owner: 'group:default/developers',
        createdBy: TEAM_MEMBER,
      });
      await api()
        .delete(`/api/cloud/stacks/${nested.body.id}`)
        .set('authorization', as(ADMIN))
        .expect(200);

      const mine = await api()
        .post('/api/cloud/stacks')
        .set('authorization', as(TEAM_MEMBER))
        .send({ ...body, owner: 'group:default/finance' });
      expect(mine.status).toBe(403);
      expect(mine.body.error.message).toBe(
        'You are not a member of group:default/finance, so you cannot create a stack it owns',
      );
      const unknown = await api()
        .post('/api/cloud/stacks')
        .set('authorization', as(TEAM_MEMBER))
        .send({ ...body, owner: 'group:default/no-such-team' });
      expect(unknown.status).toBe(400);
      expect(unknown.body.error.message).toBe(
        "No group 'group:default/no-such-team' in the catalog",
      );
      const all = await api()
        .get('/api/cloud/stacks?includeDeleted=true')
        .set('authorization', as(ADMIN));
      expect(all.body.items.map((s: { name: string }) => s.name)).not.toContain(
        body.name,
      );
    });

    it("keeps the nodes behind a stack's load balancer within its plan's instances, even for an administrator", async () => {
      const limits = {
        instances: 2,
        upgradeHint: 'order the Enterprise plan, which allows 6 instances',
      };
      const deploy = (name: string, appNodes: number) =>
        api()
          .post('/api/cloud/stacks')
          .set('authorization', mockCredentials.service.header())
          .send({
            name,
            owner: OWNER,
            provider: 'local',
            region: 'local',
            spec: {
              roles: SPEC.roles.map(r =>
                r.name === 'app' ? { ...r, count: appNodes } : r,
              ),
            },
            limits,
          });

      const tooBig = await deploy(`toobig-${suffix}`, 3);
      expect(tooBig.status).toBe(400);
      expect(tooBig.body.error.message).toBe(
        "The stack's plan allows at most 2 instances, and this would make 3 (app: 3). The limit is the plan's and binds administrators too; order the Enterprise plan, which allows 6 instances",
      );
      const all = await api()
        .get('/api/cloud/stacks?includeDeleted=true')
        .set('authorization', as(ADMIN));
      expect(all.body.items.map((s: { name: string }) => s.name)).not.toContain(
        `toobig-${suffix}`,
      );

      const fits = await deploy(`limited-${suffix}`, 2);
      expect(fits.status).toBe(201);
      expect(fits.body.limits).toEqual(limits);
      try {
        const scale = await api()
          .post(`/api/cloud/stacks/${fits.body.id}/scale`)
          .set('authorization', as(ADMIN))
          .send({ role: 'app', count: 3 });
        expect(scale.status).toBe(400);
        expect(scale.body.error.message).toMatch(
          /^The stack's plan allows at most 2 instances, and this would make 3 \(app: 3\)\. The limit is the plan's and binds administrators too; order the Enterprise plan/,
        );
        const after = await api()
          .get(`/api/cloud/stacks/${fits.body.id}`)
          .set('authorization', as(ADMIN));
        expect(
          after.body.spec.roles.map((r: { count: number }) => r.count),
        ).toEqual([1, 2, 1]);
        expect(after.body.nodes).toHaveLength(4);
        expect(after.body.limits).toEqual(limits);

        // Down is always allowed, and back up to the limit.
        await api()
          .post(`/api/cloud/stacks/${fits.body.id}/scale`)
          .set('authorization', as(ADMIN))
          .send({ role: 'app', count: 0 })
          .expect(200);
        await api()
          .post(`/api/cloud/stacks/${fits.body.id}/scale`)
          .set('authorization', as(ADMIN))
          .send({ role: 'app', count: 1 })
          .expect(200);
      } finally {
        await api()
          .delete(`/api/cloud/stacks/${fits.body.id}`)
          .set('authorization', as(ADMIN));
      }
    });

    it("replaces a stack's limits for admins and services only, validated, audited and 404 to who may not see it", async () => {
      const put = (user: string, body: object, id = stackId) =>
        api()
          .put(`/api/cloud/stacks/${id}/limits`)
          .set(
            'authorization',
            user === SERVICE ? mockCredentials.service.header() : as(user),
          )
          .send(body);
      const limitsNow = async () =>
        (
          await api()
            .get(`/api/cloud/stacks/${stackId}`)
            .set('authorization', as(ADMIN))
        ).body.limits;
      const before = await limitsNow();
      const from = audit.length;

      // Users of the stack may not raise their own plan's limits.
      for (const user of [VIEWER, TEAM_MEMBER]) {
        const refused = await put(user, { instances: 50 });
        expect(refused.status).toBe(403);
        expect(refused.body.error.name).toBe('NotAllowedError');
      }
      expect((await put(OUTSIDER, { instances: 50 })).status).toBe(404);
      expect((await put(ADMIN, { instances: 2 }, 'no-such-stack')).status).toBe(
        404,
      );
      expect(
        auditedSince(from, 'stack-limits-update').map(r => r.outcome),
      ).toEqual(['failed', 'failed', 'failed', 'failed']);
      // The contract refuses what is not a StackLimits.
      const bad = await put(ADMIN, { instances: -1 });
      expect(bad.status).toBe(400);
      expect(bad.body.error.message).toMatch(/instances must be >= 0/);
      expect((await put(ADMIN, { nodes: 3 })).status).toBe(400);
      expect(await limitsNow()).toEqual(before);

      // The store, with its service credentials, sets a changed plan's.
      const limits = { instances: 1, upgradeHint: 'order the Big plan' };
      const set = await put(SERVICE, limits);
      expect(set.status).toBe(200);
      expect(set.body.limits).toEqual(limits);
      expect(await limitsNow()).toEqual(limits);
      expect(auditedSince(from, 'stack-limits-update').at(-1)).toMatchObject({
        outcome: 'succeeded',
        meta: { stackId, limits },
      });
      // They bind at once: the stack runs one app node and may not grow.
      const scale = await api()
        .post(`/api/cloud/stacks/${stackId}/scale`)
        .set('authorization', as(ADMIN))
        .send({ role: 'app', count: 2 });
      expect(scale.status).toBe(400);
      expect(scale.body.error.message).toMatch(
        /plan allows at most 1 instances.*order the Big plan$/,
      );

      // An admin lifts them again.
      const lifted = await put(ADMIN, {});
      expect(lifted.status).toBe(200);
      expect(lifted.body.limits).toEqual({});
    });

    it('answers 400 to a runtime the provider does not offer', async () => {
      const res = await api()
        .post('/api/cloud/stacks')
        .set('authorization', mockCredentials.service.header())
        .send({
          name: `python-${suffix}`,
          owner: OWNER,
          provider: 'local',
          region: 'local',
          spec: { roles: [{ name: 'app', runtime: 'python', count: 1 }] },
        });
      expect(res.status).toBe(400);
      expect(res.body.error.message).toContain(
        "spec.roles[0].runtime 'python' is not a runtime of provider 'local'",
      );
    });

    it("shows the monitoring overview to holders of cloud.metrics.read only, and a stack's alerts to its readers", async () => {
      const overview = (user: string) =>
        api()
          .get('/api/cloud/monitoring/overview')
          .set('authorization', as(user));
      const admin = await overview(ADMIN);
      expect(admin.status).toBe(200);
      expect(admin.body).toEqual({
        busiest: expect.any(Array),
        nearLimits: expect.any(Array),
        notReporting: expect.any(Array),
        alerts: [],
      });
      expect((await overview(VIEWER)).status).toBe(403);
      expect((await overview(TEAM_MEMBER)).status).toBe(403);

      const alerts = (user: string) =>
        api()
          .get(`/api/cloud/stacks/${stackId}/alerts`)
          .set('authorization', as(user));
      const viewer = await alerts(VIEWER);
      expect(viewer.status).toBe(200);
      expect(viewer.body).toEqual({ items: [] });
      expect((await alerts(TEAM_MEMBER)).status).toBe(200);
      expect((await alerts(OUTSIDER)).status).toBe(404);
    });

    it('asked the policy about every permission of the plugin', () => {
      // Each permission was refused by a case above; a new one needs a case.
      const asked = [
        ...permissions.authorize.mock.calls,
        ...permissions.authorizeConditional.mock.calls,
      ].flatMap(([requests]) => requests.map(r => r.permission.name));
      expect(new Set(asked)).toEqual(
        new Set(cloudPermissions.map(p => p.name)),
      );
    });
  },
);
