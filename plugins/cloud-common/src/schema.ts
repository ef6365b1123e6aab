// The scaffolder builds action inputs with zod's v3 API, so the spec uses it
// too: the cloud:stack:deploy action derives its input from these schemas.
import { z } from 'zod/v3';

/** Lower-case DNS label used as `<stack>.localhost`. @public */
export const STACK_NAME_PATTERN = /^[a-z][a-z0-9-]{1,38}[a-z0-9]$/;

/** A role name, used in node names such as `app-2`. @public */
export const ROLE_NAME_PATTERN = /^[a-z][a-z0-9-]{0,30}$/;

/**
 * The stack spec, defined once: the TypeScript types below, the cloud API's
 * contract (`openapi.yaml` of the cloud backend is generated from these), the
 * backend's validation and the `cloud:stack:deploy` action's input all come
 * from here. Checks that span fields are in `validateStackSpec`.
 */

/** @public */
export const nodeLimitsSchema = z
  .object({
    memoryMb: z.number().int().min(1).optional().describe('Memory in MiB'),
    processes: z
      .number()
      .int()
      .min(1)
      .optional()
      .describe('Processes and threads at once'),
  })
  .describe("What one node may use; the provider's defaults otherwise");

/** @public */
export const roleSpecSchema = z
  .object({
    name: z
      .string()
      .regex(ROLE_NAME_PATTERN)
      .describe('Role name, e.g. app; nodes are named after it (app-1)'),
    runtime: z
      .string()
      .min(1)
      .optional()
      .describe(
        'A runtime the provider offers, e.g. node, static or load-balancer',
      ),
    entry: z
      .string()
      .min(1)
      .optional()
      .describe(
        "The file the runtime starts, relative to the node's folder, e.g. server.js",
      ),
    count: z.number().int().min(0).describe('Number of nodes'),
    command: z
      .array(z.string().min(1))
      .min(1)
      .optional()
      .describe(
        'A raw argv instead of a runtime; only for service principals and holders of cloud.command.use',
      ),
    env: z.record(z.string()).optional().describe('Environment of the nodes'),
    files: z
      .record(z.string())
      .optional()
      .describe("Files written into each node's folder, by relative path"),
    healthPath: z
      .string()
      .optional()
      .describe(
        "HTTP path that answers 2xx when a node is healthy; the runtime's by default",
      ),
    balances: z
      .string()
      .optional()
      .describe('For a load balancer: the role whose nodes it balances'),
    limits: nodeLimitsSchema.optional(),
  })
  .describe(
    'A group of identical nodes that run a runtime, or a raw command, never both',
  );

/** @public */
export const stackTemplateSchema = z
  .object({
    format: z
      .enum(['hot'])
      .describe("The template's language: 'hot' is OpenStack Heat's"),
    body: z
      .string()
      .min(1)
      .describe('The template itself, e.g. HOT in YAML, unchanged'),
    parameters: z
      .record(z.union([z.string(), z.number(), z.boolean()]))
      .optional()
      .describe("Values of the template's parameters"),
  })
  .describe(
    "A provider's own template that makes the stack; its roles then name the template's groups of nodes and give their counts",
  );

/** @public */
export const stackSpecSchema = z
  .object({
    roles: z
      .array(roleSpecSchema)
      .min(1)
      .describe('Roles of the stack, started in this order'),
    template: stackTemplateSchema.optional(),
    entryRole: z
      .string()
      .optional()
      .describe("The role whose first node answers the stack's public URL"),
  })
  .describe('What a stack is made of');

// Built anew for each use: the contract's generator writes a schema met
// twice as a reference, which OpenAPI cannot resolve inside one component.
const durationSchema = () =>
  z
    .union([
      z.string().min(1),
      z
        .object({
          years: z.number().min(0).optional(),
          months: z.number().min(0).optional(),
          weeks: z.number().min(0).optional(),
          days: z.number().min(0).optional(),
          hours: z.number().min(0).optional(),
          minutes: z.number().min(0).optional(),
          seconds: z.number().min(0).optional(),
          milliseconds: z.number().min(0).optional(),
        })
        .strict(),
    ])
    .describe(
      "How long, as Backstage config writes it: '10m', 'PT10M' or { minutes: 10 }",
    );

const thresholdAlertSchema = () =>
  z
    .union([
      z.literal(false),
      z
        .object({
          // at least 1 rather than above 0: the cloud's typed router cannot
          // read OpenAPI 3.0's boolean exclusiveMinimum
          percent: z
            .number()
            .min(1)
            .optional()
            .describe(
              "The threshold: percent of one core for CPU, of the node's limit for memory",
            ),
          for: durationSchema().optional(),
        })
        .strict(),
    ])
    .optional();

/** @public */
export const planAlertRulesSchema = z
  .object({
    cpu: thresholdAlertSchema().describe(
      'CPU above `percent` of one core for `for`; false turns it off',
    ),
    memory: thresholdAlertSchema().describe(
      "Memory above `percent` of the node's limit for `for`; false turns it off",
    ),
    notReporting: z
      .union([z.literal(false), z.object({ for: durationSchema() }).strict()])
      .optional()
      .describe('A node silent for `for`; false turns it off'),
  })
  .strict()
  .describe(
    "Alert rules of the stack's plan, in the shape of cloud.monitoring.alerts: each rule given replaces the configured default key by key, and a stack's own configured rules replace them",
  );

/** @public */
export const stackLimitsSchema = z
  .object({
    instances: z
      .number()
      .int()
      .min(0)
      .optional()
      .describe(
        "Most nodes behind the stack's load balancer (of all its roles when it has none); deploys and scales beyond it are refused",
      ),
    memoryMb: z
      .number()
      .int()
      .min(1)
      .optional()
      .describe(
        "Memory of one node in MiB; an alert tells the stack's owner when a node nears it",
      ),
    upgradeHint: z
      .string()
      .max(500)
      .optional()
      .describe('What to do for more, said when a limit refuses a change'),
    alerts: planAlertRulesSchema.optional(),
  })
  .describe(
    'Limits of the plan the stack was ordered on; they bind everyone, administrators too',
  );

/** @public */
export const createStackRequestSchema = z
  .object({
    name: z
      .string()
      .regex(STACK_NAME_PATTERN)
      .describe(
        'Name of the stack, a DNS label: it answers at <name>.localhost',
      ),
    owner: z
      .string()
      .min(1)
      .describe('Entity ref of the group that owns the stack'),
    template: z
      .string()
      .optional()
      .describe('Entity ref of the template the stack was deployed from'),
    provider: z.string().min(1).describe('Id of the cloud provider'),
    region: z.string().min(1).describe('Region of the provider'),
    spec: stackSpecSchema,
    requestedBy: z
      .string()
      .optional()
      .describe(
        'User entity ref the stack is deployed for; only a service may set it',
      ),
    limits: stackLimitsSchema.optional(),
  })
  .describe('A stack to deploy');

/** What one node may use. @public */
export type NodeLimits = z.infer<typeof nodeLimitsSchema>;

/**
 * One role of a stack: a group of identical nodes.
 *
 * A role names a `runtime` from the list the provider's admins configure
 * (for the local provider e.g. `node`, `static`, `load-balancer`); the
 * runtime decides what runs and how its health is checked, and `entry` picks
 * the file it starts among the role's `files`. A raw `command` is accepted
 * only from a service principal (the scaffolder running a template) or with
 * the `cloud.command.use` permission. A `load-balancer` role is a reverse
 * proxy over the healthy nodes of the role it `balances`.
 *
 * @public
 */
export type RoleSpec = z.infer<typeof roleSpecSchema>;

/** A provider's own template that makes a stack. @public */
export type StackTemplate = z.infer<typeof stackTemplateSchema>;

/** What a stack is made of; roles start in the order given. @public */
export type StackSpec = z.infer<typeof stackSpecSchema>;

/** Limits of the plan a stack was ordered on. @public */
export type StackLimits = z.infer<typeof stackLimitsSchema>;

/** Alert rules of the plan a stack was ordered on. @public */
export type PlanAlertRules = z.infer<typeof planAlertRulesSchema>;

/** What a caller asks the cloud backend to deploy. @public */
export type CreateStackRequest = z.infer<typeof createStackRequestSchema>;

/**
 * The schemas of the cloud API's contract that come from this package, by
 * their name under `components.schemas` of the cloud backend's openapi.yaml.
 *
 * @public
 */
export const cloudContractSchemas = {
  NodeLimits: nodeLimitsSchema,
  RoleSpec: roleSpecSchema,
  StackTemplate: stackTemplateSchema,
  StackSpec: stackSpecSchema,
  StackLimits: stackLimitsSchema,
  CreateStack: createStackRequestSchema,
} as const;
