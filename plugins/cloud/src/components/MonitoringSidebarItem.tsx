import { SidebarItem } from '@backstage/core-components';
import { useRouteRef } from '@backstage/frontend-plugin-api';
import { usePermission } from '@backstage/plugin-permission-react';
import { cloudMetricsReadPermission } from '@internal/plugin-cloud-common';
import ShowChartIcon from '@material-ui/icons/ShowChart';
import { monitoringRouteRef } from '../routes';

/**
 * The sidebar entry of the monitoring overview, shown only to those allowed
 * to read every node's metrics.
 *
 * @public
 */
export function MonitoringSidebarItem() {
  const monitoring = useRouteRef(monitoringRouteRef);
  const { allowed } = usePermission({
    permission: cloudMetricsReadPermission,
  });
  if (!allowed || !monitoring) {
    return null;
  }
  return (
    <SidebarItem icon={ShowChartIcon} to={monitoring()} text="Monitoring" />
  );
}
