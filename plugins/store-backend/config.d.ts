import { SchedulerServiceTaskScheduleDefinitionConfig } from '@backstage/backend-plugin-api';
import { HumanDuration } from '@backstage/types';

export interface Config {
  store?: {
    products?: {
      /** How often the product index is brought in step with the catalog. */
      refresh?: SchedulerServiceTaskScheduleDefinitionConfig;
    };
    database?: {
      /**
       * Whether the product pages, one product, the facet counts and the
       * pages of orders run as prepared statements on PostgreSQL, planned
       * once per connection; true by default. Set false behind a pooler
       * that hands each transaction another server connection (PgBouncer
       * in transaction mode before 1.21).
       */
      preparedStatements?: boolean;
    };
    /** The currency of the minPrice and maxPrice filters; USD by default. */
    currency?: string;
    orders?: {
      /** An order nobody decides on in this time is rejected; 7 days by default. */
      approvalTimeout?: HumanDuration | string;
      /** A scaffolder task running longer fails its order; 1 hour by default. */
      provisioningTimeout?: HumanDuration | string;
      /**
       * The job that finishes orders whose task ended, whichever instance
       * started it; every 10 seconds by default. The instance that starts a
       * task also follows it every second.
       */
      follow?: SchedulerServiceTaskScheduleDefinitionConfig;
    };
    subscriptions?: {
      /**
       * The job that reminds, renews, suspends and terminates subscriptions
       * as their days come, once across instances; hourly by default.
       */
      lifecycle?: SchedulerServiceTaskScheduleDefinitionConfig;
      /**
       * How many days before the end of a period the owning group is
       * reminded, once each; [30, 7, 1] by default.
       */
      reminderDays?: number[];
      /**
       * Days after the end of its period within which a suspended
       * subscription may be renewed, which starts its stacks again; after
       * them it is terminated and its stacks deleted. 14 by default.
       */
      graceDays?: number;
    };
    billing?: {
      /**
       * How plan changes and immediate cancellations prorate the rest of a
       * period: `actual` (the default) values each day by the real length
       * of its period; `{ daysPerMonth: N }` values a day as a month's
       * price (a twelfth of a year's) divided by N, from 28 to 31.
       */
      proration?: 'actual' | { daysPerMonth: number };
      /**
       * Usage that arrives more than this many days after the end of its
       * month is refused, so that invoices are final; 3 by default. The
       * scheduled invoice run waits as long after the end of a month.
       */
      lateEventWindowDays?: number;
      /**
       * The job that issues the invoices of the latest month whose late
       * usage window has closed; daily by default. A month is invoiced once.
       */
      invoices?: SchedulerServiceTaskScheduleDefinitionConfig;
    };
    secrets?: {
      /**
       * Keys that encrypt the secrets of orders waiting for approval
       * (AES-256-GCM). The first encrypts; any of them decrypts, so a key
       * rotates by adding the new one first and removing the old one once
       * the orders it encrypted are decided. Without keys, an order that
       * carries secrets and needs approval is refused with a 503.
       */
      keys?: Array<{
        /** Stored with each ciphertext, to find its key; never change it. */
        id: string;
        /**
         * The base64 of 32 random bytes, e.g. `openssl rand -base64 32`.
         * @visibility secret
         */
        secret: string;
      }>;
    };
  };
}
