import { createPermission } from '@backstage/plugin-permission-common';

/** Read, export and verify the audit log: administrators only. @public */
export const auditLogReadPermission = createPermission({
  name: 'audit.log.read',
  attributes: { action: 'read' },
});

/** Every permission of the audit log. @public */
export const auditPermissions = [auditLogReadPermission];
