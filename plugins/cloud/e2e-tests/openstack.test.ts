import { APIRequestContext, expect, Page, test } from '@playwright/test';

/**
 * The cloud of `scripts/openstack.sh` (or any Keystone and Heat) that the
 * store's backend is configured with (playwright.config.ts adds
 * app-config.openstack.yaml when these variables are set).
 */
const cloud = process.env.CLOUDSTORE_OPENSTACK_AUTH_URL
  ? {
      authUrl: process.env.CLOUDSTORE_OPENSTACK_AUTH_URL.replace(/\/$/, ''),
      region: process.env.CLOUDSTORE_OPENSTACK_REGION ?? 'RegionOne',
      project: process.env.CLOUDSTORE_OPENSTACK_PROJECT ?? 'cloudstore',
      domain: process.env.CLOUDSTORE_OPENSTACK_DOMAIN ?? 'Default',
      username: process.env.CLOUDSTORE_OPENSTACK_USERNAME ?? 'cloudstore',
      password: process.env.CLOUDSTORE_OPENSTACK_PASSWORD ?? '',
    }
  : undefined;

async function signIn(page: Page, user: string) {
  await page.goto('/');
  await page.getByRole('button', { name: `Sign in as ${user}` }).click();
}

/** Heat's endpoint and a token of the test cloud's project, from Keystone. */
async function heatSession(request: APIRequestContext) {
  const response = await request.post(`${cloud!.authUrl}/auth/tokens`, {
    data: {
      auth: {
        identity: {
          methods: ['password'],
          password: {
            user: {
              name: cloud!.username,
              domain: { name: cloud!.domain },
              password: cloud!.password,
            },
          },
        },
        scope: {
          project: { name: cloud!.project, domain: { name: cloud!.domain } },
        },
      },
    },
  });
  expect(response.status()).toBe(201);
  const token = response.headers()['x-subject-token'];
  const { catalog } = (await response.json()).token as {
    catalog: {
      type: string;
      endpoints: { interface: string; region: string; url: string }[];
    }[];
  };
  const endpoint = catalog
    .find(service => service.type === 'orchestration')
    ?.endpoints.find(
      e => e.interface === 'public' && e.region === cloud!.region,
    );
  expect(endpoint, 'Heat in the catalog of Keystone').toBeDefined();
  return { url: endpoint!.url.replace(/\/$/, ''), token };
}

/** The Heat stacks of a name, deleted ones too, as Heat lists them. */
async function heatStacks(request: APIRequestContext, name: string) {
  const heat = await heatSession(request);
  const response = await request.get(
    `${heat.url}/stacks?show_deleted=True&name=${encodeURIComponent(name)}`,
    { headers: { 'x-auth-token': heat.token } },
  );
  expect(response.status()).toBe(200);
  return (await response.json()).stacks as {
    stack_name: string;
    stack_status: string;
  }[];
}

/** The heading of the Resources page. */
function resourcesHeading(page: Page) {
  return page.getByRole('heading', { name: 'Resources', level: 1 });
}

/** The page of a stack that the test made and has not deleted yet. */
let liveStackPage: string | undefined;

// A failed run deletes its stack through the page as well, so that no Heat
// stack outlives it.
test.afterEach(async ({ browser }, testInfo) => {
  if (!liveStackPage) {
    return;
  }
  testInfo.setTimeout(testInfo.timeout + 180_000);
  const page = await browser.newPage();
  await signIn(page, 'platform-admin');
  await page.goto(liveStackPage);
  liveStackPage = undefined;
  const remove = page
    .getByRole('group', { name: 'Stack actions' })
    .getByRole('button', { name: 'Delete' });
  await expect(remove).toBeVisible();
  if (await remove.isDisabled()) {
    return;
  }
  await remove.click();
  await page
    .getByRole('dialog')
    .getByRole('button', { name: 'Delete' })
    .click();
  await expect(resourcesHeading(page)).toBeVisible({ timeout: 120_000 });
});

test('a developer orders the 3-tier web app on OpenStack, an approver approves it, and deleting it removes the Heat stack', async ({
  browser,
  request,
}) => {
  test.skip(
    !cloud,
    'needs a Keystone and Heat: ./scripts/openstack.sh start && eval "$(./scripts/openstack.sh env)" (sets CLOUDSTORE_OPENSTACK_AUTH_URL)',
  );
  test.setTimeout(480_000);
  const name = `e2e-os-${Date.now().toString(36)}`;

  // The developer orders the 3-Tier Web App on openstack.
  const developer = await browser.newPage();
  await signIn(developer, 'developer');
  await expect(async () => {
    await developer.goto('/store/products/default/three-tier-web-app');
    await expect(
      developer.getByRole('heading', { name: '3-Tier Web App' }),
    ).toBeVisible({ timeout: 20_000 });
  }).toPass({ timeout: 90_000 });
  await developer.getByRole('button', { name: 'Order' }).click();
  await expect(developer.getByTestId('order-preview')).toContainText(
    'Needs one approval from approvers',
  );
  await developer.getByLabel(/^Provider/).click();
  await developer
    .getByRole('option', { name: 'openstack', exact: true })
    .click();
  await developer.getByLabel(/^Region/).fill(cloud!.region);
  await developer.getByLabel(/^Name/).fill(name);
  await developer.getByLabel(/^Owner/).fill('group:default/developers');
  await developer.getByRole('button', { name: 'Review' }).click();
  await developer.getByRole('button', { name: 'Place order' }).click();
  await expect(developer.getByText('Waiting for approval')).toBeVisible();
  const orderUrl = developer.url();
  const orderId = decodeURIComponent(orderUrl.split('/').pop()!);

  // The approver approves it from the inbox.
  const approver = await browser.newPage();
  await signIn(approver, 'approver');
  await approver
    .getByRole('navigation', { name: 'sidebar nav' })
    .getByRole('link', { name: 'Approvals' })
    .click();
  const card = approver.getByTestId(`pending-${orderId}`);
  await expect(card).toContainText('3-Tier Web App');
  await card.getByRole('button', { name: 'Approve' }).click();
  await expect(card).toHaveCount(0);

  // Heat makes the stack from the product's HOT template.
  const timeline = developer.getByRole('list', { name: 'Timeline' });
  const appLink = timeline.getByRole('link', { name: 'Open the app' });
  await expect(async () => {
    // A page load alone can take half a minute on a loaded machine.
    await developer.goto(orderUrl);
    await expect(appLink).toBeVisible({ timeout: 30_000 });
  }).toPass({ timeout: 300_000 });
  await expect(timeline).toContainText('Fulfilled');
  // The template's output url: the load balancer's address
  await expect(appLink).toHaveAttribute('href', 'http://10.20.2.1/');

  // The Resources page lists the stack and leads to it.
  await developer
    .getByRole('navigation', { name: 'sidebar nav' })
    .getByRole('link', { name: 'Resources' })
    .click();
  await developer.getByPlaceholder('Filter').fill(name);
  await developer.getByRole('link', { name, exact: true }).click();

  // The stack page: its provider and its nodes from the template's outputs.
  await expect(
    developer.getByRole('heading', { name: `Stack ${name}` }),
  ).toBeVisible();
  liveStackPage = developer.url();
  const stackId = decodeURIComponent(liveStackPage.split('/').pop()!);
  const heatName = `cloudstore-${stackId}`;
  await expect(developer.getByText('openstack').first()).toBeVisible();
  const nodes = developer.getByRole('table').filter({ hasText: 'Node id' });
  const addresses: Record<string, RegExp> = {
    'db-1': /10\.20\.0\.10/,
    'app-1': /10\.20\.1\.0/,
    'app-2': /10\.20\.1\.1/,
    'lb-1': /10\.20\.2\.1/,
  };
  for (const [node, address] of Object.entries(addresses)) {
    // The row whose Node id cell is exactly this node's name.
    const row = nodes.getByRole('row').filter({
      has: developer.getByRole('cell', { name: node, exact: true }),
    });
    await expect(row).toContainText(address);
    await expect(row).toContainText('running');
  }
  expect(
    (await heatStacks(request, heatName)).map(s => s.stack_status),
  ).toEqual(['CREATE_COMPLETE']);

  // Delete it: the store waits until Heat has deleted the stack.
  await developer
    .getByRole('group', { name: 'Stack actions' })
    .getByRole('button', { name: 'Delete' })
    .click();
  await developer
    .getByRole('dialog', { name: `Delete stack ${name}?` })
    .getByRole('button', { name: 'Delete' })
    .click();
  await expect(resourcesHeading(developer)).toBeVisible({ timeout: 120_000 });
  liveStackPage = undefined;
  // Heat keeps the deleted stack's record, and by name no longer knows it.
  await expect
    .poll(
      async () =>
        (await heatStacks(request, heatName)).map(s => s.stack_status),
      { timeout: 60_000 },
    )
    .toEqual(['DELETE_COMPLETE']);
  const heat = await heatSession(request);
  const byName = await request.get(`${heat.url}/stacks/${heatName}`, {
    headers: { 'x-auth-token': heat.token },
    failOnStatusCode: false,
    maxRedirects: 0,
  });
  expect(byName.status()).toBe(404);
});
