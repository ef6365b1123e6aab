import { SchedulerServiceTaskScheduleDefinitionConfig } from '@backstage/backend-plugin-api';

export interface Config {
  cloud?: {
    /** The most nodes one role may have. Defaults to 10. */
    maxNodesPerRole?: number;
    /** Longest time a script may run on a node, in seconds. Defaults to 300. */
    maxScriptTimeoutSeconds?: number;
    /**
     * When the inventory is reconciled with the providers (the task
     * `cloud-reconcile`, once across backend instances). Each part may be
     * set alone; defaults: every minute, a timeout of 5 minutes, the first
     * run a minute after start-up (the inventory is also reconciled at
     * start-up).
     */
    reconcile?: Partial<SchedulerServiceTaskScheduleDefinitionConfig>;
  };
}
