// Generated from openapi.yaml; openapi.test.ts checks that they agree.

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
        description: 'Words that every product found must contain.',
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
            },
            required: ['description', 'template', 'plans', 'approval', 'docs'],
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
  },
} as const;

export const createOpenApiRouter = async (
  options?: Parameters<typeof createValidatedOpenApiRouter>['1'],
) => createValidatedOpenApiRouter<typeof spec>(spec, options);
