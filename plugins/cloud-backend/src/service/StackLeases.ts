import { LoggerService } from '@backstage/backend-plugin-api';
import { ConflictError } from '@backstage/errors';
import { randomUUID } from 'node:crypto';
import { CloudStore, StackLease, StoredStack } from '../database/CloudStore';

/**
 * Leases on stacks in the database: an instance that changes a stack at its
 * provider holds the stack's lease, renewed while the call runs, so that no
 * instance's reconciliation judges the stack meanwhile and no other call
 * changes it at the same time. A lease whose instance died expires; the
 * instance that serves the stack's host ends it at once when it starts.
 */
export class StackLeases {
  private constructor(
    private readonly store: CloudStore,
    readonly instanceId: string,
    private readonly ttlMs: number,
    private readonly logger: LoggerService,
  ) {}

  static create(options: {
    store: CloudStore;
    /** This backend instance; a new one for each start. */
    instanceId: string;
    logger: LoggerService;
    /** How long a lease lasts unless renewed; 30 seconds by default. */
    ttlMs?: number;
  }) {
    return new StackLeases(
      options.store,
      options.instanceId,
      options.ttlMs ?? 30_000,
      options.logger,
    );
  }

  /** A new lease for a stack that is about to be inserted. */
  newLease(now = new Date()): StackLease {
    return {
      owner: this.newOwner(),
      expiresAt: new Date(now.getTime() + this.ttlMs).toISOString(),
    };
  }

  /** Whether some call holds the stack now, on any instance. */
  isHeld(stack: Pick<StoredStack, 'lease'>, now = new Date()): boolean {
    return Boolean(stack.lease && stack.lease.expiresAt > now.toISOString());
  }

  /**
   * Runs `fn` holding the stack's lease; a stack that another call holds is
   * a conflict.
   */
  async hold<T>(
    stack: Pick<StoredStack, 'id' | 'name'>,
    fn: () => Promise<T>,
  ): Promise<T> {
    const owner = this.newOwner();
    if (
      !(await this.store.acquireLease(stack.id, owner, new Date(), this.ttlMs))
    ) {
      throw new ConflictError(
        `Stack '${stack.name}' is busy with another operation; try again`,
      );
    }
    return this.keep(stack.id, owner, fn);
  }

  /**
   * Runs `fn` holding the stack's lease, or resolves `false` without
   * running it when another call holds the stack.
   */
  async tryHold(stackId: string, fn: () => Promise<void>): Promise<boolean> {
    const owner = this.newOwner();
    if (
      !(await this.store.acquireLease(stackId, owner, new Date(), this.ttlMs))
    ) {
      return false;
    }
    await this.keep(stackId, owner, fn);
    return true;
  }

  /**
   * Runs `fn` under a lease that `owner` holds already, renews it while `fn`
   * runs and ends it after.
   */
  async keep<T>(
    stackId: string,
    owner: string,
    fn: () => Promise<T>,
  ): Promise<T> {
    const timer = setInterval(() => {
      this.store
        .renewLease(stackId, owner, new Date(), this.ttlMs)
        .then(renewed => {
          if (!renewed) {
            this.logger.warn(`Lost the lease of stack ${stackId}`);
          }
        })
        .catch(error =>
          this.logger.warn(`Could not renew the lease of ${stackId}: ${error}`),
        );
    }, Math.max(10, Math.floor(this.ttlMs / 3)));
    timer.unref();
    try {
      return await fn();
    } finally {
      clearInterval(timer);
      await this.store.releaseLease(stackId, owner);
    }
  }

  /**
   * Ends the leases on a host's stacks that earlier lives of this instance
   * held: their calls ended with them.
   */
  async releaseStale(hostId: string): Promise<number> {
    return this.store.releaseHostLeases(hostId, `${this.instanceId}:`);
  }

  private newOwner() {
    return `${this.instanceId}:${randomUUID()}`;
  }
}
