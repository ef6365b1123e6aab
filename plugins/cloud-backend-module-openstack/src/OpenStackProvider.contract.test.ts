import { mockServices } from '@backstage/backend-test-utils';
import { runCloudProviderContractTests } from '@internal/plugin-cloud-node/testUtils';
import { OpenStackProvider } from './OpenStackProvider';
import {
  CONTRACT_TEMPLATE,
  describeWithOpenStack,
  FAILING_TEMPLATE,
  testCloud,
  testHeat,
} from './__testUtils__/testCloud';

describeWithOpenStack('OpenStackProvider contract', () => {
  runCloudProviderContractTests({
    region: testCloud?.region ?? 'RegionOne',
    create: async () =>
      OpenStackProvider.create({
        id: 'openstack',
        regions: [{ region: testCloud!.region, heat: testHeat() }],
        tag: `contract${Math.random().toString(36).slice(2, 8)}`,
        logger: mockServices.logger.mock(),
      }),
    destroy: async () => {},
    spec: appCount => ({
      roles: [
        { name: 'db', count: 1 },
        { name: 'app', count: appCount },
      ],
      template: { format: 'hot', body: CONTRACT_TEMPLATE },
    }),
    failing: {
      spec: {
        roles: [{ name: 'broken', count: 1 }],
        template: { format: 'hot', body: FAILING_TEMPLATE },
      },
      failure: {
        node: 'broken',
        role: 'broken',
        exitCode: null,
        logTail: expect.stringMatching(/CREATE_FAILED[\s\S]*broken/),
      },
    },
    offersRuntimes: false,
    stopsSingleNodes: false,
    runsScripts: false,
    failFastMs: 60_000,
    timeoutMs: 120_000,
  });
});
