import { AuditorService, LoggerService } from '@backstage/backend-plugin-api';
import { CloudProvider } from '@internal/plugin-cloud-node';
import { CloudStore } from '../database/CloudStore';
import { NodeSync, stackStatusOf } from './NodeSync';
import { ProviderRegistry } from './ProviderRegistry';
import { RECONCILER_ACTOR, StackDeployer } from './StackDeployer';
import { StackLeases } from './StackLeases';
import { StackOperations } from './StackOperations';

/** What one reconciliation changed. */
export interface ReconcileReport {
  orphansDeleted: string[];
  /** Stacks of providers that keep unknown stacks: reported, not deleted. */
  unknownStacks: string[];
  ghostsRemoved: string[];
  resumedDeploys: string[];
  deletesFinished: string[];
  synced: number;
}

/** Which providers a reconciliation covers. */
export type ReconcileScope =
  /** Every provider of this instance. */
  | 'all'
  /** The providers whose stacks live on a host this instance serves. */
  | 'hosts'
  /** The providers without hosts, which any instance may reconcile. */
  | 'shared';

/**
 * Makes the inventory and the providers agree: nothing a provider runs is
 * unknown to the inventory, and nothing in the inventory is a ghost. A
 * provider with a host judges only the stacks of its host, and no stack is
 * judged while a call holds its lease.
 */
export class Reconciler {
  private constructor(
    private readonly store: CloudStore,
    private readonly providers: ProviderRegistry,
    private readonly deployer: StackDeployer,
    private readonly operations: StackOperations,
    private readonly nodes: NodeSync,
    private readonly leases: StackLeases,
    private readonly logger: LoggerService,
    private readonly auditor: AuditorService,
  ) {}

  static create(options: {
    store: CloudStore;
    providers: ProviderRegistry;
    deployer: StackDeployer;
    operations: StackOperations;
    nodes: NodeSync;
    leases: StackLeases;
    logger: LoggerService;
    auditor: AuditorService;
  }) {
    return new Reconciler(
      options.store,
      options.providers,
      options.deployer,
      options.operations,
      options.nodes,
      options.leases,
      options.logger,
      options.auditor,
    );
  }

  async reconcile(scope: ReconcileScope = 'all'): Promise<ReconcileReport> {
    const report: ReconcileReport = {
      orphansDeleted: [],
      unknownStacks: [],
      ghostsRemoved: [],
      resumedDeploys: [],
      deletesFinished: [],
      synced: 0,
    };
    const covered = this.providers
      .list()
      .filter(
        p => scope === 'all' || (scope === 'hosts' ? !!p.hostId : !p.hostId),
      );
    for (const provider of covered) {
      try {
        await this.reconcileProvider(provider, report);
      } catch (error) {
        this.logger.error(
          `Reconciliation with provider '${provider.id}' failed: ${error}`,
        );
      }
    }
    if (report.unknownStacks.length) {
      this.logger.warn(
        `Stacks of this store unknown to the inventory, kept at their providers: ${report.unknownStacks.join(
          ', ',
        )}`,
      );
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

  private async reconcileProvider(
    provider: CloudProvider,
    report: ReconcileReport,
  ) {
    const { hostId } = provider;
    // Read the inventory first: a stack created after this read is in flight
    // and skipped below, never mistaken for an orphan.
    const inventory = await this.store.listStacks({
      provider: provider.id,
      ...(hostId ? { hostId } : {}),
    });
    const running = await provider.listStacks();

    for (const found of running) {
      if (inventory.some(s => s.id === found.stackId)) {
        continue;
      }
      const stored = await this.store.getStack(found.stackId);
      if (stored && !stored.deletedAt) {
        // created after the inventory was read, or recorded before stacks
        // had hosts: then it lives here
        if (hostId && !stored.hostId) {
          await this.store.claimHost(stored.id, hostId);
        }
        continue;
      }
      if (stored && this.leases.isHeld(stored)) {
        continue;
      }
      if (provider.keepsUnknownStacks) {
        report.unknownStacks.push(found.stackId);
        continue;
      }
      await provider.deleteStack(found.stackId);
      report.orphansDeleted.push(found.stackId);
    }

    for (const listed of inventory) {
      // read again: a call may have taken the stack since the list was read
      const stack = await this.store.getStack(listed.id);
      if (!stack || stack.deletedAt || this.leases.isHeld(stack)) {
        continue;
      }
      const found = running.find(s => s.stackId === stack.id);
      if (stack.status === 'pending' || stack.status === 'deploying') {
        // Nobody is deploying it any more: the backend stopped mid-deploy.
        // It finishes in the background (a deploy waits for health checks)
        // under its lease, so the reconciliations meanwhile skip it; it ends
        // running, or failed with nothing left at the provider.
        void this.deployer.resumeDeploy(stack);
        report.resumedDeploys.push(stack.id);
      } else if (stack.status === 'deleting') {
        await this.operations.finishDelete(
          stack,
          stack.deletedBy ?? RECONCILER_ACTOR,
        );
        report.deletesFinished.push(stack.id);
      } else if (!found) {
        const now = new Date().toISOString();
        await this.store.markNodesDeleted(stack.id, RECONCILER_ACTOR, now);
        await this.store.updateStack(stack.id, {
          status: 'deleted',
          error: `The stack no longer exists at provider '${provider.id}'`,
          deletedBy: RECONCILER_ACTOR,
          deletedAt: now,
        });
        report.ghostsRemoved.push(stack.id);
      } else {
        await this.nodes.sync(stack.id, found, RECONCILER_ACTOR);
        const status = stackStatusOf(found);
        if (status !== stack.status || found.url !== stack.url) {
          await this.store.updateStack(stack.id, { status, url: found.url });
        }
        report.synced += 1;
      }
    }
  }
}
