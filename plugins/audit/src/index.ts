/**
 * The Cloud Store audit log page.
 *
 * @packageDocumentation
 */

export { auditPlugin as default } from './plugin';
export { auditApiRef } from './api';
export { AuditSidebarItem } from './components/AuditSidebarItem';
