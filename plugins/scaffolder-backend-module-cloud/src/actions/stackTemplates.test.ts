import { mockCredentials } from '@backstage/backend-test-utils';
import { createMockActionContext } from '@backstage/plugin-scaffolder-node-test-utils';
import { JsonObject } from '@backstage/types';
import fs from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import {
  HeatClient,
  KeystoneClient,
} from '@internal/plugin-cloud-backend-module-openstack';
import { createCloudStackDeleteAction } from './stackDelete';
import { createCloudStackDeployAction } from './stackDeploy';
import {
  startCloudBackend,
  testOpenStack,
} from '../__testUtils__/cloudBackend';

jest.setTimeout(120_000);

const USER = 'user:default/developer';

/** A site of one web node per count, whose URL names the site. */
const HOT = `
heat_template_version: 2021-04-16
parameters:
  web_count:
    type: number
    default: 1
  site_name:
    type: string
resources:
  web:
    type: OS::Heat::ResourceGroup
    properties:
      count: { get_param: web_count }
      resource_def:
        type: OS::Heat::TestResource
        properties:
          value: 10.30.0.%index%
outputs:
  web_addresses:
    value: { get_attr: [web, output] }
  url:
    value:
      str_replace:
        template: http://$name.sites.example/
        params: { $name: { get_param: site_name } }
`;

function contextFor(input: JsonObject, workspacePath: string) {
  const ctx = createMockActionContext({
    input,
    workspacePath,
    task: { id: `task-${input.name ?? input.stackId}` },
  });
  ctx.getInitiatorCredentials = async () => mockCredentials.user(USER);
  return ctx;
}

function outputs(ctx: { output: unknown }) {
  return Object.fromEntries((ctx.output as jest.Mock).mock.calls);
}

/** A static site: runs on local from its files, on openstack from HOT. */
function siteInput(name: string, provider: string, file = 'heat/site.yaml') {
  return {
    name,
    owner: 'group:default/web-team',
    provider,
    region: provider === 'openstack' ? testOpenStack?.region ?? '' : 'local',
    stackTemplates: {
      openstack: { file, parameters: { site_name: name } },
    },
    roles: [
      {
        name: 'web',
        count: 2,
        runtime: 'static',
        entry: 'index.html',
        filesFrom: 'site',
      },
    ],
  };
}

describe('cloud:stack:deploy with stackTemplates', () => {
  let cloud: Awaited<ReturnType<typeof startCloudBackend>>;
  let workspacePath: string;
  let deploy: ReturnType<typeof createCloudStackDeployAction>;
  let remove: ReturnType<typeof createCloudStackDeleteAction>;

  beforeAll(async () => {
    cloud = await startCloudBackend({ openstack: !!testOpenStack });
    deploy = createCloudStackDeployAction(cloud);
    remove = createCloudStackDeleteAction(cloud);
    workspacePath = fs.mkdtempSync(join(os.tmpdir(), 'cloud-workspace-'));
    fs.mkdirSync(join(workspacePath, 'site'));
    fs.mkdirSync(join(workspacePath, 'heat'));
    fs.writeFileSync(join(workspacePath, 'site', 'index.html'), '<h1>hi</h1>');
    fs.writeFileSync(join(workspacePath, 'heat', 'site.yaml'), HOT);
  });

  afterAll(async () => {
    await cloud?.stop();
    fs.rmSync(workspacePath, { recursive: true, force: true });
  });

  it('keeps the roles as given on a provider without a template of its own', async () => {
    const ctx = contextFor(siteInput('plain-site', 'local'), workspacePath);
    await deploy.handler(ctx as any);
    const stack = await cloud.api.getStack(outputs(ctx).stackId, {
      token: mockCredentials.user.token(USER),
    });
    expect(stack.status).toBe('running');
    expect(stack.spec.template).toBeUndefined();
    expect(stack.spec.roles[0]).toMatchObject({
      name: 'web',
      count: 2,
      runtime: 'static',
      files: { 'index.html': '<h1>hi</h1>' },
    });
    const removed = contextFor({ stackId: stack.id }, workspacePath);
    await remove.handler(removed as any);
    expect(outputs(removed).status).toBe('deleted');
  });

  it('names the field of a template it cannot read', async () => {
    const run = (input: JsonObject) =>
      deploy.handler(contextFor(input, workspacePath) as any);
    // the chosen provider's template is read whether or not the provider is
    // set up here: the input is refused before the cloud backend is called
    await expect(
      run(siteInput('no-file', 'openstack', 'heat/missing.yaml')),
    ).rejects.toThrow(
      "stackTemplates.openstack.file: no file 'heat/missing.yaml' in the workspace",
    );
    await expect(
      run(siteInput('outside', 'openstack', '../../etc/passwd')),
    ).rejects.toThrow(
      "stackTemplates.openstack.file: '../../etc/passwd' is outside the workspace",
    );
    // a template for a provider the cloud backend does not have
    await expect(
      run({
        ...siteInput('on-mars', 'mars'),
        stackTemplates: { mars: { file: 'heat/site.yaml' } },
      }),
    ).rejects.toThrow(/Unknown provider 'mars'/);
    const stacks = await cloud.api.listStacks(
      { includeDeleted: true },
      { token: mockCredentials.user.token(USER) },
    );
    for (const name of ['no-file', 'outside', 'on-mars']) {
      expect(stacks.items.map(s => s.name)).not.toContain(name);
    }
  });

  // skipped without a Keystone and Heat (scripts/openstack.sh)
  (testOpenStack ? describe : describe.skip)('on OpenStack', () => {
    it("makes the stack from the provider's HOT template in Heat", async () => {
      const ctx = contextFor(siteInput('hot-site', 'openstack'), workspacePath);
      await deploy.handler(ctx as any);
      const out = outputs(ctx);
      expect(out.url).toBe('http://hot-site.sites.example/');
      const stack = await cloud.api.getStack(out.stackId, {
        token: mockCredentials.user.token(USER),
      });
      expect(stack.status).toBe('running');
      // the template, unchanged, and the roles with only names and counts
      expect(stack.spec).toEqual({
        roles: [{ name: 'web', count: 2 }],
        template: {
          format: 'hot',
          body: HOT,
          parameters: { site_name: 'hot-site' },
        },
      });

      const heat = HeatClient.create({
        keystone: KeystoneClient.create({
          authUrl: testOpenStack!.authUrl,
          credentials: () => ({
            type: 'password',
            username: testOpenStack!.username,
            password: process.env.CLOUDSTORE_OPENSTACK_PASSWORD ?? '',
            userDomain: testOpenStack!.domain,
            project: testOpenStack!.project,
            projectDomain: testOpenStack!.domain,
          }),
        }),
        region: testOpenStack!.region,
      });
      const inHeat = await heat.getStack(`cloudstore-${out.stackId}`);
      expect(inHeat?.stack_status).toBe('CREATE_COMPLETE');
      expect(inHeat?.parameters).toMatchObject({
        web_count: '2',
        site_name: 'hot-site',
      });

      const removed = contextFor({ stackId: out.stackId }, workspacePath);
      await remove.handler(removed as any);
      expect(outputs(removed).status).toBe('deleted');
      expect(await heat.getStack(`cloudstore-${out.stackId}`)).toBeUndefined();
    });
  });
});
