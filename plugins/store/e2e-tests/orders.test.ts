import { test, expect, Page } from '@playwright/test';

async function signIn(page: Page, user: string) {
  await page.goto('/');
  await page.getByRole('button', { name: `Sign in as ${user}` }).click();
}

test('a developer orders a product that needs approval, an approver approves it, and it is fulfilled', async ({
  browser,
}) => {
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
  await expect(card).toContainText('user:default/developer');
  await card.getByLabel('Comment').fill('Capacity is fine');
  await card.getByRole('button', { name: 'Approve' }).click();
  await expect(card).toHaveCount(0);

  // The order is provisioned through the scaffolder and fulfilled.
  await expect(async () => {
    await developer.goto(orderUrl);
    await expect(developer.getByText('Fulfilled').first()).toBeVisible({
      timeout: 5_000,
    });
  }).toPass({ timeout: 120_000 });
  const timeline = developer.getByRole('list', { name: 'Timeline' });
  await expect(timeline).toContainText('Approved');
  await expect(timeline).toContainText('Capacity is fine');
  await expect(timeline).toContainText('Provisioning started');
  await expect(timeline.getByRole('link', { name: 'Task log' })).toBeVisible();
});
