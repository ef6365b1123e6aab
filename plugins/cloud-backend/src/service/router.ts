import {
  AuditorService,
  HttpAuthService,
  PermissionsRegistryService,
  PermissionsService,
} from '@backstage/backend-plugin-api';
import { InputError, NotAllowedError, NotFoundError } from '@backstage/errors';
import {
  AuthorizeResult,
  BasicPermission,
  ResourcePermission,
} from '@backstage/plugin-permission-common';
import {
  createConditionAuthorizer,
  createConditionTransformer,
} from '@backstage/plugin-permission-node';
import {
  cloudNodeOperatePermission,
  cloudNodeScriptRunPermission,
  cloudStackCreatePermission,
  cloudStackDeletePermission,
  cloudStackReadPermission,
  cloudUsageReadPermission,
  Stack,
  UsageRecord,
} from '@internal/plugin-cloud-common';
import express, { Request } from 'express';
import Router from 'express-promise-router';
import { z } from 'zod';
import { CloudStore } from '../database/CloudStore';
import { cloudStackResourceRef } from './permissions';
import { ProviderRegistry } from './ProviderRegistry';
import { StackService } from './StackService';

export interface RouterOptions {
  stacks: StackService;
  store: CloudStore;
  providers: ProviderRegistry;
  httpAuth: HttpAuthService;
  permissions: PermissionsService;
  permissionsRegistry: PermissionsRegistryService;
  auditor: AuditorService;
}

const createStackBody = z.object({
  name: z.string(),
  owner: z.string(),
  template: z.string().optional(),
  provider: z.string(),
  region: z.string(),
  spec: z.object({
    roles: z.array(
      z.object({
        name: z.string(),
        runtime: z.string().optional(),
        entry: z.string().optional(),
        count: z.number(),
        command: z.array(z.string()).optional(),
        env: z.record(z.string(), z.string()).optional(),
        files: z.record(z.string(), z.string()).optional(),
        healthPath: z.string().optional(),
        balances: z.string().optional(),
      }),
    ),
    entryRole: z.string().optional(),
  }),
  requestedBy: z.string().optional(),
});

const nodesBody = z.object({ nodes: z.array(z.string()).optional() });
const scaleBody = z.object({ role: z.string(), count: z.number() });
const scriptBody = z.object({
  script: z.string(),
  timeoutSeconds: z.number().optional(),
});

function parse<T>(schema: z.ZodType<T>, body: unknown): T {
  const result = schema.safeParse(body ?? {});
  if (!result.success) {
    throw new InputError(
      `Invalid request body: ${result.error.issues
        .map(i => `${i.path.join('.') || 'body'}: ${i.message}`)
        .join('; ')}`,
    );
  }
  return result.data;
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

/** The REST API of the cloud backend, as described in schema/openapi.yaml. */
export async function createRouter(
  options: RouterOptions,
): Promise<express.Router> {
  const { stacks, store, providers, httpAuth, permissions, auditor } = options;
  const ruleset = options.permissionsRegistry.getPermissionRuleset(
    cloudStackResourceRef,
  );
  const transformConditions = createConditionTransformer(ruleset);
  const isAuthorized = createConditionAuthorizer(ruleset);

  const router = Router();
  router.use(express.json({ limit: '5mb' }));

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

  /** Loads a stack the caller may act on; one they may not read is a 404. */
  async function authorizeStack(req: Request, permission: ResourcePermission) {
    const credentials = await httpAuth.credentials(req);
    const stack = await stacks.get(req.params.stackId);
    const needed =
      permission.name === cloudStackReadPermission.name
        ? [permission]
        : [cloudStackReadPermission, permission];
    const decisions = await permissions.authorizeConditional(
      needed.map(p => ({ permission: p })),
      { credentials },
    );
    for (const [i, decision] of decisions.entries()) {
      const allowed =
        decision.result === AuthorizeResult.ALLOW ||
        (decision.result === AuthorizeResult.CONDITIONAL &&
          isAuthorized(decision, stack));
      if (!allowed) {
        if (i === 0) {
          throw new NotFoundError(`No stack '${req.params.stackId}'`);
        }
        throw new NotAllowedError();
      }
    }
    return { credentials, stack };
  }

  async function audited<T>(
    req: Request,
    eventId: string,
    meta: Record<string, unknown>,
    fn: () => Promise<T>,
    severityLevel: 'low' | 'medium' | 'high' | 'critical' = 'medium',
  ): Promise<T> {
    const event = await auditor.createEvent({
      eventId,
      severityLevel,
      request: req,
      meta: JSON.parse(JSON.stringify(meta)),
    });
    try {
      const result = await fn();
      await event.success();
      return result;
    } catch (error) {
      await event.fail({ error: error as Error });
      throw error;
    }
  }

  router.get('/providers', async (req, res) => {
    await httpAuth.credentials(req);
    res.json({ items: providers.describe() });
  });

  router.get('/stacks', async (req, res) => {
    const credentials = await httpAuth.credentials(req);
    const [decision] = await permissions.authorizeConditional(
      [{ permission: cloudStackReadPermission }],
      { credentials },
    );
    if (decision.result === AuthorizeResult.DENY) {
      res.json({ items: [] });
      return;
    }
    const q = req.query as Record<string, string | undefined>;
    const items = await stacks.list(
      {
        owner: q.owner,
        status: q.status,
        provider: q.provider,
        region: q.region,
        template: q.template,
        createdBy: q.createdBy,
        includeDeleted: q.includeDeleted === 'true',
      },
      decision.result === AuthorizeResult.CONDITIONAL
        ? transformConditions(decision.conditions)
        : undefined,
    );
    res.json({
      items: items.map(
        ({ idempotencyKey: _k, requestHash: _h, ...stack }): Stack => stack,
      ),
    });
  });

  router.post('/stacks', async (req, res) => {
    const idempotencyKey = req.header('idempotency-key') || undefined;
    const result = await audited(
      req,
      'stack-create',
      {
        name: req.body?.name,
        owner: req.body?.owner,
        provider: req.body?.provider,
        region: req.body?.region,
        template: req.body?.template,
        idempotencyKey,
      },
      async () => {
        const credentials = await authorizeBasic(
          req,
          cloudStackCreatePermission,
        );
        const { requestedBy, ...body } = parse(createStackBody, req.body);
        return stacks.create(
          body,
          { credentials, requestedBy },
          idempotencyKey,
        );
      },
    );
    res.status(result.created ? 201 : 200).json(result.stack);
  });

  router.get('/stacks/:stackId', async (req, res) => {
    const { stack } = await authorizeStack(req, cloudStackReadPermission);
    res.json(stack);
  });

  // Mutations are audited from the start, so that a refused attempt is
  // recorded as a failure too.
  router.delete('/stacks/:stackId', async (req, res) => {
    const result = await audited(
      req,
      'stack-delete',
      { stackId: req.params.stackId },
      async () => {
        const { credentials, stack } = await authorizeStack(
          req,
          cloudStackDeletePermission,
        );
        return stacks.delete(stack.id, credentials);
      },
    );
    res.json(result);
  });

  for (const operation of ['start', 'stop', 'restart'] as const) {
    router.post(`/stacks/:stackId/${operation}`, async (req, res) => {
      const result = await audited(
        req,
        `node-${operation}`,
        { stackId: req.params.stackId, nodes: req.body?.nodes ?? 'all' },
        async () => {
          const { credentials, stack } = await authorizeStack(
            req,
            cloudNodeOperatePermission,
          );
          const { nodes } = parse(nodesBody, req.body);
          return stacks.operate(stack.id, operation, nodes, credentials);
        },
      );
      res.json(result);
    });
  }

  router.post('/stacks/:stackId/scale', async (req, res) => {
    const result = await audited(
      req,
      'stack-scale',
      {
        stackId: req.params.stackId,
        role: req.body?.role,
        count: req.body?.count,
      },
      async () => {
        const { credentials, stack } = await authorizeStack(
          req,
          cloudNodeOperatePermission,
        );
        const { role, count } = parse(scaleBody, req.body);
        return stacks.scale(stack.id, role, count, credentials);
      },
    );
    res.json(result);
  });

  router.post('/stacks/:stackId/nodes/:nodeName/script', async (req, res) => {
    const result = await audited(
      req,
      'node-script-run',
      {
        stackId: req.params.stackId,
        node: req.params.nodeName,
        script: req.body?.script,
        timeoutSeconds: req.body?.timeoutSeconds ?? 60,
      },
      async () => {
        const { credentials, stack } = await authorizeStack(
          req,
          cloudNodeScriptRunPermission,
        );
        const { script, timeoutSeconds } = parse(scriptBody, req.body);
        return stacks.runScript(
          stack.id,
          req.params.nodeName,
          script,
          timeoutSeconds ?? 60,
          credentials,
        );
      },
      'high',
    );
    res.json(result);
  });

  router.get('/stacks/:stackId/nodes/:nodeName/logs', async (req, res) => {
    const { credentials, stack } = await authorizeStack(
      req,
      cloudStackReadPermission,
    );
    const logs = await stacks.logs(stack.id, req.params.nodeName, credentials);
    res.json({ logs });
  });

  router.get('/usage', async (req, res) => {
    await authorizeBasic(req, cloudUsageReadPermission);
    const q = req.query as Record<string, string | undefined>;
    if (q.kind && q.kind !== 'stack' && q.kind !== 'node') {
      throw new InputError('kind must be stack or node');
    }
    for (const key of ['from', 'to'] as const) {
      if (q[key] && Number.isNaN(Date.parse(q[key]!))) {
        throw new InputError(`${key} must be an ISO date`);
      }
    }
    const records = await store.listUsage({
      kind: q.kind as 'stack' | 'node' | undefined,
      provider: q.provider,
      region: q.region,
      user: q.user,
      owner: q.owner,
      stackId: q.stackId,
      from: q.from && new Date(q.from).toISOString(),
      to: q.to && new Date(q.to).toISOString(),
    });
    if (q.format === 'csv') {
      res
        .type('text/csv')
        .attachment('cloud-usage.csv')
        .send(`${toCsv(records)}\n`);
      return;
    }
    res.json({ items: records });
  });

  return router;
}
