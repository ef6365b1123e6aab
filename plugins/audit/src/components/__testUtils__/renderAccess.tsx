import { mockApis, renderInTestApp } from '@backstage/frontend-test-utils';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import { permissionApiRef } from '@backstage/plugin-permission-react';
import { AccessApi, AccessExplanation } from '@internal/plugin-audit-common';
import { accessApiRef } from '../../api';
import { accessRouteRef, rootRouteRef } from '../../routes';
import { AccessPage } from '../AccessPage';
import { AuditSidebarItem } from '../AuditSidebarItem';
import { catalogApis, catalogMountedRoutes } from './catalog';

const EXPLANATION: AccessExplanation = {
  user: 'user:default/data-scientist',
  permission: 'cloud.command.use',
  decision: { result: 'DENY' },
  reason: 'Denied by statement 1 of NoRawCommandsForDevelopers',
  statements: [
    {
      policy: 'NoRawCommandsForDevelopers',
      policyType: 'custom',
      statement: 0,
      effect: 'deny',
      conditional: false,
      description: 'Never raw commands',
    },
  ],
};

/** Renders the Access page with a fixed set of policies and a matrix. */
export function renderAccess(options: { allowed: boolean }) {
  const explain = jest.fn<
    ReturnType<AccessApi['explain']>,
    Parameters<AccessApi['explain']>
  >(async () => EXPLANATION);
  const api: AccessApi = {
    listPolicies: jest.fn(async () => [
      {
        name: 'AdministratorAccess',
        type: 'managed' as const,
        description: 'Everything, in every plugin.',
        statements: [{ effect: 'allow' as const, permissions: ['*'] }],
        boundTo: ['group:default/platform-admins'],
      },
      {
        name: 'NoRawCommandsForDevelopers',
        type: 'custom' as const,
        description: 'Developers never run raw host commands',
        statements: [
          { effect: 'deny' as const, permissions: ['cloud.command.use'] },
        ],
        boundTo: ['group:default/developers'],
      },
      {
        name: 'StoreConsumer',
        type: 'managed' as const,
        description: 'Order from the store',
        statements: [],
        boundTo: ['*'],
      },
    ]),
    getMatrix: jest.fn(async () => ({
      permissions: [
        { name: 'cloud.command.use', action: 'use' },
        {
          name: 'cloud.stack.read',
          action: 'read',
          resourceType: 'cloud-stack',
        },
      ],
      groups: [
        {
          ref: 'group:default/developers',
          title: 'Developers',
          decisions: {
            'cloud.command.use': 'DENY' as const,
            'cloud.stack.read': 'CONDITIONAL' as const,
          },
        },
        {
          ref: 'group:default/platform-admins',
          title: 'Platform admins',
          decisions: {
            'cloud.command.use': 'ALLOW' as const,
            'cloud.stack.read': 'ALLOW' as const,
          },
        },
      ],
    })),
    explain,
  };
  const authorize = jest.fn(() =>
    options.allowed ? AuthorizeResult.ALLOW : AuthorizeResult.DENY,
  );
  renderInTestApp(
    <>
      <AuditSidebarItem />
      <AccessPage />
    </>,
    {
      apis: [
        [accessApiRef, api],
        [permissionApiRef, mockApis.permission({ authorize })],
        ...catalogApis(),
      ],
      mountedRoutes: {
        '/audit': rootRouteRef,
        '/access': accessRouteRef,
        ...catalogMountedRoutes,
      },
    },
  );
  return { api, explain };
}
