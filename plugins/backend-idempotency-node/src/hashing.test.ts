import { mockCredentials } from '@backstage/backend-test-utils';
import { hashBody, principalOf } from './hashing';

describe('hashBody', () => {
  it('does not depend on the order of keys, at any depth', () => {
    expect(hashBody({ a: 1, b: { c: [1, { d: 2, e: 3 }] } })).toBe(
      hashBody({ b: { c: [1, { e: 3, d: 2 }] }, a: 1 }),
    );
    expect(hashBody({ a: [1, 2] })).not.toBe(hashBody({ a: [2, 1] }));
    expect(hashBody({ a: 1 })).not.toBe(hashBody({ a: '1' }));
    expect(hashBody(undefined)).toBe(hashBody({}));
  });
});

describe('principalOf', () => {
  it('names users by entity ref and services by subject', () => {
    expect(principalOf(mockCredentials.user('user:default/alice'))).toBe(
      'user:default/alice',
    );
    expect(principalOf(mockCredentials.service('plugin:store'))).toBe(
      'plugin:store',
    );
  });
});
