import { test, expect, Page, APIRequestContext } from '@playwright/test';
import { IdentityProvider, IdentityProviderAccount } from './identityProvider';

const backendUrl = `http://localhost:${
  process.env.CLOUDSTORE_BACKEND_PORT ?? '7007'
}`;

// Logins at the identity provider differ from the catalog's user names: the
// store finds its users by the e-mail of examples/org.yaml.
const developer: IdentityProviderAccount = {
  login: 'dana.jones',
  password: 'correct horse battery',
  email: 'developer@acme.example',
  name: 'Dana Jones',
};
const admin: IdentityProviderAccount = {
  login: 'alex.admin',
  password: 'staple tuning fork',
  email: 'platform-admin@acme.example',
  name: 'Alex Admin',
};
// Known to the identity provider, not to the catalog.
const stranger: IdentityProviderAccount = {
  login: 'sam.stranger',
  password: 'purple monkey dishwasher',
  email: 'sam@elsewhere.example',
  name: 'Sam Stranger',
};

type AuditRecord = {
  seq: number;
  action: string;
  actor?: string;
  target?: string;
  ip?: string;
  status: string;
  meta?: Record<string, unknown>;
};

test.describe.configure({ mode: 'serial' });
test.skip(
  !!process.env.PLAYWRIGHT_URL,
  'needs the store that the tests start, which trusts their identity provider',
);

let identityProvider: IdentityProvider | undefined;
/** The stack the admin deployed, deleted after the tests. */
let deployed: { id: string; token: string } | undefined;

test.beforeAll(async () => {
  identityProvider = await IdentityProvider.start({
    port: Number(process.env.CLOUDSTORE_OIDC_PORT),
    client: {
      id: process.env.OIDC_CLIENT_ID!,
      secret: process.env.OIDC_CLIENT_SECRET!,
      redirectUri: `${backendUrl}/api/auth/oidc/handler/frame`,
    },
    accounts: [developer, admin, stranger],
  });
});

test.afterAll(async ({ playwright }) => {
  if (deployed) {
    const api = await playwright.request.newContext();
    await api.delete(`${backendUrl}/api/cloud/stacks/${deployed.id}`, {
      headers: { authorization: `Bearer ${deployed.token}` },
    });
    await api.dispose();
  }
  await identityProvider?.stop();
});

/**
 * Signs in through the identity provider's own pages in the pop-up that the
 * store opens: login and password, then consent.
 */
async function signInWithSingleSignOn(
  page: Page,
  account: IdentityProviderAccount,
) {
  await page.goto('/');
  await page
    .getByRole('button', { name: 'Sign in with single sign-on' })
    .click();
  const popupOpens = page.waitForEvent('popup');
  await page.getByRole('button', { name: /^sign in$/i }).click();
  const popup = await popupOpens;
  await expect(
    popup.getByRole('heading', { name: 'Sign in to Acme' }),
  ).toBeVisible();
  await popup.getByLabel('Login').fill(account.login);
  await popup.getByLabel('Password').fill(account.password);
  await popup.getByRole('button', { name: 'Sign in' }).click();
  await expect(
    popup.getByRole('heading', { name: 'Allow Cloud Store?' }),
  ).toBeVisible();
  await popup.getByRole('button', { name: 'Allow' }).click();
  await popup.waitForEvent('close');
}

/** The Backstage identity of the signed-in session, and its token. */
async function sessionOf(request: APIRequestContext) {
  const res = await request.get(
    `${backendUrl}/api/auth/oidc/refresh?optional&env=development`,
    { headers: { 'x-requested-with': 'XMLHttpRequest' } },
  );
  expect(res.ok()).toBe(true);
  const body = await res.json();
  return {
    userEntityRef: body.backstageIdentity.identity.userEntityRef as string,
    token: body.backstageIdentity.token as string,
    email: body.profile.email as string,
  };
}

async function auditRecords(
  request: APIRequestContext,
  token: string,
  filter: Record<string, string>,
): Promise<AuditRecord[]> {
  const res = await request.get(`${backendUrl}/api/audit/events`, {
    headers: { authorization: `Bearer ${token}` },
    params: { ...filter, limit: '500' },
  });
  expect(res.ok()).toBe(true);
  return (await res.json()).items;
}

test('a sign-in with an e-mail that no catalog user has is refused', async ({
  page,
}) => {
  await signInWithSingleSignOn(page, stranger);

  await expect(page.getByText(/unable to resolve user identity/)).toBeVisible();
  await expect(page.getByRole('button', { name: /^sign in$/i })).toBeVisible();
});

test('a developer lands in the store as their catalog user and does not see the admin pages', async ({
  page,
}) => {
  await signInWithSingleSignOn(page, developer);

  await expect(
    page.getByRole('heading', { name: 'Welcome to Cloud Store' }),
  ).toBeVisible();
  expect(await sessionOf(page.request)).toMatchObject({
    userEntityRef: 'user:default/developer',
    email: developer.email,
  });

  // Asked by URL, both pages refuse; by then the sidebar has had the same
  // answer and offers neither.
  await page.goto('/audit');
  await expect(page.getByText('Not allowed')).toBeVisible();
  await page.goto('/access');
  await expect(page.getByText('Not allowed')).toBeVisible();
  const nav = page.getByRole('navigation', { name: 'sidebar nav' });
  await expect(
    nav.getByRole('link', { name: 'Catalog', exact: true }),
  ).toBeVisible();
  await expect(
    nav.getByRole('link', { name: 'Audit log', exact: true }),
  ).toHaveCount(0);
  await expect(
    nav.getByRole('link', { name: 'Access', exact: true }),
  ).toHaveCount(0);
});

test('an admin sees the admin pages and finds their sign-in and their deployment in the audit log', async ({
  page,
}) => {
  await signInWithSingleSignOn(page, admin);

  const nav = page.getByRole('navigation', { name: 'sidebar nav' });
  await expect(
    nav.getByRole('link', { name: 'Access', exact: true }),
  ).toBeVisible();
  await expect(
    nav.getByRole('link', { name: 'Audit log', exact: true }),
  ).toBeVisible();
  const session = await sessionOf(page.request);
  expect(session.userEntityRef).toBe('user:default/platform-admin');

  // A deployment: a one-node static site.
  const name = `e2e-sso-${Date.now().toString(36)}`;
  const created = await page.request.post(`${backendUrl}/api/cloud/stacks`, {
    headers: { authorization: `Bearer ${session.token}` },
    data: {
      name,
      owner: 'group:default/platform-admins',
      provider: 'local',
      region: 'local',
      spec: {
        roles: [
          {
            name: 'web',
            count: 1,
            runtime: 'static',
            files: { 'index.html': '<p>Signed in through OIDC</p>' },
          },
        ],
      },
    },
  });
  expect(created.status()).toBe(201);
  deployed = { id: (await created.json()).id, token: session.token };

  // Records reach the database shortly after the events.
  const user = session.userEntityRef;
  let login: AuditRecord | undefined;
  let deployment: AuditRecord | undefined;
  let refused: AuditRecord | undefined;
  await expect(async () => {
    [login] = await auditRecords(page.request, session.token, {
      user,
      action: 'LOGIN',
      status: 'succeeded',
    });
    deployment = (
      await auditRecords(page.request, session.token, {
        user,
        action: 'STACK_CREATE',
      })
    ).find(r => r.meta?.name === name);
    [refused] = await auditRecords(page.request, session.token, {
      action: 'LOGIN',
      target: stranger.email,
    });
    expect(login).toBeDefined();
    expect(deployment).toBeDefined();
    expect(refused).toBeDefined();
  }).toPass({ timeout: 30_000 });
  expect(login).toMatchObject({
    actor: user,
    meta: { provider: 'oidc', email: admin.email },
  });
  expect(login!.ip).toBeTruthy();
  expect(refused!.status).toBe('failed');
  expect(refused!.actor).toBeFalsy();
  // The deployment's target is the stack it created.
  expect(deployment).toMatchObject({
    actor: user,
    target: `stack:${deployed!.id}`,
    status: 'succeeded',
  });

  await nav.getByRole('link', { name: 'Audit log', exact: true }).click();
  await expect(
    page.getByRole('heading', { name: 'Audit log', level: 1 }),
  ).toBeVisible();
  const rowOf = (record: AuditRecord) =>
    page.getByRole('row').filter({
      has: page.getByRole('cell', { name: String(record.seq), exact: true }),
    });

  await page.getByLabel('User', { exact: true }).fill(user);
  await page.getByLabel('Action', { exact: true }).fill('LOGIN');
  const loginRow = rowOf(login!);
  await expect(loginRow).toBeVisible();
  await expect(loginRow).toContainText('LOGIN');
  await expect(loginRow).toContainText(login!.ip!);
  await expect(loginRow).toContainText('succeeded');

  await page.getByLabel('Action', { exact: true }).fill('STACK_CREATE');
  const deploymentRow = rowOf(deployment!);
  await expect(deploymentRow).toBeVisible();
  await expect(deploymentRow).toContainText('STACK_CREATE');
  await expect(deploymentRow).toContainText('succeeded');
  await expect(loginRow).toHaveCount(0);

  // The refused stranger: no user, the e-mail they claimed as the target.
  await page.getByLabel('User', { exact: true }).fill('');
  await page.getByLabel('Action', { exact: true }).fill('LOGIN');
  await page.getByLabel('Target', { exact: true }).fill(stranger.email);
  const refusedRow = rowOf(refused!);
  await expect(refusedRow).toBeVisible();
  await expect(refusedRow).toContainText('failed');
});
