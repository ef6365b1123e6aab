import {
  AuditorService,
  BackstageCredentials,
  HttpAuthService,
} from '@backstage/backend-plugin-api';
import { ApiRouter } from '@backstage/backend-openapi-utils';
import { IdempotencyStore } from '@internal/backend-idempotency-node';
import { JsonObject } from '@backstage/types';
import express from 'express';
import { spec } from '../schema/openapi.generated';
import { createMutations } from './mutations';
import {
  SubscriptionQuoteRequest,
  SubscriptionService,
} from './SubscriptionService';

type StoreRouter = ApiRouter<typeof spec>;

/** What the subscription routes need. */
export type SubscriptionRoutesOptions = {
  httpAuth: HttpAuthService;
  auditor: AuditorService;
  subscriptions: SubscriptionService;
  idempotencyKeys: IdempotencyStore;
};

/**
 * Adds the subscription endpoints to the store router. Actions are audited
 * and honour `Idempotency-Key` like the order routes: the same key and body
 * return the first result (and charge once), another body is a 409.
 */
export function registerSubscriptionRoutes(
  router: StoreRouter,
  options: SubscriptionRoutesOptions,
) {
  const { httpAuth, subscriptions } = options;

  const mutate = createMutations(options);

  /** An action on a subscription: audited, once per `Idempotency-Key`. */
  async function act(
    req: express.Request,
    res: express.Response,
    action: {
      name: string;
      meta: JsonObject;
      run: (credentials: BackstageCredentials) => Promise<unknown>;
    },
  ) {
    const credentials = await httpAuth.credentials(req, { allow: ['user'] });
    const id = req.params.id;
    await mutate(req, res, {
      credentials,
      route: `${req.method} /subscriptions/${id}/${action.name}`,
      eventId: `subscription-${action.name}`,
      meta: { subscriptionId: id, ...action.meta },
      status: 200,
      run: () => action.run(credentials),
    });
  }

  router.get('/subscriptions', async (req, res) => {
    const credentials = await httpAuth.credentials(req, { allow: ['user'] });
    res.json(
      await subscriptions.list({
        credentials,
        owner: req.query.owner,
        status: req.query.status,
        limit: req.query.limit,
        cursor: req.query.cursor,
      }),
    );
  });

  router.get('/subscriptions/:id', async (req, res) => {
    const credentials = await httpAuth.credentials(req, { allow: ['user'] });
    res.json(await subscriptions.get({ credentials, id: req.params.id }));
  });

  router.post('/subscriptions/:id/quote', async (req, res) => {
    const credentials = await httpAuth.credentials(req, { allow: ['user'] });
    res.json(
      await subscriptions.quote({
        credentials,
        id: req.params.id,
        request: req.body as SubscriptionQuoteRequest,
      }),
    );
  });

  router.post('/subscriptions/:id/renew', (req, res) =>
    act(req, res, {
      name: 'renew',
      meta: { periods: req.body.periods },
      run: credentials =>
        subscriptions.renew({
          credentials,
          id: req.params.id,
          periods: req.body.periods,
          version: req.body.version,
        }),
    }),
  );

  router.post('/subscriptions/:id/change-plan', (req, res) =>
    act(req, res, {
      name: 'change-plan',
      meta: { planId: req.body.planId },
      run: credentials =>
        subscriptions.changePlan({
          credentials,
          id: req.params.id,
          planId: req.body.planId,
          version: req.body.version,
        }),
    }),
  );

  router.post('/subscriptions/:id/cancel', (req, res) =>
    act(req, res, {
      name: 'cancel',
      meta: { when: req.body.when },
      run: credentials =>
        subscriptions.cancel({
          credentials,
          id: req.params.id,
          when: req.body.when,
          version: req.body.version,
        }),
    }),
  );

  router.put('/subscriptions/:id/auto-renew', (req, res) =>
    act(req, res, {
      name: 'auto-renew',
      meta: { autoRenew: req.body.autoRenew },
      run: credentials =>
        subscriptions.setAutoRenew({
          credentials,
          id: req.params.id,
          autoRenew: req.body.autoRenew,
          version: req.body.version,
        }),
    }),
  );
}
