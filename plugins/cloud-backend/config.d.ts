import { HumanDuration } from '@backstage/types';

export interface Config {
  cloud?: {
    /** The most nodes one role may have. Defaults to 10. */
    maxNodesPerRole?: number;
    /** Longest time a script may run on a node, in seconds. Defaults to 300. */
    maxScriptTimeoutSeconds?: number;
    /**
     * How often the inventory is reconciled with the providers; each key
     * alone is enough, the others keep their defaults.
     */
    reconcile?: {
      /** Every minute by default; a duration, an ISO duration or a cron. */
      frequency?: HumanDuration | string | { cron: string };
      /** How long one reconciliation may take; 5 minutes by default. */
      timeout?: HumanDuration | string;
      /** How long after start the first scheduled one runs; 1 minute by default. */
      initialDelay?: HumanDuration | string;
    };
    usage?: {
      /**
       * How often the node-hours of the stacks are reported to the store,
       * hour by hour since the last report; each key alone is enough.
       */
      report?: {
        /** Every 15 minutes by default; a duration, an ISO duration or a cron. */
        frequency?: HumanDuration | string | { cron: string };
        /** How long one report may take; 5 minutes by default. */
        timeout?: HumanDuration | string;
        /** How long after start the first one runs; 2 minutes by default. */
        initialDelay?: HumanDuration | string;
      };
    };
    /** Metrics of nodes: how often they are read and how long they are kept. */
    monitoring?: {
      /** How often the providers are asked; each key alone is enough. */
      collect?: {
        /** Every 15 seconds by default; a duration, an ISO duration or a cron. */
        frequency?: HumanDuration | string | { cron: string };
        /** How long one collection may take; 1 minute by default. */
        timeout?: HumanDuration | string;
        /** How long after start the first one runs. */
        initialDelay?: HumanDuration | string;
      };
      /**
       * How long each resolution is kept: raw samples 1 day, the per-minute
       * rollup 2 days, per hour 35 days, per day 400 days by default. A
       * query may not start before what its resolution keeps.
       */
      retention?: {
        raw?: HumanDuration | string;
        /** The 1m resolution. */
        perMinute?: HumanDuration | string;
        /** The 1h resolution. */
        perHour?: HumanDuration | string;
        /** The 1d resolution. */
        perDay?: HumanDuration | string;
      };
      /**
       * Alert rules, judged after each collection; each tells the group
       * owning the stack when it fires and when it resolves. `false` turns
       * a rule off; each key given replaces the default's. A stack's plan
       * may bring its own rules (the Product's `plans[].alerts`, carried in
       * the stack's limits), which replace these the same way.
       */
      alerts?: AlertRulesConfig & {
        /**
         * Rules of single stacks, by name or id, over the ones above and
         * over those of the stack's plan.
         */
        stacks?: { [stack: string]: AlertRulesConfig };
      };
    };
    /** How the backend instances sharing one database find one another. */
    instance?: {
      /**
       * This instance's cloud API as the other instances reach it, e.g.
       * `http://10.0.0.5:7007/api/cloud`: operations on stacks of this
       * instance's host are forwarded there. The discovery service's
       * internal URL by default.
       */
      baseUrl?: string;
      /**
       * How often this instance records that it serves its hosts; 10
       * seconds by default. A host missing three is not served.
       */
      heartbeat?: HumanDuration | string;
    };
  };
}

interface AlertRulesConfig {
  /** CPU above `percent` of one core for `for`: 90% for 5 minutes by default. */
  cpu?: false | { percent?: number; for?: HumanDuration | string };
  /**
   * Memory above `percent` of the node's limit (its plan's or its role's,
   * the lower) for `for`: 90% at once by default; nodes without a limit
   * are not judged.
   */
  memory?: false | { percent?: number; for?: HumanDuration | string };
  /** No reading of a running node for `for`: 2 minutes by default. */
  notReporting?: false | { for?: HumanDuration | string };
}
