import { SidebarItem } from '@backstage/core-components';
import { usePermission } from '@backstage/plugin-permission-react';
import { storeOrderAdminPermission } from '@internal/plugin-store-common';
import ListAltIcon from '@material-ui/icons/ListAlt';

/**
 * The sidebar entry of the orders administration, shown only to those
 * allowed to administer orders.
 * @public
 */
export function OrdersAdminSidebarItem() {
  const { allowed } = usePermission({ permission: storeOrderAdminPermission });
  if (!allowed) {
    return null;
  }
  return (
    <SidebarItem
      icon={ListAltIcon}
      to="/store/admin/orders"
      text="Orders admin"
    />
  );
}
