import { SidebarItem } from '@backstage/core-components';
import AccountBalanceIcon from '@material-ui/icons/AccountBalance';

/**
 * The sidebar entry of billing. Everybody has one: the backend lists only
 * the invoices and costs of the billing accounts the caller may see.
 * @public
 */
export function BillingSidebarItem() {
  return (
    <SidebarItem icon={AccountBalanceIcon} to="/store/billing" text="Billing" />
  );
}
