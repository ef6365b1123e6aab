import { SidebarItem } from '@backstage/core-components';
import { useRouteRef } from '@backstage/frontend-plugin-api';
import { usePermission } from '@backstage/plugin-permission-react';
import { auditLogReadPermission } from '@internal/plugin-audit-common';
import HistoryIcon from '@material-ui/icons/History';
import { rootRouteRef } from '../routes';

/**
 * The sidebar entry of the audit log, shown only to those allowed to read
 * it.
 *
 * @public
 */
export function AuditSidebarItem() {
  const audit = useRouteRef(rootRouteRef);
  const { allowed } = usePermission({ permission: auditLogReadPermission });
  if (!allowed || !audit) {
    return null;
  }
  return <SidebarItem icon={HistoryIcon} to={audit()} text="Audit log" />;
}
