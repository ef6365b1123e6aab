import { TemplateExample } from '@backstage/plugin-scaffolder-node';
import yaml from 'yaml';

export const examples: TemplateExample[] = [
  {
    description: 'Deletes the stack that an earlier step deployed',
    example: yaml.stringify({
      steps: [
        {
          id: 'delete',
          action: 'cloud:stack:delete',
          name: 'Delete the stack',
          input: { stackId: '${{ steps.deploy.output.stackId }}' },
        },
      ],
    }),
  },
];
