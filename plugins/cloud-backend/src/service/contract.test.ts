import {
  mockCredentials,
  startTestBackend,
} from '@backstage/backend-test-utils';
import { NodeFailedError } from '@internal/plugin-cloud-node';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import request from 'supertest';
import { FakeProvider, ORG, providerModule } from '../__testUtils__/providers';
import { cloudPlugin } from '../plugin';
import { spec } from '../schema/openapi.generated';
import { createRouter, RouterOptions } from './router';

const METHODS = ['get', 'post', 'put', 'patch', 'delete'];

/** A provider whose nodes never become healthy. */
const failing = new FakeProvider();
failing.deployError = new NodeFailedError('Node app-1 exited with code 3', {
  stackId: 'provider-side-id',
  node: 'app-1',
  role: 'app',
  exitCode: 3,
  logTail: 'Error: no database\n',
});

describe('the cloud API contract', () => {
  it('serves every operation of openapi.yaml, and nothing it does not describe', async () => {
    const router = await createRouter({
      permissionsRegistry: { getPermissionRuleset: () => ({}) },
    } as unknown as RouterOptions);
    const served = router.stack
      .filter(layer => layer.route)
      .flatMap(layer =>
        Object.keys((layer.route as any).methods).map(
          method => `${method} ${layer.route!.path}`,
        ),
      )
      .filter(route => route !== 'get /openapi.json');
    const described = Object.entries(spec.paths).flatMap(([path, item]) =>
      METHODS.filter(method => method in item).map(
        method => `${method} ${path.replace(/\{(\w+)\}/g, ':$1')}`,
      ),
    );
    expect(served.sort()).toEqual(described.sort());
  });

  describe('on a backend', () => {
    let backend: Awaited<ReturnType<typeof startTestBackend>>;
    const auth = mockCredentials.user.header('user:default/developer');

    beforeAll(async () => {
      backend = await startTestBackend({
        features: [
          cloudPlugin,
          providerModule(failing),
          catalogServiceMock.factory({ entities: ORG }),
        ],
      });
    });

    afterAll(async () => {
      await backend?.stop();
    });

    const body = {
      name: 'never-up',
      owner: 'group:default/team-web',
      provider: 'fake',
      region: 'fake-1',
      spec: {
        roles: [{ name: 'app', count: 1, runtime: 'node', entry: 'a.js' }],
      },
    };

    it('answers a node that did not become healthy with 422 and what is known of it', async () => {
      const res = await request(backend.server)
        .post('/api/cloud/stacks')
        .set('authorization', auth)
        .send(body);
      expect(res.status).toBe(422);
      expect(res.body.error).toMatchObject({
        name: 'NodeFailedError',
        failure: {
          node: 'app-1',
          role: 'app',
          exitCode: 3,
          logTail: 'Error: no database\n',
        },
      });
      const stack = await request(backend.server)
        .get(`/api/cloud/stacks/${res.body.error.failure.stackId}`)
        .set('authorization', auth);
      expect(stack.body).toMatchObject({
        name: 'never-up',
        status: 'failed',
      });
    });

    it.each([
      [
        'a role field the spec does not have',
        { kind: 'process' },
        'roles/0 must NOT have additional properties',
      ],
      ['a role name that is not a label', { name: 'App_1' }, 'roles/0/name'],
      ['a count that is not an integer', { count: 1.5 }, 'roles/0/count'],
      [
        'an empty command',
        { runtime: undefined, command: [] },
        'roles/0/command',
      ],
    ])('refuses %s with a 400 that says where', async (_, patch, field) => {
      const res = await request(backend.server)
        .post('/api/cloud/stacks')
        .set('authorization', auth)
        .send({
          ...body,
          spec: { roles: [{ ...body.spec.roles[0], ...patch }] },
        });
      expect(res.status).toBe(400);
      expect(res.body.error.name).toBe('InputError');
      expect(res.body.error.message).toContain(field);
    });

    it.each([
      ['from=2026-11-01', 200],
      ['from=2026-11-01T10:00:00Z&to=2026-11-30', 200],
      ['from=yesterday', 400],
      ['kind=disk', 400],
      ['colour=blue', 400],
    ])('answers usage?%s with %s', async (query, status) => {
      const res = await request(backend.server)
        .get(`/api/cloud/usage?${query}`)
        .set('authorization', auth);
      expect(res.status).toBe(status);
    });
  });
});
