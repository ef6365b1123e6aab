import { AuditorService, HttpAuthService } from '@backstage/backend-plugin-api';
import { IdempotencyStore } from '@internal/backend-idempotency-node';
import { spec } from '../schema/openapi.generated';
import { ApiRouter } from '@backstage/backend-openapi-utils';
import { createMutations } from './mutations';
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
  const { httpAuth, orders } = options;
  const mutate = createMutations(options);

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
    await mutate(req, res, {
      credentials,
      route: 'POST /orders',
      eventId: 'order-create',
      meta: { product: input.product, plan: input.plan },
      status: 201,
      run: () => orders.createOrder({ credentials, input, secrets }),
    });
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
    await mutate(req, res, {
      credentials,
      route: `POST /orders/${id}/${action}`,
      eventId: `order-${action}`,
      meta: { orderId: id },
      status: 200,
      run: () =>
        action === 'approve' || action === 'reject'
          ? orders.decide({ credentials, id, action, comment })
          : orders.operate({ credentials, id, action, comment }),
    });
  });
}
