import { TemplateExample } from '@backstage/plugin-scaffolder-node';
import yaml from 'yaml';

export const examples: TemplateExample[] = [
  {
    description: 'Deploys a Node.js service rendered into the workspace',
    example: yaml.stringify({
      steps: [
        {
          id: 'deploy',
          action: 'cloud:stack:deploy',
          name: 'Deploy the service',
          input: {
            name: 'orders-api',
            owner: 'group:default/web-team',
            roles: [
              {
                name: 'app',
                count: 1,
                runtime: 'node',
                entry: 'server.js',
                filesFrom: 'app',
                healthPath: '/health',
              },
            ],
          },
        },
      ],
    }),
  },
  {
    description:
      'Deploys a 3-tier web app: a database, two app nodes and a load balancer',
    example: yaml.stringify({
      steps: [
        {
          id: 'deploy',
          action: 'cloud:stack:deploy',
          name: 'Deploy the web app',
          input: {
            name: 'shop',
            owner: 'group:default/web-team',
            provider: 'local',
            region: 'local',
            roles: [
              {
                name: 'db',
                count: 1,
                runtime: 'node',
                entry: 'db.js',
                filesFrom: 'db',
              },
              {
                name: 'app',
                count: 2,
                runtime: 'node',
                entry: 'app.js',
                filesFrom: 'app',
              },
              {
                name: 'lb',
                runtime: 'load-balancer',
                count: 1,
                balances: 'app',
              },
            ],
          },
        },
      ],
    }),
  },
  {
    description:
      "Deploys a 3-tier web app ordered from the store, kept within its plan's instances: the store gives the plan's limits as the storePlanLimits secret, a JSON string that the action reads",
    example: yaml.stringify({
      steps: [
        {
          id: 'deploy',
          action: 'cloud:stack:deploy',
          name: 'Deploy the web app',
          input: {
            name: 'shop-ordered',
            owner: 'group:default/web-team',
            limits: '${{ secrets.storePlanLimits }}',
            roles: [
              {
                name: 'db',
                count: 1,
                runtime: 'node',
                entry: 'db.js',
                filesFrom: 'db',
              },
              {
                name: 'app',
                count: 2,
                runtime: 'node',
                entry: 'app.js',
                filesFrom: 'app',
              },
              {
                name: 'lb',
                runtime: 'load-balancer',
                count: 1,
                balances: 'app',
              },
            ],
          },
        },
      ],
    }),
  },
];
