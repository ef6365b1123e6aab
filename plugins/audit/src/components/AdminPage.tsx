import {
  Content,
  Header,
  Page,
  Progress,
  WarningPanel,
} from '@backstage/core-components';
import { usePermission } from '@backstage/plugin-permission-react';
import { auditLogReadPermission } from '@internal/plugin-audit-common';
import { ReactNode } from 'react';

/**
 * A page for those who may read the audit log; everyone else is told it is
 * not allowed, and its content never asks the backend.
 */
export function AdminPage(props: {
  title: string;
  subtitle: string;
  /** What others are told, e.g. "Only administrators read the audit log." */
  notAllowed: string;
  children: ReactNode;
}) {
  const permission = usePermission({ permission: auditLogReadPermission });
  return (
    <Page themeId="home">
      <Header title={props.title} subtitle={props.subtitle} />
      <Content>
        {permission.loading && <Progress />}
        {!permission.loading && !permission.allowed && (
          <WarningPanel
            severity="error"
            title="Not allowed"
            message={props.notAllowed}
          />
        )}
        {permission.allowed && props.children}
      </Content>
    </Page>
  );
}
