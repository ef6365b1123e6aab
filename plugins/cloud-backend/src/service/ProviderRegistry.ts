import { InputError } from '@backstage/errors';
import { CloudProviderInfo } from '@internal/plugin-cloud-common';
import {
  CloudProvider,
  CloudProvidersExtensionPoint,
} from '@internal/plugin-cloud-node';

/** The providers added by modules, by id. */
export class ProviderRegistry implements CloudProvidersExtensionPoint {
  private readonly providers = new Map<string, CloudProvider>();

  addProvider(provider: CloudProvider) {
    if (this.providers.has(provider.id)) {
      throw new Error(
        `A cloud provider with id '${provider.id}' was already added`,
      );
    }
    this.providers.set(provider.id, provider);
  }

  /** The provider with this id; an unknown id is bad input. */
  get(id: string): CloudProvider {
    const provider = this.providers.get(id);
    if (!provider) {
      throw new InputError(`Unknown provider '${id}'`);
    }
    return provider;
  }

  list(): CloudProvider[] {
    return [...this.providers.values()];
  }

  describe(): CloudProviderInfo[] {
    return this.list().map(p => ({
      id: p.id,
      title: p.title,
      regions: p.listRegions(),
      ...(p.listRuntimes ? { runtimes: p.listRuntimes() } : {}),
    }));
  }
}
