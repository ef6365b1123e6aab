import {
  createServiceFactory,
  createServiceRef,
} from '@backstage/backend-plugin-api';

/**
 * The store's clock, which decides the days of the billing calendar.
 * @public
 */
export interface StoreClock {
  now(): Date;
}

/**
 * The clock of the store's subscriptions and billing; the real time unless
 * a test replaces it, so that billing is tested on chosen days without
 * faking timers.
 * @public
 */
export const storeClockServiceRef = createServiceRef<StoreClock>({
  id: 'store.clock',
  scope: 'plugin',
  defaultFactory: async service =>
    createServiceFactory({
      service,
      deps: {},
      factory: () => ({ now: () => new Date() }),
    }),
});
