import { APIRequestContext, test, expect, Page } from '@playwright/test';

async function signIn(page: Page, user: string) {
  await page.goto('/');
  await page.getByRole('button', { name: `Sign in as ${user}` }).click();
}

test('a developer orders a product that needs approval, an approver approves it, and it is fulfilled', async ({
  browser,
  request,
}) => {
  // Deploying a 3-tier stack takes a while on a loaded machine.
  test.setTimeout(480_000);
  const name = `e2e-${Date.now().toString(36)}`;

  // The developer orders the 3-Tier Web App, which every order needs approval for.
  const developer = await browser.newPage();
  await signIn(developer, 'developer');
  // The catalog location is read and indexed shortly after start-up.
  await expect(async () => {
    await developer.goto('/store/products/default/three-tier-web-app');
    await expect(
      developer.getByRole('heading', { name: '3-Tier Web App' }),
    ).toBeVisible({ timeout: 20_000 });
  }).toPass({ timeout: 90_000 });
  await developer.getByRole('button', { name: 'Order' }).click();

  const preview = developer.getByTestId('order-preview');
  await expect(preview).toContainText('Needs one approval from approvers');
  // The stack goes where the order says: the local provider runs here.
  await developer.getByLabel(/^Provider/).click();
  await developer.getByRole('option', { name: 'local', exact: true }).click();
  await developer.getByLabel(/^Name/).fill(name);
  // The 3-tier template deploys the stack for an owner group.
  // The scaffolder's OwnerPicker takes a typed entity ref as well.
  await developer.getByLabel(/^Owner/).fill('group:default/developers');
  // The scaffolder's form: the template's step, its review, then the order.
  await developer.getByRole('button', { name: 'Review' }).click();
  await developer.getByRole('button', { name: 'Place order' }).click();

  await expect(
    developer.getByRole('heading', { name: '3-Tier Web App order' }),
  ).toBeVisible();
  await expect(developer.getByText('Waiting for approval')).toBeVisible();
  const orderUrl = developer.url();
  const orderId = decodeURIComponent(orderUrl.split('/').pop()!);

  // The approver approves it from the inbox, with a comment.
  const approver = await browser.newPage();
  await signIn(approver, 'approver');
  await approver
    .getByRole('navigation', { name: 'sidebar nav' })
    .getByRole('link', { name: 'Approvals' })
    .click();
  await expect(
    approver.getByRole('heading', { name: 'Approvals' }),
  ).toBeVisible();
  const card = approver.getByTestId(`pending-${orderId}`);
  await expect(card).toContainText('3-Tier Web App');
  // The requester by the display name of their catalog profile, linked.
  await expect(
    card.getByRole('link', { name: 'Dana Developer' }),
  ).toHaveAttribute('href', '/catalog/default/user/developer');
  await card.getByLabel('Comment').fill('Capacity is fine');
  await card.getByRole('button', { name: 'Approve' }).click();
  await expect(card).toHaveCount(0);

  // The order is provisioned through the scaffolder and fulfilled.
  await expect(async () => {
    // A page load alone can take half a minute on a loaded machine.
    await developer.goto(orderUrl);
    await expect(developer.getByText('Fulfilled').first()).toBeVisible({
      timeout: 30_000,
    });
  }).toPass({ timeout: 300_000 });
  const timeline = developer.getByRole('list', { name: 'Timeline' });
  await expect(timeline).toContainText('Approved');
  await expect(
    timeline.getByRole('link', { name: 'Avery Approver' }),
  ).toHaveAttribute('href', '/catalog/default/user/approver');
  await expect(timeline).toContainText('Capacity is fine');
  await expect(timeline).toContainText('Provisioning started');
  await expect(timeline.getByRole('link', { name: 'Task log' })).toBeVisible();

  // The app answers at the URL of the order's outputs. Node does not resolve
  // <stack>.localhost names as browsers do, so the request goes to the
  // loopback address with the stack's name in the Host header.
  const appHref = await timeline
    .getByRole('link', { name: 'Open the app' })
    .getAttribute('href');
  const appUrl = new URL(appHref!);
  expect(appUrl.hostname).toBe(`${name}.localhost`);
  await expect(async () => {
    const response = await request.get(
      `http://127.0.0.1:${appUrl.port}${appUrl.pathname}`,
      { headers: { host: appUrl.host }, timeout: 10_000 },
    );
    expect(response.status()).toBe(200);
  }).toPass({ timeout: 120_000 });
});

/** A user's Backstage token from the demo sign-in. */
async function tokenOf(request: APIRequestContext, user: string) {
  const response = await request.get('/api/auth/demo/refresh', {
    headers: { 'x-cloud-store-demo-user': user },
  });
  expect(response.ok()).toBeTruthy();
  return (await response.json()).backstageIdentity.token as string;
}

test('a platform admin finds an order with filters, closes and reopens it', async ({
  browser,
  playwright,
}) => {
  const name = `e2e-admin-${Date.now().toString(36)}`;
  const backend = await playwright.request.newContext({
    baseURL: `http://localhost:${
      process.env.CLOUDSTORE_BACKEND_PORT ?? '7007'
    }`,
  });
  // The developer's order waits for approval: an approver must decide.
  const developerToken = await tokenOf(backend, 'developer');
  await expect(async () => {
    const created = await backend.post('/api/store/orders', {
      headers: { authorization: `Bearer ${developerToken}` },
      data: {
        product: 'product:default/three-tier-web-app',
        plan: 'standard',
        provider: 'local',
        parameters: { name, owner: 'group:default/developers' },
      },
    });
    expect(created.status()).toBe(201);
  }).toPass({ timeout: 90_000 });

  const admin = await browser.newPage();
  await signIn(admin, 'platform-admin');
  await admin
    .getByRole('navigation', { name: 'sidebar nav' })
    .getByRole('link', { name: 'Orders admin' })
    .click();
  await expect(
    admin.getByRole('heading', { name: 'Orders administration' }),
  ).toBeVisible();

  // Filters are kept in the URL.
  await admin.getByLabel('Requester').fill('user:default/developer');
  await admin.getByLabel('Group').fill('group:default/developers');
  await admin.getByRole('button', { name: 'Apply filters' }).click();
  await expect(admin).toHaveURL(/requester=user%3Adefault%2Fdeveloper/);
  await expect(admin).toHaveURL(/group=group%3Adefault%2Fdevelopers/);
  // The order's name is not a column: its id names its row's buttons.
  const orders = await backend.get(
    `/api/store/orders?scope=mine&status=pending_approval`,
    { headers: { authorization: `Bearer ${developerToken}` } },
  );
  const order = (await orders.json()).items.find(
    (o: { parameters: { name: string } }) => o.parameters.name === name,
  );
  expect(order).toBeDefined();
  const closeButton = admin.getByRole('button', {
    name: `Close order ${order.id}`,
  });
  await expect(closeButton).toBeVisible();

  await closeButton.click();
  const dialog = admin.getByRole('dialog');
  await dialog.getByLabel('Comment').fill('Closed by the e2e test');
  await dialog.getByRole('button', { name: 'Close order' }).click();
  await expect(dialog).toHaveCount(0);
  const reopenButton = admin.getByRole('button', {
    name: `Reopen order ${order.id}`,
  });
  await expect(reopenButton).toBeVisible();

  // Only cancelled orders now: the reopened one leaves the filtered list.
  await admin.goto(
    `/store/admin/orders?status=cancelled&requester=${encodeURIComponent(
      'user:default/developer',
    )}`,
  );
  await expect(reopenButton).toBeVisible();
  await reopenButton.click();
  await dialog.getByRole('button', { name: 'Reopen' }).click();
  await expect(dialog).toHaveCount(0);
  await expect(reopenButton).toHaveCount(0);

  const reopened = await backend.get(`/api/store/orders/${order.id}`, {
    headers: { authorization: `Bearer ${developerToken}` },
  });
  expect((await reopened.json()).status).toBe('pending_approval');
  await backend.dispose();
});
