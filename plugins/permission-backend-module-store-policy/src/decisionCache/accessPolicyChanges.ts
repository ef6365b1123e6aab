import {
  createServiceFactory,
  createServiceRef,
} from '@backstage/backend-plugin-api';

/**
 * Tells whoever keeps decisions of the access policy that the policies in
 * force changed.
 *
 * @public
 */
export interface AccessPolicyChanges {
  /** Called by the policy once a changed configuration is in force. */
  notifyChanged(): void;
  /** Calls the listener after each change; returns how to stop. */
  subscribe(listener: () => void): () => void;
}

class InMemoryAccessPolicyChanges implements AccessPolicyChanges {
  private readonly listeners = new Set<() => void>();

  notifyChanged() {
    for (const listener of this.listeners) {
      listener();
    }
  }

  subscribe(listener: () => void) {
    this.listeners.add(listener);
    return () => {
      this.listeners.delete(listener);
    };
  }
}

/**
 * Changes of the access policy within this backend instance. Every
 * instance reads its own configuration, so each one reloads the policy, and
 * tells its own caches, by itself.
 *
 * @public
 */
export const accessPolicyChangesServiceRef =
  createServiceRef<AccessPolicyChanges>({
    id: 'cloud-store.access-policy-changes',
    scope: 'root',
    defaultFactory: async service =>
      createServiceFactory({
        service,
        deps: {},
        factory: () => new InMemoryAccessPolicyChanges(),
      }),
  });
