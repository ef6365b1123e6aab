import { mockServices } from '@backstage/backend-test-utils';
import { NodeFailedError } from '@internal/plugin-cloud-node';
import fs from 'node:fs';
import { resolve } from 'node:path';
import { OpenStackProvider } from './OpenStackProvider';
import {
  describeWithOpenStack,
  FAILING_TEMPLATE,
  testCloud,
  testHeat,
} from './__testUtils__/testCloud';

/**
 * HOT as it is written for real clouds: parameter groups, constraints,
 * conditions, a resource group and outputs; only resources that need no
 * other OpenStack service.
 */
const WEB_TEMPLATE = `
heat_template_version: 2021-04-16
description: A web tier of a resource group, with its database password
parameter_groups:
  - label: Sizing
    parameters: [web_count]
  - label: Options
    parameters: [environment, password_length]
parameters:
  web_count:
    type: number
    default: 2
    constraints:
      - range: { min: 1, max: 6 }
        description: one to six web nodes
  environment:
    type: string
    default: test
    constraints:
      - allowed_values: [test, production]
  password_length:
    type: number
    default: 16
conditions:
  is_production: { equals: [{ get_param: environment }, production] }
resources:
  password:
    type: OS::Heat::RandomString
    properties:
      length: { get_param: password_length }
  backup:
    type: OS::Heat::None
    condition: is_production
  web:
    type: OS::Heat::ResourceGroup
    properties:
      count: { get_param: web_count }
      resource_def:
        type: OS::Heat::TestResource
        properties:
          value: 192.168.10.%index%
          wait_secs: 0.2
outputs:
  web_addresses:
    value: { get_attr: [web, output] }
  web_ids:
    value: { get_attr: [web, refs] }
  password:
    value: { get_attr: [password, value] }
  url:
    value:
      if:
        - is_production
        - https://shop.example
        - https://shop.test.example
`;

describeWithOpenStack('OpenStackProvider with Heat', () => {
  const tag = `t${Math.random().toString(36).slice(2, 8)}`;
  const heat = testHeat();
  const provider = OpenStackProvider.create({
    id: 'openstack',
    regions: [{ region: testCloud?.region ?? 'RegionOne', heat }],
    tag,
    logger: mockServices.logger.mock(),
  });
  const region = testCloud?.region ?? 'RegionOne';
  let n = 0;
  const nextId = () => `s${(n += 1)}-${tag}`;

  afterAll(async () => {
    for (const stack of await provider.listStacks()) {
      await provider.deleteStack(stack.stackId);
    }
  }, 120_000);

  it('creates, scales by parameter, suspends, resumes and deletes a HOT stack', async () => {
    const stackId = nextId();
    const stack = await provider.deployStack({
      stackId,
      name: 'shop',
      region,
      spec: {
        roles: [{ name: 'web', count: 3 }],
        template: {
          format: 'hot',
          body: WEB_TEMPLATE,
          parameters: { environment: 'production', password_length: 24 },
        },
      },
    });
    expect(stack).toMatchObject({
      stackId,
      name: 'shop',
      region,
      state: 'running',
      url: 'https://shop.example',
    });
    expect(stack.nodes.map(node => [node.name, node.privateAddress])).toEqual([
      ['web-1', '192.168.10.0'],
      ['web-2', '192.168.10.1'],
      ['web-3', '192.168.10.2'],
    ]);
    expect(stack.nodes.every(node => node.status === 'running')).toBe(true);
    const heatStack = (await heat.getStack(`${tag}-${stackId}`))!;
    expect(heatStack.tags).toEqual([tag, `${tag}-name=shop`]);
    expect(
      heatStack.outputs!.find(o => o.output_key === 'password')!.output_value,
    ).toHaveLength(24);

    const scaled = await provider.scaleRole(stackId, 'web', 1);
    expect(scaled.nodes.map(node => node.name)).toEqual(['web-1']);
    expect(
      (await heat.getStack(`${tag}-${stackId}`))!.parameters,
    ).toMatchObject({ web_count: '1', environment: 'production' });
    await expect(provider.scaleRole(stackId, 'db', 2)).rejects.toMatchObject({
      name: 'InputError',
      message: expect.stringContaining("no parameter 'db_count'"),
    });
    // Heat checks the template's constraints on an update too
    await expect(provider.scaleRole(stackId, 'web', 7)).rejects.toMatchObject({
      name: 'InputError',
      message: expect.stringContaining('one to six web nodes'),
    });

    const stopped = await provider.stopNodes({ stackId });
    expect(stopped.state).toBe('stopped');
    expect((await heat.getStack(`${tag}-${stackId}`))!.stack_status).toBe(
      'SUSPEND_COMPLETE',
    );
    const started = await provider.startNodes({ stackId });
    expect(started.state).toBe('running');
    expect((await heat.getStack(`${tag}-${stackId}`))!.stack_status).toBe(
      'RESUME_COMPLETE',
    );

    await provider.deleteStack(stackId);
    expect(await heat.getStack(`${tag}-${stackId}`)).toBeUndefined();
    expect(await provider.getStack(stackId)).toBeUndefined();
  }, 120_000);

  it('gives the message of a template Heat rejects as an InputError', async () => {
    const stackId = nextId();
    const deploy = (body: string, parameters = {}) =>
      provider.deployStack({
        stackId,
        name: 'rejected',
        region,
        spec: {
          roles: [{ name: 'web', count: 1 }],
          template: { format: 'hot', body, parameters },
        },
      });
    await expect(
      deploy(`
heat_template_version: 2021-04-16
resources:
  server:
    type: OS::No::SuchThing
`),
    ).rejects.toMatchObject({
      name: 'InputError',
      message: expect.stringContaining('OS::No::SuchThing'),
    });
    await expect(
      deploy(WEB_TEMPLATE, { environment: 'staging' }),
    ).rejects.toMatchObject({
      name: 'InputError',
      message: expect.stringContaining('"staging" is not an allowed value'),
    });
    await expect(deploy('heat_template_version: [')).rejects.toMatchObject({
      name: 'InputError',
    });
    expect(await heat.getStack(`${tag}-${stackId}`)).toBeUndefined();
  }, 60_000);

  it("fails a stack with Heat's reason and the failed resource's events, leaving nothing", async () => {
    const stackId = nextId();
    const error = await provider
      .deployStack({
        stackId,
        name: 'failing',
        region,
        spec: {
          roles: [{ name: 'broken', count: 1 }],
          template: { format: 'hot', body: FAILING_TEMPLATE },
        },
      })
      .catch(e => e);
    expect(error).toBeInstanceOf(NodeFailedError);
    expect(error.message).toContain('CREATE_FAILED');
    expect(error.failure.logTail).toMatch(
      /^CREATE_FAILED: Resource CREATE failed: .*Test Resource failed/,
    );
    expect(error.failure.logTail).toMatch(/broken CREATE_FAILED: .*failed/);
    expect(await heat.getStack(`${tag}-${stackId}`)).toBeUndefined();
  }, 60_000);

  it('makes one Heat stack of two deploys of one stack id at once', async () => {
    const stackId = nextId();
    const request = {
      stackId,
      name: 'twice',
      region,
      spec: {
        roles: [{ name: 'web', count: 1 }],
        template: { format: 'hot' as const, body: WEB_TEMPLATE },
      },
    };
    const [a, b] = await Promise.all([
      provider.deployStack(request),
      provider.deployStack(request),
    ]);
    expect(a.nodes).toHaveLength(1);
    expect(b.nodes).toHaveLength(1);
    const ours = (await heat.listStacks([tag])).filter(
      s => s.stack_name === `${tag}-${stackId}`,
    );
    expect(ours).toHaveLength(1);
    expect((await provider.listStacks()).map(s => s.stackId)).toContain(
      stackId,
    );
    await provider.deleteStack(stackId);
  }, 60_000);

  it.each([
    [
      'three-tier-web-app/skeleton/heat/openstack.yaml',
      [
        { name: 'db', count: 1 },
        { name: 'app', count: 3 },
        { name: 'lb', count: 1 },
      ],
      { site_title: 'Our shop' },
      ['app-1', 'app-2', 'app-3', 'db-1', 'lb-1'],
      'http://10.20.2.1/',
    ],
    [
      'static-website/heat/openstack.yaml',
      [{ name: 'web', count: 1 }],
      { site_name: 'docs' },
      ['web-1'],
      'http://docs.sites.example/',
    ],
  ])(
    'deploys the HOT template of the demo product %s',
    async (file, roles, parameters, nodeNames, url) => {
      const stackId = nextId();
      const body = fs.readFileSync(
        resolve(__dirname, '../../../templates', file),
        'utf8',
      );
      const stack = await provider.deployStack({
        stackId,
        name: 'demo',
        region,
        spec: { roles, template: { format: 'hot', body, parameters } },
      });
      expect(stack.nodes.map(node => node.name).sort()).toEqual(nodeNames);
      expect(stack.url).toBe(url);
      await provider.deleteStack(stackId);
    },
    60_000,
  );

  it('refuses a spec without a HOT template', async () => {
    await expect(
      provider.deployStack({
        stackId: nextId(),
        name: 'plain',
        region,
        spec: { roles: [{ name: 'app', count: 1, runtime: 'node' }] },
      }),
    ).rejects.toMatchObject({
      name: 'InputError',
      message: expect.stringContaining('HOT'),
    });
  });
});
