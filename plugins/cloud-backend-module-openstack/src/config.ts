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
  const credentials = config.getConfig('credentials');
  const type = credentials.getString('type');
  if (type === 'applicationCredential') {
    const id = credentials.getString('id');
    const secretEnv = credentials.getString('secretEnv');
    return () => ({
      type: 'applicationCredential',
      id,
      secret: secretFrom(secretEnv, `${key}.credentials.secretEnv`),
    });
  }
  if (type !== 'password') {
    throw new InputError(
      `${key}.credentials.type must be 'password' or 'applicationCredential'`,
    );
  }
  const username = credentials.getString('username');
  const passwordEnv = credentials.getString('passwordEnv');
  const userDomain = credentials.getOptionalString('userDomain') ?? 'Default';
  const project = config.getString('project');
  const projectDomain = config.getOptionalString('projectDomain') ?? 'Default';
  return () => ({
    type: 'password',
    username,
    password: secretFrom(passwordEnv, `${key}.credentials.passwordEnv`),
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
