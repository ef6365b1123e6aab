// Generated from openapi.yaml by `yarn generate:openapi`; openapi.test.ts checks that they agree.

import { createValidatedOpenApiRouter } from '@backstage/backend-openapi-utils';

export const spec = {
  openapi: '3.0.3',
  info: {
    title: 'store',
    version: '1',
    description: 'The Cloud Store API. Products are indexed from the catalog.',
    license: {
      name: 'UNLICENSED',
    },
    contact: {},
  },
  servers: [
    {
      url: '/',
    },
  ],
  components: {
    parameters: {
      q: {
        name: 'q',
        in: 'query',
        description:
          'Words that every product found must have a word starting with.',
        required: false,
        schema: {
          type: 'string',
          maxLength: 200,
        },
      },
      category: {
        name: 'category',
        in: 'query',
        required: false,
        style: 'form',
        explode: true,
        schema: {
          type: 'array',
          maxItems: 50,
          items: {
            type: 'string',
          },
        },
      },
      type: {
        name: 'type',
        in: 'query',
        required: false,
        style: 'form',
        explode: true,
        schema: {
          type: 'array',
          maxItems: 3,
          items: {
            type: 'string',
            enum: ['application', 'service', 'resource'],
          },
        },
      },
      provider: {
        name: 'provider',
        in: 'query',
        description:
          'Products offered on one of these providers; providers that the cloud backend does not have match nothing.',
        required: false,
        style: 'form',
        explode: true,
        schema: {
          type: 'array',
          maxItems: 50,
          items: {
            type: 'string',
          },
        },
      },
      tag: {
        name: 'tag',
        in: 'query',
        required: false,
        style: 'form',
        explode: true,
        schema: {
          type: 'array',
          maxItems: 50,
          items: {
            type: 'string',
          },
        },
      },
      owner: {
        name: 'owner',
        in: 'query',
        required: false,
        style: 'form',
        explode: true,
        schema: {
          type: 'array',
          maxItems: 50,
          items: {
            type: 'string',
          },
        },
      },
      lifecycle: {
        name: 'lifecycle',
        in: 'query',
        required: false,
        style: 'form',
        explode: true,
        schema: {
          type: 'array',
          maxItems: 3,
          items: {
            type: 'string',
            enum: ['draft', 'published', 'deprecated'],
          },
        },
      },
      minPrice: {
        name: 'minPrice',
        in: 'query',
        description: 'Lowest monthly price, as a decimal string.',
        required: false,
        schema: {
          type: 'string',
          pattern: '^(0|[1-9][0-9]{0,12})(\\.[0-9]+)?$',
        },
      },
      maxPrice: {
        name: 'maxPrice',
        in: 'query',
        description: 'Highest monthly price, as a decimal string.',
        required: false,
        schema: {
          type: 'string',
          pattern: '^(0|[1-9][0-9]{0,12})(\\.[0-9]+)?$',
        },
      },
      freePlan: {
        name: 'freePlan',
        in: 'query',
        description: 'Only products with a free plan.',
        required: false,
        schema: {
          type: 'boolean',
        },
      },
      idempotencyKey: {
        name: 'Idempotency-Key',
        in: 'header',
        description:
          'The same key and body return the first result; another body is a 409.',
        required: false,
        schema: {
          type: 'string',
          maxLength: 200,
        },
      },
    },
    schemas: {
      Error: {
        type: 'object',
        properties: {
          error: {
            type: 'object',
            properties: {
              name: {
                type: 'string',
              },
              message: {
                type: 'string',
              },
            },
            required: ['name', 'message'],
          },
        },
        required: ['error'],
      },
      Price: {
        type: 'object',
        properties: {
          amount: {
            type: 'string',
          },
          currency: {
            type: 'string',
          },
          interval: {
            type: 'string',
            enum: ['month', 'year', 'one-time'],
          },
        },
        required: ['amount', 'currency', 'interval'],
      },
      ProductSummary: {
        type: 'object',
        additionalProperties: true,
        properties: {
          ref: {
            type: 'string',
          },
          namespace: {
            type: 'string',
          },
          name: {
            type: 'string',
          },
          title: {
            type: 'string',
          },
          summary: {
            type: 'string',
          },
          type: {
            type: 'string',
          },
          category: {
            type: 'string',
          },
          owner: {
            type: 'string',
          },
          providers: {
            type: 'array',
            description:
              'The providers the product can be ordered on: those of its descriptor that the cloud backend has.',
            items: {
              type: 'string',
            },
          },
          unavailableProviders: {
            type: 'array',
            description:
              'Providers of its descriptor that the cloud backend does not have; the product cannot be ordered there.',
            items: {
              type: 'string',
            },
          },
          tags: {
            type: 'array',
            items: {
              type: 'string',
            },
          },
          icon: {
            type: 'string',
          },
          lifecycle: {
            type: 'string',
          },
          fromPrice: {
            $ref: '#/components/schemas/Price',
          },
          hasFreePlan: {
            type: 'boolean',
          },
          needsApproval: {
            type: 'boolean',
          },
          orderable: {
            type: 'boolean',
            description: 'Published, and on at least one available provider.',
          },
          orderCount: {
            type: 'integer',
          },
          createdAt: {
            type: 'string',
          },
        },
        required: [
          'ref',
          'namespace',
          'name',
          'title',
          'summary',
          'type',
          'category',
          'owner',
          'providers',
          'unavailableProviders',
          'tags',
          'lifecycle',
          'hasFreePlan',
          'needsApproval',
          'orderable',
          'orderCount',
          'createdAt',
        ],
      },
      ProductDetails: {
        allOf: [
          {
            $ref: '#/components/schemas/ProductSummary',
          },
          {
            type: 'object',
            additionalProperties: true,
            properties: {
              description: {
                type: 'string',
              },
              template: {
                type: 'string',
              },
              plans: {
                type: 'array',
                items: {
                  type: 'object',
                  additionalProperties: true,
                },
              },
              approval: {
                type: 'object',
                additionalProperties: true,
              },
              docs: {
                type: 'array',
                items: {
                  type: 'object',
                  additionalProperties: true,
                },
              },
              sla: {
                type: 'string',
              },
              templateParameters: {},
              subscribed: {
                type: 'boolean',
                description:
                  'Whether the caller has a fulfilled order of the product.',
              },
              processingErrors: {
                type: 'array',
                description:
                  "The errors of the catalog's last processing of the product's descriptor, while the store offers the version it last accepted; only for the product's owners and those who see every product.",
                items: {
                  type: 'object',
                  properties: {
                    name: {
                      type: 'string',
                    },
                    message: {
                      type: 'string',
                    },
                  },
                  required: ['message'],
                },
              },
            },
            required: [
              'description',
              'template',
              'plans',
              'approval',
              'docs',
              'subscribed',
            ],
          },
        ],
      },
      FacetCount: {
        type: 'object',
        properties: {
          value: {
            type: 'string',
          },
          count: {
            type: 'integer',
          },
        },
        required: ['value', 'count'],
      },
      ProductFacets: {
        type: 'object',
        properties: {
          category: {
            type: 'array',
            items: {
              $ref: '#/components/schemas/FacetCount',
            },
          },
          type: {
            type: 'array',
            items: {
              $ref: '#/components/schemas/FacetCount',
            },
          },
          provider: {
            type: 'array',
            description: 'Only the providers that the cloud backend has.',
            items: {
              $ref: '#/components/schemas/FacetCount',
            },
          },
          tag: {
            type: 'array',
            items: {
              $ref: '#/components/schemas/FacetCount',
            },
          },
          owner: {
            type: 'array',
            items: {
              $ref: '#/components/schemas/FacetCount',
            },
          },
          freePlan: {
            type: 'array',
            items: {
              $ref: '#/components/schemas/FacetCount',
            },
          },
        },
        required: ['category', 'type', 'provider', 'tag', 'owner', 'freePlan'],
      },
      OrderStatus: {
        type: 'string',
        enum: [
          'pending_approval',
          'approved',
          'provisioning',
          'fulfilled',
          'failed',
          'rejected',
          'cancelled',
        ],
      },
      OrderEvent: {
        type: 'object',
        properties: {
          id: {
            type: 'integer',
          },
          orderId: {
            type: 'string',
          },
          action: {
            type: 'string',
          },
          fromStatus: {
            $ref: '#/components/schemas/OrderStatus',
          },
          toStatus: {
            $ref: '#/components/schemas/OrderStatus',
          },
          actor: {
            type: 'string',
          },
          comment: {
            type: 'string',
          },
          data: {
            type: 'object',
            additionalProperties: true,
          },
          createdAt: {
            type: 'string',
          },
        },
        required: ['id', 'orderId', 'action', 'toStatus', 'actor', 'createdAt'],
      },
      Order: {
        type: 'object',
        properties: {
          id: {
            type: 'string',
          },
          productRef: {
            type: 'string',
          },
          productTitle: {
            type: 'string',
          },
          templateRef: {
            type: 'string',
          },
          planId: {
            type: 'string',
          },
          provider: {
            type: 'string',
          },
          region: {
            type: 'string',
          },
          parameters: {
            type: 'object',
            additionalProperties: true,
          },
          price: {
            $ref: '#/components/schemas/Price',
          },
          requester: {
            type: 'string',
          },
          ownerGroup: {
            type: 'string',
            description: 'The group the order is placed for.',
          },
          status: {
            $ref: '#/components/schemas/OrderStatus',
          },
          version: {
            type: 'integer',
          },
          approvalsRequired: {
            type: 'integer',
          },
          approvals: {
            type: 'integer',
          },
          approverGroups: {
            type: 'array',
            items: {
              type: 'string',
            },
          },
          approvalReason: {
            type: 'string',
          },
          expiresAt: {
            type: 'string',
          },
          taskId: {
            type: 'string',
          },
          output: {
            type: 'object',
            additionalProperties: true,
          },
          error: {
            type: 'string',
          },
          createdAt: {
            type: 'string',
          },
          updatedAt: {
            type: 'string',
          },
        },
        required: [
          'id',
          'productRef',
          'productTitle',
          'templateRef',
          'planId',
          'provider',
          'parameters',
          'price',
          'requester',
          'status',
          'version',
          'approvalsRequired',
          'approvals',
          'approverGroups',
          'createdAt',
          'updatedAt',
        ],
      },
      OrderDetails: {
        allOf: [
          {
            $ref: '#/components/schemas/Order',
          },
          {
            type: 'object',
            properties: {
              events: {
                type: 'array',
                items: {
                  $ref: '#/components/schemas/OrderEvent',
                },
              },
            },
            required: ['events'],
          },
        ],
      },
      OrderPreview: {
        type: 'object',
        properties: {
          product: {
            type: 'string',
          },
          plan: {
            type: 'string',
          },
          oneTimePrice: {
            $ref: '#/components/schemas/Price',
          },
          recurringPrice: {
            $ref: '#/components/schemas/Price',
          },
          approval: {
            type: 'object',
            properties: {
              needed: {
                type: 'boolean',
              },
              count: {
                type: 'integer',
              },
              approverGroups: {
                type: 'array',
                items: {
                  type: 'string',
                },
              },
              sentence: {
                type: 'string',
              },
            },
            required: ['needed', 'count', 'approverGroups', 'sentence'],
          },
          templateParameters: {},
          templateSecrets: {},
        },
        required: ['product', 'plan', 'approval'],
      },
      Money: {
        type: 'object',
        description:
          'A decimal amount in a currency; negative amounts are credits.',
        properties: {
          amount: {
            type: 'string',
          },
          currency: {
            type: 'string',
          },
        },
        required: ['amount', 'currency'],
      },
      SubscriptionStatus: {
        type: 'string',
        enum: [
          'trialing',
          'active',
          'expiring',
          'suspended',
          'cancelled',
          'terminated',
        ],
      },
      SubscriptionPlan: {
        type: 'object',
        properties: {
          id: {
            type: 'string',
          },
          title: {
            type: 'string',
          },
          price: {
            $ref: '#/components/schemas/Price',
          },
          limits: {
            type: 'object',
            additionalProperties: true,
          },
          nodes: {
            type: 'object',
            description:
              'The nodes the plan provides, by role of its stacks; a change to the plan scales each named role to its count.',
            additionalProperties: {
              type: 'integer',
              minimum: 0,
            },
          },
        },
        required: ['id', 'title', 'price'],
      },
      Subscription: {
        type: 'object',
        properties: {
          id: {
            type: 'string',
          },
          orderId: {
            type: 'string',
          },
          productRef: {
            type: 'string',
          },
          productTitle: {
            type: 'string',
          },
          plan: {
            $ref: '#/components/schemas/SubscriptionPlan',
          },
          status: {
            $ref: '#/components/schemas/SubscriptionStatus',
          },
          owner: {
            type: 'string',
            description:
              "The owning group's entity ref, also the billing account.",
          },
          costCenter: {
            type: 'string',
          },
          requester: {
            type: 'string',
          },
          stacks: {
            type: 'array',
            items: {
              type: 'string',
            },
          },
          startedAt: {
            type: 'string',
          },
          trialEndsAt: {
            type: 'string',
          },
          currentPeriodStart: {
            type: 'string',
            description: 'An ISO date (YYYY-MM-DD).',
          },
          currentPeriodEnd: {
            type: 'string',
            description: 'An ISO date, exclusive.',
          },
          autoRenew: {
            type: 'boolean',
          },
          cancelAtPeriodEnd: {
            type: 'boolean',
          },
          nextRenewalPrice: {
            $ref: '#/components/schemas/Money',
          },
          endedAt: {
            type: 'string',
          },
          version: {
            type: 'integer',
          },
          createdAt: {
            type: 'string',
          },
          updatedAt: {
            type: 'string',
          },
        },
        required: [
          'id',
          'orderId',
          'productRef',
          'productTitle',
          'plan',
          'status',
          'owner',
          'requester',
          'stacks',
          'startedAt',
          'currentPeriodStart',
          'currentPeriodEnd',
          'autoRenew',
          'cancelAtPeriodEnd',
          'version',
          'createdAt',
          'updatedAt',
        ],
      },
      SubscriptionEvent: {
        type: 'object',
        properties: {
          id: {
            type: 'integer',
          },
          subscriptionId: {
            type: 'string',
          },
          action: {
            type: 'string',
          },
          actor: {
            type: 'string',
          },
          from: {
            $ref: '#/components/schemas/SubscriptionStatus',
          },
          to: {
            $ref: '#/components/schemas/SubscriptionStatus',
          },
          comment: {
            type: 'string',
          },
          data: {
            type: 'object',
            additionalProperties: true,
          },
          createdAt: {
            type: 'string',
          },
        },
        required: [
          'id',
          'subscriptionId',
          'action',
          'actor',
          'to',
          'createdAt',
        ],
      },
      SubscriptionCharge: {
        type: 'object',
        properties: {
          id: {
            type: 'string',
          },
          subscriptionId: {
            type: 'string',
          },
          kind: {
            type: 'string',
            enum: ['recurring', 'proration', 'usage', 'credit'],
          },
          description: {
            type: 'string',
          },
          amount: {
            $ref: '#/components/schemas/Money',
          },
          periodStart: {
            type: 'string',
          },
          periodEnd: {
            type: 'string',
          },
          invoiceId: {
            type: 'string',
          },
          createdAt: {
            type: 'string',
          },
        },
        required: [
          'id',
          'subscriptionId',
          'kind',
          'description',
          'amount',
          'periodStart',
          'periodEnd',
          'createdAt',
        ],
      },
      SubscriptionDetails: {
        allOf: [
          {
            $ref: '#/components/schemas/Subscription',
          },
          {
            type: 'object',
            properties: {
              events: {
                type: 'array',
                items: {
                  $ref: '#/components/schemas/SubscriptionEvent',
                },
              },
              charges: {
                type: 'array',
                items: {
                  $ref: '#/components/schemas/SubscriptionCharge',
                },
              },
            },
            required: ['events', 'charges'],
          },
        ],
      },
      RenewalQuote: {
        type: 'object',
        properties: {
          subscriptionId: {
            type: 'string',
          },
          periods: {
            type: 'integer',
          },
          from: {
            type: 'string',
          },
          to: {
            type: 'string',
          },
          total: {
            $ref: '#/components/schemas/Money',
          },
        },
        required: ['subscriptionId', 'periods', 'from', 'to', 'total'],
      },
      PlanChangeQuote: {
        type: 'object',
        properties: {
          subscriptionId: {
            type: 'string',
          },
          from: {
            $ref: '#/components/schemas/SubscriptionPlan',
          },
          to: {
            $ref: '#/components/schemas/SubscriptionPlan',
          },
          daysLeft: {
            type: 'integer',
          },
          dailyDifference: {
            $ref: '#/components/schemas/Money',
          },
          total: {
            $ref: '#/components/schemas/Money',
          },
          stackChanges: {
            type: 'array',
            description:
              'What happens to the stacks, from their running nodes: the limits that change, each role the plan scales ("web: app: 2 → 4 nodes"), and what refuses the change until it is scaled down.',
            items: {
              type: 'string',
            },
          },
        },
        required: [
          'subscriptionId',
          'from',
          'to',
          'daysLeft',
          'dailyDifference',
          'total',
          'stackChanges',
        ],
      },
      CancellationQuote: {
        type: 'object',
        properties: {
          subscriptionId: {
            type: 'string',
          },
          when: {
            type: 'string',
            enum: ['period-end', 'now'],
          },
          endsOn: {
            type: 'string',
          },
          credit: {
            $ref: '#/components/schemas/Money',
          },
          stackChanges: {
            type: 'array',
            items: {
              type: 'string',
            },
          },
        },
        required: [
          'subscriptionId',
          'when',
          'endsOn',
          'credit',
          'stackChanges',
        ],
      },
      UsageEvent: {
        type: 'object',
        description: 'One usage measurement; give subscriptionId or stackId.',
        properties: {
          id: {
            type: 'string',
            minLength: 1,
            maxLength: 200,
            description: 'Chosen by the reporter; the same id is counted once.',
          },
          subscriptionId: {
            type: 'string',
          },
          stackId: {
            type: 'string',
          },
          dimension: {
            type: 'string',
            minLength: 1,
          },
          quantity: {
            type: 'string',
            description: 'A non-negative decimal with at most six decimals.',
          },
          occurredAt: {
            type: 'string',
            description: 'An ISO timestamp.',
          },
        },
        required: ['id', 'dimension', 'quantity', 'occurredAt'],
        additionalProperties: false,
      },
      UsageReportResult: {
        type: 'object',
        properties: {
          accepted: {
            type: 'integer',
          },
          duplicates: {
            type: 'integer',
          },
          rejected: {
            type: 'array',
            items: {
              type: 'object',
              properties: {
                id: {
                  type: 'string',
                },
                reason: {
                  type: 'string',
                },
              },
              required: ['id', 'reason'],
            },
          },
        },
        required: ['accepted', 'duplicates', 'rejected'],
      },
      InvoiceSummary: {
        type: 'object',
        properties: {
          id: {
            type: 'string',
          },
          number: {
            type: 'string',
            description:
              'Sequential per year without gaps, e.g. INV-2026-000001.',
          },
          account: {
            type: 'string',
          },
          costCenter: {
            type: 'string',
            description:
              "The cost centre the invoice was issued to: the billing account's group annotation when it was issued. Absent when there was none.",
          },
          period: {
            type: 'string',
            description: 'The month billed, YYYY-MM.',
          },
          status: {
            type: 'string',
            enum: ['issued'],
          },
          total: {
            $ref: '#/components/schemas/Money',
          },
          credited: {
            $ref: '#/components/schemas/Money',
          },
          issuedAt: {
            type: 'string',
          },
        },
        required: [
          'id',
          'number',
          'account',
          'period',
          'status',
          'total',
          'credited',
          'issuedAt',
        ],
      },
      InvoiceLine: {
        type: 'object',
        properties: {
          id: {
            type: 'string',
          },
          kind: {
            type: 'string',
            enum: ['recurring', 'proration', 'credit', 'usage'],
          },
          description: {
            type: 'string',
          },
          subscriptionId: {
            type: 'string',
          },
          productRef: {
            type: 'string',
          },
          productTitle: {
            type: 'string',
          },
          dimension: {
            type: 'string',
          },
          quantity: {
            type: 'string',
          },
          chargeId: {
            type: 'string',
          },
          amount: {
            $ref: '#/components/schemas/Money',
          },
        },
        required: [
          'id',
          'kind',
          'description',
          'subscriptionId',
          'productRef',
          'productTitle',
          'amount',
        ],
      },
      CreditNote: {
        type: 'object',
        properties: {
          id: {
            type: 'string',
          },
          number: {
            type: 'string',
            description:
              'Sequential per year without gaps, e.g. CN-2026-000001.',
          },
          invoiceId: {
            type: 'string',
          },
          reason: {
            type: 'string',
          },
          lines: {
            type: 'array',
            items: {
              type: 'object',
              properties: {
                description: {
                  type: 'string',
                },
                amount: {
                  $ref: '#/components/schemas/Money',
                },
              },
              required: ['description', 'amount'],
            },
          },
          total: {
            $ref: '#/components/schemas/Money',
          },
          createdBy: {
            type: 'string',
          },
          createdAt: {
            type: 'string',
          },
        },
        required: [
          'id',
          'number',
          'invoiceId',
          'reason',
          'lines',
          'total',
          'createdBy',
          'createdAt',
        ],
      },
      Invoice: {
        allOf: [
          {
            $ref: '#/components/schemas/InvoiceSummary',
          },
          {
            type: 'object',
            properties: {
              lines: {
                type: 'array',
                items: {
                  $ref: '#/components/schemas/InvoiceLine',
                },
              },
              creditNotes: {
                type: 'array',
                items: {
                  $ref: '#/components/schemas/CreditNote',
                },
              },
            },
            required: ['lines', 'creditNotes'],
          },
        ],
      },
      CostReport: {
        type: 'object',
        properties: {
          currency: {
            type: 'string',
          },
          rows: {
            type: 'array',
            items: {
              type: 'object',
              properties: {
                key: {
                  type: 'string',
                },
                label: {
                  type: 'string',
                },
                amount: {
                  type: 'string',
                },
              },
              required: ['key', 'label', 'amount'],
            },
          },
        },
        required: ['currency', 'rows'],
      },
    },
  },
  paths: {
    '/products': {
      get: {
        operationId: 'ListProducts',
        description: 'Products the caller may see, filtered, sorted and paged.',
        parameters: [
          {
            $ref: '#/components/parameters/q',
          },
          {
            $ref: '#/components/parameters/category',
          },
          {
            $ref: '#/components/parameters/type',
          },
          {
            $ref: '#/components/parameters/provider',
          },
          {
            $ref: '#/components/parameters/tag',
          },
          {
            $ref: '#/components/parameters/owner',
          },
          {
            $ref: '#/components/parameters/lifecycle',
          },
          {
            $ref: '#/components/parameters/minPrice',
          },
          {
            $ref: '#/components/parameters/maxPrice',
          },
          {
            $ref: '#/components/parameters/freePlan',
          },
          {
            name: 'sort',
            in: 'query',
            description:
              'name (A to Z), price (cheapest first), orders (most ordered first) or newest; ties are broken by the product ref, in the direction of the sort.',
            required: false,
            schema: {
              type: 'string',
              enum: ['name', 'price', 'orders', 'newest'],
            },
          },
          {
            name: 'cursor',
            in: 'query',
            description: 'The nextCursor of the previous page.',
            required: false,
            schema: {
              type: 'string',
              maxLength: 1000,
            },
          },
          {
            name: 'limit',
            in: 'query',
            required: false,
            schema: {
              type: 'integer',
              minimum: 1,
              maximum: 100,
            },
          },
        ],
        responses: {
          '200': {
            description: 'A page of products.',
            content: {
              'application/json': {
                schema: {
                  type: 'object',
                  properties: {
                    items: {
                      type: 'array',
                      items: {
                        $ref: '#/components/schemas/ProductSummary',
                      },
                    },
                    nextCursor: {
                      type: 'string',
                    },
                  },
                  required: ['items'],
                },
              },
            },
          },
          '400': {
            description: 'Bad query.',
            content: {
              'application/json': {
                schema: {
                  $ref: '#/components/schemas/Error',
                },
              },
            },
          },
        },
      },
    },
    '/products/facets': {
      get: {
        operationId: 'GetProductFacets',
        description:
          'How many products the caller may see have each facet value, and how many match in all. Counting is kept out of the list request so that paging never scans every product.',
        parameters: [
          {
            $ref: '#/components/parameters/q',
          },
          {
            $ref: '#/components/parameters/category',
          },
          {
            $ref: '#/components/parameters/type',
          },
          {
            $ref: '#/components/parameters/provider',
          },
          {
            $ref: '#/components/parameters/tag',
          },
          {
            $ref: '#/components/parameters/owner',
          },
          {
            $ref: '#/components/parameters/lifecycle',
          },
          {
            $ref: '#/components/parameters/minPrice',
          },
          {
            $ref: '#/components/parameters/maxPrice',
          },
          {
            $ref: '#/components/parameters/freePlan',
          },
        ],
        responses: {
          '200': {
            description: 'Facet counts.',
            content: {
              'application/json': {
                schema: {
                  type: 'object',
                  properties: {
                    facets: {
                      $ref: '#/components/schemas/ProductFacets',
                    },
                    totalItems: {
                      type: 'integer',
                      description: 'How many products match all the filters.',
                    },
                  },
                  required: ['facets', 'totalItems'],
                },
              },
            },
          },
          '400': {
            description: 'Bad query.',
            content: {
              'application/json': {
                schema: {
                  $ref: '#/components/schemas/Error',
                },
              },
            },
          },
        },
      },
    },
    '/products/{namespace}/{name}': {
      get: {
        operationId: 'GetProduct',
        description:
          'One product with its plans and the parameters of its template.',
        parameters: [
          {
            name: 'namespace',
            in: 'path',
            required: true,
            schema: {
              type: 'string',
            },
          },
          {
            name: 'name',
            in: 'path',
            required: true,
            schema: {
              type: 'string',
            },
          },
        ],
        responses: {
          '200': {
            description: 'The product.',
            content: {
              'application/json': {
                schema: {
                  $ref: '#/components/schemas/ProductDetails',
                },
              },
            },
          },
          '404': {
            description: 'No such product, or the caller may not see it.',
            content: {
              'application/json': {
                schema: {
                  $ref: '#/components/schemas/Error',
                },
              },
            },
          },
        },
      },
    },
    '/orders/preview': {
      post: {
        operationId: 'PreviewOrder',
        description:
          'The price, approval and form of an order before it is placed.',
        requestBody: {
          required: true,
          content: {
            'application/json': {
              schema: {
                type: 'object',
                properties: {
                  product: {
                    type: 'string',
                  },
                  plan: {
                    type: 'string',
                  },
                },
                required: ['product', 'plan'],
              },
            },
          },
        },
        responses: {
          '200': {
            description: 'The preview.',
            content: {
              'application/json': {
                schema: {
                  $ref: '#/components/schemas/OrderPreview',
                },
              },
            },
          },
          '400': {
            description: 'Unknown plan or product not orderable.',
            content: {
              'application/json': {
                schema: {
                  $ref: '#/components/schemas/Error',
                },
              },
            },
          },
        },
      },
    },
    '/orders': {
      post: {
        operationId: 'CreateOrder',
        description:
          'Orders a product. Secrets are passed to the task and never stored.',
        parameters: [
          {
            $ref: '#/components/parameters/idempotencyKey',
          },
        ],
        requestBody: {
          required: true,
          content: {
            'application/json': {
              schema: {
                type: 'object',
                properties: {
                  product: {
                    type: 'string',
                    description: 'Entity ref of the product.',
                  },
                  plan: {
                    type: 'string',
                  },
                  provider: {
                    type: 'string',
                  },
                  region: {
                    type: 'string',
                  },
                  parameters: {
                    type: 'object',
                    additionalProperties: true,
                  },
                  secrets: {
                    type: 'object',
                    additionalProperties: {
                      type: 'string',
                    },
                  },
                  comment: {
                    type: 'string',
                    maxLength: 2000,
                  },
                },
                required: ['product', 'plan', 'provider'],
              },
            },
          },
        },
        responses: {
          '201': {
            description: 'The order.',
            content: {
              'application/json': {
                schema: {
                  $ref: '#/components/schemas/OrderDetails',
                },
              },
            },
          },
          '400': {
            description:
              'Bad order, e.g. for a provider the cloud backend does not have; no order is created.',
            content: {
              'application/json': {
                schema: {
                  $ref: '#/components/schemas/Error',
                },
              },
            },
          },
          '409': {
            description: 'The Idempotency-Key was used with another request.',
            content: {
              'application/json': {
                schema: {
                  $ref: '#/components/schemas/Error',
                },
              },
            },
          },
          '503': {
            description:
              'The order carries secrets and needs approval, but no key to keep them is configured (store.secrets.keys).',
            content: {
              'application/json': {
                schema: {
                  $ref: '#/components/schemas/Error',
                },
              },
            },
          },
        },
      },
      get: {
        operationId: 'ListOrders',
        description:
          "The caller's orders, their approval inbox, or all orders for admins.",
        parameters: [
          {
            name: 'scope',
            in: 'query',
            required: false,
            schema: {
              type: 'string',
              enum: ['mine', 'inbox', 'all'],
            },
          },
          {
            name: 'status',
            in: 'query',
            required: false,
            description:
              'Order statuses (pending_approval, approved, provisioning, fulfilled, failed, rejected, cancelled); an unknown one is a 400 that names it.',
            style: 'form',
            explode: true,
            schema: {
              type: 'array',
              items: {
                type: 'string',
              },
            },
          },
          {
            name: 'product',
            in: 'query',
            required: false,
            style: 'form',
            explode: true,
            schema: {
              type: 'array',
              items: {
                type: 'string',
              },
            },
          },
          {
            name: 'requester',
            in: 'query',
            required: false,
            style: 'form',
            explode: true,
            schema: {
              type: 'array',
              items: {
                type: 'string',
              },
            },
          },
          {
            name: 'group',
            in: 'query',
            required: false,
            description:
              'Orders placed for the group (its owner parameter) or by its members, nested groups included.',
            style: 'form',
            explode: true,
            schema: {
              type: 'array',
              items: {
                type: 'string',
              },
            },
          },
          {
            name: 'createdAfter',
            in: 'query',
            required: false,
            description:
              'An ISO 8601 date or date-time; orders created at or after it.',
            schema: {
              type: 'string',
            },
          },
          {
            name: 'createdBefore',
            in: 'query',
            required: false,
            description:
              'An ISO 8601 date or date-time; orders created before it.',
            schema: {
              type: 'string',
            },
          },
          {
            name: 'cursor',
            in: 'query',
            required: false,
            description: 'The nextCursor of the previous page.',
            schema: {
              type: 'string',
            },
          },
          {
            name: 'limit',
            in: 'query',
            required: false,
            schema: {
              type: 'integer',
              minimum: 1,
              maximum: 500,
            },
          },
          {
            name: 'offset',
            in: 'query',
            required: false,
            schema: {
              type: 'integer',
              minimum: 0,
            },
          },
        ],
        responses: {
          '200': {
            description: 'A page of orders.',
            content: {
              'application/json': {
                schema: {
                  type: 'object',
                  properties: {
                    items: {
                      type: 'array',
                      items: {
                        $ref: '#/components/schemas/Order',
                      },
                    },
                    totalItems: {
                      type: 'integer',
                    },
                    nextCursor: {
                      type: 'string',
                      description:
                        'Where the next page starts; absent on the last page.',
                    },
                  },
                  required: ['items', 'totalItems'],
                },
              },
            },
          },
          '400': {
            description:
              'A filter is invalid, e.g. an unknown status or a bad date.',
            content: {
              'application/json': {
                schema: {
                  $ref: '#/components/schemas/Error',
                },
              },
            },
          },
        },
      },
    },
    '/orders/{id}': {
      get: {
        operationId: 'GetOrder',
        description: 'One order with its timeline.',
        parameters: [
          {
            name: 'id',
            in: 'path',
            required: true,
            schema: {
              type: 'string',
            },
          },
        ],
        responses: {
          '200': {
            description: 'The order.',
            content: {
              'application/json': {
                schema: {
                  $ref: '#/components/schemas/OrderDetails',
                },
              },
            },
          },
          '404': {
            description: 'No such order, or the caller may not see it.',
            content: {
              'application/json': {
                schema: {
                  $ref: '#/components/schemas/Error',
                },
              },
            },
          },
        },
      },
    },
    '/orders/{id}/{action}': {
      post: {
        operationId: 'DecideOrder',
        description:
          'Approve or reject (approvers), cancel before provisioning (requester), retry, close or reopen (admins).',
        parameters: [
          {
            name: 'id',
            in: 'path',
            required: true,
            schema: {
              type: 'string',
            },
          },
          {
            name: 'action',
            in: 'path',
            required: true,
            schema: {
              type: 'string',
              enum: ['approve', 'reject', 'cancel', 'retry', 'close', 'reopen'],
            },
          },
          {
            $ref: '#/components/parameters/idempotencyKey',
          },
        ],
        requestBody: {
          required: false,
          content: {
            'application/json': {
              schema: {
                type: 'object',
                properties: {
                  comment: {
                    type: 'string',
                    maxLength: 2000,
                  },
                },
              },
            },
          },
        },
        responses: {
          '200': {
            description: 'The order after the action.',
            content: {
              'application/json': {
                schema: {
                  $ref: '#/components/schemas/OrderDetails',
                },
              },
            },
          },
          '400': {
            description: 'The order is not in a status that allows the action.',
            content: {
              'application/json': {
                schema: {
                  $ref: '#/components/schemas/Error',
                },
              },
            },
          },
          '403': {
            description: 'The caller may not do this to the order.',
            content: {
              'application/json': {
                schema: {
                  $ref: '#/components/schemas/Error',
                },
              },
            },
          },
          '409': {
            description:
              'Someone else changed the order first, or the Idempotency-Key was reused.',
            content: {
              'application/json': {
                schema: {
                  $ref: '#/components/schemas/Error',
                },
              },
            },
          },
        },
      },
    },
    '/subscriptions': {
      get: {
        operationId: 'ListSubscriptions',
        description: 'The subscriptions the caller may see, newest first.',
        parameters: [
          {
            name: 'owner',
            in: 'query',
            required: false,
            description: 'Owner group refs.',
            style: 'form',
            explode: true,
            schema: {
              type: 'array',
              items: {
                type: 'string',
              },
            },
          },
          {
            name: 'status',
            in: 'query',
            required: false,
            description:
              'Subscription statuses; an unknown one is a 400 that names it.',
            style: 'form',
            explode: true,
            schema: {
              type: 'array',
              items: {
                type: 'string',
              },
            },
          },
          {
            name: 'limit',
            in: 'query',
            required: false,
            schema: {
              type: 'integer',
              minimum: 1,
              maximum: 200,
            },
          },
          {
            name: 'cursor',
            in: 'query',
            required: false,
            schema: {
              type: 'string',
            },
          },
        ],
        responses: {
          '200': {
            description: 'A page of subscriptions.',
            content: {
              'application/json': {
                schema: {
                  type: 'object',
                  properties: {
                    items: {
                      type: 'array',
                      items: {
                        $ref: '#/components/schemas/Subscription',
                      },
                    },
                    nextCursor: {
                      type: 'string',
                      description:
                        'Where the next page starts; absent on the last page.',
                    },
                  },
                  required: ['items'],
                },
              },
            },
          },
          '400': {
            description: 'A filter or the cursor is invalid.',
            content: {
              'application/json': {
                schema: {
                  $ref: '#/components/schemas/Error',
                },
              },
            },
          },
        },
      },
    },
    '/subscriptions/{id}': {
      get: {
        operationId: 'GetSubscription',
        description: 'One subscription with its timeline and charges.',
        parameters: [
          {
            name: 'id',
            in: 'path',
            required: true,
            schema: {
              type: 'string',
            },
          },
        ],
        responses: {
          '200': {
            description: 'The subscription.',
            content: {
              'application/json': {
                schema: {
                  $ref: '#/components/schemas/SubscriptionDetails',
                },
              },
            },
          },
          '404': {
            description: 'No such subscription, or the caller may not see it.',
            content: {
              'application/json': {
                schema: {
                  $ref: '#/components/schemas/Error',
                },
              },
            },
          },
        },
      },
    },
    '/subscriptions/{id}/quote': {
      post: {
        operationId: 'QuoteSubscription',
        description:
          'What a renewal, plan change or cancellation would cost; nothing changes.',
        parameters: [
          {
            name: 'id',
            in: 'path',
            required: true,
            schema: {
              type: 'string',
            },
          },
        ],
        requestBody: {
          required: true,
          content: {
            'application/json': {
              schema: {
                type: 'object',
                properties: {
                  action: {
                    type: 'string',
                    enum: ['renew', 'change-plan', 'cancel'],
                  },
                  periods: {
                    type: 'integer',
                  },
                  planId: {
                    type: 'string',
                  },
                  when: {
                    type: 'string',
                    enum: ['period-end', 'now'],
                  },
                },
                required: ['action'],
              },
            },
          },
        },
        responses: {
          '200': {
            description: 'The quote of the action.',
            content: {
              'application/json': {
                schema: {
                  oneOf: [
                    {
                      $ref: '#/components/schemas/RenewalQuote',
                    },
                    {
                      $ref: '#/components/schemas/PlanChangeQuote',
                    },
                    {
                      $ref: '#/components/schemas/CancellationQuote',
                    },
                  ],
                },
              },
            },
          },
          '400': {
            description: 'The request is invalid for this subscription.',
            content: {
              'application/json': {
                schema: {
                  $ref: '#/components/schemas/Error',
                },
              },
            },
          },
          '404': {
            description: 'No such subscription, or the caller may not see it.',
            content: {
              'application/json': {
                schema: {
                  $ref: '#/components/schemas/Error',
                },
              },
            },
          },
          '409': {
            description: 'The subscription has ended.',
            content: {
              'application/json': {
                schema: {
                  $ref: '#/components/schemas/Error',
                },
              },
            },
          },
        },
      },
    },
    '/subscriptions/{id}/renew': {
      post: {
        operationId: 'RenewSubscription',
        description: 'Pays for 1 to 36 more periods of the current plan.',
        parameters: [
          {
            name: 'id',
            in: 'path',
            required: true,
            schema: {
              type: 'string',
            },
          },
          {
            $ref: '#/components/parameters/idempotencyKey',
          },
        ],
        requestBody: {
          required: true,
          content: {
            'application/json': {
              schema: {
                type: 'object',
                properties: {
                  periods: {
                    type: 'integer',
                  },
                  version: {
                    type: 'integer',
                    description:
                      'The version the caller read; another one is a 409.',
                  },
                },
                required: ['periods'],
              },
            },
          },
        },
        responses: {
          '200': {
            description: 'The subscription, renewed.',
            content: {
              'application/json': {
                schema: {
                  $ref: '#/components/schemas/SubscriptionDetails',
                },
              },
            },
          },
          '400': {
            description: 'The request is invalid for this subscription.',
            content: {
              'application/json': {
                schema: {
                  $ref: '#/components/schemas/Error',
                },
              },
            },
          },
          '403': {
            description: 'The caller may see but not manage the subscription.',
            content: {
              'application/json': {
                schema: {
                  $ref: '#/components/schemas/Error',
                },
              },
            },
          },
          '404': {
            description: 'No such subscription, or the caller may not see it.',
            content: {
              'application/json': {
                schema: {
                  $ref: '#/components/schemas/Error',
                },
              },
            },
          },
          '409': {
            description:
              'The subscription has ended, changed since the caller read it, or the Idempotency-Key was reused.',
            content: {
              'application/json': {
                schema: {
                  $ref: '#/components/schemas/Error',
                },
              },
            },
          },
        },
      },
    },
    '/subscriptions/{id}/change-plan': {
      post: {
        operationId: 'ChangeSubscriptionPlan',
        description:
          'Moves to another plan of the product; an upgrade is charged and a downgrade credited for the rest of the period.',
        parameters: [
          {
            name: 'id',
            in: 'path',
            required: true,
            schema: {
              type: 'string',
            },
          },
          {
            $ref: '#/components/parameters/idempotencyKey',
          },
        ],
        requestBody: {
          required: true,
          content: {
            'application/json': {
              schema: {
                type: 'object',
                properties: {
                  planId: {
                    type: 'string',
                  },
                  version: {
                    type: 'integer',
                    description:
                      'The version the caller read; another one is a 409.',
                  },
                },
                required: ['planId'],
              },
            },
          },
        },
        responses: {
          '200': {
            description: 'The subscription on its new plan.',
            content: {
              'application/json': {
                schema: {
                  $ref: '#/components/schemas/SubscriptionDetails',
                },
              },
            },
          },
          '400': {
            description: 'The request is invalid for this subscription.',
            content: {
              'application/json': {
                schema: {
                  $ref: '#/components/schemas/Error',
                },
              },
            },
          },
          '403': {
            description: 'The caller may see but not manage the subscription.',
            content: {
              'application/json': {
                schema: {
                  $ref: '#/components/schemas/Error',
                },
              },
            },
          },
          '404': {
            description: 'No such subscription, or the caller may not see it.',
            content: {
              'application/json': {
                schema: {
                  $ref: '#/components/schemas/Error',
                },
              },
            },
          },
          '409': {
            description:
              'The subscription has ended, changed since the caller read it, or the Idempotency-Key was reused.',
            content: {
              'application/json': {
                schema: {
                  $ref: '#/components/schemas/Error',
                },
              },
            },
          },
        },
      },
    },
    '/subscriptions/{id}/cancel': {
      post: {
        operationId: 'CancelSubscription',
        description:
          'Cancels at the end of the period (the subscription is expiring until then) or now, with a prorated credit.',
        parameters: [
          {
            name: 'id',
            in: 'path',
            required: true,
            schema: {
              type: 'string',
            },
          },
          {
            $ref: '#/components/parameters/idempotencyKey',
          },
        ],
        requestBody: {
          required: true,
          content: {
            'application/json': {
              schema: {
                type: 'object',
                properties: {
                  when: {
                    type: 'string',
                    enum: ['period-end', 'now'],
                  },
                  version: {
                    type: 'integer',
                    description:
                      'The version the caller read; another one is a 409.',
                  },
                },
                required: ['when'],
              },
            },
          },
        },
        responses: {
          '200': {
            description: 'The cancelled or expiring subscription.',
            content: {
              'application/json': {
                schema: {
                  $ref: '#/components/schemas/SubscriptionDetails',
                },
              },
            },
          },
          '400': {
            description: 'The request is invalid for this subscription.',
            content: {
              'application/json': {
                schema: {
                  $ref: '#/components/schemas/Error',
                },
              },
            },
          },
          '403': {
            description: 'The caller may see but not manage the subscription.',
            content: {
              'application/json': {
                schema: {
                  $ref: '#/components/schemas/Error',
                },
              },
            },
          },
          '404': {
            description: 'No such subscription, or the caller may not see it.',
            content: {
              'application/json': {
                schema: {
                  $ref: '#/components/schemas/Error',
                },
              },
            },
          },
          '409': {
            description:
              'The subscription has ended, changed since the caller read it, or the Idempotency-Key was reused.',
            content: {
              'application/json': {
                schema: {
                  $ref: '#/components/schemas/Error',
                },
              },
            },
          },
        },
      },
    },
    '/subscriptions/{id}/auto-renew': {
      put: {
        operationId: 'SetSubscriptionAutoRenew',
        description:
          'Switches automatic renewal; switching it on takes back a cancellation at the end of the period.',
        parameters: [
          {
            name: 'id',
            in: 'path',
            required: true,
            schema: {
              type: 'string',
            },
          },
          {
            $ref: '#/components/parameters/idempotencyKey',
          },
        ],
        requestBody: {
          required: true,
          content: {
            'application/json': {
              schema: {
                type: 'object',
                properties: {
                  autoRenew: {
                    type: 'boolean',
                  },
                  version: {
                    type: 'integer',
                    description:
                      'The version the caller read; another one is a 409.',
                  },
                },
                required: ['autoRenew'],
              },
            },
          },
        },
        responses: {
          '200': {
            description: 'The subscription.',
            content: {
              'application/json': {
                schema: {
                  $ref: '#/components/schemas/SubscriptionDetails',
                },
              },
            },
          },
          '400': {
            description: 'The request is invalid for this subscription.',
            content: {
              'application/json': {
                schema: {
                  $ref: '#/components/schemas/Error',
                },
              },
            },
          },
          '403': {
            description: 'The caller may see but not manage the subscription.',
            content: {
              'application/json': {
                schema: {
                  $ref: '#/components/schemas/Error',
                },
              },
            },
          },
          '404': {
            description: 'No such subscription, or the caller may not see it.',
            content: {
              'application/json': {
                schema: {
                  $ref: '#/components/schemas/Error',
                },
              },
            },
          },
          '409': {
            description:
              'The subscription has ended, changed since the caller read it, or the Idempotency-Key was reused.',
            content: {
              'application/json': {
                schema: {
                  $ref: '#/components/schemas/Error',
                },
              },
            },
          },
        },
      },
    },
    '/usage': {
      post: {
        operationId: 'ReportUsage',
        description:
          'Records usage of subscriptions, idempotently by event id. For other plugins (service principals) and store administrators.',
        requestBody: {
          required: true,
          content: {
            'application/json': {
              schema: {
                type: 'object',
                properties: {
                  events: {
                    type: 'array',
                    minItems: 1,
                    maxItems: 1000,
                    items: {
                      $ref: '#/components/schemas/UsageEvent',
                    },
                  },
                },
                required: ['events'],
              },
            },
          },
        },
        responses: {
          '200': {
            description: 'What became of each event.',
            content: {
              'application/json': {
                schema: {
                  $ref: '#/components/schemas/UsageReportResult',
                },
              },
            },
          },
          '400': {
            description: 'The report is malformed.',
            content: {
              'application/json': {
                schema: {
                  $ref: '#/components/schemas/Error',
                },
              },
            },
          },
          '403': {
            description:
              'The caller is a user who is not a store administrator.',
            content: {
              'application/json': {
                schema: {
                  $ref: '#/components/schemas/Error',
                },
              },
            },
          },
        },
      },
    },
    '/invoices': {
      get: {
        operationId: 'ListInvoices',
        description: 'The invoices the caller may see, newest number first.',
        parameters: [
          {
            name: 'account',
            in: 'query',
            required: false,
            schema: {
              type: 'string',
            },
          },
          {
            name: 'period',
            in: 'query',
            required: false,
            schema: {
              type: 'string',
              pattern: '^\\d{4}-(0[1-9]|1[0-2])$',
            },
          },
          {
            name: 'cursor',
            in: 'query',
            required: false,
            schema: {
              type: 'string',
            },
          },
          {
            name: 'limit',
            in: 'query',
            required: false,
            schema: {
              type: 'integer',
              minimum: 1,
              maximum: 200,
            },
          },
        ],
        responses: {
          '200': {
            description: 'A page of invoices.',
            content: {
              'application/json': {
                schema: {
                  type: 'object',
                  properties: {
                    items: {
                      type: 'array',
                      items: {
                        $ref: '#/components/schemas/InvoiceSummary',
                      },
                    },
                    nextCursor: {
                      type: 'string',
                    },
                  },
                  required: ['items'],
                },
              },
            },
          },
          '400': {
            description: 'A filter or the cursor is invalid.',
            content: {
              'application/json': {
                schema: {
                  $ref: '#/components/schemas/Error',
                },
              },
            },
          },
        },
      },
    },
    '/invoices/run': {
      post: {
        operationId: 'RunInvoices',
        description:
          'Issues the invoices of a period that has ended; a period already invoiced issues nothing. For store administrators.',
        requestBody: {
          required: true,
          content: {
            'application/json': {
              schema: {
                type: 'object',
                properties: {
                  period: {
                    type: 'string',
                    pattern: '^\\d{4}-(0[1-9]|1[0-2])$',
                  },
                },
                required: ['period'],
              },
            },
          },
        },
        responses: {
          '200': {
            description: 'The invoices issued by this run.',
            content: {
              'application/json': {
                schema: {
                  type: 'object',
                  properties: {
                    period: {
                      type: 'string',
                    },
                    issued: {
                      type: 'array',
                      items: {
                        $ref: '#/components/schemas/InvoiceSummary',
                      },
                    },
                  },
                  required: ['period', 'issued'],
                },
              },
            },
          },
          '400': {
            description: 'The period is malformed or has not ended.',
            content: {
              'application/json': {
                schema: {
                  $ref: '#/components/schemas/Error',
                },
              },
            },
          },
          '403': {
            description:
              'The caller may not manage billing (store administrators may).',
            content: {
              'application/json': {
                schema: {
                  $ref: '#/components/schemas/Error',
                },
              },
            },
          },
        },
      },
    },
    '/invoices/{id}': {
      get: {
        operationId: 'GetInvoice',
        description: 'An invoice with its lines and credit notes.',
        parameters: [
          {
            name: 'id',
            in: 'path',
            required: true,
            schema: {
              type: 'string',
            },
          },
        ],
        responses: {
          '200': {
            description: 'The invoice.',
            content: {
              'application/json': {
                schema: {
                  $ref: '#/components/schemas/Invoice',
                },
              },
            },
          },
          '404': {
            description: 'No such invoice, or the caller may not see it.',
            content: {
              'application/json': {
                schema: {
                  $ref: '#/components/schemas/Error',
                },
              },
            },
          },
        },
      },
    },
    '/invoices/{id}/csv': {
      get: {
        operationId: 'GetInvoiceCsv',
        description: 'The lines of an invoice as CSV.',
        parameters: [
          {
            name: 'id',
            in: 'path',
            required: true,
            schema: {
              type: 'string',
            },
          },
        ],
        responses: {
          '200': {
            description: 'The lines, one per row, with a header row.',
            content: {
              'text/csv': {
                schema: {
                  type: 'string',
                },
              },
            },
          },
          '404': {
            description: 'No such invoice, or the caller may not see it.',
            content: {
              'application/json': {
                schema: {
                  $ref: '#/components/schemas/Error',
                },
              },
            },
          },
        },
      },
    },
    '/invoices/{id}/credit-notes': {
      post: {
        operationId: 'CreateCreditNote',
        description:
          'Corrects an issued invoice with a credit note; for store administrators and finance. The credits of an invoice never exceed its total.',
        parameters: [
          {
            name: 'id',
            in: 'path',
            required: true,
            schema: {
              type: 'string',
            },
          },
        ],
        requestBody: {
          required: true,
          content: {
            'application/json': {
              schema: {
                type: 'object',
                properties: {
                  reason: {
                    type: 'string',
                    minLength: 1,
                  },
                  lines: {
                    type: 'array',
                    minItems: 1,
                    maxItems: 100,
                    items: {
                      type: 'object',
                      properties: {
                        description: {
                          type: 'string',
                          minLength: 1,
                        },
                        amount: {
                          type: 'string',
                          description:
                            "A positive decimal in the invoice's currency.",
                        },
                      },
                      required: ['description', 'amount'],
                    },
                  },
                },
                required: ['reason', 'lines'],
              },
            },
          },
        },
        responses: {
          '201': {
            description: 'The credit note.',
            content: {
              'application/json': {
                schema: {
                  $ref: '#/components/schemas/CreditNote',
                },
              },
            },
          },
          '400': {
            description: 'A line is invalid or credits more than is left.',
            content: {
              'application/json': {
                schema: {
                  $ref: '#/components/schemas/Error',
                },
              },
            },
          },
          '403': {
            description: 'The caller may see the invoice but not credit it.',
            content: {
              'application/json': {
                schema: {
                  $ref: '#/components/schemas/Error',
                },
              },
            },
          },
          '404': {
            description: 'No such invoice, or the caller may not see it.',
            content: {
              'application/json': {
                schema: {
                  $ref: '#/components/schemas/Error',
                },
              },
            },
          },
        },
      },
    },
    '/billing/costs': {
      get: {
        operationId: 'GetCosts',
        description:
          'Sums of the invoice lines the caller may see over a range of months, grouped by account, product or month; filter by account and group by product to drill down.',
        parameters: [
          {
            name: 'from',
            in: 'query',
            required: true,
            schema: {
              type: 'string',
              pattern: '^\\d{4}-(0[1-9]|1[0-2])$',
            },
          },
          {
            name: 'to',
            in: 'query',
            required: true,
            schema: {
              type: 'string',
              pattern: '^\\d{4}-(0[1-9]|1[0-2])$',
            },
          },
          {
            name: 'groupBy',
            in: 'query',
            required: true,
            schema: {
              type: 'string',
              enum: ['account', 'product', 'month'],
            },
          },
          {
            name: 'account',
            in: 'query',
            required: false,
            schema: {
              type: 'string',
            },
          },
          {
            name: 'currency',
            in: 'query',
            required: false,
            description:
              'The currency of the invoices summed; store.currency by default.',
            schema: {
              type: 'string',
            },
          },
        ],
        responses: {
          '200': {
            description: 'The rows, ordered by key.',
            content: {
              'application/json': {
                schema: {
                  $ref: '#/components/schemas/CostReport',
                },
              },
            },
          },
          '400': {
            description: 'A month or the grouping is invalid.',
            content: {
              'application/json': {
                schema: {
                  $ref: '#/components/schemas/Error',
                },
              },
            },
          },
        },
      },
    },
  },
} as const;

export const createOpenApiRouter = async (
  options?: Parameters<typeof createValidatedOpenApiRouter>['1'],
) => createValidatedOpenApiRouter<typeof spec>(spec, options);
