import { JsonObject } from '@backstage/types';
import {
  AuditorService,
  BackstageCredentials,
  HttpAuthService,
} from '@backstage/backend-plugin-api';
import express from 'express';
import {
  IdempotencyStore,
  IdempotentResponse,
} from '@internal/backend-idempotency-node';
import { spec } from '../schema/openapi.generated';
import { ApiRouter } from '@backstage/backend-openapi-utils';
import { OrderService } from './OrderService';

type StoreRouter = ApiRouter<typeof spec>;

/** What the order routes need. */
export type OrderRoutesOptions = {
  httpAuth: HttpAuthService;
  auditor: AuditorService;
  orders: OrderService;
  idempotencyKeys: IdempotencyStore;
};

/**
 * Adds the order endpoints to the store router. Mutations are audited and
 * honour `Idempotency-Key`: the same key and body return the first result,
 * another body is a 409.
 */
export function registerOrderRoutes(
  router: StoreRouter,
  options: OrderRoutesOptions,
) {
  const { httpAuth, auditor, orders, idempotencyKeys } = options;

  function idempotent(
    req: express.Request,
    credentials: BackstageCredentials,
    route: string,
    run: () => Promise<IdempotentResponse>,
  ): Promise<IdempotentResponse> {
    return idempotencyKeys.run(
      {
        key: req.header('idempotency-key'),
        credentials,
        route,
        body: req.body,
      },
      run,
    );
  }

  async function audited<T>(
    req: express.Request,
    eventId: string,
    meta: JsonObject,
    run: () => Promise<T>,
  ): Promise<T> {
    const auditorEvent = await auditor.createEvent({
      eventId,
      severityLevel: 'medium',
      request: req,
      meta,
    });
    try {
      const result = await run();
      await auditorEvent.success();
      return result;
    } catch (error) {
      await auditorEvent.fail({ error: error as Error });
      throw error;
    }
  }

  router.post('/orders/preview', async (req, res) => {
    const credentials = await httpAuth.credentials(req, { allow: ['user'] });
    res.json(
      await orders.preview({
        credentials,
        product: req.body.product,
        plan: req.body.plan,
      }),
    );
  });

  router.post('/orders', async (req, res) => {
    const credentials = await httpAuth.credentials(req, { allow: ['user'] });
    const { secrets, ...input } = req.body;
    const response = await idempotent(
      req,
      credentials,
      'POST /orders',
      async () => {
        const order = await audited(
          req,
          'order-create',
          { product: input.product, plan: input.plan },
          () => orders.createOrder({ credentials, input, secrets }),
        );
        return { status: 201, body: order };
      },
    );
    res.status(response.status).json(response.body as any);
  });

  router.get('/orders', async (req, res) => {
    const credentials = await httpAuth.credentials(req, { allow: ['user'] });
    res.json(
      await orders.listOrders({
        credentials,
        scope: req.query.scope ?? 'mine',
        filter: {
          status: req.query.status,
          product: req.query.product,
          requester: req.query.requester,
          group: req.query.group,
          createdAfter: req.query.createdAfter,
          createdBefore: req.query.createdBefore,
        },
        limit: req.query.limit,
        offset: req.query.offset,
        cursor: req.query.cursor,
      }),
    );
  });

  router.get('/orders/:id', async (req, res) => {
    const credentials = await httpAuth.credentials(req, { allow: ['user'] });
    res.json(await orders.getOrder({ credentials, id: req.params.id }));
  });

  router.post('/orders/:id/:action', async (req, res) => {
    const credentials = await httpAuth.credentials(req, { allow: ['user'] });
    const { id, action } = req.params;
    const comment = req.body?.comment;
    const response = await idempotent(
      req,
      credentials,
      `POST /orders/${id}/${action}`,
      async () => {
        const order = await audited(
          req,
          `order-${action}`,
          { orderId: id },
          () =>
            action === 'approve' || action === 'reject'
              ? orders.decide({ credentials, id, action, comment })
              : orders.operate({ credentials, id, action, comment }),
        );
        return { status: 200, body: order };
      },
    );
    res.status(response.status).json(response.body as any);
  });
}
