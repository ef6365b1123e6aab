import { createServiceFactory } from '@backstage/backend-plugin-api';
import { storeClockServiceRef } from '@internal/plugin-store-node';
import { readFileSync } from 'node:fs';

/**
 * The milliseconds that the clock file moves the store's clock by: its
 * content, a whole number; none while the file does not exist.
 */
export function readClockOffset(file: string): number {
  let text: string;
  try {
    text = readFileSync(file, 'utf8').trim();
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
      return 0;
    }
    throw error;
  }
  const offset = Number(text);
  if (!Number.isSafeInteger(offset)) {
    throw new Error(
      `The store clock file ${file} holds "${text}", not a whole number of milliseconds`,
    );
  }
  return offset;
}

/**
 * The store's clock for the end-to-end tests: the real time moved by the
 * offset in `file`, read on every call, so that a test takes subscriptions
 * past the end of a trial and invoices past the end of a month without
 * restarting the backend. Only playwright.config.ts turns it on (with
 * `CLOUDSTORE_STORE_CLOCK_FILE`); the store keeps real time otherwise.
 */
export function storeTestClockFactory(file: string) {
  return createServiceFactory({
    service: storeClockServiceRef,
    deps: {},
    factory: () => ({
      now: () => new Date(Date.now() + readClockOffset(file)),
    }),
  });
}
