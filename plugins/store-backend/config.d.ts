import { SchedulerServiceTaskScheduleDefinitionConfig } from '@backstage/backend-plugin-api';

export interface Config {
  store?: {
    products?: {
      /** How often the product index is brought in step with the catalog. */
      refresh?: SchedulerServiceTaskScheduleDefinitionConfig;
    };
    /** The currency of the minPrice and maxPrice filters; USD by default. */
    currency?: string;
  };
}
