import { HttpAuthService } from '@backstage/backend-plugin-api';
import { ProductQuery, ProductSort } from '@internal/plugin-store-common';
import express from 'express';
import { createOpenApiRouter } from '../schema/openapi.generated';
import { ProductService } from './ProductService';
import { OrderRoutesOptions, registerOrderRoutes } from './orderRoutes';
import {
  registerSubscriptionRoutes,
  SubscriptionRoutesOptions,
} from './subscriptionRoutes';
import { BillingRoutesOptions, registerBillingRoutes } from './billingRoutes';

function queryOf(query: {
  q?: string;
  category?: string[];
  type?: string[];
  provider?: string[];
  tag?: string[];
  owner?: string[];
  lifecycle?: string[];
  minPrice?: string;
  maxPrice?: string;
  freePlan?: boolean;
}): ProductQuery {
  return {
    q: query.q,
    category: query.category,
    type: query.type,
    provider: query.provider,
    tag: query.tag,
    owner: query.owner,
    lifecycle: query.lifecycle,
    minPrice: query.minPrice,
    maxPrice: query.maxPrice,
    freePlan: query.freePlan,
  };
}

/** The HTTP API of the store, validated against its OpenAPI contract. */
export async function createRouter(options: {
  httpAuth: HttpAuthService;
  products: ProductService;
  orders?: Omit<OrderRoutesOptions, 'httpAuth'>;
  subscriptions?: Omit<SubscriptionRoutesOptions, 'httpAuth'>;
  billing?: Omit<BillingRoutesOptions, 'httpAuth'>;
}): Promise<express.Router> {
  const { httpAuth, products } = options;
  const router = await createOpenApiRouter();

  router.get('/products', async (req, res) => {
    const credentials = await httpAuth.credentials(req);
    res.json(
      await products.listProducts({
        credentials,
        query: queryOf(req.query),
        sort: req.query.sort as ProductSort | undefined,
        cursor: req.query.cursor,
        limit: req.query.limit,
      }),
    );
  });

  router.get('/products/facets', async (req, res) => {
    const credentials = await httpAuth.credentials(req);
    res.json(
      await products.getFacets({ credentials, query: queryOf(req.query) }),
    );
  });

  router.get('/products/:namespace/:name', async (req, res) => {
    const credentials = await httpAuth.credentials(req);
    res.json(
      await products.getProduct({
        credentials,
        namespace: req.params.namespace,
        name: req.params.name,
      }),
    );
  });

  if (options.orders) {
    registerOrderRoutes(router, { httpAuth, ...options.orders });
  }
  if (options.subscriptions) {
    registerSubscriptionRoutes(router, {
      httpAuth,
      ...options.subscriptions,
    });
  }
  if (options.billing) {
    registerBillingRoutes(router, { httpAuth, ...options.billing });
  }

  return router;
}
