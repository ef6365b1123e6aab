import {
  AuthService,
  DiscoveryService,
  HttpAuthService,
  PermissionsService,
} from '@backstage/backend-plugin-api';
import { parseEntityRef, stringifyEntityRef } from '@backstage/catalog-model';
import {
  InputError,
  NotAllowedError,
  NotFoundError,
  ResponseError,
} from '@backstage/errors';
import {
  AuthorizeResult,
  PolicyDecision,
} from '@backstage/plugin-permission-common';
import { auditLogReadPermission } from '@internal/plugin-audit-common';
import express from 'express';
import Router from 'express-promise-router';
import { AccessPolicy } from '../AccessPolicy';
import { KNOWN_PERMISSIONS } from '../access/permissionCatalog';
import { CatalogPrincipals } from './CatalogPrincipals';

/**
 * Asks the plugin that owns a resource whether a conditional decision
 * allows it, the way the permission backend does for resource refs.
 */
async function applyConditions(options: {
  decision: Extract<PolicyDecision, { result: AuthorizeResult.CONDITIONAL }>;
  resourceRef: string;
  discovery: DiscoveryService;
  auth: AuthService;
}): Promise<AuthorizeResult.ALLOW | AuthorizeResult.DENY> {
  const { decision, resourceRef, discovery, auth } = options;
  const baseUrl = await discovery.getBaseUrl(decision.pluginId);
  const { token } = await auth.getPluginRequestToken({
    onBehalfOf: await auth.getOwnServiceCredentials(),
    targetPluginId: decision.pluginId,
  });
  const response = await fetch(
    `${baseUrl}/.well-known/backstage/permissions/apply-conditions`,
    {
      method: 'POST',
      headers: {
        authorization: `Bearer ${token}`,
        'content-type': 'application/json',
      },
      body: JSON.stringify({
        items: [
          {
            id: 'explain',
            resourceRef,
            resourceType: decision.resourceType,
            conditions: decision.conditions,
          },
        ],
      }),
    },
  );
  if (!response.ok) {
    throw await ResponseError.fromResponse(response);
  }
  const { items } = (await response.json()) as {
    items: Array<{ result: AuthorizeResult.ALLOW | AuthorizeResult.DENY }>;
  };
  return items[0].result;
}

function requiredString(body: Record<string, unknown>, key: string): string {
  const value = body[key];
  if (typeof value !== 'string' || !value.trim()) {
    throw new InputError(`${key} must be a non-empty string`);
  }
  return value.trim();
}

/**
 * The Access page's API under /api/permission/access, for those who may read
 * the audit log: the policies and where they are bound, a matrix of groups
 * by permissions, and "can user X do Y (on Z)?" with the statement that
 * decided.
 */
export async function createAccessRouter(options: {
  policy: AccessPolicy;
  principals: CatalogPrincipals;
  httpAuth: HttpAuthService;
  permissions: PermissionsService;
  discovery: DiscoveryService;
  auth: AuthService;
}): Promise<express.Router> {
  const { policy, principals, httpAuth, permissions, discovery, auth } =
    options;
  const router = Router();
  router.use(express.json());

  router.use('/access', async (req, _res, next) => {
    const credentials = await httpAuth.credentials(req, { allow: ['user'] });
    const [decision] = await permissions.authorize(
      [{ permission: auditLogReadPermission }],
      { credentials },
    );
    if (decision.result !== AuthorizeResult.ALLOW) {
      throw new NotAllowedError('Only administrators see the access policies');
    }
    next();
  });

  router.get('/access/policies', async (_req, res) => {
    const rules = policy.current;
    res.json({
      items: rules.listPolicies().map(p => ({
        ...p,
        boundTo: rules.bindingsOf(p.name),
      })),
    });
  });

  router.get('/access/matrix', async (_req, res) => {
    const groups = await principals.listGroups();
    const rows = await Promise.all(
      groups.map(async group => ({
        ...group,
        decisions: Object.fromEntries(
          await Promise.all(
            KNOWN_PERMISSIONS.map(async permission => {
              const { decision } = await policy.explainFor(
                permission,
                group.ref,
                [group.ref],
              );
              return [permission.name, decision.result] as const;
            }),
          ),
        ),
      })),
    );
    res.json({
      permissions: KNOWN_PERMISSIONS.map(p => ({
        name: p.name,
        action: p.attributes.action ?? 'use',
        ...(p.type === 'resource' && { resourceType: p.resourceType }),
      })),
      groups: rows,
    });
  });

  router.post('/access/explain', async (req, res) => {
    const body = (req.body ?? {}) as Record<string, unknown>;
    const user = requiredString(body, 'user');
    let userRef: string;
    try {
      const ref = parseEntityRef(user, {
        defaultKind: 'user',
        defaultNamespace: 'default',
      });
      if (ref.kind.toLocaleLowerCase('en-US') !== 'user') {
        throw new Error('not a user');
      }
      userRef = stringifyEntityRef(ref).toLocaleLowerCase('en-US');
    } catch {
      throw new InputError(`user must be a user entity ref, got '${user}'`);
    }
    const name = requiredString(body, 'permission');
    const permission = KNOWN_PERMISSIONS.find(p => p.name === name);
    if (!permission) {
      throw new InputError(`permission '${name}' is not a known permission`);
    }
    const resourceRef =
      body.resourceRef === undefined || body.resourceRef === ''
        ? undefined
        : requiredString(body, 'resourceRef');
    if (resourceRef && permission.type !== 'resource') {
      throw new InputError(
        `permission '${name}' is not about a resource, so it takes no resourceRef`,
      );
    }
    const ownership = await principals.ownershipOf(userRef);
    if (!ownership) {
      throw new NotFoundError(`The catalog has no user ${userRef}`);
    }
    const explained = await policy.explainFor(permission, userRef, ownership);
    const { decision } = explained;
    const onResource =
      resourceRef && decision.result === AuthorizeResult.CONDITIONAL
        ? await applyConditions({ decision, resourceRef, discovery, auth })
        : undefined;
    res.json({
      user: userRef,
      permission: name,
      ...explained,
      ...(resourceRef && {
        resourceRef,
        resourceResult:
          onResource ??
          (decision.result === AuthorizeResult.CONDITIONAL
            ? undefined
            : decision.result),
      }),
    });
  });

  return router;
}
