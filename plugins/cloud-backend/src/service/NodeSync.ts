import { NodeStatus, StackStatus } from '@internal/plugin-cloud-common';
import { ProviderStack } from '@internal/plugin-cloud-node';
import { randomUUID } from 'node:crypto';
import { CloudStore, StoredNode } from '../database/CloudStore';

/** The status of a stack from what its provider runs. */
export function stackStatusOf(state: ProviderStack): StackStatus {
  if (state.state === 'stopped') {
    return 'stopped';
  }
  const healthy: NodeStatus[] = ['running', 'stopped'];
  return state.nodes.every(n => healthy.includes(n.status))
    ? 'running'
    : 'degraded';
}

/** Makes the inventory's nodes of a stack match what its provider runs. */
export class NodeSync {
  private constructor(private readonly store: CloudStore) {}

  static create(options: { store: CloudStore }) {
    return new NodeSync(options.store);
  }

  /**
   * Records the provider's nodes of a stack; `fresh` says the stack was just
   * created and has no nodes in the inventory yet.
   */
  async sync(
    stackId: string,
    state: ProviderStack,
    actor: string,
    placement?: { provider: string; region: string },
    fresh = false,
  ) {
    const stack = placement ?? (await this.store.getStack(stackId));
    if (!stack) {
      return;
    }
    const known = fresh ? [] : await this.store.listNodes(stackId);
    const now = new Date().toISOString();
    const added: StoredNode[] = [];
    for (const node of state.nodes) {
      const existing = known.find(k => k.name === node.name);
      if (existing) {
        await this.store.updateNode(existing.id, {
          status: node.status,
          providerResourceId: node.resourceId,
          privateAddress: node.privateAddress,
          publicAddress: node.publicAddress ?? '',
        });
      } else {
        added.push({
          id: randomUUID(),
          stackId,
          name: node.name,
          role: node.role,
          provider: stack.provider,
          region: stack.region,
          providerResourceId: node.resourceId,
          privateAddress: node.privateAddress,
          publicAddress: node.publicAddress,
          status: node.status,
          createdBy: actor,
          createdAt: now,
        });
      }
    }
    await this.store.insertNodes(added);
    for (const node of known) {
      if (!state.nodes.some(n => n.name === node.name)) {
        await this.store.updateNode(node.id, {
          status: 'deleted',
          deletedBy: actor,
          deletedAt: now,
        });
      }
    }
  }
}
