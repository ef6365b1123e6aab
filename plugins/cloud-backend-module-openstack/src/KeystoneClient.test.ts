import { KeystoneClient } from './KeystoneClient';
import {
  describeWithOpenStack,
  testCloud,
  testHeat,
  testKeystone,
} from './__testUtils__/testCloud';

describeWithOpenStack('KeystoneClient with Keystone', () => {
  it('reuses one token until it nears its expiry, shared by concurrent callers', async () => {
    const keystone = testKeystone();
    const [a, b] = await Promise.all([
      keystone.getSession(),
      keystone.getSession(),
    ]);
    expect(a.token).toBe(b.token);
    expect(a.expiresAt).toBeGreaterThan(Date.now());
    expect((await keystone.getSession()).token).toBe(a.token);
    expect(keystone.authentications).toBe(1);

    // a margin longer than the token lives: every token counts as expired
    const expiring = testKeystone({ marginMs: 24 * 3600_000 });
    const first = await expiring.getSession();
    const second = await expiring.getSession();
    expect(second.token).not.toBe(first.token);
    expect(expiring.authentications).toBe(2);
  });

  it('authenticates once more when Heat refuses a revoked token, and only once', async () => {
    const keystone = testKeystone();
    const heat = testHeat(keystone);
    await heat.listStacks(['none']);
    const revoked = await keystone.getSession();
    const revoke = await fetch(`${testCloud!.authUrl}/auth/tokens`, {
      method: 'DELETE',
      headers: {
        'x-auth-token': revoked.token,
        'x-subject-token': revoked.token,
      },
    });
    expect(revoke.status).toBe(204);
    expect(keystone.authentications).toBe(1);

    await expect(heat.listStacks(['none'])).resolves.toEqual([]);
    expect(keystone.authentications).toBe(2);
    expect((await keystone.getSession()).token).not.toBe(revoked.token);

    // a service that refuses every token gets one retry, not a loop
    let calls = 0;
    const refused = await keystone.fetch(async () => {
      calls += 1;
      return new Response('{}', { status: 401 });
    });
    expect(refused.status).toBe(401);
    expect(calls).toBe(2);
    expect(keystone.authentications).toBe(3);
  });

  it('authenticates with an application credential', async () => {
    const user = await testKeystone().getSession();
    const userId = await fetch(`${testCloud!.authUrl}/auth/tokens`, {
      headers: { 'x-auth-token': user.token, 'x-subject-token': user.token },
    }).then(async r => (await r.json()).token.user.id);
    const name = `test-${Math.random().toString(36).slice(2, 8)}`;
    const created = await fetch(
      `${testCloud!.authUrl}/users/${userId}/application_credentials`,
      {
        method: 'POST',
        headers: {
          'x-auth-token': user.token,
          'content-type': 'application/json',
        },
        body: JSON.stringify({ application_credential: { name } }),
      },
    ).then(r => r.json());
    const { id, secret } = created.application_credential;
    try {
      const keystone = KeystoneClient.create({
        authUrl: testCloud!.authUrl,
        credentials: () => ({ type: 'applicationCredential', id, secret }),
      });
      const session = await keystone.getSession();
      expect(session.projectId).toBe(user.projectId);
      await expect(testHeat(keystone).listStacks(['none'])).resolves.toEqual(
        [],
      );

      const wrong = KeystoneClient.create({
        authUrl: testCloud!.authUrl,
        credentials: () => ({
          type: 'applicationCredential',
          id,
          secret: 'not-the-secret',
        }),
      });
      await expect(wrong.getSession()).rejects.toMatchObject({
        name: 'AuthenticationError',
        message: expect.stringContaining('401'),
      });
    } finally {
      await fetch(
        `${testCloud!.authUrl}/users/${userId}/application_credentials/${id}`,
        { method: 'DELETE', headers: { 'x-auth-token': user.token } },
      );
    }
  });
});
