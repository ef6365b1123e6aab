import {
  AuthService,
  BackstageCredentials,
} from '@backstage/backend-plugin-api';
import { CloudApi, CloudRequestOptions } from '@internal/plugin-cloud-common';

/** What the cloud actions need to call the cloud API. @public */
export interface CloudActionOptions {
  /** The typed client of the cloud API. */
  api: CloudApi;
  /** Gives tokens on behalf of the user who runs the task. */
  auth: AuthService;
}

/**
 * The options of a call made for the task's initiator, with
 * service-to-service auth and, for a mutation, its Idempotency-Key.
 */
export async function onBehalfOf(
  auth: AuthService,
  credentials: BackstageCredentials,
  idempotencyKey?: string,
): Promise<CloudRequestOptions> {
  const { token } = await auth.getPluginRequestToken({
    onBehalfOf: credentials,
    targetPluginId: 'cloud',
  });
  return { token, idempotencyKey };
}
