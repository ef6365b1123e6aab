import {
  coreServices,
  createServiceFactory,
} from '@backstage/backend-plugin-api';
import { Entity, stringifyEntityRef } from '@backstage/catalog-model';

/**
 * A user info service that gives each user what sign-in gives them from the
 * catalog: their own ref and the targets of their relations in `entities`,
 * that is their direct groups.
 *
 * @public
 */
export function mockUserInfoFromCatalog(entities: Entity[]) {
  return createServiceFactory({
    service: coreServices.userInfo,
    deps: {},
    factory: () => ({
      async getUserInfo(credentials) {
        const ref = (credentials.principal as { userEntityRef: string })
          .userEntityRef;
        const user = entities.find(e => stringifyEntityRef(e) === ref);
        return {
          userEntityRef: ref,
          ownershipEntityRefs: [
            ref,
            ...(user?.relations ?? []).map(r => r.targetRef),
          ],
        };
      },
    }),
  });
}
