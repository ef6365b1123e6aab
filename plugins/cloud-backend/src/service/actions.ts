import {
  AuditorService,
  BackstageCredentials,
  PermissionsRegistryService,
  PermissionsService,
} from '@backstage/backend-plugin-api';
import { ActionsRegistryService } from '@backstage/backend-plugin-api/alpha';
import {
  cloudNodeOperatePermission,
  cloudStackReadPermission,
} from '@internal/plugin-cloud-common';
import {
  agentMeta,
  createFieldNamingActionsRegistry,
  IdempotencyStore,
} from '@internal/backend-idempotency-node';
import { StackAccess } from './StackAccess';
import { StackService } from './StackService';

/**
 * Registers the stack operations of the cloud backend as actions, which the
 * MCP actions backend serves to agents as tools. Each runs with the
 * caller's credentials under the same permission decisions and audit
 * events as the REST API (see {@link StackAccess}).
 */
export function registerCloudActions(options: {
  actionsRegistry: ActionsRegistryService;
  stacks: StackService;
  permissions: PermissionsService;
  permissionsRegistry: PermissionsRegistryService;
  auditor: AuditorService;
  idempotency: IdempotencyStore;
}) {
  const { stacks, idempotency } = options;
  const actionsRegistry = createFieldNamingActionsRegistry(
    options.actionsRegistry,
  );
  const access = StackAccess.create(options);

  /**
   * Runs an operation once per idempotency key, as the REST API does with
   * its Idempotency-Key header: the same route and body, so that a key sent
   * there and here is one key.
   */
  const once = async <T>(request: {
    credentials: BackstageCredentials;
    idempotencyKey?: string;
    route: string;
    body: object;
    run: () => Promise<T>;
  }): Promise<T> => {
    const response = await idempotency.run(
      {
        key: request.idempotencyKey,
        credentials: request.credentials,
        route: request.route,
        body: request.body,
      },
      async () => ({ status: 200, body: await request.run() }),
    );
    return response.body as T;
  };
  const idempotencyKeySchema = (z: typeof import('zod/v3').z) =>
    z
      .string()
      .min(1)
      .max(200)
      .optional()
      .describe(
        'A unique key of this operation, e.g. a UUID; send the same one when retrying it, ' +
          'and the retry answers the first result instead of operating again',
      );

  const stackSchema = (z: typeof import('zod/v3').z) =>
    z
      .object({
        id: z.string(),
        name: z.string(),
        owner: z.string(),
        status: z.string(),
        url: z.string().optional(),
        provider: z.string(),
        region: z.string(),
      })
      .passthrough();
  const nodeSchema = (z: typeof import('zod/v3').z) =>
    z
      .object({ name: z.string(), role: z.string(), status: z.string() })
      .passthrough();

  actionsRegistry.register({
    name: 'list-my-stacks',
    title: 'List my stacks',
    description:
      "Lists the stacks the user may see: their own and their groups', newest first, " +
      'with status and URL, a page at a time (pass nextCursor back as cursor for the next page). ' +
      'Use get-stack for the nodes of one.',
    attributes: { readOnly: true, idempotent: true },
    schema: {
      input: z =>
        z.object({
          owner: z
            .string()
            .optional()
            .describe(
              'Only stacks of this group, e.g. "group:default/team-web"',
            ),
          status: z.string().optional().describe('e.g. "running"'),
          limit: z
            .number()
            .int()
            .min(1)
            .max(100)
            .optional()
            .describe('Stacks per page, 20 by default'),
          cursor: z
            .string()
            .optional()
            .describe('The nextCursor of the previous page'),
        }),
      output: z =>
        z.object({
          stacks: z.array(stackSchema(z)),
          nextCursor: z
            .string()
            .optional()
            .describe('Present when there are more stacks'),
        }),
    },
    action: async ({ input, credentials }) => {
      const { items, nextCursor } = await access.list(
        credentials,
        { owner: input.owner, status: input.status },
        { limit: input.limit ?? 20, cursor: input.cursor },
      );
      // The specs carry the files of the nodes, which agents do not need.
      return {
        output: {
          stacks: items.map(({ spec: _spec, ...stack }) => stack),
          ...(nextCursor ? { nextCursor } : {}),
        },
      };
    },
  });

  actionsRegistry.register({
    name: 'get-stack',
    title: 'Get a stack',
    description:
      'Reads one stack: its status, URL, limits and nodes with their roles and statuses.',
    attributes: { readOnly: true, idempotent: true },
    schema: {
      input: z => z.object({ stackId: z.string().min(1) }),
      output: z =>
        z.object({
          stack: stackSchema(z).extend({ nodes: z.array(nodeSchema(z)) }),
        }),
    },
    action: async ({ input, credentials }) => {
      const { spec: _spec, ...stack } = await access.authorize(
        credentials,
        input.stackId,
        cloudStackReadPermission,
      );
      return { output: { stack } };
    },
  });

  const operations = {
    start: 'Starts the stopped nodes of a stack, or the named ones.',
    stop: 'Stops the nodes of a stack, or the named ones: what they serve goes down until started again.',
    restart:
      'Restarts the nodes of a stack, or the named ones: what they serve is briefly down.',
  };
  for (const [operation, description] of Object.entries(operations) as Array<
    ['start' | 'stop' | 'restart', string]
  >) {
    actionsRegistry.register({
      name: `${operation}-stack`,
      title: `${operation[0].toUpperCase()}${operation.slice(1)} a stack`,
      description: `${description} Ask the user before doing so.`,
      attributes: { destructive: true, idempotent: operation !== 'restart' },
      schema: {
        input: z =>
          z.object({
            stackId: z.string().min(1),
            nodes: z
              .array(z.string().min(1))
              .optional()
              .describe('Names of nodes, e.g. ["app-1"]; all when absent'),
            idempotencyKey: idempotencyKeySchema(z),
          }),
        output: z =>
          z.object({
            stack: stackSchema(z).extend({ nodes: z.array(nodeSchema(z)) }),
          }),
      },
      action: async ({ input, credentials }) => {
        const { stackId, nodes, idempotencyKey } = input;
        const { spec: _spec, ...stack } = await once({
          credentials,
          idempotencyKey,
          route: `POST /stacks/${stackId}/${operation}`,
          body: nodes ? { nodes } : {},
          run: () =>
            access.audited(
              {
                eventId: `node-${operation}`,
                meta: {
                  stackId,
                  nodes: nodes ?? 'all',
                  ...agentMeta(credentials),
                },
              },
              async () => {
                const { id } = await access.authorize(
                  credentials,
                  stackId,
                  cloudNodeOperatePermission,
                );
                return stacks.operate(id, operation, nodes, credentials);
              },
            ),
        });
        return { output: { stack } };
      },
    });
  }

  actionsRegistry.register({
    name: 'scale-stack',
    title: 'Scale a stack role',
    description:
      'Sets the number of nodes of one role of a stack, within the limits of its plan; ' +
      'fewer nodes stop what the removed ones serve. Ask the user before doing so.',
    attributes: { destructive: true, idempotent: true },
    schema: {
      input: z =>
        z.object({
          stackId: z.string().min(1),
          role: z.string().min(1).describe('A role of the stack, e.g. "app"'),
          count: z.number().int().min(0).describe('The nodes the role runs'),
          idempotencyKey: idempotencyKeySchema(z),
        }),
      output: z =>
        z.object({
          stack: stackSchema(z).extend({ nodes: z.array(nodeSchema(z)) }),
        }),
    },
    action: async ({ input, credentials }) => {
      const { stackId, role, count, idempotencyKey } = input;
      const { spec: _spec, ...stack } = await once({
        credentials,
        idempotencyKey,
        route: `POST /stacks/${stackId}/scale`,
        body: { role, count },
        run: () =>
          access.audited(
            {
              eventId: 'stack-scale',
              meta: { stackId, role, count, ...agentMeta(credentials) },
            },
            async () => {
              const { id } = await access.authorize(
                credentials,
                stackId,
                cloudNodeOperatePermission,
              );
              return stacks.scale(id, role, count, credentials);
            },
          ),
      });
      return { output: { stack } };
    },
  });
}
