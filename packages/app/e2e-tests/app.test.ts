import { test, expect } from '@playwright/test';

test('a demo user signs in and sees the home page and the demo organisation', async ({
  page,
}, testInfo) => {
  await page.goto('/');

  await page.getByRole('button', { name: 'Sign in as developer' }).click();

  const nav = page.getByRole('navigation', { name: 'sidebar nav' });
  await expect(
    page.getByRole('heading', { name: 'Welcome to Cloud Store' }),
  ).toBeVisible();

  await nav.getByRole('link', { name: 'Catalog', exact: true }).click();
  await expect(
    page.getByRole('heading', { name: /Cloud Store Catalog/ }),
  ).toBeVisible();
  await page.goto('/catalog?filters[kind]=group&filters[user]=all');
  for (const group of [
    'Developers',
    'Web Team',
    'Approvers',
    'Platform Admins',
  ]) {
    await expect(page.getByRole('link', { name: group })).toBeVisible();
  }

  // Kept as a test artifact, in the HTML report and in e2e-test-artifacts/.
  const screenshot = await page.screenshot({
    path: 'e2e-test-artifacts/catalog-groups.png',
    fullPage: true,
  });
  await testInfo.attach('catalog-groups', {
    body: screenshot,
    contentType: 'image/png',
  });
});
