import { test, expect, Page } from '@playwright/test';

/**
 * Signs the user in and opens the store from the sidebar. The click waits
 * for the signed-in home page: a click while the app is still settling after
 * sign-in can be lost (seen once: the home page stayed).
 */
async function openStore(page: Page, user: string) {
  await page.goto('/');
  await page.getByRole('button', { name: `Sign in as ${user}` }).click();
  await expect(
    page.getByRole('heading', { name: 'Welcome to Cloud Store' }),
  ).toBeVisible();
  const nav = page.getByRole('navigation', { name: 'sidebar nav' });
  await nav.getByRole('link', { name: 'Store', exact: true }).click();
  await expect(
    page.getByRole('heading', { name: 'Store', exact: true }),
  ).toBeVisible();
}

test('a developer browses, searches and filters the store and opens a product', async ({
  page,
}, testInfo) => {
  await openStore(page, 'developer');

  const filters = page.getByRole('navigation', { name: 'Store filters' });
  const results = page.getByRole('main');

  // The catalog location is read and indexed shortly after start-up.
  await expect(filters.getByText('Databases')).toBeVisible({
    timeout: 90_000,
  });

  // Browse a category.
  await filters.getByText('Caches').click();
  await expect(page).toHaveURL(/category=Caches/);
  await expect(
    results.getByRole('link', { name: 'Redis Cache' }),
  ).toBeVisible();
  await expect(
    results.getByRole('link', { name: 'PostgreSQL Database' }),
  ).toHaveCount(0);

  // Search across all categories.
  await filters.getByText('All products').click();
  await page.getByLabel('Search the store').fill('postgres');
  await expect(page).toHaveURL(/q=postgres/);
  await expect(
    results.getByRole('link', { name: 'PostgreSQL Database' }),
  ).toBeVisible();
  await expect(results.getByRole('link', { name: 'Redis Cache' })).toHaveCount(
    0,
  );

  // Filter to products with a free plan; the filtered view is in the URL.
  await page.getByLabel(/Free plan available/).check();
  await expect(page).toHaveURL(/freePlan=true/);
  await expect(results.getByText('1 product')).toBeVisible();

  // A product the developer's groups are not the audience of is not shown.
  await page.getByLabel('Search the store').fill('jupyter');
  await expect(results.getByText('No products match')).toBeVisible();
  await page.getByLabel('Search the store').fill('postgres');

  // Open the datasheet.
  await results.getByRole('link', { name: 'PostgreSQL Database' }).click();
  await expect(
    page.getByRole('heading', { name: 'PostgreSQL Database' }),
  ).toBeVisible();
  await expect(
    page.getByText('99.95% monthly uptime, 4h response'),
  ).toBeVisible();
  await expect(page.getByTestId('plan-enterprise')).toContainText(
    'USD 999.00/month',
  );
  await expect(page.getByTestId('plan-enterprise')).toContainText(
    'Needs approval',
  );
  await expect(
    page.getByText(/need 1 approval from Platform Admins/),
  ).toBeVisible();
  // Its owner by the group's display name, linked to the group's page.
  await expect(
    page.locator('header').getByRole('link', { name: 'Platform Admins' }),
  ).toHaveAttribute('href', '/catalog/default/group/platform-admins');
  // Ordering goes through the store's order form, never straight to the
  // scaffolder.
  await expect(
    page.getByRole('button', { name: 'Order', exact: true }),
  ).toHaveAttribute('href', /\/store\/products\/default\/postgresql\/order$/);

  const screenshot = await page.screenshot({
    path: 'e2e-test-artifacts/store-product.png',
    fullPage: true,
  });
  await testInfo.attach('store-product', {
    body: screenshot,
    contentType: 'image/png',
  });
});

test('a member of a nested group sees the products of the parent group', async ({
  page,
}) => {
  await openStore(page, 'data-scientist');
  const results = page.getByRole('main');

  // CI Runner is for developers; the data team is a child group of theirs.
  await page.getByLabel('Search the store').fill('ci runner');
  await expect(results.getByRole('link', { name: 'CI Runner' })).toBeVisible({
    timeout: 90_000,
  });
});
