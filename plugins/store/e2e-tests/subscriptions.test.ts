import {
  APIRequestContext,
  test,
  expect,
  Locator,
  Page,
} from '@playwright/test';
import { rename, rm, writeFile } from 'node:fs/promises';

const DAY_MS = 86_400_000;
const ACCOUNT = 'group:default/developers';

/**
 * The file that moves the store's clock (packages/backend/src/storeTestClock.ts),
 * set by playwright.config.ts for the store that the tests start.
 */
function clockFile(): string {
  const file = process.env.CLOUDSTORE_STORE_CLOCK_FILE;
  if (!file) {
    throw new Error(
      'This test moves the store clock: run it on a store that playwright.config.ts starts (no PLAYWRIGHT_URL)',
    );
  }
  return file;
}

/** Moves the store's clock to `at`, from where it runs on in real time. */
async function setStoreTime(at: Date) {
  const file = clockFile();
  // Renamed into place, so that the backend never reads a half-written file.
  await writeFile(`${file}.new`, String(at.getTime() - Date.now()));
  await rename(`${file}.new`, file);
}

async function resetStoreTime() {
  await rm(clockFile(), { force: true });
}

/** Noon (UTC) of a day of a month (`YYYY-MM`), `monthsLater` months on. */
function noonOf(month: string, day: number, monthsLater = 0): Date {
  const [year, monthNumber] = month.split('-').map(Number);
  return new Date(Date.UTC(year, monthNumber - 1 + monthsLater, day, 12));
}

function isoDate(date: Date): string {
  return date.toISOString().slice(0, 10);
}

/** `USD 12.34` from an amount of cents. */
function usd(cents: number): string {
  return `USD ${Math.floor(cents / 100)}.${String(cents % 100).padStart(
    2,
    '0',
  )}`;
}

/** `numerator / denominator` rounded half-up, for positive whole numbers. */
function roundHalfUp(numerator: number, denominator: number): number {
  return Math.floor((2 * numerator + denominator) / (2 * denominator));
}

async function signIn(page: Page, user: string) {
  await page.goto('/');
  await page.getByRole('button', { name: `Sign in as ${user}` }).click();
}

/**
 * The signed-in user's Backstage token and the backend's address, as the
 * app sends them with its own requests while `visit` loads a store page.
 */
async function identityOf(page: Page, visit: () => Promise<unknown>) {
  const [request] = await Promise.all([
    page.waitForRequest(
      r =>
        r.url().includes('/api/store/') &&
        (r.headers().authorization ?? '').startsWith('Bearer '),
    ),
    visit(),
  ]);
  return {
    backend: new URL(request.url()).origin,
    authorization: request.headers().authorization,
  };
}

type Identity = Awaited<ReturnType<typeof identityOf>>;

async function getJson(
  request: APIRequestContext,
  identity: Identity,
  path: string,
) {
  const response = await request.get(`${identity.backend}${path}`, {
    headers: { authorization: identity.authorization },
  });
  expect(response.status(), await response.text()).toBe(200);
  return response.json();
}

/** The id of the subscription of an order, once the order has one. */
async function subscriptionOf(
  request: APIRequestContext,
  identity: Identity,
  orderId: string,
): Promise<string> {
  let id: string | undefined;
  await expect(async () => {
    let cursor: string | undefined;
    do {
      const page = await getJson(
        request,
        identity,
        `/api/store/subscriptions?limit=200${
          cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''
        }`,
      );
      id = page.items.find(
        (s: { orderId: string }) => s.orderId === orderId,
      )?.id;
      cursor = page.nextCursor;
    } while (!id && cursor);
    expect(id, `the subscription of order ${orderId}`).toBeDefined();
  }).toPass({ timeout: 60_000 });
  return id!;
}

/** Pages through a list with its Show more button until `item` is in it. */
async function showMoreUntil(page: Page, item: Locator) {
  const more = page.getByRole('button', { name: 'Show more' });
  await expect(async () => {
    if (!(await item.isVisible()) && (await more.isVisible())) {
      await more.click();
    }
    await expect(item).toBeVisible({ timeout: 5_000 });
  }).toPass({ timeout: 60_000 });
}

/**
 * The latest month, from the current one back, that the developers' account
 * has no invoice for: an invoice is never issued twice for a month, so each
 * run of this test on the same store bills a month of its own.
 */
async function unbilledMonth(request: APIRequestContext, admin: Identity) {
  const now = new Date();
  for (let back = 0; back < 120; back++) {
    const month = new Date(
      Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - back, 1),
    )
      .toISOString()
      .slice(0, 7);
    const invoices = await getJson(
      request,
      admin,
      `/api/store/invoices?account=${encodeURIComponent(
        ACCOUNT,
      )}&period=${month}`,
    );
    if (invoices.items.length === 0) {
      return month;
    }
  }
  throw new Error(`${ACCOUNT} has invoices for each of the last 120 months`);
}

/** The page of the stack that the test made and has not deleted yet. */
let liveStackPage: string | undefined;

test.afterEach(async ({ page }, testInfo) => {
  await resetStoreTime();
  if (!liveStackPage) {
    return;
  }
  // A failed run deletes its stack too, so that no process outlives it.
  testInfo.setTimeout(testInfo.timeout + 180_000);
  await signIn(page, 'developer');
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
  await expect(
    page.getByRole('heading', { name: 'Resources', level: 1 }),
  ).toBeVisible({ timeout: 120_000 });
});

test('a group upgrades its subscription, is invoiced the proration, and finance sees the cost', async ({
  browser,
  request,
}) => {
  // A 3-tier stack is deployed for real; a loaded machine takes minutes.
  test.setTimeout(900_000);
  const name = `e2e-sub-${Date.now().toString(36)}`;

  // The administrator runs invoices; their token comes from the app.
  const admin = await browser.newPage();
  await signIn(admin, 'platform-admin');
  const adminIdentity = await identityOf(admin, () =>
    admin.goto('/store/billing'),
  );

  // The billing calendar of this run: the order on the 1st of a month not
  // invoiced yet, so the 14-day trial of Standard ends on the 15th; the
  // upgrade on the 16th, with paid days left to prorate; the invoice run
  // once the month has ended.
  const month = await unbilledMonth(request, adminIdentity);
  const trialEnd = isoDate(noonOf(month, 15));
  const periodEnd = isoDate(noonOf(month, 15, 1));
  const upgradeDay = noonOf(month, 16);
  const daysLeft = Math.round(
    (noonOf(month, 15, 1).getTime() - upgradeDay.getTime()) / DAY_MS,
  );
  const periodDays = Math.round(
    (noonOf(month, 15, 1).getTime() - noonOf(month, 15).getTime()) / DAY_MS,
  );
  // Actual-day proration of USD 89.00 → USD 999.00 a month.
  const dailyDifference = usd(roundHalfUp(99_900 - 8_900, periodDays));
  const total = usd(roundHalfUp((99_900 - 8_900) * daysLeft, periodDays));
  await setStoreTime(noonOf(month, 1));

  // The developer orders the 3-Tier Web App on its Standard plan.
  const developer = await browser.newPage();
  await signIn(developer, 'developer');
  await expect(async () => {
    await developer.goto('/store/products/default/three-tier-web-app');
    await expect(
      developer.getByRole('heading', { name: '3-Tier Web App' }),
    ).toBeVisible({ timeout: 20_000 });
  }).toPass({ timeout: 90_000 });
  await developer.getByRole('button', { name: 'Order' }).click();
  await developer.getByLabel(/^Plan/).click();
  await developer
    .getByRole('option', { name: 'Standard — USD 89.00/month' })
    .click();
  await developer.getByLabel(/^Provider/).click();
  await developer.getByRole('option', { name: 'local', exact: true }).click();
  await developer.getByLabel(/^Name/).fill(name);
  await developer.getByLabel(/^Owner/).fill(ACCOUNT);
  await developer.getByRole('button', { name: 'Review' }).click();
  await developer.getByRole('button', { name: 'Place order' }).click();
  await expect(developer.getByText('Waiting for approval')).toBeVisible();
  const orderUrl = developer.url();
  const orderId = decodeURIComponent(orderUrl.split('/').pop()!);

  // The approver approves it.
  const approver = await browser.newPage();
  await signIn(approver, 'approver');
  await approver
    .getByRole('navigation', { name: 'sidebar nav' })
    .getByRole('link', { name: 'Approvals' })
    .click();
  const card = approver.getByTestId(`pending-${orderId}`);
  await card.getByLabel('Comment').fill('Upgrade test');
  await card.getByRole('button', { name: 'Approve' }).click();
  await expect(card).toHaveCount(0);
  await approver.close();

  // The stack is deployed and the order fulfilled.
  await expect(async () => {
    // A page load alone can take half a minute on a loaded machine.
    await developer.goto(orderUrl);
    await expect(developer.getByText('Fulfilled').first()).toBeVisible({
      timeout: 30_000,
    });
  }).toPass({ timeout: 300_000 });

  // The fulfilled order is a subscription of the developers' group. Which
  // row of the list is this order's is known from the API only.
  const developerIdentity = await identityOf(developer, () =>
    developer
      .getByRole('navigation', { name: 'sidebar nav' })
      .getByRole('link', { name: 'Subscriptions' })
      .click(),
  );
  await expect(
    developer.getByRole('heading', { name: 'My subscriptions' }),
  ).toBeVisible();
  const subscriptionId = await subscriptionOf(
    request,
    developerIdentity,
    orderId,
  );
  const subscriptionPath = `/store/subscriptions/${encodeURIComponent(
    subscriptionId,
  )}`;
  const subscriptionLink = developer.locator(`a[href$="${subscriptionPath}"]`);
  await developer.reload();
  await showMoreUntil(developer, subscriptionLink);
  const row = developer.getByRole('row').filter({ has: subscriptionLink });
  await expect(row).toContainText('3-Tier Web App');
  await expect(row).toContainText('Standard');
  await expect(row).toContainText('Trial');
  await expect(row).toContainText(trialEnd);
  await subscriptionLink.click();
  await expect(
    developer.getByRole('heading', { name: '3-Tier Web App subscription' }),
  ).toBeVisible();
  const stackLink = developer
    .getByRole('list', { name: 'Stacks' })
    .getByRole('link');
  await expect(stackLink).toHaveCount(1);
  liveStackPage = new URL(
    (await stackLink.getAttribute('href'))!,
    developer.url(),
  ).toString();
  const subscriptionUrl = developer.url();

  // The trial ends on the 15th: the lifecycle job charges the first period.
  await setStoreTime(upgradeDay);
  const status = developer.getByText('Active', { exact: true });
  await expect(async () => {
    const trigger = await request.post(
      `${adminIdentity.backend}/api/store/.backstage/scheduler/v1/tasks/store-subscriptions-lifecycle/trigger`,
      { headers: { authorization: adminIdentity.authorization } },
    );
    // 409: a run is going; the next trigger catches this subscription.
    expect([200, 409]).toContain(trigger.status());
    await developer.goto(subscriptionUrl);
    await expect(status.first()).toBeVisible({ timeout: 10_000 });
  }).toPass({ timeout: 120_000 });
  await expect(
    developer.getByText(`${trialEnd} to ${periodEnd}`, { exact: true }),
  ).toBeVisible();
  const charges = developer.getByRole('table').filter({ hasText: 'Charged' });
  // A charge's row by its exact Kind cell, not by text found in any cell.
  const charge = (kind: string) =>
    charges.getByRole('row').filter({
      has: developer.getByRole('cell', { name: kind, exact: true }),
    });
  await expect(charge('recurring')).toContainText('USD 89.00');

  // The upgrade to Enterprise, with its breakdown before anything is charged.
  await developer.getByRole('button', { name: 'Change plan' }).click();
  const dialog = developer.getByRole('dialog', {
    name: 'Change the plan of 3-Tier Web App',
  });
  await dialog.getByLabel('New plan').selectOption('enterprise');
  const quote = dialog.getByRole('table', { name: 'Quote' });
  const line = (label: string) =>
    quote.getByRole('row').filter({
      has: developer.getByRole('rowheader', { name: label, exact: true }),
    });
  await expect(line('Current plan')).toContainText(
    'Standard — USD 89.00/month',
  );
  await expect(line('New plan')).toContainText('Enterprise — USD 999.00/month');
  await expect(line('Days left')).toContainText(String(daysLeft));
  await expect(line('Daily difference')).toContainText(dailyDifference);
  await expect(line('Total charge')).toContainText(total);
  await expect(line('Stacks')).toContainText('instances: 2 → 6');
  await expect(line('Stacks')).toContainText(`${name}: app: 2 → 4 nodes`);
  await dialog.getByRole('button', { name: 'Change plan' }).click();
  await expect(dialog).toHaveCount(0);
  await expect(
    developer.getByText('Enterprise — USD 999.00/month'),
  ).toBeVisible();
  await expect(charge('proration')).toContainText(total);

  // Enterprise provides four app nodes: the stack was scaled to them.
  await developer.goto(liveStackPage);
  const appNodes = developer
    .getByRole('table')
    .filter({ hasText: 'Node id' })
    .getByRole('row')
    .filter({ has: developer.getByRole('cell', { name: /^app-\d+$/ }) });
  await expect(appNodes).toHaveCount(4, { timeout: 120_000 });
  for (const node of await appNodes.all()) {
    await expect(node).toContainText('running');
  }

  // The month has ended: the administrator runs its invoices.
  await setStoreTime(noonOf(month, 5, 1));
  const run = await request.post(
    `${adminIdentity.backend}/api/store/invoices/run`,
    {
      headers: { authorization: adminIdentity.authorization },
      data: { period: month },
    },
  );
  expect(run.status(), await run.text()).toBe(200);
  await admin.close();

  // The group's invoice has the first period and the proration.
  await developer
    .getByRole('navigation', { name: 'sidebar nav' })
    .getByRole('link', { name: 'Billing' })
    .click();
  await developer.getByLabel('Billing account').fill(ACCOUNT);
  await developer.getByLabel('Period').fill(month);
  await developer.getByRole('button', { name: 'Apply filters' }).click();
  const invoices = developer.getByRole('table').filter({ hasText: 'Invoice' });
  await expect(invoices.getByRole('row')).toHaveCount(2);
  await invoices.getByRole('link', { name: /^INV-/ }).click();
  const pageTitle = developer.getByRole('heading', {
    name: /^Invoice INV-/,
    level: 1,
  });
  const sheetTitle = developer.getByRole('heading', {
    name: /^Invoice INV-/,
    level: 2,
  });
  await expect(pageTitle).toBeVisible();
  await expect(sheetTitle).toBeVisible();
  const lines = developer
    .getByRole('table', { name: 'Invoice lines' })
    .getByRole('row')
    .filter({ has: developer.locator(`a[href$="${subscriptionPath}"]`) });
  const lineOfKind = (kind: string) =>
    lines.filter({
      has: developer.getByRole('cell', { name: kind, exact: true }),
    });
  const proration = lineOfKind('Proration');
  await expect(proration).toHaveCount(1);
  await expect(proration).toContainText(
    `3-Tier Web App: Standard → Enterprise, ${daysLeft} day(s) left`,
  );
  await expect(proration).toContainText(total);
  const recurring = lineOfKind('Recurring');
  await expect(recurring).toHaveCount(1);
  await expect(recurring).toContainText(
    `3-Tier Web App, Standard: ${trialEnd} to ${periodEnd}`,
  );
  await expect(recurring).toContainText('USD 89.00');
  // Printed, the invoice is the page: no app header, no buttons.
  const print = developer.getByRole('button', { name: 'Print' });
  await expect(print).toBeVisible();
  await developer.emulateMedia({ media: 'print' });
  await expect(pageTitle).toBeHidden();
  await expect(print).toBeHidden();
  await expect(sheetTitle).toBeVisible();
  await expect(proration).toBeVisible();
  await developer.emulateMedia({ media: 'screen' });

  // Finance sees the month's costs of the group, and of the product in it.
  const finance = await browser.newPage();
  await signIn(finance, 'finance');
  await finance
    .getByRole('navigation', { name: 'sidebar nav' })
    .getByRole('link', { name: 'Billing' })
    .click();
  await finance.getByRole('button', { name: 'Cost analytics' }).click();
  await expect(
    finance.getByRole('heading', { name: 'Cost analytics' }),
  ).toBeVisible();
  for (const end of ['From', 'To']) {
    await finance.getByRole('button', { name: new RegExp(`^${end} `) }).click();
    await finance.getByRole('option', { name: month, exact: true }).click();
  }
  await expect(finance.getByText(`${month} to ${month}`)).toBeVisible();
  // The account by its group's display name, linked to the group.
  const account = finance.getByRole('row').filter({
    has: finance.getByRole('link', { name: 'Developers', exact: true }),
  });
  await expect(account).toBeVisible();
  await expect(account.getByRole('link')).toHaveAttribute(
    'href',
    '/catalog/default/group/developers',
  );
  await account.getByRole('button', { name: /by product/ }).click();
  await expect(
    finance.getByRole('navigation', { name: 'Drill-down' }),
  ).toContainText('Developers');
  await expect(
    finance.getByRole('row').filter({
      has: finance.getByRole('cell', { name: '3-Tier Web App', exact: true }),
    }),
  ).toContainText(/USD \d+\.\d\d/);
  await finance.close();

  // The developer cancels the subscription and deletes its stack.
  await developer.goto(subscriptionUrl);
  await developer.getByRole('button', { name: 'Cancel', exact: true }).click();
  const cancel = developer.getByRole('dialog', {
    name: 'Cancel 3-Tier Web App',
  });
  await cancel.getByLabel('Now').check();
  await expect(
    cancel
      .getByRole('row')
      .filter({ has: developer.getByRole('rowheader', { name: 'Ends on' }) }),
  ).toContainText(isoDate(noonOf(month, 5, 1)));
  await cancel.getByRole('button', { name: 'Cancel subscription' }).click();
  await expect(cancel).toHaveCount(0);
  await expect(
    developer.getByText('Cancelled', { exact: true }).first(),
  ).toBeVisible();

  await developer.goto(liveStackPage);
  await developer
    .getByRole('group', { name: 'Stack actions' })
    .getByRole('button', { name: 'Delete' })
    .click();
  await developer
    .getByRole('dialog', { name: `Delete stack ${name}?` })
    .getByRole('button', { name: 'Delete' })
    .click();
  await expect(
    developer.getByRole('heading', { name: 'Resources', level: 1 }),
  ).toBeVisible({ timeout: 120_000 });
  liveStackPage = undefined;
});
