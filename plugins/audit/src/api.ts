import { createApiRef } from '@backstage/frontend-plugin-api';
import { AuditApi } from '@internal/plugin-audit-common';

/** The audit API, served by the typed client of audit-common. @public */
export const auditApiRef = createApiRef<AuditApi>({ id: 'plugin.audit' });
