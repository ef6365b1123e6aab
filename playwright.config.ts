import { defineConfig } from '@playwright/test';
import { generateProjects } from '@backstage/e2e-test-utils/playwright';
import { resolve } from 'node:path';

/**
 * End-to-end tests in headless Chromium from Debian (never a browser that
 * Playwright downloads). Unless PLAYWRIGHT_URL points at a running store,
 * the backend and the app are started on a throw-away data folder, so that a
 * developer's own ./data is never touched.
 */
const chromiumPath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const dataDir = process.env.E2E_DATA_DIR ?? 'node_modules/.cache/e2e-data';
// Ports of the store that the tests start; change them to run two suites at once.
const appPort = process.env.CLOUDSTORE_APP_PORT ?? '3000';
const backendPort = process.env.CLOUDSTORE_BACKEND_PORT ?? '7007';
// The file that moves the billing calendar of the store that the tests
// start (packages/backend/src/storeTestClock.ts); the subscriptions test
// writes it. A store at PLAYWRIGHT_URL keeps real time.
if (!process.env.PLAYWRIGHT_URL) {
  process.env.CLOUDSTORE_STORE_CLOCK_FILE ??= resolve(dataDir, 'store-clock');
}
// The store that the tests start offers single sign-on too
// (app-config.sso.yaml), through the identity provider that the OIDC test
// starts on this loopback port (plugins/audit/e2e-tests/oidc.test.ts); the
// backend finds the provider once it is up. The tests' own client, whatever
// the shell says, so that they never sign in elsewhere.
if (!process.env.PLAYWRIGHT_URL) {
  process.env.CLOUDSTORE_OIDC_PORT ??= String(Number(backendPort) + 1);
  Object.assign(process.env, {
    OIDC_METADATA_URL: `http://127.0.0.1:${process.env.CLOUDSTORE_OIDC_PORT}/.well-known/openid-configuration`,
    OIDC_CLIENT_ID: 'cloud-store-e2e',
    OIDC_CLIENT_SECRET: 'cloud-store-e2e-secret',
    AUTH_SESSION_SECRET: 'cloud-store-e2e-session',
  });
}
const configs =
  '--config ../../app-config.yaml --config ../../app-config.sso.yaml';
// With a Keystone and Heat in the shell's CLOUDSTORE_OPENSTACK_* variables
// (`eval "$(./scripts/openstack.sh env)"`), the backend offers `openstack`
// too (plugins/cloud/e2e-tests/openstack.test.ts; skipped without them).
const backendConfigs = process.env.CLOUDSTORE_OPENSTACK_AUTH_URL
  ? `${configs} --config ../../app-config.openstack.yaml`
  : configs;

export default defineConfig({
  timeout: 120_000,
  expect: { timeout: 30_000 },
  workers: 1,
  webServer: process.env.PLAYWRIGHT_URL
    ? []
    : [
        {
          command: `yarn workspace backend start ${backendConfigs}`,
          url: `http://localhost:${backendPort}/.backstage/health/v1/readiness`,
          reuseExistingServer: !process.env.CI,
          timeout: 180_000,
          env: {
            CLOUDSTORE_DATA_DIR: `../../${dataDir}`,
            CLOUDSTORE_STORE_CLOCK_FILE:
              process.env.CLOUDSTORE_STORE_CLOCK_FILE,
          },
        },
        {
          command: `yarn workspace app start ${configs}`,
          url: `http://localhost:${appPort}`,
          reuseExistingServer: !process.env.CI,
          timeout: 300_000,
        },
      ],
  forbidOnly: !!process.env.CI,
  retries: process.env.CI ? 1 : 0,
  reporter: [
    ['list'],
    ['html', { open: 'never', outputFolder: 'e2e-test-report' }],
  ],
  use: {
    actionTimeout: 0,
    baseURL: process.env.PLAYWRIGHT_URL ?? `http://localhost:${appPort}`,
    screenshot: 'only-on-failure',
    trace: 'retain-on-failure',
    launchOptions: {
      executablePath: chromiumPath,
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        '--no-first-run',
      ],
    },
  },
  outputDir: 'node_modules/.cache/e2e-test-results',
  projects: generateProjects().map(project => ({
    name: project.name,
    testDir: project.testDir,
  })),
});
