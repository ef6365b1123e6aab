import { TemplateExample } from '@backstage/plugin-scaffolder-node';
import yaml from 'yaml';

export const examples: TemplateExample[] = [
  {
    description: 'Scales the app role of a stack to three nodes',
    example: yaml.stringify({
      steps: [
        {
          id: 'scale',
          action: 'cloud:stack:scale',
          name: 'Scale the app nodes',
          input: {
            stackId: '${{ steps.deploy.output.stackId }}',
            role: 'app',
            count: 3,
          },
        },
      ],
    }),
  },
];
