import { mockCredentials } from '@backstage/backend-test-utils';
import { PolicyQueryUser } from '@backstage/plugin-permission-node';

/**
 * A signed-in user as the permission backend hands it to a policy. The
 * policy resolves the user's groups itself, from the user info service.
 */
export function policyUser(userEntityRef: string): PolicyQueryUser {
  return {
    credentials: mockCredentials.user(userEntityRef),
    info: { userEntityRef, ownershipEntityRefs: [] },
  };
}
