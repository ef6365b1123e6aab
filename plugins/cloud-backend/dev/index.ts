import { createBackend } from '@backstage/backend-defaults';

// The cloud plugin alone, with the local provider: `yarn start` in this
// package, and the backend that the crash tests run as a real process and
// kill.
const backend = createBackend();
backend.add(import('../src'));
backend.add(import('@internal/plugin-cloud-backend-module-local'));
backend.start();
