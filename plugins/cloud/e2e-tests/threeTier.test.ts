import { test, expect, APIRequestContext, Page } from '@playwright/test';

async function signIn(page: Page, user: string) {
  await page.goto('/');
  await page.getByRole('button', { name: `Sign in as ${user}` }).click();
}

/**
 * GETs a `<stack>.localhost` URL. Chromium resolves every `*.localhost` name
 * to the loopback address; Node.js does not, so the request goes to the
 * loopback address with the stack's name in the Host header, as a browser
 * sends it.
 */
async function getStackUrl(request: APIRequestContext, url: string) {
  const { host, port } = new URL(url);
  return request.get(`http://127.0.0.1:${port}/`, {
    headers: { host },
    failOnStatusCode: false,
    timeout: 10_000,
  });
}

/** The heading of the Resources page. */
function resourcesHeading(page: Page) {
  return page.getByRole('heading', { name: 'Resources', level: 1 });
}

/** The page of a stack that the test made and has not deleted yet. */
let liveStackPage: string | undefined;

// A failed run deletes its stack through the page as well, so that no process
// outlives it.
test.afterEach(async ({ page }, testInfo) => {
  if (!liveStackPage) {
    return;
  }
  testInfo.setTimeout(testInfo.timeout + 180_000);
  await page.goto(liveStackPage);
  liveStackPage = undefined;
  const remove = page
    .getByRole('group', { name: 'Stack actions' })
    .getByRole('button', { name: 'Delete' });
  await expect(remove).toBeVisible();
  // A deleted stack has its actions disabled.
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

test('an admin runs the 3-tier template, opens, scales and deletes its stack', async ({
  page,
  request,
}) => {
  test.setTimeout(600_000);
  const name = `e2e-3t-${Date.now().toString(36)}`;

  await signIn(page, 'platform-admin');

  // The catalog location is read shortly after start-up.
  const title = page.getByRole('heading', { name: '3-tier web app' });
  await expect(async () => {
    await page.goto('/create');
    await expect(title).toBeVisible({ timeout: 60_000 });
  }).toPass({ timeout: 180_000 });
  await page
    .locator('div')
    .filter({ has: title })
    .filter({ has: page.getByRole('button', { name: 'Choose' }) })
    .last()
    .getByRole('button', { name: 'Choose' })
    .click();

  await page.getByRole('textbox', { name: 'Name' }).fill(name);
  const owner = page.getByRole('textbox', { name: 'Owner' });
  await owner.fill('group:default/developers');
  await owner.blur();
  await page.getByRole('button', { name: 'Review' }).click();
  await page.getByRole('button', { name: 'Create' }).click();

  // The task deploys four real processes; allow minutes on a busy machine.
  const stackLink = page.getByRole('link', { name: 'Stack', exact: true });
  await expect(stackLink).toBeVisible({ timeout: 300_000 });
  const appLink = await page
    .getByRole('link', { name: 'Open the app' })
    .getAttribute('href');
  await stackLink.click();

  await expect(
    page.getByRole('heading', { name: `Stack ${name}` }),
  ).toBeVisible();
  liveStackPage = page.url();
  const actions = page.getByRole('group', { name: 'Stack actions' });
  const nodes = page.getByRole('table').filter({ hasText: 'Node id' });
  // The rows whose Node id cell is exactly `id` (or matches it whole), so
  // that 'app-1' does not also find a row that mentions it in another cell.
  const nodeRows = (id: string | RegExp) =>
    nodes.getByRole('row').filter({
      has: page.getByRole('cell', { name: id, exact: true }),
    });
  for (const node of ['lb-1', 'app-1', 'app-2', 'db-1']) {
    const row = nodeRows(node);
    await expect(row).toContainText(/127\.0\.0\.1:\d+/);
    await expect(row).toContainText('running');
  }
  await expect(nodeRows(/^app-\d+$/)).toHaveCount(2);

  // The app answers on its URL, through the load balancer.
  const url = (await page
    .getByRole('link', { name: new RegExp(`^http://${name}\\.localhost:`) })
    .first()
    .getAttribute('href'))!;
  expect(url).toBe(appLink);
  await expect(async () => {
    const res = await getStackUrl(request, url);
    expect(res.status()).toBe(200);
    expect(await res.text()).toContain(`of stack ${name}`);
  }).toPass({ timeout: 60_000 });

  // Scale the app role to three nodes.
  await actions.getByRole('button', { name: 'Scale' }).click();
  const scale = page.getByRole('dialog', { name: 'Scale a role' });
  await expect(scale.getByRole('button', { name: /app/ })).toBeVisible();
  await scale.getByLabel('Nodes').fill('3');
  await scale.getByRole('button', { name: 'Scale' }).click();
  await expect(scale).toHaveCount(0);
  const apps = nodeRows(/^app-\d+$/);
  await expect(apps).toHaveCount(3, { timeout: 120_000 });
  for (const row of await apps.all()) {
    await expect(row).toContainText('running');
  }

  // The load balancer spreads requests over the three app nodes.
  await expect(async () => {
    const servedBy = new Set<string>();
    for (let i = 0; i < 12; i++) {
      const res = await getStackUrl(request, url);
      expect(res.status()).toBe(200);
      servedBy.add(
        /Served by <strong id="node">([^<]+)</.exec(await res.text())![1],
      );
    }
    expect([...servedBy].sort()).toEqual(['app-1', 'app-2', 'app-3']);
  }).toPass({ timeout: 60_000 });

  // The Resources page lists it and leads back to it.
  const heading = page.getByRole('heading', { name: `Stack ${name}` });
  await page
    .getByRole('navigation', { name: 'sidebar nav' })
    .getByRole('link', { name: 'Resources' })
    .click();
  await page.getByPlaceholder('Filter').fill(name);
  await page.getByRole('link', { name, exact: true }).click();
  await expect(heading).toBeVisible();
  await expect(apps).toHaveCount(3);

  // Delete the stack: the page goes back to the list, which no longer has it.
  await actions.getByRole('button', { name: 'Delete' }).click();
  const confirm = page.getByRole('dialog', { name: `Delete stack ${name}?` });
  await confirm.getByRole('button', { name: 'Delete' }).click();
  await expect(resourcesHeading(page)).toBeVisible({ timeout: 120_000 });
  await page.getByPlaceholder('Filter').fill(name);
  await expect(page.getByRole('progressbar')).toHaveCount(0);
  await expect(page.getByText('No records to display')).toBeVisible();
  await expect(page.getByRole('link', { name, exact: true })).toHaveCount(0);
  await expect(async () => {
    const res = await getStackUrl(request, url);
    expect(res.status()).toBe(404);
  }).toPass({ timeout: 30_000 });
  // Its page keeps who deleted it.
  await page.goto(liveStackPage!);
  liveStackPage = undefined;
  await expect(
    page.getByText('deleted', { exact: true }).first(),
  ).toBeVisible();
  // Created and deleted by, as links to the user's catalog page.
  await expect(
    page.locator('a[href="/catalog/default/user/platform-admin"]'),
  ).toHaveCount(2);
});
