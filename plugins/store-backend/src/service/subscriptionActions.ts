import {
  AuditorService,
  BackstageCredentials,
} from '@backstage/backend-plugin-api';
import { ActionsRegistryService } from '@backstage/backend-plugin-api/alpha';
import { InputError } from '@backstage/errors';
import { SubscriptionDetails } from '@internal/plugin-store-common';
import {
  agentMeta,
  createFieldNamingActionsRegistry,
  IdempotencyStore,
} from '@internal/backend-idempotency-node';
import { createMutationRunner } from './mutations';
import {
  SubscriptionQuoteRequest,
  SubscriptionService,
} from './SubscriptionService';

type Zod = typeof import('zod/v3').z;

const subscriptionSchema = (z: Zod) =>
  z
    .object({
      id: z.string(),
      productRef: z.string(),
      status: z.string(),
      owner: z.string(),
      currentPeriodEnd: z.string(),
      version: z.number(),
    })
    .passthrough();

/**
 * Registers the subscription operations of the store as actions for agents:
 * the same quotes, charges, audit events and idempotency keys as the HTTP
 * API, whose services they call with the caller's credentials.
 */
export function registerSubscriptionActions(options: {
  actionsRegistry: ActionsRegistryService;
  subscriptions: SubscriptionService;
  auditor: AuditorService;
  idempotencyKeys: IdempotencyStore;
}) {
  const { subscriptions } = options;
  const actionsRegistry = createFieldNamingActionsRegistry(
    options.actionsRegistry,
  );
  const runMutation = createMutationRunner(options);

  actionsRegistry.register({
    name: 'list-my-subscriptions',
    title: 'List my subscriptions',
    description:
      "Lists the subscriptions the user may see (their groups'), newest first: plan, status, " +
      'current period and the price of the next renewal.',
    attributes: { readOnly: true, idempotent: true },
    schema: {
      input: z =>
        z.object({
          owner: z.string().optional().describe('Only those of this group'),
          status: z.string().optional().describe('e.g. "active"'),
        }),
      output: z => z.object({ subscriptions: z.array(subscriptionSchema(z)) }),
    },
    action: async ({ input, credentials }) => {
      const page = await subscriptions.list({
        credentials,
        owner: input.owner ? [input.owner] : undefined,
        status: input.status ? [input.status] : undefined,
      });
      return { output: { subscriptions: page.items } };
    },
  });

  actionsRegistry.register({
    name: 'get-subscription',
    title: 'Get a subscription',
    description:
      'Reads one subscription with its timeline and charges, and its version for renew, change-plan and cancel.',
    attributes: { readOnly: true, idempotent: true },
    schema: {
      input: z => z.object({ id: z.string().min(1) }),
      output: z => z.object({ subscription: subscriptionSchema(z) }),
    },
    action: async ({ input, credentials }) => ({
      output: {
        subscription: await subscriptions.get({ credentials, id: input.id }),
      },
    }),
  });

  actionsRegistry.register({
    name: 'quote-subscription',
    title: 'Quote a subscription change',
    description:
      'Answers what renewing (periods), changing the plan (planId) or cancelling (when) a subscription ' +
      'would cost or refund, and how its stacks would change. Nothing is changed or charged; ' +
      'tell the user the total before acting.',
    attributes: { readOnly: true, idempotent: true },
    schema: {
      input: z =>
        z.object({
          id: z.string().min(1),
          action: z.enum(['renew', 'change-plan', 'cancel']),
          periods: z.number().optional().describe('For renew'),
          planId: z.string().optional().describe('For change-plan'),
          when: z.enum(['period-end', 'now']).optional().describe('For cancel'),
        }),
      output: z => z.object({ quote: z.object({}).passthrough() }),
    },
    action: async ({ input, credentials }) => {
      const quote = await subscriptions.quote({
        credentials,
        id: input.id,
        request: quoteRequestOf(input),
      });
      return { output: { quote } };
    },
  });

  /** A change to a subscription: audited, once per idempotency key. */
  const change = async (request: {
    name: 'renew' | 'change-plan' | 'cancel';
    id: string;
    idempotencyKey: string;
    body: Record<string, unknown>;
    credentials: BackstageCredentials;
    run: () => Promise<unknown>;
  }) => {
    const response = await runMutation({
      credentials: request.credentials,
      // Shared with the HTTP API: a key sent there and here is one key.
      route: `POST /subscriptions/${request.id}/${request.name}`,
      idempotencyKey: request.idempotencyKey,
      body: request.body,
      eventId: `subscription-${request.name}`,
      meta: {
        subscriptionId: request.id,
        ...JSON.parse(JSON.stringify(request.body)),
        ...agentMeta(request.credentials),
      },
      status: 200,
      run: request.run,
    });
    return { output: { subscription: response.body as SubscriptionDetails } };
  };

  const changeInput = (z: Zod) =>
    z.object({
      id: z.string().min(1),
      idempotencyKey: z
        .string()
        .min(1)
        .max(200)
        .describe('A unique key of this change; the same one when retrying'),
      version: z
        .number()
        .int()
        .optional()
        .describe('The version read; a changed subscription is a conflict'),
    });

  actionsRegistry.register({
    name: 'renew-subscription',
    title: 'Renew a subscription',
    description:
      'Pays for more periods of a subscription, charged to its group. Quote it first and tell the user the price.',
    attributes: { destructive: false, idempotent: true },
    schema: {
      input: z => changeInput(z).extend({ periods: z.number() }),
      output: z => z.object({ subscription: subscriptionSchema(z) }),
    },
    action: ({ input: { id, idempotencyKey, ...body }, credentials }) =>
      change({
        ...{ name: 'renew', id, idempotencyKey, body, credentials },
        run: () => subscriptions.renew({ credentials, id, ...body }),
      }),
  });

  actionsRegistry.register({
    name: 'change-subscription-plan',
    title: 'Change the plan of a subscription',
    description:
      'Moves a subscription and its stacks to another plan of its product, prorated. ' +
      'Quote it first and tell the user the price and the stack changes.',
    attributes: { destructive: true, idempotent: true },
    schema: {
      input: z => changeInput(z).extend({ planId: z.string().min(1) }),
      output: z => z.object({ subscription: subscriptionSchema(z) }),
    },
    action: ({ input: { id, idempotencyKey, ...body }, credentials }) =>
      change({
        ...{ name: 'change-plan', id, idempotencyKey, body, credentials },
        run: () => subscriptions.changePlan({ credentials, id, ...body }),
      }),
  });

  actionsRegistry.register({
    name: 'cancel-subscription',
    title: 'Cancel a subscription',
    description:
      'Cancels a subscription at the end of its period, or now (its stacks are removed). ' +
      'Quote it first and ask the user before doing so.',
    attributes: { destructive: true, idempotent: true },
    schema: {
      input: z =>
        changeInput(z).extend({ when: z.enum(['period-end', 'now']) }),
      output: z => z.object({ subscription: subscriptionSchema(z) }),
    },
    action: ({ input: { id, idempotencyKey, ...body }, credentials }) =>
      change({
        ...{ name: 'cancel', id, idempotencyKey, body, credentials },
        run: () => subscriptions.cancel({ credentials, id, ...body }),
      }),
  });
}

/** The quote an agent asks for, with the field its action needs. */
function quoteRequestOf(input: {
  action: 'renew' | 'change-plan' | 'cancel';
  periods?: number;
  planId?: string;
  when?: 'period-end' | 'now';
}): SubscriptionQuoteRequest {
  const missing = (field: string) =>
    new InputError(`${field} is required to quote ${input.action}`);
  switch (input.action) {
    case 'renew':
      if (input.periods === undefined) throw missing('periods');
      return { action: 'renew', periods: input.periods };
    case 'change-plan':
      if (input.planId === undefined) throw missing('planId');
      return { action: 'change-plan', planId: input.planId };
    default:
      if (input.when === undefined) throw missing('when');
      return { action: 'cancel', when: input.when };
  }
}
