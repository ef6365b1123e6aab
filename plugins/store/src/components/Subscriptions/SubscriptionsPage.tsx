import {
  Content,
  Header,
  Link,
  Page,
  ResponseErrorPanel,
  Table,
  TableColumn,
} from '@backstage/core-components';
import { useApi, useRouteRef } from '@backstage/frontend-plugin-api';
import { Subscription } from '@internal/plugin-store-common';
import { Box, Typography } from '@material-ui/core';
import { useCallback, useMemo, useState } from 'react';
import { storeApiRef } from '../../api/StoreApi';
import { ShowMore, useCursorPages } from '../shared/useCursorPages';
import {
  orderRouteRef,
  rootRouteRef,
  subscriptionRouteRef,
} from '../../routes';
import {
  SubscriptionActionButtons,
  SubscriptionActionDialog,
} from './SubscriptionActions';
import { SubscriptionStatusLabel } from './SubscriptionStatusLabel';
import {
  formatMoney,
  isoDay,
  shortId,
  stackHref,
  SubscriptionActionKind,
} from './subscriptionText';

const PAGE_SIZE = 50;

/**
 * The subscriptions the caller may see, with their actions, and the stacks
 * and order of each, which tell apart subscriptions of the same product.
 */
export function SubscriptionsPage() {
  const storeApi = useApi(storeApiRef);
  const storeRoute = useRouteRef(rootRouteRef);
  const subscriptionRoute = useRouteRef(subscriptionRouteRef);
  const orderRoute = useRouteRef(orderRouteRef);

  const pages = useCursorPages(
    cursor => storeApi.listSubscriptions({ limit: PAGE_SIZE, cursor }),
    [storeApi],
  );

  const [pending, setPending] = useState<{
    subscription: Subscription;
    action: SubscriptionActionKind;
  }>();
  const { retry } = pages;
  const done = useCallback(() => {
    setPending(undefined);
    retry();
  }, [retry]);
  const close = useCallback(() => setPending(undefined), []);

  const columns = useMemo<TableColumn<Subscription>[]>(
    () => [
      {
        title: 'Product',
        render: subscription => (
          <Link to={subscriptionRoute?.({ id: subscription.id }) ?? '#'}>
            {subscription.productTitle}
          </Link>
        ),
      },
      { title: 'Plan', render: subscription => subscription.plan.title },
      // Two subscriptions of a product differ in their stacks and order.
      {
        title: 'Stacks',
        render: subscription =>
          subscription.stacks.length === 0 ? (
            '—'
          ) : (
            <Box display="flex" flexDirection="column">
              {subscription.stacks.map(stack => (
                <Link key={stack} to={stackHref(stack)} title={stack}>
                  {shortId(stack)}
                </Link>
              ))}
            </Box>
          ),
      },
      {
        title: 'Order',
        render: subscription => (
          <>
            <Link
              to={orderRoute?.({ id: subscription.orderId }) ?? '#'}
              title={subscription.orderId}
            >
              {shortId(subscription.orderId)}
            </Link>
            <Typography variant="caption" display="block">
              started {isoDay(subscription.startedAt)}
            </Typography>
          </>
        ),
      },
      {
        title: 'Status',
        render: subscription => (
          <SubscriptionStatusLabel status={subscription.status} />
        ),
      },
      { title: 'Period start', field: 'currentPeriodStart' },
      { title: 'Period end', field: 'currentPeriodEnd' },
      {
        title: 'Auto-renew',
        render: subscription => (subscription.autoRenew ? 'On' : 'Off'),
      },
      {
        title: 'Next renewal',
        render: subscription =>
          subscription.nextRenewalPrice
            ? formatMoney(subscription.nextRenewalPrice)
            : '—',
      },
      {
        title: 'Actions',
        render: subscription => (
          <SubscriptionActionButtons
            size="small"
            subscription={subscription}
            onAction={action => setPending({ subscription, action })}
          />
        ),
      },
    ],
    [subscriptionRoute, orderRoute],
  );

  return (
    <Page themeId="home">
      <Header
        title="My subscriptions"
        subtitle="The products your groups run, and what they cost"
        type="Store"
        typeLink={storeRoute?.() ?? '/store'}
      />
      <Content>
        {pages.error ? (
          <ResponseErrorPanel
            error={pages.error}
            title="Your subscriptions could not be loaded"
          />
        ) : (
          <>
            <Table<Subscription>
              title="Subscriptions"
              isLoading={pages.loading}
              options={{ paging: false, search: false }}
              columns={columns}
              data={pages.items}
              emptyContent={
                <Box p={2}>
                  No subscriptions yet: an order becomes one once it is
                  fulfilled. Find a product in the{' '}
                  <Link to={storeRoute?.() ?? '/store'}>store</Link>.
                </Box>
              }
            />
            <ShowMore
              more={pages.more}
              errorTitle="More subscriptions could not be loaded"
            />
          </>
        )}
        {pending && (
          <SubscriptionActionDialog
            subscription={pending.subscription}
            action={pending.action}
            onDone={done}
            onClose={close}
          />
        )}
      </Content>
    </Page>
  );
}
