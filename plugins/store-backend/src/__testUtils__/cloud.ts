import {
  coreServices,
  createBackendPlugin,
} from '@backstage/backend-plugin-api';
import express from 'express';

/**
 * A stand-in for the cloud backend that only lists providers, as
 * GET /api/cloud/providers does; by default the local provider.
 */
export function createFakeCloudPlugin(
  providers: string[] = ['local'],
  calls: { count: number } = { count: 0 },
) {
  return createBackendPlugin({
    pluginId: 'cloud',
    register(env) {
      env.registerInit({
        deps: {
          httpRouter: coreServices.httpRouter,
          httpAuth: coreServices.httpAuth,
        },
        async init({ httpRouter, httpAuth }) {
          const router = express.Router();
          router.get('/providers', (req, res, next) => {
            httpAuth
              .credentials(req, { allow: ['service'] })
              .then(() => {
                calls.count += 1;
                res.json({
                  items: providers.map(id => ({ id, title: id, regions: [] })),
                });
              })
              .catch(next);
          });
          httpRouter.use(router);
        },
      });
    },
  });
}

/** A node's program for the local provider: answers `ok` on its port. */
export const SERVER_JS = `require('http').createServer((q, s) => s.end('ok')).listen(Number(process.env.PORT), '127.0.0.1');`;
