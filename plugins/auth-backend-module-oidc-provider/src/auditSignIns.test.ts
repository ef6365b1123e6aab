import { mockServices } from '@backstage/backend-test-utils';
import { NotFoundError } from '@backstage/errors';
import {
  AuthResolverContext,
  OAuthAuthenticatorResult,
} from '@backstage/plugin-auth-node';
import type { Request } from 'express';
import { auditSignIns } from './auditSignIns';
import { OidcSignInProfile } from './authenticator';

function tokenFor(sub: string) {
  const part = (value: object) =>
    Buffer.from(JSON.stringify(value)).toString('base64url');
  return `${part({ alg: 'none' })}.${part({ sub, ent: [sub] })}.`;
}

describe('auditSignIns', () => {
  const auditor = mockServices.auditor.mock();
  const event = { success: jest.fn(), fail: jest.fn() };
  const resolver = jest.fn();
  const ctx = {} as AuthResolverContext;
  const signInRequest = { ip: '127.0.0.1' } as Request;

  function info(request?: Request) {
    const result = {
      fullProfile: {
        userinfo: { sub: 'dana.jones', email: 'developer@acme.example' },
        tokenset: {},
        signInRequest: request,
      },
      session: { accessToken: 'a', tokenType: 'bearer', scope: 'openid' },
    } as unknown as OAuthAuthenticatorResult<OidcSignInProfile>;
    return { result, profile: { email: 'developer@acme.example' } };
  }

  const audited = auditSignIns({
    resolver,
    auditor,
    logger: mockServices.logger.mock(),
  });

  beforeEach(() => {
    jest.resetAllMocks();
    auditor.createEvent.mockResolvedValue(event);
  });

  it('records a sign-in with its request, its e-mail and the user it resolved to', async () => {
    const token = tokenFor('user:default/developer');
    resolver.mockResolvedValue({ token });

    await expect(audited(info(signInRequest), ctx)).resolves.toEqual({
      token,
    });

    expect(auditor.createEvent).toHaveBeenCalledWith({
      eventId: 'login',
      severityLevel: 'medium',
      request: signInRequest,
      meta: { provider: 'oidc', email: 'developer@acme.example' },
    });
    expect(event.success).toHaveBeenCalledWith({
      meta: { userEntityRef: 'user:default/developer' },
    });
    expect(event.fail).not.toHaveBeenCalled();
  });

  it('records a refused sign-in with why, and still refuses it', async () => {
    const error = new NotFoundError('User not found');
    resolver.mockRejectedValue(error);

    await expect(audited(info(signInRequest), ctx)).rejects.toBe(error);

    expect(auditor.createEvent).toHaveBeenCalledWith(
      expect.objectContaining({
        eventId: 'login',
        meta: { provider: 'oidc', email: 'developer@acme.example' },
      }),
    );
    expect(event.fail).toHaveBeenCalledWith({ error });
    expect(event.success).not.toHaveBeenCalled();
  });

  it('does not record a refreshed session, which is no new sign-in', async () => {
    resolver.mockResolvedValue({ token: tokenFor('user:default/developer') });

    await audited(info(), ctx);

    expect(resolver).toHaveBeenCalledTimes(1);
    expect(auditor.createEvent).not.toHaveBeenCalled();
  });

  it('signs in when the audit log cannot take the event', async () => {
    auditor.createEvent.mockRejectedValue(new Error('auditor down'));
    resolver.mockResolvedValue({ token: tokenFor('user:default/developer') });

    await expect(audited(info(signInRequest), ctx)).resolves.toBeDefined();
  });
});
