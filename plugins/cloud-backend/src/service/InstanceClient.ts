import {
  AuthService,
  BackstageCredentials,
} from '@backstage/backend-plugin-api';
import { ResponseError } from '@backstage/errors';
import {
  CloudApi,
  CloudApiClient,
  CloudRequestOptions,
} from '@internal/plugin-cloud-common';

/**
 * Calls the cloud API of another backend instance for the caller, with the
 * caller's own credentials, so that the instance serving a stack's host
 * checks and audits the call as if it had come to it.
 */
export class InstanceClient {
  private constructor(private readonly auth: AuthService) {}

  static create(options: { auth: AuthService }) {
    return new InstanceClient(options.auth);
  }

  /**
   * Makes one call through the cloud API's client, aimed at the instance
   * whose cloud API is at `baseUrl`. The other instance's error is the
   * answer, with its status: the deserialized error keeps its name, message
   * and details.
   */
  async forward<T>(options: {
    baseUrl: string;
    credentials: BackstageCredentials;
    call: (api: CloudApi, request: CloudRequestOptions) => Promise<T>;
  }): Promise<T> {
    const { token } = await this.auth.getPluginRequestToken({
      onBehalfOf: options.credentials,
      targetPluginId: 'cloud',
    });
    const api = new CloudApiClient({
      discoveryApi: { getBaseUrl: async () => options.baseUrl },
    });
    try {
      return await options.call(api, { token });
    } catch (error) {
      if (ResponseError.is(error)) {
        throw Object.assign(error.cause, { statusCode: error.statusCode });
      }
      throw error;
    }
  }
}
