import { TemplateExample } from '@backstage/plugin-scaffolder-node';
import yaml from 'yaml';

export const examples: TemplateExample[] = [
  {
    description: 'Prints the disk usage of the first app node',
    example: yaml.stringify({
      steps: [
        {
          id: 'script',
          action: 'cloud:node:script',
          name: 'Check disk usage',
          input: {
            stackId: '${{ steps.deploy.output.stackId }}',
            node: 'app-1',
            script: 'du -sh .',
            timeoutSeconds: 30,
          },
        },
      ],
    }),
  },
];
