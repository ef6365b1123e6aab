import { KeystoneClient } from '../KeystoneClient';
import { HeatClient } from '../HeatClient';

/**
 * The cloud of `scripts/openstack.sh` (or any Keystone and Heat) as the
 * tests see it: `eval "$(scripts/openstack.sh env)"` sets these.
 */
export const testCloud = process.env.CLOUDSTORE_OPENSTACK_AUTH_URL
  ? {
      authUrl: process.env.CLOUDSTORE_OPENSTACK_AUTH_URL,
      region: process.env.CLOUDSTORE_OPENSTACK_REGION ?? 'RegionOne',
      project: process.env.CLOUDSTORE_OPENSTACK_PROJECT ?? 'cloudstore',
      domain: process.env.CLOUDSTORE_OPENSTACK_DOMAIN ?? 'Default',
      username: process.env.CLOUDSTORE_OPENSTACK_USERNAME ?? 'cloudstore',
      password: process.env.CLOUDSTORE_OPENSTACK_PASSWORD ?? '',
    }
  : undefined;

if (!testCloud) {
  // eslint-disable-next-line no-console
  console.warn(
    'SKIPPED: the OpenStack provider\'s tests against Keystone and Heat; run scripts/openstack.sh start and eval "$(scripts/openstack.sh env)" (CI does)',
  );
}

/** describe when a cloud is set up, describe.skip otherwise. */
export const describeWithOpenStack = testCloud ? describe : describe.skip;

export function testKeystone(options: { marginMs?: number } = {}) {
  const cloud = testCloud!;
  return KeystoneClient.create({
    authUrl: cloud.authUrl,
    marginMs: options.marginMs,
    credentials: () => ({
      type: 'password',
      username: cloud.username,
      password: cloud.password,
      userDomain: cloud.domain,
      project: cloud.project,
      projectDomain: cloud.domain,
    }),
  });
}

export function testHeat(keystone = testKeystone()) {
  return HeatClient.create({ keystone, region: testCloud!.region });
}

/** The contract's stack: one db node, `app_count` app nodes in a group. */
export const CONTRACT_TEMPLATE = `
heat_template_version: 2021-04-16
description: The provider contract's stack, of resources that need no other service
parameters:
  app_count:
    type: number
    default: 1
    constraints:
      - range: { min: 0, max: 8 }
resources:
  db:
    type: OS::Heat::TestResource
    properties:
      value: 10.0.0.10
  app:
    type: OS::Heat::ResourceGroup
    properties:
      count: { get_param: app_count }
      resource_def:
        type: OS::Heat::Value
        properties:
          value: 10.0.1.%index%
outputs:
  db_addresses:
    value: [{ get_attr: [db, output] }]
  db_ids:
    value: [{ get_resource: db }]
  app_addresses:
    value: { get_attr: [app, value] }
  app_ids:
    value: { get_attr: [app, refs] }
  url:
    value:
      str_replace:
        template: https://NAME.stacks.example
        params: { NAME: { get_param: 'OS::stack_name' } }
`;

/** A stack whose resource `broken` fails to create. */
export const FAILING_TEMPLATE = `
heat_template_version: 2021-04-16
resources:
  fine:
    type: OS::Heat::RandomString
  broken:
    type: OS::Heat::TestResource
    depends_on: fine
    properties:
      fail: true
      value: no configuration found
outputs:
  broken_addresses:
    value: [{ get_attr: [broken, output] }]
`;
