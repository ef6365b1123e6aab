import {
  mockCredentials,
  mockServices,
  startTestBackend,
} from '@backstage/backend-test-utils';
import request from 'supertest';
import {
  createFakeProvider,
  providerModule,
} from './__testUtils__/fakeProvider';
import { readCloudBackendConfig } from './config';
import { cloudPlugin } from './plugin';

const config = (data: object) => mockServices.rootConfig({ data });

describe('readCloudBackendConfig', () => {
  it('has defaults for every key', () => {
    expect(readCloudBackendConfig(config({}))).toEqual({
      limits: { maxNodesPerRole: 10, maxScriptTimeoutSeconds: 300 },
      reconcile: {
        frequency: { minutes: 1 },
        timeout: { minutes: 5 },
        initialDelay: { minutes: 1 },
      },
    });
  });

  it('takes a reconcile frequency alone, keeping the default timeout', () => {
    expect(
      readCloudBackendConfig(
        config({ cloud: { reconcile: { frequency: { seconds: 20 } } } }),
      ).reconcile,
    ).toEqual({
      frequency: { seconds: 20 },
      timeout: { minutes: 5 },
      initialDelay: { minutes: 1 },
    });
  });

  it.each([
    [{ maxNodesPerRole: 0 }, 'cloud.maxNodesPerRole'],
    [{ maxScriptTimeoutSeconds: 1.5 }, 'cloud.maxScriptTimeoutSeconds'],
    [{ reconcile: { timeout: 'soon' } }, 'timeout'],
  ])('refuses %j', (cloud, key) => {
    expect(() => readCloudBackendConfig(config({ cloud }))).toThrow(key);
  });
});

describe('the cloud backend with every key of config.d.ts set', () => {
  const scheduler = mockServices.scheduler.mock();
  let backend: Awaited<ReturnType<typeof startTestBackend>>;
  const auth = mockCredentials.user.header('user:default/developer');

  beforeAll(async () => {
    backend = await startTestBackend({
      features: [
        cloudPlugin,
        providerModule(createFakeProvider({ id: 'fake' })),
        scheduler.factory,
        mockServices.rootConfig.factory({
          data: {
            cloud: {
              maxNodesPerRole: 2,
              maxScriptTimeoutSeconds: 7,
              reconcile: {
                frequency: { seconds: 30 },
                timeout: { minutes: 2 },
                initialDelay: { seconds: 10 },
              },
            },
          },
        }),
      ],
    });
  });

  afterAll(async () => {
    await backend?.stop();
  });

  it('honours each of them', async () => {
    expect(scheduler.scheduleTask).toHaveBeenCalledWith(
      expect.objectContaining({
        id: 'cloud-reconcile',
        frequency: { seconds: 30 },
        timeout: { minutes: 2 },
        initialDelay: { seconds: 10 },
      }),
    );

    const deploy = (count: number) =>
      request(backend.server)
        .post('/api/cloud/stacks')
        .set('authorization', auth)
        .send({
          name: `limits-${count}`,
          owner: 'group:default/web-team',
          provider: 'fake',
          region: 'here',
          spec: { roles: [{ name: 'app', count, command: ['node'] }] },
        });
    const tooMany = await deploy(3);
    expect(tooMany.status).toBe(400);
    expect(tooMany.body.error.message).toContain('from 0 to 2');
    const stack = await deploy(2);
    expect(stack.status).toBe(201);

    const scaled = await request(backend.server)
      .post(`/api/cloud/stacks/${stack.body.id}/scale`)
      .set('authorization', auth)
      .send({ role: 'app', count: 3 });
    expect(scaled.status).toBe(400);

    const script = (timeoutSeconds: number) =>
      request(backend.server)
        .post(`/api/cloud/stacks/${stack.body.id}/nodes/app-1/script`)
        .set('authorization', auth)
        .send({ script: 'true', timeoutSeconds });
    const tooLong = await script(8);
    expect(tooLong.status).toBe(400);
    expect(tooLong.body.error.message).toContain('from 1 to 7');
    expect((await script(7)).status).toBe(200);
  });
});

describe('the cloud backend with only a reconcile frequency', () => {
  it('starts, with the default timeout', async () => {
    const scheduler = mockServices.scheduler.mock();
    const backend = await startTestBackend({
      features: [
        cloudPlugin,
        scheduler.factory,
        mockServices.rootConfig.factory({
          data: { cloud: { reconcile: { frequency: { minutes: 3 } } } },
        }),
      ],
    });
    try {
      expect(scheduler.scheduleTask).toHaveBeenCalledWith(
        expect.objectContaining({
          id: 'cloud-reconcile',
          frequency: { minutes: 3 },
          timeout: { minutes: 5 },
        }),
      );
    } finally {
      await backend.stop();
    }
  });
});
