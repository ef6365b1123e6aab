import { SidebarItem } from '@backstage/core-components';
import { useRouteRef } from '@backstage/frontend-plugin-api';
import { usePermission } from '@backstage/plugin-permission-react';
import { auditLogReadPermission } from '@internal/plugin-audit-common';
import HistoryIcon from '@material-ui/icons/History';
import SecurityIcon from '@material-ui/icons/Security';
import { accessRouteRef, rootRouteRef } from '../routes';

/**
 * The sidebar entries of the audit log and the Access page, shown only to
 * those allowed to read the audit log.
 *
 * @public
 */
export function AuditSidebarItem() {
  const audit = useRouteRef(rootRouteRef);
  const access = useRouteRef(accessRouteRef);
  const { allowed } = usePermission({ permission: auditLogReadPermission });
  if (!allowed) {
    return null;
  }
  return (
    <>
      {access && (
        <SidebarItem icon={SecurityIcon} to={access()} text="Access" />
      )}
      {audit && (
        <SidebarItem icon={HistoryIcon} to={audit()} text="Audit log" />
      )}
    </>
  );
}
