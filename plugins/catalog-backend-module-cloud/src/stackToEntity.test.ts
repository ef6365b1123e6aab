import {
  entitySchemaValidator,
  resourceEntityV1alpha1Validator,
} from '@backstage/catalog-model';
import { Stack } from '@internal/plugin-cloud-common';
import {
  sanitizeEntityName,
  stackOwnerRef,
  stackToEntity,
} from './stackToEntity';

const stack: Stack = {
  id: 'abc-123',
  name: 'shop-frontend',
  owner: 'team-a',
  template: 'template:default/node-app',
  provider: 'local',
  region: 'local-1',
  status: 'running',
  url: 'http://127.0.0.1:4100',
  spec: { roles: [{ name: 'app', count: 1 }] },
  createdBy: 'user:default/alice',
  createdAt: '2026-11-25T10:00:00.000Z',
};

const options = {
  appBaseUrl: 'http://localhost:3000/',
  cloudBaseUrl: 'http://localhost:7007/api/cloud',
};

describe('stackToEntity', () => {
  it('maps a stack to a valid cloud-stack Resource', async () => {
    const entity = stackToEntity(stack, options);
    expect(entity).toEqual({
      apiVersion: 'backstage.io/v1alpha1',
      kind: 'Resource',
      metadata: {
        name: 'shop-frontend',
        namespace: 'default',
        title: 'shop-frontend',
        description: 'Cloud stack on local in local-1',
        annotations: {
          'backstage.io/managed-by-location':
            'url:http://localhost:7007/api/cloud/stacks/abc-123',
          'backstage.io/managed-by-origin-location':
            'url:http://localhost:7007/api/cloud/stacks/abc-123',
          'cloudstore.io/stack-id': 'abc-123',
          'cloudstore.io/provider': 'local',
          'cloudstore.io/region': 'local-1',
          'cloudstore.io/status': 'running',
          'cloudstore.io/created-by': 'user:default/alice',
          'cloudstore.io/created-at': '2026-11-25T10:00:00.000Z',
          'cloudstore.io/template': 'template:default/node-app',
        },
        links: [
          {
            url: 'http://localhost:3000/cloud/stacks/abc-123',
            title: 'Stack page',
            icon: 'cloud',
          },
          { url: 'http://127.0.0.1:4100', title: 'Stack URL', icon: 'web' },
        ],
      },
      spec: { type: 'cloud-stack', owner: 'group:default/team-a' },
    });
    expect(() => entitySchemaValidator()(entity)).not.toThrow();
    await expect(resourceEntityV1alpha1Validator.check(entity)).resolves.toBe(
      true,
    );
  });

  it('links only the stack page when the stack has no URL', () => {
    const entity = stackToEntity({ ...stack, url: undefined }, options);
    expect(entity.metadata.links).toEqual([
      expect.objectContaining({
        url: 'http://localhost:3000/cloud/stacks/abc-123',
      }),
    ]);
  });
});

describe('stackOwnerRef', () => {
  it('keeps a full owner ref', () => {
    expect(stackOwnerRef({ ...stack, owner: 'group:ops/sre' })).toBe(
      'group:ops/sre',
    );
  });

  it('falls back to the configured default, then to the creator', () => {
    const ownerless = { ...stack, owner: '' };
    expect(stackOwnerRef(ownerless, 'platform')).toBe('group:default/platform');
    expect(stackOwnerRef(ownerless)).toBe('user:default/alice');
    expect(stackOwnerRef({ ...ownerless, createdBy: 'alice' })).toBe(
      'user:default/alice',
    );
  });
});

describe('sanitizeEntityName', () => {
  it.each([
    ['shop-frontend', 'shop-frontend'],
    ['My Stack!', 'My-Stack'],
    ['--a..b__c--', 'a-b-c'],
    ['***', 'stack'],
    ['x'.repeat(80), 'x'.repeat(63)],
  ])('%s becomes %s', (raw, expected) => {
    expect(sanitizeEntityName(raw)).toBe(expected);
  });
});
