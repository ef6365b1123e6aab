// Generated from openapi.yaml by `yarn generate:openapi`; openapi.test.ts checks that they agree.

import { createValidatedOpenApiRouter } from '@backstage/backend-openapi-utils';

export const spec = {
  openapi: '3.0.3',
  info: {
    title: 'cloud',
    version: '1',
    description:
      'Cloud Store cloud backend: providers, the inventory of stacks and nodes, lifecycle operations and usage records. Errors use the Backstage error body; 400 bad input, 401 no valid credentials, 403 refused, 404 unknown or invisible stack, 409 conflicting state or a reused Idempotency-Key, 422 a node that did not become healthy, 503 a provider that cannot be reached. Every mutating request honours an Idempotency-Key: per caller, the same key with the same body answers the first response again, with another body 409. The schemas NodeLimits, RoleSpec, StackSpec, StackLimits and CreateStack come from @internal/plugin-cloud-common; run `yarn generate:openapi` in this package after changing them or this file.',
    license: {
      name: 'UNLICENSED',
    },
  },
  servers: [
    {
      url: '/',
    },
  ],
  paths: {
    '/providers': {
      get: {
        operationId: 'ListProviders',
        summary: 'Providers with their regions and runtimes',
        responses: {
          '200': {
            description: 'The providers',
            content: {
              'application/json': {
                schema: {
                  type: 'object',
                  required: ['items'],
                  properties: {
                    items: {
                      type: 'array',
                      items: {
                        $ref: '#/components/schemas/CloudProviderInfo',
                      },
                    },
                  },
                },
              },
            },
          },
          '401': {
            $ref: '#/components/responses/Unauthorized',
          },
        },
      },
    },
    '/stacks': {
      get: {
        operationId: 'ListStacks',
        summary: 'Stacks the caller may read',
        parameters: [
          {
            in: 'query',
            name: 'owner',
            allowReserved: true,
            schema: {
              type: 'string',
            },
          },
          {
            in: 'query',
            name: 'status',
            schema: {
              $ref: '#/components/schemas/StackStatus',
            },
          },
          {
            in: 'query',
            name: 'provider',
            schema: {
              type: 'string',
            },
          },
          {
            in: 'query',
            name: 'region',
            schema: {
              type: 'string',
            },
          },
          {
            in: 'query',
            name: 'template',
            allowReserved: true,
            schema: {
              type: 'string',
            },
          },
          {
            in: 'query',
            name: 'createdBy',
            allowReserved: true,
            schema: {
              type: 'string',
            },
          },
          {
            in: 'query',
            name: 'includeDeleted',
            schema: {
              type: 'boolean',
            },
          },
          {
            $ref: '#/components/parameters/Limit',
          },
          {
            $ref: '#/components/parameters/Cursor',
          },
        ],
        responses: {
          '200': {
            description: 'A page of the stacks, newest first',
            content: {
              'application/json': {
                schema: {
                  type: 'object',
                  required: ['items'],
                  properties: {
                    items: {
                      type: 'array',
                      items: {
                        $ref: '#/components/schemas/Stack',
                      },
                    },
                    nextCursor: {
                      $ref: '#/components/schemas/NextCursor',
                    },
                  },
                },
              },
            },
          },
          '400': {
            $ref: '#/components/responses/BadRequest',
          },
          '401': {
            $ref: '#/components/responses/Unauthorized',
          },
        },
      },
      post: {
        operationId: 'CreateStack',
        summary: 'Deploy a stack; waits until every node is healthy',
        parameters: [
          {
            $ref: '#/components/parameters/IdempotencyKey',
          },
        ],
        requestBody: {
          required: true,
          content: {
            'application/json': {
              schema: {
                $ref: '#/components/schemas/CreateStack',
              },
            },
          },
        },
        responses: {
          '200': {
            description:
              'The stack of an earlier request with the same Idempotency-Key whose backend instance stopped before it answered, as it is now',
            content: {
              'application/json': {
                schema: {
                  $ref: '#/components/schemas/StackDetails',
                },
              },
            },
          },
          '201': {
            description: 'Deployed',
            content: {
              'application/json': {
                schema: {
                  $ref: '#/components/schemas/StackDetails',
                },
              },
            },
          },
          '400': {
            $ref: '#/components/responses/BadRequest',
          },
          '401': {
            $ref: '#/components/responses/Unauthorized',
          },
          '403': {
            $ref: '#/components/responses/Forbidden',
          },
          '409': {
            $ref: '#/components/responses/Conflict',
          },
          '422': {
            $ref: '#/components/responses/NodeFailed',
          },
          '503': {
            $ref: '#/components/responses/Unavailable',
          },
        },
      },
    },
    '/stacks/{stackId}': {
      get: {
        operationId: 'GetStack',
        summary: 'A stack with its nodes',
        parameters: [
          {
            in: 'path',
            name: 'stackId',
            required: true,
            schema: {
              type: 'string',
            },
          },
        ],
        responses: {
          '200': {
            description: 'The stack',
            content: {
              'application/json': {
                schema: {
                  $ref: '#/components/schemas/StackDetails',
                },
              },
            },
          },
          '401': {
            $ref: '#/components/responses/Unauthorized',
          },
          '404': {
            $ref: '#/components/responses/NotFound',
          },
        },
      },
      delete: {
        operationId: 'DeleteStack',
        summary: 'Delete a stack and every node',
        parameters: [
          {
            in: 'path',
            name: 'stackId',
            required: true,
            schema: {
              type: 'string',
            },
          },
          {
            $ref: '#/components/parameters/IdempotencyKey',
          },
        ],
        responses: {
          '200': {
            description: 'The stack afterwards',
            content: {
              'application/json': {
                schema: {
                  $ref: '#/components/schemas/StackDetails',
                },
              },
            },
          },
          '401': {
            $ref: '#/components/responses/Unauthorized',
          },
          '403': {
            $ref: '#/components/responses/Forbidden',
          },
          '404': {
            $ref: '#/components/responses/NotFound',
          },
          '409': {
            $ref: '#/components/responses/Conflict',
          },
          '503': {
            $ref: '#/components/responses/Unavailable',
          },
        },
      },
    },
    '/stacks/{stackId}/start': {
      post: {
        operationId: 'StartNodes',
        summary: 'Start some or all nodes of a stack',
        parameters: [
          {
            in: 'path',
            name: 'stackId',
            required: true,
            schema: {
              type: 'string',
            },
          },
          {
            $ref: '#/components/parameters/IdempotencyKey',
          },
        ],
        requestBody: {
          $ref: '#/components/requestBodies/NodeSelection',
        },
        responses: {
          '200': {
            $ref: '#/components/responses/StackAfterwards',
          },
          '400': {
            $ref: '#/components/responses/BadRequest',
          },
          '401': {
            $ref: '#/components/responses/Unauthorized',
          },
          '403': {
            $ref: '#/components/responses/Forbidden',
          },
          '404': {
            $ref: '#/components/responses/NotFound',
          },
          '409': {
            $ref: '#/components/responses/Conflict',
          },
          '422': {
            $ref: '#/components/responses/NodeFailed',
          },
          '503': {
            $ref: '#/components/responses/Unavailable',
          },
        },
      },
    },
    '/stacks/{stackId}/stop': {
      post: {
        operationId: 'StopNodes',
        summary: 'Stop some or all nodes of a stack',
        parameters: [
          {
            in: 'path',
            name: 'stackId',
            required: true,
            schema: {
              type: 'string',
            },
          },
          {
            $ref: '#/components/parameters/IdempotencyKey',
          },
        ],
        requestBody: {
          $ref: '#/components/requestBodies/NodeSelection',
        },
        responses: {
          '200': {
            $ref: '#/components/responses/StackAfterwards',
          },
          '400': {
            $ref: '#/components/responses/BadRequest',
          },
          '401': {
            $ref: '#/components/responses/Unauthorized',
          },
          '403': {
            $ref: '#/components/responses/Forbidden',
          },
          '404': {
            $ref: '#/components/responses/NotFound',
          },
          '409': {
            $ref: '#/components/responses/Conflict',
          },
          '503': {
            $ref: '#/components/responses/Unavailable',
          },
        },
      },
    },
    '/stacks/{stackId}/restart': {
      post: {
        operationId: 'RestartNodes',
        summary: 'Restart some or all nodes of a stack',
        parameters: [
          {
            in: 'path',
            name: 'stackId',
            required: true,
            schema: {
              type: 'string',
            },
          },
          {
            $ref: '#/components/parameters/IdempotencyKey',
          },
        ],
        requestBody: {
          $ref: '#/components/requestBodies/NodeSelection',
        },
        responses: {
          '200': {
            $ref: '#/components/responses/StackAfterwards',
          },
          '400': {
            $ref: '#/components/responses/BadRequest',
          },
          '401': {
            $ref: '#/components/responses/Unauthorized',
          },
          '403': {
            $ref: '#/components/responses/Forbidden',
          },
          '404': {
            $ref: '#/components/responses/NotFound',
          },
          '409': {
            $ref: '#/components/responses/Conflict',
          },
          '422': {
            $ref: '#/components/responses/NodeFailed',
          },
          '503': {
            $ref: '#/components/responses/Unavailable',
          },
        },
      },
    },
    '/stacks/{stackId}/scale': {
      post: {
        operationId: 'ScaleRole',
        summary: 'Scale a role to a number of nodes',
        parameters: [
          {
            in: 'path',
            name: 'stackId',
            required: true,
            schema: {
              type: 'string',
            },
          },
          {
            $ref: '#/components/parameters/IdempotencyKey',
          },
        ],
        requestBody: {
          required: true,
          content: {
            'application/json': {
              schema: {
                type: 'object',
                additionalProperties: false,
                required: ['role', 'count'],
                properties: {
                  role: {
                    type: 'string',
                    minLength: 1,
                  },
                  count: {
                    type: 'integer',
                    minimum: 0,
                  },
                },
              },
            },
          },
        },
        responses: {
          '200': {
            $ref: '#/components/responses/StackAfterwards',
          },
          '400': {
            $ref: '#/components/responses/BadRequest',
          },
          '401': {
            $ref: '#/components/responses/Unauthorized',
          },
          '403': {
            $ref: '#/components/responses/Forbidden',
          },
          '404': {
            $ref: '#/components/responses/NotFound',
          },
          '409': {
            $ref: '#/components/responses/Conflict',
          },
          '422': {
            $ref: '#/components/responses/NodeFailed',
          },
          '503': {
            $ref: '#/components/responses/Unavailable',
          },
        },
      },
    },
    '/stacks/{stackId}/limits': {
      put: {
        operationId: 'SetStackLimits',
        summary:
          'Replace the limits a stack carries from its plan (permission cloud.stack.limits.manage; the store sets them when a subscription changes plans). What runs is not changed; an empty object lifts them',
        parameters: [
          {
            in: 'path',
            name: 'stackId',
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
                $ref: '#/components/schemas/StackLimits',
              },
            },
          },
        },
        responses: {
          '200': {
            $ref: '#/components/responses/StackAfterwards',
          },
          '400': {
            $ref: '#/components/responses/BadRequest',
          },
          '401': {
            $ref: '#/components/responses/Unauthorized',
          },
          '403': {
            $ref: '#/components/responses/Forbidden',
          },
          '404': {
            $ref: '#/components/responses/NotFound',
          },
          '409': {
            $ref: '#/components/responses/Conflict',
          },
        },
      },
    },
    '/stacks/{stackId}/nodes/{nodeName}/script': {
      post: {
        operationId: 'RunScript',
        summary:
          'Run a shell script on a running node (permission cloud.node.script.run; audited with the script)',
        parameters: [
          {
            in: 'path',
            name: 'stackId',
            required: true,
            schema: {
              type: 'string',
            },
          },
          {
            in: 'path',
            name: 'nodeName',
            required: true,
            schema: {
              type: 'string',
            },
          },
          {
            $ref: '#/components/parameters/IdempotencyKey',
          },
        ],
        requestBody: {
          required: true,
          content: {
            'application/json': {
              schema: {
                type: 'object',
                additionalProperties: false,
                required: ['script'],
                properties: {
                  script: {
                    type: 'string',
                    minLength: 1,
                  },
                  timeoutSeconds: {
                    type: 'integer',
                    minimum: 1,
                  },
                },
              },
            },
          },
        },
        responses: {
          '200': {
            description: 'Exit code, output, whether it timed out',
            content: {
              'application/json': {
                schema: {
                  $ref: '#/components/schemas/ScriptResult',
                },
              },
            },
          },
          '400': {
            $ref: '#/components/responses/BadRequest',
          },
          '401': {
            $ref: '#/components/responses/Unauthorized',
          },
          '403': {
            $ref: '#/components/responses/Forbidden',
          },
          '404': {
            $ref: '#/components/responses/NotFound',
          },
          '409': {
            $ref: '#/components/responses/Conflict',
          },
          '503': {
            $ref: '#/components/responses/Unavailable',
          },
        },
      },
    },
    '/stacks/{stackId}/nodes/{nodeName}/logs': {
      get: {
        operationId: 'GetNodeLogs',
        summary: "The tail of a node's log",
        parameters: [
          {
            in: 'path',
            name: 'stackId',
            required: true,
            schema: {
              type: 'string',
            },
          },
          {
            in: 'path',
            name: 'nodeName',
            required: true,
            schema: {
              type: 'string',
            },
          },
        ],
        responses: {
          '200': {
            description: 'The logs',
            content: {
              'application/json': {
                schema: {
                  type: 'object',
                  required: ['logs'],
                  properties: {
                    logs: {
                      type: 'string',
                    },
                  },
                },
              },
            },
          },
          '401': {
            $ref: '#/components/responses/Unauthorized',
          },
          '404': {
            $ref: '#/components/responses/NotFound',
          },
          '409': {
            $ref: '#/components/responses/Conflict',
          },
          '503': {
            $ref: '#/components/responses/Unavailable',
          },
        },
      },
    },
    '/usage': {
      get: {
        operationId: 'ListUsage',
        summary:
          'Usage records of stacks and nodes, newest first, a page at a time; with format=csv every record, streamed (limit and cursor do not apply)',
        parameters: [
          {
            in: 'query',
            name: 'kind',
            schema: {
              type: 'string',
              enum: ['stack', 'node'],
            },
          },
          {
            in: 'query',
            name: 'provider',
            schema: {
              type: 'string',
            },
          },
          {
            in: 'query',
            name: 'region',
            schema: {
              type: 'string',
            },
          },
          {
            in: 'query',
            name: 'user',
            allowReserved: true,
            schema: {
              type: 'string',
            },
          },
          {
            in: 'query',
            name: 'owner',
            allowReserved: true,
            schema: {
              type: 'string',
            },
          },
          {
            in: 'query',
            name: 'stackId',
            schema: {
              type: 'string',
            },
          },
          {
            in: 'query',
            name: 'from',
            description: 'An ISO date or date-time',
            allowReserved: true,
            schema: {
              anyOf: [
                {
                  type: 'string',
                  format: 'date',
                },
                {
                  type: 'string',
                  format: 'date-time',
                },
              ],
            },
          },
          {
            in: 'query',
            name: 'to',
            description: 'An ISO date or date-time',
            allowReserved: true,
            schema: {
              anyOf: [
                {
                  type: 'string',
                  format: 'date',
                },
                {
                  type: 'string',
                  format: 'date-time',
                },
              ],
            },
          },
          {
            in: 'query',
            name: 'format',
            schema: {
              type: 'string',
              enum: ['json', 'csv'],
            },
          },
          {
            $ref: '#/components/parameters/Limit',
          },
          {
            $ref: '#/components/parameters/Cursor',
          },
        ],
        responses: {
          '200': {
            description: 'A page of the records, or all of them as CSV',
            content: {
              'application/json': {
                schema: {
                  type: 'object',
                  required: ['items'],
                  properties: {
                    items: {
                      type: 'array',
                      items: {
                        $ref: '#/components/schemas/UsageRecord',
                      },
                    },
                    nextCursor: {
                      $ref: '#/components/schemas/NextCursor',
                    },
                  },
                },
              },
              'text/csv': {
                schema: {
                  type: 'string',
                },
              },
            },
          },
          '400': {
            $ref: '#/components/responses/BadRequest',
          },
          '401': {
            $ref: '#/components/responses/Unauthorized',
          },
          '403': {
            $ref: '#/components/responses/Forbidden',
          },
        },
      },
    },
    '/stacks/{stackId}/metrics': {
      get: {
        operationId: 'GetStackMetrics',
        summary: 'Metrics of every node of a stack over a range',
        parameters: [
          {
            in: 'path',
            name: 'stackId',
            required: true,
            schema: {
              type: 'string',
            },
          },
          {
            in: 'query',
            name: 'range',
            description:
              'The last hour, day, week or 30 days; or give from and to',
            schema: {
              type: 'string',
              enum: ['1h', '1d', '7d', '30d'],
            },
          },
          {
            in: 'query',
            name: 'from',
            description: 'An ISO date-time',
            allowReserved: true,
            schema: {
              type: 'string',
              format: 'date-time',
            },
          },
          {
            in: 'query',
            name: 'to',
            description: 'An ISO date-time; now when absent',
            allowReserved: true,
            schema: {
              type: 'string',
              format: 'date-time',
            },
          },
          {
            in: 'query',
            name: 'resolution',
            description: 'Chosen from the range when absent',
            schema: {
              type: 'string',
              enum: ['raw', '1m', '1h', '1d'],
            },
          },
          {
            in: 'query',
            name: 'metric',
            description: 'Only these metrics; every one when absent',
            schema: {
              type: 'array',
              items: {
                $ref: '#/components/schemas/MetricName',
              },
            },
          },
        ],
        responses: {
          '200': {
            description: 'One series per node and metric',
            content: {
              'application/json': {
                schema: {
                  $ref: '#/components/schemas/MetricsResponse',
                },
              },
            },
          },
          '400': {
            $ref: '#/components/responses/BadRequest',
          },
          '401': {
            $ref: '#/components/responses/Unauthorized',
          },
          '404': {
            $ref: '#/components/responses/NotFound',
          },
        },
      },
    },
    '/stacks/{stackId}/nodes/{nodeName}/metrics': {
      get: {
        operationId: 'GetNodeMetrics',
        summary: 'Metrics of one node over a range',
        parameters: [
          {
            in: 'path',
            name: 'stackId',
            required: true,
            schema: {
              type: 'string',
            },
          },
          {
            in: 'path',
            name: 'nodeName',
            required: true,
            schema: {
              type: 'string',
            },
          },
          {
            in: 'query',
            name: 'range',
            description:
              'The last hour, day, week or 30 days; or give from and to',
            schema: {
              type: 'string',
              enum: ['1h', '1d', '7d', '30d'],
            },
          },
          {
            in: 'query',
            name: 'from',
            description: 'An ISO date-time',
            allowReserved: true,
            schema: {
              type: 'string',
              format: 'date-time',
            },
          },
          {
            in: 'query',
            name: 'to',
            description: 'An ISO date-time; now when absent',
            allowReserved: true,
            schema: {
              type: 'string',
              format: 'date-time',
            },
          },
          {
            in: 'query',
            name: 'resolution',
            description: 'Chosen from the range when absent',
            schema: {
              type: 'string',
              enum: ['raw', '1m', '1h', '1d'],
            },
          },
          {
            in: 'query',
            name: 'metric',
            description: 'Only these metrics; every one when absent',
            schema: {
              type: 'array',
              items: {
                $ref: '#/components/schemas/MetricName',
              },
            },
          },
        ],
        responses: {
          '200': {
            description: 'One series per node and metric',
            content: {
              'application/json': {
                schema: {
                  $ref: '#/components/schemas/MetricsResponse',
                },
              },
            },
          },
          '400': {
            $ref: '#/components/responses/BadRequest',
          },
          '401': {
            $ref: '#/components/responses/Unauthorized',
          },
          '404': {
            $ref: '#/components/responses/NotFound',
          },
        },
      },
    },
    '/stacks/{stackId}/alerts': {
      get: {
        operationId: 'GetStackAlerts',
        summary:
          "The firing and resolved alerts of a stack's nodes, newest first",
        parameters: [
          {
            in: 'path',
            name: 'stackId',
            required: true,
            schema: {
              type: 'string',
            },
          },
          {
            $ref: '#/components/parameters/Limit',
          },
          {
            $ref: '#/components/parameters/Cursor',
          },
        ],
        responses: {
          '200': {
            description: 'A page of the alerts',
            content: {
              'application/json': {
                schema: {
                  type: 'object',
                  required: ['items'],
                  properties: {
                    items: {
                      type: 'array',
                      items: {
                        $ref: '#/components/schemas/MetricAlert',
                      },
                    },
                    nextCursor: {
                      $ref: '#/components/schemas/NextCursor',
                    },
                  },
                },
              },
            },
          },
          '400': {
            $ref: '#/components/responses/BadRequest',
          },
          '401': {
            $ref: '#/components/responses/Unauthorized',
          },
          '404': {
            $ref: '#/components/responses/NotFound',
          },
        },
      },
    },
    '/monitoring/overview': {
      get: {
        operationId: 'GetMonitoringOverview',
        summary:
          'Every node at once, for admins - the busiest, those near their limits, those not reporting - and every firing alert',
        responses: {
          '200': {
            description: 'The overview',
            content: {
              'application/json': {
                schema: {
                  $ref: '#/components/schemas/MonitoringOverview',
                },
              },
            },
          },
          '401': {
            $ref: '#/components/responses/Unauthorized',
          },
          '403': {
            $ref: '#/components/responses/Forbidden',
          },
        },
      },
    },
    '/metrics': {
      get: {
        operationId: 'GetPrometheusMetrics',
        summary:
          "The latest figures of every node in Prometheus' text format, for admins and services",
        responses: {
          '200': {
            description: 'Prometheus text exposition format 0.0.4',
            content: {
              'text/plain': {
                schema: {
                  type: 'string',
                },
              },
            },
          },
          '401': {
            $ref: '#/components/responses/Unauthorized',
          },
          '403': {
            $ref: '#/components/responses/Forbidden',
          },
        },
      },
    },
  },
  components: {
    parameters: {
      Limit: {
        in: 'query',
        name: 'limit',
        description: 'The most items of a page; 50 when absent',
        schema: {
          type: 'integer',
          minimum: 1,
          maximum: 500,
        },
      },
      Cursor: {
        in: 'query',
        name: 'cursor',
        description: 'The nextCursor of the previous page',
        schema: {
          type: 'string',
          minLength: 1,
        },
      },
      IdempotencyKey: {
        in: 'header',
        name: 'Idempotency-Key',
        required: false,
        description:
          'The same key with the same body, from the same caller, answers the first response again; with another body, 409.',
        schema: {
          type: 'string',
          minLength: 1,
          maxLength: 200,
        },
      },
    },
    requestBodies: {
      NodeSelection: {
        required: false,
        content: {
          'application/json': {
            schema: {
              type: 'object',
              additionalProperties: false,
              properties: {
                nodes: {
                  description:
                    'Names of the nodes; all nodes of the stack when absent',
                  type: 'array',
                  items: {
                    type: 'string',
                  },
                },
              },
            },
          },
        },
      },
    },
    responses: {
      StackAfterwards: {
        description: 'The stack afterwards',
        content: {
          'application/json': {
            schema: {
              $ref: '#/components/schemas/StackDetails',
            },
          },
        },
      },
      BadRequest: {
        description:
          'The request does not match the contract, or names what does not exist',
        content: {
          'application/json': {
            schema: {
              $ref: '#/components/schemas/Error',
            },
          },
        },
      },
      Unauthorized: {
        description: 'No valid credentials',
        content: {
          'application/json': {
            schema: {
              $ref: '#/components/schemas/Error',
            },
          },
        },
      },
      Forbidden: {
        description: 'The caller may see the stack but not do this',
        content: {
          'application/json': {
            schema: {
              $ref: '#/components/schemas/Error',
            },
          },
        },
      },
      NotFound: {
        description: 'No such stack or node, or one the caller may not see',
        content: {
          'application/json': {
            schema: {
              $ref: '#/components/schemas/Error',
            },
          },
        },
      },
      Conflict: {
        description:
          'The stack is in a state that does not allow this, the name is taken, or the Idempotency-Key was used with another body or is still in use',
        content: {
          'application/json': {
            schema: {
              $ref: '#/components/schemas/Error',
            },
          },
        },
      },
      NodeFailed: {
        description:
          'A node did not become healthy; the stack is failed (on deploy) and nothing of it keeps running',
        content: {
          'application/json': {
            schema: {
              $ref: '#/components/schemas/NodeFailedError',
            },
          },
        },
      },
      Unavailable: {
        description: 'The provider cannot be reached',
        content: {
          'application/json': {
            schema: {
              $ref: '#/components/schemas/Error',
            },
          },
        },
      },
    },
    schemas: {
      NextCursor: {
        type: 'string',
        description: 'Where the next page starts; absent on the last page',
      },
      MetricName: {
        type: 'string',
        enum: ['cpu', 'memory', 'disk', 'networkIn', 'networkOut'],
        description:
          'cpu in percent of one core, memory and disk in bytes, networkIn and networkOut in bytes per second',
      },
      MetricsResponse: {
        type: 'object',
        required: ['resolution', 'from', 'to', 'series'],
        properties: {
          resolution: {
            type: 'string',
            enum: ['raw', '1m', '1h', '1d'],
          },
          from: {
            type: 'string',
            format: 'date-time',
          },
          to: {
            type: 'string',
            format: 'date-time',
          },
          series: {
            type: 'array',
            items: {
              type: 'object',
              required: ['nodeName', 'metric', 'points'],
              properties: {
                nodeName: {
                  type: 'string',
                },
                metric: {
                  $ref: '#/components/schemas/MetricName',
                },
                points: {
                  type: 'array',
                  items: {
                    type: 'object',
                    required: ['time', 'count', 'avg', 'min', 'max'],
                    properties: {
                      time: {
                        type: 'string',
                        format: 'date-time',
                      },
                      count: {
                        type: 'integer',
                      },
                      avg: {
                        type: 'number',
                      },
                      min: {
                        type: 'number',
                      },
                      max: {
                        type: 'number',
                      },
                    },
                  },
                },
              },
            },
          },
        },
      },
      MetricAlert: {
        type: 'object',
        required: [
          'id',
          'stackId',
          'nodeName',
          'rule',
          'state',
          'message',
          'since',
          'firedAt',
        ],
        properties: {
          id: {
            type: 'string',
          },
          stackId: {
            type: 'string',
          },
          nodeName: {
            type: 'string',
          },
          rule: {
            type: 'string',
            enum: ['cpu', 'memory', 'not-reporting'],
          },
          state: {
            type: 'string',
            enum: ['firing', 'resolved'],
          },
          message: {
            type: 'string',
          },
          since: {
            type: 'string',
            format: 'date-time',
            description:
              'When the condition began, before it held long enough to fire',
          },
          firedAt: {
            type: 'string',
            format: 'date-time',
          },
          resolvedAt: {
            type: 'string',
            format: 'date-time',
          },
        },
      },
      MonitoredNode: {
        type: 'object',
        required: ['stackId', 'stackName', 'owner', 'nodeName'],
        properties: {
          stackId: {
            type: 'string',
          },
          stackName: {
            type: 'string',
          },
          owner: {
            type: 'string',
          },
          nodeName: {
            type: 'string',
          },
          reportedAt: {
            type: 'string',
            format: 'date-time',
            description:
              'When the node last reported; absent when it never did',
          },
          cpu: {
            type: 'number',
            description:
              'Average CPU of the last five minutes, in percent of one core',
          },
          memoryBytes: {
            type: 'number',
          },
          memoryLimitBytes: {
            type: 'number',
            description: "The node's memory limit, from its plan or its role",
          },
        },
      },
      MonitoringOverview: {
        type: 'object',
        required: ['busiest', 'nearLimits', 'notReporting', 'alerts'],
        properties: {
          busiest: {
            description: 'The nodes using the most CPU, busiest first',
            type: 'array',
            items: {
              $ref: '#/components/schemas/MonitoredNode',
            },
          },
          nearLimits: {
            description:
              'Nodes using most of their memory limit, fullest first',
            type: 'array',
            items: {
              $ref: '#/components/schemas/MonitoredNode',
            },
          },
          notReporting: {
            description: 'Running nodes that have not reported lately',
            type: 'array',
            items: {
              $ref: '#/components/schemas/MonitoredNode',
            },
          },
          alerts: {
            description: 'Every firing alert, newest first',
            type: 'array',
            items: {
              allOf: [
                {
                  $ref: '#/components/schemas/MetricAlert',
                },
                {
                  type: 'object',
                  required: ['stackName', 'owner'],
                  properties: {
                    stackName: {
                      type: 'string',
                    },
                    owner: {
                      type: 'string',
                    },
                  },
                },
              ],
            },
          },
        },
      },
      Error: {
        type: 'object',
        required: ['error'],
        properties: {
          error: {
            type: 'object',
            required: ['name', 'message'],
            properties: {
              name: {
                type: 'string',
              },
              message: {
                type: 'string',
              },
            },
          },
          request: {
            type: 'object',
            properties: {
              method: {
                type: 'string',
              },
              url: {
                type: 'string',
              },
            },
          },
          response: {
            type: 'object',
            properties: {
              statusCode: {
                type: 'integer',
              },
            },
          },
        },
      },
      NodeFailedError: {
        type: 'object',
        required: ['error'],
        properties: {
          error: {
            type: 'object',
            required: ['name', 'message', 'failure'],
            properties: {
              name: {
                type: 'string',
                enum: ['NodeFailedError'],
              },
              message: {
                type: 'string',
              },
              failure: {
                type: 'object',
                required: ['stackId', 'node', 'role', 'exitCode', 'logTail'],
                properties: {
                  stackId: {
                    type: 'string',
                  },
                  node: {
                    type: 'string',
                  },
                  role: {
                    type: 'string',
                  },
                  exitCode: {
                    type: 'integer',
                    nullable: true,
                  },
                  logTail: {
                    type: 'string',
                    description: "The last lines of the node's log",
                  },
                },
              },
            },
          },
          request: {
            type: 'object',
            properties: {
              method: {
                type: 'string',
              },
              url: {
                type: 'string',
              },
            },
          },
          response: {
            type: 'object',
            properties: {
              statusCode: {
                type: 'integer',
              },
            },
          },
        },
      },
      StackStatus: {
        type: 'string',
        enum: [
          'pending',
          'deploying',
          'running',
          'degraded',
          'stopped',
          'deleting',
          'deleted',
          'failed',
        ],
      },
      NodeStatus: {
        type: 'string',
        enum: [
          'pending',
          'starting',
          'running',
          'unhealthy',
          'stopped',
          'failed',
          'deleted',
        ],
      },
      RuntimeInfo: {
        type: 'object',
        required: ['name', 'title'],
        properties: {
          name: {
            type: 'string',
          },
          title: {
            type: 'string',
          },
          description: {
            type: 'string',
          },
        },
      },
      CloudProviderInfo: {
        type: 'object',
        required: ['id', 'title', 'regions'],
        properties: {
          id: {
            type: 'string',
          },
          title: {
            type: 'string',
          },
          regions: {
            type: 'array',
            items: {
              type: 'string',
            },
          },
          runtimes: {
            type: 'array',
            items: {
              $ref: '#/components/schemas/RuntimeInfo',
            },
          },
        },
      },
      Stack: {
        type: 'object',
        required: [
          'id',
          'name',
          'owner',
          'provider',
          'region',
          'status',
          'spec',
          'createdBy',
          'createdAt',
        ],
        properties: {
          id: {
            type: 'string',
          },
          name: {
            type: 'string',
          },
          owner: {
            type: 'string',
          },
          template: {
            type: 'string',
          },
          provider: {
            type: 'string',
          },
          region: {
            type: 'string',
          },
          status: {
            $ref: '#/components/schemas/StackStatus',
          },
          url: {
            type: 'string',
          },
          error: {
            type: 'string',
          },
          spec: {
            $ref: '#/components/schemas/StackSpec',
          },
          limits: {
            $ref: '#/components/schemas/StackLimits',
          },
          createdBy: {
            type: 'string',
          },
          createdAt: {
            type: 'string',
            format: 'date-time',
          },
          deletedBy: {
            type: 'string',
          },
          deletedAt: {
            type: 'string',
            format: 'date-time',
          },
        },
      },
      CloudNode: {
        type: 'object',
        required: [
          'id',
          'stackId',
          'name',
          'role',
          'provider',
          'region',
          'status',
          'createdBy',
          'createdAt',
        ],
        properties: {
          id: {
            type: 'string',
          },
          stackId: {
            type: 'string',
          },
          name: {
            type: 'string',
          },
          role: {
            type: 'string',
          },
          provider: {
            type: 'string',
          },
          region: {
            type: 'string',
          },
          providerResourceId: {
            type: 'string',
          },
          privateAddress: {
            type: 'string',
          },
          publicAddress: {
            type: 'string',
          },
          status: {
            $ref: '#/components/schemas/NodeStatus',
          },
          createdBy: {
            type: 'string',
          },
          createdAt: {
            type: 'string',
            format: 'date-time',
          },
          deletedBy: {
            type: 'string',
          },
          deletedAt: {
            type: 'string',
            format: 'date-time',
          },
        },
      },
      StackDetails: {
        allOf: [
          {
            $ref: '#/components/schemas/Stack',
          },
          {
            type: 'object',
            required: ['nodes'],
            properties: {
              nodes: {
                type: 'array',
                items: {
                  $ref: '#/components/schemas/CloudNode',
                },
              },
            },
          },
        ],
      },
      UsageRecord: {
        type: 'object',
        required: [
          'kind',
          'id',
          'stackId',
          'stackName',
          'owner',
          'provider',
          'region',
          'createdBy',
          'createdAt',
        ],
        properties: {
          kind: {
            type: 'string',
            enum: ['stack', 'node'],
          },
          id: {
            type: 'string',
          },
          stackId: {
            type: 'string',
          },
          stackName: {
            type: 'string',
          },
          role: {
            type: 'string',
          },
          owner: {
            type: 'string',
          },
          provider: {
            type: 'string',
          },
          region: {
            type: 'string',
          },
          providerResourceId: {
            type: 'string',
          },
          createdBy: {
            type: 'string',
          },
          createdAt: {
            type: 'string',
            format: 'date-time',
          },
          deletedBy: {
            type: 'string',
          },
          deletedAt: {
            type: 'string',
            format: 'date-time',
          },
        },
      },
      ScriptResult: {
        type: 'object',
        required: ['exitCode', 'timedOut', 'output', 'durationMs'],
        properties: {
          exitCode: {
            type: 'integer',
            nullable: true,
          },
          timedOut: {
            type: 'boolean',
          },
          output: {
            type: 'string',
          },
          durationMs: {
            type: 'integer',
          },
        },
      },
      NodeLimits: {
        type: 'object',
        properties: {
          memoryMb: {
            type: 'integer',
            minimum: 1,
            description: 'Memory in MiB',
          },
          processes: {
            type: 'integer',
            minimum: 1,
            description: 'Processes and threads at once',
          },
        },
        additionalProperties: false,
        description: "What one node may use; the provider's defaults otherwise",
      },
      RoleSpec: {
        type: 'object',
        properties: {
          name: {
            type: 'string',
            pattern: '^[a-z][a-z0-9-]{0,30}$',
            description:
              'Role name, e.g. app; nodes are named after it (app-1)',
          },
          runtime: {
            type: 'string',
            minLength: 1,
            description:
              'A runtime the provider offers, e.g. node, static or load-balancer',
          },
          entry: {
            type: 'string',
            minLength: 1,
            description:
              "The file the runtime starts, relative to the node's folder, e.g. server.js",
          },
          count: {
            type: 'integer',
            minimum: 0,
            description: 'Number of nodes',
          },
          command: {
            type: 'array',
            items: {
              type: 'string',
              minLength: 1,
            },
            minItems: 1,
            description:
              'A raw argv instead of a runtime; only for service principals and holders of cloud.command.use',
          },
          env: {
            type: 'object',
            additionalProperties: {
              type: 'string',
            },
            description: 'Environment of the nodes',
          },
          files: {
            type: 'object',
            additionalProperties: {
              type: 'string',
            },
            description:
              "Files written into each node's folder, by relative path",
          },
          healthPath: {
            type: 'string',
            description:
              "HTTP path that answers 2xx when a node is healthy; the runtime's by default",
          },
          balances: {
            type: 'string',
            description:
              'For a load balancer: the role whose nodes it balances',
          },
          limits: {
            $ref: '#/components/schemas/NodeLimits',
            description:
              "What one node may use; the provider's defaults otherwise",
          },
        },
        required: ['name', 'count'],
        additionalProperties: false,
        description:
          'A group of identical nodes that run a runtime, or a raw command, never both',
      },
      StackSpec: {
        type: 'object',
        properties: {
          roles: {
            type: 'array',
            items: {
              $ref: '#/components/schemas/RoleSpec',
            },
            minItems: 1,
            description: 'Roles of the stack, started in this order',
          },
          template: {
            $ref: '#/components/schemas/StackTemplate',
            description:
              "A provider's own template that makes the stack; its roles then name the template's groups of nodes and give their counts",
          },
          entryRole: {
            type: 'string',
            description:
              "The role whose first node answers the stack's public URL",
          },
        },
        required: ['roles'],
        additionalProperties: false,
        description: 'What a stack is made of',
      },
      CreateStack: {
        type: 'object',
        properties: {
          name: {
            type: 'string',
            pattern: '^[a-z][a-z0-9-]{1,38}[a-z0-9]$',
            description:
              'Name of the stack, a DNS label: it answers at <name>.localhost',
          },
          owner: {
            type: 'string',
            minLength: 1,
            description: 'Entity ref of the group that owns the stack',
          },
          template: {
            type: 'string',
            description:
              'Entity ref of the template the stack was deployed from',
          },
          provider: {
            type: 'string',
            minLength: 1,
            description: 'Id of the cloud provider',
          },
          region: {
            type: 'string',
            minLength: 1,
            description: 'Region of the provider',
          },
          spec: {
            $ref: '#/components/schemas/StackSpec',
          },
          requestedBy: {
            type: 'string',
            description:
              'User entity ref the stack is deployed for; only a service may set it',
          },
          limits: {
            $ref: '#/components/schemas/StackLimits',
            description:
              'Limits of the plan the stack was ordered on; they bind everyone, administrators too',
          },
        },
        required: ['name', 'owner', 'provider', 'region', 'spec'],
        additionalProperties: false,
        description: 'A stack to deploy',
      },
      StackLimits: {
        type: 'object',
        properties: {
          instances: {
            type: 'integer',
            minimum: 0,
            description:
              "Most nodes behind the stack's load balancer (of all its roles when it has none); deploys and scales beyond it are refused",
          },
          memoryMb: {
            type: 'integer',
            minimum: 1,
            description:
              "Memory of one node in MiB; an alert tells the stack's owner when a node nears it",
          },
          upgradeHint: {
            type: 'string',
            maxLength: 500,
            description:
              'What to do for more, said when a limit refuses a change',
          },
          alerts: {
            type: 'object',
            properties: {
              cpu: {
                anyOf: [
                  {
                    type: 'boolean',
                    enum: [false],
                  },
                  {
                    type: 'object',
                    properties: {
                      percent: {
                        type: 'number',
                        minimum: 1,
                        description:
                          "The threshold: percent of one core for CPU, of the node's limit for memory",
                      },
                      for: {
                        anyOf: [
                          {
                            type: 'string',
                            minLength: 1,
                          },
                          {
                            type: 'object',
                            properties: {
                              years: {
                                type: 'number',
                                minimum: 0,
                              },
                              months: {
                                type: 'number',
                                minimum: 0,
                              },
                              weeks: {
                                type: 'number',
                                minimum: 0,
                              },
                              days: {
                                type: 'number',
                                minimum: 0,
                              },
                              hours: {
                                type: 'number',
                                minimum: 0,
                              },
                              minutes: {
                                type: 'number',
                                minimum: 0,
                              },
                              seconds: {
                                type: 'number',
                                minimum: 0,
                              },
                              milliseconds: {
                                type: 'number',
                                minimum: 0,
                              },
                            },
                            additionalProperties: false,
                          },
                        ],
                        description:
                          "How long, as Backstage config writes it: '10m', 'PT10M' or { minutes: 10 }",
                      },
                    },
                    additionalProperties: false,
                  },
                ],
                description:
                  'CPU above `percent` of one core for `for`; false turns it off',
              },
              memory: {
                anyOf: [
                  {
                    type: 'boolean',
                    enum: [false],
                  },
                  {
                    type: 'object',
                    properties: {
                      percent: {
                        type: 'number',
                        minimum: 1,
                        description:
                          "The threshold: percent of one core for CPU, of the node's limit for memory",
                      },
                      for: {
                        anyOf: [
                          {
                            type: 'string',
                            minLength: 1,
                          },
                          {
                            type: 'object',
                            properties: {
                              years: {
                                type: 'number',
                                minimum: 0,
                              },
                              months: {
                                type: 'number',
                                minimum: 0,
                              },
                              weeks: {
                                type: 'number',
                                minimum: 0,
                              },
                              days: {
                                type: 'number',
                                minimum: 0,
                              },
                              hours: {
                                type: 'number',
                                minimum: 0,
                              },
                              minutes: {
                                type: 'number',
                                minimum: 0,
                              },
                              seconds: {
                                type: 'number',
                                minimum: 0,
                              },
                              milliseconds: {
                                type: 'number',
                                minimum: 0,
                              },
                            },
                            additionalProperties: false,
                          },
                        ],
                        description:
                          "How long, as Backstage config writes it: '10m', 'PT10M' or { minutes: 10 }",
                      },
                    },
                    additionalProperties: false,
                  },
                ],
                description:
                  "Memory above `percent` of the node's limit for `for`; false turns it off",
              },
              notReporting: {
                anyOf: [
                  {
                    type: 'boolean',
                    enum: [false],
                  },
                  {
                    type: 'object',
                    properties: {
                      for: {
                        anyOf: [
                          {
                            type: 'string',
                            minLength: 1,
                          },
                          {
                            type: 'object',
                            properties: {
                              years: {
                                type: 'number',
                                minimum: 0,
                              },
                              months: {
                                type: 'number',
                                minimum: 0,
                              },
                              weeks: {
                                type: 'number',
                                minimum: 0,
                              },
                              days: {
                                type: 'number',
                                minimum: 0,
                              },
                              hours: {
                                type: 'number',
                                minimum: 0,
                              },
                              minutes: {
                                type: 'number',
                                minimum: 0,
                              },
                              seconds: {
                                type: 'number',
                                minimum: 0,
                              },
                              milliseconds: {
                                type: 'number',
                                minimum: 0,
                              },
                            },
                            additionalProperties: false,
                          },
                        ],
                        description:
                          "How long, as Backstage config writes it: '10m', 'PT10M' or { minutes: 10 }",
                      },
                    },
                    required: ['for'],
                    additionalProperties: false,
                  },
                ],
                description: 'A node silent for `for`; false turns it off',
              },
            },
            additionalProperties: false,
            description:
              "Alert rules of the stack's plan, in the shape of cloud.monitoring.alerts: each rule given replaces the configured default key by key, and a stack's own configured rules replace them",
          },
        },
        additionalProperties: false,
        description:
          'Limits of the plan the stack was ordered on; they bind everyone, administrators too',
      },
      StackTemplate: {
        type: 'object',
        properties: {
          format: {
            type: 'string',
            enum: ['hot'],
            description: "The template's language: 'hot' is OpenStack Heat's",
          },
          body: {
            type: 'string',
            minLength: 1,
            description: 'The template itself, e.g. HOT in YAML, unchanged',
          },
          parameters: {
            type: 'object',
            additionalProperties: {
              anyOf: [
                {
                  type: 'string',
                },
                {
                  type: 'number',
                },
                {
                  type: 'boolean',
                },
              ],
            },
            description: "Values of the template's parameters",
          },
        },
        required: ['format', 'body'],
        additionalProperties: false,
        description:
          "A provider's own template that makes the stack; its roles then name the template's groups of nodes and give their counts",
      },
    },
  },
} as const;

export const createOpenApiRouter = async (
  options?: Parameters<typeof createValidatedOpenApiRouter>['1'],
) => createValidatedOpenApiRouter<typeof spec>(spec, options);
