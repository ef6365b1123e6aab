import { createApiRef } from '@backstage/frontend-plugin-api';
import { CloudApi } from '@internal/plugin-cloud-common';

export type {
  CloudApi,
  StackListFilter,
  UsageListFilter,
} from '@internal/plugin-cloud-common';

/** The cloud API, served by the typed client of cloud-common. @public */
export const cloudApiRef = createApiRef<CloudApi>({ id: 'plugin.cloud' });
