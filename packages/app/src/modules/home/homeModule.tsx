import { createFrontendModule } from '@backstage/frontend-plugin-api';
import { HomePageWidgetBlueprint } from '@backstage/plugin-home-react/alpha';
import { MarkdownContent } from '@backstage/core-components';

const content = `
## Welcome to Cloud Store

Cloud Store is Acme's self-service store for applications, services and
cloud resources.

- **Browse the catalog**: every team, service and template is in the
  [Software Catalog](/catalog).
- **Create something**: run a [software template](/create).
- **Who is who**: the demo organisation has developers, approvers,
  platform admins and finance; sign out from [Settings](/settings) to try
  another role.
`;

const gettingStartedWidget = HomePageWidgetBlueprint.make({
  name: 'getting-started',
  params: {
    name: 'GettingStarted',
    title: 'Cloud Store',
    description: 'Where to start in Cloud Store',
    components: async () => ({
      Content: () => <MarkdownContent content={content} />,
    }),
  },
});

export const homeModule = createFrontendModule({
  pluginId: 'home',
  extensions: [gettingStartedWidget],
});
