import { AuditorService, LoggerService } from '@backstage/backend-plugin-api';
import { CloudStore } from '../database/CloudStore';
import { ProviderRegistry } from './ProviderRegistry';
import { RECONCILER_ACTOR, StackService } from './StackService';

/** What one reconciliation changed. */
export interface ReconcileReport {
  orphansDeleted: string[];
  ghostsRemoved: string[];
  resumedDeploys: string[];
  deletesFinished: string[];
  synced: number;
}

/**
 * Makes the inventory and the providers agree: nothing a provider runs is
 * unknown to the inventory, and nothing in the inventory is a ghost.
 */
export class Reconciler {
  private constructor(
    private readonly store: CloudStore,
    private readonly providers: ProviderRegistry,
    private readonly stacks: StackService,
    private readonly logger: LoggerService,
    private readonly auditor: AuditorService,
  ) {}

  static create(options: {
    store: CloudStore;
    providers: ProviderRegistry;
    stacks: StackService;
    logger: LoggerService;
    auditor: AuditorService;
  }) {
    return new Reconciler(
      options.store,
      options.providers,
      options.stacks,
      options.logger,
      options.auditor,
    );
  }

  async reconcile(): Promise<ReconcileReport> {
    const report: ReconcileReport = {
      orphansDeleted: [],
      ghostsRemoved: [],
      resumedDeploys: [],
      deletesFinished: [],
      synced: 0,
    };
    for (const provider of this.providers.list()) {
      try {
        await this.reconcileProvider(provider.id, report);
      } catch (error) {
        this.logger.error(
          `Reconciliation with provider '${provider.id}' failed: ${error}`,
        );
      }
    }
    const changed =
      report.orphansDeleted.length +
      report.ghostsRemoved.length +
      report.resumedDeploys.length +
      report.deletesFinished.length;
    if (changed) {
      const event = await this.auditor.createEvent({
        eventId: 'stack-reconcile',
        severityLevel: 'medium',
        meta: { ...report },
      });
      await event.success();
      this.logger.info(`Reconciled the inventory: ${JSON.stringify(report)}`);
    }
    return report;
  }

  private async reconcileProvider(providerId: string, report: ReconcileReport) {
    const provider = this.providers.get(providerId);
    // Read the inventory first: a stack created after this read is in flight
    // and skipped below, never mistaken for an orphan.
    const inventory = await this.store.listStacks({ provider: providerId });
    const running = await provider.listStacks();

    for (const found of running) {
      if (this.stacks.isInFlight(found.stackId)) {
        continue;
      }
      const known = inventory.find(s => s.id === found.stackId);
      if (!known) {
        const stored = await this.store.getStack(found.stackId);
        if (stored && !stored.deletedAt && this.stacks.isInFlight(stored.id)) {
          continue;
        }
        if (stored && !stored.deletedAt) {
          continue; // created after the inventory was read
        }
        await provider.deleteStack(found.stackId);
        report.orphansDeleted.push(found.stackId);
      }
    }

    for (const stack of inventory) {
      if (this.stacks.isInFlight(stack.id)) {
        continue;
      }
      const found = running.find(s => s.stackId === stack.id);
      if (stack.status === 'pending' || stack.status === 'deploying') {
        // Nobody is deploying it any more: the backend stopped mid-deploy.
        // It finishes in the background (a deploy waits for health checks);
        // being in flight, it is skipped by the reconciliations meanwhile,
        // and it ends running, or failed with nothing left at the provider.
        void this.stacks.resumeDeploy(stack);
        report.resumedDeploys.push(stack.id);
      } else if (stack.status === 'deleting') {
        await this.stacks.finishDelete(
          stack,
          stack.deletedBy ?? RECONCILER_ACTOR,
        );
        report.deletesFinished.push(stack.id);
      } else if (!found) {
        const now = new Date().toISOString();
        await this.store.markNodesDeleted(stack.id, RECONCILER_ACTOR, now);
        await this.store.updateStack(stack.id, {
          status: 'deleted',
          error: `The stack no longer exists at provider '${providerId}'`,
          deletedBy: RECONCILER_ACTOR,
          deletedAt: now,
        });
        report.ghostsRemoved.push(stack.id);
      } else {
        await this.stacks.syncNodes(stack.id, found, RECONCILER_ACTOR);
        const status = this.stacks.statusOf(found);
        if (status !== stack.status || found.url !== stack.url) {
          await this.store.updateStack(stack.id, { status, url: found.url });
        }
        report.synced += 1;
      }
    }
  }
}
