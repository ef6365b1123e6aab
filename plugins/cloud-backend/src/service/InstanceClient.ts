import {
  AuthService,
  BackstageCredentials,
} from '@backstage/backend-plugin-api';
import { ResponseError } from '@backstage/errors';

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

  async call<T>(options: {
    baseUrl: string;
    method: 'GET' | 'POST' | 'DELETE';
    path: string;
    credentials: BackstageCredentials;
    body?: unknown;
  }): Promise<T> {
    const { token } = await this.auth.getPluginRequestToken({
      onBehalfOf: options.credentials,
      targetPluginId: 'cloud',
    });
    const response = await fetch(`${options.baseUrl}${options.path}`, {
      method: options.method,
      headers: {
        authorization: `Bearer ${token}`,
        ...(options.body ? { 'content-type': 'application/json' } : {}),
      },
      body: options.body ? JSON.stringify(options.body) : undefined,
    });
    if (!response.ok) {
      // The other instance's error is the answer, with its status: the
      // deserialized error keeps its name, message and details.
      const error = await ResponseError.fromResponse(response);
      throw Object.assign(error.cause, { statusCode: error.statusCode });
    }
    return (await response.json()) as T;
  }
}
