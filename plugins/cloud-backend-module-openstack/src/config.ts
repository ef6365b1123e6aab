import { Config } from '@backstage/config';
import { InputError } from '@backstage/errors';
import { KeystoneClient, KeystoneCredentials } from './KeystoneClient';
import { HeatClient } from './HeatClient';
import { OpenStackRegion } from './OpenStackProvider';

/** One OpenStack provider as configured. @public */
export interface OpenStackProviderConfig {
  id: string;
  title?: string;
  regions: OpenStackRegion[];
}

function secretFrom(variable: string, key: string): string {
  const value = process.env[variable];
  if (!value) {
    throw new InputError(
      `${key} names the environment variable ${variable}, which is not set`,
    );
  }
  return value;
}

/** Keystone credentials of one region's config; secrets from the environment. */
export function readCredentials(
  config: Config,
  key: string,
): () => KeystoneCredentials {
  const appId = config.getOptionalString('applicationCredentialId');
  if (appId) {
    const secretEnv = config.getString('applicationCredentialSecretEnv');
    return () => ({
      type: 'applicationCredential',
      id: appId,
      secret: secretFrom(secretEnv, `${key}.applicationCredentialSecretEnv`),
    });
  }
  const username = config.getString('username');
  const passwordEnv = config.getString('passwordEnv');
  const project = config.getString('project');
  const userDomain = config.getOptionalString('userDomain') ?? 'Default';
  const projectDomain = config.getOptionalString('projectDomain') ?? 'Default';
  return () => ({
    type: 'password',
    username,
    password: secretFrom(passwordEnv, `${key}.passwordEnv`),
    userDomain,
    project,
    projectDomain,
  });
}

/** The providers of `cloud.openstack.providers`. @public */
export function readOpenStackProviders(
  config: Config,
): OpenStackProviderConfig[] {
  const providers = config.getOptionalConfig('cloud.openstack.providers');
  return (providers?.keys() ?? []).map(id => {
    const provider = providers!.getConfig(id);
    const regions = provider.getConfig('regions');
    return {
      id,
      title: provider.getOptionalString('title'),
      regions: regions.keys().map(region => {
        const cloud = regions.getConfig(region);
        const key = `cloud.openstack.providers.${id}.regions.${region}`;
        const keystone = KeystoneClient.create({
          authUrl: cloud.getString('authUrl'),
          credentials: readCredentials(cloud, key),
        });
        return {
          region,
          heat: HeatClient.create({
            keystone,
            region: cloud.getOptionalString('regionName') ?? region,
          }),
        };
      }),
    };
  });
}
