import { SidebarItem } from '@backstage/core-components';
import CardMembershipIcon from '@material-ui/icons/CardMembership';

/**
 * The sidebar entry of the caller's subscriptions. Everybody has one: the
 * backend lists only the subscriptions the caller may see.
 * @public
 */
export function SubscriptionsSidebarItem() {
  return (
    <SidebarItem
      icon={CardMembershipIcon}
      to="/store/subscriptions"
      text="Subscriptions"
    />
  );
}
