import {
  createServiceFactory,
  createServiceRef,
} from '@backstage/backend-plugin-api';

/** The clock of the cloud backend's monitoring. */
export interface CloudClock {
  /** Milliseconds since the epoch. */
  now(): number;
}

/**
 * The clock that metrics and alerts are judged by; the real time unless a
 * test replaces it, so that an alert is seen to fire and resolve without
 * waiting minutes or faking timers.
 */
export const cloudClockServiceRef = createServiceRef<CloudClock>({
  id: 'cloud.clock',
  scope: 'plugin',
  defaultFactory: async service =>
    createServiceFactory({
      service,
      deps: {},
      factory: () => ({ now: () => Date.now() }),
    }),
});
