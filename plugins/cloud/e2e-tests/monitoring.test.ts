import { test, expect, Page } from '@playwright/test';

async function signIn(page: Page, user: string) {
  await page.goto('/');
  await page.getByRole('button', { name: `Sign in as ${user}` }).click();
}

const CHARTS = ['CPU', 'Memory', 'Disk', 'Network'];

/** The page of a stack that the test made and has not deleted yet. */
let liveStackPage: string | undefined;

// The stack is deleted through its page, passed or failed, so that no
// process outlives the test.
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

test('an admin opens a running stack, sees its four charts with data, switches their range, and finds them on the catalog page of its Resource', async ({
  page,
}) => {
  test.setTimeout(600_000);
  const name = `e2e-mon-${Date.now().toString(36)}`;

  await signIn(page, 'platform-admin');

  // A static site: one node, quick to deploy.
  const title = page.getByRole('heading', { name: 'Static website' });
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

  const stackLink = page.getByRole('link', { name: 'Stack', exact: true });
  await expect(stackLink).toBeVisible({ timeout: 300_000 });
  await stackLink.click();
  await expect(
    page.getByRole('heading', { name: `Stack ${name}` }),
  ).toBeVisible();
  liveStackPage = page.url();

  // The collector samples every node on its schedule (15 s by default); the
  // charts show what was stored when the page asked, so ask again until
  // each chart has its line and its figures.
  const chart = (t: string) => page.getByRole('figure', { name: `${t} chart` });
  await expect(async () => {
    await page.reload();
    for (const t of CHARTS) {
      await expect(chart(t).locator('.recharts-line-curve')).not.toHaveCount(
        0,
        { timeout: 30_000 },
      );
      const rows = chart(t).getByRole('row').filter({ hasText: 'web-1' });
      await expect(rows).not.toHaveCount(0);
      await expect(rows.first()).not.toContainText('—');
    }
  }).toPass({ timeout: 240_000 });
  await expect(page.getByRole('button', { name: 'Last hour' })).toHaveAttribute(
    'aria-pressed',
    'true',
  );

  // Another range asks the backend again and charts its answer.
  const lastDay = page.waitForResponse(
    res => res.url().includes(`/metrics?range=1d`) && res.status() === 200,
  );
  await page.getByRole('button', { name: 'Last day' }).click();
  await lastDay;
  await expect(page.getByRole('button', { name: 'Last day' })).toHaveAttribute(
    'aria-pressed',
    'true',
  );
  for (const t of CHARTS) {
    await expect(chart(t).locator('.recharts-line-curve')).not.toHaveCount(0);
  }

  // The charts are fetched again on their own, and said when.
  await expect(
    page.getByRole('status', { name: 'Last update' }).first(),
  ).toContainText(/^Updated \d\d:\d\d:\d\d$/);

  // The same charts as a card on the catalog page of the Resource entity
  // that mirrors the stack, once the catalog has read it (every 30 s).
  const entityPage = `/catalog/default/resource/${name}`;
  await expect(async () => {
    await page.goto(entityPage);
    await expect(chart('CPU')).toBeVisible({ timeout: 15_000 });
  }).toPass({ timeout: 180_000 });
  await expect(page.getByText('Open the stack')).toBeVisible();
  for (const t of CHARTS) {
    await expect(chart(t).locator('.recharts-line-curve')).not.toHaveCount(0, {
      timeout: 60_000,
    });
    const rows = chart(t).getByRole('row').filter({ hasText: 'web-1' });
    await expect(rows).not.toHaveCount(0);
    await expect(rows.first()).not.toContainText('—');
  }
});
