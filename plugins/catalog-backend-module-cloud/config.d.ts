import { SchedulerServiceTaskScheduleDefinitionConfig } from '@backstage/backend-plugin-api';

export interface Config {
  cloud?: {
    catalog?: {
      /**
       * How often stacks are mirrored into the catalog; defaults to every
       * 30 seconds, starting 5 seconds after start-up.
       */
      schedule?: SchedulerServiceTaskScheduleDefinitionConfig;
      /**
       * Owner of a stack that names none, e.g. `group:default/platform`;
       * without it such a stack is owned by the user who created it.
       */
      defaultOwner?: string;
    };
  };
}
