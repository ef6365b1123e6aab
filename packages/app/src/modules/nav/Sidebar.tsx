import {
  Sidebar,
  SidebarDivider,
  SidebarGroup,
  SidebarItem,
  SidebarScrollWrapper,
  SidebarSpace,
} from '@backstage/core-components';
import { NavContentBlueprint } from '@backstage/plugin-app-react';
import { SidebarLogo } from './SidebarLogo';
import MenuIcon from '@material-ui/icons/Menu';
import SearchIcon from '@material-ui/icons/Search';
import ReceiptIcon from '@material-ui/icons/Receipt';
import AssignmentTurnedInIcon from '@material-ui/icons/AssignmentTurnedIn';
import { SidebarSearchModal } from '@backstage/plugin-search';
import { UserSettingsSignInAvatar } from '@backstage/plugin-user-settings';
import { NotificationsSidebarItem } from '@backstage/plugin-notifications';
import {
  BillingSidebarItem,
  OrdersAdminSidebarItem,
  SubscriptionsSidebarItem,
} from '@internal/plugin-store';
import { MonitoringSidebarItem } from '@internal/plugin-cloud';
import { AuditSidebarItem } from '@internal/plugin-audit';

export const SidebarContent = NavContentBlueprint.make({
  params: {
    component: ({ navItems }) => {
      const nav = navItems.withComponent(item => (
        <SidebarItem icon={() => item.icon} to={item.href} text={item.title} />
      ));

      // Skipped items
      nav.take('page:search'); // Using search modal instead
      nav.take('page:notifications'); // Using NotificationsSidebarItem manually instead
      // Admin pages: AuditSidebarItem shows them only to admins
      const adminPages = [
        nav.take('page:audit'),
        nav.take('page:audit/access'),
      ];

      return (
        <Sidebar>
          <SidebarLogo />
          <SidebarGroup label="Search" icon={<SearchIcon />} to="/search">
            <SidebarSearchModal />
          </SidebarGroup>
          <SidebarDivider />
          <SidebarGroup label="Menu" icon={<MenuIcon />}>
            {nav.take('page:home')}
            {nav.take('page:store')}
            {/* Sub-pages of the store's own router, so not nav items */}
            <SidebarItem
              icon={ReceiptIcon}
              to="/store/orders"
              text="My orders"
            />
            <SubscriptionsSidebarItem />
            <BillingSidebarItem />
            <SidebarItem
              icon={AssignmentTurnedInIcon}
              to="/store/approvals"
              text="Approvals"
            />
            <OrdersAdminSidebarItem />
            {nav.take('page:catalog')}
            {nav.take('page:scaffolder')}
            {nav.take('page:cloud')}
            {/* A sub-page of the cloud plugin's router, for admins only */}
            <MonitoringSidebarItem />
            {adminPages.some(Boolean) && <AuditSidebarItem />}
            <SidebarDivider />
            <SidebarScrollWrapper>
              {nav.rest({ sortBy: 'title' })}
            </SidebarScrollWrapper>
          </SidebarGroup>
          <SidebarSpace />
          <SidebarDivider />
          <NotificationsSidebarItem />
          <SidebarDivider />
          <SidebarGroup
            label="Settings"
            icon={<UserSettingsSignInAvatar />}
            to="/settings"
          >
            {nav.take('page:app-visualizer')}
            {nav.take('page:user-settings')}
          </SidebarGroup>
        </Sidebar>
      );
    },
  },
});
