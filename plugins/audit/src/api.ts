import { createApiRef } from '@backstage/frontend-plugin-api';
import { AccessApi, AuditApi } from '@internal/plugin-audit-common';

/** The audit API, served by the typed client of audit-common. @public */
export const auditApiRef = createApiRef<AuditApi>({ id: 'plugin.audit' });

/** The access policies API of the permission backend. @public */
export const accessApiRef = createApiRef<AccessApi>({
  id: 'plugin.audit.access',
});
