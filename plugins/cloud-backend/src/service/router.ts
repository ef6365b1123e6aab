import {
  AuditorService,
  BackstageCredentials,
  HttpAuthService,
  PermissionsRegistryService,
  PermissionsService,
} from '@backstage/backend-plugin-api';
import { NotAllowedError } from '@backstage/errors';
import {
  AuthorizeResult,
  BasicPermission,
  ResourcePermission,
} from '@backstage/plugin-permission-common';
import {
  cloudNodeOperatePermission,
  cloudMetricsReadPermission,
  cloudNodeScriptRunPermission,
  cloudStackCreatePermission,
  cloudStackDeletePermission,
  cloudStackLimitsManagePermission,
  cloudStackReadPermission,
  cloudUsageReadPermission,
  UsageRecord,
} from '@internal/plugin-cloud-common';
import {
  canonical,
  IdempotencyStore,
} from '@internal/backend-idempotency-node';
import express, { Request } from 'express';
import { CloudStore } from '../database/CloudStore';
import { createOpenApiRouter } from '../schema/openapi.generated';
import { createIdempotency, inventoryKeyOf } from './idempotency';
import { MetricsService } from './MetricsService';
import { ProviderRegistry } from './ProviderRegistry';
import { StackAccess } from './StackAccess';
import { StackService } from './StackService';

export interface RouterOptions {
  stacks: StackService;
  store: CloudStore;
  idempotency: IdempotencyStore;
  providers: ProviderRegistry;
  httpAuth: HttpAuthService;
  permissions: PermissionsService;
  permissionsRegistry: PermissionsRegistryService;
  auditor: AuditorService;
  metrics: MetricsService;
}

function toCsv(records: UsageRecord[]): string {
  const columns: Array<keyof UsageRecord> = [
    'kind',
    'id',
    'stackId',
    'stackName',
    'role',
    'owner',
    'provider',
    'region',
    'providerResourceId',
    'createdBy',
    'createdAt',
    'deletedBy',
    'deletedAt',
  ];
  const cell = (value: unknown) => {
    const text = value === undefined ? '' : String(value);
    return /[",\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
  };
  return [
    columns.join(','),
    ...records.map(r => columns.map(c => cell(r[c])).join(',')),
  ].join('\n');
}

/**
 * The REST API of the cloud backend, generated from and validated against
 * schema/openapi.yaml.
 */
export async function createRouter(
  options: RouterOptions,
): Promise<express.Router> {
  const { stacks, store, providers, httpAuth, permissions, metrics } = options;
  const access = StackAccess.create(options);
  const idempotent = createIdempotency(options.idempotency);

  // Stack specs carry the files of their nodes.
  const router = await createOpenApiRouter({
    middleware: [express.json({ limit: '5mb' })],
  });

  async function authorizeBasic(req: Request, permission: BasicPermission) {
    const credentials = await httpAuth.credentials(req);
    const [decision] = await permissions.authorize([{ permission }], {
      credentials,
    });
    if (decision.result !== AuthorizeResult.ALLOW) {
      throw new NotAllowedError();
    }
    return credentials;
  }

  function authorizeStack(
    req: Request,
    credentials: BackstageCredentials,
    permission: ResourcePermission,
  ) {
    return access.authorize(credentials, req.params.stackId, permission);
  }

  function audited<T>(
    req: Request,
    eventId: string,
    meta: Record<string, unknown>,
    fn: () => Promise<T>,
    severityLevel: 'low' | 'medium' | 'high' | 'critical' = 'medium',
  ): Promise<T> {
    return access.audited({ eventId, meta, request: req, severityLevel }, fn);
  }

  router.get('/providers', async (req, res) => {
    await httpAuth.credentials(req);
    res.json({ items: providers.describe() });
  });

  router.get('/stacks', async (req, res) => {
    const credentials = await httpAuth.credentials(req);
    const q = req.query;
    const items = await access.list(credentials, {
      owner: q.owner,
      status: q.status,
      provider: q.provider,
      region: q.region,
      template: q.template,
      createdBy: q.createdBy,
      includeDeleted: String(q.includeDeleted) === 'true',
    });
    res.json({ items });
  });

  router.post('/stacks', async (req, res) => {
    const credentials = await httpAuth.credentials(req);
    // in one order of keys, as the inventory compares it with a deploy that
    // a crash cut off
    const { requestedBy, ...body } = canonical(req.body);
    const key = req.header('idempotency-key');
    const inventoryKey = inventoryKeyOf(credentials, key);
    const create = () =>
      audited(
        req,
        'stack-create',
        {
          name: body.name,
          owner: body.owner,
          provider: body.provider,
          region: body.region,
          template: body.template,
          idempotencyKey: key,
        },
        async () => {
          await authorizeBasic(req, cloudStackCreatePermission);
          const result = await stacks.create(
            body,
            { credentials, requestedBy },
            inventoryKey,
          );
          return { status: result.created ? 201 : 200, body: result.stack };
        },
      );
    const response = await idempotent(req, credentials, create, {
      // the inventory knows the stack of a deploy that a crash cut off
      whenInProgress: create,
    });
    res.status(response.status).json(response.body as any);
  });

  router.get('/stacks/:stackId', async (req, res) => {
    const credentials = await httpAuth.credentials(req);
    res.json(await authorizeStack(req, credentials, cloudStackReadPermission));
  });

  router.delete('/stacks/:stackId', async (req, res) => {
    const credentials = await httpAuth.credentials(req);
    const response = await idempotent(req, credentials, () =>
      audited(
        req,
        'stack-delete',
        { stackId: req.params.stackId },
        async () => {
          const stack = await authorizeStack(
            req,
            credentials,
            cloudStackDeletePermission,
          );
          return {
            status: 200,
            body: await stacks.delete(stack.id, credentials),
          };
        },
      ),
    );
    res.status(response.status).json(response.body as any);
  });

  for (const operation of ['start', 'stop', 'restart'] as const) {
    router.post(`/stacks/:stackId/${operation}`, async (req, res) => {
      const credentials = await httpAuth.credentials(req);
      const nodes = req.body?.nodes;
      const response = await idempotent(req, credentials, () =>
        audited(
          req,
          `node-${operation}`,
          { stackId: req.params.stackId, nodes: nodes ?? 'all' },
          async () => {
            const stack = await authorizeStack(
              req,
              credentials,
              cloudNodeOperatePermission,
            );
            return {
              status: 200,
              body: await stacks.operate(
                stack.id,
                operation,
                nodes,
                credentials,
              ),
            };
          },
        ),
      );
      res.status(response.status).json(response.body as any);
    });
  }

  router.post('/stacks/:stackId/scale', async (req, res) => {
    const credentials = await httpAuth.credentials(req);
    const { role, count } = req.body;
    const response = await idempotent(req, credentials, () =>
      audited(
        req,
        'stack-scale',
        { stackId: req.params.stackId, role, count },
        async () => {
          const stack = await authorizeStack(
            req,
            credentials,
            cloudNodeOperatePermission,
          );
          return {
            status: 200,
            body: await stacks.scale(stack.id, role, count, credentials),
          };
        },
      ),
    );
    res.status(response.status).json(response.body as any);
  });

  // Limits come from the stack's plan: only admins and services (the store,
  // when a subscription changes plans) replace them, never the stack's users.
  router.put('/stacks/:stackId/limits', async (req, res) => {
    const credentials = await httpAuth.credentials(req);
    const stack = await audited(
      req,
      'stack-limits-update',
      { stackId: req.params.stackId, limits: req.body },
      async () => {
        const readable = await authorizeStack(
          req,
          credentials,
          cloudStackReadPermission,
        );
        await authorizeBasic(req, cloudStackLimitsManagePermission);
        return stacks.setLimits(readable.id, req.body);
      },
      'high',
    );
    res.json(stack);
  });

  router.post('/stacks/:stackId/nodes/:nodeName/script', async (req, res) => {
    const credentials = await httpAuth.credentials(req);
    const { script } = req.body;
    const timeoutSeconds = req.body.timeoutSeconds ?? 60;
    const response = await idempotent(req, credentials, () =>
      audited(
        req,
        'node-script-run',
        {
          stackId: req.params.stackId,
          node: req.params.nodeName,
          script,
          timeoutSeconds,
        },
        async () => {
          const stack = await authorizeStack(
            req,
            credentials,
            cloudNodeScriptRunPermission,
          );
          return {
            status: 200,
            body: await stacks.runScript(
              stack.id,
              req.params.nodeName,
              script,
              timeoutSeconds,
              credentials,
            ),
          };
        },
        'high',
      ),
    );
    res.status(response.status).json(response.body as any);
  });

  router.get('/stacks/:stackId/nodes/:nodeName/logs', async (req, res) => {
    const credentials = await httpAuth.credentials(req);
    const stack = await authorizeStack(
      req,
      credentials,
      cloudStackReadPermission,
    );
    res.json({
      logs: await stacks.logs(stack.id, req.params.nodeName, credentials),
    });
  });

  router.get('/stacks/:stackId/metrics', async (req, res) => {
    const credentials = await httpAuth.credentials(req);
    const stack = await authorizeStack(
      req,
      credentials,
      cloudStackReadPermission,
    );
    const { metric, ...query } = req.query;
    res.json(await metrics.series(stack.id, { ...query, metrics: metric }));
  });

  router.get('/stacks/:stackId/nodes/:nodeName/metrics', async (req, res) => {
    const credentials = await httpAuth.credentials(req);
    const stack = await authorizeStack(
      req,
      credentials,
      cloudStackReadPermission,
    );
    const { metric, ...query } = req.query;
    res.json(
      await metrics.series(
        stack.id,
        { ...query, metrics: metric },
        req.params.nodeName,
      ),
    );
  });

  router.get('/stacks/:stackId/alerts', async (req, res) => {
    const credentials = await httpAuth.credentials(req);
    const stack = await authorizeStack(
      req,
      credentials,
      cloudStackReadPermission,
    );
    res.json({ items: await metrics.alerts(stack.id) });
  });

  router.get('/monitoring/overview', async (req, res) => {
    await authorizeBasic(req, cloudMetricsReadPermission);
    res.json(await metrics.overview());
  });

  // Every node at once: for services (a Prometheus' scrape with a static
  // token) and for users allowed to read all metrics, admins.
  router.get('/metrics', async (req, res) => {
    const credentials = await httpAuth.credentials(req, {
      allow: ['user', 'service'],
    });
    if (credentials.principal.type === 'user') {
      await authorizeBasic(req, cloudMetricsReadPermission);
    }
    (res as express.Response)
      .type('text/plain; version=0.0.4')
      .send(await metrics.prometheus());
  });

  router.get('/usage', async (req, res) => {
    await authorizeBasic(req, cloudUsageReadPermission);
    const q = req.query;
    const records = await store.listUsage({
      kind: q.kind,
      provider: q.provider,
      region: q.region,
      user: q.user,
      owner: q.owner,
      stackId: q.stackId,
      from: q.from && new Date(q.from).toISOString(),
      to: q.to && new Date(q.to).toISOString(),
    });
    if (q.format === 'csv') {
      // the typed response is the JSON one
      (res as express.Response)
        .type('text/csv')
        .attachment('cloud-usage.csv')
        .send(`${toCsv(records)}\n`);
      return;
    }
    res.json({ items: records });
  });

  return router;
}
