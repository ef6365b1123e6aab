import { createExtensionPoint } from '@backstage/backend-plugin-api';
import { CloudProvider } from './provider';

/** Lets backend modules add cloud providers. @public */
export interface CloudProvidersExtensionPoint {
  /** Adds a provider; a second provider with the same id is refused. */
  addProvider(provider: CloudProvider): void;
}

/** The extension point through which modules add cloud providers. @public */
export const cloudProvidersExtensionPoint =
  createExtensionPoint<CloudProvidersExtensionPoint>({
    id: 'cloud.providers',
  });
