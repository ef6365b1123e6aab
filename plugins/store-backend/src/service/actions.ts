import {
  AuditorService,
  BackstageCredentials,
} from '@backstage/backend-plugin-api';
import { ActionsRegistryService } from '@backstage/backend-plugin-api/alpha';
import { parseEntityRef } from '@backstage/catalog-model';
import {
  agentMeta,
  createFieldNamingActionsRegistry,
  IdempotencyStore,
} from '@internal/backend-idempotency-node';
import {
  ORDER_STATUSES,
  OrderDetails,
  storeOrderApprovePermission,
  storeOrderCreatePermission,
} from '@internal/plugin-store-common';
import { createMutationRunner } from './mutations';
import { OrderService } from './OrderService';
import { ProductService } from './ProductService';

/** What the store's actions need: the services of its HTTP API. */
export type StoreActionsOptions = {
  actionsRegistry: ActionsRegistryService;
  products: ProductService;
  orders: OrderService;
  auditor: AuditorService;
  idempotencyKeys: IdempotencyStore;
};

/** Products an agent reads at most per search: each one costs a lookup. */
const MAX_SEARCH_RESULTS = 10;

/** A product ref as agents write it: `postgresql`, or in full. */
function productRefOf(product: string) {
  return parseEntityRef(product, {
    defaultKind: 'product',
    defaultNamespace: 'default',
  });
}

/**
 * Registers the store's operations as actions, which the MCP actions
 * backend serves to agents as tools. Each runs with the caller's
 * credentials through the same services as the HTTP API: an agent may do
 * what its user may do, under the same permissions, prices, approvals,
 * audit events and idempotency keys.
 */
export function registerStoreActions(options: StoreActionsOptions) {
  const { products, orders } = options;
  const actionsRegistry = createFieldNamingActionsRegistry(
    options.actionsRegistry,
  );
  const runMutation = createMutationRunner(options);

  const orderSchema = (z: typeof import('zod/v3').z) =>
    z
      .object({
        id: z.string(),
        productRef: z.string(),
        planId: z.string(),
        status: z.enum(ORDER_STATUSES as [string, ...string[]]),
        requester: z.string(),
        price: z.object({
          amount: z.string(),
          currency: z.string(),
          interval: z.string(),
        }),
        approvalsRequired: z.number(),
        approvals: z.number(),
        approverGroups: z.array(z.string()),
      })
      .passthrough();

  actionsRegistry.register({
    name: 'search-products',
    title: 'Search store products',
    description:
      'Searches the products of the Cloud Store that the user may order, e.g. databases or web apps. ' +
      'Returns each product with its plans and their prices (decimal strings in the currency, per interval) ' +
      'and whether ordering it needs approval. Use the product ref and a plan id to preview or place an order.',
    attributes: { readOnly: true, idempotent: true },
    schema: {
      input: z =>
        z.object({
          query: z
            .string()
            .optional()
            .describe('Words to look for in titles, summaries and tags'),
          category: z.string().optional().describe('e.g. "databases"'),
          provider: z
            .string()
            .optional()
            .describe('A cloud provider the product runs on, e.g. "local"'),
          limit: z
            .number()
            .int()
            .min(1)
            .max(MAX_SEARCH_RESULTS)
            .optional()
            .describe(`At most this many products (${MAX_SEARCH_RESULTS})`),
        }),
      output: z =>
        z.object({
          products: z.array(
            z
              .object({
                ref: z.string(),
                title: z.string(),
                summary: z.string(),
                category: z.string(),
                providers: z.array(z.string()),
                needsApproval: z.boolean(),
                orderable: z.boolean(),
                plans: z.array(
                  z
                    .object({
                      id: z.string(),
                      title: z.string(),
                      price: z.object({
                        amount: z.string(),
                        currency: z.string(),
                        interval: z.string(),
                      }),
                      needsApproval: z.boolean(),
                    })
                    .passthrough(),
                ),
              })
              .passthrough(),
          ),
        }),
    },
    action: async ({ input, credentials }) => {
      const page = await products.listProducts({
        credentials,
        query: {
          q: input.query,
          category: input.category ? [input.category] : undefined,
          provider: input.provider ? [input.provider] : undefined,
        },
        limit: input.limit ?? MAX_SEARCH_RESULTS,
      });
      const found = await Promise.all(
        page.items.map(async item => {
          const details = await products.getProduct({
            credentials,
            namespace: item.namespace,
            name: item.name,
          });
          return {
            ref: item.ref,
            title: item.title,
            summary: item.summary,
            category: item.category,
            providers: item.providers,
            needsApproval: item.needsApproval,
            orderable: item.orderable,
            plans: details.plans.map(plan => ({
              id: plan.id,
              title: plan.title,
              description: plan.description,
              price: plan.price,
              needsApproval: plan.needsApproval,
            })),
          };
        }),
      );
      return { output: { products: found } };
    },
  });

  actionsRegistry.register({
    name: 'get-product',
    title: 'Get a store product',
    description:
      'Reads one product of the Cloud Store: its plans with prices and limits, who must approve its orders, ' +
      'and the parameters its order form needs (templateParameters, a JSON schema) for place-order.',
    attributes: { readOnly: true, idempotent: true },
    schema: {
      input: z =>
        z.object({
          product: z
            .string()
            .min(1)
            .describe('The product ref, e.g. "product:default/postgresql"'),
        }),
      output: z =>
        z.object({
          product: z
            .object({ ref: z.string(), plans: z.array(z.any()) })
            .passthrough(),
        }),
    },
    action: async ({ input, credentials }) => {
      const { namespace, name } = productRefOf(input.product);
      const product = await products.getProduct({
        credentials,
        namespace,
        name,
      });
      return { output: { product } };
    },
  });

  actionsRegistry.register({
    name: 'preview-order',
    title: 'Preview a store order',
    description:
      'Answers what an order of a product plan would cost and whether it needs approval, by whom, ' +
      'before it is placed. Nothing is ordered.',
    attributes: { readOnly: true, idempotent: true },
    schema: {
      input: z =>
        z.object({
          product: z.string().min(1).describe('The product ref'),
          plan: z.string().min(1).describe('The id of one of its plans'),
        }),
      output: z =>
        z.object({
          preview: z
            .object({
              product: z.string(),
              plan: z.string(),
              approval: z.object({
                needed: z.boolean(),
                count: z.number(),
                approverGroups: z.array(z.string()),
                sentence: z.string(),
              }),
            })
            .passthrough(),
        }),
    },
    action: async ({ input, credentials }) => {
      const preview = await orders.preview({
        credentials,
        product: input.product,
        plan: input.plan,
      });
      return { output: { preview } };
    },
  });

  actionsRegistry.register({
    name: 'place-order',
    title: 'Place a store order',
    description:
      'Orders a product plan for the user, who pays for it. Preview the order first and tell the user its price. ' +
      'An order that needs approval waits for an approver (waitsForApproval); the others are provisioned right away. ' +
      'Send a new idempotencyKey per order, and the same one when retrying it: a retry then answers the first order ' +
      'instead of ordering twice.',
    // Hidden from whom the policy denies ordering at all, the one decision
    // of createOrder that needs no order; the registry answers their calls
    // 404 before the action runs (the REST API: 403).
    visibilityPermission: storeOrderCreatePermission,
    attributes: { destructive: false, idempotent: true },
    schema: {
      input: z =>
        z.object({
          idempotencyKey: z
            .string()
            .min(1)
            .max(200)
            .describe('A unique key of this order, e.g. a UUID'),
          product: z.string().min(1).describe('The product ref'),
          plan: z.string().min(1).describe('The id of one of its plans'),
          provider: z
            .string()
            .min(1)
            .describe('One of the providers of the product'),
          region: z.string().optional(),
          parameters: z
            .record(z.unknown())
            .optional()
            .describe("Values of the product's templateParameters"),
          comment: z.string().optional().describe('For the approvers'),
        }),
      output: z =>
        z.object({
          order: orderSchema(z),
          waitsForApproval: z.boolean(),
        }),
    },
    action: async ({ input, credentials }) => {
      const { idempotencyKey, ...order } = input;
      const response = await runMutation({
        credentials,
        // Shared with the HTTP API: a key sent there and here is one key.
        route: 'POST /orders',
        idempotencyKey,
        body: order,
        eventId: 'order-create',
        meta: {
          product: order.product,
          plan: order.plan,
          ...agentMeta(credentials),
        },
        status: 201,
        run: () => orders.createOrder({ credentials, input: order }),
      });
      const placed = response.body as OrderDetails;
      return {
        output: {
          order: placed,
          waitsForApproval: placed.status === 'pending_approval',
        },
      };
    },
  });

  actionsRegistry.register({
    name: 'get-order',
    title: 'Get a store order',
    description:
      'Reads one order: its status, price, approvals, timeline (events) and, once fulfilled, ' +
      'its output with the links of what was provisioned.',
    attributes: { readOnly: true, idempotent: true },
    schema: {
      input: z => z.object({ id: z.string().min(1).describe('The order id') }),
      output: z => z.object({ order: orderSchema(z) }),
    },
    action: async ({ input, credentials }) => {
      const order = await orders.getOrder({ credentials, id: input.id });
      return { output: { order } };
    },
  });

  const listInput = (z: typeof import('zod/v3').z) =>
    z.object({
      status: z
        .enum(ORDER_STATUSES as [string, ...string[]])
        .optional()
        .describe('Only orders in this status'),
      limit: z.number().int().min(1).max(100).optional(),
    });
  const listOutput = (z: typeof import('zod/v3').z) =>
    z.object({ orders: z.array(orderSchema(z)), totalItems: z.number() });

  const listOrders = async (
    credentials: BackstageCredentials,
    scope: 'mine' | 'inbox',
    input: { status?: string; limit?: number },
  ) => {
    const page = await orders.listOrders({
      credentials,
      scope,
      filter: {
        status: input.status
          ? [input.status as OrderDetails['status']]
          : undefined,
      },
      limit: input.limit ?? 20,
    });
    return {
      output: {
        orders: page.items,
        totalItems: page.totalItems,
      },
    };
  };

  actionsRegistry.register({
    name: 'list-my-orders',
    title: 'List my store orders',
    description: "Lists the user's own orders, newest first.",
    attributes: { readOnly: true, idempotent: true },
    schema: { input: listInput, output: listOutput },
    action: ({ input, credentials }) => listOrders(credentials, 'mine', input),
  });

  actionsRegistry.register({
    name: 'list-my-approvals',
    title: 'List orders I may approve',
    description:
      'Lists the orders that wait for the user as an approver, newest first. ' +
      "Approve or reject them only as the user decides: an order's requester cannot approve it.",
    visibilityPermission: storeOrderApprovePermission,
    attributes: { readOnly: true, idempotent: true },
    schema: { input: listInput, output: listOutput },
    action: ({ input, credentials }) => listOrders(credentials, 'inbox', input),
  });

  for (const action of ['approve', 'reject'] as const) {
    actionsRegistry.register({
      name: `${action}-order`,
      title:
        action === 'approve' ? 'Approve a store order' : 'Reject a store order',
      description:
        action === 'approve'
          ? 'Approves an order waiting for the user as one of its approvers; with the last approval it needed, ' +
            'it is provisioned. Requesters cannot approve their own orders.'
          : 'Rejects an order waiting for the user as one of its approvers; give the requester a reason in comment.',
      visibilityPermission: storeOrderApprovePermission,
      attributes: { destructive: action === 'reject', idempotent: false },
      schema: {
        input: z =>
          z.object({
            id: z.string().min(1).describe('The order id'),
            comment: z.string().optional(),
          }),
        output: z => z.object({ order: orderSchema(z) }),
      },
      action: async ({ input, credentials }) => {
        const response = await runMutation({
          credentials,
          route: `POST /orders/${input.id}/${action}`,
          idempotencyKey: undefined,
          body: input,
          eventId: `order-${action}`,
          meta: { orderId: input.id, ...agentMeta(credentials) },
          status: 200,
          run: () =>
            orders.decide({
              credentials,
              id: input.id,
              action,
              comment: input.comment,
            }),
        });
        return {
          output: { order: response.body as OrderDetails },
        };
      },
    });
  }
}
