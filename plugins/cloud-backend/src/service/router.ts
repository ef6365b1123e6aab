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
} from '@internal/plugin-cloud-common';
import {
  canonical,
  IdempotencyStore,
} from '@internal/backend-idempotency-node';
import express, { Request } from 'express';
import { pipeline } from 'node:stream/promises';
import { CloudStore, UsageFilter } from '../database/CloudStore';
import { createOpenApiRouter } from '../schema/openapi.generated';
import {
  decodeNewestFirstCursor,
  DEFAULT_LIMIT,
  encodeNewestFirstCursor,
} from './cursor';
import { createIdempotency, inventoryKeyOf } from './idempotency';
import { MetricsService } from './MetricsService';
import { ProviderRegistry } from './ProviderRegistry';
import { StackAccess } from './StackAccess';
import { StackService } from './StackService';
import { usageCsvStream } from './usageCsv';

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

  // as loose as httpAuth.credentials: any route's typed request
  async function authorizeBasic(
    req: Request<any, any, any, any>,
    permission: BasicPermission,
  ) {
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
    req: Request<any, any, any, any>,
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
    const page = await access.list(
      credentials,
      {
        owner: q.owner,
        status: q.status,
        provider: q.provider,
        region: q.region,
        template: q.template,
        createdBy: q.createdBy,
        includeDeleted: String(q.includeDeleted) === 'true',
      },
      { limit: q.limit, cursor: q.cursor },
    );
    res.json(page);
  });

  router.post('/stacks', async (req, res) => {
    const credentials = await httpAuth.credentials(req);
    // in one order of keys, as the inventory compares it with a deploy that
    // a crash cut off
    const { requestedBy, ...body } = canonical(req.body);
    const key = req.header('idempotency-key');
    const inventoryKey = inventoryKeyOf(credentials, key);
    const create = () =>
      access.audited(
        {
          eventId: 'stack-create',
          request: req,
          meta: {
            name: body.name,
            owner: body.owner,
            provider: body.provider,
            region: body.region,
            template: body.template,
            idempotencyKey: key,
          },
          // its target, as of the other stack events, once the stack exists
          successMeta: ({ body: stack }) => ({ stackId: stack.id }),
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
    res.json(
      await metrics.alerts(stack.id, {
        limit: req.query.limit,
        cursor: req.query.cursor,
      }),
    );
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
    const filter: UsageFilter = {
      kind: q.kind,
      provider: q.provider,
      region: q.region,
      user: q.user,
      owner: q.owner,
      stackId: q.stackId,
      from: q.from && new Date(q.from).toISOString(),
      to: q.to && new Date(q.to).toISOString(),
    };
    if (q.format === 'csv') {
      // Every record, streamed from the database batch by batch; the typed
      // response is the JSON one.
      const response = res as express.Response;
      response.type('text/csv').attachment('cloud-usage.csv');
      try {
        await pipeline(
          usageCsvStream((cursor, limit) =>
            store.listUsage({ filter, limit, cursor }),
          ),
          response,
        );
      } catch (error) {
        // a client that goes away ends the export; anything else cut it short
        if (
          (error as { code?: string }).code !== 'ERR_STREAM_PREMATURE_CLOSE'
        ) {
          throw error;
        }
      }
      return;
    }
    const page = await store.listUsage({
      filter,
      limit: q.limit ?? DEFAULT_LIMIT,
      cursor: q.cursor ? decodeNewestFirstCursor(q.cursor) : undefined,
    });
    res.json({
      items: page.items,
      nextCursor: page.nextCursor && encodeNewestFirstCursor(page.nextCursor),
    });
  });

  return router;
}
